//! Discovery end to end against the real lab: the autoconfig document fetched the real way
//! (`https://autoconfig.<domain>/…` on port 443 of a loopback address, its name answered only
//! by the test's DNS server), SRV records, and guessing, all pointing at the lab's Postfix
//! and Dovecot. Needs root (port 443) and tests/lab/start.sh.

mod common;

use std::net::Ipv4Addr;

use clap::Parser;
use common::dns::{a, serve_zone, srv};
use common::http::{Reply, Site, autoconfig, serve_site};
use common::lab;
use common::pki;
use common::report::{ids, schema_errors, set};
use serde_json::Value;

fn run(args: &[&str]) -> (Value, u8) {
    let mut argv: Vec<String> = ["maildoctor"]
        .iter()
        .chain(args)
        .map(|s| (*s).to_owned())
        .collect();
    argv.extend(["--format".to_owned(), "json".to_owned()]);
    let cli =
        maildoctor::cli::Cli::try_parse_from(&argv).unwrap_or_else(|e| panic!("{argv:?}: {e}"));
    let mut out = Vec::new();
    let status = maildoctor::commands::run_with_profiles(&cli, &mut out, None)
        .unwrap_or_else(|e| panic!("{argv:?}: {e:#}"));
    let report: Value = serde_json::from_slice(&out).unwrap();
    let errors = schema_errors(&report);
    assert!(errors.is_empty(), "{errors:?}");
    (report, status.code())
}

/// The lab's CA and the fixtures' CA in one file: the lab's servers and the HTTPS fixture.
fn both_cas(dir: &tempfile::TempDir) -> String {
    let path = dir.path().join("cas.pem");
    let lab_ca = std::fs::read_to_string(lab::ca_file()).unwrap();
    std::fs::write(&path, format!("{lab_ca}\n{}", pki().ca_pem)).unwrap();
    path.display().to_string()
}

fn recommended(report: &Value) -> Vec<String> {
    report["discovery"]["recommended"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {}",
                c["protocol"].as_str().unwrap(),
                c["endpoint"].as_str().unwrap()
            )
        })
        .collect()
}

fn lab_ip() -> Ipv4Addr {
    lab::addr().parse().unwrap()
}

#[test]
#[ignore = "needs root (HTTPS on port 443 of 127.0.0.21) and the lab (tests/lab/start.sh)"]
fn a_wrong_autoconfig_is_caught_by_srv_and_the_probe() {
    // The domain's autoconfig says 465 with STARTTLS (a classic); its SRV says 465 with TLS.
    let doc = autoconfig(
        "lab.test",
        &[
            ("imap", "mail.lab.test", 993, "SSL"),
            ("smtp", "mail.lab.test", 465, "STARTTLS"),
        ],
    );
    let (_, log) = serve_site(
        "127.0.0.21:443",
        Site {
            routes: vec![("/mail/config-v1.1.xml".into(), Reply::Xml(doc))],
        },
        Some(pki().identity_for(&["autoconfig.lab.test"])),
    );
    let dns = serve_zone(vec![
        a("autoconfig.lab.test", Ipv4Addr::new(127, 0, 0, 21)),
        a("mail.lab.test", lab_ip()),
        srv("_submissions._tcp.lab.test", 0, 465, "mail.lab.test."),
        srv("_imaps._tcp.lab.test", 0, 993, "mail.lab.test."),
    ])
    .to_string();
    let dir = tempfile::tempdir().unwrap();
    let ca = both_cas(&dir);
    let common = [
        "--dns-server",
        dns.as_str(),
        "--ca-file",
        ca.as_str(),
        "--no-ispdb",
        "--timeout",
        "5",
    ];
    let mut argv = vec!["discover", "alice@lab.test"];
    argv.extend(common);
    let (report, code) = run(&argv);
    assert_eq!(
        ids(&report),
        set(&["smtp:discovery-conflict"]),
        "{report:#}"
    );
    assert_eq!(code, 1);
    // No source names POP3: guessing finds Dovecot's on mail.lab.test.
    assert_eq!(
        recommended(&report),
        [
            "smtp mail.lab.test:465/tls",
            "imap mail.lab.test:993/tls",
            "pop3 mail.lab.test:995/tls"
        ]
    );
    let https = &report["discovery"]["sources"][1];
    assert_eq!(https["kind"], "autoconfig-https");
    assert_eq!(https["status"], "answered", "{https:#}");
    let asked = log.lock().unwrap().clone();
    assert!(
        asked
            .iter()
            .any(|l| l.starts_with("GET /mail/config-v1.1.xml?emailaddress=alice%40lab.test ")),
        "the address goes to the domain's https server, encoded: {asked:?}"
    );
    let conflict = &report["findings"][0];
    assert_eq!(conflict["suggested"]["spec"], "mail.lab.test:465/tls");

    // `check` of the same address finds the same and checks the recommended servers.
    let mut argv = vec!["check", "alice@lab.test"];
    argv.extend(common);
    let (report, code) = run(&argv);
    assert_eq!(
        ids(&report),
        set(&["smtp:discovery-conflict"]),
        "{report:#}"
    );
    assert_eq!(code, 1);
    let greeting = report["endpoints"][0]["greeting"].as_str().unwrap();
    assert!(greeting.contains("ESMTP Postfix"), "{greeting}");
}

