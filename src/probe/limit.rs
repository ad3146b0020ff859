//! Time limits as people say them, for every message that names one (a connection's timeout,
//! a failure, a finding, the dashboard's waiting pane).

use std::time::Duration;

/// A time limit as people say it: "10 s", "2.5 s".
pub fn secs(d: Duration) -> String {
    let tenths = (d.as_secs_f64() * 10.0).round() / 10.0;
    if tenths.fract() == 0.0 {
        format!("{tenths:.0} s")
    } else {
        format!("{tenths:.1} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_seconds_have_no_decimals_and_others_one() {
        assert_eq!(secs(Duration::from_secs(10)), "10 s");
        assert_eq!(secs(Duration::from_millis(2500)), "2.5 s");
        assert_eq!(secs(Duration::from_millis(2449)), "2.4 s");
        assert_eq!(secs(Duration::from_millis(99_960)), "100 s");
    }
}
