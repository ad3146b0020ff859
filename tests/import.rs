//! `--import` and `maildoctor clients`, in-process and as the binary, on fixture files only:
//! every reader's endpoints and findings, the fix in the client's words, the layering, the
//! errors for files that are not what they seem, and a password that never gets out.

mod common;

use std::path::{Path, PathBuf};

use clap::Parser;
use common::report::{ids, set};
use serde_json::Value;

/// A scratch directory with the files a test writes.
struct Files(tempfile::TempDir);

impl Files {
    fn new() -> Files {
        Files(tempfile::tempdir().unwrap())
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }
}

/// Runs maildoctor in-process: the output and the exit code, or the error as the user sees it.
fn run(args: &[&str]) -> Result<(String, u8), String> {
    let argv: Vec<String> = std::iter::once("maildoctor")
        .chain(args.iter().copied())
        .map(str::to_owned)
        .collect();
    let cli = maildoctor::cli::Cli::try_parse_from(&argv).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    let status = maildoctor::commands::run_with_profiles(&cli, &mut out, None)
        .map_err(|e| format!("{e:#}"))?;
    Ok((String::from_utf8(out).unwrap(), status.code()))
}

fn json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let (out, _) = run(&all).unwrap_or_else(|e| panic!("{args:?}: {e}"));
    let report: Value = serde_json::from_str(&out).unwrap();
    let errors = common::report::schema_errors(&report);
    assert!(errors.is_empty(), "{args:?}: {errors:?}");
    report
}

fn specs(report: &Value) -> Vec<String> {
    report["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["protocol"].as_str().unwrap(),
                e["spec"].as_str().unwrap()
            )
        })
        .collect()
}

fn client_fix<'a>(report: &'a Value, id: &str) -> Option<&'a str> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .and_then(|f| f["client_fix"].as_str())
}

/// A file per reader: its name, its text, the servers and the findings it must give.
type Case = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

