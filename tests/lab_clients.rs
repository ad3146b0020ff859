//! The real clients are the oracle: msmtp, git send-email, mutt and mbsync, run against the
//! lab's Postfix and Dovecot with a settings file, and maildoctor importing the same file
//! must agree: no error when the client gets through, and the cause named when it does not.
//! Then the client fix maildoctor gives is applied to the file, and the client gets through.
//! Needs tests/lab/start.sh (which installs the clients) and root (mbsync's files, ports).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use common::lab;
use serde_json::Value;

const USER: &str = "alice@lab.test";
const PASSWORD: &str = "lab-password";

struct Scratch(tempfile::TempDir);

impl Scratch {
    fn new() -> Scratch {
        Scratch(tempfile::tempdir().unwrap())
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }

    /// A settings file readable by its owner alone (msmtp refuses others with a password).
    fn write(&self, name: &str, text: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = self.path(name);
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        path
    }
}

/// Runs a client with a hard limit: a client that waits for a greeting that never comes
/// is killed, and that counts as failing.
fn client(program: &str, args: &[&str], stdin: &str, env: &[(&str, &Path)]) -> Output {
    use std::io::Write as _;
    let mut cmd = Command::new("timeout");
    cmd.arg("20").arg(program).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{program}: {e} (tests/lab/start.sh installs it)"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn said(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `maildoctor check --import SPEC` against the lab, logging in with the lab's password from
/// the environment (never from the file). It trusts what the client's file trusts (its CA
/// file, the name it checks), as the client does; `--ca-file` is given only for the clients
/// whose files pin the certificate instead (mbsync, OfflineIMAP).
fn maildoctor(import: &str, extra: &[&str]) -> Value {
    maildoctor_with(import, extra, false)
}

fn maildoctor_with(import: &str, extra: &[&str], lab_ca: bool) -> Value {
    let ca = lab::ca_file();
    let trust: &[&str] = if lab_ca { &["--ca-file", &ca] } else { &[] };
    let out = Command::new(env!("CARGO_BIN_EXE_maildoctor"))
        .args(["check", "--import", import, "--timeout", "5"])
        .args(trust)
        .args(["--format", "json", "--no-discover", "--login"])
        .args(extra)
        .env("MAILDOCTOR_PASSWORD", PASSWORD)
        .env("XDG_CONFIG_HOME", "/nonexistent-maildoctor-test")
        .output()
        .unwrap();
    let report: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", said(&out)));
    assert!(common::report::schema_errors(&report).is_empty());
    report
}

fn errors(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| {
            format!(
                "{}: {}",
                f["id"].as_str().unwrap(),
                f["title"].as_str().unwrap()
            )
        })
        .collect()
}

fn finding<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no {id}: {report:#}"))
}

/// Applies a client fix of the form "…: add `LINE`" or "…: line N: `OLD` → `NEW`" to the
/// file, as the user would.
fn apply(path: &Path, fix: &str, after_line: usize) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let (_, changes) = fix
        .split_once("): ")
        .or_else(|| fix.split_once(": "))
        .unwrap();
    for change in changes.split("; ") {
        if let Some(add) = change.strip_prefix("add `") {
            lines.insert(after_line, add.trim_end_matches('`').to_owned());
        } else if let Some(rest) = change.strip_prefix("line ") {
            let (n, swap) = rest.split_once(": `").unwrap();
            let (_, new) = swap.split_once("` → `").unwrap();
            lines[n.parse::<usize>().unwrap() - 1] = new.trim_end_matches('`').to_owned();
        } else {
            panic!("a fix the test cannot apply: {change}");
        }
    }
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

fn message() -> String {
    format!("From: {USER}\nTo: {USER}\nSubject: maildoctor lab\n\nhello\n")
}

fn msmtp(file: &Path) -> Output {
    client(
        "msmtp",
        &["-C", file.to_str().unwrap(), "-a", "lab", USER],
        &message(),
        &[],
    )
}

