//! `maildoctor check` against in-process fixture servers, one per behaviour: each test pins
//! the exact finding ids and that the probe ends within its time limit.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use clap::Parser;
use common::report::{expected_exit, ids, set};
use common::{Behaviour, Cert, MailServer, Proto, Tls, closed_port, pki, serve};
use serde_json::Value;

/// Runs `maildoctor check ARGS --format json` in-process; returns the report, the exit code and
/// how long it took.
fn check(args: &[String]) -> (Value, u8, Duration) {
    let mut argv = vec![
        "maildoctor".to_owned(),
        "check".to_owned(),
        "--format".to_owned(),
        "json".to_owned(),
        "--as-of".to_owned(),
        "2026-11-23".to_owned(),
    ];
    argv.extend(args.iter().cloned());
    let cli =
        maildoctor::cli::Cli::try_parse_from(&argv).unwrap_or_else(|e| panic!("{argv:?}: {e}"));
    let mut out = Vec::new();
    let started = Instant::now();
    let status = maildoctor::commands::run_with_profiles(&cli, &mut out, None)
        .unwrap_or_else(|e| panic!("{argv:?}: {e:#}"));
    let elapsed = started.elapsed();
    let report: Value = serde_json::from_slice(&out).unwrap();
    let errors = common::report::schema_errors(&report);
    assert!(
        errors.is_empty(),
        "{argv:?}: the report breaks the schema: {errors:?}"
    );
    (report, status.code(), elapsed)
}

fn spec(addr: SocketAddr, security: &str) -> String {
    format!("{addr}/{security}")
}

fn ca() -> String {
    pki().ca_file.display().to_string()
}

/// The usual flags: short limits so failures come quickly, the test CA, no alternatives.
fn args(list: &[(&str, String)]) -> Vec<String> {
    let mut v = vec!["--ca-file".to_owned(), ca(), "--no-alternatives".to_owned()];
    if !list.iter().any(|(flag, _)| *flag == "--timeout") {
        v.extend(["--timeout".to_owned(), "3".to_owned()]);
    }
    if !list.iter().any(|(flag, _)| *flag == "--auth") {
        v.extend(["--auth".to_owned(), "password".to_owned()]);
    }
    for (flag, value) in list {
        v.push((*flag).to_owned());
        // An empty value marks a flag that takes none.
        if !value.is_empty() {
            v.push(value.clone());
        }
    }
    v
}

fn expect(list: &[(&str, String)], want: &[&str]) -> Value {
    let (report, code, elapsed) = check(&args(list));
    assert_eq!(ids(&report), set(want), "{list:?}\n{report:#}");
    assert_eq!(
        code,
        expected_exit(want),
        "the worst finding decides the exit code: {list:?}"
    );
    // Every error and warning says what to do, even if it is "tell the administrator".
    for f in report["findings"].as_array().unwrap() {
        if f["severity"] != "info" {
            assert!(
                f["fix"].as_str().is_some_and(|fix| !fix.is_empty()),
                "{} has no fix: {f:#}",
                f["id"]
            );
        }
    }
    // Every endpoint ends within its limit (3 s here), whatever the server does.
    assert!(
        elapsed < Duration::from_secs(5),
        "{list:?} took {elapsed:?}"
    );
    report
}