#[test]
#[ignore = "needs the lab (tests/lab/start.sh)"]
fn with_nothing_published_guessing_finds_mail_dot_domain() {
    let dns = serve_zone(vec![a("mail.lab.test", lab_ip())]).to_string();
    let (report, code) = run(&[
        "discover",
        "alice@lab.test",
        "--dns-server",
        &dns,
        "--ca-file",
        &lab::ca_file(),
        "--no-ispdb",
        "--timeout",
        "5",
    ]);
    assert_eq!(ids(&report), set(&[]), "{report:#}");
    assert_eq!(code, 0);
    assert_eq!(
        recommended(&report),
        [
            "smtp mail.lab.test:465/tls",
            "imap mail.lab.test:993/tls",
            "pop3 mail.lab.test:995/tls"
        ]
    );
    for choice in report["discovery"]["recommended"].as_array().unwrap() {
        assert_eq!(choice["sources"], serde_json::json!(["guess"]));
        assert_eq!(choice["works"], true);
    }
}

#[test]
#[ignore = "needs root (HTTPS on port 443 of 127.0.0.22) and the lab (tests/lab/start.sh)"]
fn an_autoconfig_that_sends_the_outgoing_mail_to_another_company_is_named() {
    // The domain's own https autoconfig names its IMAP server rightly, but an outgoing server
    // at a domain that is neither the address's nor its MX's, and nothing else vouches for it.
    let doc = autoconfig(
        "shop.test",
        &[
            ("imap", "mail.shop.test", 993, "SSL"),
            ("smtp", "relay.collector.test", 465, "SSL"),
        ],
    );
    let _site = serve_site(
        "127.0.0.22:443",
        Site {
            routes: vec![("/mail/config-v1.1.xml".into(), Reply::Xml(doc))],
        },
        Some(pki().identity_for(&["autoconfig.shop.test"])),
    );
    let dns = serve_zone(vec![
        common::dns::mx("shop.test", 10, "mx.shop.test."),
        a("autoconfig.shop.test", Ipv4Addr::new(127, 0, 0, 22)),
        a("mail.shop.test", lab_ip()),
        a("relay.collector.test", lab_ip()),
    ])
    .to_string();
    let dir = tempfile::tempdir().unwrap();
    let ca = both_cas(&dir);
    let (report, _) = run(&[
        "discover",
        "alice@shop.test",
        "--dns-server",
        dns.as_str(),
        "--ca-file",
        ca.as_str(),
        "--no-ispdb",
        "--no-probe",
        "--timeout",
        "5",
    ]);
    let found: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == "autoconfig-server-elsewhere")
        .collect();
    assert_eq!(found.len(), 1, "{report:#}");
    assert_eq!(found[0]["protocol"], "smtp");
    let explanation = found[0]["explanation"].as_str().unwrap();
    assert!(
        explanation.contains("relay.collector.test:465 SSL/TLS")
            && explanation.contains(
                "collector.test is not the organisation of shop.test or of its MX (mx.shop.test)"
            ),
        "{explanation}"
    );
}

/// Runs the binary with the lab's password in its environment, as `--login` reads it.
fn check_with_password(args: &[&str]) -> Value {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_maildoctor"))
        .args(args)
        .args(["--format", "json"])
        .env("MAILDOCTOR_PASSWORD", "lab-password")
        .env("XDG_CONFIG_HOME", "/nonexistent-maildoctor-test")
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
#[ignore = "needs the lab (tests/lab/start.sh)"]
fn no_password_goes_to_a_server_only_a_guess_names_until_the_user_confirms_it() {
    let dns = serve_zone(vec![a("mail.lab.test", lab_ip())]).to_string();
    let ca = lab::ca_file();
    let args = [
        "check",
        "alice@lab.test",
        "--dns-server",
        &dns,
        "--ca-file",
        &ca,
        "--no-ispdb",
        "--timeout",
        "5",
        "--login",
    ];
    let report = check_with_password(&args);
    let withheld: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == "login-withheld-unconfirmed")
        .collect();
    assert_eq!(withheld.len(), 3, "{report:#}");
    assert!(
        withheld[0]["fix"]
            .as_str()
            .unwrap()
            .contains("--trust-discovered"),
        "{report:#}"
    );
    for endpoint in report["endpoints"].as_array().unwrap() {
        assert!(
            endpoint["login"].is_null(),
            "no login was tried: {endpoint:#}"
        );
    }
    // Confirmed by the user: the same servers, logged in to.
    let mut trusted = args.to_vec();
    trusted.push("--trust-discovered");
    let report = check_with_password(&trusted);
    let ids = ids(&report);
    assert!(
        !ids.iter()
            .any(|i| i.ends_with("login-withheld-unconfirmed")),
        "{ids:?}"
    );
    for endpoint in report["endpoints"].as_array().unwrap() {
        assert_eq!(endpoint["login"]["ok"], true, "{endpoint:#}");
    }
}
