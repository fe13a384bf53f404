//! `athar report` as a user runs it, and its outputs opened with the tools a reader has:
//! the PDF's text extracted by pdftotext and its pages rendered by pdftoppm; the HTML
//! page loaded in headless Chromium and printed. Under CI=true a missing tool fails the
//! test; elsewhere the test says what it skipped.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::athar;

fn ok(out: std::process::Output) -> std::process::Output {
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A program on the PATH, or None after saying why the test skips (a failure under CI).
fn tool(name: &str, package: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|path| path.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{name} is missing: install Debian's {package} (.ci/run does)"
        );
        eprintln!("SKIPPED: {name} is not installed (Debian package {package})");
    }
    found
}

/// Arabic as pdftotext returns it can be compared with what was written: poppler writes
/// the two letters of a lam–alef ligature (لا، لأ، لى) in reverse order, and keeps diacritics
/// and bidi marks, and places spaces around numbers its own way. So both sides drop lams,
/// alefs and alef maqsuras, diacritics, marks and spaces; the rest of every phrase must
/// still be there, in order. (Words with a shadda are avoided: poppler doubles the letter.)
fn folded(text: &str) -> String {
    let kept: String = text
        .chars()
        .filter(|c| {
            !matches!(c, 'ل' | 'ا' | 'أ' | 'إ' | 'آ' | 'ى' | '\u{064B}'..='\u{0652}' | '\u{0640}')
                && !matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        })
        .collect();
    kept.split_whitespace().collect()
}

