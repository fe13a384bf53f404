//! Lists in and out as one organisation: an import's records are owned by it (their ids
//! derived under its key, so another organisation's list of the same name never meets
//! them), and the list file itself is kept sealed in its vault; an export holds only the
//! persons it may see, pseudonymised where asked or shared so.

use athar_ingest::export::{ExportOptions, ExportReport, ExportTable, Format, export_persons};
use athar_ingest::import::{
    ImportError, ImportOptions, ImportReport, import_table_with_progress, keep_original,
};
use athar_ingest::mapping::Mapping;
use athar_ingest::table::Table;
use athar_model::RecordKind;
use athar_model::consent::Purpose;
use athar_store::{Result, StoreError};

use crate::Scope;

/// How a list is imported.
#[derive(Debug, Clone, Default)]
pub struct ImportRequest {
    /// The list's name (the source its records cite).
    pub list: String,
    /// Write nothing; report what would happen.
    pub check: bool,
    /// Refuse the whole file when any row is refused.
    pub strict: bool,
}

impl Scope<'_> {
    /// Import a table with its mapping; unless only checking, keep the file's bytes
    /// (`original`) sealed in the vault about the list, once per version.
    pub fn import_list(
        &self,
        table: &Table,
        mapping: &Mapping,
        request: &ImportRequest,
        original: Option<(&[u8], Option<&str>)>,
        progress: &mut dyn FnMut(usize) -> std::ops::ControlFlow<()>,
    ) -> Result<ImportReport, ImportError> {
        let options = ImportOptions {
            list: request.list.clone(),
            check: request.check,
            strict: request.strict,
            author: self.author().to_string(),
            owner: Some(self.org().number()),
            vocabularies: Some(self.vocabularies()?),
        };
        let mut report =
            import_table_with_progress(self.store, table, mapping, &options, progress)?;
        if let Some((bytes, filename)) = original
            && !request.check
        {
            self.keep_list_file(&mut report, bytes, filename)?;
        }
        Ok(report)
    }

    /// Keep an imported list's file sealed in the vault, about the list's source, once per
    /// version; the report says which item holds it.
    pub fn keep_list_file(
        &self,
        report: &mut ImportReport,
        bytes: &[u8],
        filename: Option<&str>,
    ) -> Result<(), StoreError> {
        if let Some(source) = report.source
            && self.read_if_visible(RecordKind::Source, source)?.is_some()
        {
            report.original = Some(keep_original(
                self.store,
                self.org().number(),
                self.author(),
                source,
                bytes,
                filename,
            )?);
        }
        Ok(())
    }

    /// The persons this organisation may see, or their events (`table`), written to `out`
    /// in `format` (a workbook holds both).
    pub fn export_persons(
        &self,
        format: Format,
        table: ExportTable,
        pseudonymised: bool,
        purpose: Option<Purpose>,
        out: &mut dyn std::io::Write,
    ) -> Result<ExportReport, StoreError> {
        export_persons(
            self.store,
            &ExportOptions {
                format,
                table,
                vocabularies: Some(self.vocabularies()?),
                pseudonymised,
                purpose,
                author: self.author().to_string(),
                org: self.org().number(),
            },
            out,
        )
    }
}
