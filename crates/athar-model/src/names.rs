//! Names as linkage compares them and search will find them: the same name written in
//! Arabic script or in any Latin transliteration reduces to the same *skeleton*. Pure
//! functions of the text, here in the domain core so that the store's blind index and the
//! linkage engine reduce names the same way.
//!
//! Steps, for each name part:
//!
//! 1. **Fold** (`crate::text::fold`): Arabic diacritics and tatweel dropped, alef and
//!    hamza forms unified, ى → ي, ة → ه; Latin lower-cased, accents and apostrophes dropped,
//!    hyphens to spaces.
//! 2. **Particles**: the article (ال, al-, el-, ul-, and the sun-letter forms ar-, as-, ash- …)
//!    is dropped; `abd` (عبد, abdel, abdul, abdur …) and `abu` (ابو, abou) are joined to the
//!    name that follows; the second halves `al-din` (الدين, eddine, uddin) and `allah` (الله,
//!    ullah) are joined to the name before; `bin`, `ibn`, `bint` (بن, ابن, بنت) are dropped.
//!    So «عبد الرحمن», "Abd al-Rahman", "Abdel Rahman" and "Abdulrahman" are one token.
//! 3. **Skeleton**: each token becomes consonant classes shared by both scripts (ح, ه and h
//!    are `h`; خ and kh are `x`; ش, sh and ch are `c`; ث, ت, ط, th and t are `t`; د, ض, ذ, ظ,
//!    dh and d are `d`; ق, ك, k, q and c are `k`; ج, j, g and dj are `j` …). Vowels (ا و ي and a e i o u w y) are kept only as the
//!    first letter (`a`, `w` or `y`), a final h (ة, ه, -ah, -eh) is dropped, and doubled
//!    classes collapse. محمد, Mohammad, Muhammad and Mohamed all become `mhmd`.
//!
//! The skeleton is deliberately coarse; the comparisons above it grade how close two
//! skeletons are, and the fields around a name (dates, places, parents) decide.

use crate::text::fold;

/// One name, reduced: its tokens after particles were handled, each as a skeleton.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NameTokens {
    /// The written tokens after folding and particle handling, in the order written.
    pub forms: Vec<String>,
    /// The skeleton of each token in `forms`; never empty strings.
    pub skeletons: Vec<String>,
}

impl NameTokens {
    /// The whole name as one skeleton (tokens joined), as the comparison of one name part uses.
    pub fn joined(&self) -> Option<String> {
        if self.skeletons.is_empty() {
            None
        } else {
            Some(self.skeletons.concat())
        }
    }

    /// The whole name as one skeleton with each translated token read as the Arabic name it
    /// translates ([`translated_skeleton`]), when any token is one.
    pub fn joined_translated(&self) -> Option<String> {
        self.joined_reading(translated_skeleton)
    }

    /// The whole name as one skeleton under the other reading of its ambiguous letters
    /// ([`alternate_skeleton`]), when any token reads otherwise.
    pub fn joined_alternate(&self) -> Option<String> {
        self.joined_reading(alternate_skeleton)
    }

    /// The tokens' skeletons joined, each token read by `read` where it gives a reading;
    /// `None` when no token does.
    fn joined_reading(&self, read: fn(&str) -> Option<String>) -> Option<String> {
        let mut any = false;
        let joined: String = self
            .forms
            .iter()
            .zip(&self.skeletons)
            .map(|(form, skeleton)| match read(form) {
                Some(other) => {
                    any = true;
                    other
                }
                None => skeleton.clone(),
            })
            .collect();
        any.then_some(joined)
    }
}

/// Reduce a name as written to its skeleton tokens.
pub fn name_tokens(raw: &str) -> NameTokens {
    let folded = fold(raw);
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    let mut out = NameTokens::default();
    for token in join_particles(&words, &hamza_al_words(raw)) {
        let s = skeleton(&token);
        if !s.is_empty() {
            out.forms.push(token);
            out.skeletons.push(s);
        }
    }
    out
}

/// The words inside a name's compounds that are names on their own — «نور» of «نور الدين»,
/// «رحمن» of «عبد الرحمن», "bakr" of "Abu Bakr" — so that a search for one finds the
/// compound too; so is the head of a compound ("abd", "abu"), written one way. Articles,
/// `al-din`, `allah` and `bin` are not among them.
pub fn compound_parts(raw: &str) -> NameTokens {
    let whole = name_tokens(raw);
    let folded = fold(raw);
    let exempt = hamza_al_words(raw);
    let mut out = NameTokens::default();
    for word in folded.split(' ').filter(|w| !w.is_empty()) {
        // A compound's head stands for all of them: "Abd" finds every Abd-name.
        let stripped = if ABD_FORMS.contains(&word) {
            if is_arabic(word) { "عبد" } else { "abd" }
        } else if ABU_FORMS.contains(&word) {
            if is_arabic(word) { "ابو" } else { "abu" }
        } else {
            strip_any_article(word, &exempt)
        };
        if LATIN_ARTICLES.contains(&word)
            || word == "ال"
            || [PATRONYMIC_MARKERS, DIN_FORMS, ALLAH_FORMS]
                .iter()
                .any(|forms| forms.contains(&word) || forms.contains(&stripped))
            || whole.forms.iter().any(|f| f == stripped)
            || out.forms.iter().any(|f| f == stripped)
        {
            continue;
        }
        let form = split_glued_compound(stripped);
        if whole.forms.contains(&form) {
            continue;
        }
        let s = skeleton(&form);
        if !s.is_empty() {
            out.forms.push(form);
            out.skeletons.push(s);
        }
    }
    out
}

/// The skeleton of a whole name part (its tokens joined), or `None` when nothing is left.
pub fn name_skeleton(raw: &str) -> Option<String> {
    name_tokens(raw).joined()
}

const LATIN_ARTICLES: &[&str] = &[
    "al", "el", "ul", "il", "ol", "ad", "ar", "as", "ash", "at", "az", "an", "ath", "adh", "ed",
    "er", "es", "et", "ez", "en", "ud", "ur", "us", "ut", "uz", "un",
];
const PATRONYMIC_MARKERS: &[&str] = &["bin", "ibn", "ben", "bint", "bent", "بن", "ابن", "بنت"];
const ABD_FORMS: &[&str] = &[
    "abd", "abdel", "abdul", "abdal", "abdol", "abdoul", "abdu", "abdi", "abdur", "abder", "abdar",
    "abdus", "abdes", "abdas", "abdun", "abdul", "عبد",
];
const ABU_FORMS: &[&str] = &["abu", "abou", "abo", "ابو"];
const DIN_FORMS: &[&str] = &[
    "din", "deen", "dine", "eddin", "eddine", "uddin", "uddeen", "addin", "aldin", "eldin",
    "eldine", "ud din", "دين",
];
const ALLAH_FORMS: &[&str] = &["allah", "ullah", "ollah", "illah", "alla", "الله", "له"];

