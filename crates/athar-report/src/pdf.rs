//! The report as PDF, typeset by Typst with fonts compiled into the binary.
//!
//! The layout is a fixed Typst file (`templates/report.typ`); the report's content reaches
//! it only as data — `/report.json` and one `/charts/<id>.svg` per chart — so nothing a
//! user typed can ever be read as markup. Typst shapes Arabic (in the text and in the
//! charts) with the embedded font and sets it right to left; the fonts are embedded in the
//! PDF, subset to the glyphs used. The typesetter sees no file system, no network and no
//! clock.

use std::sync::OnceLock;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

use crate::brief::Brief;
use crate::periodic::{Chart, Report};

const REPORT_TEMPLATE: &str = include_str!("../templates/report.typ");
const BRIEF_TEMPLATE: &str = include_str!("../templates/brief.typ");
const WGEID_TEMPLATE: &str = include_str!("../templates/wgeid.typ");
const LETTER_TEMPLATE: &str = include_str!("../templates/letter.typ");

/// Noto Sans Arabic and Noto Sans (Latin) merged into one family, so that every label —
/// also in the charts, where the SVG renderer's font fallback loses text in mixed runs —
/// is set from one font (fonts/README.md).
const FONT_FILES: [&[u8]; 2] = [
    include_bytes!("../fonts/NotoSansAthar-Regular.ttf"),
    include_bytes!("../fonts/NotoSansAthar-Bold.ttf"),
];

/// Why a PDF could not be made. Only a defect of ours can cause it: the template and the
/// data are ours; the message names Typst's diagnostic, never the report's content.
#[derive(Debug, thiserror::Error)]
#[error("the PDF report could not be typeset: {0}")]
pub struct PdfError(String);

struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let fonts: Vec<Font> = FONT_FILES
            .iter()
            .flat_map(|data| Font::iter(Bytes::new(*data)))
            .collect();
        Fonts {
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
        }
    })
}

fn library() -> &'static LazyHash<Library> {
    static LIBRARY: OnceLock<LazyHash<Library>> = OnceLock::new();
    LIBRARY.get_or_init(|| LazyHash::new(Library::default()))
}

fn file_id(path: &str) -> Result<FileId, PdfError> {
    let vpath = VirtualPath::new(path).map_err(|e| PdfError(format!("{path}: {e:?}")))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// The typesetter's whole world: the template, the report's data and charts, the fonts.
struct ReportWorld {
    main: Source,
    files: Vec<(FileId, Bytes)>,
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        library()
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &fonts().book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files
            .iter()
            .find(|(file, _)| *file == id)
            .map(|(_, bytes)| bytes.clone())
            .ok_or(FileError::AccessDenied)
    }

    fn font(&self, index: usize) -> Option<Font> {
        fonts().fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

fn diagnostics(errors: &[SourceDiagnostic]) -> String {
    errors
        .iter()
        .map(|e| e.message.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The report typeset as a PDF document.
pub fn render(report: &Report) -> Result<Vec<u8>, PdfError> {
    let data = serde_json::to_vec(report).map_err(|e| PdfError(e.to_string()))?;
    typeset(REPORT_TEMPLATE, data, &report.charts, &report.period)
}

/// The safety brief typeset as a PDF document (landscape, for its wide table).
pub fn render_brief(brief: &Brief) -> Result<Vec<u8>, PdfError> {
    let data = serde_json::to_vec(brief).map_err(|e| PdfError(e.to_string()))?;
    typeset(BRIEF_TEMPLATE, data, &brief.charts, &brief.title)
}

/// A WGEID case typeset as a PDF document.
pub fn render_wgeid(case: &crate::wgeid::WgeidCase) -> Result<Vec<u8>, PdfError> {
    let data = serde_json::to_vec(case).map_err(|e| PdfError(e.to_string()))?;
    typeset(WGEID_TEMPLATE, data, &[], &case.person.to_string())
}

/// A letter to a family typeset as a PDF document.
pub fn render_letter(letter: &crate::letter::FamilyLetter) -> Result<Vec<u8>, PdfError> {
    let data = serde_json::to_vec(letter).map_err(|e| PdfError(e.to_string()))?;
    typeset(LETTER_TEMPLATE, data, &[], &letter.person.to_string())
}

fn typeset(
    template: &str,
    data: Vec<u8>,
    charts: &[Chart],
    ident: &str,
) -> Result<Vec<u8>, PdfError> {
    let mut files = vec![(file_id("/report.json")?, Bytes::new(data))];
    for chart in charts {
        files.push((
            file_id(&format!("/charts/{}.svg", chart.id))?,
            Bytes::new(chart.svg.clone().into_bytes()),
        ));
    }
    let world = ReportWorld {
        main: Source::new(file_id("/main.typ")?, template.to_string()),
        files,
    };
    let document = typst::compile::<PagedDocument>(&world)
        .output
        .map_err(|errors| PdfError(diagnostics(&errors)))?;
    let options = typst_pdf::PdfOptions {
        ident: typst::foundations::Smart::Custom(format!("athar-{ident}")),
        creator: typst::foundations::Smart::Custom(Some("Athar".to_string())),
        ..Default::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|errors| PdfError(diagnostics(&errors)))
}
