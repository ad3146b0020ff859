//! The help desk's Markdown report and the monitoring line, built from fixed observations (a
//! 465 port set to STARTTLS, an expired IMAP certificate) and compared with committed
//! snapshots; the findings are diagnose's own.

use std::time::Duration;

use maildoctor::account::{AccountLayer, Endpoint, PartialEndpoint, Protocol};
use maildoctor::probe::observation::{
    CertInfo, CertVerdict, Direction, Failure, Observation, Stage, StageName, StageStatus, TlsInfo,
    TranscriptLine,
};
use maildoctor::profile::ProfileStore;
use maildoctor::report::{Made, Report, render_markdown, render_nagios};

fn stage(name: StageName, status: StageStatus, ms: u64, detail: &str) -> Stage {
    Stage {
        name,
        status,
        elapsed: Duration::from_millis(ms),
        detail: detail.into(),
    }
}

fn note(ms: u64, text: &str) -> TranscriptLine {
    TranscriptLine {
        at: Duration::from_millis(ms),
        direction: Direction::Note,
        text: text.into(),
    }
}

fn observations(smtp: &Endpoint, imap: &Endpoint) -> Vec<Observation> {
    let mut s = Observation::new(Protocol::Smtp, smtp.clone());
    s.stages = vec![
        stage(StageName::Resolve, StageStatus::Ok, 3, "192.0.2.10"),
        stage(StageName::Connect, StageStatus::Ok, 20, "192.0.2.10:465"),
        stage(
            StageName::Greeting,
            StageStatus::Failed,
            71,
            "silent; a quick TLS check answers: the port expects TLS",
        ),
    ];
    s.failure = Some(Failure::PlaintextOnTlsPort);
    s.elapsed = Duration::from_millis(94);
    s.transcript = vec![
        note(
            23,
            "port 465 is a port for SSL/TLS: while waiting for a plaintext greeting, trying a TLS handshake on a second connection",
        ),
        note(
            94,
            "the second connection's TLS handshake was answered: this port expects TLS from the first byte, so a plaintext greeting will never come",
        ),
    ];
    let mut i = Observation::new(Protocol::Imap, imap.clone());
    i.stages = vec![
        stage(StageName::Resolve, StageStatus::Ok, 2, "192.0.2.11"),
        stage(StageName::Connect, StageStatus::Ok, 19, "192.0.2.11:993"),
        stage(
            StageName::Tls,
            StageStatus::Failed,
            41,
            "certificate has expired",
        ),
        stage(
            StageName::TlsUnchecked,
            StageStatus::Warning,
            38,
            "TLS 1.3, certificate not trusted: expired",
        ),
    ];
    i.tls = Some(TlsInfo {
        via_starttls: false,
        verdict: CertVerdict::Expired,
        certificate: Some(CertInfo {
            subject: "CN=mail.example.org".into(),
            issuer: "CN=R11, O=Let's Encrypt".into(),
            san: vec!["mail.example.org".into()],
            not_before: "2026-08-22T00:00:00Z".into(),
            not_after: "2026-11-20T00:00:00Z".into(),
            days_left: -12,
        }),
        reason: Some("error:0A000086:SSL routines:tls_post_process_server_certificate:certificate verify failed (certificate has expired)".into()),
        version: Some("TLS 1.3".into()),
        cipher: Some("TLS_AES_256_GCM_SHA384".into()),
    });
    i.elapsed = Duration::from_millis(100);
    vec![s, i]
}

fn report() -> Report {
    let store = ProfileStore::load(&[]).unwrap();
    let layer = AccountLayer {
        address: Some("alice@example.org".into()),
        smtp: Some(PartialEndpoint::parse("mail.example.org:465/starttls").unwrap()),
        imap: Some(PartialEndpoint::parse("mail.example.org:993/tls").unwrap()),
        ..AccountLayer::default()
    };
    let resolved = maildoctor::resolve::resolve(layer, &store).unwrap();
    let smtp = resolved.account.endpoint(Protocol::Smtp).unwrap().clone();
    let imap = resolved.account.endpoint(Protocol::Imap).unwrap().clone();
    let primary = observations(&smtp, &imap);
    let findings = maildoctor::diagnose::diagnose(maildoctor::diagnose::DiagnoseInput {
        account: &resolved.account,
        primary: &primary,
        alternatives: &[],
        static_findings: Vec::new(),
        thresholds: maildoctor::diagnose::Thresholds::default(),
        oauth: None,
    });
    let made = Made {
        at: "2026-12-02T06:40:12+01:00[Europe/Berlin]".parse().unwrap(),
        command_line: "maildoctor check alice@example.org --smtp mail.example.org:465/starttls"
            .into(),
        hostname: None,
    };
    Report::new("check", &resolved, &findings)
        .with_probes(&primary, &[])
        .stamped(&made)
}

#[test]
fn the_markdown_report_reads_for_a_help_desk() {
    let md = render_markdown(&report());
    insta::assert_snapshot!("markdown_report", md);
    // What a help desk needs months later, checked apart from the snapshot.
    assert!(
        md.contains("- Checked: 2026-12-02 06:40:12 CET (+01:00)"),
        "{md}"
    );
    assert!(
        md.contains("- Command: `maildoctor check alice@example.org"),
        "{md}"
    );
    assert!(!md.contains("- Machine:"), "no machine name unless asked");
    let summary = &md[md.find("## Summary").unwrap()..md.find("## Settings").unwrap()];
    assert!(
        summary.contains("**Outgoing (SMTP)**: ✗ ERROR"),
        "{summary}"
    );
    assert!(
        summary.contains("What to change: Set encryption to SSL/TLS on port 465"),
        "{summary}"
    );
    assert!(
        summary.contains(
            "**Incoming (IMAP)**: ✗ ERROR The certificate of mail.example.org has expired"
        ),
        "{summary}"
    );
    assert!(
        md.contains("| Incoming | IMAP | `mail.example.org` | 993 | SSL/TLS | ✗ answered, but `cert-expired` (100 ms) |"),
        "an IMAP row agrees with its finding: {md}"
    );
    assert!(
        md.contains("| IMAP | TLS 1.3 | TLS_AES_256_GCM_SHA384 | expired |"),
        "{md}"
    );
    let findings = &md[md.find("## Findings").unwrap()..md.find("## TLS").unwrap()];
    let explanation_end = findings.find("**Evidence:**").unwrap();
    assert!(
        !findings[..explanation_end].contains("error:0A000086"),
        "the library's words are evidence only: {findings}"
    );
    assert!(
        md.contains("this port expects TLS from the first byte"),
        "the silent port's transcript says what was concluded"
    );
}

#[test]
fn the_monitoring_line_names_the_worst_and_every_finding() {
    let out = render_nagios(&report(), &maildoctor::diagnose::Thresholds::default());
    insta::assert_snapshot!("nagios_report", out);
}

#[test]
fn a_json_report_says_when_and_how_it_was_made() {
    let json: serde_json::Value =
        serde_json::from_str(&maildoctor::report::to_json(&report())).unwrap();
    assert_eq!(json["checked_at"], "2026-12-02T06:40:12+01:00");
    assert!(
        json["command_line"]
            .as_str()
            .unwrap()
            .starts_with("maildoctor check")
    );
    assert!(json.get("hostname").is_none());
    assert!(
        json["findings"][0]["evidence"].is_string() || json["findings"][1]["evidence"].is_string()
    );
}
