//! The periodic report: what a monthly or half-yearly report of a documentation group
//! says, computed from the records' countable facts — headline figures and a lead
//! paragraph, charts over time, by party and on a map, breakdown tables, the returnees and
//! what became of them, an estimate of the undocumented when one is given, and the method.
//!
//! [`build`] makes a [`Report`]: every word already in the report's language, every number
//! already formatted, and beside each table the command that lists the records behind it.
//! [`crate::html`] and [`crate::pdf`] only lay it out. Pure: no store, no files.

use std::collections::BTreeMap;

use athar_model::vocab::{Lang, Vocabularies};
use athar_stats::counts::{Breakdown, Cell, Dimension, Facts, Filter, FilterError, Summary};
use serde::Serialize;

use crate::charts::{self, Datum, MapPlace, Withheld};
use crate::strings::Strings;

/// What to report on, and how.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    pub lang: Lang,
    /// The period as typed (any form a fuzzy date takes, e.g. 2024-01); open when absent.
    pub from: Option<String>,
    pub to: Option<String>,
    /// Count only records at least this well established: alleged, corroborated, verified.
    pub verification: Option<String>,
    /// For publication: withhold counts of fewer persons than this.
    pub suppress_below: Option<usize>,
    /// The date the report is prepared (shown as given).
    pub prepared_on: String,
    /// The records are demonstration data: say so on the first page.
    pub synthetic: bool,
    /// An estimate of the undocumented, computed by the caller from linked lists.
    pub estimate: Option<EstimateInput>,
}

/// A multiple systems estimate to report: the lists, how many they name, and the result.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EstimateInput {
    pub lists: Vec<String>,
    pub documented: usize,
    pub method: String,
    pub estimate: f64,
    /// The interval's bounds; `None` where the data set none.
    pub interval: (Option<f64>, Option<f64>),
    pub warnings: Vec<String>,
}

/// A headline figure.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Figure {
    /// The figure as printed ("1,236", "73%", "fewer than 5").
    pub value: String,
    pub label: String,
    /// The command that lists the events and persons behind it.
    pub records_behind: String,
}

/// A chart: its title and caption here, its drawing in `svg`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Chart {
    pub id: &'static str,
    pub title: String,
    pub caption: Option<String>,
    #[serde(skip)]
    pub svg: String,
}

/// A table: a header row and rows of printed cells (the first a label, the rest figures).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Table {
    pub id: &'static str,
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub note: Option<String>,
    /// The command that lists the records behind each figure of the table.
    pub records_behind: Option<String>,
}

/// The estimate section.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EstimateSection {
    pub title: String,
    pub text: String,
    pub warnings_title: String,
    pub warnings: Vec<String>,
}

/// A whole report, ready to lay out.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    pub lang: Lang,
    /// "rtl" or "ltr".
    pub dir: &'static str,
    pub title: String,
    pub period: String,
    pub prepared: String,
    pub synthetic: Option<String>,
    pub lead: String,
    pub headline: String,
    pub figures: Vec<Figure>,
    pub charts: Vec<Chart>,
    pub tables: Vec<Table>,
    pub returnees_title: String,
    pub returnees_intro: String,
    pub returnees: Table,
    pub estimate: Option<EstimateSection>,
    pub method_title: String,
    pub method: Vec<String>,
    /// The definitions the figures follow, so a reader of the document has them without
    /// the project's documentation (docs/DEFINITIONS.md says the same, at more length).
    pub definitions_title: String,
    pub definitions: Vec<String>,
    pub attribution: String,
    /// Words the layouts need ("Records behind this table", "Page").
    pub labels: BTreeMap<&'static str, String>,
    /// The figures as numbers, for machines (`--format json` and the API).
    pub summary: Summary,
}

/// Thousands separated by commas: 1236 → "1,236".
pub fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

struct Words<'a> {
    strings: &'a Strings,
    lang: Lang,
    vocab: &'a Vocabularies,
    below: Option<usize>,
}

