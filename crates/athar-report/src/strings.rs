//! The words of reports in English and Arabic, from `strings/report.toml`.
//!
//! The file is compiled into the binary; a translator edits it, not the code. `{name}`
//! placeholders are filled by [`Strings::fill`]. A test holds every key to both languages
//! and the same placeholders in each.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use athar_model::vocab::Lang;
use serde::Deserialize;

const REPORT_STRINGS: &str = include_str!("../strings/report.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    en: Text,
    ar: Text,
}

/// A text, or a counted phrase in the plural forms of its language: CLDR's categories
/// (`zero`, `one`, `two`, `few`, `many`, `other`; English uses `one` and `other`, Arabic all
/// six), each with `{n}` for the number.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Text {
    Plain(String),
    Forms(BTreeMap<String, String>),
}

impl Text {
    fn other(&self) -> &str {
        match self {
            Text::Plain(s) => s,
            Text::Forms(forms) => forms.get("other").map_or("", String::as_str),
        }
    }
}

/// The CLDR plural category of a whole number in a language: English one/other; Arabic
/// zero (0), one (1), two (2), few (3–10, and so 103–110 …), many (11–99, 111–199 …), other
/// (100, 101, 102 …).
pub fn plural_category(lang: Lang, n: u64) -> &'static str {
    match lang {
        Lang::En => {
            if n == 1 {
                "one"
            } else {
                "other"
            }
        }
        Lang::Ar => match (n, n % 100) {
            (0, _) => "zero",
            (1, _) => "one",
            (2, _) => "two",
            (_, 3..=10) => "few",
            (_, 11..=99) => "many",
            _ => "other",
        },
    }
}

/// The report's words, by key.
#[derive(Debug)]
pub struct Strings {
    entries: BTreeMap<String, Entry>,
}

impl Strings {
    /// The strings compiled into this binary, parsed once.
    pub fn embedded() -> &'static Strings {
        static STRINGS: OnceLock<Strings> = OnceLock::new();
        STRINGS.get_or_init(|| {
            // The file is ours and checked by the tests: failing to read it is a build defect.
            let entries = toml::from_str(REPORT_STRINGS)
                .unwrap_or_else(|e| panic!("strings/report.toml is malformed: {e}"));
            Strings { entries }
        })
    }

    /// The text of `key` in `lang`; the key itself when it is missing, so a gap shows in
    /// the output instead of failing it (the tests keep the file whole).
    pub fn get<'a>(&'a self, lang: Lang, key: &'a str) -> &'a str {
        match self.entries.get(key) {
            Some(entry) => match lang {
                Lang::En => entry.en.other(),
                Lang::Ar => entry.ar.other(),
            },
            None => key,
        }
    }

    /// A counted phrase: the form of `key` the number `n` takes in `lang` (CLDR plural
    /// rules), with `{n}` replaced by `shown` (the number as the document writes it).
    pub fn counted(&self, lang: Lang, key: &str, n: u64, shown: &str) -> String {
        let text = match self.entries.get(key).map(|e| match lang {
            Lang::En => &e.en,
            Lang::Ar => &e.ar,
        }) {
            Some(Text::Forms(forms)) => forms
                .get(plural_category(lang, n))
                .or_else(|| forms.get("other"))
                .map_or(key, String::as_str),
            Some(Text::Plain(text)) => text.as_str(),
            None => key,
        };
        text.replace("{n}", shown)
    }

    /// The text of `key` with each `{name}` replaced by its value.
    pub fn fill(&self, lang: Lang, key: &str, values: &[(&str, String)]) -> String {
        let mut text = self.get(lang, key).to_string();
        for (name, value) in values {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    /// Every key with its English and Arabic text (for the tests; a counted phrase by its
    /// `other` form).
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        self.entries
            .iter()
            .map(|(k, e)| (k.as_str(), e.en.other(), e.ar.other()))
    }

    /// The plural categories each counted phrase gives, English then Arabic (for the tests).
    pub fn plural_entries(&self) -> Vec<(&str, Vec<&str>, Vec<&str>)> {
        fn categories(t: &Text) -> Vec<&str> {
            match t {
                Text::Forms(forms) => forms.keys().map(String::as_str).collect(),
                Text::Plain(_) => Vec::new(),
            }
        }
        self.entries
            .iter()
            .filter(|(_, e)| matches!(e.en, Text::Forms(_)) || matches!(e.ar, Text::Forms(_)))
            .map(|(k, e)| (k.as_str(), categories(&e.en), categories(&e.ar)))
            .collect()
    }
}

