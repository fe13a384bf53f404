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
        "age_group",
        &[
            "age group",
            "adult child",
            "الفئه العمريه",
            "طفل بالغ",
            "بالغ طفل",
        ],
    ),
    (
        "combatant_status",
        &[
            "civilian",
            "combatant",
            "civilian status",
            "مدني عسكري",
            "مدني او عسكري",
            "الصفه",
        ],
    ),
    (
        "occupation",
        &["occupation", "profession", "job", "المهنه", "العمل"],
    ),
    (
        "rank",
        &["rank", "military rank", "الرتبه", "الرتبه العسكريه"],
    ),
    (
        "killing.cause",
        &[
            "cause of death",
            "cause",
            "manner of death",
            "سبب الوفاه",
            "سبب الموت",
            "طريقه الوفاه",
            "طريقه القتل",
            "سبب الاستشهاد",
        ],
    ),
    (
        FATE,
        &[
            "status",
            "fate",
            "الحاله",
            "المصير",
            "الوضع",
            "الوضع الحالي",
        ],
    ),
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
        "killing.date",
        &[
            "date of death",
            "death date",
            "death",
            "تاريخ الوفاه",
            "تاريخ الاستشهاد",
            "تاريخ القتل",
        ],
    ),
    (
        "full_name",
        &["full name", "name", "الاسم الكامل", "الاسم الثلاثي", "الاسم"],
    ),
];

/// A column's field from its header — unless the header says "status" and the values are
/// civilian/combatant or child/adult, which is the status they mean — else from its values;
/// with whether the header decided.
fn guess(header: &str, samples: &[&str], vocab: &Vocabularies) -> Option<(&'static str, bool)> {
    match by_header(header) {
        Some(FATE) => match by_values(samples, vocab) {
            Some(field @ ("combatant_status" | "age_group")) => Some((field, false)),
            _ => Some((FATE, true)),
        },
        Some(field) => Some((field, true)),
        None => by_values(samples, vocab).map(|f| (f, false)),
    }
}

/// What a fate column is mapped as.
const FATE: &str = "fate";

/// Header words that say a column names a body — a unit, a brigade, an armed group — so
/// its "name" is nobody's name.
const BODY_WORDS: &[&str] = &[
    "brigade",
    "battalion",
    "faction",
    "group",
    "unit",
    "division",
    "militia",
    "الفصيل",
    "الكتيبه",
    "اللواء",
    "الفرقه",
    "الفوج",
    "الجماعه",
    "الميليشيا",
    "التشكيل",
];

/// Whether a header names a body (a unit, a brigade, an armed group).
fn names_a_body(header: &str) -> bool {
    let h = fold(header);
    let tokens: Vec<&str> = h.split([' ', '/', '-']).collect();
    BODY_WORDS
        .iter()
        .any(|w| tokens.contains(&fold(w).as_str()))
}

/// The field whose header words all appear, as whole words, in the header.
fn by_header(header: &str) -> Option<&'static str> {
    // "Brigade name", "اسم الفصيل": a body, not a person.
    if names_a_body(header) {
        return None;
    }
    let h = fold(header);
    let tokens: Vec<&str> = h.split([' ', '/', '-']).collect();
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

/// Headers lists give the column that numbers or names their rows.
const KEY_HEADERS: &[&str] = &[
    "الرقم",
    "رقم",
    "الرقم التسلسلي",
    "التسلسل",
    "م",
    "no",
    "no.",
    "nr",
    "#",
    "id",
    "uid",
    "serial",
    "ref",
    "reference",
    "record id",
    "case id",
    "case number",
    "رقم الحالة",
    "الكود",
    "code",
];

/// The list's key: the first column whose header says so and whose every row has a value
/// of its own (no value empty or repeated), so it names a row across versions of the list.
fn key_column(table: &Table) -> Option<usize> {
    table.headers.iter().enumerate().find_map(|(i, header)| {
        let h = fold(header);
        if !KEY_HEADERS.iter().any(|k| fold(k) == h) {
            return None;
        }
        let mut seen = std::collections::HashSet::new();
        let unique = table.rows.iter().all(|(_, cells)| {
            cells
                .get(i)
                .map(|c| c.trim())
                .is_some_and(|c| !c.is_empty() && seen.insert(c))
        });
        (unique && !table.rows.is_empty()).then_some(i)
    })
}

