//! The Syrian gazetteer: governorates, districts and sub-districts with OCHA P-codes.
//!
//! Loaded from `data/gazetteer/syria-admin.csv` (facts from OpenSyria, CC BY 4.0; see the
//! NOTICE there). P-codes nest by prefix (`SY03` ⊃ `SY0304` ⊃ `SY030401`), and every entry
//! also names its parent explicitly; the two are checked against each other on load.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::text::fold;
use crate::vocab::VocabularyError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Level {
    Governorate,
    District,
    Subdistrict,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GazetteerEntry {
    pub pcode: String,
    pub level: Level,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    pub name_en: String,
    pub name_ar: String,
    pub aliases_en: Vec<String>,
    pub aliases_ar: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lon: Option<f64>,
}

#[derive(Debug, Clone, Default)]
pub struct Gazetteer {
    entries: Vec<GazetteerEntry>,
    by_pcode: HashMap<String, usize>,
    by_name: HashMap<String, Vec<usize>>,
}

#[derive(Deserialize)]
struct Row {
    pcode: String,
    level: Level,
    parent: String,
    name_en: String,
    name_ar: String,
    aliases_en: String,
    aliases_ar: String,
    lat: Option<f64>,
    lon: Option<f64>,
}

fn split(list: &str) -> Vec<String> {
    list.split('|')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

impl GazetteerEntry {
    /// The place's name in a language.
    pub fn name(&self, lang: crate::vocab::Lang) -> &str {
        match lang {
            crate::vocab::Lang::En => &self.name_en,
            crate::vocab::Lang::Ar => &self.name_ar,
        }
    }
}

impl Gazetteer {
    pub fn parse(csv_text: &str) -> Result<Gazetteer, VocabularyError> {
        let err = |problem: String| VocabularyError {
            file: "gazetteer".into(),
            problem,
        };
        let mut reader = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .from_reader(csv_text.as_bytes());
        let mut g = Gazetteer::default();
        for (i, row) in reader.deserialize::<Row>().enumerate() {
            let row = row.map_err(|e| err(format!("row {}: {e}", i + 1)))?;
            let parent = (!row.parent.is_empty()).then_some(row.parent);
            let expected_len = match row.level {
                Level::Governorate => 4,
                Level::District => 6,
                Level::Subdistrict => 8,
            };
            if row.pcode.len() != expected_len || !row.pcode.starts_with("SY") {
                return Err(err(format!(
                    "{} is not a {:?} P-code",
                    row.pcode, row.level
                )));
            }
            if let Some(p) = &parent {
                if !row.pcode.starts_with(p.as_str()) || !g.by_pcode.contains_key(p) {
                    return Err(err(format!(
                        "{} names parent {p}, which does not contain it or comes later",
                        row.pcode
                    )));
                }
            } else if row.level != Level::Governorate {
                return Err(err(format!("{} has no parent", row.pcode)));
            }
            let entry = GazetteerEntry {
                pcode: row.pcode,
                level: row.level,
                parent,
                name_en: row.name_en,
                name_ar: row.name_ar,
                aliases_en: split(&row.aliases_en),
                aliases_ar: split(&row.aliases_ar),
                lat: row.lat,
                lon: row.lon,
            };
            let ix = g.entries.len();
            if g.by_pcode.insert(entry.pcode.clone(), ix).is_some() {
                return Err(err(format!("{} appears twice", entry.pcode)));
            }
            let names = [&entry.name_en, &entry.name_ar]
                .into_iter()
                .chain(&entry.aliases_en)
                .chain(&entry.aliases_ar);
            for name in names {
                let list = g.by_name.entry(fold(name)).or_default();
                if !list.contains(&ix) {
                    list.push(ix);
                }
            }
            g.entries.push(entry);
        }
        Ok(g)
    }

    pub fn get(&self, pcode: &str) -> Option<&GazetteerEntry> {
        self.by_pcode.get(pcode).map(|&i| &self.entries[i])
    }

    pub fn entries(&self) -> &[GazetteerEntry] {
        &self.entries
    }

    pub fn count(&self, level: Level) -> usize {
        self.entries.iter().filter(|e| e.level == level).count()
    }

    /// The entry and every entry above it, nearest first.
    pub fn ancestors(&self, pcode: &str) -> Vec<&GazetteerEntry> {
        let mut out = Vec::new();
        let mut next = self.get(pcode);
        while let Some(e) = next {
            out.push(e);
            next = e.parent.as_deref().and_then(|p| self.get(p));
        }
        out
    }

    /// The governorate a P-code lies in.
    pub fn governorate_of(&self, pcode: &str) -> Option<&GazetteerEntry> {
        self.ancestors(pcode)
            .into_iter()
            .find(|e| e.level == Level::Governorate)
    }

    /// Entries named `text` (in English or Arabic, by name or alias, however spelled),
    /// larger areas first. A name can be ambiguous: "Al-Hasakah" is a governorate, a
    /// district and a sub-district.
    pub fn lookup(&self, text: &str) -> Vec<&GazetteerEntry> {
        let mut found: Vec<&GazetteerEntry> = self
            .by_name
            .get(&fold(text))
            .map(|ix| ix.iter().map(|&i| &self.entries[i]).collect())
            .unwrap_or_default();
        found.sort_by_key(|e| (e.level as u8, e.pcode.clone()));
        found
    }

    /// Entries whose names contain `text` once folded; exact matches first.
    pub fn search(&self, text: &str, limit: usize) -> Vec<&GazetteerEntry> {
        let needle = fold(text);
        let mut out = self.lookup(text);
        for e in &self.entries {
            if out.len() >= limit {
                break;
            }
            if out.iter().any(|o| o.pcode == e.pcode) {
                continue;
            }
            let names = [&e.name_en, &e.name_ar]
                .into_iter()
                .chain(&e.aliases_en)
                .chain(&e.aliases_ar);
            if names.into_iter().any(|n| fold(n).contains(&needle)) {
                out.push(e);
            }
        }
        out.truncate(limit);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Vocabularies;

    #[test]
    fn has_every_division_of_syria() {
        let g = &Vocabularies::embedded().gazetteer;
        assert_eq!(g.count(Level::Governorate), 14);
        assert_eq!(g.count(Level::District), 62);
        assert_eq!(g.count(Level::Subdistrict), 272);
    }

    #[test]
    fn finds_places_by_any_name() {
        let g = &Vocabularies::embedded().gazetteer;
        let codes =
            |v: Vec<&GazetteerEntry>| v.into_iter().map(|e| e.pcode.clone()).collect::<Vec<_>>();
        assert_eq!(codes(g.lookup("Sidnaya")), ["SY030401"]);
        assert_eq!(codes(g.lookup("صيدنايا")), ["SY030401"]);
        assert_eq!(codes(g.lookup("Rif Dimashq"))[0], "SY03");
        assert_eq!(
            g.governorate_of("SY030401").map(|e| e.name_ar.as_str()),
            Some("ريف دمشق")
        );
        let hasakah = codes(g.lookup("Al-Hasakah"));
        assert!(
            hasakah.starts_with(&["SY08".to_string()]) && hasakah.len() >= 2,
            "{hasakah:?}"
        );
    }

    /// Our gazetteer must state the same facts as the OpenSyria release it was built from.
    #[test]
    fn agrees_with_the_reference_release() {
        // The reference data lives beside the project (../shared/data); ATHAR_SHARED_DATA overrides.
        let shared = std::env::var_os("ATHAR_SHARED_DATA")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| {
                // Read at run time: a cached test binary may have been built in another checkout.
                let manifest = std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(
                    || env!("CARGO_MANIFEST_DIR").into(),
                    std::path::PathBuf::from,
                );
                manifest.join("../../../shared/data")
            });
        let root = shared.join("gazetteer");
        let load = |name: &str| -> Option<Vec<serde_json::Value>> {
            let text = std::fs::read_to_string(root.join(name)).ok()?;
            serde_json::from_str(&text).ok()
        };
        let (Some(govs), Some(dists), Some(subs)) = (
            load("governorates.json"),
            load("districts.json"),
            load("subdistricts.json"),
        ) else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "reference gazetteer missing at {}",
                root.display()
            );
            eprintln!(
                "SKIPPED: reference gazetteer not found at {}",
                root.display()
            );
            return;
        };
        let g = &Vocabularies::embedded().gazetteer;
        let mut pcode_by_id = HashMap::new();
        for (list, level) in [
            (&govs, Level::Governorate),
            (&dists, Level::District),
            (&subs, Level::Subdistrict),
        ] {
            for item in list {
                let pcode = item["externalIds"]["ochaPcode"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                pcode_by_id.insert(
                    item["id"].as_str().unwrap_or_default().to_string(),
                    pcode.clone(),
                );
                let ours = g.get(&pcode).unwrap_or_else(|| panic!("{pcode} missing"));
                assert_eq!(ours.level, level, "{pcode}");
                assert_eq!(
                    ours.name_en,
                    item["name"]["en"].as_str().unwrap_or_default(),
                    "{pcode}"
                );
                assert_eq!(
                    ours.name_ar,
                    item["name"]["ar"].as_str().unwrap_or_default(),
                    "{pcode}"
                );
                let parent_id = item
                    .get("districtId")
                    .or_else(|| item.get("governorateId"))
                    .and_then(|v| v.as_str());
                let parent = parent_id.map(|id| pcode_by_id[id].clone());
                assert_eq!(ours.parent, parent, "{pcode}");
                for alias in item["aliases"].as_array().into_iter().flatten() {
                    let value = alias["value"].as_str().unwrap_or_default();
                    let found = g.lookup(value).iter().any(|e| e.pcode == pcode);
                    assert!(found, "alias of {pcode} not found");
                }
            }
        }
        assert_eq!(g.entries().len(), govs.len() + dists.len() + subs.len());
    }
}