impl Words<'_> {
    fn get(&self, key: &str) -> String {
        self.strings.get(self.lang, key).to_string()
    }

    fn fill(&self, key: &str, values: &[(&str, String)]) -> String {
        self.strings.fill(self.lang, key, values)
    }

    /// A counted phrase ("43 arrests", "حالتا اعتقال") in the plural form the number
    /// takes, withheld like any count when it could single someone out.
    fn counted(&self, key: &str, n: usize) -> String {
        match self.below {
            Some(below) if n > 0 && n < below => {
                self.fill("fewer_than", &[("n", below.to_string())])
            }
            _ => self.phrase(key, n),
        }
    }

    /// A counted phrase in the plural form the number takes, never withheld (the method's
    /// counts of what is unknown single nobody out).
    fn phrase(&self, key: &str, n: usize) -> String {
        self.strings.counted(self.lang, key, n as u64, &grouped(n))
    }

    /// A count for publication: withheld when it could single someone out.
    fn count(&self, n: usize) -> String {
        match self.below {
            Some(below) if n > 0 && n < below => {
                self.fill("fewer_than", &[("n", below.to_string())])
            }
            _ => grouped(n),
        }
    }

    fn cell_count(&self, cell: &Cell, n: usize) -> String {
        match self.below {
            Some(below) if cell.suppressed => self.fill("fewer_than", &[("n", below.to_string())]),
            _ => grouped(n),
        }
    }

    fn withheld_text(&self) -> Option<String> {
        self.below
            .map(|below| self.fill("fewer_than", &[("n", below.to_string())]))
    }

    fn share(&self, share: Option<f64>) -> String {
        share.map_or_else(|| self.get("no_share"), |s| format!("{:.0}%", s * 100.0))
    }

    /// The name of a breakdown key in the report's language.
    fn key(&self, dimension: Dimension, key: &str) -> String {
        match key {
            "unknown" => return self.get("unknown"),
            "uncertain" => return self.get("uncertain"),
            _ => {}
        }
        let term = match dimension {
            Dimension::Kind => self.vocab.event_kinds.get(key),
            Dimension::Unit => self.vocab.units.get(key),
            Dimension::Party => self.vocab.authorities.get(key),
            Dimension::HostCountry => self.vocab.host_countries.get(key),
            Dimension::Cause => self.vocab.causes_of_death.get(key),
            Dimension::Governorate => {
                return self
                    .vocab
                    .gazetteer
                    .get(key)
                    .map_or_else(|| key.to_string(), |g| g.name(self.lang).to_string());
            }
            Dimension::Sex
            | Dimension::AgeGroup
            | Dimension::Verification
            | Dimension::Combatant => {
                return self.get(key);
            }
            Dimension::Year | Dimension::Month => return key.to_string(),
        };
        term.map_or_else(|| key.to_string(), |t| t.label(self.lang).to_string())
    }
}

/// The period a document covers, in words: from and to, open on either side, or all.
pub(crate) fn period_text(
    strings: &Strings,
    lang: Lang,
    from: &Option<String>,
    to: &Option<String>,
) -> String {
    let words = |d: &String| crate::strings::date_in_words(d, lang);
    match (from, to) {
        (Some(from), Some(to)) => {
            strings.fill(lang, "period", &[("from", words(from)), ("to", words(to))])
        }
        (Some(from), None) => strings.fill(lang, "period_open_end", &[("from", words(from))]),
        (None, Some(to)) => strings.fill(lang, "period_open_start", &[("to", words(to))]),
        (None, None) => strings.get(lang, "period_all").to_string(),
    }
}

/// The period and level options of the `athar stats` commands a report names.
fn stats_options(options: &ReportOptions) -> String {
    let mut command = String::new();
    if let Some(from) = &options.from {
        command.push_str(&format!(" --from {from}"));
    }
    if let Some(to) = &options.to {
        command.push_str(&format!(" --to {to}"));
    }
    if let Some(level) = &options.verification {
        command.push_str(&format!(" --verification {level}"));
    }
    command
}

/// The command that lists the records behind a headline figure.
fn figure_behind(figure: &str, options: &ReportOptions) -> String {
    format!("athar stats --behind {figure}{}", stats_options(options))
}

/// The command that lists the records behind a breakdown.
fn records_behind(by: &[Dimension], options: &ReportOptions) -> String {
    format!(
        "athar stats --by {}{} --ids",
        by.iter().map(|d| d.name()).collect::<Vec<_>>().join(","),
        stats_options(options)
    )
}

