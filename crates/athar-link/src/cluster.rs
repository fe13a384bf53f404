//! Pairwise decisions into persons.
//!
//! Links above the threshold are taken strongest first and join the two records' clusters
//! (union–find). Plain connected components chain unrelated people together through one weak
//! link (A–B and B–C both pass, A and C are plainly different people); so before two
//! clusters of which one holds more than one record are joined, every pair across them is
//! scored, and the join is refused when one of those pairs is a confident non-match whose
//! evidence against outweighs the link's evidence for (log-odds). When lists are linked
//! across only, a join that would put two records of one list in one person also needs those
//! two to pass the threshold between themselves: a brother in each of two reports linked to
//! one register entry does not make the brothers one person. A refused join is reported for
//! review, never silently dropped.

/// A scored candidate link.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Link {
    pub a: u32,
    pub b: u32,
    pub probability: f64,
}

/// How clustering ended.
#[derive(Debug, Clone, Default)]
pub struct Clusters {
    /// For each record, its cluster: the smallest record index in it.
    pub of: Vec<u32>,
    /// Links above the threshold that were not followed, with the cross pair that stopped them.
    pub refused: Vec<Refusal>,
}

/// A join the chaining guard refused.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Refusal {
    pub link: Link,
    /// A pair across the two clusters scored as a non-match.
    pub conflict: (u32, u32),
    pub conflict_probability: f64,
}

impl Clusters {
    /// Number of distinct clusters.
    pub fn count(&self) -> usize {
        self.of
            .iter()
            .enumerate()
            .filter(|&(i, &c)| c as usize == i)
            .count()
    }
}

/// Cluster `n` records from their links. `score` gives the match probability of any pair;
/// joins are refused when a cross pair scores below `conflict_below`, and — with `list_of`,
/// when the lists are linked across only — when two records of the same list would meet
/// without their own pair reaching `threshold`.
pub fn cluster(
    n: usize,
    mut links: Vec<Link>,
    threshold: f64,
    conflict_below: f64,
    score: &dyn Fn(u32, u32) -> f64,
    list_of: Option<&dyn Fn(u32) -> u16>,
) -> Clusters {
    links.retain(|l| l.probability >= threshold);
    links.sort_by(|x, y| {
        y.probability
            .total_cmp(&x.probability)
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
    let mut parent: Vec<u32> = (0..n as u32).collect();
    let mut members: Vec<Vec<u32>> = (0..n as u32).map(|i| vec![i]).collect();
    let mut refused = Vec::new();
    fn find(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            let up = parent[parent[x as usize] as usize];
            parent[x as usize] = up;
            x = up;
        }
        x
    }
    for link in links {
        let ra = find(&mut parent, link.a);
        let rb = find(&mut parent, link.b);
        if ra == rb {
            continue;
        }
        let (small, large) = if members[ra as usize].len() <= members[rb as usize].len() {
            (ra, rb)
        } else {
            (rb, ra)
        };
        let mut conflict = None;
        if members[large as usize].len() > 1 {
            'check: for &x in &members[small as usize] {
                for &y in &members[large as usize] {
                    if (x, y) == (link.a, link.b) || (y, x) == (link.a, link.b) {
                        continue;
                    }
                    let p = score(x, y);
                    // Two records of one list, when lists are linked across only, must
                    // pass between themselves.
                    let same_list = list_of.is_some_and(|list| list(x) == list(y));
                    // A confident non-match stops the join unless the link itself is
                    // stronger evidence than the non-match is against it.
                    let against =
                        p < conflict_below && log_odds(p) + log_odds(link.probability) <= 0.0;
                    if against || (same_list && p < threshold) {
                        conflict = Some(((x.min(y), x.max(y)), p));
                        break 'check;
                    }
                }
            }
        }
        if let Some((pair, p)) = conflict {
            refused.push(Refusal {
                link,
                conflict: pair,
                conflict_probability: p,
            });
            continue;
        }
        parent[small as usize] = large;
        let moved = std::mem::take(&mut members[small as usize]);
        members[large as usize].extend(moved);
    }
    let mut of = vec![0u32; n];
    for (root, m) in members.iter().enumerate() {
        if m.is_empty() {
            continue;
        }
        let smallest = *m.iter().min().unwrap_or(&(root as u32));
        for &x in m {
            of[x as usize] = smallest;
        }
    }
    Clusters { of, refused }
}