/// A column of places, whose event (or the person) only the user can say.
const PLACE_OF_WHAT: &str = "place?";

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
    let unit = |v: &str| !vocab.units.lookup(v).is_empty();
    let party = |v: &str| !vocab.authorities.lookup(v).is_empty();
    // Parties named without units ("قوات سوريا الديمقراطية", "HTS"), or mixed with units.
    if share(&|v| unit(v) || party(v)) {
        return Some(if filled.iter().any(|v| unit(v)) {
            "arrest.unit"
        } else {
            "arrest.party"
        });
    }
    if share(&|v| !vocab.host_countries.lookup(v).is_empty()) {
        return Some("return.host_country");
    }
    if share(&|v| !vocab.causes_of_death.lookup(v).is_empty()) {
        return Some("killing.cause");
    }
    if share(&|v| athar_model::CombatantStatus::parse(v).is_some()) {
        return Some("combatant_status");
    }
    if share(&|v| athar_model::AgeGroup::parse_stated(v).is_some()) {
        return Some("age_group");
    }
    // What became of each person: event kinds (اختفاء قسري، أفرج عنه، توفي تحت التعذيب).
    if share(&|v| !vocab.event_kinds.lookup(v).is_empty()) {
        return Some(FATE);
    }
    // Places alone do not say whose: the person's birthplace or residence, or the place of
    // the list's main event. Guessing an arrest would create arrests nobody recorded.
    if share(&|v| !vocab.gazetteer.lookup(v).is_empty()) {
        return Some(PLACE_OF_WHAT);
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
    let key = key_column(table);
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
        match key {
            Some(i) => out.push_str(&format!(
                "key = {}   # every row has its own value: it names the row across versions\n\n[columns]\n",
                quoted(&table.headers[i])
            )),
            None => out.push_str(
                "# key = \"…\"   # a column that names a row across versions\n\n[columns]\n",
            ),
        }
    }
    // The columns given a field whose values are terms of a vocabulary.
    let mut chosen: Vec<(usize, &'static str)> = Vec::new();
    // Each column's guess, read once from its header and its first 200 values.
    let guesses: Vec<Option<(&'static str, bool)>> = table
        .headers
        .iter()
        .enumerate()
        .map(|(i, header)| {
            let samples: Vec<&str> = table
                .rows
                .iter()
                .take(200)
                .filter_map(|(_, cells)| cells.get(i).map(String::as_str))
                .collect();
            guess(header, &samples, vocab)
        })
        .collect();
    // A list with a fate column dates and explains its deaths on the fate event, whichever
    // kind of death the fate column names.
    let has_fate = guesses
        .iter()
        .enumerate()
        .any(|(i, g)| key != Some(i) && g.is_some_and(|(f, _)| f == FATE));
    let death = |field: &'static str| -> &'static str {
        match field {
            "killing.date" if has_fate => "fate.date",
            "killing.cause" if has_fate => "fate.cause",
            other => other,
        }
    };
    let note = |field: &str| -> &'static str {
        match field {
            "killing.date" | "killing.cause" => {
                "; a death (death-in-custody.* for deaths in detention)"
            }
            "fate.date" | "fate.cause" => "; of the death the fate column names",
            FATE => "; what became of each person: check the [values] below",
            _ => "",
        }
    };
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
        if !athar_uwazi && !uwazi && key == Some(i) {
            out.push_str(&format!("{} = \"ignore\"   # the key\n", quoted(header)));
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
        match guesses[i].map(|(f, from_header)| (death(f), from_header)) {
            Some((field, true)) => {
                chosen.push((i, field));
                out.push_str(&format!(
                    "{} = \"{field}\"   # from the header{}\n",
                    quoted(header),
                    note(field)
                ))
            }
            from_values => match from_values.map(|(f, _)| f) {
                Some(PLACE_OF_WHAT) => out.push_str(&format!(
                    "# {} = \"?\"   # places: the person's \"birthplace\", or the place of an event (\"arrest.place\", \"death-in-custody.place\" …)\n",
                    quoted(header)
                )),
                Some(field) => {
                    chosen.push((i, field));
                    out.push_str(&format!(
                        "{} = \"{field}\"   # from its values; check the event kind{}\n",
                        quoted(header),
                        note(field)
                    ))
                }
                None if names_a_body(header) => out.push_str(&format!(
                    "# {} = \"?\"   # names a unit or armed group, not a person: \"arrest.unit\", \"killing.actor\" … or \"ignore\"\n",
                    quoted(header)
                )),
                None => out.push_str(&format!(
                    "# {} = \"?\"   # not guessed; give a field or \"ignore\"\n",
                    quoted(header)
                )),
            },
        }
    }
    for (i, field) in chosen {
        if field == FATE {
            out.push_str(&fate_table(table, i, vocab));
            continue;
        }
        let (vocabulary, name) = match field.rsplit('.').next() {
            Some("cause") => (&vocab.causes_of_death, "causes-of-death"),
            Some("unit") => (&vocab.units, "units"),
            Some("party") => (&vocab.authorities, "authorities"),
            Some("host_country") => (&vocab.host_countries, "host-countries"),
            Some("crossing") => (&vocab.border_crossings, "border-crossings"),
            _ => continue,
        };
        out.push_str(&value_table(table, i, vocabulary, name));
    }
    out
}