/// Runs a check for alice@fixture.example whose provider profile (in a temporary profiles
/// directory) documents `working` as its SMTP endpoint, while the account is set to `configured`.
fn check_with_fixture_profile(working: SocketAddr, configured: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("fixture.yaml"),
        format!(
            "id: fixture\nname: Fixture Mail\ndomains: [fixture.example]\nsmtp: [\"{working}/tls\"]\nauth: [password]\nexceptions: [{{ protocol: smtp, port: {}, security: tls }}]\ndocs: https://fixture.example\nlast_checked: 2026-11-23\n",
            working.port()
        ),
    )
    .unwrap();
    let argv: Vec<String> = [
        "maildoctor",
        "--profiles-dir",
        dir.path().to_str().unwrap(),
        "check",
        "--format",
        "json",
        "--timeout",
        "3",
        "--ca-file",
        &ca(),
        "alice@fixture.example",
        "--smtp",
        configured,
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let cli = maildoctor::cli::Cli::try_parse_from(argv).unwrap();
    let mut out = Vec::new();
    maildoctor::commands::run_with_profiles(&cli, &mut out, None).unwrap();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn a_healthy_account_has_no_findings() {
    let smtp = serve(Behaviour::Mail(MailServer::new(
        Proto::Smtp,
        Tls::Starttls(Cert::Good),
    )));
    let imap = serve(Behaviour::Mail(MailServer::new(
        Proto::Imap,
        Tls::Implicit(Cert::Good),
    )));
    let pop3 = serve(Behaviour::Mail(MailServer::new(
        Proto::Pop3,
        Tls::Starttls(Cert::Good),
    )));
    let report = expect(
        &[
            ("--smtp", spec(smtp, "starttls")),
            ("--imap", spec(imap, "tls")),
            ("--pop3", spec(pop3, "starttls")),
        ],
        &[],
    );
    let smtp_probe = &report["endpoints"][0];
    let stages: Vec<&str> = smtp_probe["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        stages,
        [
            "resolve",
            "connect",
            "greeting",
            "capabilities",
            "starttls",
            "tls",
            "capabilities",
            "quit"
        ]
    );
    assert_eq!(smtp_probe["tls"]["verdict"], "ok");
    assert_eq!(smtp_probe["tls"]["via_starttls"], true);
    assert_eq!(
        smtp_probe["auth_mechanisms"],
        serde_json::json!(["LOGIN", "PLAIN"])
    );
    assert!(
        smtp_probe["capabilities_before_tls"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "STARTTLS")
    );
    assert_eq!(
        report["endpoints"][1]["tls"]["certificate"]["san"][0],
        "localhost"
    );
}

#[test]
fn nothing_listening_is_connect_refused() {
    expect(
        &[("--smtp", spec(closed_port(), "starttls"))],
        &["smtp:connect-refused"],
    );
}

#[test]
fn tls_set_on_a_plaintext_port() {
    let smtp = serve(Behaviour::Mail(MailServer::new(
        Proto::Smtp,
        Tls::Starttls(Cert::Good),
    )));
    expect(
        &[("--smtp", spec(smtp, "tls"))],
        &["smtp:tls-on-plaintext-port"],
    );
}

#[test]
fn starttls_set_on_an_implicit_tls_port() {
    let smtp = serve(Behaviour::Mail(MailServer::new(
        Proto::Smtp,
        Tls::Implicit(Cert::Good),
    )));
    let (report, code, elapsed) = check(&args(&[("--smtp", spec(smtp, "starttls"))]));
    assert_eq!(ids(&report), set(&["smtp:plaintext-on-tls-port"]));
    assert_eq!(code, 2);
    // Found by the TLS check on a second connection, well before the greeting limit.
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
}

#[test]
fn another_protocol_answering_is_wrong_protocol() {
    let imap = serve(Behaviour::Mail(MailServer::new(Proto::Imap, Tls::None)));
    expect(
        &[("--smtp", spec(imap, "plain")), ("--auth", "none".into())],
        &["smtp:wrong-protocol"],
    );
    let http = serve(Behaviour::Send(b"HTTP/1.1 400 Bad Request\r\n\r\n"));
    expect(
        &[("--pop3", spec(http, "starttls"))],
        &["pop3:wrong-protocol"],
    );
}

#[test]
fn a_silent_server_is_a_greeting_timeout_and_does_not_hang() {
    let silent = serve(Behaviour::Silent);
    expect(
        &[("--imap", spec(silent, "starttls"))],
        &["imap:greeting-timeout"],
    );
}

#[test]
fn a_server_that_closes_at_once_is_a_dropped_connection() {
    let closing = serve(Behaviour::CloseAtOnce);
    expect(
        &[("--pop3", spec(closing, "starttls"))],
        &["pop3:connection-dropped"],
    );
}

#[test]
fn garbage_and_floods_are_protocol_violations() {
    let garbage = serve(Behaviour::Send(b"\x00\x01\x02\xff\xfe garbage\r\n"));
    expect(
        &[("--smtp", spec(garbage, "starttls"))],
        &["smtp:protocol-violation"],
    );
    let flood = serve(Behaviour::Flood);
    expect(
        &[("--smtp", spec(flood, "starttls"))],
        &["smtp:protocol-violation"],
    );
}

#[test]
fn greeting_refusals_are_server_rejected() {
    for (proto, greeting, flag) in [
        (
            Proto::Smtp,
            "554 5.7.1 Service unavailable; client host blocked",
            "--smtp",
        ),
        (Proto::Imap, "* BYE Too many connections", "--imap"),
        (Proto::Pop3, "-ERR Maintenance", "--pop3"),
    ] {
        let mut server = MailServer::new(proto, Tls::None);
        server.greeting = Some(greeting);
        let addr = serve(Behaviour::Mail(server));
        let p = &flag[2..];
        expect(
            &[(flag, spec(addr, "starttls"))],
            &[&format!("{p}:server-rejected")],
        );
    }
}

#[test]
fn an_smtp_server_that_refuses_ehlo_is_greeted_with_helo() {
    let mut old = MailServer::new(Proto::Smtp, Tls::None);
    old.ehlo = false;
    let old = serve(Behaviour::Mail(old));
    let report = expect(
        &[("--smtp", spec(old, "starttls"))],
        &["smtp:starttls-not-offered"],
    );
    let stages = report["endpoints"][0]["stages"].as_array().unwrap();
    let caps = stages.iter().find(|s| s["name"] == "capabilities").unwrap();
    assert_eq!(caps["status"], "ok", "{caps:#}");
    assert!(
        caps["detail"]
            .as_str()
            .unwrap()
            .contains("greeted with HELO"),
        "{caps:#}"
    );
    let transcript = report["endpoints"][0]["transcript"].to_string();
    assert!(transcript.contains("HELO "), "{transcript}");
}

#[test]
fn starttls_missing_or_refused() {
    let no_starttls = serve(Behaviour::Mail(MailServer::new(Proto::Smtp, Tls::None)));
    expect(
        &[("--smtp", spec(no_starttls, "starttls"))],
        &["smtp:starttls-not-offered"],
    );
    let mut refusing = MailServer::new(Proto::Smtp, Tls::Starttls(Cert::Good));
    refusing.refuse_starttls = Some("454 4.7.0 TLS not available due to local problem");
    let refusing = serve(Behaviour::Mail(refusing));
    let report = expect(
        &[("--smtp", spec(refusing, "starttls"))],
        &["smtp:starttls-failed"],
    );
    assert!(
        report["findings"][0]["evidence"]
            .as_str()
            .unwrap()
            .contains("454 4.7.0"),
        "the server's words are the evidence"
    );
}

#[test]
fn certificate_problems_are_named_and_the_certificate_still_shown() {
    for (cert, id) in [
        (Cert::Expired, "cert-expired"),
        (Cert::NotYetValid, "cert-not-yet-valid"),
        (Cert::SelfSigned, "cert-self-signed"),
        (Cert::WrongName, "cert-name-mismatch"),
        (Cert::ExpiringSoon, "cert-expiring-soon"),
    ] {
        let addr = serve(Behaviour::Mail(MailServer::new(
            Proto::Imap,
            Tls::Implicit(cert),
        )));
        let report = expect(&[("--imap", spec(addr, "tls"))], &[&format!("imap:{id}")]);
        let endpoint = &report["endpoints"][0];
        assert!(
            endpoint["tls"]["certificate"]["subject"]
                .as_str()
                .unwrap()
                .contains("fixture.test"),
            "{id}"
        );
        assert!(
            endpoint["greeting"]
                .as_str()
                .unwrap()
                .contains("fixture IMAP ready"),
            "{id}: the dialogue went on"
        );
    }
    let starttls = serve(Behaviour::Mail(MailServer::new(
        Proto::Pop3,
        Tls::Starttls(Cert::Expired),
    )));
    expect(
        &[("--pop3", spec(starttls, "starttls"))],
        &["pop3:cert-expired"],
    );
}

#[test]
fn an_unknown_issuer_is_untrusted() {
    let addr = serve(Behaviour::Mail(MailServer::new(
        Proto::Smtp,
        Tls::Implicit(Cert::Good),
    )));
    let (report, code, _) = check(&[
        "--timeout".into(),
        "3".into(),
        "--no-alternatives".into(),
        "--smtp".into(),
        spec(addr, "tls"),
    ]);
    assert_eq!(ids(&report), set(&["smtp:cert-untrusted"]));
    assert_eq!(code, 2);
}

#[test]
fn login_methods_against_the_account() {
    let mut none = MailServer::new(Proto::Smtp, Tls::Implicit(Cert::Good));
    none.auth = "";
    let none = serve(Behaviour::Mail(none));
    expect(&[("--smtp", spec(none, "tls"))], &["smtp:auth-not-offered"]);
    let mut oauth_only = MailServer::new(Proto::Smtp, Tls::Implicit(Cert::Good));
    oauth_only.auth = "XOAUTH2 OAUTHBEARER";
    let oauth_only = serve(Behaviour::Mail(oauth_only));
    expect(
        &[("--smtp", spec(oauth_only, "tls"))],
        &["smtp:auth-mechanism-unsupported"],
    );
    expect(
        &[
            ("--smtp", spec(oauth_only, "tls")),
            ("--auth", "oauth2".into()),
        ],
        &[],
    );
}

#[test]
fn imap_without_encryption_is_login_disabled() {
    let addr = serve(Behaviour::Mail(MailServer::new(
        Proto::Imap,
        Tls::Starttls(Cert::Good),
    )));
    expect(
        &[("--imap", spec(addr, "plain"))],
        &["imap:login-disabled", "imap:plaintext-credentials"],
    );
}

#[test]
fn login_offered_only_after_starttls_is_login_disabled_on_a_plain_connection() {
    // Cyrus's POP3 (and Postfix's submission) list no login before STLS/STARTTLS: the fix is
    // to turn encryption on, not another server.
    for (proto, flag) in [(Proto::Pop3, "--pop3"), (Proto::Smtp, "--smtp")] {
        let addr = serve(Behaviour::Mail(MailServer::new(
            proto,
            Tls::Starttls(Cert::Good),
        )));
        let p = &flag[2..];
        let report = expect(
            &[(flag, spec(addr, "plain"))],
            &[
                &format!("{p}:login-disabled"),
                &format!("{p}:plaintext-credentials"),
            ],
        );
        let finding = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == "login-disabled")
            .unwrap();
        assert!(
            finding["fix"].as_str().unwrap().contains("STARTTLS"),
            "{finding:#}"
        );
    }
}

