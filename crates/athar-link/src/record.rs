//! Records as linkage sees them: the person fields a list may hold, read once into compact,
//! comparable values (interned name forms and skeletons, date intervals, places resolved
//! through the gazetteer).

use rustc_hash::FxHashMap as HashMap;
use std::fmt;
use std::str::FromStr;

use athar_model::gazetteer::Level;
use athar_model::text::fold;
use athar_model::{FuzzyDate, Gazetteer, Precision};
use serde::{Deserialize, Serialize};

use crate::normalise::{NameTokens, name_tokens};
use athar_model::names::medial;

/// A person field a column of a list can be mapped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The whole name in one column, split by position (given, father, grandfather …, family).
    FullName,
    GivenName,
    FatherName,
    GrandfatherName,
    FamilyName,
    MotherName,
    /// A date of birth of any precision ("1987", "1987-03", "1987-03-14", "about 1987").
    BirthDate,
    /// A year of birth; the same comparison as a date of year precision.
    BirthYear,
    /// Place of birth: a gazetteer P-code or name, or free text.
    Birthplace,
    /// Place of residence or origin: as [`Field::Birthplace`].
    Residence,
    Sex,
    Email,
    Phone,
    /// A document number (national ID, passport …), compared exactly or with one typo.
    Identifier,
    /// A street address or locality line, as written.
    Address,
    /// A postal code.
    Postcode,
}

impl Field {
    pub const ALL: [Field; 16] = [
        Field::FullName,
        Field::GivenName,
        Field::FatherName,
        Field::GrandfatherName,
        Field::FamilyName,
        Field::MotherName,
        Field::BirthDate,
        Field::BirthYear,
        Field::Birthplace,
        Field::Residence,
        Field::Sex,
        Field::Email,
        Field::Phone,
        Field::Identifier,
        Field::Address,
        Field::Postcode,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Field::FullName => "full_name",
            Field::GivenName => "given_name",
            Field::FatherName => "father_name",
            Field::GrandfatherName => "grandfather_name",
            Field::FamilyName => "family_name",
            Field::MotherName => "mother_name",
            Field::BirthDate => "birth_date",
            Field::BirthYear => "birth_year",
            Field::Birthplace => "birthplace",
            Field::Residence => "residence",
            Field::Sex => "sex",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::Identifier => "identifier",
            Field::Address => "address",
            Field::Postcode => "postcode",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Field {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Field::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Field::ALL.iter().map(|f| f.as_str()).collect();
                format!("unknown field `{s}`; one of: {}", names.join(", "))
            })
    }
}

/// One record of one list, as given: field values as text.
#[derive(Debug, Clone, Default)]
pub struct InputRecord {
    /// Which list (file, organisation) it comes from: an index into the caller's lists.
    pub list: u16,
    /// The record's id in its list, carried to the output.
    pub id: String,
    pub values: Vec<(Field, String)>,
}

/// A name part of a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NamePart {
    Given,
    Father,
    Grandfather,
    Family,
    Mother,
}

impl NamePart {
    pub const ALL: [NamePart; 5] = [
        NamePart::Given,
        NamePart::Father,
        NamePart::Grandfather,
        NamePart::Family,
        NamePart::Mother,
    ];
    pub fn index(self) -> usize {
        self as usize
    }
    pub fn as_str(self) -> &'static str {
        match self {
            NamePart::Given => "given_name",
            NamePart::Father => "father_name",
            NamePart::Grandfather => "grandfather_name",
            NamePart::Family => "family_name",
            NamePart::Mother => "mother_name",
        }
    }
}

/// The script a name value was written in; forms compare only within one script.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameScript {
    Arabic,
    Latin,
}

