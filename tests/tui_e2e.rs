//! The dashboard in a real terminal: tmux runs the binary against the lab, the screen is read
//! with capture-pane, keys are sent, and `q` must end the process with exit code 0.

use std::process::Command;
use std::time::{Duration, Instant};

const SESSION: &str = "maildoctor-e2e";

fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux")
        .args(args)
        .output()
        .expect("tmux is installed (apt-get install tmux)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn screen() -> String {
    tmux(&["capture-pane", "-p", "-t", SESSION])
}

/// Waits until the screen satisfies `ok`, up to `limit`; returns the last screen.
fn wait_until(ok: impl Fn(&str) -> bool, limit: Duration) -> String {
    let started = Instant::now();
    loop {
        let now = screen();
        if ok(&now) || started.elapsed() > limit {
            return now;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Waits until the screen contains `text`, up to `limit`.
fn wait_for(text: &str, limit: Duration) -> String {
    wait_until(|s| s.contains(text), limit)
}

fn keys(keys: &[&str]) {
    for key in keys {
        tmux(&["send-keys", "-t", SESSION, key]);
    }
}

fn typed(text: &str) {
    tmux(&["send-keys", "-t", SESSION, "-l", text]);
}

#[test]
#[ignore = "needs tmux and the Postfix/Dovecot lab (tests/lab/start.sh)"]
fn the_dashboard_shows_the_three_endpoints_fixes_them_with_keys_and_quits_cleanly() {
    let bin = env!("CARGO_BIN_EXE_maildoctor");
    let lab =
        std::env::var("MAILDOCTOR_LAB_DIR").unwrap_or_else(|_| "/tmp/maildoctor-lab".to_owned());
    let dir = std::env::temp_dir().join(format!("maildoctor-e2e-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let status_file = dir.join("status");
    let command = format!(
        "cd {dir} && TERM=xterm-256color {bin} alice@lab.test --smtp 127.0.0.2:465/starttls --imap 127.0.0.2:993/tls --pop3 127.0.0.2:995/tls --ca-file {lab}/ca.pem; echo $? > {status}",
        dir = dir.display(),
        status = status_file.display()
    );
    let _ = tmux(&["kill-session", "-t", SESSION]);
    tmux(&[
        "new-session",
        "-d",
        "-s",
        SESSION,
        "-x",
        "120",
        "-y",
        "40",
        &command,
    ]);
    let settled = |s: &str| s.contains("done in");

    let shown = wait_for("done in", Duration::from_secs(20));
    for text in [
        "Outgoing — SMTP",
        "Incoming — IMAP",
        "Incoming — POP3",
        "127.0.0.2:465 STARTTLS",
        "port-security-mismatch",
        "127.0.0.2:587 STARTTLS works from here",
        "Press a to use 127.0.0.2:587 STARTTLS",
    ] {
        assert!(shown.contains(text), "missing {text:?} on screen:\n{shown}");
    }

    // The transcript of the focused pane (Tab moves to IMAP), then back.
    keys(&["Tab", "t"]);
    let transcript = wait_for("Transcript — IMAP", Duration::from_secs(5));
    assert!(transcript.contains("C: a1 CAPABILITY"), "{transcript}");
    keys(&["Escape"]);

    // `a` applies the suggested endpoint: only SMTP is probed again, and the mismatch is gone.
    keys(&["a"]);
    let applied = wait_until(
        |s| s.contains("127.0.0.2:587 STARTTLS") && settled(s) && !s.contains("port-security"),
        Duration::from_secs(20),
    );
    assert!(
        applied.contains("│127.0.0.2:587 STARTTLS") && !applied.contains("port-security-mismatch"),
        "the SMTP pane uses 587 and the mismatch is gone:\n{applied}"
    );

    // `e` edits IMAP in place: port 143 brings STARTTLS; Enter probes that pane.
    keys(&["Tab", "e", "Tab", "C-u"]);
    typed("143");
    let editing = wait_for("143_", Duration::from_secs(5));
    assert!(editing.contains("‹ STARTTLS ›"), "{editing}");
    keys(&["Enter"]);
    let edited = wait_until(
        |s| s.contains("127.0.0.2:143 STARTTLS") && settled(s),
        Duration::from_secs(20),
    );
    assert!(edited.contains("127.0.0.2:143 STARTTLS"), "{edited}");
    assert!(
        edited.contains("127.0.0.2:587 STARTTLS"),
        "SMTP kept its result:\n{edited}"
    );
    keys(&["t"]);
    let transcript = wait_for("Transcript — IMAP", Duration::from_secs(5));
    assert!(transcript.contains("STARTTLS"), "{transcript}");
    keys(&["Escape"]);
    wait_until(|s| !s.contains("Transcript —"), Duration::from_secs(5));

    // `l` logs in with a password typed without echo; everything is checked again.
    keys(&["l"]);
    let prompt = wait_for("Password for alice@lab.test", Duration::from_secs(5));
    assert!(prompt.contains("Password for alice@lab.test"), "{prompt}");
    typed("lab-password");
    let prompt = screen();
    assert!(!prompt.contains("lab-password"), "no echo:\n{prompt}");
    keys(&["Enter"]);
    let logged_in = wait_until(
        |s| s.matches("Logged in to 127.0.0.2").count() == 3 && settled(s),
        Duration::from_secs(30),
    );
    assert_eq!(
        logged_in.matches("Logged in to 127.0.0.2").count(),
        3,
        "all three log in:\n{logged_in}"
    );

    // `x` exports the report, `s` saves the settings; neither holds the password.
    keys(&["x"]);
    let exported = wait_for("Report written", Duration::from_secs(5));
    assert!(exported.contains("Report written"), "{exported}");
    keys(&["s"]);
    wait_for("Save account file", Duration::from_secs(5));
    keys(&["Enter"]);
    let saved = wait_for("Saved ", Duration::from_secs(5));
    assert!(saved.contains("alice_lab.test.maildoctor.yaml"), "{saved}");
    let mut written: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(
        written.len(),
        3,
        "report .md, .json and the account file: {written:?}"
    );
    for name in &written {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        assert!(!text.contains("lab-password"), "{name} holds the password");
    }
    let account = std::fs::read_to_string(dir.join("alice_lab.test.maildoctor.yaml")).unwrap();
    assert!(
        account.contains("smtp: 127.0.0.2:587/starttls"),
        "{account}"
    );
    assert!(
        account.contains("imap: 127.0.0.2:143/starttls"),
        "{account}"
    );
    let md = written.iter().find(|n| n.ends_with(".md")).unwrap();
    let md = std::fs::read_to_string(dir.join(md)).unwrap();
    assert!(md.contains("# maildoctor report: alice@lab.test"), "{md}");
    assert!(md.contains("`login-ok`"), "{md}");

    // Resizing at any time redraws for the new size: tabs when narrow, panes when wide.
    tmux(&["resize-window", "-t", SESSION, "-x", "80", "-y", "24"]);
    let narrow = wait_for("│ IMAP ", Duration::from_secs(5));
    assert!(
        narrow.contains("│ POP3 ") && !narrow.contains("┐┌"),
        "tabs below 110 columns:\n{narrow}"
    );
    tmux(&["resize-window", "-t", SESSION, "-x", "20", "-y", "6"]);
    std::thread::sleep(Duration::from_millis(300));
    tmux(&["resize-window", "-t", SESSION, "-x", "120", "-y", "40"]);
    let wide = wait_for("Incoming — POP3", Duration::from_secs(5));
    assert!(wide.contains("Outgoing — SMTP"), "{wide}");

    keys(&["q"]);
    let started = Instant::now();
    while !status_file.exists() && started.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(100));
    }
    let code = std::fs::read_to_string(&status_file).unwrap_or_default();
    let _ = tmux(&["kill-session", "-t", SESSION]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        code.trim(),
        "0",
        "q should end the dashboard with exit code 0"
    );
}

#[test]
#[ignore = "needs tmux and the Postfix/Dovecot lab (tests/lab/start.sh)"]
fn the_dashboard_draws_under_the_terms_people_have_over_ssh() {
    let bin = env!("CARGO_BIN_EXE_maildoctor");
    let lab =
        std::env::var("MAILDOCTOR_LAB_DIR").unwrap_or_else(|_| "/tmp/maildoctor-lab".to_owned());
    let session = "maildoctor-e2e-term";
    let shot = || {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", session])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    for (term, extra) in [
        ("xterm", ""),
        ("screen", ""),
        ("tmux-256color", ""),
        ("linux", "--ascii"),
        ("xterm-256color", "NO_COLOR"),
    ] {
        let status = std::env::temp_dir().join(format!("maildoctor-term-{}", std::process::id()));
        let _ = std::fs::remove_file(&status);
        let (env, flag) = match extra {
            "NO_COLOR" => ("NO_COLOR=1 ", ""),
            flag => ("", flag),
        };
        let command = format!(
            "{env}TERM={term} {bin} alice@lab.test {flag} --smtp 127.0.0.2:587/starttls --imap 127.0.0.2:993/tls --ca-file {lab}/ca.pem; echo $? > {}",
            status.display()
        );
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", session])
            .output();
        Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                session,
                "-x",
                "80",
                "-y",
                "24",
                &command,
            ])
            .output()
            .unwrap();
        let started = Instant::now();
        let mut screen = shot();
        while !screen.contains("done in") && started.elapsed() < Duration::from_secs(15) {
            std::thread::sleep(Duration::from_millis(100));
            screen = shot();
        }
        assert!(
            screen.contains("SMTP") && screen.contains("done in"),
            "TERM={term} {extra}:\n{screen}"
        );
        if flag == "--ascii" {
            assert!(screen.is_ascii(), "--ascii draws ASCII only:\n{screen}");
        }
        Command::new("tmux")
            .args(["send-keys", "-t", session, "q"])
            .output()
            .unwrap();
        let started = Instant::now();
        while !status.exists() && started.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(100));
        }
        let code = std::fs::read_to_string(&status).unwrap_or_default();
        let _ = std::fs::remove_file(&status);
        assert_eq!(code.trim(), "0", "TERM={term} {extra}");
    }
    let _ = Command::new("tmux")
        .args(["kill-session", "-t", session])
        .output();
}
