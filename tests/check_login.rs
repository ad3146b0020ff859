//! `--login` through the real binary: the password comes from the environment, the server's
//! verdict is reported, and the password never appears in any output.

mod common;

use assert_cmd::Command;
use base64::Engine as _;
use common::{Behaviour, Cert, MailServer, Proto, Tls, pki, serve};

const PASSWORD: &str = "correct horse";
const WRONG: &str = "s3cret-never-shown";

fn maildoctor() -> Command {
    let mut cmd = Command::cargo_bin("maildoctor").unwrap();
    cmd.env("XDG_CONFIG_HOME", "/nonexistent-maildoctor-test")
        .env("LC_ALL", "C.UTF-8")
        .env_remove("MAILDOCTOR_PASSWORD");
    cmd
}

fn servers() -> Vec<(String, String)> {
    vec![
        (
            "--smtp".to_owned(),
            format!(
                "{}/starttls",
                serve(Behaviour::Mail(MailServer::new(
                    Proto::Smtp,
                    Tls::Starttls(Cert::Good)
                )))
            ),
        ),
        (
            "--imap".to_owned(),
            format!(
                "{}/tls",
                serve(Behaviour::Mail(MailServer::new(
                    Proto::Imap,
                    Tls::Implicit(Cert::Good)
                )))
            ),
        ),
        (
            "--pop3".to_owned(),
            format!(
                "{}/starttls",
                serve(Behaviour::Mail(MailServer::new(
                    Proto::Pop3,
                    Tls::Starttls(Cert::Good)
                )))
            ),
        ),
    ]
}

fn run(password: &str, format: &str, servers: &[(String, String)]) -> (String, i32) {
    run_within(password, format, servers, "5")
}

/// As `run`, with `--timeout SECS`.
fn run_within(
    password: &str,
    format: &str,
    servers: &[(String, String)],
    timeout: &str,
) -> (String, i32) {
    let mut cmd = maildoctor();
    cmd.env("MAILDOCTOR_PASSWORD", password)
        .args([
            "check",
            "alice@fixture.example",
            "--login",
            "--verbose",
            "--no-alternatives",
            "--timeout",
            timeout,
            "--format",
            format,
        ])
        .args(["--ca-file", pki().ca_file.to_str().unwrap()]);
    for (flag, spec) in servers {
        cmd.args([flag, spec]);
    }
    let out = cmd.output().unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (all, out.status.code().unwrap())
}

#[test]
fn a_good_password_logs_in_everywhere() {
    let servers = servers();
    let (out, code) = run(PASSWORD, "json", &servers);
    assert_eq!(code, 0, "{out}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ok: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == "login-ok")
        .map(|f| f["protocol"].as_str().unwrap())
        .collect();
    assert_eq!(ok, ["smtp", "imap", "pop3"]);
}

#[test]
fn a_wrong_password_is_refused_with_the_servers_words() {
    let servers = servers();
    let (out, code) = run(WRONG, "text", &servers);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("login-failed"), "{out}");
    assert!(out.contains("535 5.7.8"), "the SMTP reply is quoted: {out}");
    assert!(out.contains("[AUTHENTICATIONFAILED]"), "{out}");
}

#[test]
fn the_password_never_appears_in_any_output() {
    let servers = servers();
    for password in [PASSWORD, WRONG] {
        for format in ["text", "json"] {
            let (out, _) = run(password, format, &servers);
            assert!(
                !out.contains(password),
                "{format} output shows the password:\n{out}"
            );
            assert!(
                out.contains("<redacted>"),
                "{format}: the transcript should show where it was sent"
            );
            // Nor its base64 form, as SASL PLAIN sends it.
            let b64 = base64::engine::general_purpose::STANDARD
                .encode(format!("\0alice@fixture.example\0{password}"));
            assert!(
                !out.contains(&b64),
                "{format} output shows the SASL payload"
            );
        }
    }
}

#[test]
fn login_without_a_password_source_is_a_clear_error() {
    let servers = servers();
    maildoctor()
        .args([
            "check",
            "alice@fixture.example",
            "--login",
            "--smtp",
            &servers[0].1,
        ])
        .assert()
        .code(3)
        .stderr(predicates::str::contains("MAILDOCTOR_PASSWORD"));
}

