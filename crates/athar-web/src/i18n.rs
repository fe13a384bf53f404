//! The words of the interface in Arabic and English, from Fluent message files
//! (`locales/ar.ftl`, `locales/en.ftl`) compiled into the binary. Fluent chooses the plural
//! form by CLDR's rules — Arabic's six (0 أشخاص، شخص واحد، شخصان، 3 أشخاص، 11 شخصًا، 100
//! شخص) and English's two — and isolates inserted names and places (FSI … PDI) so a Latin
//! name inside an Arabic sentence keeps its order. A test holds every message to both files.

use std::sync::OnceLock;

use athar_model::vocab::Lang;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

const ARABIC: &str = include_str!("../locales/ar.ftl");
const ENGLISH: &str = include_str!("../locales/en.ftl");

/// The interface's messages in both languages, parsed once.
pub struct Messages {
    ar: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

fn bundle(lang: &str, source: &str) -> Result<FluentBundle<FluentResource>, String> {
    let id = lang
        .parse()
        .map_err(|e| format!("language {lang}: {e:?}"))?;
    let resource = FluentResource::try_new(source.to_string())
        .map_err(|(_, errors)| format!("locales/{lang}.ftl: {errors:?}"))?;
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    bundle
        .add_resource(resource)
        .map_err(|errors| format!("locales/{lang}.ftl: {errors:?}"))?;
    Ok(bundle)
}

impl Messages {
    /// Parse the two message files (the tests check they parse).
    pub fn parse(arabic: &str, english: &str) -> Result<Messages, String> {
        Ok(Messages {
            ar: bundle("ar", arabic)?,
            en: bundle("en", english)?,
        })
    }

    /// The messages compiled into this binary.
    pub fn embedded() -> &'static Messages {
        static MESSAGES: OnceLock<Messages> = OnceLock::new();
        MESSAGES.get_or_init(|| {
            // The files are ours and checked by the tests: failing to read them is a build defect.
            Messages::parse(ARABIC, ENGLISH).unwrap_or_else(|e| panic!("{e}"))
        })
    }

    fn bundle(&self, lang: Lang) -> &FluentBundle<FluentResource> {
        match lang {
            Lang::Ar => &self.ar,
            Lang::En => &self.en,
        }
    }

    /// Message `key` in `lang` with its arguments; the key itself when it is missing (the
    /// tests keep both files whole, so a gap shows on the page instead of failing it).
    pub fn format(&self, lang: Lang, key: &str, args: Option<&FluentArgs<'_>>) -> String {
        let bundle = self.bundle(lang);
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            return key.to_string();
        };
        let mut errors = Vec::new();
        bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned()
    }

    /// The keys of one language's file, for the tests.
    pub fn keys(source: &str) -> Vec<String> {
        FluentResource::try_new(source.to_string())
            .map(|r| {
                r.entries()
                    .filter_map(|e| match e {
                        fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The two message files, for the tests.
    pub fn sources() -> (&'static str, &'static str) {
        (ARABIC, ENGLISH)
    }
}

/// The CLDR plural category of a whole number in a language (`zero`, `one`, `two`, `few`,
/// `many`, `other`), by ICU4X's compiled plural rules. Fluent's own selector is not used
/// for numbers: the rules built into it (intl_pluralrules 7.0, CLDR 37) test Arabic's
/// `few` and `many` on the whole number instead of its last two digits, so 103 came out
/// `other` where CLDR says `few`.
pub fn plural_form(lang: Lang, n: u64) -> &'static str {
    use icu_plurals::{PluralCategory, PluralRules};
    thread_local! {
        // Compiled data, cheap to load; the rules are not shared between threads.
        static RULES: (Option<PluralRules>, Option<PluralRules>) = (
            PluralRules::try_new(icu_locale_core::locale!("ar").into(), Default::default()).ok(),
            PluralRules::try_new(icu_locale_core::locale!("en").into(), Default::default()).ok(),
        );
    }
    let category = RULES.with(|(ar, en)| {
        let rules = match lang {
            Lang::Ar => ar,
            Lang::En => en,
        };
        rules.as_ref().map(|r| r.category_for(n))
    });
    match category {
        Some(PluralCategory::Zero) => "zero",
        Some(PluralCategory::One) => "one",
        Some(PluralCategory::Two) => "two",
        Some(PluralCategory::Few) => "few",
        Some(PluralCategory::Many) => "many",
        _ => "other",
    }
}

/// How numbers are written: Western digits (0–9, the default) or Arabic-Indic (٠–٩), a
/// reader's setting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Digits {
    #[default]
    Western,
    ArabicIndic,
}

impl Digits {
    /// `latn` or `arab` (as CLDR names the numbering systems), for cookies and links.
    pub fn code(self) -> &'static str {
        match self {
            Digits::Western => "latn",
            Digits::ArabicIndic => "arab",
        }
    }

    /// The digits of `text` written in this system; nothing else changes.
    pub fn write(self, text: &str) -> String {
        match self {
            Digits::Western => text.to_string(),
            Digits::ArabicIndic => text
                .chars()
                .map(|c| match c.to_digit(10) {
                    Some(d) if c.is_ascii_digit() => char::from_u32(0x0660 + d).unwrap_or(c),
                    _ => c,
                })
                .collect(),
        }
    }
}

/// The messages in one language, as templates use them.
#[derive(Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
    /// How numbers the interface writes are written (never names or values as typed).
    pub digits: Digits,
    messages: &'static Messages,
}

impl Tr {
    pub fn new(lang: Lang) -> Tr {
        Tr {
            lang,
            digits: Digits::Western,
            messages: Messages::embedded(),
        }
    }

