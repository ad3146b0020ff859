//! `--format nagios` read back by the monitoring-plugins grammar: a status line whose word
//! matches the exit code, performance data every item of which parses, one line per finding.

mod common;

use clap::Parser;
use common::{Behaviour, Cert, MailServer, Proto, Tls, closed_port, pki, serve};

fn run(args: &[&str]) -> (String, u8) {
    let argv: Vec<String> = std::iter::once("maildoctor")
        .chain(args.iter().copied())
        .map(str::to_owned)
        .collect();
    let cli = maildoctor::cli::Cli::try_parse_from(&argv).unwrap();
    let mut out = Vec::new();
    let status = maildoctor::commands::run_with_profiles(&cli, &mut out, None).unwrap();
    (String::from_utf8(out).unwrap(), status.code())
}

/// One perfdata item: `'label'=value[UOM];[warn];[crit];[min];[max]`.
fn perf_item_parses(item: &str) -> bool {
    let Some(rest) = item.strip_prefix('\'') else {
        return false;
    };
    let Some((label, rest)) = rest.split_once("'=") else {
        return false;
    };
    if label.is_empty() || label.contains(['\'', '=']) {
        return false;
    }
    let mut fields = rest.split(';');
    let value = fields.next().unwrap_or_default();
    let number_end = value
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(number_end);
    number.parse::<f64>().is_ok()
        && ["", "s", "ms", "us", "%", "B", "KB", "MB", "TB", "c"].contains(&unit)
        && fields.count() <= 4
}

fn parse(out: &str) -> (String, Vec<String>, Vec<String>) {
    let mut lines = out.lines();
    let first = lines.next().unwrap();
    let (text, perf) = first.split_once(" | ").unwrap_or((first, ""));
    let word = text
        .strip_prefix("MAILDOCTOR ")
        .and_then(|t| t.split(" - ").next())
        .unwrap_or_else(|| panic!("not a plugin status line: {first}"))
        .to_owned();
    (
        word,
        perf.split_whitespace().map(str::to_owned).collect(),
        lines.map(str::to_owned).collect(),
    )
}

#[test]
fn the_plugin_output_parses_and_its_word_matches_the_exit_code() {
    let imap = serve(Behaviour::Mail(MailServer::new(
        Proto::Imap,
        Tls::Implicit(Cert::Good),
    )));
    let ca = pki().ca_file.display().to_string();
    let spec = format!("localhost:{}/tls", imap.port());
    let (out, code) = run(&[
        "check",
        "alice@example.org",
        "--imap",
        &spec,
        "--ca-file",
        &ca,
        "--format",
        "nagios",
        "--timeout",
        "2",
        "--ipv4",
    ]);
    let (word, perf, long) = parse(&out);
    assert_eq!((word.as_str(), code), ("OK", 0), "{out}");
    assert!(
        out.starts_with("MAILDOCTOR OK - IMAP work from here | "),
        "{out}"
    );
    assert!(perf.iter().all(|p| perf_item_parses(p)), "{perf:?}");
    assert!(
        perf.iter().any(|p| p.starts_with("'imap_connect'=")),
        "{perf:?}"
    );
    assert!(
        perf.iter()
            .any(|p| p.starts_with("'imap_cert_days'=") && p.ends_with(";14:;0:")),
        "{perf:?}"
    );
    assert!(long.iter().all(|l| l.starts_with('[')), "{long:?}");

    let closed = closed_port().port();
    let spec = format!("127.0.0.1:{closed}/starttls");
    let (out, code) = run(&[
        "check",
        "alice@example.org",
        "--smtp",
        &spec,
        "--format",
        "nagios",
        "--timeout",
        "2",
    ]);
    let (word, perf, long) = parse(&out);
    assert_eq!((word.as_str(), code), ("CRITICAL", 2), "{out}");
    assert!(out.starts_with("MAILDOCTOR CRITICAL - SMTP: "), "{out}");
    assert!(perf.iter().all(|p| perf_item_parses(p)), "{perf:?}");
    assert!(
        long.iter()
            .any(|l| l.starts_with("[CRITICAL] SMTP connect-refused: ")),
        "{long:?}"
    );
    assert!(!out.lines().next().unwrap().contains('\n'));

    // lint speaks it too: no probes, so no performance data.
    let (out, code) = run(&[
        "lint",
        "alice@outlook.com",
        "--smtp",
        "smtp-mail.outlook.com:465/starttls",
        "--format",
        "nagios",
    ]);
    let (word, perf, _) = parse(&out);
    assert_eq!((word.as_str(), code), ("CRITICAL", 2), "{out}");
    assert!(perf.is_empty());
}