#[test]
fn login_advertised_before_starttls_but_refused_there_is_no_warning() {
    // nodemailer's smtp-server lists AUTH before STARTTLS and refuses it there: asked without
    // a password, it says so, and nothing is wrong.
    let careful = serve(Behaviour::Mail(MailServer {
        auth_before_tls: true,
        refuse_auth_before_tls: Some("538 5.7.11 Must issue a STARTTLS command first"),
        ..MailServer::new(Proto::Smtp, Tls::Starttls(Cert::Good))
    }));
    let report = expect(&[("--smtp", spec(careful, "starttls"))], &[]);
    let transcript = report["endpoints"][0]["transcript"].to_string();
    assert!(
        transcript.contains("AUTH PLAIN"),
        "it was asked: {transcript}"
    );
    assert!(
        !transcript.contains("<redacted>"),
        "and no password was sent: {transcript}"
    );
}

#[test]
fn passwords_offered_before_starttls_are_a_warning() {
    let mut careless = MailServer::new(Proto::Smtp, Tls::Starttls(Cert::Good));
    careless.auth_before_tls = true;
    let addr = serve(Behaviour::Mail(careless));
    let (report, code, _) = check(&args(&[("--smtp", spec(addr, "starttls"))]));
    assert_eq!(ids(&report), set(&["smtp:plaintext-auth-offered"]));
    assert_eq!(code, 1);
    assert!(
        report["findings"][0]["title"]
            .as_str()
            .unwrap()
            .contains("accepts passwords before STARTTLS"),
        "asked without a password, the server said go ahead: {report:#}"
    );
    // The question went on a connection of its own, beside the main dialogue, which went
    // straight on to STARTTLS.
    let lines: Vec<&str> = report["endpoints"][0]["transcript"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["text"].as_str().unwrap())
        .collect();
    let at = |needle: &str| lines.iter().position(|l| l.starts_with(needle));
    let (aside, asked, upgraded) = (at("a second connection"), at("AUTH PLAIN"), at("STARTTLS"));
    assert!(
        aside.is_some() && asked > aside && upgraded < aside,
        "{lines:#?}"
    );
}

