//! Two-list estimates: Lincoln–Petersen and Chapman.
//!
//! With n₁ people on the first list, n₂ on the second and m on both, Lincoln–Petersen is
//! n₁n₂/m — the independence log-linear model of the two-list table, so its interval is that
//! model's profile-likelihood interval. Chapman's (n₁+1)(n₂+1)/(m+1) − 1 is nearly unbiased
//! for small m; its interval is Chao's (1987) log-normal interval with Seber's (1970) variance
//! (n₁+1)(n₂+1)(n₁−m)(n₂−m) / ((m+1)²(m+2)), so that its lower bound never falls below the
//! number of people seen.
//!
//! People on neither of the two lists (but on others of the table) are left out: a two-list
//! estimate knows only its two lists.

use super::EstimateError;
use super::loglinear::{self, Model};
use super::table::CaptureTable;
use crate::numeric::normal_quantile;

/// The two-list counts and both estimates.
#[derive(Debug, Clone)]
pub struct TwoLists {
    pub table: CaptureTable,
    pub first_only: u64,
    pub second_only: u64,
    pub both: u64,
}

impl TwoLists {
    /// The two-list table of lists `first` and `second` of `table`.
    pub fn new(table: &CaptureTable, first: usize, second: usize) -> Result<Self, EstimateError> {
        if first == second {
            return Err(EstimateError::Invalid(
                "a two-list estimate needs two different lists".into(),
            ));
        }
        let table = table.collapse_to(first, second);
        let both = table.count(0b11);
        Ok(Self {
            first_only: table.count(0b01),
            second_only: table.count(0b10),
            both,
            table,
        })
    }

    /// People on at least one of the two lists.
    pub fn observed(&self) -> u64 {
        self.first_only + self.second_only + self.both
    }

    fn on_first(&self) -> f64 {
        (self.first_only + self.both) as f64
    }

    fn on_second(&self) -> f64 {
        (self.second_only + self.both) as f64
    }

    /// n₁n₂/m (infinite when nobody is on both lists).
    pub fn lincoln_petersen(&self) -> f64 {
        self.on_first() * self.on_second() / self.both as f64
    }

    /// The Lincoln–Petersen estimate with its profile-likelihood interval.
    pub fn lincoln_petersen_interval(
        &self,
        level: f64,
    ) -> Result<(f64, f64, Option<f64>), EstimateError> {
        let fit = loglinear::fit(&self.table, &Model::independence())?;
        let interval = fit.profile_interval(level);
        Ok((fit.estimate, interval.low, interval.high))
    }

    /// (n₁+1)(n₂+1)/(m+1) − 1.
    pub fn chapman(&self) -> f64 {
        (self.on_first() + 1.0) * (self.on_second() + 1.0) / (self.both as f64 + 1.0) - 1.0
    }

    /// Seber's variance of the Chapman estimate.
    pub fn chapman_variance(&self) -> f64 {
        let m = self.both as f64;
        (self.on_first() + 1.0)
            * (self.on_second() + 1.0)
            * (self.on_first() - m)
            * (self.on_second() - m)
            / ((m + 1.0) * (m + 1.0) * (m + 2.0))
    }

    /// Chao's log-normal interval around the Chapman estimate.
    pub fn chapman_interval(&self, level: f64) -> (f64, f64) {
        let n = self.observed() as f64;
        let estimate = self.chapman();
        let unseen = estimate - n;
        if unseen <= 0.0 {
            return (estimate, estimate);
        }
        let z = normal_quantile(0.5 + level / 2.0);
        let c = (z
            * (1.0 + self.chapman_variance() / (unseen * unseen))
                .ln()
                .sqrt())
        .exp();
        (n + unseen / c, n + unseen * c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn textbook_two_list_estimates() {
        // 60 on A only, 20 on B only, 40 on both: n1 = 100, n2 = 60.
        let table = CaptureTable::from_csv("A,B,count\n1,0,60\n0,1,20\n1,1,40\n".as_bytes())
            .expect("valid");
        let two = TwoLists::new(&table, 0, 1).expect("overlap");
        assert!((two.lincoln_petersen() - 150.0).abs() < 1e-12);
        assert!((two.chapman() - (101.0 * 61.0 / 41.0 - 1.0)).abs() < 1e-12);
        let (estimate, low, high) = two.lincoln_petersen_interval(0.95).expect("fits");
        assert!((estimate - 150.0).abs() < 1e-6);
        let high = high.expect("bounded");
        assert!(low > 120.0 && low < 150.0 && high > 150.0, "{low} {high}");
        let (low, high) = two.chapman_interval(0.95);
        assert!(low > 120.0 && low < two.chapman() && high > two.chapman());
    }

    #[test]
    fn without_overlap_lincoln_petersen_is_refused_and_chapman_is_finite() {
        let table =
            CaptureTable::from_csv("A,B,count\n1,0,60\n0,1,20\n".as_bytes()).expect("valid");
        assert!(matches!(
            super::super::estimate(&table, &super::super::Method::LincolnPetersen(None), 0.95),
            Err(EstimateError::NoOverlap { .. })
        ));
        // (60+1)(20+1)/1 − 1 = 1280, with Seber's variance 61·21·60·20/2.
        let chapman = super::super::estimate(&table, &super::super::Method::Chapman(None), 0.95)
            .expect("finite");
        assert!((chapman.estimate - 1280.0).abs() < 1e-9);
        let se = chapman.std_error.expect("a standard error");
        assert!((se * se - 61.0 * 21.0 * 60.0 * 20.0 / 2.0).abs() < 1e-6);
        assert!(
            chapman
                .warnings
                .iter()
                .any(|w| w.contains("nobody in common"))
        );
        let [Some(low), Some(high)] = chapman.interval else {
            panic!("{:?}", chapman.interval)
        };
        assert!(
            (80.0..1280.0).contains(&low) && high > 1280.0,
            "{low} {high}"
        );
    }
}
