//! `athar link`: find the records of one or more CSV files that describe the same person,
//! and write each record's cluster. For analysts working on files, and for comparing Athar
//! with other linkage tools on the same data.
//!
//! Bad input is refused before anything is written, naming the file, line and column:
//! a missing column, a record without an id, an id given twice in one file. A value that
//! cannot be read (a date that is not one) is left out of the comparison and reported by
//! file, line and field — never by its content.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use athar_link::{
    Dataset, DatasetBuilder, Field, InputRecord, LinkMode, ModelFile, Progress, Settings,
    link as run_link,
};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(clap::Args)]
pub struct LinkArgs {
    /// A list to link: a CSV file with a header row. Repeat for several lists.
    /// قائمة للربط: ملف CSV بسطر ترويسة. كرّره لعدة قوائم.
    #[arg(long = "csv", required = true, num_args = 1)]
    files: Vec<PathBuf>,
    /// The column holding each record's id (unique within its file).
    /// العمود الذي يحمل معرّف كل سجل (فريد داخل ملفه).
    #[arg(long)]
    id: String,
    /// COLUMN=FIELD: what a column holds. FIELD is one of full_name, given_name, father_name,
    /// grandfather_name, family_name, mother_name, birth_date, birth_year, birthplace,
    /// residence, sex, email, phone, identifier, address, postcode. Repeat for each column.
    /// COLUMN=FIELD: ما يحمله عمود ما، وFIELD أحد الحقول المذكورة.
    #[arg(long = "map", required = true, num_args = 1)]
    map: Vec<String>,
    /// A pair at or above this match probability is a link.
    /// الزوج الذي يبلغ احتمال تطابقه هذا الحد أو يتجاوزه يُعدّ رابطاً.
    #[arg(long, default_value_t = 0.9)]
    threshold: f64,
    /// Where to write each record's cluster (CSV: file, id, cluster, cluster_size).
    /// أين تُكتب مجموعة كل سجل (CSV: الملف، المعرّف، المجموعة، حجمها).
    #[arg(long)]
    out: PathBuf,
    /// Also write every pair scored above 0.01, strongest first, whatever the threshold,
    /// with each comparison's level and weight (to choose a threshold without running
    /// again).
    /// كتابة كل زوج يتجاوز احتماله 0.01 أيضاً، الأقوى أولاً، مهما كان الحد، مع مستوى كل مقارنة ووزنها.
    #[arg(long)]
    pairs: Option<PathBuf>,
    /// Also write the trained model (each level's m, u and weight) as JSON.
    /// كتابة النموذج المدرَّب أيضاً (m وu والوزن لكل مستوى) بصيغة JSON.
    #[arg(long)]
    model: Option<PathBuf>,
    /// With several files: also find duplicates within each file. Without it, several files
    /// are linked across only.
    /// مع عدة ملفات: البحث أيضاً عن التكرارات داخل كل ملف. ودونه تُربط الملفات فيما بينها فقط.
    #[arg(long, conflicts_with = "link_only")]
    dedupe: bool,
    /// With several files: match each record with at most one record of each other file —
    /// the assignment with the greatest total evidence (a report against a register).
    /// مع عدة ملفات: مطابقة كل سجل بسجل واحد على الأكثر من كل ملف آخر، وفق التعيين الأقوى دليلاً في مجموعه (بلاغ مقابل سجل).
    #[arg(long, conflicts_with = "dedupe")]
    one_to_one: bool,
    /// Link records of different files only: what several files get by default (kept for
    /// scripts that say so).
    /// ربط سجلات الملفات المختلفة فقط: وهو ما تحصل عليه عدة ملفات افتراضياً.
    #[arg(long)]
    link_only: bool,
    /// Seed of the random pairs that u is learnt from (the same seed, the same result).
    /// بذرة الأزواج العشوائية التي يُتعلَّم منها u (البذرة نفسها، النتيجة نفسها).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Print a summary as JSON: records, comparisons, clusters, timings.
    /// طباعة ملخص بصيغة JSON: السجلات والمقارنات والمجموعات والأزمنة.
    #[arg(long)]
    json: bool,
}

