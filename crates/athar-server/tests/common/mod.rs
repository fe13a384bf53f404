//! What the page tests share: a real server on an ephemeral port over a real store holding
//! forty demo persons with their journeys, a documenter and an administrator who signs in
//! with a one-time code.

#![allow(dead_code)]

use std::sync::Arc;

use athar_crypto::auth::{TotpSecret, hash_password};
use athar_model::access::Role;
use athar_server::AppState;
use athar_store::accounts::NewUser;
use athar_store::{Accounts, Backend, DataDir, SqliteStore, Store};

pub const PASSWORD: &str = "pages test password 2026";
/// The documenter who signs in with a password alone.
pub const DOCUMENTER: &str = "amal";
/// The administrator, who also needs the one-time code.
pub const ADMIN: &str = "sami";
/// The demo generator's seed and size for every page test.
pub const DEMO_SEED: u64 = 7;
pub const DEMO_PERSONS: u64 = 40;

pub struct Server {
    pub base: String,
    pub admin_totp: TotpSecret,
    _tmp: tempfile::TempDir,
}

impl Server {
    /// The administrator's one-time code for now.
    pub fn admin_code(&self) -> String {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        self.admin_totp.code_at(now).unwrap_or_default()
    }
}

/// The missing man of the families' tracing tests, as his family names him: given name
/// and family name.
pub const MISSING: (&str, &str) = ("سامر", "الديري");
/// The recovered register the families' tracing tests search.
pub const REGISTER: &str = "سجل وفيات مستشفى تشرين العسكري (مستعاد)";

/// A recovered death register: the missing man (his father's name written joined, no
/// article on the family name), his brother, and a man with his given name only.
pub fn register_changes() -> Vec<athar_store::Change> {
    use athar_model::{
        Citation, Event, FuzzyDate, Involvement, Person, PersonName, RecordBody, RecordId, Script,
        Sex, Source,
    };
    use athar_store::Change;
    let date = |text: &str| FuzzyDate::parse(text).unwrap_or_else(|e| panic!("{e}"));
    let register = RecordId::new();
    let cite = vec![Citation {
        source: register,
        locator: None,
    }];
    let mut changes = vec![Change::Create {
        id: register,
        body: RecordBody::Source(Source {
            kind: "official-record".into(),
            title: REGISTER.into(),
            date: date("2014"),
            reliability: athar_model::Reliability::B,
            ..Source::default()
        }),
    }];
    for (given, father, family, born, died) in [
        ("سامر", "عبدالكريم", "ديري", "1990", "2014-01-20"),
        ("ماهر", "عبد الكريم", "الديري", "1993", "2014-02"),
        ("سامر", "محمود", "العلي", "1985", "2013-11"),
    ] {
        let (person, event) = (RecordId::new(), RecordId::new());
        changes.push(Change::Create {
            id: person,
            body: RecordBody::Person(Person {
                names: vec![PersonName {
                    script: Script::Arab,
                    given: Some(given.into()),
                    father: Some(father.into()),
                    family: Some(family.into()),
                    ..Default::default()
                }],
                sex: Sex::Male,
                birth_date: date(born),
                sources: cite.clone(),
                ..Person::default()
            }),
        });
        changes.push(Change::Create {
            id: event,
            body: RecordBody::Event(Event {
                kind: "death-in-custody".into(),
                start: date(died),
                sources: cite.clone(),
                ..Event::default()
            }),
        });
        changes.push(Change::Create {
            id: RecordId::new(),
            body: RecordBody::Involvement(Involvement::victim(event, person, cite.clone())),
        });
    }
    changes
}

/// Starts a server over a new store with the demo persons and both accounts.
pub async fn start_server() -> Server {
    start_server_with(Vec::new()).await
}

/// Starts a server over a new store with the demo persons, both accounts and a recovered
/// death register ([`register_changes`]).
pub async fn start_server_with_register() -> Server {
    start_server_with(register_changes()).await
}

async fn start_server_with(extra: Vec<athar_store::Change>) -> Server {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = DataDir::new(tmp.path().join("data"));
    let store = Arc::new(
        SqliteStore::create(&dir, "pages test passphrase", "test")
            .unwrap_or_else(|e| panic!("{e}")),
    );
    let org = store
        .keyring()
        .default_organisation()
        .unwrap_or_else(|e| panic!("{e}"))
        .num;
    let admin_totp = TotpSecret::generate().unwrap_or_else(|e| panic!("{e}"));
    for (username, role, totp) in [
        (DOCUMENTER, Role::Documenter, None),
        (ADMIN, Role::OrgAdmin, Some(admin_totp.as_bytes().to_vec())),
    ] {
        store
            .create_user(
                "test",
                NewUser {
                    username: username.into(),
                    role,
                    organisation: org,
                    password_hash: hash_password(PASSWORD).unwrap_or_else(|e| panic!("{e}")),
                    totp_secret: totp,
                },
            )
            .unwrap_or_else(|e| panic!("{e}"));
    }
    // Persons with their journeys, as the demo writes them.
    let vocab = athar_model::Vocabularies::embedded();
    let changes: Vec<athar_store::Change> = athar_demo::generate(DEMO_SEED, DEMO_PERSONS)
        .flatten()
        .map(|(id, body)| athar_store::Change::Create { id, body })
        .chain(extra)
        .collect();
    let keyring = store.keyring();
    let prepared = athar_store::prepare(
        athar_store::ChangeSet {
            author: "test".into(),
            action: "demo".into(),
            owner: Some(org),
            changes,
        },
        vocab,
        &keyring,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    store
        .write_prepared(prepared)
        .unwrap_or_else(|e| panic!("{e}"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let state = AppState::new(Arc::clone(&store) as Arc<dyn Backend>);
    tokio::spawn(athar_server::serve(listener, state, std::future::pending()));
    Server {
        base: format!("http://{addr}"),
        admin_totp,
        _tmp: tmp,
    }
}

/// The Arabic and the Latin family name of the first demo person written in both scripts.
pub fn a_demo_name() -> (String, String) {
    athar_demo::generate(DEMO_SEED, DEMO_PERSONS)
        .flatten()
        .find_map(|(_, b)| match b {
            athar_model::RecordBody::Person(p) => {
                let arab = p
                    .names
                    .iter()
                    .find(|n| n.script == athar_model::Script::Arab)?;
                let latn = p
                    .names
                    .iter()
                    .find(|n| n.script == athar_model::Script::Latn)?;
                Some((arab.family.clone()?, latn.family.clone()?))
            }
            _ => None,
        })
        .unwrap_or_default()
}

/// Percent-encoding of every byte but ASCII letters and digits.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