/// Arabic names that begin with the letters ال without an article in them.
const ARABIC_AL_NAMES: &[&str] = &["الياس", "الهام", "اليسا", "الفت", "الماس", "اليس", "الين"];

fn is_arabic(word: &str) -> bool {
    word.chars()
        .next()
        .is_some_and(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
}

/// Remove an article glued to an Arabic word (الحسن → حسن) and return the rest.
fn strip_arabic_article(word: &str) -> &str {
    if ARABIC_AL_NAMES.contains(&word) {
        return word;
    }
    match word.strip_prefix("ال") {
        Some(rest) if rest.chars().count() >= 2 => rest,
        _ => word,
    }
}

/// Remove a Latin article glued by a hyphen-less join after a compound head: "allah" → "lah",
/// "ulrahman" → "rahman", "urrahman" → "rrahman", "errahman" → "rrahman".
fn strip_glued_latin_article(rest: &str) -> &str {
    for prefix in ["oul", "ul", "el", "al", "ol", "il"] {
        if let Some(r) = rest.strip_prefix(prefix)
            && r.len() >= 2
        {
            return r;
        }
    }
    // Sun-letter assimilation: a vowel then a doubled consonant ("urrahman", "essalam").
    let b = rest.as_bytes();
    if b.len() >= 4 && matches!(b[0], b'a' | b'e' | b'u' | b'o' | b'i') && b[1] == b[2] {
        return &rest[1..];
    }
    if let Some(r) = rest.strip_prefix(['a', 'e', 'u', 'o', 'i'])
        && r.len() >= 3
    {
        return r;
    }
    rest
}

/// The article taken off a word, unless the word is one written with أل or آل (`exempt`,
/// folded): the article's alef never carries a hamza, so آلاء, ألبرت and آلان keep their
/// letters.
fn strip_any_article<'w>(word: &'w str, exempt: &[String]) -> &'w str {
    if is_arabic(word) && !exempt.iter().any(|e| e == word) {
        strip_arabic_article(word)
    } else {
        word
    }
}

/// The words of a name as written that begin with أل or آل (hamza or madda on the alef,
/// also as a separate mark), folded: names in which those letters are no article.
fn hamza_al_words(raw: &str) -> Vec<String> {
    raw.split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .filter(|w| {
            let mut letters = w.chars().filter(|c| !matches!(c, '\u{064B}'..='\u{0652}'));
            matches!(
                (letters.next(), letters.next(), letters.next()),
                (Some('أ' | 'آ'), Some('ل'), _)
                    | (Some('ا'), Some('\u{0653}' | '\u{0654}'), Some('ل'))
            )
        })
        .map(fold)
        .collect()
}

/// Handle articles, compounds and patronymic markers; returns the tokens to skeletonise.
fn join_particles(words: &[&str], exempt: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        let next_exists = i + 1 < words.len();
        // A standalone Latin article before another word, or «ال» alone.
        if next_exists && (LATIN_ARTICLES.contains(&w) || w == "ال") {
            // "Nour al-Din": the article belongs to a following din/allah half.
            i += 1;
            continue;
        }
        if PATRONYMIC_MARKERS.contains(&w) && !out.is_empty() && next_exists {
            i += 1;
            continue;
        }
        let stripped = strip_any_article(w, exempt);
        // Second halves joined to the name before.
        if !out.is_empty() && (DIN_FORMS.contains(&stripped) || ALLAH_FORMS.contains(&stripped)) {
            // "Abd Allah": the head already waits in `out` (see below); both join.
            if let Some(last) = out.last_mut() {
                last.push_str(if is_arabic(stripped) {
                    stripped
                } else {
                    normalise_second_half(stripped)
                });
            }
            i += 1;
            continue;
        }
        // Heads joined to the name after.
        if next_exists && (ABD_FORMS.contains(&w) || ABU_FORMS.contains(&w)) {
            let mut j = i + 1;
            while j < words.len() && (LATIN_ARTICLES.contains(&words[j]) || words[j] == "ال") {
                j += 1;
            }
            if j < words.len() {
                let head = if ABU_FORMS.contains(&w) {
                    if is_arabic(w) { "ابو" } else { "abu" }
                } else if is_arabic(w) {
                    "عبد"
                } else {
                    "abd"
                };
                let tail = if is_arabic(words[j]) {
                    strip_arabic_article(words[j])
                } else {
                    strip_glued_latin_article(words[j])
                };
                let tail = if ALLAH_FORMS.contains(&tail) && !is_arabic(tail) {
                    "lah"
                } else {
                    tail
                };
                out.push(format!("{head}{tail}"));
                i = j + 1;
                continue;
            }
        }
        out.push(split_glued_compound(stripped));
        i += 1;
    }
    out
}

fn normalise_second_half(half: &str) -> &str {
    if ALLAH_FORMS.contains(&half) {
        "lah"
    } else {
        "din"
    }
}

/// One written word holding a compound: "Abdulrahman" → "abdrahman", "عبدالرحمن" → "عبدرحمن",
/// "Nureddin" stays (its skeleton already equals that of "Nour al-Din").
fn split_glued_compound(word: &str) -> String {
    if is_arabic(word) {
        // «نورالدين», «فضلالله»: the second half written joined to the first.
        for (suffix, half) in [("الدين", "دين"), ("الله", "له")] {
            if let Some(head) = word.strip_suffix(suffix)
                && head.chars().count() >= 2
                && !head.starts_with("عبد")
            {
                return format!("{head}{half}");
            }
        }
        if let Some(rest) = word.strip_prefix("عبد")
            && rest.chars().count() >= 2
        {
            return format!("عبد{}", strip_arabic_article(rest));
        }
        if let Some(rest) = word.strip_prefix("ابو")
            && rest.chars().count() >= 2
        {
            return format!("ابو{}", strip_arabic_article(rest));
        }
        return word.to_string();
    }
    if let Some(rest) = word.strip_prefix("abd")
        && rest.len() >= 3
    {
        return format!("abd{}", strip_glued_latin_article(rest));
    }
    word.to_string()
}