/// The lowest probability a pair must have to be written to `--pairs`.
const PAIRS_FLOOR: f64 = 0.01;

pub fn run(args: LinkArgs) -> Result<ExitCode, String> {
    if !(args.threshold > 0.0 && args.threshold < 1.0) {
        return Err(format!(
            "--threshold {}: give a probability between 0 and 1 (exclusive)",
            args.threshold
        ));
    }
    if args.files.len() > u16::MAX as usize {
        return Err("too many --csv files".into());
    }
    let mapping = parse_map(&args.map)?;
    let started = Instant::now();
    let gazetteer = &athar_model::Vocabularies::embedded().gazetteer;
    // One thread reads the files while another prepares what was read: the two take about
    // as long as each other. Chunks of records go to the preparer and come back to be
    // filled again, so a million rows do not make millions of strings.
    let mut records: Vec<ListRecord> = Vec::new();
    let mut found = vec![false; mapping.len()];
    let data = std::thread::scope(|scope| -> Result<Dataset, String> {
        let (to_prepare, chunks) = std::sync::mpsc::sync_channel::<Vec<InputRecord>>(4);
        let (give_back, spare) = std::sync::mpsc::channel::<Vec<InputRecord>>();
        let preparer = scope.spawn(move || {
            let mut builder = DatasetBuilder::new(Some(gazetteer));
            for chunk in chunks {
                for input in &chunk {
                    builder.push(input);
                }
                // The reader may have stopped at an error; nothing then waits for buffers.
                let _ = give_back.send(chunk);
            }
            builder.finish()
        });
        let mut into = Lists {
            records: &mut records,
            found: &mut found,
            to_prepare,
            spare,
            chunk: Vec::new(),
            filled: 0,
        };
        let read = args
            .files
            .iter()
            .enumerate()
            .try_for_each(|(list, path)| {
                read_list(path, list as u16, &args.id, &mapping, &mut into)
            })
            .and_then(|()| into.flush());
        drop(into);
        let data = preparer
            .join()
            .map_err(|_| "preparing the records failed".to_string())?;
        read.map(|()| data)
    })?;
    if let Some(i) = found.iter().position(|f| !f) {
        let files: Vec<String> = args.files.iter().map(|f| f.display().to_string()).collect();
        return Err(format!(
            "--map {}: no column `{}` in the header row of {}",
            args.map[i],
            mapping[i].0,
            files.join(" or ")
        ));
    }
    let prepare_ms = started.elapsed().as_secs_f64() * 1e3;
    for p in data.problems.iter().take(20) {
        eprintln!(
            "warning: {}:{}: {} not read ({}); compared as missing",
            args.files[records[p.record].list as usize].display(),
            records[p.record].line,
            p.field,
            p.problem
        );
    }
    if data.problems.len() > 20 {
        eprintln!("warning: {} more values not read", data.problems.len() - 20);
    }
    let mode = if args.files.len() < 2 {
        if args.link_only || args.one_to_one {
            let flag = if args.link_only {
                "--link-only"
            } else {
                "--one-to-one"
            };
            return Err(format!("{flag} needs two or more --csv files"));
        }
        LinkMode::LinkAndDedupe
    } else if args.dedupe {
        LinkMode::LinkAndDedupe
    } else {
        LinkMode::LinkOnly
    };
    let mut settings = Settings::for_records(&data.records, mode);
    settings.threshold = args.threshold;
    // The pairs file holds every pair a threshold might be chosen among.
    settings.keep_above = if args.pairs.is_some() {
        PAIRS_FLOOR.min(args.threshold)
    } else {
        args.threshold
    };
    settings.seed = args.seed;
    settings.one_to_one = args.one_to_one;
    let progress = TerminalProgress::new();
    let outcome =
        run_link(&data, &settings, &[], &progress, prepare_ms).map_err(|e| e.to_string())?;
    progress.finish();

    // Clusters numbered in order of first appearance: P1, P2 … A cluster is named by one of
    // its records' indices, so plain arrays count them.
    let n = outcome.clusters.of.len();
    let mut number = vec![0usize; n];
    let mut size = vec![0usize; n];
    let mut clusters = 0;
    for &c in &outcome.clusters.of {
        if size[c as usize] == 0 {
            clusters += 1;
            number[c as usize] = clusters;
        }
        size[c as usize] += 1;
    }
    let files: Vec<String> = args.files.iter().map(|f| f.display().to_string()).collect();
    let file_of = |record: usize| files[records[record].list as usize].clone();
    write_csv(&args.out, |w| {
        w.write_record(["file", "id", "cluster", "cluster_size"])?;
        let mut cluster = String::new();
        for (i, input) in records.iter().enumerate() {
            let c = outcome.clusters.of[i] as usize;
            cluster.clear();
            cluster.push('P');
            cluster.push_str(&number[c].to_string());
            w.write_record([
                files[input.list as usize].as_str(),
                &input.id,
                &cluster,
                &size[c].to_string(),
            ])?;
        }
        Ok(())
    })?;
    if let Some(path) = &args.pairs {
        let scorer = athar_link::Scorer::new(&data, &settings.comparisons, &outcome.parameters);
        let refused: HashMap<(u32, u32), (u32, u32, f64)> = outcome
            .clusters
            .refused
            .iter()
            .map(|r| {
                let (x, y) = r.conflict;
                ((r.link.a, r.link.b), (x, y, r.conflict_probability))
            })
            .collect();
        let set_aside: std::collections::HashSet<(u32, u32)> =
            outcome.set_aside.iter().map(|l| (l.a, l.b)).collect();
        let held: HashMap<(u32, u32), athar_link::Hold> = outcome
            .held
            .iter()
            .map(|(l, why)| ((l.a, l.b), *why))
            .collect();
        write_csv(path, |w| {
            let mut header: Vec<String> = [
                "file_a",
                "id_a",
                "file_b",
                "id_b",
                "probability",
                "weight",
                "decision",
            ]
            .into_iter()
            .map(String::from)
            .collect();
            for c in &settings.comparisons {
                header.push(c.name());
                header.push(format!("{}_weight", c.name()));
            }
            w.write_record(&header)?;
            for l in &outcome.links {
                let why = scorer.explain(l.a, l.b);
                let decision = match refused.get(&(l.a, l.b)) {
                    Some((x, y, p)) => {
                        let (x, y) = (*x as usize, *y as usize);
                        if records[x].list == records[y].list && *p >= settings.conflict_below {
                            format!(
                                "refused: {} and {}, of one file, do not match each other",
                                records[x].id, records[y].id
                            )
                        } else {
                            format!("refused: {} and {} differ", records[x].id, records[y].id)
                        }
                    }
                    None if set_aside.contains(&(l.a, l.b)) => "set aside: one-to-one".into(),
                    None if held.contains_key(&(l.a, l.b)) => match held[&(l.a, l.b)] {
                        athar_link::Hold::SiblingPattern => {
                            "held: brothers or sisters? (same father and family, another given name)"
                                .into()
                        }
                        athar_link::Hold::DifferentSex => "held: the sexes differ".into(),
                    },
                    None if outcome.clusters.of[l.a as usize]
                        == outcome.clusters.of[l.b as usize] =>
                    {
                        "same person".into()
                    }
                    None => "below threshold".into(),
                };
                let mut row = vec![
                    file_of(l.a as usize),
                    records[l.a as usize].id.to_string(),
                    file_of(l.b as usize),
                    records[l.b as usize].id.to_string(),
                    format!("{:.6}", l.probability),
                    format!("{:.3}", why.weight),
                    decision,
                ];
                for t in &why.terms {
                    row.push(t.level.to_string());
                    row.push(format!("{:.3}", t.weight + t.frequency_adjustment));
                }
                w.write_record(&row)?;
            }
            Ok(())
        })?;
    }
    if let Some(path) = &args.model {
        let model = ModelFile::new(&settings, &outcome.parameters);
        let text = serde_json::to_string_pretty(&model).map_err(|e| e.to_string())?;
        write_atomically(path, text.as_bytes())?;
    }
    let s = &outcome.summary;
    if args.json {
        let mut value = serde_json::to_value(s).map_err(|e| e.to_string())?;
        if let Some(obj) = value.as_object_mut() {
            obj.insert("threshold".into(), args.threshold.into());
            obj.insert("out".into(), args.out.display().to_string().into());
        }
        println!(
            "{}",
            serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?
        );
    } else {
        println!(
            "{} records from {} file(s); {} pairs compared ({:.0} per second)",
            s.records,
            args.files.len(),
            s.comparisons,
            s.comparisons_per_second
        );
        println!(
            "{} persons: {} records share a person with another, the largest has {}",
            s.clusters, s.records_in_clusters_of_two_or_more, s.largest_cluster
        );
        if s.refused_joins > 0 {
            println!(
                "{} links above the threshold were not followed: a record across them differs (see --pairs)",
                s.refused_joins
            );
        }
        println!(
            "wrote {} in {:.1} s",
            args.out.display(),
            s.timings.total_ms / 1e3
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_map(map: &[String]) -> Result<Vec<(String, Field)>, String> {
    let mut out: Vec<(String, Field)> = Vec::new();
    for m in map {
        let Some((column, field)) = m.split_once('=') else {
            return Err(format!(
                "--map {m}: write COLUMN=FIELD, e.g. --map name=full_name"
            ));
        };
        let field: Field = field
            .trim()
            .parse()
            .map_err(|e| format!("--map {m}: {e}"))?;
        let column = column.trim().to_string();
        if out.iter().any(|(c, _)| *c == column) {
            return Err(format!("--map {m}: column `{column}` is mapped twice"));
        }
        out.push((column, field));
    }
    Ok(out)
}

/// A record as the output names it: its file (list), id and line.
struct ListRecord {
    list: u16,
    id: Box<str>,
    line: u64,
}

/// Records read at a time before they go to the preparer.
const CHUNK: usize = 4096;

/// What reading the lists accumulates (each record's file, id and line, and which mapped
/// columns some file had) and where the records go to be prepared.
struct Lists<'a> {
    records: &'a mut Vec<ListRecord>,
    found: &'a mut [bool],
    to_prepare: std::sync::mpsc::SyncSender<Vec<InputRecord>>,
    spare: std::sync::mpsc::Receiver<Vec<InputRecord>>,
    /// Records being filled (buffers of an earlier chunk, reused), and how many of them
    /// hold the current chunk.
    chunk: Vec<InputRecord>,
    filled: usize,
}

impl Lists<'_> {
    /// The next record of the chunk to fill in, its old values' buffers kept for reuse.
    fn next_input(&mut self) -> Result<&mut InputRecord, String> {
        if self.filled == CHUNK {
            self.flush()?;
        }
        if self.filled == self.chunk.len() {
            self.chunk.push(InputRecord {
                list: 0,
                id: String::new(),
                values: Vec::new(),
            });
        }
        self.filled += 1;
        Ok(&mut self.chunk[self.filled - 1])
    }

    /// Send the records read so far to the preparer.
    fn flush(&mut self) -> Result<(), String> {
        if self.filled == 0 {
            return Ok(());
        }
        let mut chunk = self.spare.try_recv().unwrap_or_default();
        std::mem::swap(&mut chunk, &mut self.chunk);
        chunk.truncate(self.filled);
        self.filled = 0;
        self.to_prepare
            .send(chunk)
            .map_err(|_| "preparing the records failed".to_string())
    }
}

fn read_list(
    path: &Path,
    list: u16,
    id_column: &str,
    mapping: &[(String, Field)],
    into: &mut Lists<'_>,
) -> Result<(), String> {
    let name = path.display();
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open {name}: {e}"))?;
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(file);
    let headers = reader
        .headers()
        .map_err(|e| format!("{name}: cannot read the header row: {e}"))?
        .clone();
    let column = |c: &str| {
        headers
            .iter()
            .position(|h| h.trim() == c)
            .ok_or_else(|| format!("{name}: no column `{c}` in the header row"))
    };
    let id = column(id_column)?;
    // Lists differ in their columns: a mapped column a file lacks is skipped for that file
    // (the caller refuses a column no file has).
    let mut columns = Vec::with_capacity(mapping.len());
    for (i, (c, f)) in mapping.iter().enumerate() {
        if let Ok(position) = column(c) {
            columns.push((position, *f));
            into.found[i] = true;
        }
    }
    let mut seen: rustc_hash::FxHashMap<Box<str>, u64> = Default::default();
    let mut row = csv::StringRecord::new();
    while reader
        .read_record(&mut row)
        .map_err(|e| format!("{name}: {e}"))?
    {
        let line = row.position().map_or(0, |p| p.line());
        let record_id: Box<str> = row.get(id).unwrap_or("").trim().into();
        if record_id.is_empty() {
            return Err(format!(
                "{name}:{line}: column `{id_column}`: the id is empty"
            ));
        }
        if let Some(first) = seen.insert(record_id.clone(), line) {
            return Err(format!(
                "{name}:{line}: column `{id_column}`: the id is also on line {first}; ids must be unique within a file"
            ));
        }
        let input = into.next_input()?;
        input.list = list;
        // Empty cells are missing values: not carried.
        let mut filled = 0;
        for &(c, f) in &columns {
            let v = row.get(c).unwrap_or("");
            if v.trim().is_empty() {
                continue;
            }
            match input.values.get_mut(filled) {
                Some(slot) => {
                    slot.0 = f;
                    slot.1.clear();
                    slot.1.push_str(v);
                }
                None => input.values.push((f, v.to_string())),
            }
            filled += 1;
        }
        input.values.truncate(filled);
        into.records.push(ListRecord {
            list,
            id: record_id,
            line,
        });
    }
    Ok(())
}

/// Write a CSV to a temporary file beside `path` and rename it: a failed run leaves no
/// half-written output.
fn write_csv(
    path: &Path,
    fill: impl FnOnce(&mut csv::Writer<Vec<u8>>) -> Result<(), csv::Error>,
) -> Result<(), String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    fill(&mut w).map_err(|e| format!("{}: {e}", path.display()))?;
    let bytes = w
        .into_inner()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    write_atomically(path, &bytes)
}

pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    tmp.write_all(bytes)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(())
}

/// A progress bar on the terminal; nothing when stderr is not one.
pub(crate) struct TerminalProgress {
    bar: Option<ProgressBar>,
}

impl TerminalProgress {
    pub(crate) fn new() -> Self {
        TerminalProgress {
            bar: std::io::stderr().is_terminal().then(ProgressBar::hidden),
        }
    }
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Progress for TerminalProgress {
    fn stage(&self, name: &str, total: u64) {
        let Some(bar) = &self.bar else { return };
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        bar.reset();
        bar.set_length(total);
        let template = if total > 0 {
            format!("{name}: {{bar:40}} {{human_pos}}/{{human_len}} pairs ({{rate}}, {{eta}} left)")
        } else {
            format!("{name} … {{elapsed}}")
        };
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style.with_key("rate", crate::rate));
        }
    }
    fn advance(&self, done: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(done);
        }
    }
}
