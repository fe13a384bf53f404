//! Any text as a date a user typed: a fuzzy date whose bounds are ordered, or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(date) = athar_model::FuzzyDate::parse(text) {
            if let Some((lo, hi)) = date.bounds() {
                assert!(lo <= hi, "{text:?} gave {lo} > {hi}");
            }
            let again = athar_model::FuzzyDate::parse(&date.to_string());
            assert!(again.is_ok(), "{text:?} printed as {date} does not read back");
        }
    }
});
