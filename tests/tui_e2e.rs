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

/// Waits until the screen contains `text`, up to `limit`.
fn wait_for(text: &str, limit: Duration) -> String {
    let started = Instant::now();
    loop {
        let now = screen();
        if now.contains(text) || started.elapsed() > limit {
            return now;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
#[ignore = "needs tmux and the Postfix/Dovecot lab (tests/lab/start.sh)"]
fn the_dashboard_shows_the_three_endpoints_and_quits_cleanly() {
    let bin = env!("CARGO_BIN_EXE_maildoctor");
    let lab =
        std::env::var("MAILDOCTOR_LAB_DIR").unwrap_or_else(|_| "/tmp/maildoctor-lab".to_owned());
    let status_file = std::env::temp_dir().join(format!("maildoctor-e2e-{}", std::process::id()));
    let command = format!(
        "TERM=xterm-256color {bin} alice@lab.test --smtp 127.0.0.2:465/starttls --imap 127.0.0.2:993/tls --pop3 127.0.0.2:995/tls --ca-file {lab}/ca.pem; echo $? > {}",
        status_file.display()
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

    let shown = wait_for("done in", Duration::from_secs(20));
    for text in [
        "Outgoing — SMTP",
        "Incoming — IMAP",
        "Incoming — POP3",
        "127.0.0.2:465 STARTTLS",
        "port-security-mismatch",
        "127.0.0.2:587 STARTTLS works from here",
    ] {
        assert!(shown.contains(text), "missing {text:?} on screen:\n{shown}");
    }

    // The transcript of the focused pane (Tab moves to IMAP), then back.
    tmux(&["send-keys", "-t", SESSION, "Tab"]);
    tmux(&["send-keys", "-t", SESSION, "t"]);
    let transcript = wait_for("Transcript — IMAP", Duration::from_secs(5));
    assert!(transcript.contains("C: a1 CAPABILITY"), "{transcript}");
    tmux(&["send-keys", "-t", SESSION, "Escape"]);

    tmux(&["send-keys", "-t", SESSION, "q"]);
    let started = Instant::now();
    while !status_file.exists() && started.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(100));
    }
    let code = std::fs::read_to_string(&status_file).unwrap_or_default();
    let _ = std::fs::remove_file(&status_file);
    let _ = tmux(&["kill-session", "-t", SESSION]);
    assert_eq!(
        code.trim(),
        "0",
        "q should end the dashboard with exit code 0"
    );
}