#[test]
fn oauth2_tokens_come_from_the_named_variable_and_stay_secret() {
    let token = "ya29.token-from-env";
    let (code, text) = oauth2_check(Proto::Smtp, token);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("login-ok") && text.contains("XOAUTH2"),
        "{text}"
    );
    assert!(!text.contains(token), "{text}");
    let addr = serve(Behaviour::Mail(MailServer::new(
        Proto::Smtp,
        Tls::Implicit(Cert::Good),
    )));
    maildoctor()
        .args([
            "check",
            "alice@fixture.example",
            "--login",
            "--oauth-token-env",
            "NOT_SET_ANYWHERE",
            "--smtp",
            &format!("{addr}/tls"),
        ])
        .assert()
        .code(3)
        .stderr(predicates::str::contains("NOT_SET_ANYWHERE"));
}

/// Logs in with an XOAUTH2 token and returns the verbose text report.
fn oauth2_check(proto: Proto, token: &str) -> (Option<i32>, String) {
    let mut server = MailServer::new(proto, Tls::Implicit(Cert::Good));
    server.auth = "XOAUTH2";
    server.password = Box::leak(token.to_owned().into_boxed_str());
    let addr = serve(Behaviour::Mail(server));
    let flag = match proto {
        Proto::Smtp => "--smtp",
        Proto::Imap => "--imap",
        Proto::Pop3 => "--pop3",
    };
    let out = maildoctor()
        .env("MY_TOKEN", token)
        .args([
            "check",
            "alice@fixture.example",
            "--auth",
            "oauth2",
            "--login",
        ])
        .args([
            "--oauth-token-env",
            "MY_TOKEN",
            "--verbose",
            "--no-alternatives",
        ])
        .args(["--ca-file", pki().ca_file.to_str().unwrap()])
        .args([flag, &format!("{addr}/tls")])
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn imap_without_sasl_ir_gets_the_token_after_the_servers_continuation() {
    let token = "ya29.imap-token";
    let (code, text) = oauth2_check(Proto::Imap, token);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("C: a2 AUTHENTICATE XOAUTH2"),
        "two steps:\n{text}"
    );
    assert!(text.contains("login-ok"), "{text}");
    assert!(!text.contains(token), "{text}");
}

#[test]
fn pop3_sends_a_long_token_after_the_continuation_as_rfc_5034_asks() {
    // Real access tokens are long; an AUTH line over 255 octets is not allowed.
    let token = format!("ya29.{}", "x".repeat(300));
    let (code, text) = oauth2_check(Proto::Pop3, &token);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("C: AUTH XOAUTH2\n") || text.contains("C: AUTH XOAUTH2\r"),
        "{text}"
    );
    assert!(text.contains("login-ok"), "{text}");
    assert!(!text.contains("xxxxxxxx"), "{text}");
    let (code, text) = oauth2_check(Proto::Pop3, "ya29.short");
    assert_eq!(
        code,
        Some(0),
        "a short token rides on the AUTH line:\n{text}"
    );
    assert!(text.contains("login-ok"), "{text}");
}

