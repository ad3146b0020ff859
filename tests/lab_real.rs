//! `maildoctor check` against real Postfix and Dovecot, started on 127.0.0.2 (or
//! `MAILDOCTOR_LAB_ADDR`) by tests/lab/start.sh. CI starts the lab and runs these with
//! `--include-ignored`.

mod common;

use common::lab::{self, check};
use common::report::{ids, set};

const NEEDS_LAB: &str = "needs the Postfix/Dovecot lab (tests/lab/start.sh)";

fn ep(port: u16, security: &str) -> String {
    lab::spec(port, security)
}

#[test]
#[ignore = "needs the Postfix/Dovecot lab (tests/lab/start.sh)"]
fn the_healthy_lab_has_no_problems() {
    let _ = NEEDS_LAB;
    let (report, code) = check(
        None,
        &[
            "--smtp",
            &ep(587, "starttls"),
            "--imap",
            &ep(993, "tls"),
            "--pop3",
            &ep(995, "tls"),
        ],
    );
    assert_eq!(ids(&report), set(&[]), "{report:#}");
    assert_eq!(code, 0);
    let greeting = report["endpoints"][0]["greeting"].as_str().unwrap();
    assert!(greeting.contains("ESMTP Postfix"), "{greeting}");
    let smtp = &report["endpoints"][0];
    assert_eq!(
        smtp["capabilities_before_tls"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| *c == "AUTH")
            .count(),
        0,
        "Postfix offers AUTH only after TLS"
    );
    assert_eq!(
        smtp["auth_mechanisms"],
        serde_json::json!(["LOGIN", "PLAIN"])
    );
    // Read from the ServerHello: what OpenSSL 3 on both sides agrees on.
    for endpoint in report["endpoints"].as_array().unwrap() {
        assert_eq!(endpoint["tls"]["version"], "TLS 1.3", "{endpoint:#}");
        assert!(
            endpoint["tls"]["cipher"]
                .as_str()
                .is_some_and(|c| c.starts_with("TLS_")),
            "{endpoint:#}"
        );
    }
}

#[test]
#[ignore = "needs the Postfix/Dovecot lab (tests/lab/start.sh)"]
fn dovecot_trusts_a_client_from_its_trusted_networks_before_starttls() {
    // Dovecot counts a client from its login_trusted_networks (the lab trusts 127.0.0.0/8, so
    // that failed logins are not delayed) as secured, so on the lab it offers AUTH=PLAIN before
    // STARTTLS and omits LOGINDISABLED: from this machine, a password would indeed be accepted
    // in the clear. The same for POP3 on 110: asked on a connection of its own with USER and
    // no password, Dovecot answers +OK. maildoctor reports what it sees.
    let (report, code) = check(
        None,
        &[
            "--smtp",
            &ep(465, "tls"),
            "--imap",
            &ep(143, "starttls"),
            "--pop3",
            &ep(110, "starttls"),
        ],
    );
    assert_eq!(
        ids(&report),
        set(&["imap:plaintext-auth-offered", "pop3:plaintext-auth-offered"]),
        "{report:#}"
    );
    assert_eq!(code, 1);
    let (report, _) = check(None, &["--imap", &ep(143, "plain"), "--only", "imap"]);
    assert_eq!(
        ids(&report),
        set(&["imap:plaintext-credentials"]),
        "{report:#}"
    );
}

/// One test for both, in this order: Dovecot delays every login from an address after a
/// failed one (its penalty grows to 15 s), so a wrong password must come last, and logins get
/// a limit above that penalty.
#[test]
#[ignore = "needs the Postfix/Dovecot lab (tests/lab/start.sh)"]
fn logins_succeed_with_the_right_password_and_fail_with_the_servers_words() {
    let (report, code) = check(
        Some("lab-password"),
        &[
            "--timeout",
            "60",
            "--smtp",
            &ep(587, "starttls"),
            "--imap",
            &ep(993, "tls"),
            "--pop3",
            &ep(110, "starttls"),
        ],
    );
    // POP3 on 110: Dovecot trusts the lab's clients before STLS too (see above).
    assert_eq!(
        ids(&report),
        set(&[
            "smtp:login-ok",
            "smtp:message-size-limit",
            "imap:login-ok",
            "pop3:login-ok",
            "pop3:plaintext-auth-offered"
        ]),
        "{report:#}"
    );
    assert_eq!(code, 1, "the warning decides");
    asked_after_the_login(&report);
    the_strict_submission_refuses_what_it_must();

    let (report, code) = check(
        Some("wrong-password"),
        &[
            "--timeout",
            "60",
            "--smtp",
            &ep(465, "tls"),
            "--imap",
            &ep(143, "starttls"),
            "--pop3",
            &ep(995, "tls"),
        ],
    );
    // IMAP on 143: Dovecot trusts a client on its own address (see above).
    assert_eq!(
        ids(&report),
        set(&[
            "smtp:login-failed",
            "imap:login-failed",
            "imap:plaintext-auth-offered",
            "pop3:login-failed"
        ]),
        "{report:#}"
    );
    assert_eq!(code, 2);
    let text = report.to_string();
    assert!(text.contains("535 5.7.8"), "Postfix's reply is quoted");
    assert!(
        text.contains("[AUTHENTICATIONFAILED]"),
        "Dovecot's IMAP reply is quoted"
    );
    assert!(
        !text.contains("wrong-password"),
        "the password never appears"
    );
}