fn pdf_text(pdftotext: &Path, pdf: &Path) -> String {
    let out = Command::new(pdftotext)
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("pdftotext: {e}"));
    assert!(
        out.status.success(),
        "pdftotext could not read {}",
        pdf.display()
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// A page rendered to pixels: width, height and RGB bytes.
struct Page {
    width: usize,
    height: usize,
    rgb: Vec<u8>,
}

impl Page {
    /// Renders one page with pdftoppm at 60 dpi as a binary PPM, and reads it.
    fn render(pdftoppm: &Path, pdf: &Path, page: usize) -> Page {
        let stem = pdf.with_extension(format!("page{page}"));
        let status = Command::new(pdftoppm)
            .args([
                "-r",
                "60",
                "-f",
                &page.to_string(),
                "-l",
                &page.to_string(),
                "-singlefile",
            ])
            .arg(pdf)
            .arg(&stem)
            .status()
            .unwrap_or_else(|e| panic!("pdftoppm: {e}"));
        assert!(
            status.success(),
            "pdftoppm could not render {}",
            pdf.display()
        );
        let bytes = std::fs::read(stem.with_extension(format!("page{page}.ppm")))
            .unwrap_or_else(|e| panic!("the rendered page: {e}"));
        // "P6\n<width> <height>\n255\n" then the pixels.
        let mut fields = Vec::new();
        let mut at = 0;
        while fields.len() < 4 {
            while bytes[at].is_ascii_whitespace() {
                at += 1;
            }
            let start = at;
            while !bytes[at].is_ascii_whitespace() {
                at += 1;
            }
            fields.push(String::from_utf8_lossy(&bytes[start..at]).to_string());
        }
        assert_eq!(fields[0], "P6");
        let width: usize = fields[1].parse().unwrap_or(0);
        let height: usize = fields[2].parse().unwrap_or(0);
        let rgb = bytes[at + 1..].to_vec();
        assert_eq!(rgb.len(), width * height * 3);
        Page { width, height, rgb }
    }

    fn pixel(&self, x: usize, y: usize) -> (u8, u8, u8) {
        let i = (y * self.width + x) * 3;
        (self.rgb[i], self.rgb[i + 1], self.rgb[i + 2])
    }

    /// Dark pixels (text, bars) in a box given in fractions of the page.
    fn ink(&self, left: f64, top: f64, right: f64, bottom: f64) -> usize {
        let (x0, x1) = (
            (left * self.width as f64) as usize,
            (right * self.width as f64) as usize,
        );
        let (y0, y1) = (
            (top * self.height as f64) as usize,
            (bottom * self.height as f64) as usize,
        );
        let mut n = 0;
        for y in y0..y1 {
            for x in x0..x1 {
                let (r, g, b) = self.pixel(x, y);
                if (r as u32 + g as u32 + b as u32) < 300 {
                    n += 1;
                }
            }
        }
        n
    }

    /// Of the pixel rows in the top `depth` of the page holding a short run of ink (less
    /// than 60 % of the width: a ragged line of text), how many start at the left edge of the
    /// text and how many end at its right edge. Left-to-right pages are ragged on the right,
    /// right-to-left pages on the left.
    fn ragged_rows(&self, depth: f64) -> (usize, usize) {
        let (mut flush_left, mut flush_right) = (0, 0);
        for y in 0..(depth * self.height as f64) as usize {
            let dark: Vec<usize> = (0..self.width)
                .filter(|x| {
                    let (r, g, b) = self.pixel(*x, y);
                    (r as u32 + g as u32 + b as u32) < 300
                })
                .collect();
            let (Some(first), Some(last)) = (dark.first(), dark.last()) else {
                continue;
            };
            if (last - first) as f64 > 0.6 * self.width as f64 {
                continue;
            }
            if (*first as f64) < 0.15 * self.width as f64 {
                flush_left += 1;
            }
            if (*last as f64) > 0.85 * self.width as f64 {
                flush_right += 1;
            }
        }
        (flush_left, flush_right)
    }

    /// Pixels of about this colour anywhere on the page.
    fn count_colour(&self, colour: (u8, u8, u8)) -> usize {
        (0..self.height)
            .flat_map(|y| (0..self.width).map(move |x| (x, y)))
            .filter(|(x, y)| {
                let (r, g, b) = self.pixel(*x, *y);
                r.abs_diff(colour.0) < 12 && g.abs_diff(colour.1) < 12 && b.abs_diff(colour.2) < 12
            })
            .count()
    }
}

fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A page printed by headless Chromium, as a reader would see it.
fn print_to_pdf(chromium: &Path, page: &Path, pdf: &Path) {
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            &format!("--print-to-pdf={}", pdf.display()),
            &format!("file://{}", page.display()),
        ])
        .output()
        .unwrap_or_else(|e| panic!("chromium: {e}"));
    assert!(
        pdf.is_file(),
        "Chromium printed nothing: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A demo store and its figures for 2023–2024 as `athar stats --json` gives them.
fn demo_store(dir: &Path) -> (PathBuf, serde_json::Value) {
    let data = dir.join("store");
    ok(athar(&data, &["init"]));
    ok(athar(&data, &["demo", "--persons", "600", "--seed", "5"]));
    let stats = ok(athar(
        &data,
        &["stats", "--from", "2023-01", "--to", "2024-12", "--json"],
    ));
    let stats: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap_or_default();
    assert!(stats["arrests"].as_u64().unwrap_or(0) > 10, "{stats}");
    (data, stats)
}

fn report(data: &Path, lang: &str, format: &str, out: &Path) {
    ok(athar(
        data,
        &[
            "report",
            "--from",
            "2023-01",
            "--to",
            "2024-12",
            "--lang",
            lang,
            "--format",
            format,
            "--out",
            &out.display().to_string(),
        ],
    ));
}

#[test]
fn pdf_reports_read_in_arabic_and_english_with_the_stores_figures() {
    let (Some(pdftotext), Some(pdftoppm)) = (
        tool("pdftotext", "poppler-utils"),
        tool("pdftoppm", "poppler-utils"),
    ) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (data, stats) = demo_store(tmp.path());
    let arrests = grouped(stats["arrests"].as_u64().unwrap_or(0));
    let persons = grouped(stats["person_records"].as_u64().unwrap_or(0));

    // The records behind the headline figure, as the report's method says to list them.
    let behind = ok(athar(
        &data,
        &[
            "stats", "--behind", "arrests", "--from", "2023-01", "--to", "2024-12", "--json",
        ],
    ));
    let behind: serde_json::Value = serde_json::from_slice(&behind.stdout).unwrap_or_default();
    assert_eq!(behind["count"], stats["arrests"], "{behind}");
    assert!(!behind["events"].as_array().is_none_or(|e| e.is_empty()));
    let unknown = athar(&data, &["stats", "--behind", "happiness"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("--behind"));

    let ar = tmp.path().join("report-ar.pdf");
    report(&data, "ar", "pdf", &ar);
    let text = folded(&pdf_text(&pdftotext, &ar));
    for expected in [
        "سوريا",
        "الاعتقال",
        "أبرز الأرقام",
        "حالات الاعتقال عبر الزمن",
        "الانتهاكات حسب المحافظة",
        "العائدون",
        "المنهجية والتعاريف",
        "بيانات تجريبية",
        "athar stats --by kind --from 2023-01 --to 2024-12 --ids",
        "Natural Earth",
        &arrests,
        &persons,
    ] {
        assert!(
            text.contains(&folded(expected)),
            "the Arabic PDF lacks {expected:?}:\n{text}"
        );
    }
    // No English words of the report leak into the Arabic one.
    assert!(!text.contains("Key figures") && !text.contains("Arrests over time"));

    let en = tmp.path().join("report-en.pdf");
    report(&data, "en", "pdf", &en);
    let text = pdf_text(&pdftotext, &en);
    for expected in [
        "Detention, enforced disappearance and death in custody in Syria",
        "Key figures",
        "Arrests over time",
        "Violations by governorate",
        "Returnees and what became of them",
        "Demonstration data",
        &format!("document {arrests} arrests"),
    ] {
        assert!(
            text.contains(expected),
            "the English PDF lacks {expected:?}:\n{text}"
        );
    }

    // Pages render, and the Arabic page is laid out from the right: its title band has
    // most of its ink on the right half, the English one on the left half.
    let page_ar = Page::render(&pdftoppm, &ar, 1);
    let page_en = Page::render(&pdftoppm, &en, 1);
    for page in [&page_ar, &page_en] {
        let ink = page.ink(0.0, 0.0, 1.0, 1.0);
        assert!(
            ink > page.width * page.height / 50,
            "page 1 is nearly blank ({ink} dark pixels)"
        );
        // The bars of the chart are drawn in the report's red.
        assert!(
            page.count_colour((0x8c, 0x2d, 0x19)) > 200,
            "no chart on page 1"
        );
    }
    // The opening lines (title, period, date) are ragged on the side the text ends.
    let (ar_left, ar_right) = page_ar.ragged_rows(0.12);
    let (en_left, en_right) = page_en.ragged_rows(0.12);
    assert!(
        ar_right > 5 && ar_right > 3 * ar_left,
        "the Arabic lines are not set from the right: {ar_left} | {ar_right}"
    );
    assert!(
        en_left > 5 && en_left > 3 * en_right,
        "the English lines are not set from the left: {en_left} | {en_right}"
    );

    // The fonts travel with the file.
    if let Some(pdffonts) = tool("pdffonts", "poppler-utils") {
        let out = Command::new(pdffonts)
            .arg(&ar)
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let fonts = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(fonts.contains("NotoSansAthar"), "{fonts}");
        for line in fonts.lines().skip(2) {
            assert!(line.contains(" yes "), "a font is not embedded: {line}");
        }
    }
}

#[test]
fn the_html_report_renders_in_chromium_right_to_left_under_its_content_policy() {
    let (Some(chromium), Some(pdftotext), Some(pdftoppm)) = (
        tool("chromium", "chromium"),
        tool("pdftotext", "poppler-utils"),
        tool("pdftoppm", "poppler-utils"),
    ) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (data, stats) = demo_store(tmp.path());
    let html = tmp.path().join("report.html");
    report(&data, "ar", "html", &html);
    let page = std::fs::read_to_string(&html).unwrap_or_default();
    assert!(page.contains("<html lang=\"ar\" dir=\"rtl\">"));
    assert!(!page.contains("<script"), "a report runs no script");
    assert!(page.contains("Content-Security-Policy") && page.contains("default-src 'none'"));

    // Chromium prints the page as a reader would see it.
    let printed = tmp.path().join("printed.pdf");
    print_to_pdf(&chromium, &html, &printed);
    let text = folded(&pdf_text(&pdftotext, &printed));
    let arrests = grouped(stats["arrests"].as_u64().unwrap_or(0));
    for expected in ["أبرز الأرقام", "حالات الاعتقال عبر الزمن", "حلب", &arrests]
    {
        assert!(
            text.contains(&folded(expected)),
            "Chromium's page lacks {expected:?}:\n{text}"
        );
    }
    let first = Page::render(&pdftoppm, &printed, 1);
    // The style sheet applied (the content policy names its hash): the demo notice's
    // yellow box is there.
    assert!(
        first.count_colour((0xff, 0xf3, 0xcd)) > 500,
        "the style sheet was blocked or not applied"
    );
    let (left, right) = first.ragged_rows(0.12);
    assert!(
        right > 5 && right > 3 * left,
        "the Arabic page is not laid out from the right: {left} | {right}"
    );
}

#[test]
fn a_bad_request_writes_no_report_and_names_the_option() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = tmp.path().join("store");
    ok(athar(&data, &["init"]));
    let out_file = tmp.path().join("kept.html");
    std::fs::write(&out_file, "an earlier report").unwrap_or_else(|e| panic!("{e}"));
    for (args, named) in [
        (vec!["--from", "2024-13"], "--from"),
        (vec!["--to", "31/02/2024"], "--to"),
        (
            vec!["--estimate-lists", "not-a-source,x"],
            "--estimate-lists",
        ),
        (vec!["--estimate-method", "chapman"], "--estimate-lists"),
    ] {
        let mut all = vec!["report", "--out", out_file.to_str().unwrap_or_default()];
        all.extend(args.iter().copied());
        let out = athar(&data, &all);
        assert!(!out.status.success(), "{args:?} was accepted");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(named), "{args:?}: {stderr}");
        assert_eq!(
            std::fs::read_to_string(&out_file).unwrap_or_default(),
            "an earlier report",
            "{args:?} touched the output"
        );
    }
    let out = athar(
        &data,
        &[
            "brief",
            "--region",
            "Atlantis",
            "--out",
            out_file.to_str().unwrap_or_default(),
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--region"));
    assert_eq!(
        std::fs::read_to_string(&out_file).unwrap_or_default(),
        "an earlier report"
    );
    // A format the file's name denies is refused, naming both; without --format the
    // name decides, and a name that says nothing gets a PDF, as briefs and cases do.
    let out = athar(
        &data,
        &[
            "report",
            "--format",
            "json",
            "--out",
            out_file.to_str().unwrap_or_default(),
        ],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--format json") && stderr.contains("html"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&out_file).unwrap_or_default(),
        "an earlier report"
    );
    for (name, starts) in [
        ("by-name.pdf", &b"%PDF"[..]),
        ("no-extension", &b"%PDF"[..]),
    ] {
        let path = tmp.path().join(name);
        ok(athar(
            &data,
            &["report", "--out", path.to_str().unwrap_or_default()],
        ));
        let bytes = std::fs::read(&path).unwrap_or_default();
        assert!(bytes.starts_with(starts), "{name} is not a PDF");
    }
    // An empty store still gives a whole report, with zeros.
    let json_file = tmp.path().join("empty.json");
    ok(athar(
        &data,
        &["report", "--out", json_file.to_str().unwrap_or_default()],
    ));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json_file).unwrap_or_default()).unwrap_or_default();
    assert_eq!(report["summary"]["arrests"], 0);
    assert_eq!(report["synthetic"], serde_json::Value::Null);
    // The report is in the audit chain with the hash of what was written.
    let head = ok(athar(&data, &["audit", "head", "--json"]));
    let head = String::from_utf8_lossy(&head.stdout);
    assert!(
        head.contains("\"report\"") && head.contains("sha256:"),
        "{head}"
    );
}