#[test]
fn no_password_goes_to_a_server_whose_certificate_is_not_trusted() {
    // The relaxed pass that reads the certificate must never log in: the peer may be an impostor.
    let addr = serve(Behaviour::Mail(MailServer::new(
        Proto::Imap,
        Tls::Implicit(Cert::SelfSigned),
    )));
    let out = maildoctor()
        .env("MAILDOCTOR_PASSWORD", PASSWORD)
        .args([
            "check",
            "alice@fixture.example",
            "--login",
            "--verbose",
            "--no-alternatives",
            "--format",
            "json",
        ])
        .args([
            "--ca-file",
            pki().ca_file.to_str().unwrap(),
            "--imap",
            &format!("{addr}/tls"),
        ])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let imap = &report["endpoints"][0];
    assert!(imap["login"].is_null(), "{imap:#}");
    let auth = imap["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "auth")
        .unwrap();
    assert_eq!(auth["status"], "skipped");
    assert!(
        !imap["transcript"].to_string().contains("a3 "),
        "no login command was sent"
    );
}

/// Hostile servers of every protocol that end each reply with what the client sent and its
/// base64 decoded: the password, its SASL blobs, its IMAP-quoted form all come back.
fn echoing(auth: &'static str) -> Vec<(String, String)> {
    let server = |proto, tls| {
        serve(Behaviour::Mail(MailServer {
            echo: true,
            auth,
            ..MailServer::new(proto, tls)
        }))
    };
    vec![
        (
            "--smtp".to_owned(),
            format!(
                "{}/starttls",
                server(Proto::Smtp, Tls::Starttls(Cert::Good))
            ),
        ),
        (
            "--imap".to_owned(),
            format!("{}/tls", server(Proto::Imap, Tls::Implicit(Cert::Good))),
        ),
        (
            "--pop3".to_owned(),
            format!(
                "{}/starttls",
                server(Proto::Pop3, Tls::Starttls(Cert::Good))
            ),
        ),
    ]
}

/// Every form in which `secret` went over the wire or may come back.
fn forms(secret: &str) -> Vec<String> {
    let user = "alice@fixture.example";
    let b64 = |s: String| base64::engine::general_purpose::STANDARD.encode(s);
    vec![
        secret.to_owned(),
        secret.replace('\\', "\\\\").replace('"', "\\\""),
        b64(secret.to_owned()),
        b64(format!("\0{user}\0{secret}")),
        b64(format!("user={user}\x01auth=Bearer {secret}\x01\x01")),
    ]
}

#[test]
fn a_server_that_echoes_the_credentials_gets_them_shown_nowhere() {
    let servers = echoing("PLAIN LOGIN");
    for password in [PASSWORD, "p\"ss\\word 1", "pä\"ss\\wörd 2"] {
        for format in ["text", "json"] {
            let (out, _) = run(password, format, &servers);
            assert!(
                out.contains("you sent:"),
                "the servers did echo ({format}):\n{out}"
            );
            for form in forms(password) {
                assert!(
                    !out.contains(&form),
                    "{format} output shows {form:?} for password {password:?}:\n{out}"
                );
            }
        }
    }
}

#[test]
fn a_server_that_echoes_an_oauth_token_gets_it_shown_nowhere() {
    let token = "ya29.a0-secret-token_value";
    let servers = echoing("XOAUTH2");
    for format in ["text", "json"] {
        let mut cmd = maildoctor();
        cmd.env("TOKEN_FOR_TEST", token)
            .args([
                "check",
                "alice@fixture.example",
                "--login",
                "--oauth-token-env",
                "TOKEN_FOR_TEST",
                "--verbose",
                "--no-alternatives",
                "--timeout",
                "5",
                "--format",
                format,
                "--only",
                "smtp",
            ])
            .args(["--ca-file", pki().ca_file.to_str().unwrap()])
            .args([&servers[0].0, &servers[0].1]);
        let out = cmd.output().unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(all.contains("you sent:"), "the server did echo:\n{all}");
        for form in forms(token) {
            assert!(!all.contains(&form), "{format} shows {form:?}:\n{all}");
        }
    }
}

/// The three protocols' fixtures, each changed by `tune`.
fn tuned(tune: impl Fn(MailServer) -> MailServer) -> Vec<(String, String)> {
    let spec = |flag: &str, proto, tls, security: &str| {
        let addr = serve(Behaviour::Mail(tune(MailServer::new(proto, tls))));
        (flag.to_owned(), format!("{addr}/{security}"))
    };
    vec![
        spec("--smtp", Proto::Smtp, Tls::Starttls(Cert::Good), "starttls"),
        spec("--imap", Proto::Imap, Tls::Implicit(Cert::Good), "tls"),
        spec("--pop3", Proto::Pop3, Tls::Starttls(Cert::Good), "starttls"),
    ]
}

/// The finding ids of a JSON report, as the other tests read them.
fn finding_ids(out: &str) -> std::collections::BTreeSet<String> {
    let report: serde_json::Value =
        serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"));
    common::report::ids(&report)
}

#[test]
fn a_slow_but_successful_login_is_a_login() {
    // --timeout 3 gives each command 1 s; the servers think for 1.5 s before they say yes.
    let servers = tuned(|s| MailServer {
        login_delay: std::time::Duration::from_millis(1500),
        ..s
    });
    let (out, code) = run_within(PASSWORD, "json", &servers, "3");
    assert_eq!(
        finding_ids(&out),
        common::report::set(&[
            "smtp:login-ok",
            "smtp:message-size-limit",
            "imap:login-ok",
            "pop3:login-ok"
        ]),
        "{out}"
    );
    assert_eq!(code, 0);
}

#[test]
fn a_login_that_is_never_answered_is_a_timeout_and_quotes_nothing() {
    let servers = tuned(|s| MailServer {
        login_delay: std::time::Duration::from_secs(60),
        ..s
    });
    let started = std::time::Instant::now();
    let (out, code) = run_within(WRONG, "json", &servers, "3");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(6),
        "the endpoint limit bounds the login: {:?}",
        started.elapsed()
    );
    assert_eq!(
        finding_ids(&out),
        common::report::set(&[
            "smtp:login-timeout",
            "imap:login-timeout",
            "pop3:login-timeout"
        ]),
        "{out}"
    );
    assert_eq!(code, 2);
    assert!(
        !out.contains("slow down repeated failed logins") && !out.contains("refused"),
        "no words the servers never said: {out}"
    );
}

