//! One-to-one assignment between lists: each record of one list is matched with at most one
//! record of each other list, and the matches chosen are those with the greatest total
//! evidence — the assignment a family's report against a death register needs, where one
//! report is one person and so is one register entry.
//!
//! For every pair of lists, the links above the threshold between them form a bipartite
//! graph; each connected part is solved exactly as a maximum-weight matching (the Hungarian
//! method, weights the links' log-odds), so that a strong link does not take a record that
//! two slightly weaker links would use better. A part too large to solve exactly (more than
//! [`EXACT_UP_TO`] records on a side) is matched greedily, strongest first, and counted.

use crate::cluster::Link;
use std::collections::{BTreeMap, HashMap};

/// The largest side of a connected part solved exactly (the method costs its cube).
pub const EXACT_UP_TO: usize = 400;

/// The links kept by a one-to-one assignment, and how it was reached.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Assignment {
    /// The links chosen, in the order they were given.
    pub kept: Vec<Link>,
    /// Links above the threshold that the assignment set aside.
    pub set_aside: Vec<Link>,
    /// Connected parts matched greedily because they were too large to solve exactly.
    pub greedy_parts: usize,
}

fn log_odds(p: f64) -> f64 {
    let p = p.clamp(1e-15, 1.0 - 1e-15);
    (p / (1.0 - p)).ln()
}

/// Chooses, among `links` (each at or above the threshold) between records whose lists are
/// `list_of`, the one-to-one assignment of greatest total log-odds for every pair of lists.
/// Links with no positive evidence (probability at or below ½) are never chosen. Links
/// within one list are passed through untouched.
pub fn one_to_one(links: &[Link], list_of: &dyn Fn(u32) -> u16) -> Assignment {
    let mut by_lists: BTreeMap<(u16, u16), Vec<usize>> = BTreeMap::new();
    let mut assignment = Assignment::default();
    let mut keep = vec![false; links.len()];
    for (i, link) in links.iter().enumerate() {
        let (la, lb) = (list_of(link.a), list_of(link.b));
        if la == lb {
            keep[i] = true;
            continue;
        }
        by_lists
            .entry((la.min(lb), la.max(lb)))
            .or_default()
            .push(i);
    }
    for ((low, _), members) in by_lists {
        // Orient each link: the record of the lower list on the left.
        let oriented = |i: usize| {
            let l = links[i];
            if list_of(l.a) == low {
                (l.a, l.b)
            } else {
                (l.b, l.a)
            }
        };
        for part in connected_parts(&members, &oriented) {
            let (chosen, greedy) = match_part(&part, links, &oriented);
            assignment.greedy_parts += usize::from(greedy);
            for i in chosen {
                keep[i] = true;
            }
        }
    }
    for (i, link) in links.iter().enumerate() {
        if keep[i] {
            assignment.kept.push(*link);
        } else {
            assignment.set_aside.push(*link);
        }
    }
    assignment
}

/// The links grouped by the connected parts of their bipartite graph (union–find on the
/// records; parts in order of their first link).
fn connected_parts(members: &[usize], oriented: &dyn Fn(usize) -> (u32, u32)) -> Vec<Vec<usize>> {
    // Left records as even numbers, right ones as odd, so the two sides never collide.
    let mut parent: HashMap<u64, u64> = HashMap::new();
    fn find(parent: &mut HashMap<u64, u64>, x: u64) -> u64 {
        let mut root = x;
        while let Some(&up) = parent.get(&root) {
            if up == root {
                break;
            }
            root = up;
        }
        let mut at = x;
        while at != root {
            let up = parent.get(&at).copied().unwrap_or(root);
            parent.insert(at, root);
            at = up;
        }
        root
    }
    for &i in members {
        let (left, right) = oriented(i);
        let (l, r) = (u64::from(left) * 2, u64::from(right) * 2 + 1);
        parent.entry(l).or_insert(l);
        parent.entry(r).or_insert(r);
        let (rl, rr) = (find(&mut parent, l), find(&mut parent, r));
        if rl != rr {
            parent.insert(rl, rr);
        }
    }
    let mut parts: Vec<Vec<usize>> = Vec::new();
    let mut index: HashMap<u64, usize> = HashMap::new();
    for &i in members {
        let root = find(&mut parent, u64::from(oriented(i).0) * 2);
        let at = *index.entry(root).or_insert_with(|| {
            parts.push(Vec::new());
            parts.len() - 1
        });
        parts[at].push(i);
    }
    parts
}

/// The links of one connected part chosen by a maximum-weight matching; `true` when the
/// part was too large and was matched greedily instead.
fn match_part(
    part: &[usize],
    links: &[Link],
    oriented: &dyn Fn(usize) -> (u32, u32),
) -> (Vec<usize>, bool) {
    let mut lefts: Vec<u32> = part.iter().map(|&i| oriented(i).0).collect();
    let mut rights: Vec<u32> = part.iter().map(|&i| oriented(i).1).collect();
    lefts.sort_unstable();
    lefts.dedup();
    rights.sort_unstable();
    rights.dedup();
    let positive: Vec<usize> = part
        .iter()
        .copied()
        .filter(|&i| log_odds(links[i].probability) > 0.0)
        .collect();
    if lefts.len().max(rights.len()) > EXACT_UP_TO {
        return (greedy(&positive, links, oriented), true);
    }
    let n = lefts.len().max(rights.len());
    // Costs to minimise: −log-odds for a link, 0 for leaving both unmatched.
    let mut cost = vec![0.0; n * n];
    let mut link_at: HashMap<(usize, usize), usize> = HashMap::new();
    for &i in &positive {
        let (l, r) = oriented(i);
        let row = lefts.binary_search(&l).unwrap_or_default();
        let col = rights.binary_search(&r).unwrap_or_default();
        let weight = log_odds(links[i].probability);
        let better = link_at
            .get(&(row, col))
            .is_none_or(|&j| weight > log_odds(links[j].probability));
        if better {
            cost[row * n + col] = -weight;
            link_at.insert((row, col), i);
        }
    }
    let assigned = hungarian(&cost, n);
    let chosen = assigned
        .iter()
        .enumerate()
        .filter_map(|(row, &col)| link_at.get(&(row, col)).copied())
        .collect();
    (chosen, false)
}

