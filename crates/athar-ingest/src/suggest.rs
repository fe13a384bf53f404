//! A first mapping for a list, guessed from its headers and the values under them.
//!
//! Headers are matched against words people use for each field, in Arabic and English
//! (folded, so spelling variants meet); a column whose header says nothing is judged by
//! its values: dates, places in the gazetteer, units, host countries. Every guess is a line
//! to check; columns without a guess are written commented out, so nothing is imported
//! that nobody looked at.

use athar_model::text::fold;
use athar_model::{FuzzyDate, Vocabularies};

use crate::table::Table;

/// Header words for each field, Arabic and English; the first match wins, so more specific
/// entries come first.
const HEADER_WORDS: &[(&str, &[&str])] = &[
    (
        "mother_name",
        &["mother", "mothers", "اسم الام", "الام", "والدته"],
    ),
    (
        "father_name",
        &["father", "fathers", "اسم الاب", "الاب", "والده"],
    ),
    ("grandfather_name", &["grandfather", "الجد"]),
    (
        "family_name",
        &[
            "family name",
            "surname",
            "last name",
            "الكنيه",
            "العائله",
            "اللقب",
        ],
    ),
    ("given_name", &["first name", "given name", "الاسم الاول"]),
    (
        "nickname",
        &["nickname", "kunya", "الشهره", "الكنيه الشعبيه"],
    ),
    (
        "birthplace",
        &["place of birth", "birthplace", "مكان الولاده", "محل الولاده"],
    ),
    (
        "birth_date",
        &[
            "date of birth",
            "birth",
            "born",
            "تاريخ الولاده",
            "المواليد",
            "مواليد",
            "التولد",
        ],
    ),
    ("sex", &["sex", "gender", "الجنس"]),
    (
        "identifier:national-id",
        &["national id", "national number", "الرقم الوطني"],
    ),
    (
        "contact",
        &[
            "phone",
            "contact",
            "mobile",
            "هاتف",
            "الهاتف",
            "رقم التواصل",
        ],
    ),
    ("notes", &["notes", "remarks", "comments", "ملاحظات"]),
    (
        "return.host_country",
        &[
            "returned from",
            "host country",
            "العوده من",
            "بلد اللجوء",
            "دوله اللجوء",
        ],
    ),
    (
        "return.date",
        &["return date", "date of return", "تاريخ العوده"],
    ),
    (
        "arrest.date",
        &[
            "arrest date",
            "date of arrest",
            "تاريخ الاعتقال",
            "تاريخ الاعتقال",
        ],
    ),
    (
        "arrest.place",
        &["place of arrest", "arrest place", "مكان الاعتقال"],
    ),
    (
        "arrest.unit",
        &[
            "arrested by",
            "responsible",
            "agency",
            "branch",
            "الجهه",
            "الجهه المسؤوله",
            "الفرع",
        ],
    ),
    (
        "death-in-custody.date",
        &["date of death", "death", "تاريخ الوفاه"],
    ),
    (
        "full_name",
        &["full name", "name", "الاسم الكامل", "الاسم الثلاثي", "الاسم"],
    ),
];

/// The field whose header words all appear, as whole words, in the header.
fn by_header(header: &str) -> Option<&'static str> {
    let h = fold(header);
    let tokens: Vec<&str> = h.split(' ').collect();
    HEADER_WORDS
        .iter()
        .find(|(_, words)| {
            words.iter().any(|w| {
                let w = fold(w);
                w.split(' ').all(|part| tokens.contains(&part))
            })
        })
        .map(|(field, _)| *field)
}

/// What most of the sample values of a column look like.
fn by_values(values: &[&str], vocab: &Vocabularies) -> Option<&'static str> {
    let filled: Vec<&str> = values
        .iter()
        .copied()
        .filter(|v| !v.trim().is_empty())
        .collect();
    if filled.is_empty() {
        return None;
    }
    let share =
        |f: &dyn Fn(&str) -> bool| filled.iter().filter(|v| f(v)).count() * 10 >= filled.len() * 8;
    if share(&|v| !vocab.units.lookup(v).is_empty()) {
        return Some("arrest.unit");
    }
    if share(&|v| !vocab.host_countries.lookup(v).is_empty()) {
        return Some("return.host_country");
    }
    if share(&|v| !vocab.gazetteer.lookup(v).is_empty()) {
        return Some("arrest.place");
    }
    if share(&|v| {
        v.chars()
            .any(|c| c.is_ascii_digit() || ('٠'..='٩').contains(&c))
            && FuzzyDate::parse(v).is_ok()
    }) {
        return Some("arrest.date");
    }
    None
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A mapping file to start from (see docs/IMPORT.md), with a comment on every guess.
/// The columns every Uwazi CSV export has besides the template's properties.
const UWAZI_COMMON: &[&str] = &[
    "Date added",
    "Template",
    "Geolocation",
    "Documents",
    "Attachments",
    "Published",
];

