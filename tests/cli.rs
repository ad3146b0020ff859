//! The binary as users and scripts meet it: output, exit codes, and every bad-input path.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn maildoctor() -> Command {
    let mut cmd = Command::cargo_bin("maildoctor").unwrap();
    // Keep the user's own profiles and colour settings out of the tests.
    // A UTF-8 locale, whatever the machine's: without one the output is ASCII (tested apart).
    cmd.env("XDG_CONFIG_HOME", "/nonexistent-maildoctor-test")
        .env("LC_ALL", "C.UTF-8")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE");
    cmd
}

fn json_of(args: &[&str]) -> (Value, i32) {
    let out = maildoctor()
        .args(args)
        .args(["--format", "json", "--as-of", "2026-11-23"])
        .output()
        .unwrap();
    let value: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (value, out.status.code().unwrap())
}

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(include_str!("../schema/report.schema.json")).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

#[test]
fn the_readme_example_flags_the_mismatch_and_exits_2() {
    maildoctor()
        .args([
            "lint",
            "alice@outlook.com",
            "--smtp",
            "smtp.office365.com:465/starttls",
        ])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("port-security-mismatch"))
        .stdout(predicate::str::contains(
            "Port 465 expects SSL/TLS, but STARTTLS is set",
        ))
        .stdout(predicate::str::contains("Fix: Use port 587 with STARTTLS"));
}

#[test]
fn an_address_alone_is_linted_clean_and_exits_0() {
    maildoctor()
        .args(["lint", "alice@outlook.com"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "smtp-mail.outlook.com:587 STARTTLS",
        ))
        .stdout(predicate::str::contains("No problems found"));
}

#[test]
fn a_warning_exits_1() {
    maildoctor()
        .args([
            "lint",
            "--profile",
            "microsoft365",
            "--auth",
            "oauth2",
            "--smtp",
            "smtp.office365.com:25",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("port-25-for-submission"));
}

#[test]
fn text_output_in_a_pipe_has_no_colour_codes() {
    let out = maildoctor()
        .args([
            "lint",
            "alice@outlook.com",
            "--smtp",
            "smtp.office365.com:465/starttls",
        ])
        .output()
        .unwrap();
    assert!(
        !out.stdout.contains(&0x1b),
        "escape sequences in piped output"
    );
}

#[test]
fn json_reports_match_the_committed_schema() {
    let validator = validator();
    let runs: &[&[&str]] = &[
        &["lint", "alice@outlook.com"],
        &[
            "lint",
            "alice@outlook.com",
            "--smtp",
            "smtp.office365.com:465/starttls",
            "--user",
            "alice",
        ],
        &[
            "lint",
            "--smtp",
            "imap.example.org:993",
            "--imap",
            "[::1]:143/plain",
            "--pop3",
            "smtp.live.com",
        ],
        &[
            "lint",
            "bob@contoso.example",
            "--profile",
            "microsoft365",
            "--auth",
            "password",
        ],
    ];
    for args in runs {
        let (report, code) = json_of(args);
        let errors: Vec<String> = validator
            .iter_errors(&report)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{args:?}: {errors:?}");
        assert_eq!(report["summary"]["exit_code"], code, "{args:?}");
    }
}

#[test]
fn json_carries_the_finding_fields() {
    let (report, code) = json_of(&[
        "lint",
        "alice@outlook.com",
        "--smtp",
        "smtp.office365.com:465/starttls",
    ]);
    assert_eq!(code, 2);
    assert_eq!(report["profile"], "outlook");
    assert_eq!(report["profile_choice"], "address-domain");
    let first = &report["findings"][0];
    assert_eq!(first["id"], "port-security-mismatch");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["protocol"], "smtp");
    assert!(first["fix"].as_str().unwrap().contains("587 with STARTTLS"));
    assert_eq!(
        report["endpoints"][0]["spec"],
        "smtp.office365.com:465/starttls"
    );
}

#[test]
fn the_schema_rejects_what_the_contract_forbids() {
    // The validation above is only worth something if the schema can say no.
    let validator = validator();
    let (mut report, _) = json_of(&["lint", "alice@outlook.com"]);
    report["summary"]["worst"] = Value::from("fatal");
    assert!(!validator.is_valid(&report));
    let (mut report, _) = json_of(&["lint", "alice@outlook.com"]);
    report["surprise"] = Value::from(1);
    assert!(!validator.is_valid(&report));
}