fn reader_cases() -> Vec<Case> {
    vec![
        (
            "ssmtp.conf",
            "mailhub=smtp.example.org:465\nUseSTARTTLS=YES\nAuthUser=bob\n",
            &["smtp smtp.example.org:465/starttls"],
            &["smtp:port-security-mismatch"],
        ),
        (
            "nullmailer/remotes",
            "smtp.example.org smtp --port=587 --ssl --user=bob\n",
            &["smtp smtp.example.org:587/tls"],
            &["smtp:port-security-mismatch"],
        ),
        (
            "dma.conf",
            "SMARTHOST smtp.example.org\nPORT 587\nSTARTTLS\nVERIFYCERT\n",
            &["smtp smtp.example.org:587/plain"],
            &["smtp:client-value-ignored"],
        ),
        (
            "update-exim4.conf.conf",
            "dc_eximconfig_configtype='smarthost'\ndc_smarthost='smtp.example.org:587'\n",
            &["smtp smtp.example.org:25/starttls"],
            &["smtp:client-value-ignored", "smtp:port-25-for-submission"],
        ),
        (
            "aerc/accounts.conf",
            "[work]\nsource = imaps+insecure://bob@imap.example.org\noutgoing = smtps://bob@smtp.example.org:587\n",
            &[
                "smtp smtp.example.org:587/tls",
                "imap imap.example.org:993/tls",
            ],
            &["smtp:port-security-mismatch", "imap:certificate-check-off"],
        ),
        (
            "himalaya/config.toml",
            "[accounts.work]\nemail = \"bob@example.org\"\nbackend.host = \"imap.example.org\"\nbackend.port = 143\nmessage.send.backend.host = \"smtp.example.org\"\nmessage.send.backend.port = 587\n",
            &[
                "smtp smtp.example.org:587/tls",
                "imap imap.example.org:143/tls",
            ],
            &["smtp:port-security-mismatch", "imap:port-security-mismatch"],
        ),
        (
            "tb/prefs.js",
            "user_pref(\"mail.accountmanager.accounts\", \"account1\");\nuser_pref(\"mail.account.account1.server\", \"server1\");\nuser_pref(\"mail.account.account1.identities\", \"id1\");\nuser_pref(\"mail.server.server1.type\", \"imap\");\nuser_pref(\"mail.server.server1.hostname\", \"imap.example.org\");\nuser_pref(\"mail.server.server1.socketType\", 2);\nuser_pref(\"mail.server.server1.port\", 993);\nuser_pref(\"mail.identity.id1.useremail\", \"bob@example.org\");\nuser_pref(\"mail.identity.id1.smtpServer\", \"smtp1\");\nuser_pref(\"mail.smtpserver.smtp1.hostname\", \"smtp.example.org\");\nuser_pref(\"mail.smtpserver.smtp1.try_ssl\", 3);\n",
            &[
                "smtp smtp.example.org:465/tls",
                "imap imap.example.org:993/starttls",
            ],
            &["imap:port-security-mismatch"],
        ),
        (
            ".msmtprc",
            "defaults\ntls on\n\naccount work\nhost smtp.example.org\nport 465\nfrom bob@example.org\nuser bob\n\naccount default : work\n",
            &["smtp smtp.example.org:465/starttls"],
            &["smtp:port-security-mismatch", "smtp:client-auth-off"],
        ),
        (
            "gitconfig",
            "[user]\n\temail = bob@example.org\n[sendemail]\n\tsmtpServer = smtp.example.org\n\tsmtpServerPort = 465\n\tsmtpEncryption = tls\n\tsmtpUser = bob\n",
            &["smtp smtp.example.org:465/starttls"],
            &["smtp:port-security-mismatch"],
        ),
        (
            "main.cf",
            "myhostname = host.example.org\nrelayhost = smtp.example.org:587\nsmtp_tls_security_level = encrypt\n",
            &["smtp smtp.example.org:587/starttls"],
            &["smtp:relayhost-mx-lookup"],
        ),
        (
            ".muttrc",
            "set from = \"Bob <bob@example.org>\"\nset smtp_url = \"smtps://bob@mail.example.org:587\"\nset folder = \"imaps://mail.example.org/\"\n",
            &[
                "smtp mail.example.org:587/tls",
                "imap mail.example.org:993/tls",
            ],
            &["smtp:port-security-mismatch"],
        ),
        (
            ".fetchmailrc",
            "poll pop.example.org proto pop3 service 995\n  user bob password secret keep\n",
            &["pop3 pop.example.org:995/starttls"],
            &["pop3:port-security-mismatch", "pop3:client-password-stored"],
        ),
        (
            ".offlineimaprc",
            "[general]\naccounts = A\n[Account A]\nremoterepository = R\n[Repository R]\ntype = IMAP\nremotehost = imap.example.org\nremoteport = 143\n",
            &["imap imap.example.org:143/tls"],
            &["imap:port-security-mismatch"],
        ),
        (
            ".mbsyncrc",
            "IMAPAccount work\nHost imap.example.org\nPort 993\nUser bob\nPassCmd \"pass show work\"\n\nIMAPStore work-remote\nAccount work\n",
            &["imap imap.example.org:993/starttls"],
            &["imap:port-security-mismatch", "*:client-password-command"],
        ),
    ]
}

#[test]
fn each_client_file_gives_the_servers_the_client_uses_and_its_pitfalls() {
    let files = Files::new();
    let cases = reader_cases();
    for (name, text, want_endpoints, want_ids) in &cases {
        let path = files.write(name, text);
        let report = json(&["lint", "--import", path.to_str().unwrap()]);
        assert_eq!(specs(&report), *want_endpoints, "{name}: {report:#}");
        assert_eq!(ids(&report), set(want_ids), "{name}: {report:#}");
        assert_eq!(
            report["account"]["source"]["path"],
            path.display().to_string()
        );
        assert!(
            client_fix(&report, "port-security-mismatch").is_some()
                || !want_ids.contains(&"smtp:port-security-mismatch")
                    && !want_ids.contains(&"imap:port-security-mismatch"),
            "{name}: a mismatch gets the client's fix: {report:#}"
        );
    }
}