/// log₂ of the odds of a probability, finite at 0 and 1.
fn log_odds(p: f64) -> f64 {
    let p = p.clamp(1e-15, 1.0 - 1e-15);
    (p / (1.0 - p)).log2()
}

/// Pairwise precision, recall and F1 of a clustering against true cluster labels: a pair is
/// predicted when both records share a cluster, true when they share a label.
pub fn pairwise_scores(predicted: &[u32], truth: &[u64]) -> (f64, f64, f64) {
    use std::collections::HashMap;
    fn pairs(n: u64) -> u64 {
        n * n.saturating_sub(1) / 2
    }
    let mut pred: HashMap<u32, u64> = HashMap::new();
    let mut real: HashMap<u64, u64> = HashMap::new();
    let mut both: HashMap<(u32, u64), u64> = HashMap::new();
    for (p, t) in predicted.iter().zip(truth) {
        *pred.entry(*p).or_default() += 1;
        *real.entry(*t).or_default() += 1;
        *both.entry((*p, *t)).or_default() += 1;
    }
    let tp: u64 = both.values().map(|&c| pairs(c)).sum();
    let predicted_pairs: u64 = pred.values().map(|&c| pairs(c)).sum();
    let true_pairs: u64 = real.values().map(|&c| pairs(c)).sum();
    let precision = if predicted_pairs == 0 {
        1.0
    } else {
        tp as f64 / predicted_pairs as f64
    };
    let recall = if true_pairs == 0 {
        1.0
    } else {
        tp as f64 / true_pairs as f64
    };
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    (precision, recall, f1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chaining_through_one_weak_link_is_refused() {
        // 0–1 strong, 1–2 passes, but 0 and 2 are clearly different people.
        let links = vec![
            Link {
                a: 0,
                b: 1,
                probability: 0.999,
            },
            Link {
                a: 1,
                b: 2,
                probability: 0.95,
            },
            Link {
                a: 3,
                b: 4,
                probability: 0.97,
            },
        ];
        let score = |a: u32, b: u32| match (a.min(b), a.max(b)) {
            (0, 2) => 0.0001,
            _ => 0.5,
        };
        let c = cluster(5, links.clone(), 0.9, 0.01, &score, None);
        assert_eq!(c.of, vec![0, 0, 2, 3, 3]);
        assert_eq!(c.refused.len(), 1);
        assert_eq!(c.refused[0].conflict, (0, 2));
        // Without the guard the three chain.
        let c = cluster(5, links, 0.9, 0.0, &score, None);
        assert_eq!(c.of, vec![0, 0, 0, 3, 3]);
        assert_eq!(c.count(), 2);
    }

    #[test]
    fn two_records_of_one_list_meet_only_if_they_pass_themselves() {
        // Record 0 (the register) links strongly to 1 and to 2, two brothers in the other
        // list; the brothers themselves score 0.4 — no confident non-match, but not a match.
        let links = vec![
            Link {
                a: 0,
                b: 1,
                probability: 0.99,
            },
            Link {
                a: 0,
                b: 2,
                probability: 0.98,
            },
        ];
        let score = |a: u32, b: u32| match (a.min(b), a.max(b)) {
            (1, 2) => 0.4,
            _ => 0.99,
        };
        let list_of = |record: u32| u16::from(record > 0);
        let c = cluster(3, links.clone(), 0.9, 0.01, &score, Some(&list_of));
        assert_eq!(c.of, vec![0, 0, 2]);
        assert_eq!(c.refused.len(), 1);
        assert_eq!(c.refused[0].conflict, (1, 2));
        // Linking within lists too, the brothers are only refused when confidently apart.
        let c = cluster(3, links, 0.9, 0.01, &score, None);
        assert_eq!(c.of, vec![0, 0, 0]);
    }

    #[test]
    fn pairwise_f1() {
        let (p, r, f) = pairwise_scores(&[0, 0, 2, 3], &[7, 7, 7, 9]);
        assert_eq!(p, 1.0);
        assert!((r - 1.0 / 3.0).abs() < 1e-12);
        assert!((f - 0.5).abs() < 1e-12);
    }
}