#[test]
fn bad_input_exits_3_with_a_message_naming_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let bad_yaml = dir.path().join("bad.yaml");
    std::fs::write(
        &bad_yaml,
        "address: alice@example.com\nsmtp: { host: smtp.example.com, port: 99999 }\n",
    )
    .unwrap();
    let unknown_key = dir.path().join("unknown.yaml");
    std::fs::write(
        &unknown_key,
        "address: alice@example.com\nsmpt: smtp.example.com\n",
    )
    .unwrap();
    let bad_yaml = bad_yaml.to_str().unwrap();
    let unknown_key = unknown_key.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["lint", "--smtp", "smtp.example.com:99999"],
            "port \"99999\"",
        ),
        (
            &["lint", "--smtp", "smtp.example.com/tsl"],
            "security \"tsl\"",
        ),
        (
            &["lint", "--imap", "imap_server.example.com"],
            "contains '_'",
        ),
        (&["lint", "--pop3", "fe80::1:99999"], "brackets"),
        (&["lint", "alice"], "not an e-mail address"),
        (
            &["lint", "alice@outlook.com", "--profile", "hotmial"],
            "unknown profile \"hotmial\"",
        ),
        (
            &["lint", "alice@nowhere.example"],
            "no built-in profile knows \"nowhere.example\"",
        ),
        (&["lint"], "nothing to check"),
        (
            &["lint", "--account", "/nonexistent/acct.yaml"],
            "cannot read account file /nonexistent/acct.yaml",
        ),
        (&["lint", "--account", bad_yaml], ":2:"),
        (&["lint", "--account", unknown_key], "smpt"),
        (
            &["lint", "--auth", "smoke-signals", "alice@outlook.com"],
            "smoke-signals",
        ),
        (
            &["lint", "alice@outlook.com", "--as-of", "2026-13-01"],
            "2026-13-01",
        ),
        (&["lint", "alice@outlook.com", "--format", "xml"], "xml"),
        (&["frobnicate"], "frobnicate"),
        (
            &[
                "check",
                "alice@example.org",
                "--smtp",
                "127.0.0.1:9/tls",
                "--auth",
                "ntlm",
                "--login",
            ],
            "passwords and OAuth2 only, not NTLM",
        ),
        (
            &[
                "lint",
                "alice@outlook.com",
                "--user",
                "alice\r\nRCPT TO:<x>",
            ],
            "must be one line",
        ),
        (&["profiles", "show", "nope"], "unknown profile \"nope\""),
        (
            &["--profiles-dir", "/nonexistent/dir", "profiles"],
            "/nonexistent/dir",
        ),
    ];
    for (args, want) in cases {
        maildoctor()
            .args(*args)
            .assert()
            .code(3)
            .stderr(predicate::str::contains(*want))
            .stdout(predicate::str::is_empty());
    }
}

#[test]
fn help_and_version_exit_0() {
    maildoctor()
        .arg("--help")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Exit codes"));
    maildoctor()
        .arg("--version")
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("maildoctor "));
}

#[test]
fn profiles_lists_and_shows() {
    maildoctor()
        .arg("profiles")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("outlook").and(predicate::str::contains("microsoft365")));
    maildoctor()
        .args(["profiles", "show", "outlook"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "smtp-mail.outlook.com:587 STARTTLS",
        ))
        .stdout(predicate::str::contains("2024-09-16"));
    let out = maildoctor()
        .args(["profiles", "show", "microsoft365", "--format", "json"])
        .output()
        .unwrap();
    let profile: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        profile["endpoints"]["smtp"][0],
        "smtp.office365.com:587/starttls"
    );
    let out = maildoctor()
        .args(["profiles", "--format", "json"])
        .output()
        .unwrap();
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == "outlook")
    );
}

