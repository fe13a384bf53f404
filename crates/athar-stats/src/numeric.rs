//! Numerical building blocks the estimators share: special functions (normal and chi-square
//! quantiles, Poisson tail probabilities), one-dimensional root finding and maximisation, and
//! the small dense linear algebra of a generalised linear model.
//!
//! The matrices here are tiny (a capture table of t lists has 2^t − 1 cells and at most that
//! many parameters), so plain row-major `Vec<f64>` and textbook algorithms are enough; what
//! matters is that they are exact to double precision and never panic on singular input.

use std::f64::consts::{FRAC_1_SQRT_2, PI};

/// The standard normal distribution function Φ(x).
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x * FRAC_1_SQRT_2)
}

/// The standard normal quantile Φ⁻¹(p) for 0 < p < 1, to double precision: a rational first
/// guess refined by Halley steps on Φ computed through `erfc`.
pub fn normal_quantile(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    // First guess: the logistic-like approximation of Shore (1982), good to about 1e-2.
    let q = if p < 0.5 { p } else { 1.0 - p };
    let t = (-2.0 * q.ln()).sqrt();
    let guess = t
        - (2.515517 + 0.802853 * t + 0.010328 * t * t)
            / (1.0 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
    let mut x = if p < 0.5 { -guess } else { guess };
    for _ in 0..8 {
        let error = normal_cdf(x) - p;
        let density = (-0.5 * x * x).exp() / (2.0 * PI).sqrt();
        if density == 0.0 {
            break;
        }
        let step = error / density;
        let next = x - step / (1.0 + 0.5 * x * step);
        if (next - x).abs() <= 1e-15 * x.abs().max(1.0) {
            x = next;
            break;
        }
        x = next;
    }
    x
}

/// The quantile of the chi-square distribution with one degree of freedom.
pub fn chi_square_1_quantile(p: f64) -> f64 {
    let z = normal_quantile(0.5 + p / 2.0);
    z * z
}

/// ln Γ(x) for x > 0.
pub fn ln_gamma(x: f64) -> f64 {
    libm::lgamma(x)
}

/// The regularised lower incomplete gamma function P(a, x) = γ(a, x) / Γ(a), for a > 0 and
/// x ≥ 0: a power series below a + 1 and Lentz's continued fraction above.
pub fn regularized_gamma_p(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x < a + 1.0 {
        gamma_series(a, x)
    } else {
        1.0 - gamma_continued_fraction(a, x)
    }
}

/// The regularised upper incomplete gamma function Q(a, x) = 1 − P(a, x).
pub fn regularized_gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    if x < a + 1.0 {
        1.0 - gamma_series(a, x)
    } else {
        gamma_continued_fraction(a, x)
    }
}

fn gamma_series(a: f64, x: f64) -> f64 {
    let mut term = 1.0 / a;
    let mut sum = term;
    let mut denominator = a;
    for _ in 0..10_000 {
        denominator += 1.0;
        term *= x / denominator;
        sum += term;
        if term.abs() < sum.abs() * 1e-16 {
            break;
        }
    }
    (sum.ln() - x + a * x.ln() - ln_gamma(a)).exp()
}

