//! Reviewers' decisions over a run's scored pairs: the persons the records form now, and
//! the queue of pairs to look at next.
//!
//! [`resolve`] clusters a run's kept pairs with the decisions laid over them: a pair decided
//! "same" is a certain link, a pair decided "different" is a certain non-match that no chain
//! of links may cross, and the chaining guard of [`crate::cluster`] weighs the rest. A pair
//! the run did not keep is no evidence either way.
//!
//! [`queue`] orders the undecided pairs by how much a decision helps: the uncertainty of
//! the pair (binary entropy of its match probability, in bits — 1 at 0.5, nearly 0 for a
//! sure pair) times the number of person records whose grouping the decision settles (the
//! records of both clusters it could join or split). A pair whose join the guard refused
//! carries evidence both ways, so it counts as fully uncertain.

use std::collections::HashMap;

use serde::Serialize;

use crate::Label;
use crate::cluster::{self, Clusters, Link};

/// The probability a pair nobody scored stands at in the chaining guard: no evidence.
const UNSCORED: f64 = 0.5;

fn key(a: u32, b: u32) -> (u32, u32) {
    (a.min(b), a.max(b))
}

/// Cluster `n` records from the kept pairs and the decisions.
pub fn resolve(
    n: usize,
    pairs: &[Link],
    decisions: &[Label],
    threshold: f64,
    conflict_below: f64,
) -> Clusters {
    let mut known: HashMap<(u32, u32), f64> = pairs
        .iter()
        .map(|l| (key(l.a, l.b), l.probability))
        .collect();
    for d in decisions {
        known.insert(key(d.a, d.b), if d.same_person { 1.0 } else { 0.0 });
    }
    let links: Vec<Link> = known
        .iter()
        .filter(|&(_, &p)| p >= threshold)
        .map(|(&(a, b), &probability)| Link { a, b, probability })
        .collect();
    let score = |a: u32, b: u32| known.get(&key(a, b)).copied().unwrap_or(UNSCORED);
    cluster::cluster(n, links, threshold, conflict_below, &score, None)
}

/// Why a pair is in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueReason {
    /// Its match probability is neither high nor low.
    Uncertain,
    /// The chaining guard refused the join it proposes, or it is the pair that stopped one.
    RefusedJoin,
    /// It scores above the threshold but looks like brothers or sisters: held for a person
    /// to decide, never linked automatically.
    SiblingPattern,
    /// It scores above the threshold but the records give different sexes: held likewise.
    DifferentSex,
}

/// A pair waiting for a decision.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct QueueItem {
    pub a: u32,
    pub b: u32,
    pub probability: f64,
    /// Uncertainty (bits) × person records whose grouping the decision settles.
    pub value: f64,
    /// Person records in the clusters of the two records now.
    pub records_affected: usize,
    pub reason: QueueReason,
}

/// Binary entropy in bits.
pub fn entropy(p: f64) -> f64 {
    if p <= 0.0 || p >= 1.0 {
        return 0.0;
    }
    -(p * p.log2() + (1.0 - p) * (1.0 - p).log2())
}