/// A name part reduced for comparison: ids into the [`Interner`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameValue {
    /// The written form after folding and particle handling (tokens joined by spaces).
    pub form: u32,
    /// The skeleton shared across scripts (tokens joined).
    pub skeleton: u32,
    /// The skeleton under the other reading of ambiguous letters (ظ as z, "th" as ذ …;
    /// [`athar_model::names::alternate_skeleton`]); the skeleton itself when there is none.
    pub alternate: u32,
    /// The skeleton with translated names read as the Arabic name (Joseph as يوسف;
    /// [`athar_model::names::translated_skeleton`]); the skeleton itself when there is none.
    pub translated: u32,
    /// For a Latin spelling the table attests, the skeleton of the Arabic name it most often
    /// writes (النسور for Ensour, المحمود for Almahmud); the skeleton itself otherwise. What
    /// a blocking rule meets the Arabic name by when the letters read otherwise.
    pub spelled: u32,
    pub script: NameScript,
    /// The vowels before each token's last consonant ([`Medials`]): what tells محمد
    /// (Mohammad) from محمود (Mahmoud), and حسن (Hasan) from حسين (Hussein), across scripts
    /// when their skeletons are one.
    pub medials: Medials,
    /// The written form is a name attested in the Levant
    /// ([`athar_model::names::is_attested_name`]): two attested names a letter apart are two
    /// names, while a form no one is called is more likely a typing error.
    pub attested: bool,
    /// For an attested name, the Arabic forms it writes ([`Interner::set`]:
    /// [`athar_model::names::attested_arabic_forms`], محمد for Mohd, itself for an Arabic
    /// name); [`NO_SET`] for a name not attested.
    pub writes: u32,
    /// For a name no one is called, the Arabic forms of the attested names it is one typing
    /// error from ([`Interner::set`]: [`athar_model::names::names_a_typo_from`], حيدر for
    /// حيرد, عمر and دار for Oar); [`NO_SET`] when there are none.
    pub typo_of: u32,
}

/// [`NameValue::writes`] of a name not attested, and any empty set of names.
pub const NO_SET: u32 = u32::MAX;

/// What each of a name's first four tokens writes before its last consonant, packed: for
/// Arabic script the medial vowel letter ([`medial`]: none, ا, ي or و); for Latin letters
/// whether the vowels there write a long vowel (ou, oo, uu for و; ee, ei, ii, ey for ي)
/// or could stand for one (o, u, w; i, e, y). Doubled consonants count once, and a digraph
/// (gh, kh, sh, th, dh, ch, ph, zh, ck) is one consonant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Medials {
    tokens: u8,
    latin: bool,
    codes: u32,
}

/// Latin: the vowels before the last consonant write و / ي, or may stand for them.
const LONG_U: u8 = 1;
const LONG_I: u8 = 2;
const U_LIKE: u8 = 4;
const I_LIKE: u8 = 8;
/// Latin: no consonant to look before (the token is judged by nothing).
const UNKNOWN: u8 = 16;

impl Medials {
    pub fn of<S: AsRef<str>>(tokens: &[S], script: NameScript) -> Medials {
        let mut medials = Medials {
            latin: script == NameScript::Latin,
            ..Medials::default()
        };
        for token in tokens.iter().take(4) {
            let code = match script {
                NameScript::Arabic => arabic_vowel_before_last_consonant(token.as_ref()),
                NameScript::Latin => latin_vowels_before_last_consonant(token.as_ref()),
            };
            medials.codes |= u32::from(code) << (8 * medials.tokens);
            medials.tokens += 1;
        }
        medials
    }

    /// Whether an Arabic-script name and a Latin transliteration of the same skeleton write
    /// the same long vowels before each token's last consonant: Mahmoud's "ou" is the و of
    /// محمود and never محمد's short vowel; Hussein's "ei" is the ي of حسين, not حسن. Names of
    /// the same script, or of different token counts, are not judged here.
    pub fn may_be_the_same(self, other: Medials) -> bool {
        if self.latin == other.latin || self.tokens != other.tokens {
            return true;
        }
        let (arabic, latin) = if self.latin {
            (other, self)
        } else {
            (self, other)
        };
        (0..arabic.tokens).all(|t| {
            let a = char::from((arabic.codes >> (8 * t) & 0xff) as u8);
            let l = (latin.codes >> (8 * t) & 0xff) as u8;
            if a == 'x' || l & UNKNOWN != 0 {
                return true;
            }
            let long_u_agrees = (l & LONG_U == 0 || a == 'U') && (a != 'U' || l & U_LIKE != 0);
            let long_i_agrees = (l & LONG_I == 0 || a == 'I') && (a != 'I' || l & I_LIKE != 0);
            long_u_agrees && long_i_agrees
        })
    }
}

/// See [`Medials`]: the medial vowel letter ([`medial`]), or `x` when an ع or a hamza stands
/// there too (Latin letters write them as vowels: Zoubi for زعبي).
fn arabic_vowel_before_last_consonant(token: &str) -> u8 {
    let m = medial(token);
    let letters: Vec<char> = token.chars().collect();
    let is_vowel = |c: char| "اوييىةآأإئؤعء".contains(c);
    let mut end = letters.len();
    while end > 0 && (is_vowel(letters[end - 1]) || letters[end - 1] == 'ه') {
        end -= 1;
    }
    let mut start = end.saturating_sub(1);
    while start > 0 && is_vowel(letters[start - 1]) {
        start -= 1;
    }
    let gap = &letters[start..end.saturating_sub(1)];
    if gap.iter().any(|c| "عءأإئؤ".contains(*c)) {
        return b'x';
    }
    m as u8
}