/// How a token may end, which transliteration keeps even where the skeleton does not: in
/// an a-vowel (علا, Ola; فاطمة, Fatima), an i-vowel (علي, Ali), a u-vowel (ابو, Abu) or a
/// consonant (علم, Alam). A written ending can stand for several: folding writes ى as ي,
/// so a final ي may be an a (مصطفى, Mustafa) or an i; a Latin "-eh" may be ة or ح.
/// Search ranks a name sharing skeleton and an ending above one sharing the skeleton only,
/// so that "Ali" finds علي before علا.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endings(u8);

impl Endings {
    pub const A: Endings = Endings(1);
    pub const I: Endings = Endings(2);
    pub const U: Endings = Endings(4);
    pub const CONSONANT: Endings = Endings(8);
    /// Any ending.
    pub const ANY: Endings = Endings(15);

    const fn or(self, other: Endings) -> Endings {
        Endings(self.0 | other.0)
    }

    /// Whether two written endings may be the same spoken one.
    pub fn meet(self, other: Endings) -> bool {
        self.0 & other.0 != 0
    }
}

/// The endings one folded token (a form of [`name_tokens`]) may stand for.
pub fn endings(token: &str) -> Endings {
    spoken_endings(written_ending(token))
}

/// How a token's end is written, as one letter for each set of spoken endings it may
/// stand for: `a` (ا ة ه; a), `e` (ي ى — folding writes ى as ي — and Latin e: an a or an
/// i), `i` (Latin i, y), `u` (و; o, u, a vowel and w), `E` (ع, written as a vowel, an
/// apostrophe or nothing: "Rabee", "Rabi'"), `1`–`4` (-ah, -ih, -eh, -uh: ة/ه or ح), `c`
/// (a consonant). Search stores this one letter per word and looks for every written
/// ending that may sound the same ([`spoken_endings`]).
pub fn written_ending(token: &str) -> char {
    if is_arabic(token) {
        let mut letters = token.chars().filter(|c| *c != 'ء');
        return match letters.next_back() {
            Some('ا' | 'ة' | 'ه' | 'آ' | 'أ' | 'إ') => 'a',
            Some('ي' | 'ى' | 'ئ') => 'e',
            Some('و' | 'ؤ') => 'u',
            Some('ع') => 'E',
            _ => 'c',
        };
    }
    let vowel = |c: u8| match c {
        b'a' => Some('a'),
        b'i' | b'y' => Some('i'),
        b'e' => Some('e'),
        b'u' | b'o' => Some('u'),
        _ => None,
    };
    match token.as_bytes() {
        [.., v, b'h'] if vowel(*v).is_some() => match vowel(*v) {
            Some('a') => '1',
            Some('i') => '2',
            Some('e') => '3',
            _ => '4',
        },
        [.., v, b'w'] if vowel(*v).is_some() => 'u',
        [.., c] => vowel(*c).unwrap_or('c'),
        [] => 'c',
    }
}

/// Every written ending (see [`written_ending`]).
pub const WRITTEN_ENDINGS: [char; 10] = ['a', 'e', 'i', 'u', 'E', '1', '2', '3', '4', 'c'];

/// The spoken endings a written one may stand for.
pub fn spoken_endings(written: char) -> Endings {
    match written {
        'a' => Endings::A,
        'e' => Endings::I.or(Endings::A),
        'i' => Endings::I,
        'u' => Endings::U,
        'E' => Endings::ANY,
        '1' => Endings::A.or(Endings::CONSONANT),
        '2' => Endings::I.or(Endings::CONSONANT),
        '3' => Endings::A.or(Endings::I).or(Endings::CONSONANT),
        '4' => Endings::U.or(Endings::CONSONANT),
        _ => Endings::CONSONANT,
    }
}

/// The vowel of a token's last syllable — between its last two consonants — as written,
/// which tells names apart that share a skeleton: محمد has none there, محمود a و
/// (Muhammad and Mahmoud); حسن none, حسين a ي (Hassan and Hussein). One letter:
///
/// - Arabic: `S` nothing written (a short vowel), `A` ا, `I` ي, `U` و;
/// - Latin: `S` nothing, `a`, `e`, `i` (i, y), `u` (o, u) for one vowel letter, which may
///   be short or long; `A`, `I` (ee, ei, ai, ay, ie …), `U` (ou, oo, uu, ow) for two,
///   which write a long vowel;
/// - `x` when the token has fewer than two consonants after its first letter.
///
/// [`medials_close_to`] says which of them may be the same vowel.
pub fn medial(token: &str) -> char {
    let arabic = is_arabic(token);
    let letters: Vec<char> = token.chars().filter(|c| *c != 'ء').collect();
    let is_vowel = |c: char| {
        if arabic {
            matches!(
                c,
                'ا' | 'و' | 'ي' | 'ى' | 'ة' | 'آ' | 'أ' | 'إ' | 'ئ' | 'ؤ' | 'ع'
            )
        } else {
            matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'w')
        }
    };
    // The last consonant: before any final vowels, and before a final h after a vowel
    // (ة written -ah/-eh, or ه).
    let mut end = letters.len();
    if arabic {
        while end > 0 && (is_vowel(letters[end - 1]) || letters[end - 1] == 'ه') {
            end -= 1;
        }
    } else {
        if end >= 2 && letters[end - 1] == 'h' && is_vowel(letters[end - 2]) {
            end -= 1;
        }
        while end > 0 && is_vowel(letters[end - 1]) {
            end -= 1;
        }
    }
    if end <= 1 {
        return 'x';
    }
    let last = end - 1;
    let mut start = last;
    while start > 0 && is_vowel(letters[start - 1]) {
        start -= 1;
    }
    if start == 0 {
        return 'x';
    }
    let between: String = letters[start..last].iter().collect();
    if arabic {
        return match between.chars().last() {
            None => 'S',
            Some('ا' | 'آ' | 'أ' | 'إ') => 'A',
            Some('ي' | 'ى' | 'ئ') => 'I',
            Some('و' | 'ؤ') => 'U',
            Some(_) => 'S',
        };
    }
    match between.as_str() {
        "" => 'S',
        "a" => 'a',
        "e" => 'e',
        "i" | "y" => 'i',
        "o" | "u" => 'u',
        "ou" | "oo" | "uu" | "ow" | "aw" | "au" | "ao" => 'U',
        "aa" => 'A',
        _ => 'I',
    }
}