#[test]
fn a_safety_brief_lists_the_incidents_against_returnees_in_a_region() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (data, _) = demo_store(tmp.path());
    let json_file = tmp.path().join("brief.json");
    let brief_args = |lang: &str, format: &str, out: &Path| -> Vec<String> {
        [
            "brief", "--region", "حمص", "--from", "2023", "--to", "2024", "--lang", lang,
            "--format", format, "--out",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([out.display().to_string()])
        .collect()
    };
    let args = brief_args("en", "json", &json_file);
    ok(athar(
        &data,
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    ));
    let brief: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json_file).unwrap_or_default()).unwrap_or_default();
    let incidents = brief["incidents"].as_array().cloned().unwrap_or_default();
    assert_eq!(brief["figures"]["region"], "SY04");
    assert!(incidents.len() >= 3, "too few incidents to test: {brief}");
    assert_eq!(brief["figures"]["incidents"], incidents.len());
    assert!(brief["synthetic"].is_string());
    // Pseudonyms only, in order of appearance; every incident names its return.
    assert_eq!(incidents[0]["returnee"], "R1");
    for incident in &incidents {
        let returnee = incident["returnee"].as_str().unwrap_or_default();
        assert!(
            returnee.starts_with('R') && returnee[1..].parse::<u32>().is_ok(),
            "{incident}"
        );
        assert!(
            incident["returned"]
                .as_str()
                .is_some_and(|r| r.starts_with("from ")),
            "{incident}"
        );
    }
    // No demo name of the store is in the brief.
    let names = ok(athar(
        &data,
        &[
            "export",
            "--format",
            "json",
            "--out",
            tmp.path().join("p.json").to_str().unwrap_or_default(),
        ],
    ));
    assert!(names.status.success());
    let persons: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("p.json")).unwrap_or_default())
            .unwrap_or_default();
    let text = brief.to_string();
    let mut checked = 0;
    for person in persons.as_array().into_iter().flatten().take(200) {
        for field in ["name_ar", "name_latn", "mother_name", "identifiers"] {
            if let Some(value) = person[field].as_str().filter(|v| v.chars().count() > 3) {
                checked += 1;
                assert!(!text.contains(value), "{field} {value:?} is in the brief");
            }
        }
    }
    assert!(checked > 100, "only {checked} names checked");

    let Some(pdftotext) = tool("pdftotext", "poppler-utils") else {
        return;
    };
    let pdf = tmp.path().join("brief-ar.pdf");
    let args = brief_args("ar", "pdf", &pdf);
    ok(athar(
        &data,
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    ));
    let text = folded(&pdf_text(&pdftotext, &pdf));
    for expected in [
        "موجز السلامة",
        "حمص",
        "الحوادث حسب النوع",
        "R1",
        "S1",
        "السجلات بحق عائدين إلى سوريا في حمص",
        // The last returnee's pseudonym: as many as the figures say.
        &format!("R{}", brief["figures"]["returnees"]),
    ] {
        assert!(
            text.contains(&folded(expected)),
            "the Arabic brief lacks {expected:?}:\n{text}"
        );
    }
}

