//! Which parts of a record identify a person, so that storage can seal them apart.
//!
//! Names, identifiers, contacts, notes, occupations, ranks, list keys, narratives,
//! perpetrators as written and source titles are *identifying*: they are taken out of a record before it
//! is stored in the clear and sealed under the record's own key (see `athar-crypto`'s envelope). Everything statistics need — kinds,
//! dates, places, units, roles, verification, citations — stays in the clear part.
//!
//! [`search_tokens`] lists the keys a person can be found by — each name word's written
//! form and its cross-script skeleton ([`name_keys`]), and each identifier; storage keeps
//! only keyed tags of them (a blind index). [`query_words`] turns a search into the same keys.

use serde::{Deserialize, Serialize};

use crate::names;
use crate::person::{Identifier, PersonName};
use crate::record::{RecordBody, RecordKind};
use crate::text::fold;

/// The identifying parts of one record, as taken out by [`take_identifying`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Identifying {
    Person(PersonIdentifying),
    Event(EventIdentifying),
    Source(SourceIdentifying),
    Match(MatchIdentifying),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PersonIdentifying {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<PersonName>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<Identifier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occupation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_key: Option<String>,
    /// Who answered each consent question ("his mother, Fatima"), in the order of the
    /// person's consent entries: free text that can name someone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consent_by: Vec<Option<String>>,
    /// Why a reviewer returned the case: free text that may quote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_comment: Option<String>,
    /// The case worker's note on a family's search: it may quote the family.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracing_note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct EventIdentifying {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_as_written: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SourceIdentifying {
    #[serde(default)]
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// A linkage decision's note: it may quote the names that decided it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct MatchIdentifying {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Identifying {
    pub fn to_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        serde_json::to_vec(self)
    }

    /// Read the identifying parts of a record of `kind`.
    pub fn from_json(kind: RecordKind, bytes: &[u8]) -> Result<Identifying, serde_json::Error> {
        Ok(match kind {
            RecordKind::Person => Identifying::Person(serde_json::from_slice(bytes)?),
            RecordKind::Event => Identifying::Event(serde_json::from_slice(bytes)?),
            RecordKind::Source => Identifying::Source(serde_json::from_slice(bytes)?),
            RecordKind::Match => Identifying::Match(serde_json::from_slice(bytes)?),
            RecordKind::Involvement | RecordKind::Term => {
                return Err(serde::de::Error::custom(
                    "an involvement or a vocabulary term has no identifying parts",
                ));
            }
        })
    }
}

/// Take the identifying parts out of `body`, leaving them empty there. `None` when the
/// record has nothing identifying (every involvement; a person with no name, identifier,
/// contact or note).
pub fn take_identifying(body: &mut RecordBody) -> Option<Identifying> {
    match body {
        RecordBody::Person(p) => {
            let mut consent_by: Vec<Option<String>> =
                p.consent.iter_mut().map(|c| c.by.take()).collect();
            if consent_by.iter().all(Option::is_none) {
                consent_by.clear();
            }
            let parts = PersonIdentifying {
                names: std::mem::take(&mut p.names),
                identifiers: std::mem::take(&mut p.identifiers),
                contact: p.contact.take(),
                notes: p.notes.take(),
                occupation: p.occupation.take(),
                rank: p.rank.take(),
                list_key: p.list_key.take(),
                consent_by,
                review_comment: p.review.as_mut().and_then(|r| r.comment.take()),
                tracing_note: p.tracing.as_mut().and_then(|t| t.note.take()),
            };
            (parts != PersonIdentifying::default()).then_some(Identifying::Person(parts))
        }
        RecordBody::Event(e) => {
            let parts = EventIdentifying {
                narrative: e.narrative.take(),
                actor_as_written: e.actor_as_written.take(),
            };
            (parts != EventIdentifying::default()).then_some(Identifying::Event(parts))
        }
        RecordBody::Source(s) => {
            let parts = SourceIdentifying {
                title: std::mem::take(&mut s.title),
                notes: s.notes.take(),
            };
            (parts != SourceIdentifying::default()).then_some(Identifying::Source(parts))
        }
        RecordBody::Match(m) => m
            .note
            .take()
            .map(|note| Identifying::Match(MatchIdentifying { note: Some(note) })),
        // A term names a unit or a place, never a person.
        RecordBody::Involvement(_) | RecordBody::Term(_) => None,
    }
}