#[test]
fn the_question_before_tls_is_asked_once_even_when_the_certificate_needs_a_second_pass() {
    let mut server = MailServer::new(Proto::Imap, Tls::Starttls(Cert::SelfSigned));
    server.auth_before_tls = true;
    let addr = serve(Behaviour::Mail(server));
    let (report, _, _) = check(&args(&[("--imap", spec(addr, "starttls"))]));
    let found = ids(&report);
    assert!(found.contains("imap:plaintext-auth-offered"), "{found:?}");
    let transcript = report["endpoints"][0]["transcript"].to_string();
    assert_eq!(
        transcript
            .matches("a second connection, beside this one")
            .count(),
        1,
        "{transcript}"
    );
    assert!(
        transcript.contains("connecting again without verification"),
        "the second pass ran: {transcript}"
    );
}

#[test]
fn endpoints_are_probed_at_once() {
    // Three servers that each take a second to greet: together they take about one second.
    let slow = |proto| {
        let mut s = MailServer::new(proto, Tls::Implicit(Cert::Good));
        s.greeting_delay = Duration::from_secs(1);
        serve(Behaviour::Mail(s))
    };
    let (smtp, imap, pop3) = (slow(Proto::Smtp), slow(Proto::Imap), slow(Proto::Pop3));
    // A greeting limit of 3 s leaves room on a busy machine.
    let (report, _, elapsed) = check(&args(&[
        ("--timeout", "9".to_owned()),
        ("--smtp", spec(smtp, "tls")),
        ("--imap", spec(imap, "tls")),
        ("--pop3", spec(pop3, "tls")),
    ]));
    assert_eq!(ids(&report), set(&[]));
    assert!(
        elapsed < Duration::from_millis(2500),
        "sequential would take 3 s; took {elapsed:?}"
    );
}