/// What Cyrus answered when a POP3 login raced an IMAP login creating the same INBOX: the
/// password was right; the server had a problem of its own (RFC 3206 `SYS/PERM`).
#[test]
fn a_pop3_refusal_that_names_a_server_problem_does_not_blame_the_password() {
    let addr = serve(Behaviour::Mail(MailServer {
        refusal: "-ERR [SYS/PERM] Unable to open maildrop: Mailbox already exists",
        ..MailServer::new(Proto::Pop3, Tls::Implicit(Cert::Good))
    }));
    let servers = [("--pop3".to_owned(), format!("{addr}/tls"))];
    let (out, code) = run(WRONG, "json", &servers);
    assert_eq!(
        finding_ids(&out),
        common::report::set(&["pop3:login-failed"]),
        "{out}"
    );
    assert_eq!(code, 2);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let finding = &report["findings"][0];
    let fix = finding["fix"].as_str().unwrap();
    assert!(
        fix.starts_with("The user name and password may well be right"),
        "{fix}"
    );
    assert!(
        finding["explanation"]
            .as_str()
            .unwrap()
            .contains("not with the user name or password"),
        "{finding:#}"
    );
}

#[test]
fn smtp_auth_answered_with_250_is_no_login() {
    let addr = serve(Behaviour::Mail(MailServer {
        auth_reply: Some("250 2.0.0 Ok"),
        ..MailServer::new(Proto::Smtp, Tls::Starttls(Cert::Good))
    }));
    let servers = [("--smtp".to_owned(), format!("{addr}/starttls"))];
    let (out, code) = run(PASSWORD, "json", &servers);
    assert_eq!(
        finding_ids(&out),
        common::report::set(&["smtp:protocol-violation"]),
        "{out}"
    );
    assert!(out.contains("250 2.0.0 Ok"), "the reply is quoted: {out}");
    assert_eq!(code, 2);
}

#[test]
fn imap_tags_are_fresh_across_starttls() {
    let addr = serve(Behaviour::Mail(MailServer::new(
        Proto::Imap,
        Tls::Starttls(Cert::Good),
    )));
    let servers = [("--imap".to_owned(), format!("{addr}/starttls"))];
    let (out, code) = run(PASSWORD, "json", &servers);
    assert_eq!(code, 0, "{out}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let tags: Vec<&str> = report["endpoints"][0]["transcript"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["direction"] == "sent")
        .filter_map(|l| l["text"].as_str()?.split(' ').next())
        .collect();
    // CAPABILITY, STARTTLS, CAPABILITY, LOGIN, EXAMINE INBOX, LOGOUT.
    assert_eq!(tags, ["a1", "a2", "a3", "a4", "a5", "a6"], "{out}");
}

#[test]
fn imap_alerts_after_login_are_shown_without_verbose() {
    let alert = "Your mailbox is 98% full; delete mail or it will be refused";
    let addr = serve(Behaviour::Mail(MailServer {
        login_alert: Some(alert),
        ..MailServer::new(Proto::Imap, Tls::Implicit(Cert::Good))
    }));
    let out = maildoctor()
        .env("MAILDOCTOR_PASSWORD", PASSWORD)
        .args([
            "check",
            "alice@fixture.example",
            "--login",
            "--no-alternatives",
        ])
        .args(["--ca-file", pki().ca_file.to_str().unwrap()])
        .args(["--imap", &format!("{addr}/tls")])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(alert),
        "RFC 9051: the user sees the alert:\n{text}"
    );
}