#[test]
#[ignore = "needs the lab and its clients (tests/lab/start.sh)"]
fn msmtp_and_maildoctor_agree_and_the_fix_makes_msmtp_work() {
    let s = Scratch::new();
    let ca = lab::ca_file();
    let addr = lab::addr();
    let account = |extra: &str| {
        format!(
            "defaults\ntimeout 5\ntls_trust_file {ca}\n\naccount lab\nhost {addr}\nfrom {USER}\nuser {USER}\npassword {PASSWORD}\n{extra}"
        )
    };
    // Right: submission with STARTTLS and a login.
    let good = s.write("good", &account("port 587\ntls on\nauth on\n"));
    let out = msmtp(&good);
    assert!(out.status.success(), "{}", said(&out));
    let report = maildoctor(good.to_str().unwrap(), &[]);
    assert_eq!(errors(&report), Vec::<String>::new(), "{report:#}");
    finding(&report, "login-ok");
    finding(&report, "client-password-stored");

    // 465 with `tls on` and tls_starttls left at its default: msmtp waits for a greeting.
    let wrong = s.write("wrong", &account("port 465\ntls on\nauth on\n"));
    let out = msmtp(&wrong);
    assert!(!out.status.success(), "{}", said(&out));
    let report = maildoctor(wrong.to_str().unwrap(), &[]);
    let mismatch = finding(&report, "port-security-mismatch");
    let fix = mismatch["client_fix"].as_str().unwrap();
    assert!(fix.ends_with("add `tls_starttls off`"), "{fix}");
    apply(&wrong, fix, 6);
    let out = msmtp(&wrong);
    assert!(
        out.status.success(),
        "the fix applied, msmtp works: {}",
        said(&out)
    );
    assert_eq!(
        errors(&maildoctor(wrong.to_str().unwrap(), &[])),
        Vec::<String>::new()
    );

    // `user` without `auth`: msmtp never logs in, and the lab refuses it.
    let no_auth = s.write("no-auth", &account("port 587\ntls on\n"));
    let out = msmtp(&no_auth);
    assert!(!out.status.success(), "{}", said(&out));
    let report = maildoctor(no_auth.to_str().unwrap(), &[]);
    let off = finding(&report, "client-auth-off");
    apply(&no_auth, off["client_fix"].as_str().unwrap(), 6);
    let out = msmtp(&no_auth);
    assert!(out.status.success(), "{}", said(&out));
}

fn git_send_email(config: &Path, home: &Path) -> Output {
    let mail = home.join("0001-lab.patch");
    std::fs::write(&mail, message()).unwrap();
    client(
        "git",
        &[
            "send-email",
            "--confirm=never",
            "--quiet",
            "--suppress-cc=all",
            "--no-validate",
            &format!("--to={USER}"),
            mail.to_str().unwrap(),
        ],
        "",
        &[
            ("GIT_CONFIG_GLOBAL", config),
            ("GIT_CONFIG_NOSYSTEM", Path::new("1")),
            ("HOME", home),
        ],
    )
}

