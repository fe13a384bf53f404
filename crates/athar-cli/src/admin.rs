//! The store's administration from the command line, for whoever holds the passphrase:
//! `init`, `verify`, `shred`, `backup`, `restore`, `audit head`, organisations, accounts and
//! API tokens. These are the named administrative paths that see the whole store; they read
//! no record's content (shredding acts on the store's first organisation's records only).

use crate::*;

#[derive(Subcommand)]
pub enum OrgCommand {
    /// Add an organisation (a coalition member) with a fresh key.
    ///
    /// إضافة جهة (عضو في التحالف) بمفتاح جديد.
    Add {
        /// The organisation's name.
        /// اسم الجهة.
        name: String,
    },
    /// List the organisations.
    ///
    /// سرد الجهات.
    List,
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add an account to the store's organisation. The password comes from
    /// ATHAR_USER_PASSWORD or a prompt. Administrators (and anyone given
    /// --second-factor) get a one-time-code secret: the command prints the otpauth:// link
    /// to enrol in an authenticator app, once.
    ///
    /// إضافة حساب إلى جهة المخزن؛ كلمة المرور من ATHAR_USER_PASSWORD أو تُطلب.
    Add {
        /// The account's name, to sign in with.
        /// اسم الحساب لتسجيل الدخول.
        username: String,
        /// viewer, documenter, analyst, org-admin or coalition-admin.
        /// الدور: viewer أو documenter أو analyst أو org-admin أو coalition-admin.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Enrol a one-time code even though the role does not require one.
        /// تسجيل رمز لمرة واحدة حتى لو لم يشترطه الدور.
        #[arg(long)]
        second_factor: bool,
        /// The organisation's name (default: the store's first organisation).
        /// اسم الجهة (افتراضياً: أول جهة في المخزن).
        #[arg(long)]
        organisation: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Make an API token for an account; it is printed once.
    ///
    /// إنشاء مفتاح واجهة برمجية لحساب؛ يُطبع مرة واحدة.
    Create {
        /// The account the token acts as.
        /// الحساب الذي يعمل المفتاح باسمه.
        #[arg(long)]
        user: String,
        /// What the token is for.
        /// الغرض من المفتاح.
        #[arg(long)]
        name: String,
        /// read or write.
        /// read (قراءة) أو write (كتابة).
        #[arg(long, value_parser = parse_scope, default_value = "read")]
        scope: Scope,
        /// Days until it expires (1 to 365).
        /// عدد الأيام حتى انتهاء صلاحيته (من 1 إلى 365).
        #[arg(long, default_value_t = 30)]
        days: u32,
    },
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Print the last entry of the audit chain: its hash commits to the whole history, so
    /// publishing it lets anyone check later that nothing before it was changed.
    ///
    /// طباعة آخر قيد في سلسلة التدقيق؛ نشره يتيح لأي أحد التحقق لاحقاً من أن شيئاً قبله لم يتغيّر.
    Head {
        /// Print it as JSON.
        /// الطباعة بصيغة JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum KindArg {
    Person,
    Event,
    Involvement,
    Source,
    Match,
}

impl From<KindArg> for RecordKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Person => RecordKind::Person,
            KindArg::Event => RecordKind::Event,
            KindArg::Involvement => RecordKind::Involvement,
            KindArg::Source => RecordKind::Source,
            KindArg::Match => RecordKind::Match,
        }
    }
}

pub fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| {
        format!(
            "unknown role {text:?}; one of viewer, documenter, analyst, org-admin, coalition-admin"
        )
    })
}

pub fn parse_scope(text: &str) -> Result<Scope, String> {
    Scope::parse(text).ok_or_else(|| format!("unknown scope {text:?}; read or write"))
}

/// Create an account in the store's own organisation; returns the enrolment link of its
/// one-time code, if it got one.
pub fn add_user(
    store: &SqliteStore,
    username: &str,
    role: Role,
    password: &str,
    second_factor: bool,
    organisation: Option<&str>,
) -> Result<Option<String>, String> {
    if password.chars().count() < athar_crypto::auth::MIN_PASSWORD_CHARS {
        return Err(format!(
            "choose a password of at least {} characters",
            athar_crypto::auth::MIN_PASSWORD_CHARS
        ));
    }
    let keyring = store.keyring();
    let organisation = match organisation {
        Some(name) => keyring
            .organisations()
            .iter()
            .find(|o| o.name == name)
            .map(|o| o.num)
            .ok_or_else(|| format!("no organisation named {name:?}; see `athar org list`"))?,
        None => own_organisation(store)?,
    };
    let totp = if second_factor || role.needs_second_factor() {
        Some(athar_crypto::auth::TotpSecret::generate().map_err(|e| e.to_string())?)
    } else {
        None
    };
    let password_hash = athar_crypto::auth::hash_password(password).map_err(|e| e.to_string())?;
    store
        .create_user(
            "cli",
            NewUser {
                username: username.to_string(),
                role,
                organisation,
                password_hash,
                totp_secret: totp.as_ref().map(|t| t.as_bytes().to_vec()),
            },
        )
        .map_err(|e| e.to_string())?;
    totp.map(|t| t.otpauth_uri(username).map_err(|e| e.to_string()))
        .transpose()
}

