//! The same invented people as several organisations list them, for record linkage.
//!
//! Each person appears in one to three lists, each list with its own habits, as in the lists
//! Athar's users merge:
//!
//! - list 0, a documentation group inside Syria: Arabic script, full dates of birth, the
//!   birthplace as a sub-district, sometimes the grandfather and the mother;
//! - list 1, an organisation abroad: Latin transliterations (each list spells a name in its
//!   own way, drawn from the attested spellings), years of birth, sometimes a year off, the
//!   birthplace as a district;
//! - list 2, a recovered detention register: Arabic script, the mother's name more often
//!   than not, an approximate year of birth.
//!
//! Any list may leave a field out or mistype a letter. The person each record describes is
//! known (`person`), so linkage can be scored against the truth. Deterministic by seed.
//!
//! [`ListGenerator::with_families`] adds what makes real Syrian lists hard: brothers and
//! sisters (the same father, grandfather, family, mother and birthplace, another given name,
//! born a few years apart, one pair in ten twins) and cousins (the same family and
//! grandfather, another father) — each a person of their own, listed independently.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use athar_model::{Level, Vocabularies};

use crate::names::{Name, NameTable, spelling};

/// One record of one list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRecord {
    /// Unique across lists: `L{list}-{n}`.
    pub id: String,
    /// The invented person it describes (the truth).
    pub person: u64,
    pub list: u8,
    pub given: String,
    pub father: String,
    pub grandfather: String,
    pub family: String,
    pub mother: String,
    pub birth_date: String,
    pub birthplace: String,
    pub sex: &'static str,
}

impl ListRecord {
    /// Column names, in the order of [`ListRecord::fields`].
    pub const HEADER: [&'static str; 11] = [
        "id",
        "person",
        "list",
        "given_name",
        "father_name",
        "grandfather_name",
        "family_name",
        "mother_name",
        "birth_date",
        "birthplace",
        "sex",
    ];

    pub fn fields(&self) -> [String; 11] {
        [
            self.id.clone(),
            self.person.to_string(),
            self.list.to_string(),
            self.given.clone(),
            self.father.clone(),
            self.grandfather.clone(),
            self.family.clone(),
            self.mother.clone(),
            self.birth_date.clone(),
            self.birthplace.clone(),
            self.sex.to_string(),
        ]
    }
}

#[derive(Clone)]
struct Invented {
    female: bool,
    given: Name,
    father: Name,
    grandfather: Option<Name>,
    family: Name,
    mother: Option<(Name, Name)>,
    birth: (i64, u32, u32),
    /// Sub-district and district P-codes.
    birthplace: Option<(String, String)>,
}

/// Generates list records person by person.
pub struct ListGenerator {
    rng: ChaCha8Rng,
    names: NameTable,
    places: Vec<(String, String)>,
    person: u64,
    counters: [u64; 3],
    pending: Vec<ListRecord>,
    /// With families: relatives of people already invented, waiting their turn.
    families: bool,
    relatives: Vec<Invented>,
}

