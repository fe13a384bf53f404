//! The data directory: where a store's files are and how it is created and opened.
//!
//! ```text
//! DATA/athar.db          the SQLCipher database (encrypted; with -wal and -shm beside it)
//! DATA/athar-key.json    Argon2id salt and cost parameters (not secret; needed to open)
//! ```
//! The key file is written before the database and is never rewritten; if it is lost the
//! store cannot be opened even with the passphrase, so backups must include it.

use std::path::{Path, PathBuf};

use athar_crypto::envelope::MasterKey;
use athar_crypto::{KeyParams, StoreKey};

use crate::{Result, StoreError};

pub const DATABASE_FILE: &str = "athar.db";
pub const KEY_FILE: &str = "athar-key.json";

#[derive(Debug, Clone)]
pub struct DataDir {
    pub root: PathBuf,
}

impl DataDir {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        DataDir { root: root.into() }
    }

    pub fn database(&self) -> PathBuf {
        self.root.join(DATABASE_FILE)
    }

    pub fn key_file(&self) -> PathBuf {
        self.root.join(KEY_FILE)
    }

    pub fn is_initialised(&self) -> bool {
        self.database().exists() || self.key_file().exists()
    }

    fn io(path: &Path) -> impl Fn(std::io::Error) -> StoreError + '_ {
        move |error| StoreError::Io {
            path: path.display().to_string(),
            error,
        }
    }

    /// Create the directory (private to the user) and the key parameters; derive the keys.
    pub fn create_key(&self, passphrase: &str) -> Result<(StoreKey, MasterKey)> {
        if self.is_initialised() {
            return Err(StoreError::AlreadyInitialised(
                self.root.display().to_string(),
            ));
        }
        std::fs::create_dir_all(&self.root).map_err(Self::io(&self.root))?;
        restrict_permissions(&self.root);
        let params = KeyParams::generate()?;
        let keys = params.derive_keys(passphrase)?;
        let json =
            serde_json::to_vec_pretty(&params).map_err(|e| StoreError::Database(e.to_string()))?;
        let path = self.key_file();
        std::fs::write(&path, json).map_err(Self::io(&path))?;
        Ok(keys)
    }

    /// Read the key parameters and derive the file key (for tools that open the database
    /// file directly).
    pub fn derive_key(&self, passphrase: &str) -> Result<StoreKey> {
        Ok(self.derive_keys(passphrase)?.0)
    }

    /// Read the key parameters and derive the file key and the master key.
    pub fn derive_keys(&self, passphrase: &str) -> Result<(StoreKey, MasterKey)> {
        let path = self.key_file();
        if !path.exists() || !self.database().exists() {
            return Err(StoreError::NotInitialised(self.root.display().to_string()));
        }
        let text = std::fs::read(&path).map_err(Self::io(&path))?;
        let params: KeyParams = serde_json::from_slice(&text).map_err(|e| {
            StoreError::Database(format!("{} is not a valid key file: {e}", path.display()))
        })?;
        Ok(params.derive_keys(passphrase)?)
    }
}

#[cfg(unix)]
fn restrict_permissions(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700));
}

#[cfg(not(unix))]
fn restrict_permissions(_path: &Path) {}