/// Where the columns of Athar's own Uwazi export go.
const ATHAR_UWAZI: &[(&str, &str)] = &[
    ("Title", "ignore"),
    ("Name in Arabic", "full_name"),
    ("Name in Latin letters", "full_name"),
    ("Mother's name", "mother_name"),
    ("Sex", "sex"),
    ("Date of birth", "ignore"),
    ("Date of birth as recorded", "birth_date"),
    ("Place of birth", "birthplace"),
    ("Identifiers", "identifiers"),
];

pub fn suggest(table: &Table, vocab: &Vocabularies) -> String {
    let has = |name: &str| table.headers.iter().any(|h| h.trim() == name);
    let athar_uwazi = has("Title") && has("Athar id") && has("Date of birth as recorded");
    let uwazi = has("Title") && UWAZI_COMMON.iter().any(|c| has(c));
    let mut out = String::from(
        "# A first mapping, guessed by `athar import --suggest`: check every line, then import\n\
         # with --check first. See docs/IMPORT.md for the fields.\n\n[list]\n\
         # name = \"…\"\n# source = \"…\"\n",
    );
    if athar_uwazi {
        out.push_str(
            "format = \"uwazi\"   # an Uwazi CSV written by athar export --format uwazi\n\
             key = \"Athar id\"\n\n[columns]\n",
        );
    } else if uwazi {
        out.push_str(
            "format = \"uwazi\"   # an Uwazi CSV export: Group::Value, a|b, from~to are read\n\
             # key = \"…\"   # a column that names a row across versions\n\n[columns]\n",
        );
    } else {
        out.push_str("# key = \"…\"   # a column that names a row across versions\n\n[columns]\n");
    }
    for (i, header) in table.headers.iter().enumerate() {
        if athar_uwazi && header.trim() == "Athar id" {
            continue;
        }
        if let Some((_, field)) = ATHAR_UWAZI
            .iter()
            .find(|(h, _)| athar_uwazi && *h == header.trim())
        {
            out.push_str(&format!("{} = \"{field}\"\n", quoted(header)));
            continue;
        }
        if uwazi && UWAZI_COMMON.contains(&header.trim()) {
            out.push_str(&format!(
                "{} = \"ignore\"   # Uwazi's own\n",
                quoted(header)
            ));
            continue;
        }
        if uwazi && header.trim() == "Title" {
            out.push_str(&format!(
                "{} = \"full_name\"   # Uwazi's title\n",
                quoted(header)
            ));
            continue;
        }
        let samples: Vec<&str> = table
            .rows
            .iter()
            .take(200)
            .filter_map(|(_, cells)| cells.get(i).map(String::as_str))
            .collect();
        match by_header(header) {
            Some(field) => out.push_str(&format!(
                "{} = \"{field}\"   # from the header\n",
                quoted(header)
            )),
            None => match by_values(&samples, vocab) {
                Some(field) => out.push_str(&format!(
                    "{} = \"{field}\"   # from its values; check the event kind\n",
                    quoted(header)
                )),
                None => out.push_str(&format!(
                    "# {} = \"?\"   # not guessed; give a field or \"ignore\"\n",
                    quoted(header)
                )),
            },
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::Mapping;
    use crate::table::read_table;

    #[test]
    fn headers_and_values_give_a_mapping_that_parses() {
        let csv = "الرقم,الاسم الثلاثي,اسم الأم,المواليد,Gender,الجهة المسؤولة,X,تاريخ\n\
                   1,محمد أحمد علي,فاطمة,1990,M,فرع فلسطين,لبنان,2019-03\n\
                   2,سامر خالد,هدى,1985,M,المخابرات الجوية,تركيا,2018\n";
        let table = read_table(csv.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let vocab = Vocabularies::embedded();
        let text = suggest(&table, vocab);
        assert!(text.contains("\"الاسم الثلاثي\" = \"full_name\""), "{text}");
        assert!(text.contains("\"اسم الأم\" = \"mother_name\""), "{text}");
        assert!(text.contains("\"المواليد\" = \"birth_date\""), "{text}");
        assert!(text.contains("\"Gender\" = \"sex\""), "{text}");
        assert!(
            text.contains("\"الجهة المسؤولة\" = \"arrest.unit\""),
            "{text}"
        );
        assert!(text.contains("\"X\" = \"return.host_country\""), "{text}");
        assert!(text.contains("\"تاريخ\" = \"arrest.date\""), "{text}");
        assert!(text.contains("# \"الرقم\" = \"?\""), "{text}");
        // Whole words only: a security agency is not a mother.
        assert_eq!(by_header("الجهة الأمنية"), by_header("الجهة"));
        assert_eq!(by_header("Mother's name"), Some("mother_name"));
        assert_eq!(by_header("mother name"), Some("mother_name"));
        // What it writes is a mapping the importer accepts.
        Mapping::parse(&text, vocab).unwrap_or_else(|e| panic!("{e}\n{text}"));
    }
}
