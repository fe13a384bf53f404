//! Long work as jobs: an estimate, a linkage run, an import or a report runs on a thread of
//! its own while the one who asked for it polls how far it has come, fetches what it made
//! or cancels it — so no request holds a connection for minutes, and work nobody waits for
//! any more stops.
//!
//! A job belongs to the account that started it, in its organisation: another account
//! (of the same organisation or not) is told there is no such job, exactly as for an id
//! nobody used. The work is handed the account's [`Scope`], so it reads and writes as that
//! organisation and no other. How much may run at once is bounded: one estimate, linkage
//! run or import per organisation at a time (they contend for the same records), at most
//! [`PER_ORGANISATION`] jobs of an organisation, and [`JOB_THREADS`] in all; a finished
//! job's outcome is kept for [`KEEP_FINISHED`] and then forgotten.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use athar_model::OrgId;
use athar_model::progress::Progress;
use serde::Serialize;

use crate::{App, Scope};

/// At most this many jobs run at once on the whole server.
pub const JOB_THREADS: usize = 4;
/// At most this many jobs of one organisation run at once.
pub const PER_ORGANISATION: usize = 2;

/// What kind of work a job is, and whether an organisation may run two of it at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobKind {
    pub name: &'static str,
    /// One at a time per organisation.
    pub alone: bool,
}

pub const ESTIMATE: JobKind = JobKind {
    name: "estimate",
    alone: true,
};
pub const LINKAGE: JobKind = JobKind {
    name: "linkage",
    alone: true,
};
pub const IMPORT: JobKind = JobKind {
    name: "import",
    alone: true,
};
/// Reports, briefs and cases only read: several may be laid out at once.
pub const REPORT: JobKind = JobKind {
    name: "report",
    alone: false,
};
/// A finished job's outcome is kept this long for its owner to fetch.
pub const KEEP_FINISHED: Duration = Duration::from_secs(3600);
/// At most this many finished jobs are kept per organisation (the oldest go first).
const KEEP_PER_ORGANISATION: usize = 32;

/// What finished work hands back: a complete answer, as the adapter would have sent it
/// had the work been quick (a report file, an estimate as JSON, a refusal as a problem).
#[derive(Debug, Clone)]
pub struct JobOutput {
    /// The HTTP status it answers with (2xx for success, 4xx for a refusal).
    pub status: u16,
    pub media_type: String,
    pub bytes: Vec<u8>,
    /// The file name to offer, for files.
    pub file_name: Option<String>,
}

/// Where a job is.
#[derive(Debug, Clone)]
pub enum JobState {
    Running,
    Finished(Arc<JobOutput>),
    /// Stopped when asked; it wrote nothing.
    Cancelled,
}

/// A job as its owner sees it.
#[derive(Debug, Clone, Serialize)]
pub struct JobStatus {
    pub id: String,
    /// `estimate`, `linkage`, `import`, `report`, …
    pub kind: &'static str,
    /// `running`, `finished` or `cancelled`.
    pub state: &'static str,
    /// Units of work done and known so far (sampler passes, pairs, rows).
    pub done: u64,
    pub total: u64,
    /// Seconds since it started.
    pub seconds: f64,
    /// When finished, the status its outcome answers with (a refusal is a finished job).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome_status: Option<u16>,
}

/// Why a job was not started.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobRefused {
    #[error("a {0} of this organisation is already running; ask again when it ends")]
    AlreadyRunning(&'static str),
    #[error("this organisation is running as much long work as it may; ask again when some ends")]
    OrganisationBusy,
    #[error("the server is running as much long work as it can; ask again in a moment")]
    ServerBusy,
}

/// One piece of long work.
pub struct Job {
    id: String,
    org: OrgId,
    author: String,
    kind: &'static str,
    started: Instant,
    progress: Arc<Progress>,
    state: Mutex<(JobState, Option<Instant>)>,
    changed: Condvar,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Job {
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn kind(&self) -> &'static str {
        self.kind
    }

    pub fn state(&self) -> JobState {
        lock(&self.state).0.clone()
    }

    /// Ask the work to stop; it ends as cancelled at its next step (a report or an
    /// already finished job is not affected).
    pub fn cancel(&self) {
        self.progress.cancel();
    }