/// Make an API token for `username`; returns the token.
pub fn create_token(
    store: &SqliteStore,
    username: &str,
    name: &str,
    scope: Scope,
    days: u32,
) -> Result<String, String> {
    let user = store
        .user_by_name(username)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no account named {username:?}"))?;
    let (token, _) = athar_app::accounts::issue_token(store, &user, name, scope, days)
        .map_err(|e| e.to_string())?;
    Ok(token)
}

#[derive(clap::Args)]
pub struct VerifyArgs {
    /// Print the report as JSON.
    /// طباعة التقرير بصيغة JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct ShredArgs {
    /// The kind of record.
    /// نوع السجل.
    #[arg(long, value_enum)]
    pub kind: KindArg,
    /// The record's id.
    /// معرّف السجل.
    pub id: String,
    /// Why, for the record's history and the audit log (no personal data).
    /// السبب، لتاريخ السجل وسجل التدقيق (دون بيانات شخصية).
    #[arg(long)]
    pub reason: String,
    /// Confirm that this cannot be undone.
    /// تأكيد أن هذا لا يمكن التراجع عنه.
    #[arg(long)]
    pub yes: bool,
}

#[derive(clap::Args)]
pub struct BackupArgs {
    /// The backup file to create.
    /// ملف النسخة الاحتياطية المراد إنشاؤه.
    #[arg(long)]
    pub out: PathBuf,
    /// Print the summary as JSON.
    /// طباعة الملخص بصيغة JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct RestoreArgs {
    /// The backup file.
    /// ملف النسخة الاحتياطية.
    pub file: PathBuf,
    /// The keys file (default: the backup's name with .keys added). The newest keys file
    /// of the store fits any of its older backups.
    /// ملف المفاتيح (افتراضياً: اسم النسخة مع ‎.keys‎)؛ أحدث ملف مفاتيح للمخزن يصلح لكل نسخه الأقدم.
    #[arg(long)]
    pub keys: Option<PathBuf>,
}