fn gamma_continued_fraction(a: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let mut b = x + 1.0 - a;
    let mut c = 1.0 / TINY;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..10_000 {
        let an = -(i as f64) * (i as f64 - a);
        b += 2.0;
        d = an * d + b;
        if d.abs() < TINY {
            d = TINY;
        }
        c = b + an / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    (-x + a * x.ln() - ln_gamma(a)).exp() * h
}

/// P(X ≤ k) for X ~ Poisson(mean).
pub fn poisson_cdf(k: u64, mean: f64) -> f64 {
    if mean <= 0.0 {
        return 1.0;
    }
    regularized_gamma_q(k as f64 + 1.0, mean)
}

/// P(X ≥ k) for X ~ Poisson(mean).
pub fn poisson_upper_tail(k: u64, mean: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if mean <= 0.0 {
        return 0.0;
    }
    regularized_gamma_p(k as f64, mean)
}

/// The maximum of a unimodal function on [low, high], by Brent's method (golden sections with
/// parabolic steps), to an absolute tolerance in x. Returns (x, f(x)).
pub fn maximise(mut f: impl FnMut(f64) -> f64, low: f64, high: f64, tolerance: f64) -> (f64, f64) {
    // Minimise −f.
    let golden = 0.5 * (3.0 - 5f64.sqrt());
    let (mut a, mut b) = (low, high);
    let mut v = a + golden * (b - a);
    let mut w = v;
    let mut x = v;
    let mut fx = -f(x);
    let mut fv = fx;
    let mut fw = fx;
    let mut d: f64 = 0.0;
    let mut e: f64 = 0.0;
    let eps = f64::EPSILON.sqrt();
    for _ in 0..500 {
        let middle = 0.5 * (a + b);
        let tol1 = eps * x.abs() + tolerance / 3.0;
        let tol2 = 2.0 * tol1;
        if (x - middle).abs() <= tol2 - 0.5 * (b - a) {
            break;
        }
        let mut use_golden = true;
        if e.abs() > tol1 {
            // Try a parabola through x, v, w.
            let mut r = (x - w) * (fx - fv);
            let mut q = (x - v) * (fx - fw);
            let mut p = (x - v) * q - (x - w) * r;
            q = 2.0 * (q - r);
            if q > 0.0 {
                p = -p;
            } else {
                q = -q;
            }
            r = e;
            e = d;
            if p.abs() < (0.5 * q * r).abs() && p > q * (a - x) && p < q * (b - x) {
                d = p / q;
                let u = x + d;
                if u - a < tol2 || b - u < tol2 {
                    d = if x < middle { tol1 } else { -tol1 };
                }
                use_golden = false;
            }
        }
        if use_golden {
            e = if x < middle { b - x } else { a - x };
            d = golden * e;
        }
        let u = if d.abs() >= tol1 {
            x + d
        } else if d > 0.0 {
            x + tol1
        } else {
            x - tol1
        };
        let fu = -f(u);
        if fu <= fx {
            if u < x {
                b = x;
            } else {
                a = x;
            }
            v = w;
            fv = fw;
            w = x;
            fw = fx;
            x = u;
            fx = fu;
        } else {
            if u < x {
                a = u;
            } else {
                b = u;
            }
            if fu <= fw || w == x {
                v = w;
                fv = fw;
                w = u;
                fw = fu;
            } else if fu <= fv || v == x || v == w {
                v = u;
                fv = fu;
            }
        }
    }
    (x, -fx)
}

/// A root of f in [low, high] by Brent's method, to an absolute tolerance; `None` when f has
/// the same sign at both ends.
pub fn find_root(
    mut f: impl FnMut(f64) -> f64,
    low: f64,
    high: f64,
    tolerance: f64,
) -> Option<f64> {
    let (mut a, mut b) = (low, high);
    let mut fa = f(a);
    let mut fb = f(b);
    if fa == 0.0 {
        return Some(a);
    }
    if fb == 0.0 {
        return Some(b);
    }
    if !fa.is_finite() || !fb.is_finite() || fa.signum() == fb.signum() {
        return None;
    }
    let mut c = a;
    let mut fc = fa;
    let mut d = b - a;
    let mut e = d;
    for _ in 0..500 {
        if fb.signum() == fc.signum() {
            c = a;
            fc = fa;
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol1 = 2.0 * f64::EPSILON * b.abs() + 0.5 * tolerance;
        let middle = 0.5 * (c - b);
        if middle.abs() <= tol1 || fb == 0.0 {
            return Some(b);
        }
        if e.abs() >= tol1 && fa.abs() > fb.abs() {
            let s = fb / fa;
            let (mut p, mut q);
            if a == c {
                p = 2.0 * middle * s;
                q = 1.0 - s;
            } else {
                let qa = fa / fc;
                let r = fb / fc;
                p = s * (2.0 * middle * qa * (qa - r) - (b - a) * (r - 1.0));
                q = (qa - 1.0) * (r - 1.0) * (s - 1.0);
            }
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            if 2.0 * p < (3.0 * middle * q - (tol1 * q).abs()).min((e * q).abs()) {
                e = d;
                d = p / q;
            } else {
                d = middle;
                e = d;
            }
        } else {
            d = middle;
            e = d;
        }
        a = b;
        fa = fb;
        b += if d.abs() > tol1 {
            d
        } else if middle > 0.0 {
            tol1
        } else {
            -tol1
        };
        fb = f(b);
    }
    Some(b)
}

/// Solves the symmetric positive definite system `a x = b` (a is n×n, row-major) by Cholesky
/// decomposition; also returns the inverse of `a`. `None` when `a` is not positive definite.
pub fn solve_spd(a: &[f64], b: &[f64], n: usize) -> Option<(Vec<f64>, Vec<f64>)> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let mut sum = a[i * n + j];
            for k in 0..j {
                sum -= l[i * n + k] * l[j * n + k];
            }
            if i == j {
                if sum <= 1e-12 * a[i * n + i].abs().max(1e-300) {
                    return None;
                }
                l[i * n + i] = sum.sqrt();
            } else {
                l[i * n + j] = sum / l[j * n + j];
            }
        }
    }
    let solve = |rhs: &[f64]| {
        let mut y = vec![0.0; n];
        for i in 0..n {
            let mut sum = rhs[i];
            for k in 0..i {
                sum -= l[i * n + k] * y[k];
            }
            y[i] = sum / l[i * n + i];
        }
        let mut x = vec![0.0; n];
        for i in (0..n).rev() {
            let mut sum = y[i];
            for k in i + 1..n {
                sum -= l[k * n + i] * x[k];
            }
            x[i] = sum / l[i * n + i];
        }
        x
    };
    let x = solve(b);
    let mut inverse = vec![0.0; n * n];
    let mut unit = vec![0.0; n];
    for column in 0..n {
        unit.iter_mut().for_each(|u| *u = 0.0);
        unit[column] = 1.0;
        let solved = solve(&unit);
        for row in 0..n {
            inverse[row * n + column] = solved[row];
        }
    }
    Some((x, inverse))
}