/// See [`Medials`].
fn latin_vowels_before_last_consonant(token: &str) -> u8 {
    // A translated name (Joseph for يوسف) writes other vowels.
    if athar_model::names::is_translated_name(token) {
        return UNKNOWN;
    }
    let is_vowel = |c: char| matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'w');
    let mut letters: Vec<char> = Vec::with_capacity(token.len());
    for c in token.chars().filter(char::is_ascii_alphabetic) {
        // A doubled consonant is one.
        if letters.last() == Some(&c) && !is_vowel(c) {
            continue;
        }
        letters.push(c);
    }
    let mut end = letters.len();
    // A final -ah or -eh writes ة (or ه); after another vowel the h is ح (Mamdouh, Sabih).
    if end >= 2 && letters[end - 1] == 'h' && matches!(letters[end - 2], 'a' | 'e') {
        end -= 1;
    }
    while end > 0 && is_vowel(letters[end - 1]) {
        end -= 1;
    }
    if end == 0 {
        return UNKNOWN;
    }
    let mut last = end - 1;
    // A digraph ending in h, and ck, are one consonant.
    if last > 0
        && ((letters[last] == 'h'
            && matches!(
                letters[last - 1],
                'g' | 'k' | 's' | 't' | 'd' | 'c' | 'p' | 'z'
            ))
            || (letters[last] == 'k' && letters[last - 1] == 'c'))
    {
        last -= 1;
    }
    let mut start = last;
    while start > 0 && is_vowel(letters[start - 1]) {
        start -= 1;
    }
    if start == 0 {
        return UNKNOWN;
    }
    let between: String = letters[start..last].iter().collect();
    let mut code = 0;
    if matches!(between.as_str(), "ou" | "oo" | "uu") {
        code |= LONG_U;
    }
    if matches!(between.as_str(), "ee" | "ei" | "ii" | "ey") {
        code |= LONG_I;
    }
    if between.contains(['o', 'u', 'w']) {
        code |= U_LIKE;
    }
    if between.contains(['i', 'e', 'y']) {
        code |= I_LIKE;
    }
    code
}

/// A date as an interval of days, with what is known of its precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateValue {
    pub first_day: i64,
    pub last_day: i64,
    /// Year, month and day when the date is known to the day.
    pub ymd: Option<(i32, u32, u32)>,
}

/// A place: its folded text and, when the gazetteer knows it, its P-code chain from the
/// place itself up to its governorate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceValue {
    pub text: u32,
    /// [place, district, governorate] P-codes (interned); the place's own level and above.
    pub pcode: Option<u32>,
    pub district: Option<u32>,
    pub governorate: Option<u32>,
}

/// Interned strings: equal strings get equal ids, so comparisons of ids are comparisons of
/// values, and similarity of two ids can be cached.
#[derive(Debug, Default, Clone)]
pub struct Interner {
    ids: HashMap<String, u32>,
    strings: Vec<String>,
    similar: SimilarityTable,
    /// Interned sets of string ids (the names a spelling writes), sorted, each once.
    set_ids: HashMap<Box<[u32]>, u32>,
    sets: Vec<Box<[u32]>>,
}

/// Jaro–Winkler bands of the most frequent name strings, computed once so that the
/// comparisons of a large run look them up instead of computing them pair by pair (a common
/// name is compared with thousands of others in every block it sits in).
#[derive(Debug, Default, Clone)]
struct SimilarityTable {
    /// Per interned id: its row in the table, or `NOT_IN_TABLE`.
    slot: Vec<u16>,
    /// Per interned id: its letters, to bound the similarity of strings not in the table.
    letters: Vec<Letters>,
    size: usize,
    /// `size × size` bands: 0 at or above `close`, 1 at or above `near`, 2 below.
    bands: Vec<u8>,
    close: f64,
    near: f64,
}

const NOT_IN_TABLE: u16 = u16::MAX;