/// The undecided pairs worth a reviewer's time, most valuable first: pairs with a
/// probability within `band` (inclusive), the pairs of refused joins, and the pairs `held`
/// because they look like brothers or sisters.
pub fn queue(
    pairs: &[Link],
    decisions: &[Label],
    clusters: &Clusters,
    band: (f64, f64),
    held: &[(Link, crate::Hold)],
) -> Vec<QueueItem> {
    let mut sizes: HashMap<u32, usize> = HashMap::new();
    for &c in &clusters.of {
        *sizes.entry(c).or_default() += 1;
    }
    let decided: std::collections::HashSet<(u32, u32)> =
        decisions.iter().map(|d| key(d.a, d.b)).collect();
    let affected = |a: u32, b: u32| {
        let (ca, cb) = (clusters.of[a as usize], clusters.of[b as usize]);
        let size = |c: u32| sizes.get(&c).copied().unwrap_or(1);
        if ca == cb {
            size(ca)
        } else {
            size(ca) + size(cb)
        }
    };
    let mut items: HashMap<(u32, u32), QueueItem> = HashMap::new();
    let mut offer = |a: u32, b: u32, probability: f64, uncertainty: f64, reason: QueueReason| {
        let k = key(a, b);
        if decided.contains(&k) {
            return;
        }
        let records_affected = affected(a, b);
        let item = QueueItem {
            a: k.0,
            b: k.1,
            probability,
            value: uncertainty * records_affected as f64,
            records_affected,
            reason,
        };
        match items.get(&k) {
            Some(old) if old.value >= item.value => {}
            _ => {
                items.insert(k, item);
            }
        }
    };
    for l in pairs {
        if l.probability >= band.0 && l.probability <= band.1 {
            offer(
                l.a,
                l.b,
                l.probability,
                entropy(l.probability),
                QueueReason::Uncertain,
            );
        }
    }
    for (l, why) in held {
        let reason = match why {
            crate::Hold::SiblingPattern => QueueReason::SiblingPattern,
            crate::Hold::DifferentSex => QueueReason::DifferentSex,
        };
        offer(l.a, l.b, l.probability, 1.0, reason);
    }
    for r in &clusters.refused {
        offer(
            r.link.a,
            r.link.b,
            r.link.probability,
            1.0,
            QueueReason::RefusedJoin,
        );
        offer(
            r.conflict.0,
            r.conflict.1,
            r.conflict_probability,
            1.0,
            QueueReason::RefusedJoin,
        );
    }
    let mut out: Vec<QueueItem> = items.into_values().collect();
    out.sort_by(|x, y| {
        y.value
            .total_cmp(&x.value)
            .then(
                (x.probability - 0.5)
                    .abs()
                    .total_cmp(&(y.probability - 0.5).abs()),
            )
            .then((x.a, x.b).cmp(&(y.a, y.b)))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(a: u32, b: u32, probability: f64) -> Link {
        Link { a, b, probability }
    }

    #[test]
    fn decisions_override_scores_both_ways() {
        // 0–1 is a sure link, 2–3 a weak pair below the threshold.
        let pairs = [link(0, 1, 0.99), link(2, 3, 0.4)];
        let none = resolve(4, &pairs, &[], 0.9, 0.01);
        assert_eq!(none.of, vec![0, 0, 2, 3]);
        let decided = [
            Label {
                a: 1,
                b: 0,
                same_person: false,
            },
            Label {
                a: 2,
                b: 3,
                same_person: true,
            },
        ];
        let after = resolve(4, &pairs, &decided, 0.9, 0.01);
        assert_eq!(after.of, vec![0, 1, 2, 2]);
    }

    #[test]
    fn a_rejected_pair_stops_a_chain_through_a_third_record() {
        // 0–1 and 1–2 are strong links; a reviewer said 0 and 2 are different people.
        let pairs = [link(0, 1, 0.999), link(1, 2, 0.98)];
        let chained = resolve(3, &pairs, &[], 0.9, 0.01);
        assert_eq!(chained.count(), 1);
        let rejected = [Label {
            a: 0,
            b: 2,
            same_person: false,
        }];
        let guarded = resolve(3, &pairs, &rejected, 0.9, 0.01);
        assert_eq!(guarded.of, vec![0, 0, 2]);
        assert_eq!(guarded.refused.len(), 1);
        // The refused join is what a reviewer sees first, then the uncertain pair.
        let q = queue(&pairs, &rejected, &guarded, (0.05, 0.99), &[]);
        assert_eq!(
            (q[0].a, q[0].b, q[0].reason),
            (1, 2, QueueReason::RefusedJoin)
        );
        assert_eq!(q[0].records_affected, 3);
        assert!(
            !q.iter().any(|i| (i.a, i.b) == (0, 2)),
            "decided pairs leave the queue"
        );
    }

    #[test]
    fn the_queue_puts_a_coin_toss_over_big_clusters_first() {
        // 0–1–2 form a cluster; 3 and 4 are alone; 5–6 a near-sure link.
        let pairs = [
            link(0, 1, 0.999),
            link(1, 2, 0.999),
            link(0, 2, 0.995),
            link(2, 3, 0.5),
            link(4, 5, 0.5),
            link(5, 6, 0.97),
            link(0, 6, 0.02),
        ];
        let clusters = resolve(7, &pairs, &[], 0.9, 0.01);
        let q = queue(&pairs, &[], &clusters, (0.05, 0.99), &[]);
        let order: Vec<(u32, u32)> = q.iter().map(|i| (i.a, i.b)).collect();
        // 2–3 joins four records at one bit; 4–5 joins three; 5–6 is nearly settled.
        assert_eq!(order, vec![(2, 3), (4, 5), (5, 6)]);
        assert!((q[0].value - 4.0).abs() < 1e-9);
        assert!(q[2].value < 0.5);
    }

    #[test]
    fn siblings_and_different_sexes_wait_for_a_person() {
        use crate::{Hold, hold};
        fn levels(pairs: &[(&'static str, &'static str)]) -> impl Fn(&str) -> Option<&'static str> {
            move |name: &str| pairs.iter().find(|(c, _)| *c == name).map(|(_, l)| *l)
        }
        let brothers = [
            ("given_name", "close"),
            ("father_name", "exact"),
            ("family_name", "variant"),
            ("mother_name", "exact"),
            ("sex", "same"),
        ];
        assert_eq!(hold(levels(&brothers)), Some(Hold::SiblingPattern));
        // Without a mother's name the pattern still holds; another mother is not siblings.
        let half = [
            ("given_name", "different"),
            ("father_name", "exact"),
            ("family_name", "exact"),
            ("mother_name", "different"),
        ];
        assert_eq!(hold(levels(&half)), None);
        let one_person = [
            ("given_name", "variant"),
            ("father_name", "exact"),
            ("family_name", "exact"),
        ];
        assert_eq!(hold(levels(&one_person)), None);
        // Without a father's name nothing says siblings.
        assert_eq!(
            hold(levels(&[
                ("given_name", "different"),
                ("family_name", "exact")
            ])),
            None
        );
        // A given name a letter from the other's that may be a brother's name too (`typo`):
        // one person when born the same year or the next; without a date or further apart,
        // it waits. A typing error of the other's name alone (`mistyped`) never waits.
        let typo = |given: &'static str, birth: &'static str| {
            [
                ("given_name", given),
                ("father_name", "exact"),
                ("family_name", "exact"),
                ("birth_date", birth),
            ]
        };
        for birth in ["compatible", "exact", "within_year"] {
            assert_eq!(hold(levels(&typo("typo", birth))), None, "{birth}");
        }
        for birth in ["null", "within_5_years"] {
            assert_eq!(
                hold(levels(&typo("typo", birth))),
                Some(Hold::SiblingPattern),
                "{birth}"
            );
            assert_eq!(hold(levels(&typo("mistyped", birth))), None, "{birth}");
        }
        // A father's or family name mistyped in one list is still the same.
        for parent in ["typo", "mistyped"] {
            let brothers = [
                ("given_name", "different"),
                ("father_name", parent),
                ("family_name", parent),
            ];
            assert_eq!(
                hold(levels(&brothers)),
                Some(Hold::SiblingPattern),
                "{parent}"
            );
        }
        // Where one list has no father's name, the same mother and family say siblings.
        let same_mother = [
            ("given_name", "different"),
            ("father_name", "null"),
            ("family_name", "variant"),
            ("mother_name", "variant"),
        ];
        assert_eq!(hold(levels(&same_mother)), Some(Hold::SiblingPattern));
        let sexes = [("given_name", "exact"), ("sex", "different")];
        assert_eq!(hold(levels(&sexes)), Some(Hold::DifferentSex));
    }
}