/// Strongest first, each record used once.
fn greedy(
    candidates: &[usize],
    links: &[Link],
    oriented: &dyn Fn(usize) -> (u32, u32),
) -> Vec<usize> {
    let mut order = candidates.to_vec();
    order.sort_by(|&x, &y| {
        links[y]
            .probability
            .total_cmp(&links[x].probability)
            .then((links[x].a, links[x].b).cmp(&(links[y].a, links[y].b)))
    });
    let mut used_left = std::collections::HashSet::new();
    let mut used_right = std::collections::HashSet::new();
    order
        .into_iter()
        .filter(|&i| {
            let (l, r) = oriented(i);
            if used_left.contains(&l) || used_right.contains(&r) {
                return false;
            }
            used_left.insert(l);
            used_right.insert(r);
            true
        })
        .collect()
}

/// The assignment of rows to columns of least total cost in an n × n matrix (row-major):
/// the Hungarian method with potentials, O(n³). Returns each row's column.
fn hungarian(cost: &[f64], n: usize) -> Vec<usize> {
    // 1-based arrays, column 0 a sentinel, as the classic formulation.
    let mut u = vec![0.0; n + 1];
    let mut v = vec![0.0; n + 1];
    let mut row_of = vec![0usize; n + 1];
    let mut way = vec![0usize; n + 1];
    for row in 1..=n {
        row_of[0] = row;
        let mut col0 = 0;
        let mut min = vec![f64::INFINITY; n + 1];
        let mut used = vec![false; n + 1];
        loop {
            used[col0] = true;
            let r = row_of[col0];
            let mut delta = f64::INFINITY;
            let mut next = 0;
            for col in 1..=n {
                if used[col] {
                    continue;
                }
                let reduced = cost[(r - 1) * n + (col - 1)] - u[r] - v[col];
                if reduced < min[col] {
                    min[col] = reduced;
                    way[col] = col0;
                }
                if min[col] < delta {
                    delta = min[col];
                    next = col;
                }
            }
            for col in 0..=n {
                if used[col] {
                    u[row_of[col]] += delta;
                    v[col] -= delta;
                } else {
                    min[col] -= delta;
                }
            }
            col0 = next;
            if row_of[col0] == 0 {
                break;
            }
        }
        loop {
            let previous = way[col0];
            row_of[col0] = row_of[previous];
            col0 = previous;
            if col0 == 0 {
                break;
            }
        }
    }
    let mut assigned = vec![0usize; n];
    for col in 1..=n {
        if row_of[col] > 0 {
            assigned[row_of[col] - 1] = col - 1;
        }
    }
    assigned
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(a: u32, b: u32, probability: f64) -> Link {
        Link { a, b, probability }
    }

    /// Records 0–9 are on list 0, 10–19 on list 1, 20–29 on list 2.
    fn list_of(record: u32) -> u16 {
        (record / 10) as u16
    }

    #[test]
    fn the_best_assignment_is_not_the_greedy_one() {
        // A1–B1 is the strongest link, but taking it leaves A2 and B2 alone; A1–B2 and A2–B1
        // together are worth more.
        let links = [link(1, 11, 0.99), link(1, 12, 0.98), link(2, 11, 0.97)];
        let chosen = one_to_one(&links, &list_of);
        assert_eq!(chosen.kept, [links[1], links[2]]);
        assert_eq!(chosen.set_aside, [links[0]]);
        assert_eq!(chosen.greedy_parts, 0);
    }

    #[test]
    fn each_record_keeps_at_most_one_link_to_each_other_list() {
        let links = [
            link(1, 11, 0.95),
            link(1, 12, 0.96),
            link(1, 21, 0.99),
            link(3, 13, 0.999),
            link(4, 5, 0.97), // within one list: not for the assignment to judge
        ];
        let chosen = one_to_one(&links, &list_of);
        assert_eq!(chosen.kept, [links[1], links[2], links[3], links[4]]);
        assert_eq!(chosen.set_aside, [links[0]]);
    }

    #[test]
    fn the_hungarian_method_finds_the_cheapest_assignment() {
        // Checked against every permutation of a 4 × 4 matrix.
        let cost = [
            4.0, 1.0, 3.0, 2.0, //
            2.0, 0.0, 5.0, 3.0, //
            3.0, 2.0, 2.0, 1.0, //
            4.0, 3.0, 1.0, 0.5,
        ];
        let assigned = hungarian(&cost, 4);
        let total: f64 = assigned
            .iter()
            .enumerate()
            .map(|(r, &c)| cost[r * 4 + c])
            .sum();
        let mut best = f64::INFINITY;
        for a in 0..4 {
            for b in 0..4 {
                for c in 0..4 {
                    for d in 0..4 {
                        let mut seen = [a, b, c, d];
                        seen.sort_unstable();
                        if seen == [0, 1, 2, 3] {
                            best = best.min(cost[a] + cost[4 + b] + cost[8 + c] + cost[12 + d]);
                        }
                    }
                }
            }
        }
        assert!((total - best).abs() < 1e-12, "{total} against {best}");
    }
}
