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

/// Whether `stty -a` has written its report: the shell creates the file before stty writes.
fn stty_written(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|text| text.contains("speed") || text.contains(';'))
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
        let cursor = tmux.run(&["display-message", "-p", "-t", "signal", "#{cursor_flag}"]);
        assert_eq!(cursor.trim(), "1", "SIG{signal}: the cursor is shown again");
        let stty = tmux.wait_until(
            |_| stty_written(&scratch.0.join("stty")),
            Duration::from_secs(5),
        );
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
    tmux.wait_until(
        |_| stty_written(&scratch.0.join("stty")),
        Duration::from_secs(5),
    );
    let modes = modes(&scratch.0.join("stty"));
    assert!(
        modes.iter().any(|m| m == "echo") && modes.iter().any(|m| m == "icanon"),
        "cooked mode with echo again: {modes:?}"
    );
}

/// The CPU time a process has used so far, in clock ticks (user + system).
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces; the fields after its ')' are plain.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

/// Whether `pid` is gone (or a zombie nobody has reaped yet: it runs no more).
fn ended(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).map_or(true, |stat| {
        stat.rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'))
    })
}

#[test]
#[ignore = "needs tmux"]
fn the_dashboard_ends_with_its_terminal_in_every_screen() {
    // A server that takes the connection and never says a word: the probing screen.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent = silent.local_addr().unwrap();
    let dns = common::dns::serve_zone(Vec::new());
    let bin = env!("CARGO_BIN_EXE_maildoctor");
    let done = "done in";
    // (screen, arguments, keys that open it, what shows it is open)
    let screens: [(&str, String, &[&str], &str); 6] = [
        ("idle", "--smtp 127.0.0.1:9/tls".into(), &[], done),
        (
            "probing",
            format!("--smtp {silent}/tls --timeout 60"),
            &[],
            "Outgoing",
        ),
        (
            "help",
            "--smtp 127.0.0.1:9/tls".into(),
            &["?"],
            "Help: every key",
        ),
        ("editor", "--smtp 127.0.0.1:9/tls".into(), &["e"], "Editing"),
        (
            "password",
            "--smtp 127.0.0.1:9/tls".into(),
            &["l"],
            "Password for",
        ),
        (
            "discovery",
            format!("--smtp 127.0.0.1:9/tls --dns-server {dns} --no-ispdb"),
            &["d"],
            "Discovery for",
        ),
    ];
    for (screen, args, keys, shown) in screens {
        let scratch = Scratch::new(&format!("hangup-{screen}"));
        let marker = scratch.0.join("profiles");
        std::fs::create_dir_all(&marker).unwrap();
        // Under a shell (`; true` keeps sh from handing its place to maildoctor), in a session
        // of its own: when sshd loses a connection it closes the terminal and no signal reaches
        // a program that a non-interactive shell started (tmux, unlike sshd, would signal the
        // pane's process group).
        let command = format!(
            "sh -c 'TERM=xterm-256color setsid {bin} --profiles-dir {} alice@example.test {args} --only smtp; true'",
            marker.display()
        );
        let tmux = Tmux::start("hangup", 100, 30, &command);
        if screen != "probing" {
            tmux.wait_for(done, Duration::from_secs(15));
        }
        // Discovery beside the servers may still be asking when the pane is done: its view
        // opens once it has answered, so the key is pressed until it shows.
        tmux.keys(keys);
        let started = std::time::Instant::now();
        let mut before = tmux.wait_for(shown, Duration::from_secs(2));
        while screen == "discovery"
            && !before.contains(shown)
            && started.elapsed() < Duration::from_secs(10)
        {
            tmux.keys(keys);
            before = tmux.wait_for(shown, Duration::from_secs(1));
        }
        assert!(
            before.contains(shown),
            "{screen}: {shown:?} on screen:\n{before}"
        );
        let pid = pid_with(marker.to_str().unwrap()).expect("the dashboard's process");
        let used = cpu_ticks(pid).unwrap();
        // The terminal goes away, as when an SSH connection drops.
        drop(tmux);
        let started = std::time::Instant::now();
        while !ended(pid) && started.elapsed() < Duration::from_secs(3) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let spun = cpu_ticks(pid).map(|now| now - used);
        if !ended(pid) {
            let _ = std::process::Command::new("kill")
                .args(["-9", &pid.to_string()])
                .status();
        }
        assert!(
            ended(pid),
            "{screen}: still running 3 s after its terminal went away, {spun:?} ticks of CPU since"
        );
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{screen}: ended after {:?}",
            started.elapsed()
        );
    }
}

#[test]
#[ignore = "needs tmux"]
fn the_prompt_shows_with_stderr_in_a_log_and_ctrl_d_gives_no_password() {
    let scratch = Scratch::new("prompt-log");
    let log = scratch.0.join("log");
    let tmux = start(
        "prompt-log",
        &scratch,
        &format!(
            "check alice@example.org --smtp 127.0.0.1:9/tls --only smtp --login 2> {}",
            log.display()
        ),
    );
    // Written to the terminal itself, as ssh and sudo do: the log does not swallow it.
    let prompt = tmux.wait_for("Password for alice@example.org", Duration::from_secs(10));
    assert!(prompt.contains("Password for"), "{prompt}");
    tmux.keys(&["C-d"]);
    let after = tmux.wait_for("exit=", Duration::from_secs(5));
    assert!(
        after.contains("exit=3"),
        "Ctrl-D: no password given, exit 3:\n{after}"
    );
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("no password given"), "{logged}");
    assert!(
        !logged.contains("Password for"),
        "the prompt is not in the log: {logged}"
    );
}