#[test]
#[ignore = "needs the lab and its clients (tests/lab/start.sh)"]
fn git_send_email_means_tls_as_starttls_and_maildoctor_says_so() {
    let s = Scratch::new();
    let ca = lab::ca_file();
    let addr = lab::addr();
    let config = |encryption: &str| {
        format!(
            "[user]\n\tname = Alice\n\temail = {USER}\n[sendemail]\n\tsmtpServer = {addr}\n\tsmtpServerPort = 465\n\tsmtpEncryption = {encryption}\n\tsmtpUser = {USER}\n\tsmtpPass = {PASSWORD}\n\tsmtpSSLCertPath = {ca}\n"
        )
    };
    let good = s.write("good.gitconfig", &config("ssl"));
    let out = git_send_email(&good, s.0.path());
    assert!(out.status.success(), "{}", said(&out));
    let report = maildoctor(good.to_str().unwrap(), &[]);
    assert_eq!(errors(&report), Vec::<String>::new(), "{report:#}");
    finding(&report, "login-ok");

    // `tls` is STARTTLS to git: on 465 it waits for a greeting the server never sends.
    let wrong = s.write("wrong.gitconfig", &config("tls"));
    let out = git_send_email(&wrong, s.0.path());
    assert!(!out.status.success(), "{}", said(&out));
    let report = maildoctor(wrong.to_str().unwrap(), &[]);
    let fix = finding(&report, "port-security-mismatch")["client_fix"]
        .as_str()
        .unwrap();
    assert!(
        fix.ends_with("line 7: `smtpEncryption = tls` → `smtpEncryption = ssl`"),
        "{fix}"
    );
    apply(&wrong, fix, 0);
    let out = git_send_email(&wrong, s.0.path());
    assert!(out.status.success(), "{}", said(&out));
}

#[test]
#[ignore = "needs the lab and its clients (tests/lab/start.sh)"]
fn mutt_sends_as_maildoctor_reads_its_smtp_url() {
    let s = Scratch::new();
    let ca = lab::ca_file();
    let addr = lab::addr();
    let user = USER.replace('@', "%40");
    let muttrc = |url: &str| {
        format!(
            "set from = \"{USER}\"\nset smtp_url = \"{url}\"\nset smtp_pass = \"{PASSWORD}\"\nset ssl_ca_certificates_file = \"{ca}\"\nset connect_timeout = 5\nset record = \"\"\n"
        )
    };
    let mutt = |rc: &Path| {
        client(
            "mutt",
            &[
                "-n",
                "-F",
                rc.to_str().unwrap(),
                "-s",
                "maildoctor lab",
                USER,
            ],
            "hello\n",
            &[("HOME", s.0.path())],
        )
    };
    let good = s.write(
        "good.muttrc",
        &muttrc(&format!("smtps://{user}@{addr}:465/")),
    );
    let out = mutt(&good);
    assert!(out.status.success(), "{}", said(&out));
    let report = maildoctor(good.to_str().unwrap(), &[]);
    assert_eq!(errors(&report), Vec::<String>::new(), "{report:#}");
    finding(&report, "client-password-stored");

    // smtps:// on the STARTTLS port: a TLS handshake against a plaintext greeting.
    let wrong = s.write(
        "wrong.muttrc",
        &muttrc(&format!("smtps://{user}@{addr}:587/")),
    );
    let out = mutt(&wrong);
    assert!(!out.status.success(), "{}", said(&out));
    let report = maildoctor(wrong.to_str().unwrap(), &[]);
    let fix = finding(&report, "port-security-mismatch")["client_fix"]
        .as_str()
        .unwrap();
    assert!(fix.contains("smtp://"), "{fix}");
    apply(&wrong, fix, 0);
    let out = mutt(&wrong);
    assert!(
        out.status.success(),
        "the fix applied, mutt sends: {}",
        said(&out)
    );
}

