//! The name comparison on real transliterations: `data/names/levant-names.tsv` lists Arabic
//! names attested in the Levant with their Latin spellings (derived from the
//! arabic-name-romanizer index, MIT; see its NOTICE.md). For every name, each spelling
//! against the Arabic form and against the other spellings is a true variant; spellings of
//! different names are not. Recall and false-match rate are printed and held to a floor.

use athar_link::compare::{Comparison, NAME_LEVELS};
use athar_link::{Field, InputRecord, NamePart, Preparer};

struct Name {
    arabic: String,
    latin: Vec<String>,
}

fn names(role: &str) -> Vec<Name> {
    athar_model::names::attested_names(athar_model::names::LEVANT_NAMES)
        .filter(|n| n.role == role)
        .map(|n| Name {
            arabic: n.arabic.to_string(),
            latin: n.latin.iter().map(|s| s.to_string()).collect(),
        })
        .collect()
}

/// The level of the given-name comparison for two written names.
fn level(p: &mut Preparer<'_>, a: &str, b: &str) -> usize {
    let rec = |s: &str| InputRecord {
        list: 0,
        id: String::new(),
        values: vec![(Field::GivenName, s.to_string())],
    };
    let (x, _) = p.prepare(0, &rec(a));
    let (y, _) = p.prepare(1, &rec(b));
    Comparison::name_part(NamePart::Given).level(&x, &y, &p.interner) as usize
}

fn measure(role: &str) -> (f64, f64, f64, usize, usize) {
    let list = names(role);
    assert!(list.len() > 500, "{role}: {} names", list.len());
    // The letters' own rules: the table these spellings come from would find them all.
    let mut p = Preparer::letters_only(None);
    let variant = NAME_LEVELS
        .iter()
        .position(|l| *l == "variant")
        .expect("level");
    let close = NAME_LEVELS
        .iter()
        .position(|l| *l == "close")
        .expect("level");
    let (mut pairs, mut as_variant, mut as_close) = (0usize, 0usize, 0usize);
    for n in &list {
        let mut forms = vec![n.arabic.clone()];
        forms.extend(n.latin.iter().cloned());
        for i in 0..forms.len() {
            for j in i + 1..forms.len() {
                let l = level(&mut p, &forms[i], &forms[j]);
                if l > close && std::env::var_os("ATHAR_SHOW_MISSES").is_some() {
                    eprintln!("miss: {} / {} ({})", forms[i], forms[j], NAME_LEVELS[l]);
                }
                pairs += 1;
                as_variant += usize::from(l >= 1 && l <= variant);
                as_close += usize::from(l >= 1 && l <= close);
            }
        }
    }
    // Different names: every name's first Latin spelling and its Arabic form against the
    // next 20 names' (a fixed, varied sample of distinct names).
    let (mut different, mut false_variant) = (0usize, 0usize);
    for (i, n) in list.iter().enumerate() {
        for m in list.iter().skip(i + 1).take(20) {
            if n.arabic == m.arabic {
                continue;
            }
            for (a, b) in [
                (&n.latin[0], &m.latin[0]),
                (&n.arabic, &m.latin[0]),
                (&n.arabic, &m.arabic),
            ] {
                different += 1;
                let l = level(&mut p, a, b);
                false_variant += usize::from(l >= 1 && l <= variant);
            }
        }
    }
    (
        as_variant as f64 / pairs as f64,
        as_close as f64 / pairs as f64,
        false_variant as f64 / different as f64,
        pairs,
        different,
    )
}

/// Measure one role, print the figures and hold them to the floor.
fn check(role: &str) {
    let (recall_variant, recall_close, false_rate, pairs, different) = measure(role);
    eprintln!(
        "{role} names: {pairs} true variant pairs, recall {recall_variant:.3} as exact/variant, \
         {recall_close:.3} as close or better; {different} pairs of different names, \
         {false_rate:.4} taken for variants"
    );
    assert!(recall_variant >= 0.85, "{role}: recall {recall_variant:.3}");
    assert!(recall_close >= 0.9, "{role}: recall {recall_close:.3}");
    assert!(
        false_rate <= 0.02,
        "{role}: false-match rate {false_rate:.4}"
    );
}

#[test]
fn given_names_across_scripts() {
    check("given");
}

#[test]
fn family_names_across_scripts() {
    check("family");
}