impl ListGenerator {
    pub fn new(seed: u64) -> Self {
        let gazetteer = &Vocabularies::embedded().gazetteer;
        let places = gazetteer
            .entries()
            .iter()
            .filter(|e| e.level == Level::Subdistrict)
            .filter_map(|e| Some((e.pcode.clone(), e.parent.clone()?)))
            .collect();
        ListGenerator {
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x6c69_7374),
            names: NameTable::embedded(),
            places,
            person: 0,
            counters: [0; 3],
            pending: Vec::new(),
            families: false,
            relatives: Vec::new(),
        }
    }

    /// The same, with brothers, sisters and cousins among the people (module docs).
    pub fn with_families(seed: u64) -> Self {
        ListGenerator {
            families: true,
            ..ListGenerator::new(seed ^ 0x6661_6d69)
        }
    }

    /// Relatives of `p` to invent next: a brother or sister four times in ten, a cousin
    /// three times in twenty.
    fn queue_relatives(&mut self, p: &Invented) {
        if self.rng.random_bool(0.4) {
            let mut sibling = p.clone();
            sibling.female = self.rng.random_bool(0.3);
            let pool = if sibling.female {
                &self.names.female
            } else {
                &self.names.male
            };
            // Another given name: brothers are not named alike.
            let mut given = pool.draw(&mut self.rng).clone();
            for _ in 0..8 {
                if given.arabic != p.given.arabic {
                    break;
                }
                given = pool.draw(&mut self.rng).clone();
            }
            sibling.given = given;
            let (y, m, d) = p.birth;
            sibling.birth = if self.rng.random_bool(0.1) {
                (y, m, d)
            } else {
                let gap = self.rng.random_range(1..=6);
                let year = if self.rng.random_bool(0.5) {
                    y + gap
                } else {
                    y - gap
                };
                (
                    year,
                    self.rng.random_range(1..=12),
                    self.rng.random_range(1..=28),
                )
            };
            self.relatives.push(sibling);
        }
        if self.rng.random_bool(0.15) {
            let mut cousin = self.invent();
            cousin.family = p.family.clone();
            cousin.grandfather = p.grandfather.clone();
            self.relatives.push(cousin);
        }
    }

    fn invent(&mut self) -> Invented {
        let female = self.rng.random_bool(0.12);
        let draw_given = |g: &mut Self, female: bool| {
            let pool = if female {
                &g.names.female
            } else {
                &g.names.male
            };
            pool.draw(&mut g.rng).clone()
        };
        let given = draw_given(self, female);
        let father = draw_given(self, false);
        let grandfather = self.rng.random_bool(0.6).then(|| draw_given(self, false));
        let family = self.names.family.draw(&mut self.rng).clone();
        let mother = self.rng.random_bool(0.8).then(|| {
            (
                draw_given(self, true),
                self.names.family.draw(&mut self.rng).clone(),
            )
        });
        let birth = (
            self.rng.random_range(1958..=2008),
            self.rng.random_range(1..=12),
            self.rng.random_range(1..=28),
        );
        let birthplace = self.rng.random_bool(0.8).then(|| {
            let i = self.rng.random_range(0..self.places.len());
            self.places[i].clone()
        });
        Invented {
            female,
            given,
            father,
            grandfather,
            family,
            mother,
            birth,
            birthplace,
        }
    }

    /// A letter lost or two letters swapped, now and then.
    fn mistype(&mut self, text: String, rate: f64) -> String {
        if text.chars().count() < 4 || !self.rng.random_bool(rate) {
            return text;
        }
        let mut chars: Vec<char> = text.chars().collect();
        let i = self.rng.random_range(1..chars.len() - 1);
        if self.rng.random_bool(0.5) {
            chars.remove(i);
        } else {
            chars.swap(i, i + 1);
        }
        chars.into_iter().collect()
    }

    fn keep(&mut self, p: f64, text: String) -> String {
        if self.rng.random_bool(p) {
            text
        } else {
            String::new()
        }
    }

    fn arabic_record(&mut self, p: &Invented, list: u8) -> ListRecord {
        let register = list == 2;
        let given = self.mistype(p.given.arabic.clone(), 0.03);
        let father = self.mistype(p.father.arabic.clone(), 0.03);
        let father = self.keep(if register { 0.85 } else { 0.95 }, father);
        let grandfather = match &p.grandfather {
            Some(g) => self.keep(0.5, g.arabic.clone()),
            None => String::new(),
        };
        // Registers and some lists drop the article of the family name.
        let mut family = p.family.arabic.clone();
        if self.rng.random_bool(0.15)
            && let Some(rest) = family.strip_prefix("ال")
        {
            family = rest.to_string();
        }
        let family = self.mistype(family, 0.03);
        let mother = match &p.mother {
            Some((g, f)) => {
                let whole = if self.rng.random_bool(0.5) {
                    format!("{} {}", g.arabic, f.arabic)
                } else {
                    g.arabic.clone()
                };
                self.keep(if register { 0.7 } else { 0.4 }, whole)
            }
            None => String::new(),
        };
        let (y, m, d) = p.birth;
        let birth_date = if register {
            let year = if self.rng.random_bool(0.2) {
                y + if self.rng.random_bool(0.5) { 1 } else { -1 }
            } else {
                y
            };
            self.keep(0.8, year.to_string())
        } else if self.rng.random_bool(0.1) {
            y.to_string()
        } else {
            self.keep(0.92, format!("{y}-{m:02}-{d:02}"))
        };
        let birthplace = match &p.birthplace {
            Some((sub, _)) => self.keep(if register { 0.3 } else { 0.7 }, sub.clone()),
            None => String::new(),
        };
        self.record(
            p,
            list,
            [given, father, grandfather, family, mother],
            birth_date,
            birthplace,
        )
    }

    fn latin_record(&mut self, p: &Invented) -> ListRecord {
        let given = spelling(&p.given, &mut self.rng).to_string();
        let given = self.mistype(given, 0.04);
        let father = spelling(&p.father, &mut self.rng).to_string();
        let father = self.keep(0.85, father);
        let family = spelling(&p.family, &mut self.rng).to_string();
        let family = self.mistype(family, 0.04);
        let mother = match &p.mother {
            Some((g, _)) => {
                let m = spelling(g, &mut self.rng).to_string();
                self.keep(0.3, m)
            }
            None => String::new(),
        };
        let (y, ..) = p.birth;
        let year = if self.rng.random_bool(0.1) {
            y + if self.rng.random_bool(0.5) { 1 } else { -1 }
        } else {
            y
        };
        let birth_date = self.keep(0.85, year.to_string());
        let birthplace = match &p.birthplace {
            Some((_, district)) => self.keep(0.4, district.clone()),
            None => String::new(),
        };
        self.record(
            p,
            1,
            [given, father, String::new(), family, mother],
            birth_date,
            birthplace,
        )
    }

    fn record(
        &mut self,
        p: &Invented,
        list: u8,
        [given, father, grandfather, family, mother]: [String; 5],
        birth_date: String,
        birthplace: String,
    ) -> ListRecord {
        let n = &mut self.counters[list as usize];
        *n += 1;
        ListRecord {
            id: format!("L{list}-{n}"),
            person: self.person,
            list,
            given,
            father,
            grandfather,
            family,
            mother,
            birth_date,
            birthplace,
            sex: if p.female { "female" } else { "male" },
        }
    }

    /// The records of the next person: one to three lists name them.
    pub fn next_person(&mut self) -> Vec<ListRecord> {
        self.person += 1;
        let p = match self.relatives.pop() {
            Some(relative) => relative,
            None => {
                let p = self.invent();
                if self.families {
                    self.queue_relatives(&p);
                }
                p
            }
        };
        let mut lists: Vec<u8> = [(0u8, 0.55), (1, 0.55), (2, 0.35)]
            .into_iter()
            .filter(|&(_, chance)| self.rng.random_bool(chance))
            .map(|(l, _)| l)
            .collect();
        if lists.is_empty() {
            lists.push(self.rng.random_range(0..3));
        }
        lists
            .into_iter()
            .map(|l| match l {
                1 => self.latin_record(&p),
                _ => self.arabic_record(&p, l),
            })
            .collect()
    }
}

impl Iterator for ListGenerator {
    type Item = ListRecord;

    /// Records one after another, person after person, without end.
    fn next(&mut self) -> Option<ListRecord> {
        if self.pending.is_empty() {
            self.pending = self.next_person();
            self.pending.reverse();
        }
        self.pending.pop()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn people_appear_in_several_lists_in_the_scripts_of_each() {
        let records: Vec<ListRecord> = ListGenerator::new(4).take(3000).collect();
        let again: Vec<ListRecord> = ListGenerator::new(4).take(3000).collect();
        assert_eq!(records, again, "deterministic by seed");
        let mut per_person: HashMap<u64, usize> = HashMap::new();
        for r in &records {
            *per_person.entry(r.person).or_default() += 1;
        }
        let shared = per_person.values().filter(|&&n| n > 1).count();
        let share = shared as f64 / per_person.len() as f64;
        assert!((0.3..0.7).contains(&share), "{share}");
        let arabic = |s: &str| s.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c));
        for r in &records {
            assert!(!r.given.is_empty() && !r.family.is_empty());
            assert_eq!(arabic(&r.given), r.list != 1, "{r:?}");
        }
        let ids: std::collections::HashSet<&str> = records.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids.len(), records.len());
    }
}