#[test]
fn the_fix_is_said_in_each_clients_words_and_place() {
    let files = Files::new();
    for (name, text, id, want) in [
        (
            ".msmtprc",
            "account work\nhost smtp.example.org\nport 465\ntls on\nauth on\nuser bob\n",
            "port-security-mismatch",
            "In {path} (account work): add `tls_starttls off`",
        ),
        (
            "gitconfig",
            "[sendemail]\n\tsmtpServer = smtp.example.org\n\tsmtpServerPort = 465\n\tsmtpEncryption = tls\n",
            "port-security-mismatch",
            "In {path} (account default): line 4: `smtpEncryption = tls` → `smtpEncryption = ssl`",
        ),
        (
            "main.cf",
            "relayhost = [smtp.example.org]:465\nsmtp_tls_security_level = encrypt\n",
            "port-security-mismatch",
            "In {path}: add `smtp_tls_wrappermode = yes`",
        ),
        (
            "main.cf",
            "relayhost = smtp.example.org:587\nsmtp_tls_security_level = encrypt\n",
            "relayhost-mx-lookup",
            "In {path}, line 1: `relayhost = [smtp.example.org]:587`",
        ),
        (
            ".mbsyncrc",
            "IMAPAccount a\nHost imap.example.org\nPort 993\nSSLType STARTTLS\n",
            "port-security-mismatch",
            "In {path} (account a): line 4: `SSLType STARTTLS` → `SSLType IMAPS`",
        ),
        (
            ".msmtprc",
            "account work\nhost smtp.example.org\ntls on\nuser bob\n",
            "client-auth-off",
            "In {path} (account work): add `auth on`",
        ),
        (
            "ssmtp.conf",
            "mailhub=smtp.example.org:465\nUseSTARTTLS=YES\n",
            "port-security-mismatch",
            "In {path} (account ssmtp): add `UseTLS=YES`; line 2: remove `UseSTARTTLS=YES`",
        ),
        (
            "aerc/accounts.conf",
            "[w]\noutgoing = smtps://bob@smtp.example.org:587\n",
            "port-security-mismatch",
            "In {path} (account w): line 2: `outgoing = smtps://bob@smtp.example.org:587` → `outgoing = smtp://bob@smtp.example.org:587`",
        ),
        (
            "nullmailer/remotes",
            "smtp.example.org smtp --port=465 --starttls --user=bob --pass=x\n",
            "port-security-mismatch",
            "In {path} (account smtp.example.org): line 1: `smtp.example.org smtp --port=465 --starttls --user=bob --pass=…` → `smtp.example.org smtp --user=bob --pass=… --port=465 --tls`",
        ),
        (
            "tb/prefs.js",
            "user_pref(\"mail.accountmanager.accounts\", \"account1\");\nuser_pref(\"mail.account.account1.server\", \"server1\");\nuser_pref(\"mail.server.server1.type\", \"imap\");\nuser_pref(\"mail.server.server1.hostname\", \"imap.example.org\");\nuser_pref(\"mail.server.server1.socketType\", 2);\nuser_pref(\"mail.server.server1.port\", 993);\n",
            "port-security-mismatch",
            "In {path} (account account1): line 5: `user_pref(\"mail.server.server1.socketType\", 2);` → `user_pref(\"mail.server.server1.socketType\", 3);` (with Thunderbird closed, as it rewrites prefs.js when it quits; or the same in Settings → Config Editor)",
        ),
    ] {
        let path = files.write(name, text);
        let report = json(&["lint", "--import", path.to_str().unwrap()]);
        let want = want.replace("{path}", &path.display().to_string());
        assert_eq!(
            client_fix(&report, id),
            Some(want.as_str()),
            "{name}: {report:#}"
        );
    }
    // The text report shows it above the generic fix.
    let path = files.write(
        ".msmtprc",
        "account work\nhost smtp.example.org\nport 465\ntls on\n",
    );
    let (text, code) = run(&["lint", "--import", path.to_str().unwrap()]).unwrap();
    let ours = text.find("Fix: In ").unwrap();
    let general = text.find("In general: Use port 587").unwrap();
    assert!(ours < general, "{text}");
    assert!(
        text.contains(&format!(
            "Imported from {} (msmtp, account work)",
            path.display()
        )),
        "{text}"
    );
    assert_eq!(code, 2);
}