/// Put identifying parts back into a clear body. Parts of another kind are ignored.
pub fn restore_identifying(body: &mut RecordBody, parts: Identifying) {
    match (body, parts) {
        (RecordBody::Person(p), Identifying::Person(parts)) => {
            p.names = parts.names;
            p.identifiers = parts.identifiers;
            p.contact = parts.contact;
            p.notes = parts.notes;
            p.occupation = parts.occupation;
            p.rank = parts.rank;
            p.list_key = parts.list_key;
            for (consent, by) in p.consent.iter_mut().zip(parts.consent_by) {
                if by.is_some() {
                    consent.by = by;
                }
            }
            if let Some(review) = p.review.as_mut() {
                review.comment = parts.review_comment;
            }
            if let Some(tracing) = p.tracing.as_mut() {
                tracing.note = parts.tracing_note;
            }
        }
        (RecordBody::Event(e), Identifying::Event(parts)) => {
            e.narrative = parts.narrative;
            e.actor_as_written = parts.actor_as_written;
        }
        (RecordBody::Source(s), Identifying::Source(parts)) => {
            s.title = parts.title;
            s.notes = parts.notes;
        }
        (RecordBody::Match(m), Identifying::Match(parts)) => m.note = parts.note,
        _ => {}
    }
}

/// Key prefix of a name word's written form (folded, particles joined).
const FORM_KEY: &str = "n=";
/// Key prefix of a name word's skeleton with its ending.
const SOUND_KEY: &str = "n~";

fn sound_key(skeleton: &str, ending: char, medial: char) -> String {
    format!("{SOUND_KEY}{skeleton}|{ending}{medial}")
}

/// How a word sounds for search: its skeleton, how its end is written
/// ([`names::written_ending`]) and the vowel of its last syllable ([`names::medial`]). A
/// word with digits in it (a number a list gives instead of a name) is matched as
/// written: "450" is not "4500".
struct Sound {
    skeleton: String,
    ending: char,
    medial: char,
    exact: bool,
}

fn sound(form: &str, skeleton: &str) -> Sound {
    if form.chars().any(|c| c.is_ascii_digit()) {
        Sound {
            skeleton: form.to_string(),
            ending: 'c',
            medial: 'x',
            exact: true,
        }
    } else {
        Sound {
            skeleton: skeleton.to_string(),
            ending: names::written_ending(form),
            medial: names::medial(form),
            exact: false,
        }
    }
}

/// The keys one word of a name search looks for, from the closest to the loosest: the
/// same written form (after folding and joining particles, so «عبدالمنعم» is «عبد المنعم»
/// and "Al-Halabi" is "Halabi"); the same skeleton, ending and last-syllable vowel in
/// either script ("Halabi" and «الحلبي», "Barhum" and "Barhoum", "Ali" and «علي»); the
/// same skeleton only («علا» for "Ali", «محمود» for "Mohammad"). See [`crate::names`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordKeys {
    pub form: String,
    pub close: Vec<String>,
    pub loose: Vec<String>,
}