#[test]
fn a_stuck_endpoint_does_not_delay_the_others_results() {
    let good = serve(Behaviour::Mail(MailServer::new(
        Proto::Imap,
        Tls::Implicit(Cert::Good),
    )));
    let silent = serve(Behaviour::Silent);
    let (report, _, elapsed) = check(&args(&[
        ("--imap", spec(good, "tls")),
        ("--smtp", spec(silent, "tls")),
    ]));
    assert_eq!(ids(&report), set(&["smtp:tls-handshake-failed"]));
    let imap = report["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["protocol"] == "imap")
        .unwrap();
    assert!(imap["elapsed_ms"].as_u64().unwrap() < 1000, "{imap:#}");
    assert!(elapsed < Duration::from_secs(5));
}

#[test]
fn a_working_alternative_is_found_and_suggested() {
    // The provider documents an implicit-TLS endpoint; the configured STARTTLS one is dead.
    let working = serve(Behaviour::Mail(MailServer::new(
        Proto::Smtp,
        Tls::Implicit(Cert::Good),
    )));
    let dead = closed_port();
    let report = check_with_fixture_profile(working, &spec(dead, "starttls"));
    let found = ids(&report);
    assert!(
        found.contains("smtp:connect-refused") && found.contains("smtp:working-alternative"),
        "{found:?}"
    );
    let refused = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "connect-refused")
        .unwrap();
    assert_eq!(refused["suggested"]["spec"], format!("{working}/tls"));
    assert!(refused["fix"].as_str().unwrap().contains("works from here"));
}

#[test]
fn the_three_kinds_of_dns_no_are_told_apart() {
    let dns = common::dns::serve_dns().to_string();
    for (host, id) in [
        ("nx.lab.test", "dns-no-such-host"),
        ("noaddr.lab.test", "dns-no-address"),
        ("fail.lab.test", "dns-failure"),
    ] {
        expect(
            &[
                ("--dns-server", dns.clone()),
                ("--smtp", format!("{host}:2525/starttls")),
            ],
            &[&format!("smtp:{id}")],
        );
    }
}

#[test]
fn a_name_resolves_and_every_address_is_tried() {
    let dns = common::dns::serve_dns().to_string();
    let server = serve(Behaviour::Mail(MailServer::new(
        Proto::Imap,
        Tls::Implicit(Cert::Good),
    )));
    // dual.* has 127.0.0.1 and ::1; the fixture listens on 127.0.0.1 only, so IPv6 fails.
    let report = expect(
        &[
            ("--dns-server", dns.clone()),
            ("--imap", format!("dual.lab.test:{}/tls", server.port())),
        ],
        &["imap:ipv6-broken", "imap:cert-name-mismatch"],
    );
    let addresses = report["endpoints"][0]["addresses"].as_array().unwrap();
    assert_eq!(addresses.len(), 2, "{addresses:?}");
    assert!(addresses.iter().any(|a| a["result"] == "connected"));
    // --ipv4 leaves IPv6 out.
    expect(
        &[
            ("--dns-server", dns),
            ("--ipv4", String::new()),
            ("--imap", format!("dual.lab.test:{}/tls", server.port())),
        ],
        &["imap:cert-name-mismatch"],
    );
}

#[test]
fn a_greeting_slower_than_five_seconds_is_a_warning() {
    let mut slow = MailServer::new(Proto::Smtp, Tls::Implicit(Cert::Good));
    slow.greeting_delay = Duration::from_millis(5300);
    let addr = serve(Behaviour::Mail(slow));
    let (report, code, elapsed) = check(&args(&[
        ("--timeout", "30".to_owned()),
        ("--smtp", spec(addr, "tls")),
    ]));
    assert_eq!(ids(&report), set(&["smtp:slow-greeting"]));
    assert_eq!(code, 1);
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
}

#[test]
fn a_dropped_port_is_a_connect_timeout_and_the_working_alternative_is_offered() {
    // The articles' advice, checked: 587 blocked by the network, 465 works.
    let blocked = common::blackhole();
    let (report, code, elapsed) = check(&args(&[("--smtp", spec(blocked, "starttls"))]));
    assert_eq!(ids(&report), set(&["smtp:connect-timeout"]), "{report:#}");
    assert_eq!(code, 2);
    assert!(
        elapsed < Duration::from_secs(3),
        "connect limit is 0.5 s here: {elapsed:?}"
    );

    let working = serve(Behaviour::Mail(MailServer::new(
        Proto::Smtp,
        Tls::Implicit(Cert::Good),
    )));
    let report = check_with_fixture_profile(working, &spec(blocked, "starttls"));
    let found = ids(&report);
    assert!(
        found.contains("smtp:connect-timeout") && found.contains("smtp:working-alternative"),
        "{found:?}"
    );
    let timeout = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "connect-timeout")
        .unwrap();
    assert_eq!(timeout["suggested"]["spec"], format!("{working}/tls"));
}