/// The column rank of a rows×cols matrix (row-major), by Gaussian elimination with complete
/// pivoting and a tolerance relative to the largest entry.
pub fn rank(matrix: &[f64], rows: usize, cols: usize) -> usize {
    let mut m = matrix.to_vec();
    let largest = m.iter().fold(0.0f64, |acc, v| acc.max(v.abs()));
    if largest == 0.0 {
        return 0;
    }
    let tolerance = largest * 1e-10 * rows.max(cols) as f64;
    let mut rank = 0;
    let mut row_used = vec![false; rows];
    let mut col_used = vec![false; cols];
    loop {
        let mut best = (0.0, 0, 0);
        for r in (0..rows).filter(|r| !row_used[*r]) {
            for c in (0..cols).filter(|c| !col_used[*c]) {
                let value = m[r * cols + c].abs();
                if value > best.0 {
                    best = (value, r, c);
                }
            }
        }
        if best.0 <= tolerance {
            return rank;
        }
        let (_, pr, pc) = best;
        row_used[pr] = true;
        col_used[pc] = true;
        rank += 1;
        let pivot = m[pr * cols + pc];
        for r in (0..rows).filter(|r| !row_used[*r]) {
            let factor = m[r * cols + pc] / pivot;
            if factor != 0.0 {
                for c in 0..cols {
                    m[r * cols + c] -= factor * m[pr * cols + c];
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantiles_match_published_values() {
        assert!((normal_quantile(0.975) - 1.959963984540054).abs() < 1e-12);
        assert!((normal_quantile(0.5)).abs() < 1e-14);
        assert!((normal_quantile(0.001) + 3.090232306167813).abs() < 1e-11);
        assert!((chi_square_1_quantile(0.95) - 3.841458820694124).abs() < 1e-10);
        assert!((chi_square_1_quantile(0.9) - 2.705543454095404).abs() < 1e-10);
    }

    #[test]
    fn poisson_tails_match_direct_sums() {
        for &(k, mean) in &[(0u64, 0.5f64), (3, 2.0), (10, 12.5), (40, 30.0)] {
            let mut cdf = 0.0;
            let mut term = (-mean).exp();
            for i in 0..=k {
                if i > 0 {
                    term *= mean / i as f64;
                }
                cdf += term;
            }
            assert!((poisson_cdf(k, mean) - cdf).abs() < 1e-12, "{k} {mean}");
            let lower_below_k = cdf - term; // P(X ≤ k − 1)
            assert!((poisson_upper_tail(k, mean) - (1.0 - lower_below_k)).abs() < 1e-12);
        }
    }

    #[test]
    fn brent_finds_maxima_and_roots() {
        let (x, fx) = maximise(|x| -(x - 2.5) * (x - 2.5) + 1.0, 0.0, 10.0, 1e-8);
        assert!((x - 2.5).abs() < 1e-6 && (fx - 1.0).abs() < 1e-10);
        let root = find_root(|x| x * x - 2.0, 0.0, 5.0, 1e-12).expect("a root");
        assert!((root - 2f64.sqrt()).abs() < 1e-10);
        assert!(find_root(|x| x * x + 1.0, 0.0, 5.0, 1e-12).is_none());
    }

    #[test]
    fn linear_algebra_solves_and_ranks() {
        let a = [4.0, 2.0, 2.0, 3.0];
        let (x, inverse) = solve_spd(&a, &[2.0, 1.0], 2).expect("positive definite");
        assert!((x[0] - 0.5).abs() < 1e-12 && x[1].abs() < 1e-12);
        assert!((inverse[0] - 0.375).abs() < 1e-12 && (inverse[1] + 0.25).abs() < 1e-12);
        assert!(solve_spd(&[1.0, 1.0, 1.0, 1.0], &[1.0, 1.0], 2).is_none());
        let m = [1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 2.0];
        assert_eq!(rank(&m, 3, 3), 2);
        assert_eq!(rank(&[1.0, 0.0, 0.0, 1.0], 2, 2), 2);
    }
}