#[test]
#[ignore = "needs the lab and its clients (tests/lab/start.sh)"]
fn mbsync_and_maildoctor_agree_on_its_tls_type_and_its_version() {
    let s = Scratch::new();
    let addr = lab::addr();
    // mbsync 1.4 matches certificates against names only: the lab's own certificate in
    // CertificateFile is trusted as is (see client-ip-certificate).
    let server_cert = format!("{}/server.pem", lab::dir());
    let maildir = s.path("mail");
    std::fs::create_dir_all(&maildir).unwrap();
    let rc = |tls: &str| {
        format!(
            "IMAPAccount lab\nHost {addr}\nPort 993\n{tls}User {USER}\nPass {PASSWORD}\nCertificateFile {server_cert}\nTimeout 5\n\n\
             IMAPStore lab-remote\nAccount lab\n\n\
             MaildirStore lab-local\nPath {m}/\nInbox {m}/INBOX\n\n\
             Channel lab\nFar :lab-remote:\nNear :lab-local:\nPatterns INBOX\nCreate Near\nSyncState *\n",
            m = maildir.display()
        )
    };
    let mbsync = |file: &Path| client("mbsync", &["-c", file.to_str().unwrap(), "lab"], "", &[]);
    let good = s.write("good.mbsyncrc", &rc("SSLType IMAPS\n"));
    let out = mbsync(&good);
    assert!(out.status.success(), "{}", said(&out));
    let report = maildoctor_with(good.to_str().unwrap(), &[], true);
    assert_eq!(errors(&report), Vec::<String>::new(), "{report:#}");
    finding(&report, "login-ok");

    // No SSLType: mbsync's default is STARTTLS, and 993 speaks TLS at once.
    let wrong = s.write("wrong.mbsyncrc", &rc(""));
    let out = mbsync(&wrong);
    assert!(!out.status.success(), "{}", said(&out));
    let report = maildoctor_with(wrong.to_str().unwrap(), &[], true);
    let fix = finding(&report, "port-security-mismatch")["client_fix"]
        .as_str()
        .unwrap();
    assert!(fix.ends_with("add `SSLType IMAPS`"), "{fix}");
    apply(&wrong, fix, 3);
    let out = mbsync(&wrong);
    assert!(out.status.success(), "{}", said(&out));

    // isync 1.5's TLSType: this isync (1.4, Debian 12) stops at it, and maildoctor says why.
    let version = Command::new("mbsync").arg("--version").output().unwrap();
    if String::from_utf8_lossy(&version.stdout).contains("isync 1.4") {
        let newer = s.write("newer.mbsyncrc", &rc("TLSType IMAPS\n"));
        let out = mbsync(&newer);
        assert!(!out.status.success(), "{}", said(&out));
        assert!(String::from_utf8_lossy(&out.stderr).contains("TLSType"));
        let report = maildoctor_with(newer.to_str().unwrap(), &[], true);
        assert!(
            finding(&report, "client-option-version")["explanation"]
                .as_str()
                .unwrap()
                .contains("isync 1.4"),
            "{report:#}"
        );
    }
    let _ = Duration::ZERO;
}

#[test]
#[ignore = "needs the lab and its clients (tests/lab/start.sh)"]
fn fetchmail_and_maildoctor_agree_on_ssl_and_service() {
    let s = Scratch::new();
    let ca = lab::ca_file();
    let addr = lab::addr();
    // fetchmail checks the certificate against a name: sslcommonname gives the lab's.
    let rc = |server: &str, user: &str| {
        format!(
            "set no syslog\npoll {addr} proto imap{server} timeout 5\n  user \"{USER}\" password \"{PASSWORD}\"{user} sslcertfile {ca} sslcertck sslcommonname mail.lab.test\n"
        )
    };
    // `--check` asks whether mail is waiting: 0 (some) or 1 (none) mean it got in.
    let fetchmail = |file: &Path| {
        let out = client(
            "fetchmail",
            &["-f", file.to_str().unwrap(), "--check", "--nosyslog"],
            "",
            &[("HOME", s.0.path())],
        );
        let ok = matches!(out.status.code(), Some(0 | 1));
        (ok, out)
    };
    let good = s.write("good.fetchmailrc", &rc(" service 993", " ssl"));
    let (ok, out) = fetchmail(&good);
    assert!(ok, "{}", said(&out));
    let report = maildoctor(good.to_str().unwrap(), &[]);
    assert_eq!(errors(&report), Vec::<String>::new(), "{report:#}");
    finding(&report, "login-ok");

    // `service 993` without `ssl`: fetchmail does not switch to TLS by itself.
    let wrong = s.write("wrong.fetchmailrc", &rc(" service 993", ""));
    let (ok, out) = fetchmail(&wrong);
    assert!(!ok, "{}", said(&out));
    let report = maildoctor(wrong.to_str().unwrap(), &[]);
    let fix = finding(&report, "port-security-mismatch")["client_fix"]
        .as_str()
        .unwrap();
    assert!(fix.ends_with("add `ssl`"), "{fix}");
    // fetchmail's options are words on the user's line: add it there.
    let text = std::fs::read_to_string(&wrong)
        .unwrap()
        .replace(" sslcertck", " ssl sslcertck");
    std::fs::write(&wrong, text).unwrap();
    let (ok, out) = fetchmail(&wrong);
    assert!(ok, "the fix applied, fetchmail gets in: {}", said(&out));
}

