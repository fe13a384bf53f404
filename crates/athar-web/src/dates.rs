//! Dates as a reader should see them: as precise as they were recorded and no more — a
//! year, a month and year, a day — marked when approximate, a range as a range, and an
//! unknown date said to be unknown ("آذار 2019 تقريباً", "March 2019, approx.").

use athar_model::{FuzzyDate, PartialDate, Precision};

use crate::i18n::Tr;

fn partial(tr: &Tr, date: &PartialDate) -> String {
    let year = date.year_value();
    let month = date
        .month_value()
        .map(|m| tr.t(&format!("month-{m}")))
        .unwrap_or_default();
    let year = tr.num(year);
    match (date.precision(), date.day_value()) {
        (Precision::Year, _) => year,
        (Precision::Month, _) => format!("{month} {year}"),
        (Precision::Day, Some(day)) => format!("{} {month} {year}", tr.num(day)),
        (Precision::Day, None) => format!("{month} {year}"),
    }
}

/// A recorded date in words of the reader's language.
pub fn in_words(tr: &Tr, date: &FuzzyDate) -> String {
    match date {
        FuzzyDate::Unknown => tr.t("date-unknown"),
        FuzzyDate::On { date, approximate } => {
            let text = partial(tr, date);
            if *approximate {
                tr.with("date-approx", "date", &text)
            } else {
                text
            }
        }
        FuzzyDate::Between {
            from,
            to,
            approximate,
        } => {
            let (from, to) = (partial(tr, from), partial(tr, to));
            let text = tr.two("date-between", ("from", &from), ("to", &to));
            if *approximate {
                tr.with("date-approx", "date", &text)
            } else {
                text
            }
        }
    }
}

/// The date for a `<time datetime>` attribute: the recorded day, month or year, or for a
/// range its start (HTML has no range); none when unknown.
pub fn machine(date: &FuzzyDate) -> Option<String> {
    match date {
        FuzzyDate::Unknown => None,
        FuzzyDate::On { date, .. } | FuzzyDate::Between { from: date, .. } => {
            Some(date.to_string())
        }
    }
}

/// A moment (unix milliseconds) in words, to the minute, in UTC, and as ISO 8601 for
/// `<time datetime>`.
pub fn moment(tr: &Tr, unix_ms: i64) -> (String, String) {
    let days = unix_ms.div_euclid(86_400_000);
    let minutes = unix_ms.rem_euclid(86_400_000) / 60_000;
    let (y, m, d) = athar_model::date::civil_from_days(days);
    let (h, min) = (minutes / 60, minutes % 60);
    (
        tr.digits.write(&format!(
            "{d} {} {y}, {h:02}:{min:02} UTC",
            tr.t(&format!("month-{m}"))
        )),
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}Z"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use athar_model::vocab::Lang;

    fn words(lang: Lang, text: &str) -> String {
        let date = FuzzyDate::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        in_words(&Tr::new(lang), &date).replace(['\u{2068}', '\u{2069}'], "")
    }

    #[test]
    fn dates_are_as_precise_as_recorded_and_say_when_approximate() {
        assert_eq!(words(Lang::Ar, "~2019-03"), "آذار 2019 تقريباً");
        assert_eq!(words(Lang::En, "~2019-03"), "March 2019, approx.");
        assert_eq!(words(Lang::En, "2014"), "2014");
        assert_eq!(words(Lang::Ar, "2013-11-05"), "5 تشرين الثاني 2013");
        assert_eq!(
            words(Lang::En, "2012-05/2012-07"),
            "between May 2012 and July 2012"
        );
        assert_eq!(words(Lang::Ar, ""), "تاريخ غير معروف");
    }

    #[test]
    fn moments_are_written_to_the_minute() {
        let (words, iso) = moment(&Tr::new(Lang::En), 1_764_884_700_000);
        assert_eq!(iso, "2025-12-04T21:45Z");
        assert_eq!(words, "4 December 2025, 21:45 UTC");
    }

    #[test]
    fn machine_dates_keep_the_recorded_precision() {
        let machine_of = |text: &str| machine(&FuzzyDate::parse(text).unwrap_or_default());
        assert_eq!(machine_of("~2019-03").as_deref(), Some("2019-03"));
        assert_eq!(machine_of("2012-05/2012-07").as_deref(), Some("2012-05"));
        assert_eq!(machine_of("2013-11-05").as_deref(), Some("2013-11-05"));
        assert_eq!(machine_of(""), None);
    }
}