#[test]
fn flags_win_over_the_import_and_the_account_is_chosen_by_name() {
    let files = Files::new();
    let path = files.write(
        ".msmtprc",
        "account home\nhost smtp.home.example\ntls on\ntls_starttls off\n\naccount work\nhost smtp.work.example\nport 587\ntls on\n",
    );
    let p = path.to_str().unwrap();
    let err = run(&["lint", "--import", p]).unwrap_err();
    assert!(
        err.contains("has 2 accounts and no default") && err.contains("home, work"),
        "{err}"
    );
    let err = run(&["lint", "--import", &format!("{p}#wrok")]).unwrap_err();
    assert!(
        err.contains("has no account \"wrok\"; it has: home, work"),
        "{err}"
    );
    let report = json(&["lint", "--import", &format!("{p}#home")]);
    assert_eq!(specs(&report), ["smtp smtp.home.example:465/tls"]);
    let report = json(&[
        "lint",
        "--import",
        &format!("{p}#work"),
        "--smtp",
        "smtp.other.example:465/tls",
        "--imap",
        "imap.other.example",
    ]);
    assert_eq!(
        specs(&report),
        [
            "smtp smtp.other.example:465/tls",
            "imap imap.other.example:993/tls"
        ]
    );
    assert_eq!(report["account"]["source"]["account"], "work");
}

#[test]
fn files_that_are_not_what_they_seem_get_a_clear_error() {
    let files = Files::new();
    let fifo = files.0.path().join("fifo.msmtprc");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let binary = files.0.path().join(".msmtprc");
    std::fs::write(&binary, b"account a\nhost \xff\xfe\n").unwrap();
    let huge = files.write("big/.msmtprc", &"# padding\n".repeat(120_000));
    let git_loop = files.write("loop/.gitconfig", "[include]\n\tpath = other\n");
    files.write("loop/other", "[include]\n\tpath = .gitconfig\n");
    let mutt_loop = files.write(
        "mloop/.muttrc",
        "source ~/nowhere-but-here\nsource .muttrc\n",
    );
    let unknown = files.write("mystery.conf", "hello = world\n");
    let later = files.write("aerc/accounts.conf", "source = imaps://a@b\n");
    let bad_value = files.write(
        "bad/.msmtprc",
        "account a\nhost smtp.example.org\ntls_starttls maybe\n",
    );
    let none = files.write("none/main.cf", "myhostname = a.example.org\n");
    for (path, words) in [
        (fifo.as_path(), "not a regular file"),
        (Path::new("/dev/zero"), "not a regular file"),
        (files.0.path(), "not a regular file"),
        (binary.as_path(), "line 2, column 6: the file is not UTF-8"),
        (huge.as_path(), "larger than 1024 KiB"),
        (git_loop.as_path(), "an include loop"),
        (unknown.as_path(), "cannot tell which mail client"),
        (later.as_path(), ":1: an option before any [account]"),
        (bad_value.as_path(), ":3: tls_starttls takes on or off"),
        (none.as_path(), "no relayhost"),
    ] {
        let started = std::time::Instant::now();
        let err = run(&["lint", "--import", path.to_str().unwrap()]).unwrap_err();
        assert!(err.contains(words), "{}: {err}", path.display());
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }
    // mutt's first `source` does not exist: that is the error, before any loop.
    let err = run(&["lint", "--import", mutt_loop.to_str().unwrap()]).unwrap_err();
    assert!(err.contains("nowhere-but-here"), "{err}");
    std::fs::write(
        &mutt_loop,
        "set folder=imaps://imap.example.org/\nsource .muttrc\n",
    )
    .unwrap();
    let err = run(&["lint", "--import", mutt_loop.to_str().unwrap()]).unwrap_err();
    assert!(
        err.contains(":2: ") && err.contains("include loop"),
        "{err}"
    );
    let err = run(&[
        "lint",
        "--import",
        unknown.to_str().unwrap(),
        "--import-format",
        "nosuch",
    ])
    .unwrap_err();
    assert!(err.contains("one of msmtp, postfix, git"), "{err}");
    // With the format said, the file is read as that client's.
    let err = run(&[
        "lint",
        "--import",
        unknown.to_str().unwrap(),
        "--import-format",
        "postfix",
    ])
    .unwrap_err();
    assert!(err.contains("no relayhost"), "{err}");
}

/// The password no output may show.
const SECRET: &str = "Zq7-UNIQUE-pw-4711";