/// The `{name}` placeholders of a text, sorted.
pub fn placeholders(text: &str) -> Vec<&str> {
    let mut names: Vec<&str> = text
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_phrases_follow_each_languages_plural_rules() {
        let strings = Strings::embedded();
        let plural = strings.plural_entries();
        assert!(!plural.is_empty());
        for (key, en, ar) in plural {
            assert_eq!(en, ["one", "other"], "{key}: English has one and other");
            let mut ar = ar.clone();
            ar.sort_unstable();
            assert_eq!(
                ar,
                ["few", "many", "one", "other", "two", "zero"],
                "{key}: Arabic has all six forms"
            );
        }
        let arrests = |lang, n: u64| strings.counted(lang, "n_arrests", n, &n.to_string());
        assert_eq!(arrests(Lang::En, 1), "1 arrest");
        assert_eq!(arrests(Lang::En, 0), "0 arrests");
        assert_eq!(arrests(Lang::En, 43), "43 arrests");
        assert_eq!(arrests(Lang::Ar, 1), "حالة اعتقال واحدة");
        assert_eq!(arrests(Lang::Ar, 2), "حالتا اعتقال");
        assert_eq!(arrests(Lang::Ar, 5), "5 حالات اعتقال");
        assert_eq!(arrests(Lang::Ar, 43), "43 حالة اعتقال");
        assert_eq!(arrests(Lang::Ar, 100), "100 حالة اعتقال");
        assert_eq!(arrests(Lang::Ar, 105), "105 حالات اعتقال");
        assert_eq!(plural_category(Lang::Ar, 111), "many");
    }

    #[test]
    fn every_string_has_both_languages_with_the_same_placeholders() {
        let strings = Strings::embedded();
        let mut count = 0;
        for (key, en, ar) in strings.entries() {
            count += 1;
            assert!(!en.trim().is_empty(), "{key}: no English");
            assert!(!ar.trim().is_empty(), "{key}: no Arabic");
            assert!(
                ar.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)),
                "{key}: the Arabic text has no Arabic letter"
            );
            assert_eq!(
                placeholders(en),
                placeholders(ar),
                "{key}: placeholders differ"
            );
        }
        assert!(count > 50, "only {count} strings");
    }

    #[test]
    fn arabic_numbers_are_never_followed_by_the_counted_noun() {
        // The noun after a number changes with the number (3–10, 11–99, 100…), and a
        // figure can be any number: Arabic texts say "عدد …: {n}" instead.
        // Placeholders given counted phrases (the noun in its plural form) are not bare
        // numbers.
        const NOT_COUNTS: &[&str] = &[
            "name",
            "relative",
            "reported",
            "seen",
            "place",
            "undrawn",
            "outside",
            "age_unknown",
            "sex_unknown",
            "date",
            "from",
            "to",
            "region",
            "lists",
            "method",
            "level",
            "disappeared_share",
            "estimate",
            "low",
            "high",
        ];
        // Counted phrases put the noun in the form their number takes: they are the one
        // place a number is followed by its noun.
        let counted: Vec<&str> = Strings::embedded()
            .plural_entries()
            .into_iter()
            .map(|(key, _, _)| key)
            .collect();
        for (key, _, ar) in Strings::embedded().entries() {
            if counted.contains(&key) {
                continue;
            }
            for (i, _) in ar.match_indices('{') {
                let Some((name, rest)) = ar[i + 1..].split_once('}') else {
                    continue;
                };
                if NOT_COUNTS.contains(&name) {
                    continue;
                }
                let mut next = rest.chars();
                if next.next() == Some(' ')
                    && let Some(c) = next.next()
                {
                    assert!(
                        !('\u{0621}'..='\u{064A}').contains(&c) || c == 'و',
                        "{key}: {{{name}}} is followed by a word: {ar}"
                    );
                }
            }
        }
    }

    #[test]
    fn fill_replaces_every_placeholder() {
        let strings = Strings::embedded();
        let text = strings.fill(
            Lang::Ar,
            "period",
            &[("from", "2024-01".into()), ("to", "2024-06".into())],
        );
        assert_eq!(text, "الفترة: من 2024-01 إلى 2024-06");
        assert_eq!(strings.get(Lang::En, "no-such-key"), "no-such-key");
    }
}