/// The months (or, over three years, the years) from the first to the last date of a
/// series, so that months without arrests show as gaps rather than vanish.
fn time_axis(keys: &[String], months: bool) -> Vec<String> {
    let parse = |k: &str| -> Option<(i32, u32)> {
        let mut parts = k.split('-');
        let year = parts.next()?.parse().ok()?;
        let month = parts.next().map_or(Some(1), |m| m.parse().ok())?;
        Some((year, month))
    };
    let dated: Vec<(i32, u32)> = keys.iter().filter_map(|k| parse(k)).collect();
    let (Some(first), Some(last)) = (dated.iter().min(), dated.iter().max()) else {
        return Vec::new();
    };
    if !months {
        return (first.0..=last.0).map(|year| year.to_string()).collect();
    }
    let mut axis = Vec::new();
    let (mut year, mut month) = *first;
    while (year, month) <= *last && axis.len() < 600 {
        axis.push(format!("{year}-{month:02}"));
        month += 1;
        if month > 12 {
            month = 1;
            year += 1;
        }
    }
    axis
}

/// Builds the report. Fails only on a period or verification level that cannot be read.
pub fn build(
    facts: &Facts,
    vocab: &Vocabularies,
    options: &ReportOptions,
) -> Result<Report, Vec<FilterError>> {
    let filter = Filter::parse(
        options.from.as_deref(),
        options.to.as_deref(),
        options.verification.as_deref(),
        None,
    )?;
    let words = Words {
        strings: Strings::embedded(),
        lang: options.lang,
        vocab,
        below: options.suppress_below.filter(|b| *b > 1),
    };
    let rtl = options.lang == Lang::Ar;
    let summary = facts.summary(&filter);
    let withheld_text = words.withheld_text();
    let withheld = words
        .below
        .zip(withheld_text.as_deref())
        .map(|(below, text)| Withheld { below, text });
    let breakdown = |by: &[Dimension]| -> Breakdown {
        let mut b = facts.breakdown(by, &filter, false);
        if let Some(below) = words.below {
            b.suppress_small_cells(below);
        }
        b
    };
    let period = period_text(words.strings, options.lang, &options.from, &options.to);
    let cohort = &summary.returnee_cohort;
    let lead = words.fill(
        "lead",
        &[
            ("arrests", words.counted("n_arrests", summary.arrests)),
            ("children", words.count(summary.arrests_children)),
            ("women", words.count(summary.arrests_women)),
            (
                "after_return",
                words.count(summary.arrests_after_forced_return),
            ),
            (
                "disappeared_share",
                words.share(summary.share_arrests_to_disappearance),
            ),
            ("returnees", words.count(cohort.returnees)),
            ("returnee_children", words.count(cohort.children_at_return)),
            ("returnees_died", words.count(cohort.died_in_custody)),
            ("returnees_disappeared", words.count(cohort.disappeared)),
        ],
    );
    let figure = |value: String, key: &str, behind: &str| Figure {
        value,
        label: words.get(key),
        records_behind: figure_behind(behind, options),
    };
    let figures = vec![
        figure(words.count(summary.victims), "figure_victims", "victims"),
        figure(words.count(summary.arrests), "figure_arrests", "arrests"),
        figure(
            words.count(summary.arrests_children),
            "figure_arrests_children",
            "arrests_children",
        ),
        figure(
            words.count(summary.arrests_women),
            "figure_arrests_women",
            "arrests_women",
        ),
        figure(
            words.count(summary.arrests_after_forced_return),
            "figure_arrests_after_forced_return",
            "arrests_after_forced_return",
        ),
        figure(
            words.share(summary.share_arrests_to_disappearance),
            "figure_share_disappeared",
            "arrests_then_disappeared",
        ),
        figure(
            words.count(summary.enforced_disappearances),
            "figure_disappeared",
            "enforced_disappearances",
        ),
        figure(
            words.count(summary.died_in_custody),
            "figure_died_in_custody",
            "died_in_custody",
        ),
        Figure {
            value: words.count(summary.returnees),
            label: words.fill(
                "figure_returnees",
                &[("forced", words.count(summary.forced_returnees))],
            ),
            records_behind: figure_behind("returnees", options),
        },
    ];

    // Arrests over time: by month when the dated months span three years or less, by year
    // otherwise. What cannot be placed on the axis is counted in the caption.
    let dated =
        |c: &&Cell| c.key[0] == "arrest" && c.key[1] != "unknown" && c.key[1] != "uncertain";
    let by_kind_month = breakdown(&[Dimension::Kind, Dimension::Month]);
    let month_cells: Vec<&Cell> = by_kind_month.cells.iter().filter(dated).collect();
    let month_axis = time_axis(
        &month_cells
            .iter()
            .map(|c| c.key[1].clone())
            .collect::<Vec<_>>(),
        true,
    );
    let by_kind_year;
    let (time_cells, axis) = if !month_axis.is_empty() && month_axis.len() <= 36 {
        (month_cells, month_axis)
    } else {
        by_kind_year = breakdown(&[Dimension::Kind, Dimension::Year]);
        let year_cells: Vec<&Cell> = by_kind_year.cells.iter().filter(dated).collect();
        let axis = time_axis(
            &year_cells
                .iter()
                .map(|c| c.key[1].clone())
                .collect::<Vec<_>>(),
            false,
        );
        (year_cells, axis)
    };
    let series: BTreeMap<&str, &Cell> =
        time_cells.iter().map(|c| (c.key[1].as_str(), *c)).collect();
    let drawn: usize = series.values().map(|c| c.victimisations).sum();
    let undated = summary.arrests.saturating_sub(drawn);
    let time_data: Vec<Datum> = axis
        .iter()
        .map(|bucket| Datum {
            label: bucket.clone(),
            value: match series.get(bucket.as_str()) {
                Some(c) if c.suppressed => None,
                Some(c) => Some(c.victimisations),
                None => Some(0),
            },
        })
        .collect();
    let mut charts_out = Vec::new();
    if !time_data.is_empty() {
        let title = words.get("chart_over_time");
        charts_out.push(Chart {
            id: "over-time",
            svg: charts::columns(&title, &time_data, rtl, withheld),
            title,
            // The arrests not drawn are said only when there are some.
            caption: Some(if undated == 0 {
                words.get("chart_over_time_caption")
            } else {
                format!(
                    "{} {}",
                    words.get("chart_over_time_caption"),
                    words.fill(
                        "chart_over_time_undated",
                        &[("outside", words.counted("n_arrests", undated))]
                    )
                )
            }),
        });
    }

    // Arrests by responsible party.
    let by_kind_party = breakdown(&[Dimension::Kind, Dimension::Party]);
    let party_data: Vec<Datum> = by_kind_party
        .cells
        .iter()
        .filter(|c| c.key[0] == "arrest")
        .map(|c| Datum {
            label: words.key(Dimension::Party, &c.key[1]),
            value: (!c.suppressed).then_some(c.victimisations),
        })
        .collect();
    if !party_data.is_empty() {
        let title = words.get("chart_by_party");
        charts_out.push(Chart {
            id: "by-party",
            svg: charts::bars(&title, &party_data, rtl, withheld),
            title,
            caption: None,
        });
    }

    // Arrests by responsible unit: the twelve units with most.
    let by_kind_unit = breakdown(&[Dimension::Kind, Dimension::Unit]);
    let unit_data: Vec<Datum> = by_kind_unit
        .cells
        .iter()
        .filter(|c| c.key[0] == "arrest")
        .take(12)
        .map(|c| Datum {
            label: words.key(Dimension::Unit, &c.key[1]),
            value: (!c.suppressed).then_some(c.victimisations),
        })
        .collect();
    if !unit_data.is_empty() {
        let title = words.get("chart_by_unit");
        charts_out.push(Chart {
            id: "by-unit",
            svg: charts::bars(&title, &unit_data, rtl, withheld),
            title,
            caption: None,
        });
    }

    // Governorates: the map and the table.
    let by_governorate = breakdown(&[Dimension::Governorate]);
    let mut unplaced = 0;
    let places: Vec<MapPlace> = vocab
        .gazetteer
        .entries()
        .iter()
        .filter(|g| g.level == athar_model::gazetteer::Level::Governorate)
        .filter_map(|g| {
            let cell = by_governorate.cells.iter().find(|c| c.key[0] == g.pcode);
            Some(MapPlace {
                name: g.name(options.lang).to_string(),
                lat: g.lat?,
                lon: g.lon?,
                value: match cell {
                    Some(c) if c.suppressed => None,
                    Some(c) => Some(c.victimisations),
                    None => Some(0),
                },
            })
        })
        .collect();
    for cell in &by_governorate.cells {
        if cell.key[0] == "unknown" {
            unplaced += cell.victimisations;
        }
    }
    {
        let title = words.get("chart_map");
        charts_out.push(Chart {
            id: "map",
            svg: charts::syria_map(&title, &places, withheld),
            title,
            caption: Some(words.fill("chart_map_caption", &[("unplaced", words.count(unplaced))])),
        });
    }

    let victimisation_columns = |first: &str| {
        vec![
            words.get(first),
            words.get("column_victimisations"),
            words.get("column_persons"),
        ]
    };
    let rows_of =
        |b: &Breakdown, dimension: Dimension, limit: usize| -> (Vec<Vec<String>>, Option<String>) {
            let mut rows: Vec<Vec<String>> = b
                .cells
                .iter()
                .take(limit)
                .map(|c| {
                    vec![
                        words.key(dimension, &c.key[0]),
                        words.cell_count(c, c.victimisations),
                        words.cell_count(c, c.persons),
                    ]
                })
                .collect();
            let rest = &b.cells[b.cells.len().min(limit)..];
            let note = (!rest.is_empty()).then(|| {
                words.fill(
                    "more_rows",
                    &[
                        ("n", rest.len().to_string()),
                        (
                            "victimisations",
                            words.count(rest.iter().map(|c| c.victimisations).sum()),
                        ),
                    ],
                )
            });
            if rows.is_empty() {
                rows.push(vec!["—".into(), "0".into(), "0".into()]);
            }
            (rows, note)
        };
    let mut tables = Vec::new();
    for (id, title, column, dimension, limit) in [
        (
            "by-kind",
            "table_by_kind",
            "column_kind",
            Dimension::Kind,
            30,
        ),
        (
            "by-governorate",
            "table_by_governorate",
            "column_governorate",
            Dimension::Governorate,
            20,
        ),
        (
            "by-unit",
            "table_by_unit",
            "column_unit",
            Dimension::Unit,
            15,
        ),
    ] {
        let b = if dimension == Dimension::Governorate {
            by_governorate.clone()
        } else {
            breakdown(&[dimension])
        };
        let (rows, note) = rows_of(&b, dimension, limit);
        tables.push(Table {
            id,
            title: words.get(title),
            columns: victimisation_columns(column),
            rows,
            note,
            records_behind: Some(records_behind(&[dimension], options)),
        });
    }
    // Returns by host country: the return kinds only.
    let by_kind_host = breakdown(&[Dimension::Kind, Dimension::HostCountry]);
    let host_rows: Vec<Vec<String>> = by_kind_host
        .cells
        .iter()
        .filter(|c| vocab.category_of(&c.key[0]) == Some("return"))
        .map(|c| {
            vec![
                words.key(Dimension::HostCountry, &c.key[1]),
                words.key(Dimension::Kind, &c.key[0]),
                words.cell_count(c, c.persons),
            ]
        })
        .collect();
    if !host_rows.is_empty() {
        tables.push(Table {
            id: "by-host",
            title: words.get("table_by_host"),
            columns: vec![
                words.get("column_host"),
                words.get("column_kind"),
                words.get("column_persons"),
            ],
            rows: host_rows,
            note: None,
            records_behind: Some(records_behind(
                &[Dimension::Kind, Dimension::HostCountry],
                options,
            )),
        });
    }
    // Arrests by sex and age group.
    let by_kind_sex_age = breakdown(&[Dimension::Kind, Dimension::Sex, Dimension::AgeGroup]);
    let mut sex_age_rows: Vec<(String, String, Vec<String>)> = by_kind_sex_age
        .cells
        .iter()
        .filter(|c| c.key[0] == "arrest")
        .map(|c| {
            (
                c.key[1].clone(),
                c.key[2].clone(),
                vec![
                    words.key(Dimension::Sex, &c.key[1]),
                    words.key(Dimension::AgeGroup, &c.key[2]),
                    words.cell_count(c, c.victimisations),
                ],
            )
        })
        .collect();
    let order = |k: &str| match k {
        "female" | "child" => 0,
        "male" | "adult" => 1,
        _ => 2,
    };
    sex_age_rows.sort_by_key(|(sex, age, _)| (order(sex), order(age)));
    if !sex_age_rows.is_empty() {
        tables.push(Table {
            id: "arrests-by-sex-age",
            title: words.get("table_arrests_by_sex_age"),
            columns: vec![
                words.get("column_sex"),
                words.get("column_age"),
                words.get("column_victimisations"),
            ],
            rows: sex_age_rows.into_iter().map(|(_, _, row)| row).collect(),
            note: None,
            records_behind: Some(records_behind(
                &[Dimension::Kind, Dimension::Sex, Dimension::AgeGroup],
                options,
            )),
        });
    }

    let returnees = Table {
        id: "returnees",
        title: words.get("returnees_title"),
        columns: vec![String::new(), words.get("column_count")],
        rows: [
            ("returnees_all", cohort.returnees),
            ("returnees_children", cohort.children_at_return),
            ("returnees_arrested", cohort.arrested_after_return),
            ("returnees_detained", cohort.detained),
            ("returnees_disappeared", cohort.disappeared),
            ("returnees_died", cohort.died_in_custody),
            ("returnees_killed", cohort.killed),
            ("returnees_dead", cohort.dead),
            ("returnees_released", cohort.released),
            ("returnees_nothing_known", cohort.nothing_known),
        ]
        .into_iter()
        .map(|(key, n)| vec![words.get(key), words.count(n)])
        .collect(),
        note: None,
        records_behind: None,
    };

    let bound =
        |b: Option<f64>| b.map_or_else(|| words.get("unbounded"), |v| grouped(v.round() as usize));
    let estimate = options.estimate.as_ref().map(|e| EstimateSection {
        title: words.get("estimate_title"),
        text: words.fill(
            "estimate_text",
            &[
                ("lists", e.lists.join(", ")),
                ("documented", grouped(e.documented)),
                ("method", e.method.clone()),
                ("estimate", grouped(e.estimate.round() as usize)),
                ("low", bound(e.interval.0)),
                ("high", bound(e.interval.1)),
                (
                    "undocumented",
                    grouped((e.estimate.round() as usize).saturating_sub(e.documented)),
                ),
            ],
        ),
        warnings_title: words.get("estimate_warnings"),
        warnings: e.warnings.clone(),
    });

    let mut method = vec![
        words.fill(
            "method_counting",
            &[
                ("person_records", grouped(summary.person_records)),
                ("persons", grouped(summary.persons)),
            ],
        ),
        words.fill(
            "method_dates",
            &[("uncertain", grouped(summary.uncertain_in_period))],
        ),
        // What is unknown is said only when something is: no "0 arrests" sentences.
        [
            Some(words.get("method_age")),
            (summary.arrests_age_unknown > 0).then(|| {
                words.fill(
                    "method_age_unknown",
                    &[(
                        "age_unknown",
                        words.phrase("n_arrests", summary.arrests_age_unknown),
                    )],
                )
            }),
            (summary.arrests_sex_unknown > 0).then(|| {
                words.fill(
                    "method_sex_unknown",
                    &[(
                        "sex_unknown",
                        words.phrase("n_arrests", summary.arrests_sex_unknown),
                    )],
                )
            }),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" "),
        words.get("method_disappearance"),
        match &options.verification {
            None => words.get("method_verification_all"),
            Some(level) => words.fill("method_verification", &[("level", words.get(level))]),
        },
    ];
    if let Some(below) = words.below {
        method.push(words.fill("method_suppression", &[("n", below.to_string())]));
    }
    method.push(words.get("method_records_behind"));

    let labels = [("records_behind", "records_behind"), ("page", "page")]
        .into_iter()
        .map(|(name, key)| (name, words.get(key)))
        .collect();
    Ok(Report {
        lang: options.lang,
        dir: if rtl { "rtl" } else { "ltr" },
        title: words.get("title"),
        period,
        prepared: words.fill(
            "generated",
            &[
                (
                    "date",
                    crate::strings::date_in_words(&options.prepared_on, options.lang),
                ),
                ("records", grouped(summary.person_records)),
            ],
        ),
        synthetic: options.synthetic.then(|| words.get("synthetic")),
        lead,
        headline: words.get("headline"),
        figures,
        charts: charts_out,
        tables,
        returnees_title: words.get("returnees_title"),
        returnees_intro: words.get("returnees_intro"),
        returnees,
        estimate,
        method_title: words.get("method_title"),
        method,
        definitions_title: words.get("definitions_title"),
        definitions: [
            "definition_victimisation",
            "definition_women_children",
            "definition_after_return",
            "definition_status",
            "definition_party",
            "definition_periods",
        ]
        .iter()
        .map(|key| words.get(key))
        .collect(),
        attribution: words.get("attribution"),
        labels,
        summary,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use athar_model::{RecordBody, RecordId};

    fn demo_facts() -> Facts {
        let records: Vec<_> = athar_demo::generate(3, 1_500).flatten().collect();
        Facts::build(records, Vocabularies::embedded())
    }

    fn options(lang: Lang) -> ReportOptions {
        ReportOptions {
            lang,
            from: Some("2023-01".into()),
            to: Some("2024-12".into()),
            prepared_on: "2026-11-22".into(),
            ..Default::default()
        }
    }

    fn number(text: &str) -> usize {
        text.replace(',', "").parse().unwrap_or(usize::MAX)
    }

    /// One person, arrested once, sex and age known: the words agree with one, and nothing
    /// is said of what is not missing.
    #[test]
    fn one_arrest_reads_as_one_and_nothing_is_said_of_zero() {
        let vocab = Vocabularies::embedded();
        let person = RecordId::from_parts(1_700_000_000_000, 1, 1);
        let arrest = RecordId::from_parts(1_700_000_000_000, 2, 1);
        let records = vec![
            (
                person,
                RecordBody::Person(athar_model::Person {
                    sex: athar_model::Sex::Male,
                    birth_date: athar_model::FuzzyDate::parse("1990").unwrap_or_default(),
                    ..Default::default()
                }),
            ),
            (
                arrest,
                RecordBody::Event(athar_model::Event {
                    kind: "arrest".into(),
                    start: athar_model::FuzzyDate::parse("2024-03-02").unwrap_or_default(),
                    ..Default::default()
                }),
            ),
            (
                RecordId::from_parts(1_700_000_000_000, 3, 1),
                RecordBody::Involvement(athar_model::Involvement {
                    person,
                    event: arrest,
                    role: athar_model::Role::Victim,
                    acts: vec![],
                    verification: Default::default(),
                    sources: vec![],
                }),
            ),
        ];
        let facts = Facts::build(records, vocab);
        let en = build(&facts, vocab, &options(Lang::En)).expect("report");
        assert!(en.lead.contains("document 1 arrest in"), "{}", en.lead);
        let method = en.method.join(" ");
        assert!(!method.contains(" 0 arrest"), "{method}");
        assert!(!method.contains("1 arrests"), "{method}");
        let ar = build(&facts, vocab, &options(Lang::Ar)).expect("report");
        assert!(ar.lead.contains("حالة اعتقال واحدة"), "{}", ar.lead);
    }

    #[test]
    fn the_report_says_what_the_statistics_count() {
        let facts = demo_facts();
        let vocab = Vocabularies::embedded();
        let report = build(&facts, vocab, &options(Lang::En)).expect("report");
        let filter = Filter::parse(Some("2023-01"), Some("2024-12"), None, None).expect("filter");
        let summary = facts.summary(&filter);
        assert!(
            summary.arrests > 20,
            "too few arrests to test: {}",
            summary.arrests
        );
        assert_eq!(report.summary, summary);
        assert_eq!(report.figures[0].value, grouped(summary.victims));
        assert_eq!(report.figures[1].value, grouped(summary.arrests));
        assert!(
            report
                .lead
                .contains(&format!("document {} arrests", grouped(summary.arrests)))
        );
        assert_eq!(
            report.figures[2].records_behind,
            "athar stats --behind arrests_children --from 2023-01 --to 2024-12"
        );
        // Every figure's command names a figure the statistics can list, of the same value.
        for figure in &report.figures {
            let name = figure.records_behind.split(' ').nth(3).unwrap_or("");
            let behind = facts.behind(name, &filter).expect("a known figure");
            if !figure.value.ends_with('%') {
                assert_eq!(figure.value, grouped(behind.count), "{name}");
            }
        }
        // The table by kind holds every victimisation of the period.
        let by_kind = report
            .tables
            .iter()
            .find(|t| t.id == "by-kind")
            .expect("by kind");
        let total: usize = by_kind.rows.iter().map(|r| number(&r[1])).sum();
        let expected: usize = facts
            .breakdown(&[Dimension::Kind], &filter, false)
            .cells
            .iter()
            .map(|c| c.victimisations)
            .sum();
        assert_eq!(total, expected);
        let arrest_row = by_kind
            .rows
            .iter()
            .find(|r| r[0] == "Arrest")
            .expect("arrest row");
        assert_eq!(number(&arrest_row[1]), summary.arrests);
        assert_eq!(
            by_kind.records_behind.as_deref(),
            Some("athar stats --by kind --from 2023-01 --to 2024-12 --ids")
        );
        // The returnee table is the cohort.
        assert_eq!(
            report.returnees.rows[0][1],
            grouped(summary.returnee_cohort.returnees)
        );
        assert_eq!(
            report.returnees.rows[5][1],
            grouped(summary.returnee_cohort.died_in_custody)
        );
        // Four charts: over time, by party, by unit, the map.
        let ids: Vec<&str> = report.charts.iter().map(|c| c.id).collect();
        assert_eq!(ids, ["over-time", "by-party", "by-unit", "map"]);
        // The columns over time add up to the arrests less those the caption says are not drawn.
        let drawn: usize = report.charts[0]
            .svg
            .split("<title>")
            .skip(2)
            .filter_map(|t| {
                t.split("</title>")
                    .next()?
                    .rsplit(": ")
                    .next()?
                    .parse::<usize>()
                    .ok()
            })
            .sum();
        let caption = report.charts[0].caption.as_deref().unwrap_or("");
        let undrawn = number(
            caption
                .split(". ")
                .nth(1)
                .and_then(|s| s.split(' ').next())
                .unwrap_or(""),
        );
        assert_eq!(drawn + undrawn, summary.arrests, "{caption}");
    }

    #[test]
    fn arabic_reports_use_arabic_words_and_names_and_run_right_to_left() {
        let facts = demo_facts();
        let report = build(&facts, Vocabularies::embedded(), &options(Lang::Ar)).expect("report");
        assert_eq!(report.dir, "rtl");
        assert!(report.title.contains("الإخفاء القسري"));
        assert!(report.period.contains("كانون الثاني/يناير 2023") && report.period.contains("إلى"));
        let by_governorate = report
            .tables
            .iter()
            .find(|t| t.id == "by-governorate")
            .expect("by governorate");
        assert!(
            by_governorate
                .rows
                .iter()
                .any(|r| r[0] == "دمشق" || r[0] == "ريف دمشق")
        );
        assert!(report.charts[3].svg.contains("حلب"));
        assert!(report.charts[2].svg.contains("فرع"), "units in Arabic");
        let by_kind = report
            .tables
            .iter()
            .find(|t| t.id == "by-kind")
            .expect("by kind");
        assert!(
            by_kind.rows.iter().any(|r| r[0] == "اعتقال"),
            "{:?}",
            by_kind.rows
        );
    }

    #[test]
    fn published_reports_withhold_every_small_count() {
        let facts = demo_facts();
        let mut opts = options(Lang::En);
        opts.suppress_below = Some(10);
        opts.synthetic = true;
        let report = build(&facts, Vocabularies::embedded(), &opts).expect("report");
        assert!(report.synthetic.is_some());
        assert!(
            report
                .method
                .iter()
                .any(|p| p.contains("fewer than 10 persons"))
        );
        let mut withheld = 0;
        let counts = report
            .figures
            .iter()
            .map(|f| f.value.as_str())
            .chain(report.tables.iter().flat_map(|t| {
                t.rows
                    .iter()
                    .flat_map(|r| r[1..].iter().map(String::as_str))
            }))
            .chain(report.returnees.rows.iter().map(|r| r[1].as_str()));
        for value in counts {
            if value == "fewer than 10" {
                withheld += 1;
            } else if !value.ends_with('%') {
                let n = number(value);
                assert!(n == 0 || n >= 10, "a count of {n} was published");
            }
        }
        assert!(withheld > 0, "nothing was small enough to withhold");
        assert!(
            report
                .charts
                .iter()
                .any(|c| c.svg.contains("fewer than 10"))
        );
    }

    #[test]
    fn an_unreadable_period_is_refused() {
        let mut opts = options(Lang::En);
        opts.to = Some("2024-13".into());
        let errors =
            build(&Facts::default(), Vocabularies::embedded(), &opts).expect_err("refused");
        assert_eq!(errors[0].field, "to");
    }

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1236), "1,236");
        assert_eq!(grouped(1_000_000), "1,000,000");
    }

    #[test]
    fn the_time_axis_fills_the_months_between() {
        let keys = vec!["2024-11".to_string(), "2025-02".into(), "unknown".into()];
        assert_eq!(
            time_axis(&keys, true),
            vec!["2024-11", "2024-12", "2025-01", "2025-02"]
        );
        assert_eq!(time_axis(&keys, false), vec!["2024", "2025"]);
        assert!(time_axis(&["unknown".to_string()], true).is_empty());
    }
}