/// After the login: Postfix takes the sender and the recipient (then RSET), Dovecot opens the
/// INBOX read-only and answers STAT; no DATA is ever sent.
fn asked_after_the_login(report: &serde_json::Value) {
    let access = |i: usize| {
        report["endpoints"][i]["stages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == "access")
            .cloned()
            .unwrap_or_else(|| panic!("no access stage: {report:#}"))
    };
    for i in 0..3 {
        assert_eq!(access(i)["status"], "ok", "{}", access(i));
    }
    assert!(
        access(0)["detail"]
            .as_str()
            .unwrap()
            .contains("nothing sent")
    );
    assert!(
        access(1)["detail"].as_str().unwrap().contains("message(s)"),
        "{}",
        access(1)
    );
    assert!(
        access(2)["detail"].as_str().unwrap().contains("STAT taken"),
        "{}",
        access(2)
    );
    let transcript = report["endpoints"][0]["transcript"].to_string();
    assert!(
        !transcript.contains("\"DATA\""),
        "no DATA is sent: {transcript}"
    );
}

/// The strict submission service on 1587: Postfix's sender-login check, and no relaying but to
/// lab.test. Logged in with the right password (a wrong one would delay what follows).
fn the_strict_submission_refuses_what_it_must() {
    let strict = |extra: &[&str]| {
        let mut args = vec!["--timeout", "60", "--only", "smtp", "--smtp"];
        let spec = ep(1587, "starttls");
        args.push(&spec);
        args.extend_from_slice(extra);
        check(Some("lab-password"), &args).0
    };
    let report = strict(&["--from", "bob@lab.test"]);
    assert!(ids(&report).contains("smtp:sender-rejected"), "{report:#}");
    assert!(
        report
            .to_string()
            .contains("not owned by user alice@lab.test"),
        "Postfix's words: {report:#}"
    );
    let report = strict(&["--rcpt", "carol@elsewhere.test"]);
    assert!(ids(&report).contains("smtp:relay-denied"), "{report:#}");
    assert!(
        report.to_string().contains("Relay access denied"),
        "{report:#}"
    );
    let report = strict(&[]);
    assert!(
        !ids(&report)
            .iter()
            .any(|i| i.ends_with("-rejected") || i.ends_with("-denied")),
        "{report:#}"
    );
}

#[test]
#[ignore = "needs the Postfix/Dovecot lab (tests/lab/start.sh)"]
fn port_security_mismatches_are_confirmed_and_a_working_setting_offered() {
    let cases = [
        ("--smtp", ep(465, "starttls"), "smtp"),
        ("--smtp", ep(587, "tls"), "smtp"),
        ("--imap", ep(993, "starttls"), "imap"),
        ("--imap", ep(143, "tls"), "imap"),
        ("--pop3", ep(995, "starttls"), "pop3"),
        ("--pop3", ep(110, "tls"), "pop3"),
    ];
    for (flag, spec, p) in cases {
        let (report, code) = check(None, &[flag, &spec, "--only", p]);
        let want = set(&[
            &format!("{p}:port-security-mismatch"),
            &format!("{p}:working-alternative"),
        ]);
        assert_eq!(ids(&report), want, "{spec}: {report:#}");
        assert_eq!(code, 2);
        let mismatch = &report["findings"][0];
        assert!(
            mismatch["explanation"]
                .as_str()
                .unwrap()
                .contains("Confirmed by the server"),
            "{spec}: {mismatch:#}"
        );
        assert!(
            mismatch["suggested"]["spec"].is_string(),
            "{spec}: {mismatch:#}"
        );
    }
}

#[test]
#[ignore = "needs the Postfix/Dovecot lab (tests/lab/start.sh)"]
fn the_imap_port_on_the_smtp_line_is_caught() {
    let (report, _) = check(None, &["--smtp", &ep(993, "tls"), "--only", "smtp"]);
    assert_eq!(
        ids(&report),
        set(&[
            "smtp:incoming-server-as-outgoing",
            "smtp:working-alternative"
        ]),
        "{report:#}"
    );
}

#[test]
#[ignore = "needs the Postfix/Dovecot lab (tests/lab/start.sh)"]
fn port_25_has_no_login_for_mail_apps() {
    let (report, code) = check(None, &["--smtp", &ep(25, "starttls"), "--only", "smtp"]);
    assert_eq!(
        ids(&report),
        set(&[
            "smtp:port-25-for-submission",
            "smtp:auth-not-offered",
            "smtp:working-alternative"
        ]),
        "{report:#}"
    );
    assert_eq!(code, 2);
}