pub fn verify(args: VerifyArgs, dir: &DataDir) -> Result<ExitCode, String> {
    let VerifyArgs { json } = args;
    let checked = open_store(dir).and_then(|store| {
        let total = store.count(RecordKind::Person).unwrap_or(0);
        let bar = if json || total < 10_000 {
            ProgressBar::hidden()
        } else {
            ProgressBar::new_spinner()
        };
        let report = store
            .verify(&mut |n| bar.set_message(format!("{n} revisions checked")))
            .map_err(|e| e.to_string());
        bar.finish_and_clear();
        report
    });
    let report = match checked {
        Ok(report) => report,
        // A store too damaged to be checked through is a failed check too: a script reading
        // --json gets an answer, not silence.
        Err(error) if json => {
            print_json(&serde_json::json!({ "ok": false, "error": error }));
            return Ok(ExitCode::FAILURE);
        }
        Err(error) => return Err(error),
    };
    if json {
        print_json(&report);
    } else if report.ok() {
        println!(
            "OK: {} audit entries and {} revisions verified; chain head {}",
            report.audit_entries, report.revisions, report.head
        );
    } else {
        eprintln!(
            "FAILED: {} problem(s); the first: {}",
            report.problems.len(),
            report.problems[0]
        );
        for p in report.problems.iter().skip(1).take(20) {
            eprintln!("  also: {p}");
        }
    }
    Ok(if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

pub fn shred(args: ShredArgs, dir: &DataDir) -> Result<ExitCode, String> {
    let ShredArgs {
        kind,
        id,
        reason,
        yes,
    } = args;
    let id: athar_model::RecordId = id
        .parse()
        .map_err(|_| format!("{id:?} is not a record id"))?;
    if !yes {
        return Err(
            "shredding destroys the record's identifying data for good; pass --yes to confirm"
                .into(),
        );
    }
    let store = open_store(dir)?;
    let written = store
        .shred(kind.into(), id, "cli", &reason)
        .map_err(|e| e.to_string())?;
    println!(
        "Shredded {} {id}: its identifying data is gone (revision {}, audit entry {}).",
        RecordKind::from(kind).name(),
        written.revisions.first().map_or(0, |r| r.1),
        written.audit_seq
    );
    Ok(ExitCode::SUCCESS)
}

pub fn backup(args: BackupArgs, dir: &DataDir) -> Result<ExitCode, String> {
    let BackupArgs { out, json } = args;
    let store = open_store(dir)?;
    let summary = store
        .backup(&dir.key_file(), &out)
        .map_err(|e| e.to_string())?;
    if json {
        println!("{}", serde_json::to_string(&summary).unwrap_or_default());
    } else {
        println!(
            "Backed up to {} ({} bytes, SHA-256 {}).",
            out.display(),
            summary.bytes,
            summary.sha256
        );
        println!(
            "Its {} data keys are in {}: keep that file apart from the backup, keep only the newest \
                 one (it fits every older backup), and destroy older ones after shredding anything. \
                 Both files need the passphrase.",
            summary.keys,
            summary.keys_file.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn restore(args: RestoreArgs, dir: &DataDir) -> Result<ExitCode, String> {
    let RestoreArgs { file, keys } = args;
    let pass = passphrase(false)?;
    let keys = keys.unwrap_or_else(|| athar_store::sqlite::keys_file_of(&file));
    let report = SqliteStore::restore(dir, &file, &keys, &pass).map_err(|e| e.to_string())?;
    println!(
        "Restored into {}: {} audit entries and {} revisions verified.",
        dir.root.display(),
        report.audit_entries,
        report.revisions
    );
    Ok(ExitCode::SUCCESS)
}

pub fn init(dir: &DataDir) -> Result<ExitCode, String> {
    let pass = passphrase(true)?;
    SqliteStore::create(dir, &pass, "cli").map_err(|e| e.to_string())?;
    println!("Created an encrypted store in {}", dir.root.display());
    println!(
        "Keep the passphrase and {} safe: without both the store cannot be opened.",
        athar_store::layout::KEY_FILE
    );
    Ok(ExitCode::SUCCESS)
}

pub fn audit(command: AuditCommand, dir: &DataDir) -> Result<ExitCode, String> {
    let AuditCommand::Head { json } = command;
    let store = open_store(dir)?;
    let head = store.audit_head().map_err(|e| e.to_string())?;
    if json {
        print_json(&head);
    } else {
        println!(
            "{} (audit entry {}, {} by {})",
            head.hash, head.seq, head.action, head.actor
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn user(command: UserCommand, dir: &DataDir) -> Result<ExitCode, String> {
    let UserCommand::Add {
        username,
        role,
        second_factor,
        organisation,
    } = command;
    let store = open_store(dir)?;
    let password = match std::env::var("ATHAR_USER_PASSWORD") {
        Ok(p) if !p.is_empty() => p,
        _ => rpassword::prompt_password(format!("Password for {username} / كلمة المرور: "))
            .map_err(|e| format!("cannot read the password: {e}"))?,
    };
    let link = add_user(
        &store,
        &username,
        role,
        &password,
        second_factor,
        organisation.as_deref(),
    )?;
    println!("Added {username} as {} ({}).", role.name(), role.name_ar());
    if let Some(link) = link {
        println!(
            "Enrol this one-time-code link in an authenticator app now; it is not shown again:"
        );
        println!("{link}");
    }
    Ok(ExitCode::SUCCESS)
}

pub fn org(command: OrgCommand, dir: &DataDir) -> Result<ExitCode, String> {
    let store = open_store(dir)?;
    if let OrgCommand::Add { name } = &command {
        let org = store
            .create_organisation("cli", name)
            .map_err(|e| e.to_string())?;
        println!(
            "Added organisation {} ({}), number {}.",
            org.name, org.id, org.num
        );
    } else {
        println!("number\tid\tname\tpublic key (for verify-package)");
        for org in store.keyring().organisations() {
            println!(
                "{}\t{}\t{}\t{}",
                org.num,
                org.id,
                org.name,
                org.public_key()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn token(command: TokenCommand, dir: &DataDir) -> Result<ExitCode, String> {
    let TokenCommand::Create {
        user,
        name,
        scope,
        days,
    } = command;
    let store = open_store(dir)?;
    let token = create_token(&store, &user, &name, scope, days)?;
    println!("{token}");
    Ok(ExitCode::SUCCESS)
}