/// A JSON report of `check --login` against these servers, with extra flags.
fn run_with(servers: &[(String, String)], extra: &[&str]) -> (serde_json::Value, i32) {
    let mut cmd = maildoctor();
    cmd.env("MAILDOCTOR_PASSWORD", PASSWORD)
        .args([
            "check",
            "alice@fixture.example",
            "--login",
            "--no-alternatives",
        ])
        .args(["--timeout", "5", "--format", "json"])
        .args(["--ca-file", pki().ca_file.to_str().unwrap()])
        .args(extra);
    for (flag, spec) in servers {
        cmd.args([flag, spec]);
    }
    let out = cmd.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let report = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{e}: {text}{}", String::from_utf8_lossy(&out.stderr)));
    (report, out.status.code().unwrap())
}

fn finding<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {report:#}"))
}

fn smtp_fixture(tune: impl Fn(MailServer) -> MailServer) -> (MailServer, Vec<(String, String)>) {
    let server = tune(MailServer::new(Proto::Smtp, Tls::Starttls(Cert::Good)));
    let addr = serve(Behaviour::Mail(server.clone()));
    (server, vec![("--smtp".into(), format!("{addr}/starttls"))])
}

#[test]
fn after_the_login_the_sender_and_recipient_are_asked_about_and_nothing_is_sent() {
    let (server, servers) = smtp_fixture(|s| s);
    let (report, code) = run_with(&servers, &[]);
    assert_eq!(code, 0, "{report:#}");
    let seen = server.seen.lock().unwrap().clone();
    let at = |c: &str| {
        seen.iter()
            .position(|l| l == c)
            .unwrap_or_else(|| panic!("{c} not sent: {seen:?}"))
    };
    assert!(at("MAIL FROM:<alice@fixture.example>") < at("RCPT TO:<alice@fixture.example>"));
    assert!(at("RCPT TO:<alice@fixture.example>") < at("RSET"));
    assert!(
        !seen.iter().any(|l| l.eq_ignore_ascii_case("DATA")),
        "no DATA without --send-test: {seen:?}"
    );
    let stages = report["endpoints"][0]["stages"].as_array().unwrap();
    let access = stages
        .iter()
        .find(|s| s["name"] == "access")
        .expect("an access stage");
    assert_eq!(access["status"], "ok");
    assert!(
        access["detail"].as_str().unwrap().contains("nothing sent"),
        "{access}"
    );
    assert!(
        finding(&report, "message-size-limit")["title"]
            .as_str()
            .unwrap()
            .contains("10 MB")
    );
}

#[test]
fn a_refused_sender_and_a_refused_relay_are_named_with_the_servers_words() {
    let (_, servers) = smtp_fixture(|s| MailServer {
        mail_from_reply: Some(
            "550 5.7.60 SMTP; Client does not have permissions to send as this sender",
        ),
        ..s
    });
    let (report, code) = run_with(&servers, &["--from", "boss@fixture.example"]);
    assert_eq!(code, 2);
    let sender = finding(&report, "sender-rejected");
    assert!(
        sender["title"]
            .as_str()
            .unwrap()
            .contains("boss@fixture.example"),
        "{sender}"
    );
    assert!(
        sender["explanation"].as_str().unwrap().contains("Send As"),
        "{sender}"
    );
    assert!(
        sender["evidence"].as_str().unwrap().contains("5.7.60"),
        "{sender}"
    );

    let (_, servers) = smtp_fixture(|s| MailServer {
        rcpt_reply: Some("554 5.7.1 <bob@elsewhere.example>: Relay access denied"),
        ..s
    });
    let (report, _) = run_with(&servers, &["--rcpt", "bob@elsewhere.example"]);
    let relay = finding(&report, "relay-denied");
    assert!(
        relay["evidence"]
            .as_str()
            .unwrap()
            .contains("Relay access denied"),
        "{relay}"
    );

    let (_, servers) = smtp_fixture(|s| MailServer {
        rcpt_reply: Some(
            "550 5.1.1 <nobody@fixture.example>: Recipient address rejected: User unknown",
        ),
        ..s
    });
    let (report, _) = run_with(&servers, &["--rcpt", "nobody@fixture.example"]);
    assert!(
        finding(&report, "recipient-rejected")["title"]
            .as_str()
            .unwrap()
            .contains("nobody@fixture.example")
    );
}