/// Every medial vowel (see [`medial`]).
pub const MEDIALS: [char; 9] = ['S', 'a', 'e', 'i', 'u', 'A', 'I', 'U', 'x'];

/// The medial vowels that may be the same as `m` in another spelling or script: nothing
/// written in Arabic may be any one Latin vowel letter; one Latin letter may be short or
/// long; a written long vowel is only itself or the one letter that writes it.
pub fn medials_close_to(m: char) -> &'static [char] {
    match m {
        'S' => &['S', 'a', 'e', 'i', 'u'],
        'a' => &['a', 'e', 'S', 'A'],
        'e' => &['e', 'a', 'i', 'S', 'A', 'I'],
        'i' => &['i', 'e', 'S', 'I'],
        'u' => &['u', 'S', 'U'],
        'A' => &['A', 'a', 'e'],
        'I' => &['I', 'i', 'e'],
        'U' => &['U', 'u'],
        _ => &['x'],
    }
}

/// The token's skeleton under the other common reading of its ambiguous letters, when that
/// differs from [`skeleton`]:
///
/// - Arabic script: ظ and ذ read as z (Hafez for حافظ, Kazem for كاظم, Zafer for ظافر) and
///   ث as s (Osman for عثمان) — Levantine and Turkish spellings;
/// - Latin letters: "th" as ذ (Hathal for هذال, Thiab for ذياب), "zh" as z and h (Azhar for
///   أزهر), "ch" as k and c before e, i or y as s (Christian, Francis), g as غ (Gazi for
///   غازي, Gassan for غسان), an s between vowels as ز (Cesar for سيزار, Teresa for تيريزا), a
///   final -at or -et as ة (Hayat for حياة, Izzat for عزة), an h between a vowel and a
///   consonant as ع (Nehme for نعمة), and a joined article dropped (Alsabti for السبتي, Elkhatib for الخطيب, Alamoudi for
///   العمودي);
///
/// A name that European languages translate is read by [`translated_skeleton`] besides.
/// Linkage takes two names whose skeletons meet under either reading as written the same
/// way. All the alternatives of a token are taken at once.
pub fn alternate_skeleton(token: &str) -> Option<String> {
    let alternate = if is_arabic(token) {
        let read: String = token
            .chars()
            .map(|c| match c {
                'ظ' | 'ذ' => 'ز',
                'ث' => 'س',
                c => c,
            })
            .collect();
        skeleton(&read)
    } else {
        let mut text = token;
        let mut article_dropped = false;
        for article in ["al", "el"] {
            // Before a consonant (w and y included: AlYawar) four letters must remain,
            // before a vowel six (Alamoudi for العمودي, but not Eleanor).
            if let Some(rest) = text.strip_prefix(article)
                && rest.starts_with(|c: char| c.is_ascii_alphabetic())
                && rest.len()
                    >= if rest.starts_with(|c: char| "aeiou".contains(c)) {
                        6
                    } else {
                        4
                    }
            {
                text = rest;
                article_dropped = true;
                break;
            }
        }
        let b = text.as_bytes();
        let mut read = String::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            let next = b.get(i + 1).copied();
            match (b[i], next) {
                (b't', Some(b'h')) => {
                    read.push('d');
                    i += 2;
                }
                (b'z', Some(b'h')) => {
                    // z and h apart: a class each ("azhar" is a-z-h-r).
                    read.push_str("z-h");
                    i += 2;
                }
                (b'c', Some(b'h')) => {
                    read.push('k');
                    i += 2;
                }
                (b'c', Some(b'e' | b'i' | b'y')) => {
                    read.push('s');
                    i += 1;
                }
                (b'g', Some(b'h')) => {
                    read.push_str("gh");
                    i += 2;
                }
                (b'g', _) => {
                    read.push_str("gh");
                    i += 1;
                }
                // Not with a joined article too: Alqaisi is القيسي.
                (b's', Some(n))
                    if !article_dropped
                        && i > 0
                        && is_latin_vowel(b[i - 1])
                        && is_latin_vowel(n) =>
                {
                    read.push('z');
                    i += 1;
                }
                // An h after a vowel and before a consonant for ع (Nehme for نعمة, Tohme
                // for طعمة).
                (b'h', Some(n))
                    if i > 0
                        && matches!(b[i - 1], b'a' | b'e' | b'i' | b'o' | b'u')
                        && n.is_ascii_lowercase()
                        && !is_latin_vowel(n)
                        && n != b'h' =>
                {
                    read.push('e');
                    i += 1;
                }
                // A final -at or -et for ة (Hayat, Izzat): read as the -ah it stands for.
                (b't', None) if i >= 2 && matches!(b[i - 1], b'a' | b'e') => {
                    read.push('h');
                    i += 1;
                }
                (c, _) => {
                    read.push(c as char);
                    i += 1;
                }
            }
        }
        let classes: Vec<u8> = read.split('-').flat_map(latin_classes).collect();
        finish(classes)
    };
    (alternate != skeleton(token) && !alternate.is_empty()).then_some(alternate)
}

fn is_latin_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

/// Latin forms of names that European languages translate, with the Arabic name each stands
/// for (`data/names/translations.tsv`, folded).
static TRANSLATIONS: std::sync::LazyLock<std::collections::HashMap<&'static str, String>> =
    std::sync::LazyLock::new(|| {
        include_str!("../../../data/names/translations.tsv")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with("arabic\t"))
            .filter_map(|l| l.split_once('\t'))
            .flat_map(|(arabic, latin)| {
                let arabic = fold(arabic);
                latin
                    .split('|')
                    .map(move |form| (form.trim(), arabic.clone()))
            })
            .collect()
    });

/// Whether a folded Latin token is a translated name ([`TRANSLATIONS`]): its vowels say
/// nothing about the Arabic name's.
pub fn is_translated_name(token: &str) -> bool {
    TRANSLATIONS.contains_key(token)
}

/// The skeleton of the Arabic name a folded Latin token translates (Joseph for يوسف, Moses
/// for موسى; `data/names/translations.tsv`), when it is one. A reading besides the letters'
/// own and [`alternate_skeleton`]'s: Joseph is يوسف translated and جوزيف transliterated.
pub fn translated_skeleton(token: &str) -> Option<String> {
    TRANSLATIONS.get(token).map(|arabic| skeleton(arabic))
}