/// The first hundred distinct filled values of a column that `keep` keeps, in file order.
fn distinct_values(table: &Table, column: usize, keep: impl Fn(&str) -> bool) -> Vec<&str> {
    let mut seen: Vec<&str> = Vec::new();
    for (_, cells) in &table.rows {
        let Some(value) = cells.get(column).map(|c| c.trim()) else {
            continue;
        };
        if value.is_empty() || seen.contains(&value) || !keep(value) {
            continue;
        }
        seen.push(value);
        if seen.len() == 100 {
            break;
        }
    }
    seen
}

/// A `[values]` table for a fate column: every distinct value, with the event kind it
/// names when the vocabulary knows it, and otherwise a line to fill in — an event kind, a
/// stated status, or none.
fn fate_table(table: &Table, column: usize, vocab: &Vocabularies) -> String {
    let seen = distinct_values(table, column, |_| true);
    if seen.is_empty() {
        return String::new();
    }
    let header = &table.headers[column];
    let mut out = format!(
        "\n# What each value of {} says became of the person: an event kind, stated:STATUS\n# (at_liberty, detained, disappeared, released, died_in_custody, killed, dead) or none.\n[values.{}]\n",
        quoted(header),
        quoted(header)
    );
    for value in seen {
        match vocab.event_kinds.lookup(value).first() {
            Some(term) => out.push_str(&format!(
                "{} = \"{}\"   # {}\n",
                quoted(value),
                term.id,
                term.en
            )),
            None => out.push_str(&format!(
                "# {} = \"?\"   # an event kind, stated:STATUS or none\n",
                quoted(value)
            )),
        }
    }
    out
}

/// Words of a folded text, each with its weight in matching: a number (a branch's) weighs
/// most, a short word nothing.
fn weighted_words(text: &str) -> Vec<(String, u32)> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let weight = if w.chars().all(|c| c.is_ascii_digit()) {
                3
            } else if w.chars().count() >= 3 {
                1
            } else {
                0
            };
            (w.to_string(), weight)
        })
        .collect()
}