/// The letters of a short string of `a`–`z`, enough to bound the Jaro–Winkler similarity of
/// two strings without comparing them: most pairs of different names share too few letters
/// to come near, and are told so from two words of memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Letters {
    /// Bit `c` set when letter `c` occurs at least once.
    once: u32,
    /// Bit `c` set when letter `c` occurs twice.
    twice: u32,
    /// The string's length in letters; 0 when the string is not of this kind (other
    /// characters, a letter three times or more), and no bound is given.
    len: u8,
}

impl Letters {
    const UNKNOWN: Letters = Letters {
        once: 0,
        twice: 0,
        len: 0,
    };

    fn of(s: &str) -> Letters {
        let (mut once, mut twice, mut thrice) = (0u32, 0u32, 0u32);
        if s.is_empty() || s.len() > 60 {
            return Letters::UNKNOWN;
        }
        for c in s.bytes() {
            if !c.is_ascii_lowercase() {
                return Letters::UNKNOWN;
            }
            let bit = 1u32 << (c - b'a');
            thrice |= twice & bit;
            twice |= once & bit;
            once |= bit;
        }
        if thrice != 0 {
            return Letters::UNKNOWN;
        }
        Letters {
            once,
            twice,
            len: s.len() as u8,
        }
    }

    /// The most the Jaro–Winkler similarity (as `strsim` computes it: a prefix of up to
    /// four letters, counted when Jaro exceeds 0.7) of two strings with these letters can
    /// be; `None` when either string gives no bound.
    fn jaro_winkler_at_most(self, other: Letters) -> Option<f64> {
        if self.len == 0 || other.len == 0 {
            return None;
        }
        // Jaro's matches pair equal letters: no more than the letters both have, counted
        // with their repeats (at most two here).
        let common =
            (self.once & other.once).count_ones() + (self.twice & other.twice).count_ones();
        let (la, lb) = (f64::from(self.len), f64::from(other.len));
        let m = f64::from(common).min(la).min(lb);
        if m == 0.0 {
            return Some(0.0);
        }
        // Jaro = (m/|a| + m/|b| + (m − t)/m) / 3, at most with no transpositions.
        let jaro = (m / la + m / lb + 1.0) / 3.0;
        Some(if jaro > 0.7 {
            jaro + 0.4 * (1.0 - jaro)
        } else {
            jaro
        })
    }
}

/// The most strings a similarity table holds (its bands take the square of this in bytes).
pub const SIMILARITY_TABLE_MAX: usize = 4096;

impl Interner {
    pub fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.strings.len() as u32;
        self.strings.push(s.to_string());
        self.ids.insert(s.to_string(), id);
        id
    }
    pub fn get(&self, id: u32) -> &str {
        &self.strings[id as usize]
    }

    /// The id of a set of string ids (in any order, repeats ignored); [`NO_SET`] for none.
    pub fn intern_set(&mut self, mut ids: Vec<u32>) -> u32 {
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return NO_SET;
        }
        let ids = ids.into_boxed_slice();
        if let Some(&id) = self.set_ids.get(&ids) {
            return id;
        }
        let id = self.sets.len() as u32;
        self.sets.push(ids.clone());
        self.set_ids.insert(ids, id);
        id
    }

    /// The string ids of an interned set, sorted; empty for [`NO_SET`].
    pub fn set(&self, id: u32) -> &[u32] {
        self.sets.get(id as usize).map_or(&[], |s| s)
    }
    pub fn len(&self) -> usize {
        self.strings.len()
    }
    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
    }

    /// Which band the Jaro–Winkler similarity of strings `a` and `b` falls in: 0 at or
    /// above `close`, 1 at or above `near`, 2 below. From the table when both strings are in
    /// it and it was built for these thresholds; computed otherwise. Either way the answer
    /// is the same.
    #[inline]
    pub fn jaro_winkler_band(&self, a: u32, b: u32, close: f64, near: f64) -> u8 {
        let t = &self.similar;
        if t.close == close && t.near == near {
            let (x, y) = (
                t.slot.get(a as usize).copied().unwrap_or(NOT_IN_TABLE),
                t.slot.get(b as usize).copied().unwrap_or(NOT_IN_TABLE),
            );
            if x != NOT_IN_TABLE && y != NOT_IN_TABLE {
                return t.bands[x as usize * t.size + y as usize];
            }
        }
        // Not in the table: most such pairs share too few letters to come near. A margin,
        // so that rounding in the bound never decides a pair at the line.
        if let (Some(x), Some(y)) = (t.letters.get(a as usize), t.letters.get(b as usize))
            && let Some(most) = x.jaro_winkler_at_most(*y)
            && most < near - 1e-9
        {
            return 2;
        }
        band(strsim::jaro_winkler(self.get(a), self.get(b)), close, near)
    }

    /// Compute the bands of `strings` (ids, the most frequent first; at most
    /// [`SIMILARITY_TABLE_MAX`] are taken) against each other for the given thresholds.
    pub fn build_similarity_table(&mut self, strings: &[u32], close: f64, near: f64) {
        use rayon::prelude::*;
        let ids = &strings[..strings.len().min(SIMILARITY_TABLE_MAX)];
        let size = ids.len();
        let letters: Vec<Letters> = self.strings.par_iter().map(|s| Letters::of(s)).collect();
        let texts: Vec<(&str, Letters)> = ids
            .iter()
            .map(|&id| (self.get(id), letters[id as usize]))
            .collect();
        // Jaro–Winkler is symmetric: each row computes the pairs to its right.
        let upper: Vec<Vec<u8>> = (0..size)
            .into_par_iter()
            .map(|i| {
                let (text, of) = texts[i];
                texts[i + 1..]
                    .iter()
                    .map(|&(t, other)| match of.jaro_winkler_at_most(other) {
                        Some(most) if most < near - 1e-9 => 2,
                        _ => band(strsim::jaro_winkler(text, t), close, near),
                    })
                    .collect()
            })
            .collect();
        let mut bands = vec![0u8; size * size];
        for (i, row) in upper.iter().enumerate() {
            for (k, &b) in row.iter().enumerate() {
                let j = i + 1 + k;
                bands[i * size + j] = b;
                bands[j * size + i] = b;
            }
        }
        let mut slot = vec![NOT_IN_TABLE; self.strings.len()];
        for (row, &id) in ids.iter().enumerate() {
            slot[id as usize] = row as u16;
        }
        self.similar = SimilarityTable {
            slot,
            letters,
            size,
            bands,
            close,
            near,
        };
    }
}