#[test]
fn a_server_that_only_speaks_old_tls_is_named() {
    let addr = serve(Behaviour::Mail(MailServer::new(
        Proto::Imap,
        Tls::ImplicitOld,
    )));
    let report = expect(
        &[("--imap", spec(addr, "tls"))],
        &["imap:tls-version-too-old"],
    );
    assert!(
        report["findings"][0]["explanation"]
            .as_str()
            .unwrap()
            .contains("TLS 1.1")
    );
}

#[test]
fn a_reply_dripped_line_by_line_ends_with_its_stage_limit() {
    // Every line comes within the per-line limit; the greeting as a whole never ends. With
    // --timeout 3 the greeting stage may take 1 s, the endpoint 3 s.
    let drip = serve(Behaviour::Drip(
        "220-still greeting",
        Duration::from_millis(100),
    ));
    let report = expect(
        &[("--smtp", spec(drip, "starttls"))],
        &["smtp:connection-dropped"],
    );
    let stages = report["endpoints"][0]["stages"].as_array().unwrap();
    let greeting = stages
        .iter()
        .find(|s| s["name"] == "greeting")
        .expect("a greeting stage");
    let took = greeting["elapsed_ms"].as_u64().unwrap();
    assert!(
        took < 1500,
        "the greeting stage took {took} ms:\n{report:#}"
    );
    assert!(
        greeting["detail"]
            .as_str()
            .unwrap()
            .contains("kept sending but did not finish within 1 s"),
        "{greeting:#}"
    );
}

#[test]
fn an_8_bit_greeting_is_text_shown_escaped() {
    let latin1 = serve(Behaviour::Mail(MailServer {
        greeting_bytes: Some(b"220 mail.example.de ESMTP Gr\xfc\xdfe aus M\xfcnchen"),
        ..MailServer::new(Proto::Smtp, Tls::Starttls(Cert::Good))
    }));
    let report = expect(&[("--smtp", spec(latin1, "starttls"))], &[]);
    let greeting = report["endpoints"][0]["greeting"].as_str().unwrap();
    assert_eq!(
        greeting, "220 mail.example.de ESMTP Gr\\xfc\\xdfe aus M\\xfcnchen",
        "{report:#}"
    );
}

#[test]
fn a_name_with_many_addresses_is_tried_a_few_at_a_time() {
    let dns = common::dns::serve_dns().to_string();
    // Nothing listens on 127.0.1.x at this port: every attempt is refused at once.
    let port = closed_port().port();
    let report = expect(
        &[
            ("--dns-server", dns),
            ("--smtp", format!("many.lab.test:{port}/starttls")),
        ],
        &["smtp:connect-refused"],
    );
    let addresses = report["endpoints"][0]["addresses"].as_array().unwrap();
    assert_eq!(addresses.len(), 25, "every address is reported");
    let tried = addresses
        .iter()
        .filter(|a| a["result"] != "not-tried")
        .count();
    assert_eq!(tried, 8, "a few are tried, the rest reported as not tried");
}

#[test]
fn a_broken_tls_server_is_told_apart_at_once() {
    let broken = serve(Behaviour::TlsAlert(40));
    // Set to STARTTLS, the port stays silent: the quick TLS check gets an alert, which proves
    // the port speaks TLS, so it is no greeting timeout.
    let (report, _, _) = check(&args(&[("--smtp", spec(broken, "starttls"))]));
    assert_eq!(
        ids(&report),
        set(&["smtp:plaintext-on-tls-port"]),
        "{report:#}"
    );
    // Told apart by the check, not by waiting out the greeting's limit (how fast is the
    // benchmark's business, not a timed test's).
    let stages = report["endpoints"][0]["stages"].to_string();
    assert!(stages.contains("a quick TLS check answers"), "{stages}");
    assert!(!stages.contains("no greeting within"), "{stages}");
    // Set to SSL/TLS, the handshake fails against a TLS server: no plaintext greeting is
    // waited for.
    let (report, _, _) = check(&args(&[("--smtp", spec(broken, "tls"))]));
    assert_eq!(
        ids(&report),
        set(&["smtp:tls-handshake-failed"]),
        "{report:#}"
    );
    let stages = report["endpoints"][0]["stages"].as_array().unwrap();
    assert!(
        !stages.iter().any(|s| s["name"] == "greeting"),
        "no greeting is waited for after a failed handshake: {stages:?}"
    );
    // The protocol_version alert: only old TLS, from the facts.
    let old = serve(Behaviour::TlsAlert(70));
    expect(
        &[("--smtp", spec(old, "tls"))],
        &["smtp:tls-version-too-old"],
    );
}