/// The table of names attested in the Levant (`data/names/levant-names.tsv`; see its
/// NOTICE): `role sex arabic weight latin|latin…`, one name a line, the most attested first.
pub const LEVANT_NAMES: &str = include_str!("../../../data/names/levant-names.tsv");

/// One name of [`LEVANT_NAMES`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestedName<'t> {
    /// `given` or `family`.
    pub role: &'t str,
    /// `m`, `f`, or `-` for a family name.
    pub sex: &'t str,
    pub arabic: &'t str,
    /// How often it is attested.
    pub weight: u64,
    /// Latin spellings, most attested first; never empty.
    pub latin: Vec<&'t str>,
}

/// The names of a table in the form of [`LEVANT_NAMES`]; comments, the header and malformed
/// lines are skipped.
pub fn attested_names(text: &str) -> impl Iterator<Item = AttestedName<'_>> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("role\t"))
        .filter_map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            let [role, sex, arabic, weight, latin] = cols.as_slice() else {
                return None;
            };
            let latin: Vec<&str> = latin.split('|').filter(|s| !s.is_empty()).collect();
            (!arabic.is_empty() && !latin.is_empty()).then_some(AttestedName {
                role,
                sex,
                arabic,
                weight: weight.parse().ok()?,
                latin,
            })
        })
}

/// Each Arabic form of [`LEVANT_NAMES`] and each of its Latin spellings, reduced as
/// [`name_tokens`] reduces a name (tokens joined by spaces), with the Arabic forms it writes,
/// the most attested first (the table is in that order).
static ATTESTED: std::sync::LazyLock<std::collections::HashMap<String, Vec<String>>> =
    std::sync::LazyLock::new(|| {
        let mut out: std::collections::HashMap<String, Vec<String>> =
            std::collections::HashMap::new();
        let mut add = |form: String, arabic: &String| {
            let names = out.entry(form).or_default();
            if !names.contains(arabic) {
                names.push(arabic.clone());
            }
        };
        let reduced = |name: &str| name_tokens(name).forms.join(" ");
        for name in attested_names(LEVANT_NAMES) {
            let arabic = reduced(name.arabic);
            if arabic.is_empty() {
                continue;
            }
            for spelling in name.latin.into_iter().map(reduced) {
                if !spelling.is_empty() && spelling != arabic {
                    add(spelling, &arabic);
                }
            }
            add(arabic.clone(), &arabic);
        }
        out
    });

/// Whether a name, reduced by [`name_tokens`] and its forms joined by spaces, is one attested
/// in the Levant, in Arabic script or in one of its usual Latin spellings. Linkage uses it to
/// tell a mistyped name (محدم for محمد) from another name (محمود): two attested names a letter
/// apart are two names, brothers' as often as not.
pub fn is_attested_name(form: &str) -> bool {
    ATTESTED.contains_key(form)
}

/// The Arabic forms (reduced) an attested name writes ([`is_attested_name`]), the most
/// attested first: itself for an Arabic form, the names it spells for a Latin one (Mohd for
/// محمد, Halil for خليل, Nicolas for نيكولا and نقولا); empty when it is not attested.
/// Linkage takes an attested spelling and a name it spells as one name — the same table
/// that says two names a letter apart are two names says these are one.
pub fn attested_arabic_forms(form: &str) -> &'static [String] {
    ATTESTED.get(form).map_or(&[], Vec::as_slice)
}

/// Every attested written form ([`is_attested_name`]) with the Arabic names it writes, and
/// where each form and each form with one letter left out is found: two forms one typing
/// error apart share such a key (a symmetric-deletion index).
struct OneEditIndex {
    forms: Vec<(Vec<char>, &'static [String])>,
    by_key: std::collections::HashMap<String, Vec<u32>>,
}

static ONE_EDIT: std::sync::LazyLock<OneEditIndex> = std::sync::LazyLock::new(|| {
    let attested: &'static std::collections::HashMap<String, Vec<String>> = &ATTESTED;
    let mut index = OneEditIndex {
        forms: Vec::with_capacity(attested.len()),
        by_key: std::collections::HashMap::new(),
    };
    let mut keys = Vec::new();
    for (form, names) in attested {
        let chars: Vec<char> = form.chars().collect();
        let at = index.forms.len() as u32;
        deletion_keys(&chars, &mut keys);
        for key in keys.drain(..) {
            let slot = index.by_key.entry(key).or_default();
            if slot.last() != Some(&at) {
                slot.push(at);
            }
        }
        index.forms.push((chars, names.as_slice()));
    }
    index
});

/// A form and the forms it makes with one letter left out, each once.
fn deletion_keys(chars: &[char], out: &mut Vec<String>) {
    out.push(chars.iter().collect());
    for skip in 0..chars.len() {
        // Leaving out either of two equal neighbours makes the same key.
        if skip > 0 && chars[skip] == chars[skip - 1] {
            continue;
        }
        out.push(
            chars
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, c)| *c)
                .collect(),
        );
    }
}

/// The shortest name, in letters, that is looked at as a typing error of another.
pub const SHORTEST_MISTYPED: usize = 3;

/// The attested names (their Arabic forms, reduced, in order) that a form no one is called is
/// one typing error from: a letter added, dropped, changed or two neighbours swapped in the
/// same script (Oar for Omar عمر, Geoges for Georges جورج, زية for زينة or زكية). Empty when
/// the form is attested, shorter than three letters or a letter from no name. With two names
/// or more (Samr: Samir or Sami) a sibling's name is as likely as the other's.
pub fn names_a_typo_from(form: &str) -> Vec<&'static str> {
    let chars: Vec<char> = form.chars().collect();
    if chars.len() < SHORTEST_MISTYPED || is_attested_name(form) {
        return Vec::new();
    }
    let index = &*ONE_EDIT;
    let mut keys = Vec::new();
    deletion_keys(&chars, &mut keys);
    let mut found: Vec<&'static str> = Vec::new();
    for key in &keys {
        for &at in index.by_key.get(key).map_or(&[][..], Vec::as_slice) {
            let (candidate, names) = &index.forms[at as usize];
            if candidate.len() >= SHORTEST_MISTYPED && within_one_edit(&chars, candidate) {
                found.extend(names.iter().map(String::as_str));
            }
        }
    }
    found.sort_unstable();
    found.dedup();
    found
}