#[test]
#[ignore = "needs the lab and its clients (tests/lab/start.sh)"]
fn offlineimap_and_maildoctor_agree_that_ssl_is_on_unless_said() {
    let s = Scratch::new();
    let addr = lab::addr();
    // OfflineIMAP checks the certificate against a name; pinning it is the other way in.
    let pem = std::fs::read_to_string(format!("{}/server.pem", lab::dir())).unwrap();
    let der = openssl_fingerprint(&pem);
    let rc = |extra: &str| {
        format!(
            "[general]\naccounts = lab\nmetadata = {d}/meta\nsocktimeout = 5\n\n\
             [Account lab]\nlocalrepository = local\nremoterepository = remote\n\n\
             [Repository local]\ntype = Maildir\nlocalfolders = {d}/mail\n\n\
             [Repository remote]\ntype = IMAP\nremotehost = {addr}\nremoteport = 993\n{extra}cert_fingerprint = {der}\nremoteuser = {USER}\nremotepass = {PASSWORD}\n",
            d = s.0.path().display()
        )
    };
    std::fs::create_dir_all(s.path("mail")).unwrap();
    let offlineimap = |file: &Path| {
        client(
            "offlineimap",
            &["-c", file.to_str().unwrap(), "-o", "-u", "quiet"],
            "",
            &[("HOME", s.0.path())],
        )
    };
    // No `ssl` line: OfflineIMAP's default is on.
    let good = s.write("good.offlineimaprc", &rc(""));
    let out = offlineimap(&good);
    assert!(out.status.success(), "{}", said(&out));
    let report = maildoctor_with(good.to_str().unwrap(), &[], true);
    assert_eq!(errors(&report), Vec::<String>::new(), "{report:#}");
    finding(&report, "login-ok");

    let wrong = s.write("wrong.offlineimaprc", &rc("ssl = no\n"));
    let out = offlineimap(&wrong);
    assert!(!out.status.success(), "{}", said(&out));
    let report = maildoctor_with(wrong.to_str().unwrap(), &[], true);
    let fix = finding(&report, "port-security-mismatch")["client_fix"]
        .as_str()
        .unwrap();
    assert!(fix.ends_with("`ssl = no` → `ssl = yes`"), "{fix}");
    apply(&wrong, fix, 0);
    let out = offlineimap(&wrong);
    assert!(out.status.success(), "{}", said(&out));
}

/// The certificate's SHA-512 fingerprint as OfflineIMAP's cert_fingerprint wants it.
fn openssl_fingerprint(pem: &str) -> String {
    use std::io::Write as _;
    let mut child = Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha512"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(pem.as_bytes())
        .unwrap();
    let out = String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap();
    out.trim()
        .rsplit('=')
        .next()
        .unwrap()
        .replace(':', "")
        .to_ascii_lowercase()
}

