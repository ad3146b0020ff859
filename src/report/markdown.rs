//! The Markdown report a user sends to a help desk: settings, what each server did, findings
//! with their fixes, and the (redacted) transcripts. Built from the same DTOs as the JSON.

use std::fmt::Write as _;

use super::model::{EndpointDto, Report};
use crate::account::Protocol;
use crate::finding::Severity;
use crate::probe::observation::Direction;

/// Table cells and inline code must not break the Markdown around them.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\r', '\n'], " ")
}

/// Text that may quote a server (greetings, replies, certificate names) is shown as text:
/// no line breaks, and nothing Markdown or HTML would act on, so a hostile server cannot add
/// links, images, headings or fences to the report a help desk opens.
fn text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for (i, word) in raw.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        // Markdown viewers turn a bare URL into a link whatever is escaped in it (GFM's
        // autolinks): the URL part of a word a server sent is shown as code, which nothing
        // links; what comes before it is escaped like any text.
        let (before, url) = word.split_at(url_start(word).unwrap_or(word.len()));
        escape_into(&mut out, before);
        if !url.is_empty() {
            let plain: String = url
                .chars()
                .map(|c| if c.is_control() || c == '`' { ' ' } else { c })
                .collect();
            let _ = write!(out, "`{}`", plain.trim());
        }
    }
    out
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            c if c.is_control() => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '!' | '&' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
}

/// Where a Markdown viewer would start a link by itself in this word: a scheme before `://`,
/// `www.`, or `mailto:`.
fn url_start(word: &str) -> Option<usize> {
    let lower = word.to_ascii_lowercase();
    let scheme = lower.find("://").map(|at| {
        lower[..at]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-')))
            .map_or(0, |i| i + 1)
    });
    [scheme, lower.find("www."), lower.find("mailto:")]
        .into_iter()
        .flatten()
        .min()
}

fn severity_tag(severity: Severity) -> String {
    format!("{} {}", severity.symbol(), severity.label())
}

/// An endpoint's status as its findings say it, not only whether it answered: an IMAP server
/// that answered with an expired certificate is not "✓".
fn result_of(endpoint: &EndpointDto, report: &Report) -> String {
    let worst = report
        .findings
        .iter()
        .filter(|f| f.protocol == Some(endpoint.protocol) && f.severity > Severity::Info)
        .max_by_key(|f| f.severity);
    let Some(p) = &endpoint.probe else {
        return match worst {
            Some(f) => format!("{} `{}` (not probed)", f.severity.symbol(), f.id),
            None => "not probed".into(),
        };
    };
    match (&p.failure, worst) {
        (Some(failure), _) => format!("✗ {failure} ({} ms)", p.elapsed_ms),
        (None, Some(f)) => format!(
            "{} answered, but `{}` ({} ms)",
            f.severity.symbol(),
            f.id,
            p.elapsed_ms
        ),
        (None, None) => format!("✓ works ({} ms)", p.elapsed_ms),
    }
}

/// One or two lines per protocol: what is wrong and what to change, or that it works.
fn summary(out: &mut String, report: &Report) {
    out.push_str("## Summary\n\n");
    for protocol in Protocol::ALL {
        let direction = if protocol.is_incoming() {
            "Incoming"
        } else {
            "Outgoing"
        };
        let label = format!("**{direction} ({})**", protocol.label());
        let endpoint = report.endpoints.iter().find(|e| e.protocol == protocol);
        let worst = report
            .findings
            .iter()
            .filter(|f| f.protocol == Some(protocol) && f.severity > Severity::Info)
            .max_by_key(|f| f.severity);
        let line = match (endpoint, worst) {
            (None, _) => "not configured.".to_owned(),
            (Some(_), Some(f)) => {
                let fix = f.client_fix.as_ref().or(f.fix.as_ref());
                match fix {
                    Some(fix) => format!(
                        "{} {}.  \n  What to change: {}",
                        severity_tag(f.severity),
                        text(f.title.trim_end_matches('.')),
                        text(fix)
                    ),
                    None => format!("{} {}.", severity_tag(f.severity), text(&f.title)),
                }
            }
            (Some(e), None) => {
                let tls = e
                    .probe
                    .as_ref()
                    .and_then(|p| p.tls.as_ref())
                    .and_then(|t| t.version.clone())
                    .map(|v| format!(", {v}"))
                    .unwrap_or_default();
                let verb = if e.probe.is_some() {
                    "works"
                } else {
                    "looks right (not probed)"
                };
                format!(
                    "✓ `{}:{}` {}{tls} {verb}.",
                    cell(&e.host),
                    e.port,
                    e.security.label()
                )
            }
        };
        let _ = writeln!(out, "- {label}: {line}");
    }
    out.push('\n');
}

