//! Counting again record by record gives the figures of counting everything afresh: after
//! creations, edits, deletions and changed links, `Facts::recount` over the records a
//! change touched agrees with `Facts::build_linked` over all records, figure by figure —
//! the summaries asked before a change brought up to date rather than made again, and the
//! facts also when kept (`Facts::to_kept`) and read back as a process that starts does.

mod common;

use std::collections::{BTreeMap, HashSet};

use athar_model::event::Role;
use athar_model::person::Sex;
use athar_model::vocab::Vocabularies;
use athar_model::{FuzzyDate, RecordBody, RecordId};
use athar_stats::counts::Facts;
use common::figures::assert_agree;

/// The records as they stand, by id, in the order a store lists them.
type Records = BTreeMap<RecordId, RecordBody>;

/// The facts kept up to date change by change, and the records as they stand.
struct Counted {
    records: Records,
    same_person: Vec<(RecordId, RecordId)>,
    facts: Facts,
}

impl Counted {
    fn new(records: Records, same_person: Vec<(RecordId, RecordId)>) -> Counted {
        let facts = Facts::build_linked(
            records.iter().map(|(i, b)| (*i, b.clone())),
            &same_person,
            Vocabularies::embedded(),
        );
        Counted {
            records,
            same_person,
            facts,
        }
    }

    /// Writes `changes` (a body, or `None` to delete) and links as `same_person` says,
    /// counting again only what they touch — as the application does after a write.
    fn apply(
        &mut self,
        changes: Vec<(RecordId, Option<RecordBody>)>,
        same_person: Vec<(RecordId, RecordId)>,
    ) {
        let mut touched: Vec<RecordId> = Vec::new();
        let mut events = HashSet::new();
        let mut gone = Vec::new();
        for (id, body) in &changes {
            let before = self.records.get(id);
            for b in [before, body.as_ref()].into_iter().flatten() {
                match b {
                    RecordBody::Person(_) => touched.push(*id),
                    RecordBody::Involvement(inv) => touched.push(inv.person),
                    RecordBody::Event(_) => {
                        events.insert(*id);
                    }
                    _ => {}
                }
            }
            if body.is_none() && matches!(before, Some(RecordBody::Event(_))) {
                gone.push(*id);
            }
        }
        // The persons in the changed events, as the store's links say.
        for body in self.records.values() {
            if let RecordBody::Involvement(inv) = body
                && events.contains(&inv.event)
            {
                touched.push(inv.person);
            }
        }
        let old: HashSet<_> = self.same_person.iter().copied().collect();
        let new: HashSet<_> = same_person.iter().copied().collect();
        for (a, b) in old.symmetric_difference(&new) {
            touched.extend([*a, *b]);
        }
        for (id, body) in changes {
            match body {
                Some(b) => self.records.insert(id, b),
                None => self.records.remove(&id),
            };
        }
        let before = std::mem::replace(&mut self.same_person, same_person);
        // What the application reads again: the persons to count, their involvements and
        // the events of those, and the events that changed.
        let recount = self.facts.to_recount(touched, &before, &self.same_person);
        let mut wanted_events: HashSet<RecordId> = events;
        let mut read = Vec::new();
        for (id, body) in &self.records {
            match body {
                RecordBody::Person(_) if recount.contains(id) => read.push((*id, body.clone())),
                RecordBody::Involvement(inv) if recount.contains(&inv.person) => {
                    wanted_events.insert(inv.event);
                    read.push((*id, body.clone()));
                }
                _ => {}
            }
        }
        for id in &wanted_events {
            if let Some(body @ RecordBody::Event(_)) = self.records.get(id) {
                read.push((*id, body.clone()));
            }
        }
        self.facts.recount(
            &recount,
            &gone,
            read,
            &self.same_person,
            Vocabularies::embedded(),
        );
    }

