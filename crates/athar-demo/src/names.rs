//! The name table demo persons are drawn from: Arabic given and family names attested in
//! Syria and its neighbours, each with its Latin spellings (data/names/levant-names.tsv,
//! derived from the MIT-licensed arabic-name-romanizer index; see the NOTICE there).

use rand::Rng;

#[derive(Debug, Clone)]
pub struct Name {
    pub arabic: String,
    /// Latin spellings, most attested first.
    pub latin: Vec<String>,
}

/// Names of one kind with cumulative weights for drawing by frequency.
#[derive(Debug, Default)]
pub struct Pool {
    names: Vec<Name>,
    cumulative: Vec<u64>,
}

impl Pool {
    fn push(&mut self, name: Name, weight: u64) {
        let total = self.cumulative.last().copied().unwrap_or(0) + weight.max(1);
        self.names.push(name);
        self.cumulative.push(total);
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// A name drawn with probability proportional to how often it is attested.
    pub fn draw<R: Rng>(&self, rng: &mut R) -> &Name {
        let total = self.cumulative.last().copied().unwrap_or(1);
        let x = rng.random_range(0..total);
        let i = self.cumulative.partition_point(|&c| c <= x);
        &self.names[i.min(self.names.len() - 1)]
    }
}

#[derive(Debug, Default)]
pub struct NameTable {
    pub male: Pool,
    pub female: Pool,
    pub family: Pool,
}

impl NameTable {
    pub fn embedded() -> NameTable {
        NameTable::parse(athar_model::names::LEVANT_NAMES)
    }

    /// Parse the TSV (`role sex arabic weight latin|latin…`); malformed lines are skipped
    /// (the table is checked by this crate's tests).
    pub fn parse(text: &str) -> NameTable {
        let mut t = NameTable::default();
        for row in athar_model::names::attested_names(text) {
            let name = Name {
                arabic: row.arabic.to_string(),
                latin: row.latin.iter().map(|s| s.to_string()).collect(),
            };
            let weight = row.weight;
            match (row.role, row.sex) {
                ("given", "m") => t.male.push(name, weight),
                ("given", "f") => t.female.push(name, weight),
                ("family", _) => t.family.push(name, weight),
                _ => {}
            }
        }
        t
    }
}

/// One of a name's Latin spellings: the most attested is the most likely.
pub fn spelling<'a, R: Rng>(name: &'a Name, rng: &mut R) -> &'a str {
    let weights: Vec<f64> = (0..name.latin.len())
        .map(|i| 1.0 / ((i + 1) as f64).powf(1.5))
        .collect();
    let total: f64 = weights.iter().sum();
    let mut x = rng.random_range(0.0..total);
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return &name.latin[i];
        }
        x -= w;
    }
    &name.latin[0]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_table_has_enough_names_of_each_kind() {
        let t = NameTable::embedded();
        assert!(t.male.len() > 1000, "{}", t.male.len());
        assert!(t.female.len() > 100, "{}", t.female.len());
        assert!(t.family.len() > 2000, "{}", t.family.len());
        let arabic = |c: char| ('\u{0600}'..='\u{06FF}').contains(&c) || c == ' ';
        for pool in [&t.male, &t.female, &t.family] {
            for n in &pool.names {
                assert!(
                    n.arabic.chars().all(arabic),
                    "not Arabic script: {}",
                    n.arabic
                );
                assert!(
                    n.latin.iter().all(|l| l.is_ascii()),
                    "not Latin: {:?}",
                    n.latin
                );
            }
        }
    }
}