#[test]
fn a_profiles_dir_overrides_a_builtin_profile() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("corp.yaml"),
        "id: corp\nname: Corp Mail\ndomains: [corp.example]\nsmtp: [mail.corp.example:465/tls]\nimap: [mail.corp.example:993/tls]\nauth: [password]\ndocs: https://intranet.corp.example\nlast_checked: 2026-11-01\n",
    )
    .unwrap();
    maildoctor()
        .args([
            "--profiles-dir",
            dir.path().to_str().unwrap(),
            "lint",
            "carol@corp.example",
            "--smtp",
            "mail.corp.example:587/starttls",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("profile-mismatch"))
        .stdout(predicate::str::contains("mail.corp.example:465 SSL/TLS"));
}

#[test]
fn xdg_config_home_profiles_are_picked_up() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("maildoctor/profiles");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("corp.yaml"), "id: corp\nname: Corp\ndomains: [corp.example]\nimap: [mail.corp.example:993/tls]\nauth: [password]\ndocs: x\nlast_checked: 2026-11-01\n").unwrap();
    maildoctor()
        .env("XDG_CONFIG_HOME", home.path())
        .args(["lint", "carol@corp.example"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Profile: corp"));
}

#[test]
fn an_account_file_is_read_and_flags_override_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("acct.yaml");
    std::fs::write(
        &path,
        "address: alice@example.com\nprofile: microsoft365\nauth: oauth2\nsmtp: smtp.office365.com:465/starttls\nimap: { host: outlook.office365.com, port: 993, security: tls }\npop3: outlook.office365.com:995/tls\n",
    )
    .unwrap();
    let file = path.to_str().unwrap();
    maildoctor()
        .args(["lint", "--account", file])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("port-security-mismatch"));
    maildoctor()
        .args([
            "lint",
            "--account",
            file,
            "--smtp",
            "smtp.office365.com:587/starttls",
        ])
        .assert()
        .code(0);
}