#[test]
fn the_thresholds_make_findings_and_reach_the_perfdata() {
    let imap = serve(Behaviour::Mail(MailServer::new(
        Proto::Imap,
        Tls::Implicit(Cert::Good),
    )));
    let ca = pki().ca_file.display().to_string();
    let spec = format!("localhost:{}/tls", imap.port());
    let check = |extra: &[&str]| {
        let mut args = vec![
            "check",
            "alice@example.org",
            "--imap",
            &spec,
            "--ca-file",
            &ca,
            "--format",
            "nagios",
            "--timeout",
            "2",
            "--ipv4",
        ];
        args.extend_from_slice(extra);
        run(&args)
    };
    // The fixture's certificate is good for months: a warning line past that is a warning.
    let (out, code) = check(&["--warn-cert-days", "100000"]);
    let (word, perf, long) = parse(&out);
    assert_eq!((word.as_str(), code), ("WARNING", 1), "{out}");
    assert!(
        perf.iter()
            .any(|p| p.starts_with("'imap_cert_days'=") && p.ends_with(";100000:;0:")),
        "{perf:?}"
    );
    assert!(
        long.iter()
            .any(|l| l.starts_with("[WARNING] IMAP cert-expiring-soon: ")),
        "{long:?}"
    );
    let (out, code) = check(&["--warn-cert-days", "100000", "--crit-cert-days", "100000"]);
    assert_eq!((parse(&out).0.as_str(), code), ("CRITICAL", 2), "{out}");

    // No endpoint answers in under a millisecond through a TLS handshake.
    let (out, code) = check(&["--warn-time", "0", "--crit-time", "100000"]);
    let (word, perf, long) = parse(&out);
    assert_eq!((word.as_str(), code), ("WARNING", 1), "{out}");
    assert!(
        long.iter()
            .any(|l| l.starts_with("[WARNING] IMAP endpoint-slow: ")),
        "{long:?}"
    );
    assert!(
        perf.iter()
            .any(|p| p.starts_with("'imap_time'=") && p.ends_with("ms;0;100000;0")),
        "{perf:?}"
    );
    let (out, code) = check(&["--crit-time", "0"]);
    assert_eq!((parse(&out).0.as_str(), code), ("CRITICAL", 2), "{out}");
}

#[test]
fn the_grammar_check_itself_refuses_what_it_must() {
    for bad in [
        "imap_time=3ms",
        "'a=b'=3",
        "'x'=3days",
        "'x'=",
        "'x'=1;2;3;4;5;6",
    ] {
        assert!(!perf_item_parses(bad), "{bad}");
    }
    assert!(perf_item_parses("'smtp_connect'=2ms;;;0"));
}

#[test]
fn every_perfdata_label_is_said_once() {
    // STARTTLS: the capabilities are asked before and after the upgrade.
    let imap = serve(Behaviour::Mail(MailServer::new(
        Proto::Imap,
        Tls::Starttls(Cert::Good),
    )));
    let ca = pki().ca_file.display().to_string();
    let spec = format!("localhost:{}/starttls", imap.port());
    let (out, _) = run(&[
        "check",
        "alice@example.org",
        "--imap",
        &spec,
        "--ca-file",
        &ca,
        "--format",
        "nagios",
        "--timeout",
        "2",
        "--ipv4",
    ]);
    let (_, perf, _) = parse(&out);
    let labels: Vec<&str> = perf.iter().map(|p| p.split_once('=').unwrap().0).collect();
    let unique: std::collections::BTreeSet<&str> = labels.iter().copied().collect();
    assert_eq!(unique.len(), labels.len(), "{labels:?}");
    assert!(labels.contains(&"'imap_capabilities_2'"), "{labels:?}");
}

/// Runs the binary as a monitoring system does: what it says on stdout, and its exit code.
fn plugin(args: &[&str]) -> (String, i32) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_maildoctor"))
        .args(args)
        .env("XDG_CONFIG_HOME", "/nonexistent-maildoctor-test")
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code().unwrap(),
    )
}

#[test]
fn a_usage_or_input_error_is_unknown_in_the_plugins_words() {
    for args in [
        &["check", "--format", "nagios", "--no-such-flag"][..],
        &["lint", "--format=nagios", "--timeout", "-1"],
        &[
            "lint",
            "--format",
            "nagios",
            "--account",
            "/nonexistent/account.yaml",
        ],
    ] {
        let (out, code) = plugin(args);
        assert_eq!(code, 3, "{args:?}: {out}");
        assert!(out.starts_with("MAILDOCTOR UNKNOWN - "), "{args:?}: {out}");
        assert_eq!(out.lines().count(), 1, "{args:?}: {out}");
    }
}

#[test]
fn quiet_keeps_the_plugins_status_line() {
    let (out, code) = plugin(&[
        "-q",
        "lint",
        "alice@outlook.com",
        "--smtp",
        "smtp-mail.outlook.com:465/starttls",
        "--format",
        "nagios",
    ]);
    assert_eq!(code, 2);
    assert!(out.starts_with("MAILDOCTOR CRITICAL - "), "{out}");
    assert_eq!(out.lines().count(), 1, "only the status line: {out}");
}