/// Each reader's file with `SECRET` where that format keeps a password (and once where it
/// runs a command for one), its servers on a closed loopback port.
fn files_with_a_secret(closed: u16) -> Vec<(&'static str, String)> {
    vec![
        (
            ".msmtprc",
            format!(
                "account a\nhost 127.0.0.1\nport {closed}\nauth on\nuser bob\npassword {SECRET}\n"
            ),
        ),
        (
            ".msmtprc",
            format!("account a\nhost 127.0.0.1\nport {closed}\npassword \"{SECRET}\n"),
        ),
        (
            "gitconfig",
            format!(
                "[sendemail]\n\tsmtpServer = 127.0.0.1\n\tsmtpServerPort = {closed}\n\tsmtpUser = bob\n\tsmtpPass = {SECRET}\n"
            ),
        ),
        (
            ".muttrc",
            format!(
                "set smtp_url = \"smtp://bob:{SECRET}@127.0.0.1:465/\"\nset imap_pass = \"{SECRET}\"\n"
            ),
        ),
        (
            ".mbsyncrc",
            format!("IMAPAccount a\nHost 127.0.0.1\nPort {closed}\nUser bob\nPass {SECRET}\n"),
        ),
        (
            ".mbsyncrc",
            format!("IMAPAccount a\nHost 127.0.0.1\nPort {closed}\nPassCmd \"echo {SECRET}\"\n"),
        ),
        (
            ".fetchmailrc",
            format!(
                "poll 127.0.0.1 proto imap service {closed}\n  user bob password \"{SECRET}\"\n"
            ),
        ),
        (
            ".offlineimaprc",
            format!(
                "[general]\naccounts = A\n[Account A]\nremoterepository = R\n[Repository R]\nremotehost = 127.0.0.1\nremoteport = {closed}\nremotepass = {SECRET}%\nremotepasseval = get('{SECRET}')\n"
            ),
        ),
        (
            "ssmtp.conf",
            format!(
                "mailhub=127.0.0.1:465\nUseSTARTTLS=YES\nAuthUser=bob\nAuthPass={SECRET} cut\n"
            ),
        ),
        (
            "nullmailer/remotes",
            format!("127.0.0.1 smtp --port=465 --starttls --user=bob --pass={SECRET}\n"),
        ),
        (
            "aerc/accounts.conf",
            format!(
                "[a]\nsource = imap://bob:{SECRET}@127.0.0.1:993\noutgoing-cred-cmd = echo {SECRET}\noutgoing = smtp://bob@127.0.0.1:{closed}\n"
            ),
        ),
        (
            "himalaya/config.toml",
            format!(
                "[accounts.a]\nbackend.host = \"127.0.0.1\"\nbackend.port = 143\nbackend.auth.raw = \"{SECRET}\"\nmessage.send.backend.host = \"127.0.0.1\"\nmessage.send.backend.port = {closed}\nmessage.send.backend.auth.cmd = \"echo {SECRET}\"\n"
            ),
        ),
        (
            "himalaya/config.toml",
            format!(
                "[imap]\nserver = \"127.0.0.1:{closed}\n[imap.sasl.plain]\npassword.raw = \"{SECRET}\"\n"
            ),
        ),
    ]
}

/// The bar: a password in a client's file appears in nothing maildoctor prints or writes,
/// whichever reader, whichever output, and even when the file is broken on that line.
#[test]
fn a_password_in_a_client_file_never_gets_out() {
    let files = Files::new();
    let closed = common::closed_port().port();
    let cases = files_with_a_secret(closed);
    for (i, (name, text)) in cases.iter().enumerate() {
        let path = files.write(&format!("{i}/{name}"), text);
        let p = path.to_str().unwrap();
        let mut said = Vec::new();
        for args in [
            vec!["lint", "--import", p],
            vec!["lint", "--import", p, "--format", "json"],
            vec![
                "check",
                "--import",
                p,
                "--timeout",
                "1",
                "--no-alternatives",
            ],
            vec![
                "check",
                "--import",
                p,
                "--timeout",
                "1",
                "--format",
                "json",
                "--verbose",
            ],
        ] {
            said.push(match run(&args) {
                Ok((out, _)) => out,
                Err(e) => e,
            });
        }
        for out in &said {
            assert!(
                !out.contains(SECRET) && !out.contains("UNIQUE"),
                "{name} #{i}: {out}"
            );
        }
    }
    // `clients` reads them all too.
    let home = files.0.path().join("0");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_maildoctor"))
        .args(["clients", "--format", "json"])
        .env("HOME", &home)
        .env_remove("XDG_CONFIG_HOME")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\"client\": \"msmtp\""), "{text}");
    assert!(!text.contains(SECRET));
}