/// The band of a similarity: 0 at or above `close`, 1 at or above `near`, 2 below.
#[inline]
fn band(s: f64, close: f64, near: f64) -> u8 {
    if s >= close {
        0
    } else if s >= near {
        1
    } else {
        2
    }
}

/// A record ready to compare.
///
/// Laid out for the comparison of millions of pairs, each of which reads a record from
/// somewhere in memory: names, list and sex fill the first cache line, the date of birth and
/// birthplace the second, and a record starts on a line of its own.
#[derive(Debug, Clone, Default)]
#[repr(C, align(64))]
pub struct Prepared {
    pub names: [Option<NameValue>; 5],
    pub list: u16,
    /// 1 male, 2 female.
    pub sex: Option<u8>,
    pub birth: Option<DateValue>,
    pub birthplace: Option<PlaceValue>,
    pub residence: Option<PlaceValue>,
    pub email: Option<u32>,
    pub phone: Option<u32>,
    pub identifier: Option<u32>,
    pub address: Option<u32>,
    pub postcode: Option<u32>,
}

impl Prepared {
    pub fn name(&self, part: NamePart) -> Option<NameValue> {
        self.names[part.index()]
    }
}

/// A value that could not be read; linkage skips the value, and the caller reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueProblem {
    pub record: usize,
    pub field: Field,
    pub problem: String,
}

/// Reads input records into [`Prepared`] ones, interning as it goes.
pub struct Preparer<'g> {
    pub interner: Interner,
    gazetteer: Option<&'g Gazetteer>,
    place_cache: HashMap<String, PlaceValue>,
    /// Names and dates recur across a list (a million records hold a few tens of thousands
    /// of distinct names): each distinct value is read once.
    name_cache: HashMap<String, Option<NameValue>>,
    date_cache: HashMap<String, Result<Option<DateValue>, String>>,
    /// Whether an attested spelling meets the name it spells ([`NameValue::writes`]); off
    /// only to measure what the letters' own rules find.
    attested_spellings: bool,
}

impl<'g> Preparer<'g> {
    pub fn new(gazetteer: Option<&'g Gazetteer>) -> Self {
        Preparer {
            interner: Interner::default(),
            gazetteer,
            place_cache: HashMap::default(),
            name_cache: HashMap::default(),
            date_cache: HashMap::default(),
            attested_spellings: true,
        }
    }

    /// A preparer whose names meet by their letters alone, not through the table of attested
    /// spellings: for measuring the skeleton's own rules on spellings drawn from that table.
    pub fn letters_only(gazetteer: Option<&'g Gazetteer>) -> Self {
        Preparer {
            attested_spellings: false,
            ..Preparer::new(gazetteer)
        }
    }