#[test]
fn send_test_sends_one_labelled_message_and_reports_its_queue_id() {
    let (server, servers) = smtp_fixture(|s| s);
    let (report, code) = run_with(
        &servers,
        &["--send-test", "--rcpt", "postmaster@fixture.example"],
    );
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        finding(&report, "test-message")["title"],
        "The test message was queued as 4FIXT1"
    );
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen.iter().filter(|l| *l == "DATA").count(), 1, "{seen:?}");
    assert!(
        seen.iter().any(|l| l == "Subject: maildoctor test message"),
        "{seen:?}"
    );
    assert!(
        !seen.iter().any(|l| l == "RSET"),
        "the message is sent, not reset: {seen:?}"
    );
    maildoctor()
        .args([
            "check",
            "alice@fixture.example",
            "--send-test",
            "--smtp",
            "127.0.0.1:1/tls",
        ])
        .assert()
        .code(3)
        .stderr(predicates::str::contains("--login"));
}

#[test]
fn a_mailbox_that_cannot_be_opened_after_the_login_says_why() {
    let imap = serve(Behaviour::Mail(MailServer {
        examine_reply: Some("NO [UNAVAILABLE] User is authenticated but not connected."),
        ..MailServer::new(Proto::Imap, Tls::Implicit(Cert::Good))
    }));
    let pop3 = serve(Behaviour::Mail(MailServer {
        stat_reply: Some("-ERR [IN-USE] Mailbox is locked by another POP3 session."),
        ..MailServer::new(Proto::Pop3, Tls::Implicit(Cert::Good))
    }));
    let servers = [
        ("--imap".to_owned(), format!("{imap}/tls")),
        ("--pop3".to_owned(), format!("{pop3}/tls")),
    ];
    let (report, code) = run_with(&servers, &[]);
    assert_eq!(code, 2);
    let unavailable: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == "mailbox-unavailable")
        .collect();
    assert_eq!(unavailable.len(), 2, "{report:#}");
    assert!(
        unavailable[0]["explanation"]
            .as_str()
            .unwrap()
            .contains("IMAP is turned off"),
        "{:#}",
        unavailable[0]
    );
    assert!(
        unavailable[1]["explanation"]
            .as_str()
            .unwrap()
            .contains("Another mail app"),
        "{:#}",
        unavailable[1]
    );

    let imap = serve(Behaviour::Mail(MailServer::new(
        Proto::Imap,
        Tls::Implicit(Cert::Good),
    )));
    let (report, code) = run_with(&[("--imap".to_owned(), format!("{imap}/tls"))], &[]);
    assert_eq!(code, 0);
    let access = report["endpoints"][0]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "access")
        .cloned()
        .unwrap();
    assert!(
        access["detail"].as_str().unwrap().contains("3 message(s)"),
        "{access}"
    );
}

#[test]
fn an_imap_alert_is_a_finding_of_its_own() {
    let imap = serve(Behaviour::Mail(MailServer {
        login_alert: Some("Your password expires in 3 days"),
        ..MailServer::new(Proto::Imap, Tls::Implicit(Cert::Good))
    }));
    let (report, code) = run_with(&[("--imap".to_owned(), format!("{imap}/tls"))], &[]);
    assert_eq!(code, 1, "an alert is a warning: {report:#}");
    let alert = finding(&report, "server-alert");
    assert!(
        alert["title"]
            .as_str()
            .unwrap()
            .ends_with("Your password expires in 3 days"),
        "{alert}"
    );
}