#[test]
fn a_fix_never_offers_a_port_the_probes_found_closed() {
    // A plaintext server set to SSL/TLS, alternatives on: 587 and 465 on this host are closed.
    let plain = serve(Behaviour::Mail(MailServer::new(Proto::Smtp, Tls::None)));
    let list = [
        ("--ca-file", ca()),
        ("--timeout", "3".to_owned()),
        ("--auth", "password".to_owned()),
        ("--smtp", spec(plain, "tls")),
    ];
    let argv: Vec<String> = list
        .iter()
        .flat_map(|(f, v)| [(*f).to_owned(), v.clone()])
        .collect();
    let (report, _, _) = check(&argv);
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "tls-on-plaintext-port")
        .expect("the mismatch is found");
    let fix = finding["fix"].as_str().unwrap();
    assert!(
        fix.contains("maildoctor also tried") && fix.contains("none works from here"),
        "the fix says what the probes saw: {fix}"
    );
}

#[test]
fn the_same_port_with_tls_is_offered_when_the_probe_proved_it() {
    let tls = serve(Behaviour::Mail(MailServer::new(
        Proto::Smtp,
        Tls::Implicit(Cert::Good),
    )));
    let report = expect(
        &[("--smtp", spec(tls, "starttls"))],
        &["smtp:plaintext-on-tls-port"],
    );
    assert_eq!(
        report["findings"][0]["suggested"]["spec"],
        format!("{tls}/tls"),
        "{report:#}"
    );
}

#[test]
fn a_login_method_the_server_does_not_offer_is_named_in_the_users_words() {
    let addr = serve(Behaviour::Mail(MailServer::new(
        Proto::Smtp,
        Tls::Implicit(Cert::Good),
    )));
    // `args` sets --auth password unless told otherwise.
    let report = expect(
        &[("--smtp", spec(addr, "tls")), ("--auth", "spa".into())],
        &["smtp:auth-mechanism-unsupported"],
    );
    let finding = &report["findings"][0];
    assert!(
        finding["title"].as_str().unwrap().contains("SPA"),
        "{finding:#}"
    );
    assert!(
        finding["fix"].as_str().unwrap().starts_with("Turn NTLM"),
        "{finding:#}"
    );
}

#[test]
fn pop3_that_takes_user_before_stls_is_flagged_and_one_that_refuses_is_not() {
    // Courier takes USER before STLS; Dovecot (from a client it does not trust) refuses it,
    // though both list USER in CAPA before STLS.
    let courier = serve(Behaviour::Mail(MailServer {
        auth_before_tls: true,
        ..MailServer::new(Proto::Pop3, Tls::Starttls(Cert::Good))
    }));
    let report = expect(
        &[("--pop3", spec(courier, "starttls"))],
        &["pop3:plaintext-auth-offered"],
    );
    let transcript = report["endpoints"][0]["transcript"].to_string();
    assert!(transcript.contains("USER maildoctor"), "{transcript}");
    assert!(
        !transcript.contains("PASS"),
        "never a password: {transcript}"
    );
    let dovecot = serve(Behaviour::Mail(MailServer {
        auth_before_tls: true,
        refuse_auth_before_tls: Some(
            "-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.",
        ),
        ..MailServer::new(Proto::Pop3, Tls::Starttls(Cert::Good))
    }));
    expect(&[("--pop3", spec(dovecot, "starttls"))], &[]);
}

#[test]
fn tls_name_verifies_the_certificate_for_another_name() {
    // Reached by its address, the server's certificate names mail.other.example.
    let server = serve(Behaviour::Mail(MailServer::new(
        Proto::Imap,
        Tls::Implicit(Cert::WrongName),
    )));
    expect(
        &[("--imap", spec(server, "tls"))],
        &["imap:cert-name-mismatch"],
    );
    expect(
        &[
            ("--imap", spec(server, "tls")),
            ("--tls-name", "mail.other.example".into()),
        ],
        &[],
    );
}

#[test]
fn the_name_a_certificate_is_for_is_tried_and_offered_once_it_verifies() {
    // The account names an alias; the server's certificate is for mail.other.example, which
    // (like every name on the test DNS server) is this machine.
    let dns = common::dns::serve_dns().to_string();
    let server = serve(Behaviour::Mail(MailServer::new(
        Proto::Imap,
        Tls::Implicit(Cert::WrongName),
    )));
    let configured = format!("alias.example.test:{}/tls", server.port());
    let argv: Vec<String> = [
        "--ca-file",
        &ca(),
        "--timeout",
        "3",
        "--auth",
        "password",
        "--dns-server",
        &dns,
        "--imap",
        &configured,
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let (report, code, _) = check(&argv);
    assert_eq!(
        ids(&report),
        set(&["imap:cert-name-mismatch", "imap:working-alternative"]),
        "{report:#}"
    );
    assert_eq!(code, expected_exit(&["imap:cert-name-mismatch"]));
    let finding = |id: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id)
            .unwrap()
            .clone()
    };
    let named = format!("mail.other.example:{}/tls", server.port());
    let mismatch = finding("cert-name-mismatch");
    assert_eq!(mismatch["suggested"]["spec"], named, "{mismatch:#}");
    let fix = mismatch["fix"].as_str().unwrap();
    assert!(
        fix.contains("works from here") && fix.contains("mail.other.example"),
        "{fix}"
    );
    let alternative = finding("working-alternative");
    assert!(
        alternative["explanation"]
            .as_str()
            .unwrap()
            .starts_with("The certificate is for mail.other.example"),
        "{alternative:#}"
    );
}