    /// Prepare one record; values that cannot be read are skipped and returned as problems.
    pub fn prepare(&mut self, index: usize, input: &InputRecord) -> (Prepared, Vec<ValueProblem>) {
        let mut out = Prepared {
            list: input.list,
            ..Prepared::default()
        };
        let mut problems = Vec::new();
        let mut full: Option<&str> = None;
        for (field, raw) in &input.values {
            let raw = raw.trim();
            if raw.is_empty() {
                continue;
            }
            let part = match field {
                Field::GivenName => Some(NamePart::Given),
                Field::FatherName => Some(NamePart::Father),
                Field::GrandfatherName => Some(NamePart::Grandfather),
                Field::FamilyName => Some(NamePart::Family),
                Field::MotherName => Some(NamePart::Mother),
                _ => None,
            };
            if let Some(part) = part {
                let value = match self.name_cache.get(raw) {
                    Some(&value) => value,
                    None => {
                        let value = self.name_value(&name_tokens(raw));
                        self.name_cache.insert(raw.to_string(), value);
                        value
                    }
                };
                if value.is_some() {
                    out.names[part.index()] = value;
                }
                continue;
            }
            match field {
                Field::FullName => full = Some(raw),
                Field::BirthDate | Field::BirthYear => match self.date(raw) {
                    Ok(d) => out.birth = d,
                    Err(problem) => problems.push(ValueProblem {
                        record: index,
                        field: *field,
                        problem,
                    }),
                },
                Field::Birthplace => out.birthplace = Some(self.place(raw)),
                Field::Residence => out.residence = Some(self.place(raw)),
                Field::Sex => match read_sex(raw) {
                    Some(s) => out.sex = Some(s),
                    None => problems.push(ValueProblem {
                        record: index,
                        field: *field,
                        problem: "not a sex this comparison knows (m/f, male/female, ذكر/أنثى)"
                            .into(),
                    }),
                },
                Field::Email => out.email = Some(self.interner.intern(&raw.to_lowercase())),
                Field::Phone => {
                    let digits: String = raw.chars().filter(|c| c.is_ascii_digit()).collect();
                    // The last nine digits: country and trunk prefixes written or not.
                    let tail = &digits[digits.len().saturating_sub(9)..];
                    if !tail.is_empty() {
                        out.phone = Some(self.interner.intern(tail));
                    }
                }
                Field::Address => {
                    let folded = fold(raw);
                    if !folded.is_empty() {
                        out.address = Some(self.interner.intern(&folded));
                    }
                }
                Field::Postcode => {
                    let code: String = raw.chars().filter(|c| c.is_alphanumeric()).collect();
                    if !code.is_empty() {
                        out.postcode = Some(self.interner.intern(&code.to_uppercase()));
                    }
                }
                Field::Identifier => {
                    let id: String = raw
                        .chars()
                        .filter(|c| c.is_alphanumeric())
                        .flat_map(|c| c.to_uppercase())
                        .collect();
                    if !id.is_empty() {
                        out.identifier = Some(self.interner.intern(&id));
                    }
                }
                _ => {}
            }
        }
        if let Some(full) = full {
            self.split_full_name(full, &mut out);
        }
        (out, problems)
    }

    fn date(&mut self, raw: &str) -> Result<Option<DateValue>, String> {
        if let Some(d) = self.date_cache.get(raw) {
            return d.clone();
        }
        let d = read_date(raw);
        self.date_cache.insert(raw.to_string(), d.clone());
        d
    }

    /// A set of Arabic names of the table of attested names ([`Interner::set`]), as
    /// [`NameValue::writes`] and [`NameValue::typo_of`] keep them; none (and the table not
    /// read) when names meet by their letters alone.
    fn attested_set<'n, I: IntoIterator<Item = &'n str>>(
        &mut self,
        names: impl FnOnce() -> I,
    ) -> u32 {
        if !self.attested_spellings {
            return NO_SET;
        }
        let ids = names()
            .into_iter()
            .map(|arabic| self.interner.intern(arabic))
            .collect();
        self.interner.intern_set(ids)
    }

    fn name_value(&mut self, t: &NameTokens) -> Option<NameValue> {
        let script = script_of(&t.forms.join(" "));
        self.name_value_in(t, script)
    }

