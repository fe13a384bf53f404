//! The report as one HTML file: no script, no outside resource, a strict
//! Content-Security-Policy naming the hash of its only style sheet; the charts inline as
//! SVG; `lang` and `dir` set so browsers shape Arabic and lay the page out right to left.

use askama::Template;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::brief::Brief;
use crate::periodic::Report;
use crate::wgeid::WgeidCase;

const STYLE: &str = include_str!("../templates/report.css");

#[derive(Template)]
#[template(path = "report.html")]
struct Page<'a> {
    report: &'a Report,
    lang: &'static str,
    style: &'static str,
    style_hash: String,
    records_behind: &'a str,
}

#[derive(Template)]
#[template(path = "brief.html")]
struct BriefPage<'a> {
    brief: &'a Brief,
    lang: &'static str,
    style: &'static str,
    style_hash: String,
    records_behind: &'a str,
}

/// The Content-Security-Policy source naming the style sheet's hash.
fn style_hash() -> String {
    let digest = Sha256::digest(STYLE.as_bytes());
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

fn lang_code(lang: athar_model::vocab::Lang) -> &'static str {
    match lang {
        athar_model::vocab::Lang::En => "en",
        athar_model::vocab::Lang::Ar => "ar",
    }
}

/// The report as a standalone HTML document.
pub fn render(report: &Report) -> String {
    let page = Page {
        report,
        lang: lang_code(report.lang),
        style: STYLE,
        style_hash: style_hash(),
        records_behind: report
            .labels
            .get("records_behind")
            .map_or("", String::as_str),
    };
    // Rendering writes into a String and fails only on a formatting error of our own types.
    page.render().unwrap_or_default()
}

/// The safety brief as a standalone HTML document.
pub fn render_brief(brief: &Brief) -> String {
    BriefPage {
        brief,
        lang: lang_code(brief.lang),
        style: STYLE,
        style_hash: style_hash(),
        records_behind: "",
    }
    .render()
    .unwrap_or_default()
}

#[derive(Template)]
#[template(path = "wgeid.html")]
struct CasePage<'a> {
    case: &'a WgeidCase,
    lang: &'static str,
    style: &'static str,
    style_hash: String,
    record: &'a str,
}

/// A WGEID case as a standalone HTML document.
pub fn render_wgeid(case: &WgeidCase) -> String {
    CasePage {
        case,
        lang: lang_code(case.lang),
        style: STYLE,
        style_hash: style_hash(),
        record: case.labels.get("record").map_or("", String::as_str),
    }
    .render()
    .unwrap_or_default()
}
