//! Text rendering for terminals and pipes. Styles are ANSI sequences that the caller's
//! `anstream` writer strips when stdout is not a terminal or `NO_COLOR` is set; meaning is always
//! carried by words and symbols too.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};

use crate::profile::{Profile, ProfileSource, UsernameForm};

use super::model::{FindingDto, Report};
use crate::account::Protocol;
use crate::finding::Severity;
use crate::probe::observation::Direction;
use crate::probe::observation::StageStatus;

const WIDTH: usize = 80;
const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

fn severity_style(severity: Severity) -> Style {
    let color = match severity {
        Severity::Error => AnsiColor::Red,
        Severity::Warning => AnsiColor::Yellow,
        Severity::Info => AnsiColor::Cyan,
    };
    Style::new().fg_color(Some(color.into())).bold()
}

/// "✗ ERROR", "! WARN ", "i INFO ": the same width, so titles line up.
fn severity_tag(severity: Severity) -> String {
    format!("{} {:<5}", severity.symbol(), severity.label())
}

fn wrap_into(out: &mut String, text: &str, indent: &str) {
    // Host names and specs must never be split at their hyphens or slashes: words end at
    // spaces only (the Unicode line-break rules would break "SSL/TLS" after the slash). Lines
    // fill first-fit, as a reader (and the README's sample) expects.
    let options = textwrap::Options::new(WIDTH)
        .initial_indent(indent)
        .subsequent_indent(indent)
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .wrap_algorithm(textwrap::WrapAlgorithm::FirstFit)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .break_words(false);
    for line in textwrap::wrap(text, options) {
        let _ = writeln!(out, "{line}");
    }
}

/// The human-readable report: account, endpoints, then findings worst first.
// The report top to bottom, in the order it prints.
#[expect(
    clippy::too_many_lines,
    reason = "the report's sections in the order they print"
)]
pub fn render_report(report: &Report, verbose: bool) -> String {
    let mut out = String::new();
    let who = report.account.address.as_deref().unwrap_or("(no address)");
    let _ = writeln!(out, "{BOLD}maildoctor {} · {who}{BOLD:#}", report.command);
    match (&report.profile, &report.profile_choice) {
        (Some(id), choice) => {
            let how = match choice.as_deref() {
                Some("address-domain") => ", chosen by the address's domain",
                Some("server-hosts") => ", chosen by the server names",
                Some("mx") => ", found through the domain's MX",
                _ => "",
            };
            let _ = writeln!(out, "Profile: {id}{how}");
        }
        (None, _) => {
            let _ = writeln!(
                out,
                "Profile: none (no provider recognised; only general rules apply)"
            );
        }
    }
    let username =
        report
            .account
            .username
            .clone()
            .unwrap_or_else(|| match &report.account.address {
                Some(address) => format!("{address} (the address)"),
                None => "(none given)".to_owned(),
            });
    let _ = writeln!(
        out,
        "User name: {username} · Login: {}",
        report.account.auth
    );
    if let Some(source) = &report.account.source {
        let _ = writeln!(
            out,
            "Imported from {} ({}, account {})",
            source.path, source.format, source.account
        );
        for note in &source.notes {
            wrap_into(&mut out, &format!("Note: {note}"), "  ");
        }
    }
    out.push('\n');
    for endpoint in &report.endpoints {
        let direction = if endpoint.protocol == Protocol::Smtp {
            "Outgoing"
        } else {
            "Incoming"
        };
        let security = endpoint.security.label();
        let host_port = if endpoint.host.contains(':') {
            format!("[{}]:{}", endpoint.host, endpoint.port)
        } else {
            format!("{}:{}", endpoint.host, endpoint.port)
        };
        let _ = writeln!(
            out,
            "  {direction:<8}  {:<4}  {host_port} {security}",
            endpoint.protocol.label()
        );
        if let Some(probe) = &endpoint.probe {
            render_probe(&mut out, probe, verbose);
        }
    }
    if let Some(alternatives) = report.alternatives.as_ref().filter(|a| !a.is_empty()) {
        out.push_str("\n  Alternatives tried:\n");
        for alt in alternatives {
            let verdict = if alt.works {
                "✓ works".to_owned()
            } else {
                format!("✗ {}", alt.failure.as_deref().unwrap_or("failed"))
            };
            let _ = writeln!(
                out,
                "    {:<4}  {:<40} {verdict} ({} ms)",
                alt.protocol.label(),
                alt.spec,
                alt.elapsed_ms
            );
        }
    }
    out.push('\n');
    if report.findings.is_empty() {
        let _ = writeln!(
            out,
            "{}✓ No problems found in these settings.{:#}",
            Style::new().fg_color(Some(AnsiColor::Green.into())).bold(),
            Style::new()
        );
        if report.command == "lint" {
            let _ = writeln!(
                out,
                "{DIM}(lint reads the settings only; it does not contact the servers.){DIM:#}"
            );
        }
        return out;
    }
    out.push_str(&render_findings(report));
    out
}