    /// A name's value, its script given (a token of a full name takes the whole name's).
    fn name_value_in(&mut self, t: &NameTokens, script: NameScript) -> Option<NameValue> {
        let skel = t.joined()?;
        let folded = t.forms.join(" ");
        let alternate = t.joined_alternate().unwrap_or_else(|| skel.clone());
        let translated = t.joined_translated().unwrap_or_else(|| skel.clone());
        // The Arabic names the form writes when the table attests it (itself for an Arabic
        // name): whether it is attested, and what it stands for.
        let forms = athar_model::names::attested_arabic_forms(&folded);
        // A Latin spelling the table attests stands for the Arabic name it most often writes
        // even when its letters read otherwise (Ensour for النسور, Almahmud for المحمود).
        let spelled = match forms.first() {
            Some(arabic) if script == NameScript::Latin && self.attested_spellings => {
                athar_model::names::name_tokens(arabic).joined()
            }
            _ => None,
        }
        .unwrap_or_else(|| skel.clone());
        Some(NameValue {
            form: self.interner.intern(&folded),
            skeleton: self.interner.intern(&skel),
            alternate: self.interner.intern(&alternate),
            translated: self.interner.intern(&translated),
            spelled: self.interner.intern(&spelled),
            script,
            medials: Medials::of(&t.forms, script),
            attested: !forms.is_empty(),
            writes: self.attested_set(|| forms.iter().map(String::as_str)),
            typo_of: self.attested_set(|| athar_model::names::names_a_typo_from(&folded)),
        })
    }

    /// A full name fills the parts no other column gave: first token given, last family, the
    /// second father and the third grandfather when there are enough tokens.
    fn split_full_name(&mut self, raw: &str, out: &mut Prepared) {
        let t = name_tokens(raw);
        let n = t.skeletons.len();
        if n == 0 {
            return;
        }
        let script = script_of(&t.forms.concat());
        let assign = |part: NamePart, i: usize, out: &mut Prepared, me: &mut Self| {
            if out.names[part.index()].is_none() {
                let token = NameTokens {
                    forms: vec![t.forms[i].clone()],
                    skeletons: vec![t.skeletons[i].clone()],
                };
                out.names[part.index()] = me.name_value_in(&token, script);
            }
        };
        assign(NamePart::Given, 0, out, self);
        if n >= 2 {
            assign(NamePart::Family, n - 1, out, self);
        }
        if n >= 3 {
            assign(NamePart::Father, 1, out, self);
        }
        if n >= 4 {
            assign(NamePart::Grandfather, 2, out, self);
        }
    }

    fn place(&mut self, raw: &str) -> PlaceValue {
        if let Some(p) = self.place_cache.get(raw) {
            return p.clone();
        }
        let text = self.interner.intern(&fold(raw));
        let mut value = PlaceValue {
            text,
            pcode: None,
            district: None,
            governorate: None,
        };
        if let Some(g) = self.gazetteer {
            let entry = g
                .get(raw.trim())
                .or_else(|| g.lookup(raw).into_iter().next());
            if let Some(e) = entry {
                value.pcode = Some(self.interner.intern(&e.pcode));
                for a in g.ancestors(&e.pcode) {
                    match a.level {
                        Level::District => value.district = Some(self.interner.intern(&a.pcode)),
                        Level::Governorate => {
                            value.governorate = Some(self.interner.intern(&a.pcode))
                        }
                        _ => {}
                    }
                }
            }
        }
        self.place_cache.insert(raw.to_string(), value.clone());
        value
    }
}

/// Arabic when most letters are Arabic ([`athar_model::text::is_arabic_script`]), else
/// Latin.
fn script_of(text: &str) -> NameScript {
    if athar_model::text::is_arabic_script(text) {
        NameScript::Arabic
    } else {
        NameScript::Latin
    }
}

/// Read a birth date or year; `Ok(None)` for an explicitly unknown date.
pub fn read_date(raw: &str) -> Result<Option<DateValue>, String> {
    let d = FuzzyDate::parse(raw).map_err(|e| e.to_string())?;
    let Some((lo, hi)) = d.bounds() else {
        return Ok(None);
    };
    let ymd = match d {
        FuzzyDate::On { date, .. } if date.precision() == Precision::Day => Some((
            date.year_value(),
            date.month_value().unwrap_or(1),
            date.day_value().unwrap_or(1),
        )),
        _ => None,
    };
    Ok(Some(DateValue {
        first_day: lo,
        last_day: hi,
        ymd,
    }))
}