#[test]
fn clients_lists_every_account_found_with_the_argument_that_checks_it() {
    let files = Files::new();
    let home = files.0.path();
    files.write(".msmtprc", "account home\nhost smtp.home.example\n\naccount work\nhost smtp.work.example\nport 587\ntls on\n\naccount default : work\n");
    files.write(
        ".config/git/config",
        "[sendemail]\n\tsmtpServer = smtp.example.org\n\tsmtpEncryption = ssl\n",
    );
    files.write(".gitconfig", "[user]\n\tname = Bob\n");
    files.write(
        ".mbsyncrc",
        "IMAPAccount a\nHost imap.example.org\nSSLType IMAPS\n",
    );
    files.write(".muttrc", "set folder = \"imaps://imap.example.org/\"\nset smtp_url = \"smtp://smtp.example.org:587/\"\n");
    files.write(
        ".thunderbird/profiles.ini",
        "[Profile0]\nName=default\nIsRelative=1\nPath=abc.default\nDefault=1\n",
    );
    files.write(
        ".thunderbird/abc.default/prefs.js",
        "user_pref(\"mail.accountmanager.accounts\", \"account1\");\nuser_pref(\"mail.account.account1.server\", \"server1\");\nuser_pref(\"mail.server.server1.type\", \"imap\");\nuser_pref(\"mail.server.server1.name\", \"bob@example.org\");\nuser_pref(\"mail.server.server1.hostname\", \"imap.example.org\");\nuser_pref(\"mail.server.server1.socketType\", 3);\n",
    );

    let run = |format: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_maildoctor"))
            .args(["clients", "--format", format])
            .env("HOME", home)
            .env("LC_ALL", "C.UTF-8")
            .env_remove("XDG_CONFIG_HOME")
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let report: Value = serde_json::from_str(&run("json")).unwrap();
    let found: Vec<(String, String, String, bool)> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"].as_str().unwrap().starts_with('~'))
        .flat_map(|f| {
            f["accounts"].as_array().unwrap().iter().map(move |a| {
                (
                    f["client"].as_str().unwrap().to_owned(),
                    a["name"].as_str().unwrap().to_owned(),
                    a["servers"][0]["spec"].as_str().unwrap().to_owned(),
                    a["default"].as_bool().unwrap(),
                )
            })
        })
        .collect();
    let s = |c: &str, n: &str, e: &str, d| (c.to_owned(), n.to_owned(), e.to_owned(), d);
    assert_eq!(
        found,
        [
            s("msmtp", "home", "smtp.home.example:25/plain", false),
            s("msmtp", "work", "smtp.work.example:587/starttls", true),
            s("git", "default", "smtp.example.org:465/tls", true),
            s("mutt", "default", "smtp.example.org:587/starttls", true),
            s("mbsync", "a", "imap.example.org:993/tls", true),
            s(
                "thunderbird",
                "bob@example.org",
                "imap.example.org:993/tls",
                true
            ),
        ],
        "{report:#}"
    );
    let text = run("text");
    let work = format!(
        "maildoctor check --import '{}#work'",
        home.join(".msmtprc").display()
    );
    assert!(text.contains(&work), "{text}");
    assert!(
        !text.contains(".gitconfig"),
        "a git config without send-email settings is left out:\n{text}"
    );
}

#[test]
fn an_import_path_quoted_with_a_leading_tilde_is_the_home_directory() {
    // As the README and `clients` write it: quoted for the `#`, so no shell expands the `~`.
    let files = Files::new();
    let home = files.0.path();
    files.write(
        ".msmtprc",
        "account work\nhost smtp.work.example\nport 465\ntls on\ntls_starttls on\n",
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_maildoctor"))
        .args(["lint", "--format", "json", "--import", "~/.msmtprc#work"])
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", "/nonexistent-maildoctor-test")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("smtp.work.example:465"),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("\"path\": \"~/.msmtprc\""), "{text}");
}