#[test]
fn an_oauth_failure_is_explained_from_the_servers_details_and_the_tokens_claims() {
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    // A Microsoft Graph token, expired, for another user: everything a token can get wrong.
    let token = format!(
        "{}.{}.c2lnbmF0dXJlLW5ldmVyLXNob3du",
        b64(r#"{"alg":"RS256","typ":"JWT"}"#),
        b64(
            r#"{"aud":"https://graph.microsoft.com","iss":"https://sts.windows.net/tenant/","scp":"Mail.Send","exp":1700000000,"upn":"bob@fixture.example","tid":"tenant"}"#
        )
    );
    let details = base64::engine::general_purpose::STANDARD.encode(
        r#"{"status":"401","schemes":"Bearer","scope":"https://outlook.office.com/SMTP.Send"}"#,
    );
    let (_, servers) = smtp_fixture(|s| MailServer {
        auth: "XOAUTH2",
        xoauth2_challenge: Some(Box::leak(details.clone().into_boxed_str())),
        ..s
    });
    let mut cmd = maildoctor();
    cmd.env("MY_TOKEN", &token)
        .args([
            "check",
            "alice@fixture.example",
            "--auth",
            "oauth2",
            "--login",
        ])
        .args([
            "--oauth-token-env",
            "MY_TOKEN",
            "--no-alternatives",
            "--format",
            "json",
        ])
        .args(["--ca-file", pki().ca_file.to_str().unwrap()])
        .args([&servers[0].0, &servers[0].1]);
    let out = cmd.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    let failed = finding(&report, "login-failed");
    assert!(
        failed["explanation"]
            .as_str()
            .unwrap()
            .contains("status 401: the token is not valid"),
        "{failed}"
    );
    assert!(
        failed["explanation"]
            .as_str()
            .unwrap()
            .contains("scope https://outlook.office.com/SMTP.Send")
    );
    for id in [
        "oauth-token-expired",
        "oauth-token-wrong-audience",
        "oauth-token-other-user",
    ] {
        let f = finding(&report, id);
        assert!(f["protocol"].is_null(), "a problem of the whole token: {f}");
        assert!(
            f["evidence"]
                .as_str()
                .unwrap()
                .contains("aud=https://graph.microsoft.com"),
            "{f}"
        );
    }
    assert!(
        finding(&report, "oauth-token-wrong-audience")["fix"]
            .as_str()
            .unwrap()
            .contains("https://outlook.office.com/SMTP.Send")
    );
    // The claims are shown by name; the token, its payload and its signature nowhere.
    assert!(
        !text.contains(&token) && !text.contains("c2lnbmF0dXJlLW5ldmVyLXNob3du"),
        "{text}"
    );
    assert!(!text.contains(token.split('.').nth(1).unwrap()), "{text}");
}

#[test]
fn a_password_for_a_server_that_takes_only_oauth_is_not_sent() {
    let (server, servers) = smtp_fixture(|s| MailServer {
        auth: "XOAUTH2",
        ..s
    });
    let (report, code) = run_with(&servers, &[]);
    assert_eq!(code, 2, "{report:#}");
    let seen = server.seen.lock().unwrap().clone();
    assert!(
        !seen
            .iter()
            .any(|l| l.to_ascii_uppercase().starts_with("AUTH")),
        "{seen:?}"
    );
    let ids = common::report::ids(&report);
    assert!(ids.contains("smtp:auth-mechanism-unsupported"), "{ids:?}");
    assert!(
        !ids.contains("smtp:login-failed"),
        "no second, redundant error: {ids:?}"
    );
}

#[test]
fn a_pop3_mailbox_locked_at_the_login_is_unavailable_not_a_wrong_password() {
    // RFC 2449's IN-USE answers a login whose credentials were taken: the maildrop is held
    // by another client.
    let pop3 = serve(Behaviour::Mail(MailServer {
        refusal: "-ERR [IN-USE] Unable to lock maildrop: another session holds it",
        ..MailServer::new(Proto::Pop3, Tls::Implicit(Cert::Good))
    }));
    let servers = [("--pop3".to_owned(), format!("{pop3}/tls"))];
    let (out, code) = run("not-the-fixtures-password", "json", &servers);
    assert_eq!(code, 2, "{out}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ids: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"mailbox-unavailable"), "{ids:?}");
    assert!(!ids.contains(&"login-failed"), "{ids:?}");
    assert!(out.contains("Another mail app"), "{out}");
}

#[test]
fn a_login_refused_until_encryption_is_login_disabled_not_a_wrong_password() {
    let imap = serve(Behaviour::Mail(MailServer {
        refusal: "NO LOGIN Command disabled. Use STARTTLS first",
        ..MailServer::new(Proto::Imap, Tls::None)
    }));
    let out = maildoctor()
        .env("MAILDOCTOR_PASSWORD", "whatever-it-is")
        .args([
            "check",
            "alice@fixture.example",
            "--login",
            "--allow-plaintext-auth",
            "--no-alternatives",
            "--imap",
            &format!("{imap}/plain"),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"login-disabled"), "{ids:?}");
    assert!(!ids.contains(&"login-failed"), "{ids:?}");
}