/// The count of findings by severity, then each finding, worst first.
pub fn render_findings(report: &Report) -> String {
    let mut out = String::new();
    let s = &report.summary;
    let _ = writeln!(
        out,
        "{} finding{}: {} error{}, {} warning{}, {} info\n",
        report.findings.len(),
        plural(report.findings.len()),
        s.errors,
        plural(s.errors),
        s.warnings,
        plural(s.warnings),
        s.infos
    );
    for finding in &report.findings {
        render_finding(&mut out, finding);
    }
    out
}

/// One endpoint's stages, facts and (with `verbose`) transcript.
fn render_probe(out: &mut String, probe: &super::probe::ProbeDto, verbose: bool) {
    for stage in &probe.stages {
        let (mark, style) = match stage.status {
            StageStatus::Ok => ("✓", Style::new().fg_color(Some(AnsiColor::Green.into()))),
            StageStatus::Warning => ("!", severity_style(Severity::Warning)),
            StageStatus::Failed => ("✗", severity_style(Severity::Error)),
            StageStatus::Skipped => ("-", DIM),
        };
        // A long detail (a library's error) wraps under itself: nothing is cut.
        let column = " ".repeat(33);
        let options = textwrap::Options::new(WIDTH)
            .initial_indent(&column)
            .subsequent_indent(&column)
            .word_separator(textwrap::WordSeparator::AsciiSpace)
            .word_splitter(textwrap::WordSplitter::NoHyphenation);
        let wrapped = textwrap::wrap(&stage.detail, options);
        let mut lines = wrapped.iter().map(|l| l.trim_start());
        let _ = writeln!(
            out,
            "      {style}{mark}{style:#} {:<13} {:>6} ms  {}",
            stage.name.as_str(),
            stage.elapsed_ms,
            lines.next().unwrap_or_default()
        );
        for line in lines {
            let _ = writeln!(out, "{column}{line}");
        }
    }
    if let Some(tls) = &probe.tls
        && let Some(cert) = &tls.certificate
    {
        let _ = writeln!(
            out,
            "      Certificate: {} · issuer {} · {} days left · {}",
            cert.subject, cert.issuer, cert.days_left, tls.verdict
        );
        if let Some(version) = &tls.version {
            let cipher = tls.cipher.as_deref().unwrap_or("cipher unknown");
            let _ = writeln!(out, "      Encryption: {version} · {cipher}");
        }
    }
    if !probe.auth_mechanisms.is_empty() {
        let before = probe
            .capabilities_before_tls
            .as_ref()
            .map(|_| " (after TLS)")
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "      Login methods{before}: {}",
            probe.auth_mechanisms.join(" ")
        );
    }
    if let Some(login) = &probe.login {
        let _ = writeln!(
            out,
            "      Login {}: {}",
            if login.ok { "ok" } else { "refused" },
            login.reply
        );
        for alert in &login.alerts {
            let _ = writeln!(out, "      Alert from the server: {alert}");
        }
    }
    if verbose {
        for line in &probe.transcript {
            let arrow = match line.direction {
                Direction::Sent => "C:",
                Direction::Received => "S:",
                Direction::Note => "  ",
            };
            let _ = writeln!(
                out,
                "      {DIM}{:>6} ms{DIM:#} {arrow} {}",
                line.at_ms, line.text
            );
        }
    }
}

/// The plural ending of a count's noun: "1 error", "2 errors".
pub(super) fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn render_finding(out: &mut String, finding: &FindingDto) {
    let style = severity_style(finding.severity);
    let protocol = finding.protocol.map_or("ALL ", Protocol::label);
    let _ = writeln!(
        out,
        "{style}{}{style:#}  {protocol}  {BOLD}{}{BOLD:#}",
        severity_tag(finding.severity),
        finding.title
    );
    let _ = writeln!(out, "{:17}{DIM}[{}]{DIM:#}", "", finding.id);
    wrap_into(out, &finding.explanation, &" ".repeat(17));
    if let Some(fix) = &finding.client_fix {
        wrap_into(out, &format!("Fix: {fix}"), &" ".repeat(17));
    }
    match (&finding.client_fix, &finding.fix) {
        (Some(_), Some(fix)) => wrap_into(out, &format!("In general: {fix}"), &" ".repeat(17)),
        (None, Some(fix)) => wrap_into(out, &format!("Fix: {fix}"), &" ".repeat(17)),
        _ => {}
    }
    if let Some(evidence) = &finding.evidence {
        wrap_into(out, &format!("Evidence: {evidence}"), &" ".repeat(17));
    }
    out.push('\n');
}

