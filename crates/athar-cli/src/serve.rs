//! `athar serve`: the HTTP API over the store (with `--demo`, a fresh store of synthetic
//! persons, a demo account and a token). The only command that links the HTTP server.

use crate::admin::{add_user, create_token};
use crate::demo::run_demo;
use crate::*;

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Address to listen on. Beyond loopback, put a TLS proxy in front (session cookies are Secure).
    /// العنوان الذي يُستمع عليه. خارج الجهاز المحلي ضع أمامه وكيل TLS.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Start on a fresh store filled with synthetic demo data. Generates and prints a
    /// passphrase unless ATHAR_PASSPHRASE is set; refuses an existing store.
    /// البدء بمخزن جديد مملوء ببيانات تجريبية؛ يولّد عبارة مرور ويطبعها ما لم تُضبط ATHAR_PASSPHRASE، ويرفض مخزناً موجوداً.
    #[arg(long)]
    pub demo: bool,
    /// With --demo: how many synthetic persons to generate.
    /// مع --demo: عدد الأشخاص التجريبيين المراد توليدهم.
    #[arg(long, default_value_t = 1000, requires = "demo")]
    pub demo_persons: u64,
    /// The largest evidence file accepted, in bytes.
    /// أكبر ملف دليل مقبول، بالبايت.
    #[arg(long, default_value_t = athar_server::DEFAULT_EVIDENCE_LIMIT)]
    pub evidence_limit: u64,
    /// The most work one latent-class estimate may ask for (sampler passes with warm-up ×
    /// chains × table cells × classes × lists); larger requests are refused before they run.
    /// أقصى عمل يجوز لتقدير واحد بالفئات الكامنة أن يطلبه؛ تُرفض الطلبات الأكبر قبل تشغيلها.
    #[arg(long, default_value_t = athar_server::stats::DEFAULT_ESTIMATE_LIMIT)]
    pub estimate_limit: u64,
}

/// Blocking threads the server may run at once (tokio's default is 512).
const SERVE_BLOCKING_THREADS: usize = 64;

pub fn serve(args: ServeArgs, dir: &DataDir) -> Result<ExitCode, String> {
    let ServeArgs {
        addr,
        demo,
        demo_persons,
        evidence_limit,
        estimate_limit,
    } = args;
    // The address first: a port in use is said before any store is made or opened.
    let listener = std::net::TcpListener::bind(addr).map_err(|e| {
        format!("cannot listen on {addr}: {e}; choose another address with --addr (e.g. --addr 127.0.0.1:8081)")
    })?;
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let mut demo_token = None;
    let store = if demo {
        if dir.is_initialised() {
            return Err(format!(
                "{} holds a store already; --demo starts a fresh one. Use another --data directory, or serve without --demo",
                dir.root.display()
            ));
        }
        let (pass, generated) = match std::env::var("ATHAR_PASSPHRASE") {
            Ok(p) if !p.is_empty() => (p, false),
            _ => (
                athar_crypto::generate_passphrase().map_err(|e| e.to_string())?,
                true,
            ),
        };
        let store = SqliteStore::create(dir, &pass, "cli").map_err(|e| e.to_string())?;
        // Said before the long part: an interrupted first run leaves a store that can
        // still be opened.
        if generated {
            println!("Demo passphrase (needed to open this store again): {pass}");
        }
        println!("Generating {demo_persons} synthetic demo persons …");
        let summary = run_demo(&store, demo_persons, 1, false).map_err(|e| e.to_string())?;
        let tracing =
            crate::demo::write_tracing_demo(&store, demo_persons, 1).map_err(|e| e.to_string())?;
        println!(
            "Demo store in {} with {} synthetic persons, a recovered death register naming {} of them and {} families' reports of the missing.",
            dir.root.display(),
            summary.persons,
            tracing.0,
            tracing.1
        );
        let password = athar_crypto::generate_passphrase().map_err(|e| e.to_string())?;
        add_user(&store, "demo", Role::Documenter, &password, false, None)?;
        let token = create_token(&store, "demo", "demo", Scope::Write, 30)?;
        println!("Demo account: demo / {password} (documenter)");
        // A case is verified by someone other than its author: a second account to try it.
        let reviewer = athar_crypto::generate_passphrase().map_err(|e| e.to_string())?;
        add_user(
            &store,
            "demo-reviewer",
            Role::Documenter,
            &reviewer,
            false,
            None,
        )?;
        println!(
            "Second demo account, to verify the cases demo submits: demo-reviewer / {reviewer} (documenter)"
        );
        demo_token = Some(token);
        store
    } else {
        open_store(dir)?
    };
    // Handlers run the use cases on blocking threads; the store lends at most a few reader
    // connections, so more threads than this would only wait for one while holding memory.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads(SERVE_BLOCKING_THREADS)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        println!("Athar is serving on http://{local}/");
        println!(
            "Open http://{local}/ in a browser and sign in. / افتح العنوان في المتصفح وسجّل الدخول."
        );
        if let Some(token) = &demo_token {
            println!("Try: curl -H 'Authorization: Bearer {token}' http://{local}/api/persons");
        }
        let mut state = athar_server::AppState::new(Arc::new(store) as Arc<dyn Backend>);
        state.evidence_limit = evidence_limit;
        state.estimate_limit = estimate_limit;
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        athar_server::serve(listener, state, shutdown)
            .await
            .map_err(|e| e.to_string())
    })?;
    Ok(ExitCode::SUCCESS)
}
