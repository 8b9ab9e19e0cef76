//! What every measure shares: the row it prints with its target, medians and interleaved
//! rounds, and the servers, runtimes and clients it times.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// The workspace root: this package lives one level below it.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("bench is inside the workspace").to_path_buf()
}

/// What a ratio must be.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    AtMost(f64),
    AtLeast(f64),
}

/// One line of the table.
pub struct Row {
    pub name: &'static str,
    /// What is divided by what, e.g. `sdk/bare`; the whole value when `ratio` is `None`.
    pub label: String,
    pub ratio: Option<f64>,
    pub target: Option<Target>,
    /// The numbers behind the ratio and how they were taken.
    pub raw: String,
}

impl Row {
    pub fn ratio(name: &'static str, label: &str, ratio: f64, target: Target, raw: String) -> Row {
        Row { name, label: label.to_owned(), ratio: Some(ratio), target: Some(target), raw }
    }

    /// A ratio shown to explain another, with no target of its own.
    pub fn report(name: &'static str, label: &str, ratio: f64, raw: String) -> Row {
        Row { name, label: label.to_owned(), ratio: Some(ratio), target: None, raw }
    }

    pub fn met(&self) -> Option<bool> {
        let r = self.ratio?;
        Some(match self.target? {
            Target::AtMost(t) => r <= t,
            Target::AtLeast(t) => r >= t,
        })
    }

    pub fn render(&self) -> String {
        let value = match self.ratio {
            Some(r) => format!("{} = {r:.3}", self.label),
            None => self.label.clone(),
        };
        let target = match self.target {
            Some(Target::AtMost(t)) => format!("(target <= {t:.2})"),
            Some(Target::AtLeast(t)) => format!("(target >= {t:.2})"),
            None => "(report only)".to_owned(),
        };
        let verdict = match self.met() {
            Some(true) => "met",
            Some(false) => "MISSED",
            None => "-",
        };
        format!("{:<16} {value:<38} {target:<17} {verdict:<6} {}", self.name, self.raw)
    }
}

/// The median of `values` (the mean of the middle two for an even count).
pub fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// A duration in the unit that suits it: `36.4us`, `182us`, `14.2ms`, `2.31s`.
pub fn show(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 {
        format!("{s:.2}s")
    } else if s >= 0.01 {
        format!("{:.1}ms", s * 1e3)
    } else if s >= 0.001 {
        format!("{:.2}ms", s * 1e3)
    } else if s >= 0.0001 {
        format!("{:.0}us", s * 1e6)
    } else {
        format!("{:.1}us", s * 1e6)
    }
}

/// Runs `a` and `b` once per round, alternating which goes first, and returns the values each
/// produced, in round order.
pub fn interleave(
    rounds: usize,
    mut a: impl FnMut() -> Result<f64, String>,
    mut b: impl FnMut() -> Result<f64, String>,
) -> Result<(Vec<f64>, Vec<f64>), String> {
    let mut values = rotate(rounds, &mut [&mut a, &mut b])?.into_iter();
    Ok((values.next().unwrap_or_default(), values.next().unwrap_or_default()))
}

/// Runs every side once per round, the first one rotating (abc, bca, cab, ...), and returns the
/// values of each side, in round order.
pub fn rotate(rounds: usize, sides: &mut [&mut dyn FnMut() -> Result<f64, String>]) -> Result<Vec<Vec<f64>>, String> {
    let n = sides.len();
    let mut values = vec![Vec::with_capacity(rounds); n];
    for round in 0..rounds {
        for k in 0..n {
            let i = (round + k) % n;
            values[i].push(sides[i]()?);
        }
    }
    Ok(values)
}

/// A loopback server on a thread and runtime of its own, so that the calling side's runtime
/// keeps its thread. It keeps no log of requests: per request it only reads it and writes the
/// reply, which is all the bare side of a ratio should pay for.
pub fn loopback(handler: impl Into<uhub_loopback::Handler>) -> Result<uhub_loopback::Server, String> {
    uhub_loopback::Server::builder().record(false).on_thread(handler).map_err(|e| format!("loopback server: {e}"))
}

/// A single-threaded runtime for the calling side of a measure (servers run on their own).
pub fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| format!("tokio runtime: {e}"))
}

/// The one reqwest configuration both sides of a comparison use: defaults (one keep-alive
/// pool), no proxy from the environment, rustls with ring as the SDK installs it.
pub fn http_client() -> Result<reqwest::Client, String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().no_proxy().build().map_err(|e| format!("reqwest client: {e}"))
}

/// An SDK client for a loopback server, on its own pool of the shared configuration.
pub fn sdk_client(url: &str) -> Result<uhub_sdk::Client, String> {
    uhub_sdk::Client::builder()
        .keys("bench-public-key", "bench-private-key")
        .endpoint(uhub_sdk::Endpoint::Custom(url.to_owned()))
        .project_id("org-bench")
        .http_client(http_client()?)
        .build()
        .map_err(|e| format!("SDK client: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn rows_say_whether_their_target_was_met() {
        let row = |r, t| Row::ratio("m", "a/b", r, t, "raw".into()).render();
        assert!(row(1.04, Target::AtMost(1.10)).contains("a/b = 1.040"));
        assert!(row(1.04, Target::AtMost(1.10)).contains(" met "));
        assert!(row(1.2, Target::AtMost(1.10)).contains("MISSED"));
        let at_least = row(0.95, Target::AtLeast(0.90));
        assert!(at_least.contains("(target >= 0.90)") && at_least.contains(" met "), "{at_least}");
    }

    #[test]
    fn interleaving_alternates_the_order() {
        let order = std::cell::RefCell::new(String::new());
        let (a, b) = interleave(
            3,
            || {
                order.borrow_mut().push('a');
                Ok(1.0)
            },
            || {
                order.borrow_mut().push('b');
                Ok(2.0)
            },
        )
        .unwrap();
        assert_eq!((a, b), (vec![1.0; 3], vec![2.0; 3]));
        assert_eq!(order.take(), "abbaab");
        let side = |c: char| {
            let order = &order;
            move || -> Result<f64, String> {
                order.borrow_mut().push(c);
                Ok(f64::from(u32::from(c)))
            }
        };
        let (mut x, mut y, mut z) = (side('a'), side('b'), side('c'));
        let values = rotate(3, &mut [&mut x, &mut y, &mut z]).unwrap();
        assert_eq!(values, vec![vec![97.0; 3], vec![98.0; 3], vec![99.0; 3]]);
        assert_eq!(order.take(), "abcbcacab");
    }

    #[test]
    fn durations_show_in_a_fitting_unit() {
        assert_eq!(show(Duration::from_nanos(36_400)), "36.4us");
        assert_eq!(show(Duration::from_micros(182)), "182us");
        assert_eq!(show(Duration::from_micros(14_200)), "14.2ms");
        assert_eq!(show(Duration::from_millis(2_310)), "2.31s");
    }
}