/// Whether two different sequences are one insertion, deletion, substitution or swap of
/// neighbours apart.
pub fn within_one_edit<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    match long.len() - short.len() {
        0 => {
            if prefix == short.len() {
                return false;
            }
            let (s, l) = (&short[prefix..], &long[prefix..]);
            // A substitution, or two neighbours swapped.
            s[1..] == l[1..] || (s.len() >= 2 && s[0] == l[1] && s[1] == l[0] && s[2..] == l[2..])
        }
        1 => short[prefix..] == long[prefix + 1..],
        _ => false,
    }
}

/// Consonant classes of one token; see the module documentation.
pub fn skeleton(token: &str) -> String {
    let classes = if is_arabic(token) {
        arabic_classes(token)
    } else {
        latin_classes(token)
    };
    finish(classes)
}

/// A class per written letter; `V`, `W` and `Y` stand for vowels and semi-vowels.
fn arabic_classes(token: &str) -> Vec<u8> {
    token
        .chars()
        .filter_map(|c| {
            Some(match c {
                'ا' | 'ع' | 'آ' | 'أ' | 'إ' => b'V',
                'و' | 'ؤ' => b'W',
                'ي' | 'ى' | 'ئ' => b'Y',
                'ه' | 'ح' | 'ة' => b'h',
                'خ' => b'x',
                'ب' | 'پ' => b'b',
                'ت' | 'ث' | 'ط' => b't',
                'ج' | 'چ' => b'j',
                'د' | 'ض' | 'ذ' | 'ظ' => b'd',
                'ز' => b'z',
                'ر' => b'r',
                'س' | 'ص' => b's',
                'ش' => b'c',
                'غ' => b'g',
                'ف' | 'ڤ' => b'f',
                'ق' | 'ك' | 'ک' | 'گ' => b'k',
                'ل' => b'l',
                'م' => b'm',
                'ن' => b'n',
                c if c.is_ascii_digit() => c as u8,
                _ => return None,
            })
        })
        .collect()
}

fn latin_classes(token: &str) -> Vec<u8> {
    let b = token.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let next = b.get(i + 1).copied();
        let (class, width) = match (b[i], next) {
            // The d of a joined "abd" ends it: Abd + Hamid is no ذ ("abdhamid").
            (b'd', Some(b'h')) if i == 2 && b.starts_with(b"abd") => (b'd', 1),
            (b's', Some(b'c')) if b.get(i + 2) == Some(&b'h') => (b'c', 3),
            (b'k', Some(b'h')) => (b'x', 2),
            (b's', Some(b'h')) | (b'c', Some(b'h')) => (b'c', 2),
            (b't', Some(b'h')) => (b't', 2),
            (b'd', Some(b'h')) | (b'z', Some(b'h')) => (b'd', 2),
            (b'g', Some(b'h')) => (b'g', 2),
            (b'p', Some(b'h')) => (b'f', 2),
            (b'd', Some(b'j')) => (b'j', 2),
            (b'c', Some(b'k')) => (b'k', 2),
            (b'a' | b'e' | b'i' | b'o' | b'u', _) => (b'V', 1),
            (b'w', _) => (b'W', 1),
            (b'y', _) => (b'Y', 1),
            (b'h', _) => (b'h', 1),
            (b'b' | b'p', _) => (b'b', 1),
            (b't', _) => (b't', 1),
            (b'j' | b'g', _) => (b'j', 1),
            (b'd', _) => (b'd', 1),
            (b'z', _) => (b'z', 1),
            (b'r', _) => (b'r', 1),
            (b's', _) => (b's', 1),
            (b'f' | b'v', _) => (b'f', 1),
            (b'k' | b'q' | b'c', _) => (b'k', 1),
            (b'x', _) => {
                out.push(b'k');
                (b's', 1)
            }
            (b'l', _) => (b'l', 1),
            (b'm', _) => (b'm', 1),
            (b'n', _) => (b'n', 1),
            (d, _) if d.is_ascii_digit() => (d, 1),
            _ => {
                // Letters of other scripts: kept as they are, a class of their own.
                i += 1;
                continue;
            }
        };
        out.push(class);
        i += width;
    }
    // Letters outside ASCII (other scripts) are carried through as their own classes.
    if !token.is_ascii() {
        let others: String = token.chars().filter(|c| !c.is_ascii()).collect();
        if !others.is_empty() && out.is_empty() {
            return others.into_bytes();
        }
    }
    out
}