fn read_sex(raw: &str) -> Option<u8> {
    match fold(raw).as_str() {
        "m" | "male" | "man" | "boy" | "ذكر" | "رجل" | "م" => Some(1),
        "f" | "female" | "woman" | "girl" | "انثي" | "امراه" | "ا" | "ف" => Some(2),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise::skeleton;
    use rand::{Rng, SeedableRng};

    /// Strings of a few letters, drawn so that many pairs share letters, repeats and
    /// prefixes: the cases where a bound on Jaro–Winkler could be too tight.
    fn random_strings(n: usize, seed: u64) -> Vec<String> {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        (0..n)
            .map(|_| {
                let len = rng.random_range(1..=9);
                (0..len)
                    .map(|_| b"abdhkmnrs"[rng.random_range(0..9)] as char)
                    .collect()
            })
            .collect()
    }

    #[test]
    fn the_letter_bound_never_falls_below_jaro_winkler() {
        let strings = random_strings(600, 7);
        let mut bounded = 0;
        for a in &strings {
            for b in &strings {
                let (x, y) = (Letters::of(a), Letters::of(b));
                let jw = strsim::jaro_winkler(a, b);
                match x.jaro_winkler_at_most(y) {
                    Some(most) => {
                        assert!(most >= jw - 1e-12, "{a} {b}: bound {most} < {jw}");
                        bounded += 1;
                    }
                    // Only strings with a letter three times give no bound.
                    None => assert!(x.len == 0 || y.len == 0),
                }
            }
        }
        assert!(bounded > 200_000, "{bounded}");
    }

    #[test]
    fn similarity_bands_are_the_same_from_the_table_the_bound_or_computed() {
        let strings = random_strings(400, 11);
        let mut interner = Interner::default();
        let ids: Vec<u32> = strings.iter().map(|s| interner.intern(s)).collect();
        let (close, near) = (0.9, 0.8);
        // Half of the strings in the table, the rest computed pair by pair.
        let mut distinct = ids.clone();
        distinct.dedup();
        interner.build_similarity_table(&distinct[..distinct.len() / 2], close, near);
        let mut bands = [0usize; 3];
        for (a, &x) in strings.iter().zip(&ids) {
            for (b, &y) in strings.iter().zip(&ids) {
                let expected = band(strsim::jaro_winkler(a, b), close, near);
                assert_eq!(
                    interner.jaro_winkler_band(x, y, close, near),
                    expected,
                    "{a} {b}"
                );
                bands[expected as usize] += 1;
            }
        }
        assert!(bands.iter().all(|&n| n > 600), "{bands:?}");
    }

    fn record(values: &[(Field, &str)]) -> InputRecord {
        InputRecord {
            list: 0,
            id: "r".into(),
            values: values.iter().map(|(f, v)| (*f, v.to_string())).collect(),
        }
    }

    #[test]
    fn full_names_fill_parts_by_position() {
        let mut p = Preparer::new(None);
        let (a, _) = p.prepare(
            0,
            &record(&[(Field::FullName, "محمد أحمد عبد الرحمن الحموي")]),
        );
        let (b, _) = p.prepare(
            1,
            &record(&[
                (Field::GivenName, "Mohammad"),
                (Field::FatherName, "Ahmad"),
                (Field::FamilyName, "al-Hamwi"),
            ]),
        );
        for part in [NamePart::Given, NamePart::Father, NamePart::Family] {
            assert_eq!(
                a.name(part).map(|v| v.skeleton),
                b.name(part).map(|v| v.skeleton),
                "{part:?}"
            );
        }
        assert_eq!(
            p.interner.get(
                a.name(NamePart::Grandfather)
                    .map(|v| v.skeleton)
                    .unwrap_or(0)
            ),
            skeleton("abdrahman")
        );
    }

    #[test]
    fn dates_places_and_bad_values() {
        let g = &athar_model::Vocabularies::embedded().gazetteer;
        let mut p = Preparer::new(Some(g));
        let (r, problems) = p.prepare(
            3,
            &record(&[
                (Field::BirthDate, "1987-03"),
                (Field::Birthplace, "Homs"),
                (Field::Sex, "unknown-ish"),
            ]),
        );
        let d = r.birth.expect("a month");
        assert_eq!(d.last_day - d.first_day, 30);
        assert!(d.ymd.is_none());
        assert!(r.birthplace.as_ref().and_then(|p| p.governorate).is_some());
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, Field::Sex);
        assert_eq!(problems[0].record, 3);
        let (_, problems) = p.prepare(4, &record(&[(Field::BirthYear, "19x7")]));
        assert_eq!(problems[0].field, Field::BirthYear);
    }
}