/// A word on a page: its box (left, top, right, bottom, in points) and its text.
type Word = (f64, f64, f64, f64, String);

/// The words pdftotext finds on the first page of a PDF, with the page's size (points).
fn words_with_boxes(pdftotext: &Path, pdf: &Path) -> (f64, f64, Vec<Word>) {
    let out = Command::new(pdftotext)
        .args(["-bbox-layout", "-f", "1", "-l", "1"])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("pdftotext: {e}"));
    let xml = String::from_utf8_lossy(&out.stdout).into_owned();
    let attr = |tag: &str, name: &str| -> f64 {
        tag.split(&format!("{name}=\""))
            .nth(1)
            .and_then(|v| v.split('"').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::NAN)
    };
    let page = xml.split("<page ").nth(1).unwrap_or_default();
    let (width, height) = (attr(page, "width"), attr(page, "height"));
    let words = xml
        .split("<word ")
        .skip(1)
        .map(|w| {
            let text = w
                .split('>')
                .nth(1)
                .and_then(|t| t.split('<').next())
                .unwrap_or_default();
            (
                attr(w, "xMin"),
                attr(w, "yMin"),
                attr(w, "xMax"),
                attr(w, "yMax"),
                text.to_string(),
            )
        })
        .collect();
    (width, height, words)
}