    fn check(&self, step: &str) {
        let afresh = Counted::new(self.records.clone(), self.same_person.clone());
        let persons: Vec<RecordId> = self
            .records
            .iter()
            .filter(|(_, b)| matches!(b, RecordBody::Person(_)))
            .map(|(i, _)| *i)
            .collect();
        assert_agree(step, &self.facts, &afresh.facts, &persons);
        // The kept form reads back as the same facts.
        let reread = Facts::from_kept(&self.facts.to_kept()).expect("the kept facts read back");
        assert_agree(
            &format!("{step}, kept and read back"),
            &reread,
            &afresh.facts,
            &persons,
        );
    }

    /// Goes on from the facts as a process that starts reads them back from the store.
    fn read_back(&mut self) {
        self.facts = Facts::from_kept(&self.facts.to_kept()).expect("the kept facts read back");
    }
}

fn ids_of<'a>(records: &'a Records, f: impl Fn(&RecordBody) -> bool + 'a) -> Vec<RecordId> {
    records
        .iter()
        .filter(|(_, b)| f(b))
        .map(|(i, _)| *i)
        .collect()
}

#[test]
fn counting_again_what_a_change_touched_gives_the_figures_of_counting_everything() {
    let all: Vec<(RecordId, RecordBody)> = athar_demo::generate(5, 1_500).flatten().collect();
    // The last persons' records arrive later, as new cases.
    let persons = ids_of(&all.iter().cloned().collect(), |b| {
        matches!(b, RecordBody::Person(_))
    });
    let late: HashSet<RecordId> = persons[persons.len() - 60..].iter().copied().collect();
    let belongs_late = |body: &RecordBody, id: &RecordId| match body {
        RecordBody::Person(_) => late.contains(id),
        RecordBody::Involvement(inv) => late.contains(&inv.person),
        _ => false,
    };
    let early: Records = all
        .iter()
        .filter(|(i, b)| !belongs_late(b, i))
        .cloned()
        .collect();
    let link = |i: usize, j: usize| (persons[i.max(j)], persons[i.min(j)]);
    let mut counted = Counted::new(early, vec![link(3, 4), link(10, 11), link(11, 12)]);
    counted.check("built");

    // New cases: their persons and involvements.
    let arriving: Vec<_> = all
        .iter()
        .filter(|(i, b)| belongs_late(b, i))
        .map(|(i, b)| (*i, Some(b.clone())))
        .collect();
    let links = counted.same_person.clone();
    counted.apply(arriving, links.clone());
    counted.check("new cases");

    // Edits of persons: sex, a stated status, a case submitted for review.
    let mut edits = Vec::new();
    for (n, id) in persons.iter().enumerate().filter(|(n, _)| n % 97 == 5) {
        let Some(RecordBody::Person(p)) = counted.records.get(id) else {
            continue;
        };
        let mut p = p.clone();
        p.sex = if n % 2 == 0 {
            Sex::Female
        } else {
            Sex::Unknown
        };
        p.birth_date = FuzzyDate::Unknown;
        edits.push((*id, Some(RecordBody::Person(p))));
    }
    counted.apply(edits, links.clone());
    counted.check("persons edited");
    // From here on, counted again from the facts as kept and read back.
    counted.read_back();

    // Edits of events: another kind, another date, another unit, another place.
    let events = ids_of(&counted.records, |b| matches!(b, RecordBody::Event(_)));
    let mut edits = Vec::new();
    for (n, id) in events.iter().enumerate().filter(|(n, _)| n % 53 == 7) {
        let Some(RecordBody::Event(e)) = counted.records.get(id) else {
            continue;
        };
        let mut e = e.clone();
        match n % 3 {
            0 => e.kind = "enforced-disappearance".into(),
            1 => e.start = FuzzyDate::Unknown,
            _ => e.unit = None,
        }
        edits.push((*id, Some(RecordBody::Event(e))));
    }
    counted.apply(edits, links.clone());
    counted.check("events edited");

    // Involvements moved to another person, made a witness's, or deleted.
    let involvements = ids_of(&counted.records, |b| {
        matches!(b, RecordBody::Involvement(_))
    });
    let mut edits = Vec::new();
    for (n, id) in involvements.iter().enumerate().filter(|(n, _)| n % 41 == 3) {
        let Some(RecordBody::Involvement(inv)) = counted.records.get(id) else {
            continue;
        };
        let mut inv = inv.clone();
        match n % 3 {
            0 => inv.person = persons[(n * 7) % persons.len()],
            1 => inv.role = Role::Witness,
            _ => {
                edits.push((*id, None));
                continue;
            }
        }
        edits.push((*id, Some(RecordBody::Involvement(inv))));
    }
    counted.apply(edits, links);
    counted.check("involvements changed");

    // Links: a decision joins two more, another splits a group of three.
    let links = vec![link(3, 4), link(10, 11), link(20, 21), link(21, 900)];
    counted.apply(Vec::new(), links.clone());
    counted.check("links changed");

    // Deletions: a person and their involvements, and an event with its involvements.
    let victim = persons[21];
    let event = events[40];
    let mut deletions = vec![(victim, None), (event, None)];
    for (id, body) in &counted.records {
        if let RecordBody::Involvement(inv) = body
            && (inv.person == victim || inv.event == event)
        {
            deletions.push((*id, None));
        }
    }
    counted.apply(deletions, links);
    counted.check("deleted");
}