/// The words of a name search, each with the keys it is found by.
pub fn query_words(query: &str) -> Vec<WordKeys> {
    let tokens = names::name_tokens(query);
    tokens
        .forms
        .iter()
        .zip(&tokens.skeletons)
        .map(|(form, skeleton)| {
            let sound = sound(form, skeleton);
            let mut close = Vec::new();
            let mut loose = Vec::new();
            if sound.exact {
                close.push(sound_key(&sound.skeleton, sound.ending, sound.medial));
            } else {
                // Every written ending and vowel that may sound the same is close; the
                // other ways of writing the skeleton are loose.
                let spoken = names::spoken_endings(sound.ending);
                let medials = names::medials_close_to(sound.medial);
                for e in names::WRITTEN_ENDINGS {
                    for m in names::MEDIALS {
                        let key = sound_key(&sound.skeleton, e, m);
                        if names::spoken_endings(e).meet(spoken) && medials.contains(&m) {
                            close.push(key);
                        } else {
                            loose.push(key);
                        }
                    }
                }
            }
            WordKeys {
                form: format!("{FORM_KEY}{form}"),
                close,
                loose,
            }
        })
        .collect()
}

/// The keys a written name is found by: for each of its words — and each name inside its
/// compounds ([`names::compound_parts`]) — the written form and the skeleton with each
/// ending the word may have (see [`query_words`]). The same reduction
/// serves the stored names and the query, so they meet.
pub fn name_keys(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for tokens in [names::name_tokens(name), names::compound_parts(name)] {
        for (form, skeleton) in tokens.forms.iter().zip(&tokens.skeletons) {
            out.push(format!("{FORM_KEY}{form}"));
            let sound = sound(form, skeleton);
            out.push(sound_key(&sound.skeleton, sound.ending, sound.medial));
        }
    }
    out
}

/// The token an identifier is found by: its kind and its value without spaces or
/// punctuation, so "12 345-6" and "123456" meet.
pub fn identifier_token(kind: &str, value: &str) -> String {
    let compact: String = fold(value).chars().filter(|c| *c != ' ').collect();
    format!("id:{kind}:{compact}")
}

