//! `athar package` and `athar verify-package`: a person's signed evidence package, made
//! through the organisation's scope (only the journey it may see), and its offline check.

use crate::*;

#[derive(clap::Args)]
pub struct PackageArgs {
    /// The person's id.
    /// معرّف الشخص.
    #[arg(long)]
    pub person: String,
    /// wgeid, iiim, commission-of-inquiry, iimp, anonymised-publication,
    /// named-publication, coalition-sharing or documentation.
    /// الغرض: wgeid أو iiim أو commission-of-inquiry أو iimp أو anonymised-publication أو named-publication أو coalition-sharing أو documentation.
    #[arg(long, value_parser = parse_purpose)]
    pub purpose: athar_model::consent::Purpose,
    /// The package file to create.
    /// ملف الحزمة المراد إنشاؤه.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(clap::Args)]
pub struct VerifyPackageArgs {
    /// The package file to check.
    /// ملف الحزمة المراد التحقق منه.
    pub file: PathBuf,
    /// The organisation's public key, hex (from `athar org list`).
    /// المفتاح العام للجهة بالست عشري (من athar org list).
    #[arg(long)]
    pub key: String,
    /// Print the report as JSON.
    /// طباعة التقرير بصيغة JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn package(args: PackageArgs, dir: &DataDir) -> Result<ExitCode, String> {
    let PackageArgs {
        person,
        purpose,
        out,
    } = args;
    let person: athar_model::RecordId = person
        .parse()
        .map_err(|_| format!("{person:?} is not a record id"))?;
    let store = open_store(dir)?;
    let org = own_organisation(&store)?;
    let file = std::fs::File::create_new(&out)
        .map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let scope = athar_app::Scope::new(&store, athar_app::OrgId::new(org), "cli");
    match scope.evidence_package(person, purpose, file) {
        Ok(summary) => {
            println!(
                "Wrote {}: {} records, {} evidence files. Check it with: athar verify-package {} --key {}",
                out.display(),
                summary.records,
                summary.evidence,
                out.display(),
                summary.public_key
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&out);
            Err(e.to_string())
        }
    }
}

pub fn verify_package(args: VerifyPackageArgs) -> Result<ExitCode, String> {
    let VerifyPackageArgs { file, key, json } = args;
    let mut input = std::io::BufReader::new(
        std::fs::File::open(&file).map_err(|e| format!("cannot open {}: {e}", file.display()))?,
    );
    let report = athar_report::package::verify_package(&mut input, &key);
    if json {
        print_json(&report);
    } else if report.ok() {
        println!(
            "OK: {} files match the manifest signed by {}.",
            report.files,
            report.organisation.as_deref().unwrap_or("?")
        );
    } else {
        for p in &report.problems {
            eprintln!("FAILED: {p}");
        }
    }
    Ok(if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