#[test]
fn kept_facts_cut_short_or_of_another_form_are_refused_not_read_wrongly() {
    let records: Vec<(RecordId, RecordBody)> = athar_demo::generate(2, 40).flatten().collect();
    let facts = Facts::build(records, Vocabularies::embedded());
    let kept = facts.to_kept();
    assert!(Facts::from_kept(&kept).is_ok());
    for cut in 0..kept.len() {
        assert!(
            Facts::from_kept(&kept[..cut]).is_err(),
            "cut at {cut} of {}",
            kept.len()
        );
    }
    let mut other = kept.clone();
    other[athar_stats::counts::KEPT_FORM.len() - 1] ^= 1;
    assert!(Facts::from_kept(&other).is_err(), "another form");
    let mut longer = kept.clone();
    longer.push(0);
    assert!(Facts::from_kept(&longer).is_err(), "bytes after the end");
    // A head naming more events than any memory holds is refused, not tried.
    let mut boastful = kept.clone();
    let head = athar_stats::counts::KEPT_FORM.len() + 9;
    boastful[head + 1..head + 10]
        .copy_from_slice(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    assert!(Facts::from_kept(&boastful).is_err(), "a head beyond memory");
}

#[test]
fn kept_facts_in_many_parts_read_back_as_they_come_whatever_the_writes() {
    let records: Vec<(RecordId, RecordBody)> = athar_demo::generate(3, 60).flatten().collect();
    let persons: Vec<RecordId> = records
        .iter()
        .filter(|(_, b)| matches!(b, RecordBody::Person(_)))
        .map(|(i, _)| *i)
        .collect();
    let facts = Facts::build(records, Vocabularies::embedded());
    let mut kept = Vec::new();
    facts
        .write_kept_in_parts(&mut kept, 4)
        .expect("written to memory");
    assert!(
        kept.len() > facts.to_kept().len(),
        "many parts, each with its tag and length"
    );
    for piece in [1, 7, 100, kept.len()] {
        let mut reader = Facts::kept_reader();
        for bytes in kept.chunks(piece) {
            std::io::Write::write_all(&mut reader, bytes).expect("read as it comes");
        }
        let reread = reader.finish().expect("the kept facts read back");
        assert_agree(
            &format!("written {piece} bytes at a time"),
            &reread,
            &facts,
            &persons,
        );
    }
    for cut in (0..kept.len()).step_by(5) {
        assert!(Facts::from_kept(&kept[..cut]).is_err(), "cut at {cut}");
    }
}