/// Every token a person's identifying parts can be found by: the words of all their
/// names (Arabic and Latin script, every part) and their identifiers.
pub fn search_tokens(parts: &Identifying) -> Vec<String> {
    let Identifying::Person(p) = parts else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for name in &p.names {
        for part in [
            &name.given,
            &name.father,
            &name.grandfather,
            &name.family,
            &name.mother,
            &name.nickname,
            &name.full,
        ]
        .into_iter()
        .flatten()
        {
            out.extend(name_keys(part));
        }
    }
    for id in &p.identifiers {
        out.push(identifier_token(&id.kind, &id.value));
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::person::{Person, Script};

    fn person() -> RecordBody {
        RecordBody::Person(Person {
            names: vec![PersonName {
                script: Script::Arab,
                given: Some("عبد الرحمن".into()),
                family: Some("الحلبي".into()),
                ..Default::default()
            }],
            identifiers: vec![Identifier {
                kind: "national-id".into(),
                value: "010 2345-67".into(),
            }],
            notes: Some("seen in Sednaya 2014".into()),
            occupation: Some("طالب جامعي".into()),
            rank: Some("مجند".into()),
            combatant_status: Some(crate::person::CombatantStatus::Civilian),
            ..Default::default()
        })
    }

    #[test]
    fn identifying_parts_come_out_and_go_back() {
        let original = person();
        let mut clear = original.clone();
        let parts = take_identifying(&mut clear).unwrap_or_else(|| panic!("parts expected"));
        let RecordBody::Person(p) = &clear else {
            panic!("a person")
        };
        assert!(p.names.is_empty() && p.identifiers.is_empty() && p.notes.is_none());
        assert!(p.occupation.is_none() && p.rank.is_none());
        // What counts stays in the clear.
        assert_eq!(
            p.combatant_status,
            Some(crate::person::CombatantStatus::Civilian)
        );
        let json = parts.to_json().unwrap_or_default();
        let back =
            Identifying::from_json(RecordKind::Person, &json).unwrap_or_else(|e| panic!("{e}"));
        restore_identifying(&mut clear, back);
        assert_eq!(clear, original);
    }

    #[test]
    fn the_perpetrator_as_written_is_sealed_and_the_cause_is_not() {
        let original = RecordBody::Event(crate::event::Event {
            kind: "death-in-custody".into(),
            cause: Some("torture".into()),
            actor_as_written: Some("المحقق أبو علي".into()),
            ..Default::default()
        });
        let mut clear = original.clone();
        let parts = take_identifying(&mut clear).unwrap_or_else(|| panic!("parts expected"));
        let RecordBody::Event(e) = &clear else {
            panic!("an event")
        };
        assert!(e.actor_as_written.is_none());
        assert_eq!(e.cause.as_deref(), Some("torture"));
        restore_identifying(&mut clear, parts);
        assert_eq!(clear, original);
    }

    #[test]
    fn records_without_identifying_parts_give_none() {
        let mut empty = RecordBody::Person(Person::default());
        assert!(take_identifying(&mut empty).is_none());
    }

    #[test]
    fn keys_meet_across_spellings_and_scripts() {
        let stored = |name: &str| name_keys(name);
        let finds = |query: &str, name: &str| {
            let keys = stored(name);
            query_words(query)
                .iter()
                .all(|w| w.close.iter().chain(&w.loose).any(|k| keys.contains(k)))
        };
        let same_form = |query: &str, name: &str| {
            let keys = stored(name);
            query_words(query).iter().all(|w| keys.contains(&w.form))
        };
        assert!(same_form("عبد الرحمن", "عبدُ الرَّحمٰن"));
        assert!(same_form("عبدالمنعم", "عبد المنعم"));
        assert!(same_form("Halabi", "Al-Halabi"));
        assert!(same_form("حلبي", "الحلبي"));
        for (query, name) in [
            ("Halabi", "الحلبي"),
            ("Barhum", "Barhoum"),
            ("Muhammad", "محمد"),
            ("Mohamed", "Mohammad"),
            ("محمد الحلبي", "Mohammed al-Halabi"),
        ] {
            assert!(finds(query, name), "{query} finds {name}");
            assert!(!same_form(query, name), "{query} is not written as {name}");
        }
        assert!(!finds("Ahmad", "Mahmoud"));
        let close = |query: &str, name: &str| {
            let keys = stored(name);
            query_words(query)
                .iter()
                .all(|w| w.close.iter().any(|k| keys.contains(k)))
        };
        for (query, name) in [
            ("Saleh", "صالح"),
            ("Fatmeh", "فاطمة"),
            ("Mustafa", "مصطفى"),
            ("مصطفى", "Mustafa"),
            ("Hussein", "حسين"),
            ("Mahmoud", "محمود"),
            ("Muhammad", "محمد"),
            ("Rabee", "ربيع"),
        ] {
            assert!(close(query, name), "{query} is close to {name}");
        }
        for (query, name) in [("Mohammad", "محمود"), ("Hassan", "حسين"), ("حسن", "حسين")]
        {
            assert!(
                finds(query, name) && !close(query, name),
                "{query} only like {name}"
            );
        }
        assert!(!finds("4500", "450") && finds("450", "450"));
        // "Ali" is close to علي, only loosely to علا.
        let ali = &query_words("Ali")[0];
        assert!(ali.close.iter().any(|k| stored("علي").contains(k)));
        assert!(!ali.close.iter().any(|k| stored("علا").contains(k)));
        assert!(ali.loose.iter().any(|k| stored("علا").contains(k)));
        let tokens = search_tokens(&take_identifying(&mut person()).unwrap_or_else(|| panic!()));
        // The name inside a compound is found on its own, in its written form.
        assert!(tokens.contains(&query_words("الرحمن")[0].form));
        assert!(tokens.contains(&query_words("عبد الرحمن")[0].form));
        assert!(tokens.contains(&identifier_token("national-id", "0102345 67")));
    }
}
