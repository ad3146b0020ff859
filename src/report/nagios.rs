//! `--format nagios`: the monitoring-plugins output that Icinga, Nagios, Naemon, Zabbix and
//! Checkmk read. One status line with the worst finding, `|` and performance data (each
//! endpoint's total and per-stage times in ms, its certificate's days left), then one line
//! per finding. The exit code is the plugin's: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.

use std::fmt::Write as _;

use crate::finding::Severity;

use super::model::Report;

/// A perfdata label: quoted, and without the quote and `=` the grammar reserves.
fn label(text: &str) -> String {
    format!("'{}'", text.replace(['\'', '='], "_"))
}

/// One line of the plugin's text: no line break, no `|` (it would start the perfdata).
fn line(text: &str) -> String {
    text.replace(['\n', '\r'], " ").replace('|', "/")
}

/// The plugin's line when maildoctor could not do its job (a bad flag, an unreadable file):
/// UNKNOWN, exit 3, on standard output where the monitoring system reads it.
pub fn render_unknown(why: &str) -> String {
    let first = why
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("unknown error");
    format!("MAILDOCTOR UNKNOWN - {}\n", line(first.trim()))
}

/// The report as a plugin's output; the thresholds are the ones the findings were judged by
/// (`--warn-cert-days`, `--crit-time` …), so the monitoring system graphs the same lines.
pub fn render_nagios(report: &Report, thresholds: &crate::diagnose::Thresholds) -> String {
    let ms =
        |d: Option<std::time::Duration>| d.map_or_else(String::new, |d| d.as_millis().to_string());
    let (warn_time, crit_time) = (ms(thresholds.warn_time), ms(thresholds.crit_time));
    let worst = report.findings.first();
    let status = match worst.map(|f| f.severity) {
        Some(Severity::Error) => "CRITICAL",
        Some(Severity::Warning) => "WARNING",
        _ => "OK",
    };
    let summary = if let Some(f) = worst.filter(|f| f.severity != Severity::Info) {
        let protocol = f.protocol.map_or("ALL", crate::account::Protocol::label);
        format!("{protocol}: {}", f.title)
    } else {
        let names: Vec<&str> = report
            .endpoints
            .iter()
            .map(|e| e.protocol.label())
            .collect();
        format!("{} work from here", names.join(", "))
    };
    let mut perf = Vec::new();
    for e in &report.endpoints {
        let p = e.protocol.as_str();
        let Some(probe) = &e.probe else { continue };
        perf.push(format!(
            "{}={}ms;{warn_time};{crit_time};0",
            label(&format!("{p}_time")),
            probe.elapsed_ms
        ));
        // A stage can come twice (capabilities before and after STARTTLS); a label must not,
        // or the monitoring system keeps one of them: the second is `_2`.
        let mut seen = std::collections::BTreeMap::<&str, usize>::new();
        for stage in &probe.stages {
            let name = stage.name.as_str();
            let n = seen.entry(name).and_modify(|n| *n += 1).or_insert(1);
            let suffix = if *n == 1 {
                String::new()
            } else {
                format!("_{n}")
            };
            perf.push(format!(
                "{}={}ms;;;0",
                label(&format!("{p}_{name}{suffix}")),
                stage.elapsed_ms
            ));
        }
        if let Some(cert) = probe.tls.as_ref().and_then(|t| t.certificate.as_ref()) {
            perf.push(format!(
                "{}={};{}:;{}:",
                label(&format!("{p}_cert_days")),
                cert.days_left,
                thresholds.warn_cert_days,
                thresholds.crit_cert_days
            ));
        }
    }
    let mut out = format!("MAILDOCTOR {status} - {}", line(&summary));
    if !perf.is_empty() {
        let _ = write!(out, " | {}", perf.join(" "));
    }
    out.push('\n');
    for f in &report.findings {
        let protocol = f.protocol.map_or("ALL", crate::account::Protocol::label);
        let severity = match f.severity {
            Severity::Error => "CRITICAL",
            Severity::Warning => "WARNING",
            Severity::Info => "INFO",
        };
        let fix = f
            .client_fix
            .as_ref()
            .or(f.fix.as_ref())
            .map_or_else(String::new, |x| format!(" Fix: {x}"));
        let _ = writeln!(
            out,
            "[{severity}] {protocol} {}: {}.{}",
            f.id,
            line(&f.title),
            line(&fix)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_failure_is_one_unknown_line_without_a_perfdata_bar() {
        assert_eq!(
            super::render_unknown("error: unexpected argument '--nope' found\n\nUsage: x | y"),
            "MAILDOCTOR UNKNOWN - error: unexpected argument '--nope' found\n"
        );
        assert_eq!(
            super::render_unknown("cannot read a|b"),
            "MAILDOCTOR UNKNOWN - cannot read a/b\n"
        );
    }
}