fn finish(classes: Vec<u8>) -> String {
    let mut out = String::with_capacity(classes.len());
    let mut last: u8 = 0;
    let n = classes.len();
    for (i, &c) in classes.iter().enumerate() {
        let kept = if i == 0 {
            match c {
                b'V' => b'a',
                b'W' => b'w',
                b'Y' => b'y',
                c => c,
            }
        } else if matches!(c, b'V' | b'W' | b'Y') {
            continue;
        } else if c == b'h' && i == n - 1 && out.len() > 1 {
            // A final ة / -ah / -eh, or a final h, is written one way or the other.
            continue;
        } else {
            c
        };
        if kept != last {
            if kept.is_ascii() {
                out.push(kept as char);
            } else {
                // Only reachable for non-ASCII bytes of other scripts, kept whole.
                out.push_str(&String::from_utf8_lossy(&[kept]));
            }
        }
        last = kept;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sk(s: &str) -> String {
        name_skeleton(s).unwrap_or_default()
    }

    #[test]
    fn the_alternate_reading_takes_any_token() {
        for token in [
            "a", "al", "el", "ala", "alamoudi", "eleanor", "zh", "th", "c", "ch", "ظ", "", "al-",
        ] {
            let _ = alternate_skeleton(token);
        }
        // Every token of up to four letters from a mixed alphabet, multi-byte ones included.
        let letters = ['a', 'e', 'l', 'z', 'h', 't', 'c', 'k', 'ظ', 'ث', 'ل', 'ا'];
        let mut tokens = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = tokens
                .iter()
                .flat_map(|t| letters.iter().map(move |l| format!("{t}{l}")))
                .collect();
            for token in &longer {
                let _ = alternate_skeleton(token);
                let _ = name_tokens(token).joined_alternate();
            }
            tokens = longer;
        }
        assert_eq!(alternate_skeleton("alamoudi"), Some(skeleton("عمودي")));
        assert_eq!(alternate_skeleton("eleanor"), None);
        assert_eq!(alternate_skeleton("elzein"), Some(skeleton("زين")));
        assert_eq!(alternate_skeleton("alyawar"), Some(skeleton("ياور")));
    }

    #[test]
    fn every_translated_name_reads_as_its_arabic_form() {
        let mut lines = 0;
        for line in include_str!("../../../data/names/translations.tsv")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with("arabic\t"))
        {
            let (arabic, latin) = line.split_once('\t').expect("two columns");
            for form in latin.split('|') {
                assert!(
                    form.bytes().all(|b| b.is_ascii_lowercase()),
                    "{form}: folded Latin letters"
                );
                assert!(is_translated_name(form), "{form}");
                assert_eq!(
                    translated_skeleton(form),
                    Some(skeleton(&fold(arabic))),
                    "{form}"
                );
            }
            lines += 1;
        }
        assert!(lines > 20, "{lines} lines");
    }

    #[test]
    fn attested_names_are_known_in_both_scripts() {
        let form = |raw: &str| name_tokens(raw).forms.join(" ");
        for name in [
            "محمد",
            "محمود",
            "Mohammad",
            "Mahmoud",
            "عبد الله",
            "Abdullah",
            "Hussein",
        ] {
            assert!(is_attested_name(&form(name)), "{name}");
        }
        assert_eq!(attested_arabic_forms(&form("Mohd")), [form("محمد")]);
        assert_eq!(attested_arabic_forms(&form("محمد")), [form("محمد")]);
        assert!(!attested_arabic_forms(&form("Mahmoud")).contains(&form("محمد")));
        assert!(attested_arabic_forms(&form("محدم")).is_empty());
        // Typing errors are not names.
        for typo in ["محدم", "ممحود", "Mohmmad", "عيي"] {
            assert!(!is_attested_name(&form(typo)), "{typo}");
        }
    }

    #[test]
    fn a_typing_error_is_found_one_letter_from_the_names_it_may_be() {
        let form = |raw: &str| name_tokens(raw).forms.join(" ");
        let of = |raw: &str| names_a_typo_from(&form(raw));
        // A letter dropped, added, changed, or two neighbours swapped, in either script.
        assert_eq!(of("Geoges"), [form("جورج")]);
        assert_eq!(of("محدم"), [form("محمد")]);
        assert!(of("حيرد").contains(&form("حيدر").as_str()));
        assert!(of("Mohamd").contains(&form("محمد").as_str()));
        // One error from two names: both are given, in order.
        let two = of("عيي");
        assert!(two.contains(&form("عيسى").as_str()) && two.contains(&form("علي").as_str()));
        assert!(two.windows(2).all(|w| w[0] < w[1]));
        // Attested names, short forms and forms far from every name are no one's typo.
        for none in ["محمد", "Mohammad", "Al", "Xqzvw"] {
            assert!(of(none).is_empty(), "{none}");
        }
    }

    #[test]
    fn one_edit_is_one_letter_added_dropped_changed_or_two_swapped() {
        let e = |a: &str, b: &str| {
            let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            within_one_edit(&a, &b)
        };
        assert!(e("omar", "oar") && e("oar", "omar"));
        assert!(e("haidar", "haidor"));
        assert!(e("haidar", "hiadar"));
        assert!(!e("haidar", "haidar"));
        assert!(!e("haidar", "hadiar2"));
        assert!(!e("amr", "omar"));
    }

    #[test]
    fn arabic_and_latin_spellings_share_a_skeleton() {
        let groups: &[&[&str]] = &[
            &[
                "محمد",
                "مُحَمَّد",
                "Mohammad",
                "Muhammad",
                "Mohamed",
                "Mohammed",
                "Muhammed",
            ],
            &["أحمد", "احمد", "Ahmad", "Ahmed"],
            &["حسين", "Hussein", "Hussain", "Husayn", "Husein"],
            &["يوسف", "Yusuf", "Youssef", "Yousef", "Yousif"],
            &["عمر", "Omar", "Umar", "Omer"],
            &["إبراهيم", "Ibrahim", "Ibraheem"],
            &["خالد", "Khalid", "Khaled"],
            &["مصطفى", "Mustafa", "Moustafa", "Mostafa", "Mustapha"],
            &["فاطمة", "Fatima", "Fatimah", "Fatmeh"],
            &["وليد", "Walid", "Waleed"],
            &["مروان", "Marwan"],
            &["جمال", "Jamal", "Gamal", "Djamal"],
            &["غسان", "Ghassan"],
            &["شادي", "Shadi", "Chadi"],
            &["أسامة", "Osama", "Usama", "Oussama"],
        ];
        for group in groups {
            let first = sk(group[0]);
            for name in *group {
                assert_eq!(sk(name), first, "{name} vs {}", group[0]);
            }
        }
    }

    #[test]
    fn abd_names_whose_second_half_begins_with_h_match_across_scripts() {
        for (arabic, latins) in [
            (
                "عبد الحسين",
                ["Abdul-Hussein", "Abdulhussein", "Abd al-Husayn"],
            ),
            ("عبد الحميد", ["Abdel Hamid", "Abdulhamid", "Abd al-Hamid"]),
            ("عبد الهادي", ["Abdul Hadi", "Abdelhadi", "Abd al-Hadi"]),
        ] {
            for latin in latins {
                assert_eq!(sk(latin), sk(arabic), "{latin} vs {arabic}");
            }
        }
        // A ذ written dh elsewhere is still one letter.
        assert_eq!(sk("Dhiab"), sk("ذياب"));
    }

    #[test]
    fn names_written_with_hamza_al_keep_those_letters() {
        // The article's alef carries no hamza: آلاء, ألبرت, آلان are not al- + a name.
        for (arabic, latin) in [("آلاء", "Alaa"), ("ألبرت", "Albert"), ("آلان", "Alan")]
        {
            assert_eq!(sk(arabic), sk(latin), "{arabic} vs {latin}");
            assert_eq!(name_tokens(arabic).forms.len(), 1, "{arabic}");
        }
        // Written with separate marks (ا + madda), the same.
        assert_eq!(sk("\u{0627}\u{0653}\u{0644}\u{0627}\u{0621}"), sk("آلاء"));
        // The article written as the article still goes: الحسن is حسن, آلاء الحسن keeps
        // آلاء and drops the article of الحسن.
        assert_eq!(sk("الحسن"), sk("حسن"));
        assert_eq!(sk("آلاء الحسن"), sk("Alaa Hasan"));
    }

    #[test]
    fn particles_and_compounds() {
        let abd = sk("عبد الرحمن");
        for v in [
            "عبدالرحمن",
            "Abd al-Rahman",
            "Abdel Rahman",
            "Abdulrahman",
            "Abdelrahman",
            "Abd ar-Rahman",
            "Abdurrahman",
            "Abd Al Rahman",
        ] {
            assert_eq!(sk(v), abd, "{v}");
        }
        let allah = sk("عبد الله");
        for v in ["عبدالله", "Abdullah", "Abdallah", "Abd Allah", "Abdulla"] {
            assert_eq!(sk(v), allah, "{v}");
        }
        let din = sk("نور الدين");
        for v in [
            "Nour al-Din",
            "Nureddin",
            "Nour Eddine",
            "Nuruddin",
            "نورالدين",
        ] {
            assert_eq!(sk(v), din, "{v}");
        }
        assert_eq!(sk("الحسن"), sk("al-Hasan"));
        assert_eq!(sk("El Hassan"), sk("Hassan"));
        assert_eq!(sk("أبو بكر"), sk("Abu Bakr"));
        assert_eq!(sk("Abou Bakr"), sk("Abu Bakr"));
        // The article is not dropped from a name that merely begins with the letters.
        assert_eq!(sk("الياس"), sk("Elias"));
        assert_ne!(sk("Ali"), sk(""));
    }

    #[test]
    fn patronymic_markers_are_dropped_but_names_kept() {
        let t = name_tokens("Ahmad bin Khalid al-Hamwi");
        assert_eq!(t.skeletons.len(), 3, "{t:?}");
        assert_eq!(t.skeletons[1], sk("خالد"));
        let a = name_tokens("أحمد بن خالد الحموي");
        assert_eq!(a.skeletons, t.skeletons);
        assert_eq!(a.forms, ["احمد", "خالد", "حموي"]);
    }

    #[test]
    fn endings_meet_across_scripts() {
        let end = |s: &str| endings(&name_tokens(s).forms[0]);
        for (a, b) in [
            ("علي", "Ali"),
            ("علي", "Aly"),
            ("علا", "Ola"),
            ("علاء", "Alaa"),
            ("هدى", "Huda"),
            ("فاطمة", "Fatima"),
            ("فاطمة", "Fatmeh"),
            ("مصطفى", "Mustafa"),
            ("يحيى", "Yahya"),
            ("ربيع", "Rabee"),
            ("ابو", "Abu"),
            ("ابو بكر", "Abu Bakr"),
            ("محمد", "Mohammad"),
            ("حسن", "Hassan"),
            ("صالح", "Saleh"),
            ("عبد الله", "Abdullah"),
        ] {
            assert!(end(a).meet(end(b)), "{a} {:?} vs {b} {:?}", end(a), end(b));
        }
        for (a, b) in [
            ("علا", "Ali"),
            ("Ola", "Ali"),
            ("Alam", "Ali"),
            ("علم", "علا"),
        ] {
            assert!(!end(a).meet(end(b)), "{a} vs {b}");
        }
        // "Saleh" may end in a, i or a consonant, not in u.
        assert_eq!(
            end("Saleh"),
            Endings::A.or(Endings::I).or(Endings::CONSONANT)
        );
        assert!(!end("Saleh").meet(Endings::U));
    }

    #[test]
    fn the_names_inside_compounds_stand_alone() {
        assert_eq!(compound_parts("نور الدين").forms, ["نور"]);
        assert_eq!(compound_parts("عبد الرحمن").forms, ["عبد", "رحمن"]);
        assert_eq!(compound_parts("Abdel Rahman").forms, ["abd", "rahman"]);
        assert_eq!(compound_parts("Abu Bakr al-Siddiq").forms, ["abu", "bakr"]);
        assert!(compound_parts("محمد الحلبي").forms.is_empty());
        assert!(compound_parts("Abdulrahman").forms.is_empty());
    }

    #[test]
    fn the_last_syllables_vowel_tells_apart_names_of_one_skeleton() {
        let m = |s: &str| medial(&name_tokens(s).forms[0]);
        let close = |a: &str, b: &str| medials_close_to(m(a)).contains(&m(b));
        for (a, b) in [
            ("محمد", "Mohammad"),
            ("محمد", "Mohammed"),
            ("محمد", "Muhammad"),
            ("Mohamed", "Muhammad"),
            ("محمود", "Mahmoud"),
            ("محمود", "Mahmud"),
            ("Mahmood", "Mahmoud"),
            ("حسين", "Hussein"),
            ("حسين", "Husayn"),
            ("حسن", "Hassan"),
            ("فاطمة", "Fatima"),
            ("فاطمة", "Fatmeh"),
            ("يوسف", "Youssef"),
            ("ابراهيم", "Ibrahim"),
            ("خالد", "Khaled"),
            ("سمير", "Samir"),
            ("مصطفى", "Mustafa"),
            ("عبد الرحمن", "Abdulrahman"),
        ] {
            assert!(close(a, b) && close(b, a), "{a} {} vs {b} {}", m(a), m(b));
        }
        for (a, b) in [
            ("محمد", "محمود"),
            ("Mohammad", "محمود"),
            ("Mohammad", "Mahmoud"),
            ("حسن", "حسين"),
            ("Hassan", "Hussein"),
            ("Hassan", "حسين"),
        ] {
            assert!(!close(a, b) && !close(b, a), "{a} {} vs {b} {}", m(a), m(b));
        }
        // Symmetric, so a search finds the same persons whichever spelling it starts from.
        for a in MEDIALS {
            for b in medials_close_to(a) {
                assert!(medials_close_to(*b).contains(&a), "{a} {b}");
            }
        }
    }

    #[test]
    fn different_names_stay_apart() {
        for (a, b) in [
            ("Ahmad", "Mahmoud"),
            ("Khalid", "Walid"),
            ("Samir", "Bashir"),
            ("Yusuf", "Younes"),
            ("حسن", "حسام"),
        ] {
            assert_ne!(sk(a), sk(b), "{a} vs {b}");
        }
        // The skeleton is coarse on purpose: حسن and حسين, عمر and عمار share one. The name
        // comparison separates them by the written form when both sides use one script.
        assert_eq!(sk("حسن"), sk("حسين"));
        assert!(name_skeleton("  - ").is_none());
    }
}