/// `maildoctor profiles`: one line per profile.
pub fn render_profile_list<'a>(
    profiles: impl Iterator<Item = (&'a Profile, &'a ProfileSource)>,
) -> String {
    let profiles: Vec<_> = profiles.collect();
    // The id column as wide as the longest id (and its override mark), so none runs into
    // the names.
    let id_width = profiles
        .iter()
        .map(|(p, _)| p.id.chars().count() + 2)
        .max()
        .unwrap_or(0)
        .max(18);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{BOLD}{:<id_width$} {:<36} DOMAINS{BOLD:#}",
        "ID", "NAME"
    );
    for (profile, source) in profiles {
        let mut domains = profile
            .domains
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if profile.domains.len() > 3 {
            let _ = write!(domains, " (+{} more)", profile.domains.len() - 3);
        }
        if profile.domains.is_empty() {
            domains = "(custom domains, found by MX)".to_owned();
        }
        let overridden = if matches!(source, ProfileSource::File(_)) {
            " *"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "{:<id_width$} {:<36} {domains}",
            format!("{}{overridden}", profile.id),
            profile.name
        );
    }
    out
}

/// `maildoctor profiles show ID`: everything a profile says.
pub fn render_profile(profile: &Profile, source: &ProfileSource) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{BOLD}{} [{}]{BOLD:#}", profile.name, profile.id);
    let _ = writeln!(out, "Source: {source}");
    let _ = writeln!(
        out,
        "Docs: {} (checked {})",
        profile.docs, profile.last_checked
    );
    if !profile.domains.is_empty() {
        out.push_str("Domains: ");
        out.push_str(&profile.domains.join(", "));
        out.push('\n');
    }
    if !profile.mx.is_empty() {
        let _ = writeln!(out, "MX patterns: {}", profile.mx.join(", "));
    }
    out.push('\n');
    for (protocol, endpoints) in &profile.endpoints {
        for (i, endpoint) in endpoints.iter().enumerate() {
            let label = if i == 0 { protocol.label() } else { "" };
            let rank = if i == 0 { "" } else { "  (alternative)" };
            let _ = writeln!(out, "  {label:<5} {}{rank}", endpoint.describe());
        }
    }
    let form = |f: UsernameForm| match f {
        UsernameForm::Address => "the full address",
        UsernameForm::LocalPart => "the part before '@'",
    };
    let _ = writeln!(out, "\nUser name: {}", form(profile.username));
    for (protocol, f) in &profile.username_by_protocol {
        let _ = writeln!(out, "  for {}: {}", protocol.label(), form(*f));
    }
    let auth: Vec<&str> = profile
        .auth
        .iter()
        .map(|a| match a {
            crate::profile::AuthOffer::Password => "password",
            crate::profile::AuthOffer::AppPassword => "app password",
            crate::profile::AuthOffer::Oauth2 => "OAuth2",
        })
        .collect();
    let _ = writeln!(out, "Login: {}", auth.join(", "));
    for e in &profile.exceptions {
        let _ = writeln!(
            out,
            "Exception: {} on port {} uses {}",
            e.protocol.label(),
            e.port,
            e.security.label()
        );
    }
    for a in &profile.aliases {
        let _ = writeln!(out, "Alias: {} → {}", a.host, a.of);
    }
    for l in &profile.legacy_hosts {
        let _ = writeln!(out, "Retired: {} → {}", l.host, l.replacement);
    }
    if !profile.notes.is_empty() {
        out.push_str("\nNotes:\n");
        for note in &profile.notes {
            let date = note.date.map(|d| format!("{d}: ")).unwrap_or_default();
            wrap_into(&mut out, &format!("- {date}{}", note.text), "  ");
            if let Some(src) = &note.source {
                let _ = writeln!(out, "    {DIM}{src}{DIM:#}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::wrap_into;

    #[test]
    fn wrapping_never_splits_a_spec_or_a_host_name() {
        let mut out = String::new();
        let text = "Fix: Use port 587 with STARTTLS, or port 465 with SSL/TLS. Outlook.com (Hotmail, \
                    Live, MSN) documents smtp-mail.outlook.com:587 STARTTLS.";
        wrap_into(&mut out, text, "       ");
        let words: Vec<&str> = out.split_whitespace().collect();
        assert!(words.contains(&"SSL/TLS."), "{out}");
        assert!(words.contains(&"smtp-mail.outlook.com:587"), "{out}");
        assert!(out.lines().all(|l| l.chars().count() <= 80), "{out}");
    }
}