/// TLS version, cipher and the certificate facts of each endpoint that did TLS.
fn certificates(out: &mut String, report: &Report) {
    let rows: Vec<_> = report
        .endpoints
        .iter()
        .filter_map(|e| {
            e.probe
                .as_ref()
                .and_then(|p| p.tls.as_ref())
                .map(|t| (e, t))
        })
        .collect();
    if rows.is_empty() {
        return;
    }
    out.push_str("## TLS and certificates\n\n| Protocol | TLS | Cipher | Verdict | Certificate for | Also valid for | Issuer | Valid until | Days left |\n|---|---|---|---|---|---|---|---|---|\n");
    for (e, t) in rows {
        let (subject, san, issuer, until, days) = t.certificate.as_ref().map_or_else(
            || {
                (
                    "-".to_owned(),
                    "-".to_owned(),
                    "-".to_owned(),
                    "-".to_owned(),
                    "-".to_owned(),
                )
            },
            |c| {
                (
                    text(&c.subject),
                    if c.san.is_empty() {
                        "-".to_owned()
                    } else {
                        text(&c.san.join(", "))
                    },
                    text(&c.issuer),
                    cell(&c.not_after),
                    c.days_left.to_string(),
                )
            },
        );
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {subject} | {san} | {issuer} | {until} | {days} |",
            e.protocol.label(),
            t.version.as_deref().map_or_else(|| "-".to_owned(), cell),
            t.cipher.as_deref().map_or_else(|| "-".to_owned(), cell),
            cell(&t.verdict),
        );
    }
    out.push('\n');
}