/// A FIFO or a device where a file is expected: refused at once with the reason, exit 3;
/// never read (a FIFO blocks a reader forever, /dev/zero fills the memory).
#[test]
fn special_files_are_refused_at_once() {
    let dir = std::env::temp_dir().join(format!("maildoctor-fifo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("profiles")).unwrap();
    let fifo = dir.join("account.yaml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .arg(dir.join("profiles/evil.yaml"))
        .status()
        .unwrap();
    assert!(made.success(), "mkfifo works here");
    let fifo = fifo.to_str().unwrap();
    let profiles = dir.join("profiles");
    let profiles = profiles.to_str().unwrap();
    let not_a_file = "not a regular file";
    let cases: &[(&[&str], &str)] = &[
        (&["lint", "--account", fifo], not_a_file),
        (&["lint", "--account", "/dev/zero"], not_a_file),
        (
            // Loopback only, should the setup ever get as far as probing.
            &[
                "check",
                "alice@example.org",
                "--smtp",
                "127.0.0.1:9/tls",
                "--ca-file",
                "/dev/zero",
                "--no-alternatives",
            ],
            "cannot read --ca-file /dev/zero: it is not a regular file",
        ),
        (
            &["--profiles-dir", profiles, "lint", "alice@outlook.com"],
            "evil.yaml: it is not a regular file",
        ),
    ];
    for (args, want) in cases {
        maildoctor()
            .args(*args)
            .timeout(std::time::Duration::from_secs(10))
            .assert()
            .code(3)
            .stderr(predicate::str::contains(*want))
            .stdout(predicate::str::is_empty());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// An account file that is not UTF-8 says where, and the cause once.
#[test]
fn a_latin1_account_file_names_the_first_bad_byte() {
    let dir = std::env::temp_dir().join(format!("maildoctor-latin1-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("acct.yaml");
    std::fs::write(&path, b"address: alice@outlook.com\nuser: j\xf6rg\n").unwrap();
    let out = maildoctor()
        .args(["lint", "--account", path.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("line 2, column 8"), "{stderr}");
    assert_eq!(
        stderr.matches("UTF-8").count(),
        1,
        "the cause once: {stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A huge value is quoted as an excerpt, once: the message stays short.
#[test]
fn errors_quote_a_bounded_excerpt_of_a_huge_value() {
    let huge = format!("{}:99999", "a".repeat(100_000));
    let out = maildoctor()
        .args(["lint", "alice@outlook.com", "--smtp", &huge])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.len() < 1000, "{} bytes of error", stderr.len());
    assert!(stderr.contains("(100006 characters)"), "{stderr}");
}

#[test]
fn a_locale_without_utf8_or_ascii_gets_ascii_and_quiet_only_an_exit_code() {
    let lint = [
        "lint",
        "alice@outlook.com",
        "--smtp",
        "smtp-mail.outlook.com:465/starttls",
    ];
    let utf8 = maildoctor().args(lint).output().unwrap();
    let utf8 = String::from_utf8(utf8.stdout).unwrap();
    assert!(utf8.contains("✗ ERROR") && !utf8.is_ascii(), "{utf8}");
    for (how, cmd) in [
        (
            "LC_ALL=C",
            maildoctor().env("LC_ALL", "C").args(lint).output(),
        ),
        (
            "no locale",
            maildoctor()
                .env_remove("LC_ALL")
                .env_remove("LANG")
                .env_remove("LC_CTYPE")
                .args(lint)
                .output(),
        ),
        (
            "--ascii after the command",
            maildoctor().args(lint).arg("--ascii").output(),
        ),
        (
            "--ascii before it",
            maildoctor().arg("--ascii").args(lint).output(),
        ),
    ] {
        let out = cmd.unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.is_ascii(), "{how}: {text}");
        assert!(
            text.contains("x ERROR"),
            "{how}: the symbol keeps its meaning: {text}"
        );
        assert_eq!(out.status.code(), Some(2), "{how}");
    }
    // JSON is UTF-8 by its own rules, whatever the locale.
    let json = maildoctor()
        .env("LC_ALL", "C")
        .args(lint)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(serde_json::from_slice::<Value>(&json.stdout).is_ok());
    let quiet = maildoctor().arg("--quiet").args(lint).output().unwrap();
    assert!(
        quiet.stdout.is_empty() && quiet.stderr.is_empty(),
        "{quiet:?}"
    );
    assert_eq!(
        quiet.status.code(),
        Some(2),
        "the exit code carries the verdict"
    );
    let bad = maildoctor()
        .args(["-q", "lint", "--smtp", "host:notaport"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(3));
    assert!(
        !bad.stderr.is_empty(),
        "errors still reach stderr under --quiet"
    );
}

#[test]
fn lint_speaks_markdown_and_profiles_refuse_it() {
    let out = maildoctor()
        .args([
            "lint",
            "alice@outlook.com",
            "--smtp",
            "smtp-mail.outlook.com:465/starttls",
            "--format",
            "markdown",
        ])
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(
        md.starts_with("# maildoctor report: alice@outlook.com"),
        "{md}"
    );
    assert!(md.contains("- Checked: "), "{md}");
    assert!(md.contains("- Command: `"), "{md}");
    assert!(md.contains("## Summary"), "{md}");
    assert_eq!(out.status.code(), Some(2));
    // A listing offers only the formats it has: clap refuses the others, and the help
    // lists only those.
    maildoctor()
        .args(["profiles", "--format", "markdown"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("[possible values: text, json]"));
    maildoctor()
        .args(["profiles", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("nagios").not());
}

#[test]
fn a_negative_timeout_is_told_what_a_timeout_is_not_a_parser_tip() {
    maildoctor()
        .args(["check", "alice@example.org", "--timeout", "-1"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "\"-1\" is not a number of seconds from 0.1 to 600",
        ))
        .stderr(predicate::str::contains("-- -1").not());
}

#[test]
fn the_import_help_names_every_client_maildoctor_reads() {
    let out = maildoctor().args(["check", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout).replace(['\n', ' '], "");
    for name in maildoctor::import::ClientKind::names().split(", ") {
        assert!(help.contains(name), "{name} missing from --import's help");
    }
}

#[test]
fn nothing_given_without_a_terminal_names_the_clients_accounts_to_import() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join(".msmtprc"),
        "account work\nhost smtp.work.example\nport 587\ntls on\n",
    )
    .unwrap();
    maildoctor()
        .env("HOME", home.path())
        .assert()
        .code(3)
        .stderr(predicate::str::is_match(r"--import \S*\.msmtprc").unwrap())
        .stderr(predicate::str::contains("msmtp account work"));
    let empty = tempfile::tempdir().unwrap();
    maildoctor()
        .env("HOME", empty.path())
        .assert()
        .code(3)
        .stderr(predicate::str::contains("maildoctor clients"));
}