    /// Wait up to `timeout` for the job to end; its state then.
    pub fn wait(&self, timeout: Duration) -> JobState {
        let deadline = Instant::now() + timeout;
        let mut guard = lock(&self.state);
        while matches!(guard.0, JobState::Running) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            guard = self
                .changed
                .wait_timeout(guard, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        guard.0.clone()
    }

    pub fn status(&self) -> JobStatus {
        let (done, total) = self.progress.snapshot();
        let (state, outcome_status) = match &lock(&self.state).0 {
            JobState::Running => ("running", None),
            JobState::Finished(out) => ("finished", Some(out.status)),
            JobState::Cancelled => ("cancelled", None),
        };
        JobStatus {
            id: self.id.clone(),
            kind: self.kind,
            state,
            done,
            total,
            seconds: self.started.elapsed().as_secs_f64(),
            outcome_status,
        }
    }

    fn finish(&self, state: JobState) {
        *lock(&self.state) = (state, Some(Instant::now()));
        self.changed.notify_all();
    }

    fn finished_at(&self) -> Option<Instant> {
        lock(&self.state).1
    }

    fn is_running(&self) -> bool {
        matches!(lock(&self.state).0, JobState::Running)
    }
}

/// The jobs of the server.
#[derive(Default)]
pub struct Jobs {
    jobs: Mutex<VecDeque<Arc<Job>>>,
}

impl Jobs {
    /// Forget finished jobs older than [`KEEP_FINISHED`], and the oldest beyond
    /// [`KEEP_PER_ORGANISATION`] finished in an organisation.
    fn prune(jobs: &mut VecDeque<Arc<Job>>) {
        jobs.retain(|j| {
            j.finished_at()
                .is_none_or(|at| at.elapsed() < KEEP_FINISHED)
        });
        let mut finished_per_org = std::collections::HashMap::new();
        // Newest first, so the oldest are the ones past the limit.
        let mut drop = Vec::new();
        for (i, j) in jobs.iter().enumerate().rev() {
            if !j.is_running() {
                let n = finished_per_org.entry(j.org).or_insert(0usize);
                *n += 1;
                if *n > KEEP_PER_ORGANISATION {
                    drop.push(i);
                }
            }
        }
        for i in drop {
            jobs.remove(i);
        }
    }

    /// The job `id`, if `author` of `org` started it.
    pub fn find(&self, org: OrgId, author: &str, id: &str) -> Option<Arc<Job>> {
        let mut jobs = lock(&self.jobs);
        Self::prune(&mut jobs);
        jobs.iter()
            .find(|j| {
                j.org == org
                    && j.author == author
                    && athar_crypto::constant_time_eq(j.id.as_bytes(), id.as_bytes())
            })
            .cloned()
    }

    /// The jobs `author` of `org` started that are still known, newest first.
    pub fn of(&self, org: OrgId, author: &str) -> Vec<JobStatus> {
        let mut jobs = lock(&self.jobs);
        Self::prune(&mut jobs);
        jobs.iter()
            .rev()
            .filter(|j| j.org == org && j.author == author)
            .map(|j| j.status())
            .collect()
    }

    /// How many jobs are running now.
    pub fn running(&self) -> usize {
        lock(&self.jobs).iter().filter(|j| j.is_running()).count()
    }

    fn admit(&self, org: OrgId, author: &str, kind: JobKind) -> Result<Arc<Job>, JobRefused> {
        let mut jobs = lock(&self.jobs);
        Self::prune(&mut jobs);
        let running: Vec<&Arc<Job>> = jobs.iter().filter(|j| j.is_running()).collect();
        if kind.alone && running.iter().any(|j| j.org == org && j.kind == kind.name) {
            return Err(JobRefused::AlreadyRunning(kind.name));
        }
        if running.iter().filter(|j| j.org == org).count() >= PER_ORGANISATION {
            return Err(JobRefused::OrganisationBusy);
        }
        if running.len() >= JOB_THREADS {
            return Err(JobRefused::ServerBusy);
        }
        let mut id = [0u8; 16];
        athar_crypto::fill_random(&mut id).map_err(|_| JobRefused::ServerBusy)?;
        let job = Arc::new(Job {
            id: athar_crypto::to_hex(&id),
            org,
            author: author.to_string(),
            kind: kind.name,
            started: Instant::now(),
            progress: Arc::new(Progress::new()),
            state: Mutex::new((JobState::Running, None)),
            changed: Condvar::new(),
        });
        jobs.push_back(job.clone());
        Ok(job)
    }
}

/// Ends the job as cancelled if its work panicked or left without an outcome.
struct Settle(Arc<Job>);

impl Drop for Settle {
    fn drop(&mut self) {
        if self.0.is_running() {
            self.0.finish(JobState::Cancelled);
        }
    }
}

/// The work of a job: the account's scope and the job's progress in, the outcome out
/// (`None`: it stopped because it was cancelled).
pub type Work = Box<dyn FnOnce(&Scope<'_>, &Progress) -> Option<JobOutput> + Send + 'static>;

impl App {
    /// Start `work` as a job of `kind` for `author` of `org`, on a thread of its own.
    pub fn start_job(
        self: &Arc<Self>,
        org: OrgId,
        author: &str,
        kind: JobKind,
        work: Work,
    ) -> Result<Arc<Job>, JobRefused> {
        let job = self.jobs.admit(org, author, kind)?;
        let app = self.clone();
        let running = job.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("athar-{}", kind.name))
            .spawn(move || {
                let settle = Settle(running.clone());
                let scope = app.scope(running.org, &running.author);
                let outcome = work(&scope, &running.progress);
                running.finish(match outcome {
                    Some(out) => JobState::Finished(Arc::new(out)),
                    None => JobState::Cancelled,
                });
                drop(settle);
            });
        if spawned.is_err() {
            job.finish(JobState::Cancelled);
            return Err(JobRefused::ServerBusy);
        }
        Ok(job)
    }

    /// The jobs of the server (to find one's own, list or cancel them).
    pub fn jobs(&self) -> &Jobs {
        &self.jobs
    }
}