#[test]
fn an_antivirus_that_re_signs_mail_connections_is_named() {
    let shielded = serve(Behaviour::Mail(MailServer::new(
        Proto::Imap,
        Tls::Implicit(Cert::Intercepted),
    )));
    let report = expect(
        &[("--imap", spec(shielded, "tls"))],
        &["imap:tls-intercepted"],
    );
    let finding = &report["findings"][0];
    assert!(
        finding["explanation"].as_str().unwrap().contains("Avast"),
        "{finding:#}"
    );
}

#[test]
fn a_server_that_wants_a_client_certificate_says_so() {
    let addr = common::serve_client_cert_required();
    let report = expect(
        &[("--imap", spec(addr, "tls"))],
        &["imap:tls-handshake-failed"],
    );
    let finding = &report["findings"][0];
    assert!(
        finding["explanation"]
            .as_str()
            .unwrap()
            .contains("client certificate"),
        "{finding:#}"
    );
}

#[test]
fn a_resolver_that_says_no_to_every_name_is_this_machines_dns_not_the_settings() {
    // gmail's documented servers exist; a resolver that denies them is what is broken.
    let dns = common::dns::serve_nxdomain_for_all();
    let (report, code, _) = check(&[
        "alice@gmail.com".into(),
        "--dns-server".into(),
        dns.to_string(),
        "--timeout".into(),
        "2".into(),
    ]);
    let found = ids(&report);
    assert!(
        found.iter().any(|f| f.ends_with(":dns-not-working")),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|f| f.ends_with(":dns-no-such-host")),
        "no host is called mistyped: {found:?}"
    );
    assert_eq!(code, 2);
    let text = report.to_string();
    assert!(text.contains("smtp.gmail.com"), "{text}");
    assert!(!text.contains("Query {"), "no library debug text: {text}");

    // A typed name that does not exist is still the settings' problem.
    let dns = common::dns::serve_dns();
    let (report, _, _) = check(&[
        "alice@example.org".into(),
        "--smtp".into(),
        "nx.example.org:587".into(),
        "--dns-server".into(),
        dns.to_string(),
        "--only".into(),
        "smtp".into(),
        "--no-alternatives".into(),
        "--no-discover".into(),
    ]);
    let found = ids(&report);
    assert!(
        found.iter().any(|f| f.ends_with(":dns-no-such-host")),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|f| f.ends_with(":dns-not-working")),
        "{found:?}"
    );

    // A resolver that fails says so in words, never in the library's debug text.
    let (report, _, _) = check(&[
        "alice@example.org".into(),
        "--smtp".into(),
        "fail.example.org:587".into(),
        "--dns-server".into(),
        dns.to_string(),
        "--only".into(),
        "smtp".into(),
        "--no-alternatives".into(),
        "--no-discover".into(),
    ]);
    let text = report.to_string();
    assert!(
        text.contains("the DNS server failed to answer (SERVFAIL)"),
        "{text}"
    );
    assert!(!text.contains("Query {"), "{text}");
    // One domain's names failing may be that domain's DNS: said per host, as before.
    assert!(ids(&report).iter().any(|f| f.ends_with(":dns-failure")));
}

#[test]
fn an_imap_server_silent_about_logindisabled_before_starttls_gets_no_warning() {
    // No login method listed before STARTTLS, and no LOGINDISABLED either: by IMAP's rules
    // LOGIN may work there, but nothing says a password would be taken.
    let imap = serve(Behaviour::Mail(MailServer {
        no_logindisabled: true,
        ..MailServer::new(Proto::Imap, Tls::Starttls(Cert::Good))
    }));
    let (report, _, _) = check(&[
        "alice@example.org".into(),
        "--imap".into(),
        spec(imap, "starttls"),
        "--ca-file".into(),
        pki().ca_file.display().to_string(),
        "--only".into(),
        "imap".into(),
        "--no-discover".into(),
    ]);
    let offered: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == "plaintext-auth-offered")
        .collect();
    assert_eq!(offered.len(), 1, "{report:#}");
    assert_eq!(offered[0]["severity"], "info", "{:#}", offered[0]);
}