#[test]
#[ignore = "needs the lab, which unpacks ssmtp beside Postfix (tests/lab/start.sh)"]
fn ssmtp_takes_only_yes_and_maildoctor_says_so() {
    let s = Scratch::new();
    let ca = lab::ca_file();
    let addr = lab::addr();
    let ssmtp = format!("{}/clients/ssmtp/usr/sbin/ssmtp", lab::dir());
    let conf = |tls: &str| {
        format!(
            "mailhub={addr}:465\n{tls}\nAuthUser={USER}\nAuthPass={PASSWORD}\nTLS_CA_File={ca}\nFromLineOverride=YES\n"
        )
    };
    let send = |file: &Path| {
        client(
            &ssmtp,
            &["-C", file.to_str().unwrap(), USER],
            &message(),
            &[],
        )
    };
    let good = s.write("good-ssmtp.conf", &conf("UseTLS=YES"));
    let out = send(&good);
    assert!(out.status.success(), "{}", said(&out));
    let report = maildoctor(good.to_str().unwrap(), &["--import-format", "ssmtp"]);
    assert_eq!(errors(&report), Vec::<String>::new(), "{report:#}");
    finding(&report, "login-ok");

    // `UseTLS=true` is no to ssmtp: plaintext on 465, waiting for a greeting.
    let wrong = s.write("wrong-ssmtp.conf", &conf("UseTLS=true"));
    let out = send(&wrong);
    assert!(!out.status.success(), "{}", said(&out));
    let report = maildoctor(wrong.to_str().unwrap(), &["--import-format", "ssmtp"]);
    finding(&report, "client-value-ignored");
    let fix = finding(&report, "port-security-mismatch")["client_fix"]
        .as_str()
        .unwrap();
    assert!(
        fix.ends_with("line 2: `UseTLS=true` → `UseTLS=YES`"),
        "{fix}"
    );
    apply(&wrong, fix, 0);
    let out = send(&wrong);
    assert!(out.status.success(), "{}", said(&out));
}

/// A second Postfix, the relay client, in the lab's directory: its own config, queue and log,
/// no listener of its own; stopped when the test ends, however it ends (and by stop.sh).
struct Relay {
    dir: PathBuf,
    log: PathBuf,
}

impl Relay {
    fn new() -> Relay {
        let lab = PathBuf::from(lab::dir());
        let dir = lab.join("relay");
        std::fs::create_dir_all(&dir).unwrap();
        // The lab's own services, without the ones that listen.
        let master = std::fs::read_to_string(lab.join("postfix/master.cf")).unwrap();
        let mut kept = Vec::new();
        let mut skipping = false;
        for line in master.lines() {
            if line.starts_with(' ') {
                if !skipping {
                    kept.push(line);
                }
                continue;
            }
            skipping = line.contains(" inet ");
            if !skipping {
                kept.push(line);
            }
        }
        std::fs::write(dir.join("master.cf"), kept.join("\n") + "\n").unwrap();
        Relay {
            log: lab.join("relay.log"),
            dir,
        }
    }

    fn main_cf(&self) -> PathBuf {
        self.dir.join("main.cf")
    }

    /// main.cf: the lab's basics, then the relay settings under test.
    fn configure(&self, relay: &str) {
        let lab = lab::dir();
        std::fs::write(
            self.dir.join("sasl_passwd"),
            format!(
                "[{}]:587 {USER}:{PASSWORD}\n[{}]:465 {USER}:{PASSWORD}\n",
                lab::addr(),
                lab::addr()
            ),
        )
        .unwrap();
        std::fs::write(
            self.main_cf(),
            format!(
                "compatibility_level = 3.6\nqueue_directory = {lab}/relay-queue\ndata_directory = {lab}/relay-data\nmail_owner = postfix\nsetgid_group = postdrop\nmaillog_file = {log}\nmaillog_file_prefixes = {lab}\nmyhostname = relay.lab.test\nmydestination =\ninet_interfaces = loopback-only\ninet_protocols = ipv4\nalias_maps =\nalias_database =\n\
                 smtp_connect_timeout = 5s\nsmtp_helo_timeout = 5s\nsmtp_tls_CAfile = {ca}\nsmtp_sasl_auth_enable = yes\nsmtp_sasl_password_maps = texthash:{dir}/sasl_passwd\nsmtp_sasl_security_options = noanonymous\n{relay}",
                log = self.log.display(),
                ca = lab::ca_file(),
                dir = self.dir.display()
            ),
        )
        .unwrap();
    }

