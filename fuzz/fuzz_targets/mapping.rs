//! Any text as a mapping file: a checked mapping or an error naming the problem.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(e) = athar_ingest::mapping::Mapping::parse(text, athar_model::Vocabularies::embedded()) {
            assert!(!e.to_string().is_empty());
        }
    }
});