/// Renders the report as Markdown.
// The report top to bottom, in the order it prints.
#[expect(
    clippy::too_many_lines,
    reason = "the document's sections in the order they print"
)]
pub fn render_markdown(report: &Report) -> String {
    let mut out = String::new();
    let who = report.account.address.as_deref().unwrap_or("(no address)");
    let _ = writeln!(out, "# maildoctor report: {}\n", text(who));
    if let Some(at) = &report.checked_at_local {
        let _ = writeln!(out, "- Checked: {}", cell(at));
    }
    let _ = writeln!(out, "- Tool: {}", report.tool);
    if let Some(command) = &report.command_line {
        let _ = writeln!(out, "- Command: `{}`", cell(&command.replace('`', "'")));
    }
    if let Some(host) = &report.hostname {
        let _ = writeln!(out, "- Machine: {}", text(host));
    }
    let _ = writeln!(
        out,
        "- Profile: {}\n- User name: {}\n- Login: {}\n- Verdict: **{}** ({} error{}, {} warning{}, {} info)\n",
        report.profile.as_deref().unwrap_or("none"),
        cell(report.account.username.as_deref().unwrap_or("the address")),
        report.account.auth,
        report.summary.worst.label(),
        report.summary.errors,
        super::text::plural(report.summary.errors),
        report.summary.warnings,
        super::text::plural(report.summary.warnings),
        report.summary.infos,
    );
    summary(&mut out, report);
    out.push_str("## Settings\n\n| Direction | Protocol | Server | Port | Encryption | Result |\n|---|---|---|---|---|---|\n");
    for e in &report.endpoints {
        let direction = if e.protocol == Protocol::Smtp {
            "Outgoing"
        } else {
            "Incoming"
        };
        let _ = writeln!(
            out,
            "| {direction} | {} | `{}` | {} | {} | {} |",
            e.protocol.label(),
            cell(&e.host),
            e.port,
            e.security.label(),
            cell(&result_of(e, report))
        );
    }
    out.push('\n');
    out.push_str("## Findings, worst first\n\n");
    if report.findings.is_empty() {
        out.push_str("No problems found.\n\n");
    }
    for f in &report.findings {
        let protocol = f.protocol.map_or("ALL", Protocol::label);
        let _ = writeln!(
            out,
            "### {} · {protocol} · {} (`{}`)\n\n{}\n",
            severity_tag(f.severity),
            text(&f.title),
            f.id,
            text(&f.explanation)
        );
        if let Some(fix) = &f.client_fix {
            let _ = writeln!(out, "**Fix in the client:** {}\n", text(fix));
        }
        if let Some(fix) = &f.fix {
            let _ = writeln!(out, "**Fix:** {}\n", text(fix));
        }
        if let Some(s) = &f.suggested {
            let _ = writeln!(out, "**Works from here:** `{}`\n", s.spec);
        }
        if let Some(evidence) = &f.evidence {
            let _ = writeln!(out, "**Evidence:** {}\n", text(evidence));
        }
    }
    certificates(&mut out, report);
    if let Some(alternatives) = report.alternatives.as_ref().filter(|a| !a.is_empty()) {
        out.push_str("## Alternatives tried\n\n| Protocol | Endpoint | Result |\n|---|---|---|\n");
        for a in alternatives {
            let result = if a.works {
                format!("✓ works ({} ms)", a.elapsed_ms)
            } else {
                format!(
                    "✗ {} ({} ms)",
                    a.failure.as_deref().unwrap_or("failed"),
                    a.elapsed_ms
                )
            };
            let _ = writeln!(
                out,
                "| {} | `{}` | {} |",
                a.protocol.label(),
                cell(&a.spec),
                result
            );
        }
        out.push('\n');
    }
    let probed: Vec<_> = report
        .endpoints
        .iter()
        .filter_map(|e| e.probe.as_ref().map(|p| (e, p)))
        .collect();
    if !probed.is_empty() {
        out.push_str("## Transcripts (passwords and tokens redacted)\n\n");
    }
    for (e, p) in probed {
        let _ = writeln!(out, "### {} `{}`\n\n```text", e.protocol.label(), e.spec);
        if p.transcript.is_empty() {
            out.push_str("(nothing was sent or received in the mail dialogue)\n");
        }
        for line in &p.transcript {
            let arrow = match line.direction {
                Direction::Sent => "C:",
                Direction::Received => "S:",
                Direction::Note => "  ",
            };
            // Each line starts with its time, so a server's own fence cannot end ours; line
            // breaks could, so none get through.
            let shown: String = line
                .text
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            let _ = writeln!(out, "{:>6} ms {arrow} {shown}", line.at_ms);
        }
        out.push_str("```\n\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{AccountLayer, PartialEndpoint, Protocol};
    use crate::finding::{Finding, FindingId};
    use crate::profile::ProfileStore;

    #[test]
    fn a_url_a_server_sent_is_code_never_a_link() {
        let said = text(
            "535 5.7.139 Visit https://aka.ms/smtp_auth_disabled or www.evil.example/x`y for more",
        );
        assert!(
            said.contains("`https://aka.ms/smtp_auth_disabled`"),
            "{said}"
        );
        assert!(said.contains("`www.evil.example/x y`"), "{said}");
        assert!(said.starts_with("535 5.7.139 Visit "), "{said}");
        assert_eq!(text("[click](javascript:x)"), "\\[click\\](javascript:x)");
    }

    #[test]
    fn the_markdown_report_has_settings_findings_and_fixes() {
        let store = ProfileStore::load(&[]).unwrap();
        let layer = AccountLayer {
            address: Some("alice@example.org".into()),
            smtp: Some(PartialEndpoint::parse("smtp.example.org:465/starttls").unwrap()),
            ..AccountLayer::default()
        };
        let resolved = crate::resolve::resolve(layer, &store).unwrap();
        let mut finding = Finding::new(
            FindingId::PortSecurityMismatch,
            Some(Protocol::Smtp),
            "Port 465 | STARTTLS",
            "Port 465 expects TLS from the first byte.",
        );
        finding.fix = Some("Set encryption to SSL/TLS.".into());
        let report = Report::new("check", &resolved, &[finding]);
        let md = render_markdown(&report);
        assert!(md.starts_with("# maildoctor report: alice@example.org"));
        assert!(
            md.contains("| Outgoing | SMTP | `smtp.example.org` | 465 | STARTTLS | ✗ `port-security-mismatch` (not probed) |"),
            "the row says what its finding says: {md}"
        );
        assert!(
            md.contains("- **Outgoing (SMTP)**: ✗ ERROR Port 465 \\| STARTTLS.  \n  What to change: Set encryption to SSL/TLS."),
            "the summary says what to change: {md}"
        );
        assert!(
            md.contains("### ✗ ERROR · SMTP · Port 465 \\| STARTTLS (`port-security-mismatch`)")
        );
        assert!(md.contains("**Fix:** Set encryption to SSL/TLS."));
        assert!(md.contains("Verdict: **ERROR**"));
        assert!(
            md.contains("(1 error, 0 warnings, 0 info)"),
            "one error is one error: {md}"
        );
    }

    #[test]
    fn server_text_cannot_add_markdown_to_the_report() {
        let hostile = "220 [reset](https://evil.example) <img src=x> ![i](x)\n```\n# Heading";
        let shown = text(hostile);
        assert!(!shown.contains('\n'));
        for escaped in [r"\[reset\]", r"\<img", r"\!\[i\]", r"\`\`\`", r"\# Heading"] {
            assert!(shown.contains(escaped), "{escaped} not escaped: {shown}");
        }
        assert_eq!(text("smtp.example.org:587"), "smtp.example.org:587");
    }
}