    /// The same, writing numbers with `digits`.
    pub fn with_digits(self, digits: Digits) -> Tr {
        Tr { digits, ..self }
    }

    /// A number the interface writes (a count, a day, a year), in the reader's digits.
    pub fn num(&self, n: impl std::fmt::Display) -> String {
        self.digits.write(&n.to_string())
    }

    /// A message without arguments.
    pub fn t(&self, key: &str) -> String {
        self.messages.format(self.lang, key, None)
    }

    /// A counted message: `$n` is the number, `$form` its CLDR plural category, which the
    /// message's variants select on.
    pub fn n(&self, key: &str, n: impl std::borrow::Borrow<u64>) -> String {
        let n = *n.borrow();
        let mut args = FluentArgs::new();
        args.set("n", FluentValue::from(self.num(n)));
        args.set("form", FluentValue::from(plural_form(self.lang, n)));
        self.messages.format(self.lang, key, Some(&args))
    }

    /// A message with one text argument.
    pub fn with(&self, key: &str, name: &str, value: &str) -> String {
        let mut args = FluentArgs::new();
        args.set(name.to_string(), FluentValue::from(value.to_string()));
        self.messages.format(self.lang, key, Some(&args))
    }

    /// A message with two text arguments.
    pub fn two(&self, key: &str, a: (&str, &str), b: (&str, &str)) -> String {
        let mut args = FluentArgs::new();
        args.set(a.0.to_string(), FluentValue::from(a.1.to_string()));
        args.set(b.0.to_string(), FluentValue::from(b.1.to_string()));
        self.messages.format(self.lang, key, Some(&args))
    }

    /// A message with any number of text arguments.
    pub fn args(&self, key: &str, values: &[(&str, &str)]) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in values {
            args.set(name.to_string(), FluentValue::from(value.to_string()));
        }
        self.messages.format(self.lang, key, Some(&args))
    }

    /// `ar` or `en`, for `lang` attributes.
    pub fn code(&self) -> &'static str {
        match self.lang {
            Lang::Ar => "ar",
            Lang::En => "en",
        }
    }

    /// `rtl` or `ltr`, for `dir` attributes.
    pub fn dir(&self) -> &'static str {
        match self.lang {
            Lang::Ar => "rtl",
            Lang::En => "ltr",
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn arabic_indic_digits_replace_western_ones_and_nothing_else() {
        assert_eq!(
            Digits::ArabicIndic.write("12 آذار 2019، 09:05"),
            "١٢ آذار ٢٠١٩، ٠٩:٠٥"
        );
        assert_eq!(Digits::Western.write("12 March"), "12 March");
        let tr = Tr::new(Lang::Ar).with_digits(Digits::ArabicIndic);
        assert_eq!(
            tr.n("persons-all", 11u64)
                .replace(['\u{2068}', '\u{2069}'], ""),
            "١١ شخصًا"
        );
    }

    use super::*;

    /// Without the bidi isolation marks Fluent puts around inserted values.
    fn plain(s: String) -> String {
        s.replace(['\u{2068}', '\u{2069}'], "")
    }

    #[test]
    fn every_message_is_in_both_languages() {
        let (ar, en) = Messages::sources();
        let (mut ar_keys, mut en_keys) = (Messages::keys(ar), Messages::keys(en));
        assert!(ar_keys.len() > 40, "{ar_keys:?}");
        ar_keys.sort();
        en_keys.sort();
        let only_ar: Vec<_> = ar_keys.iter().filter(|k| !en_keys.contains(k)).collect();
        let only_en: Vec<_> = en_keys.iter().filter(|k| !ar_keys.contains(k)).collect();
        assert!(
            only_ar.is_empty() && only_en.is_empty(),
            "only in ar.ftl: {only_ar:?}; only in en.ftl: {only_en:?}"
        );
        // Both files parse whole (a syntax error would drop a message silently).
        assert!(Messages::parse(ar, en).is_ok());
        let tr = Tr::new(Lang::Ar);
        for key in &ar_keys {
            assert_ne!(tr.t(key), *key, "{key} has no value");
        }
    }

    #[test]
    fn counted_messages_take_each_languages_plural_forms() {
        let ar = Tr::new(Lang::Ar);
        let cases = [
            (0, "لا أحد"),
            (1, "شخص واحد"),
            (2, "شخصان"),
            (3, "3 أشخاص"),
            (10, "10 أشخاص"),
            (11, "11 شخصًا"),
            (99, "99 شخصًا"),
            (100, "100 شخص"),
            (103, "103 أشخاص"),
            (111, "111 شخصًا"),
        ];
        for (n, expected) in cases {
            assert_eq!(plain(ar.n("persons-all", n)), expected, "{n}");
        }
        let en = Tr::new(Lang::En);
        assert_eq!(plain(en.n("persons-all", 1u64)), "One person");
        assert_eq!(plain(en.n("persons-all", 2u64)), "2 persons");
        assert_eq!(
            plain(en.n("persons-found", 3u64)),
            "3 persons found, closest first"
        );
        assert_eq!(plural_form(Lang::Ar, 1003), "few");
        assert_eq!(plural_form(Lang::Ar, 1011), "many");
        assert_eq!(plural_form(Lang::Ar, 1000), "other");
    }

    #[test]
    fn inserted_names_are_isolated_from_the_sentence_around_them() {
        let ar = Tr::new(Lang::Ar);
        let text = ar.with("nav-signed-in-as", "name", "amal");
        assert!(text.contains("\u{2068}amal\u{2069}"), "{text:?}");
    }
}
