//! The terminal is given back on every way out: a signal to the dashboard (TERM, HUP, INT,
//! QUIT) and Ctrl-C at the password prompt leave it in cooked mode with echo, on the normal
//! screen, and the process exits with 128 + the signal's number. tmux runs each case; `stty`
//! in the same pane says what state the terminal was left in. Loopback only: the servers
//! named are closed ports on 127.0.0.1.

mod common;

use std::path::Path;
use std::time::Duration;

use common::tmux::{Scratch, Tmux};

/// The pid of the maildoctor process whose command line holds `marker` (not the shell that
/// started it, whose command line holds it too).
fn pid_with(marker: &str) -> Option<u32> {
    let bin = env!("CARGO_BIN_EXE_maildoctor");
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            (cmdline.starts_with(bin) && cmdline.contains(marker)).then_some(pid)
        })
}

/// The terminal modes `stty -a` reported, as words.
fn modes(stty: &Path) -> Vec<String> {
    std::fs::read_to_string(stty)
        .unwrap_or_default()
        .split([' ', ';', '\n'])
        .map(str::to_owned)
        .collect()
}

/// Runs `args` in tmux, then the exit code and `stty -a` into files.
fn start(name: &'static str, scratch: &Scratch, args: &str) -> Tmux {
    let bin = env!("CARGO_BIN_EXE_maildoctor");
    let command = format!(
        "TERM=xterm-256color {bin} {args}; echo \"exit=$?\"; stty -a > {}; sleep 60",
        scratch.0.join("stty").display()
    );
    Tmux::start(name, 100, 30, &command)
}

#[test]
#[ignore = "needs tmux"]
fn a_signal_to_the_dashboard_gives_the_terminal_back() {
    for (signal, number) in [("TERM", 15), ("HUP", 1), ("INT", 2), ("QUIT", 3)] {
        let scratch = Scratch::new(&format!("signal-{signal}"));
        // An empty profiles directory with a unique name marks the process to signal.
        let marker = scratch.0.join("profiles");
        std::fs::create_dir_all(&marker).unwrap();
        let tmux = start(
            "signal",
            &scratch,
            &format!(
                "--profiles-dir {} alice@example.org --smtp 127.0.0.1:9/tls --only smtp",
                marker.display()
            ),
        );
        let drawn = tmux.wait_for("done in", Duration::from_secs(10));
        assert!(drawn.contains("Outgoing"), "the dashboard is up:\n{drawn}");
        let pid = pid_with(marker.to_str().unwrap()).expect("the dashboard's process");
        let killed = std::process::Command::new("kill")
            .args(["-s", signal, &pid.to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let after = tmux.wait_for("exit=", Duration::from_secs(5));
        assert!(
            after.contains(&format!("exit={}", 128 + number)),
            "SIG{signal}: 128 + {number}:\n{after}"
        );
        assert!(
            !after.contains("Outgoing"),
            "SIG{signal}: back on the normal screen:\n{after}"
        );
        let stty = tmux.wait_until(|_| scratch.0.join("stty").exists(), Duration::from_secs(5));
        let modes = modes(&scratch.0.join("stty"));
        assert!(
            modes.iter().any(|m| m == "echo") && modes.iter().any(|m| m == "icanon"),
            "SIG{signal}: cooked mode with echo again: {modes:?}\n{stty}"
        );
    }
}

#[test]
#[ignore = "needs tmux"]
fn ctrl_c_at_the_password_prompt_gives_the_terminal_back() {
    let scratch = Scratch::new("prompt");
    let tmux = start(
        "prompt",
        &scratch,
        "check alice@example.org --smtp 127.0.0.1:9/tls --only smtp --login",
    );
    let prompt = tmux.wait_for("Password for alice@example.org", Duration::from_secs(10));
    assert!(prompt.contains("Password for"), "{prompt}");
    tmux.typed("half-typed");
    tmux.keys(&["C-c"]);
    let after = tmux.wait_for("exit=", Duration::from_secs(5));
    assert!(after.contains("exit=130"), "{after}");
    assert!(
        !after.contains("half-typed"),
        "nothing typed was echoed:\n{after}"
    );
    tmux.wait_until(|_| scratch.0.join("stty").exists(), Duration::from_secs(5));
    let modes = modes(&scratch.0.join("stty"));
    assert!(
        modes.iter().any(|m| m == "echo") && modes.iter().any(|m| m == "icanon"),
        "cooked mode with echo again: {modes:?}"
    );
}