/// The terms of a vocabulary sharing the most words with `value` (and that score), when
/// the best shares enough to be a guess: a number, or two words.
fn closest<'a>(
    value: &str,
    vocabulary: &'a athar_model::vocab::Vocabulary,
) -> (Vec<&'a athar_model::vocab::Term>, u32) {
    let words = weighted_words(value);
    let mut best: (Vec<&athar_model::vocab::Term>, u32) = (Vec::new(), 0);
    for term in vocabulary.terms() {
        let spellings = [&term.en, &term.ar]
            .into_iter()
            .chain(&term.aliases_en)
            .chain(&term.aliases_ar);
        let score = spellings
            .map(|s| {
                let theirs: Vec<String> = weighted_words(s).into_iter().map(|(w, _)| w).collect();
                words
                    .iter()
                    .filter(|(w, _)| theirs.contains(w))
                    .map(|(_, weight)| weight)
                    .sum::<u32>()
            })
            .max()
            .unwrap_or(0);
        if score > best.1 {
            best = (vec![term], score);
        } else if score == best.1 && score > 0 {
            best.0.push(term);
        }
    }
    if best.1 < 2 {
        return (Vec::new(), 0);
    }
    best
}

/// A `[values]` table for a column of vocabulary terms: every distinct value the
/// vocabulary does not know as written, with the closest term when one stands out — how an
/// organisation's own names for units or countries (its HURIDOCS or Uwazi thesaurus, say)
/// are mapped onto Athar's. Empty when every value is known.
fn value_table(
    table: &Table,
    column: usize,
    vocabulary: &athar_model::vocab::Vocabulary,
    name: &str,
) -> String {
    let seen = distinct_values(table, column, |v| vocabulary.lookup(v).is_empty());
    if seen.is_empty() {
        return String::new();
    }
    let header = &table.headers[column];
    let mut out = format!(
        "\n# Values of {} that are not terms of {name} as written: check each guess.\n[values.{}]\n",
        quoted(header),
        quoted(header)
    );
    for value in seen {
        match closest(value, vocabulary) {
            (terms, _) if terms.len() == 1 => out.push_str(&format!(
                "{} = \"{}\"   # {}\n",
                quoted(value),
                terms[0].id,
                terms[0].en
            )),
            (terms, _) if !terms.is_empty() => out.push_str(&format!(
                "# {} = \"?\"   # one of {}\n",
                quoted(value),
                terms
                    .iter()
                    .map(|t| t.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            _ => out.push_str(&format!(
                "# {} = \"?\"   # no close term: give one of {name}, or add it with `athar vocab add {name}`\n",
                quoted(value)
            )),
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
    fn an_organisations_own_names_for_units_and_countries_get_a_values_table() {
        let csv = "No.,الاسم,الجهة المسؤولة,بلد اللجوء\n\
                   1,محمد أحمد,فرع فلسطين,لبنان\n\
                   2,سامر خالد,الأمن العسكري - الفرع 227,الجمهورية اللبنانية\n\
                   3,هبة علي,Mil. Intelligence branch 235 (Palestine),Lebanon\n\
                   4,ريم,جهة مجهولة,Turkiye\n\
                   5,عمر,الأمن العسكري - الفرع 227,المملكة الأردنية\n";
        let table = read_table(csv.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let vocab = Vocabularies::embedded();
        let text = suggest(&table, vocab);
        for line in [
            "[values.\"الجهة المسؤولة\"]",
            "\"الأمن العسكري - الفرع 227\" = \"mi-branch-227\"",
            "\"Mil. Intelligence branch 235 (Palestine)\" = \"mi-branch-235\"",
            "# \"جهة مجهولة\" = \"?\"",
            "[values.\"بلد اللجوء\"]",
            "\"المملكة الأردنية\" = \"JO\"",
        ] {
            assert!(text.contains(line), "{line} not in:\n{text}");
        }
        // Known values are not listed, and each unknown one once.
        assert!(!text.contains("\"فرع فلسطين\" ="), "{text}");
        assert_eq!(text.matches("الفرع 227\" =").count(), 1, "{text}");
        let mapping = Mapping::parse(&text, vocab).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(
            mapping.values["الجهة المسؤولة"]["Mil. Intelligence branch 235 (Palestine)"],
            "mi-branch-235"
        );
    }

    #[test]
    fn a_casualty_lists_death_cause_status_and_brigade_columns_are_read_for_what_they_are() {
        let csv = "uid,Name,Brigade name,Date of death,Cause of death,Status,Governorate,Sex,Age group\n\
                   17,Ahmad Khalil,Liwa al-Tawhid,2013-05-02,Shooting,Non-Civilian,Aleppo,Male,Adult\n\
                   18,Unidentified 3,,2014-01-10,Air strike,Civilian,Idlib,Female,Child\n\
                   19,Samer Hasan,Jaysh al-Islam,2015-07-00,Torture,Civilian,Rif Dimashq,Male,Adult\n";
        let table = read_table(csv.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let vocab = Vocabularies::embedded();
        let text = suggest(&table, vocab);
        for line in [
            "key = \"uid\"",
            "\"Name\" = \"full_name\"",
            "\"Date of death\" = \"killing.date\"",
            "\"Cause of death\" = \"killing.cause\"",
            "\"Status\" = \"combatant_status\"",
            "\"Sex\" = \"sex\"",
            "\"Age group\" = \"age_group\"",
            "# \"Brigade name\" = \"?\"   # names a unit or armed group",
            "# \"Governorate\" = \"?\"   # places",
        ] {
            assert!(text.contains(line), "{line} not in:\n{text}");
        }
        // A cause column is never a date, and a brigade never a person's name.
        assert!(
            !text.contains("\"Cause of death\" = \"killing.date\""),
            "{text}"
        );
        assert!(!text.contains("\"Brigade name\" = \"full_name\""), "{text}");
        let mapping = Mapping::parse(&text, vocab).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert!(mapping.columns.iter().any(|(c, _)| c == "Cause of death"));

        // With a fate column, the death's date and cause go to the death it names.
        let csv = "الرقم,الاسم,المصير,تاريخ الوفاة,سبب الوفاة\n\
                   1,سامر,توفي تحت التعذيب,2019-02-01,تحت التعذيب\n\
                   2,ريم,اختفاء قسري,,\n\
                   3,هبة,معتقل - مكان الاحتجاز معروف,,\n";
        let table = read_table(csv.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let text = suggest(&table, vocab);
        for line in [
            "\"المصير\" = \"fate\"",
            "\"تاريخ الوفاة\" = \"fate.date\"",
            "\"سبب الوفاة\" = \"fate.cause\"",
            "[values.\"المصير\"]",
            "\"اختفاء قسري\" = \"enforced-disappearance\"",
            "# \"معتقل - مكان الاحتجاز معروف\" = \"?\"",
        ] {
            assert!(text.contains(line), "{line} not in:\n{text}");
        }
        Mapping::parse(&text, vocab).unwrap_or_else(|e| panic!("{e}\n{text}"));
    }

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
        // Its numbers are all different: the key.
        assert!(text.contains("key = \"الرقم\""), "{text}");
        assert!(
            text.contains("\"الرقم\" = \"ignore\"   # the key"),
            "{text}"
        );
        // A column of parties, and one of governorates (whose event only the user knows).
        let csv = "Name,Party,Governorate\nA,قوات سوريا الديمقراطية,حلب\nB,HTS,إدلب\nC,الجيش الوطني,Aleppo\n";
        let table = read_table(csv.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let other = suggest(&table, vocab);
        assert!(other.contains("\"Party\" = \"arrest.party\""), "{other}");
        assert!(
            other.contains("# \"Governorate\" = \"?\"   # places"),
            "{other}"
        );
        assert!(!other.contains("arrest.place\"   # from"), "{other}");
        Mapping::parse(&other, vocab).unwrap_or_else(|e| panic!("{e}\n{other}"));
        // Whole words only: a security agency is not a mother.
        assert_eq!(by_header("الجهة الأمنية"), by_header("الجهة"));
        assert_eq!(by_header("Mother's name"), Some("mother_name"));
        assert_eq!(by_header("mother name"), Some("mother_name"));
        // What it writes is a mapping the importer accepts.
        Mapping::parse(&text, vocab).unwrap_or_else(|e| panic!("{e}\n{text}"));
    }
}