    /// Postfix prints its errors only to a terminal: a pseudo-terminal gets them said.
    fn postfix(&self, command: &str) -> Output {
        Command::new("script")
            .args([
                "-qec",
                &format!("postfix -c {} {command}", self.dir.display()),
                "/dev/null",
            ])
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    }

    /// Starts the instance, hands it one message, and waits for what became of it.
    fn send(&self) -> String {
        let _ = std::fs::remove_file(&self.log);
        let lab = PathBuf::from(lab::dir());
        std::fs::create_dir_all(lab.join("relay-queue")).unwrap();
        // `check` makes the queue's directories and sets their owners.
        let out = self.postfix("check");
        assert!(out.status.success(), "{}", said(&out));
        let out = self.postfix("start");
        assert!(out.status.success(), "{}", said(&out));
        let out = client(
            "/usr/sbin/sendmail",
            &["-C", self.dir.to_str().unwrap(), "-f", USER, USER],
            &message(),
            &[],
        );
        assert!(out.status.success(), "{}", said(&out));
        let started = std::time::Instant::now();
        let verdict = loop {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            if let Some(line) = log.lines().find(|l| l.contains(" status=")) {
                break line.to_owned();
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "nothing in the log:\n{log}"
            );
            std::thread::sleep(Duration::from_millis(200));
        };
        let _ = self.postfix("stop");
        let _ = Command::new("postsuper")
            .args(["-c", self.dir.to_str().unwrap(), "-d", "ALL"])
            .output();
        verdict
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.postfix("stop");
    }
}

#[test]
#[ignore = "needs root and the lab (tests/lab/start.sh); starts a second Postfix, the relay client"]
fn postfix_as_a_relay_client_and_maildoctor_agree() {
    let relay = Relay::new();
    let addr = lab::addr();
    relay.configure(&format!(
        "relayhost = [{addr}]:587\nsmtp_tls_security_level = encrypt\n"
    ));
    let verdict = relay.send();
    assert!(verdict.contains("status=sent"), "{verdict}");
    let cf = relay.main_cf();
    // The user name is in the password map's values, which maildoctor never reads.
    let report = maildoctor(cf.to_str().unwrap(), &["--user", USER]);
    assert_eq!(errors(&report), Vec::<String>::new(), "{report:#}");
    finding(&report, "login-ok");

    // 465 without the wrapper mode: Postfix waits for a greeting that never comes.
    relay.configure(&format!(
        "relayhost = [{addr}]:465\nsmtp_tls_security_level = encrypt\n"
    ));
    let verdict = relay.send();
    assert!(verdict.contains("status=deferred"), "{verdict}");
    let report = maildoctor(cf.to_str().unwrap(), &["--user", USER]);
    let fix = finding(&report, "port-security-mismatch")["client_fix"]
        .as_str()
        .unwrap();
    assert!(fix.ends_with("add `smtp_tls_wrappermode = yes`"), "{fix}");
    let mut text = std::fs::read_to_string(&cf).unwrap();
    text.push_str("smtp_tls_wrappermode = yes\n");
    std::fs::write(&cf, text).unwrap();
    let verdict = relay.send();
    assert!(
        verdict.contains("status=sent"),
        "the fix applied, Postfix relays: {verdict}"
    );

    // The password map keyed without the brackets relayhost has: Postfix sends no login.
    relay.configure(&format!(
        "relayhost = [{addr}]:587\nsmtp_tls_security_level = encrypt\n"
    ));
    std::fs::write(
        relay.dir.join("sasl_passwd"),
        format!("{addr}:587 {USER}:{PASSWORD}\n"),
    )
    .unwrap();
    let verdict = relay.send();
    assert!(!verdict.contains("status=sent"), "{verdict}");
    let report = maildoctor(cf.to_str().unwrap(), &["--user", USER]);
    finding(&report, "sasl-passwd-key-mismatch");
}