/// The report's presentation where it used to fail: the map's labels at its western edge,
/// long unit names in charts, dates inside Arabic sentences and the English PDF's last page
/// — each checked on the rendered output.
#[test]
fn the_reports_labels_names_dates_and_last_page_come_out_whole() {
    let (Some(chromium), Some(pdftotext)) = (
        tool("chromium", "chromium"),
        tool("pdftotext", "poppler-utils"),
    ) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (data, _) = demo_store(tmp.path());
    let html = tmp.path().join("report.html");
    report(&data, "ar", "html", &html);
    let page = std::fs::read_to_string(&html).unwrap_or_default();
    let print = |source: &Path, pdf: &Path| print_to_pdf(&chromium, source, pdf);

    // The map alone, on a page of its own size: every label Chromium draws lies on it.
    let map = page
        .split("<svg")
        .skip(1)
        .find(|s| s.contains("<circle"))
        .and_then(|s| s.split("</svg>").next())
        .map(|s| format!("<svg{s}</svg>"))
        .unwrap_or_else(|| panic!("the report has a map"));
    let number = |name: &str| -> f64 {
        map.split(&format!(" {name}=\""))
            .nth(1)
            .and_then(|v| v.split('"').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::NAN)
    };
    let (width, height) = (number("width"), number("height"));
    let map_page = tmp.path().join("map.html");
    std::fs::write(
        &map_page,
        format!(
            "<!doctype html><html lang=\"ar\" dir=\"rtl\"><head><meta charset=\"utf-8\"><style>@page {{ size: {width}px {height}px; margin: 0 }} body {{ margin: 0 }}</style></head><body>{map}</body></html>"
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let map_pdf = tmp.path().join("map.pdf");
    print(&map_page, &map_pdf);
    let (page_width, page_height, words) = words_with_boxes(&pdftotext, &map_pdf);
    assert!(words.len() >= 10, "the map's labels: {words:?}");
    for (x0, y0, x1, y1, text) in &words {
        assert!(
            *x0 >= 0.0 && *y0 >= 0.0 && *x1 <= page_width + 0.5 && *y1 <= page_height + 0.5,
            "the label {text:?} ({x0}, {y0})–({x1}, {y1}) is cut off the {page_width}×{page_height} map"
        );
    }

    // Charts show unit names whole, on two lines where they are long: no name is cut.
    let printed = tmp.path().join("printed.pdf");
    print(&html, &printed);
    let text = pdf_text(&pdftotext, &printed);
    assert!(!text.contains('…'), "a label was cut short:\n{text}");
    assert!(!page.contains('…'), "a label was cut short in the page");

    // Dates inside Arabic sentences are written in words, which no layout turns around.
    let ar_pdf = tmp.path().join("report-ar.pdf");
    report(&data, "ar", "pdf", &ar_pdf);
    let ar_text = folded(&pdf_text(&pdftotext, &ar_pdf));
    assert!(
        ar_text.contains(&folded(
            "من كانون الثاني/يناير 2023 إلى كانون الأول/ديسمبر 2024"
        )),
        "the period in words:\n{ar_text}"
    );
    // (ISO dates stay in the commands the tables name, which are left-to-right code.)
    assert!(
        !ar_text.contains("01-2023") && !ar_text.contains("12-2024"),
        "{ar_text}"
    );

    // The English PDF's last page carries the last definitions with the attribution, and
    // the definitions are in the document itself, not in a file its reader lacks.
    let en_pdf = tmp.path().join("report-en.pdf");
    report(&data, "en", "pdf", &en_pdf);
    let json_out = tmp.path().join("report.json");
    report(&data, "en", "json", &json_out);
    let document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_out).unwrap_or_default())
            .unwrap_or_default();
    let method: Vec<&str> = document["definitions"]
        .as_array()
        .map(|m| m.iter().filter_map(|p| p.as_str()).collect())
        .unwrap_or_default();
    assert!(method.len() >= 2, "{document}");
    assert!(
        !document.to_string().contains("DEFINITIONS.md"),
        "a reader has no docs/"
    );
    let info = Command::new(tool("pdfinfo", "poppler-utils").unwrap_or_default())
        .arg(&en_pdf)
        .output()
        .unwrap_or_else(|e| panic!("pdfinfo: {e}"));
    let pages: usize = String::from_utf8_lossy(&info.stdout)
        .lines()
        .find_map(|l| {
            l.strip_prefix("Pages:")
                .map(|n| n.trim().parse().unwrap_or(0))
        })
        .unwrap_or(0);
    let last = Command::new(&pdftotext)
        .args(["-f", &pages.to_string(), "-l", &pages.to_string()])
        .arg(&en_pdf)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("pdftotext: {e}"));
    let last: String = String::from_utf8_lossy(&last.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let opening: String = method[method.len() - 2]
        .split_whitespace()
        .take(6)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        last.contains(&opening),
        "the last page ({pages}) does not carry the last definitions ({opening:?}):\n{last}"
    );
}