/// The months as Syrian documents name them: the Levantine name, then the one used
/// elsewhere in the Arab world ("حزيران/يونيو").
const ARABIC_MONTHS: [&str; 12] = [
    "كانون الثاني/يناير",
    "شباط/فبراير",
    "آذار/مارس",
    "نيسان/أبريل",
    "أيار/مايو",
    "حزيران/يونيو",
    "تموز/يوليو",
    "آب/أغسطس",
    "أيلول/سبتمبر",
    "تشرين الأول/أكتوبر",
    "تشرين الثاني/نوفمبر",
    "كانون الأول/ديسمبر",
];

/// A date to be read inside a sentence. In Arabic, an ISO date ("2024-06") inside
/// right-to-left text is shown reversed by bidirectional layout ("06-2024") at a line's
/// end, so a date there is written in words, as Arabic reports write it: "حزيران/يونيو
/// 2024", "4 كانون الأول/ديسمبر 2026", "نحو 2019". English keeps the ISO form. A text that
/// is not one date of year, month or day precision is returned as it was, isolated
/// left-to-right (U+2066 … U+2069) so its order holds.
pub fn date_in_words(text: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return text.to_string();
    }
    let on = match athar_model::FuzzyDate::parse(text) {
        Ok(athar_model::FuzzyDate::On { date, approximate }) => Some((date, approximate)),
        _ => None,
    };
    let Some((date, approximate)) = on else {
        return format!("\u{2066}{text}\u{2069}");
    };
    let month = date
        .month_value()
        .and_then(|m| ARABIC_MONTHS.get(m as usize - 1));
    let words = match (date.day_value(), month) {
        (Some(day), Some(month)) => format!("{day} {month} {}", date.year_value()),
        (None, Some(month)) => format!("{month} {}", date.year_value()),
        _ => date.year_value().to_string(),
    };
    if approximate {
        format!("نحو {words}")
    } else {
        words
    }
}

#[cfg(test)]
mod dates {
    use super::*;

    #[test]
    fn dates_in_arabic_sentences_are_words_and_english_keeps_iso() {
        assert_eq!(date_in_words("2024-06", Lang::Ar), "حزيران/يونيو 2024");
        assert_eq!(
            date_in_words("2026-12-04", Lang::Ar),
            "4 كانون الأول/ديسمبر 2026"
        );
        assert_eq!(date_in_words("2019", Lang::Ar), "2019");
        assert_eq!(date_in_words("~2019-03", Lang::Ar), "نحو آذار/مارس 2019");
        assert_eq!(date_in_words("2024-06", Lang::En), "2024-06");
        // No Latin digits joined by a hyphen are left for the layout to turn around.
        for text in ["2024-01", "2024-06-30", "2018/2019"] {
            let words = date_in_words(text, Lang::Ar);
            assert!(
                !words.contains('-') || words.starts_with('\u{2066}'),
                "{words}"
            );
        }
    }
}
