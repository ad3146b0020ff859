//! The dashboard in a real terminal: tmux runs the binary against the lab, the screen is read
//! with capture-pane, keys are sent, and `q` must end the process with exit code 0. tmux runs
//! a server of the test's own, killed when the test ends, passed or failed.

// An end-to-end scenario reads best as one story.
#![allow(clippy::too_many_lines)]

mod common;

use std::time::{Duration, Instant};

use common::lab;
use common::tmux::{Scratch, Tmux};

#[test]
#[ignore = "needs tmux and the Postfix/Dovecot lab (tests/lab/start.sh)"]
fn the_dashboard_shows_the_three_endpoints_fixes_them_with_keys_and_quits_cleanly() {
    let bin = env!("CARGO_BIN_EXE_maildoctor");
    let lab = lab::addr();
    let scratch = Scratch::new("e2e");
    let dir = scratch.0.join("work");
    std::fs::create_dir_all(&dir).unwrap();
    let status_file = scratch.0.join("status");
    let command = format!(
        "cd {dir} && TERM=xterm-256color {bin} alice@lab.test --smtp {smtp} --imap {imap} --pop3 {pop3} --ca-file {ca}; echo $? > {status}",
        dir = dir.display(),
        smtp = lab::spec(465, "starttls"),
        imap = lab::spec(993, "tls"),
        pop3 = lab::spec(995, "tls"),
        ca = lab::ca_file(),
        status = status_file.display()
    );
    let tmux = Tmux::start("e2e", 120, 40, &command);
    let wait_for = |text: &str, limit| tmux.wait_for(text, limit);
    let wait_until = |ok: &dyn Fn(&str) -> bool, limit| tmux.wait_until(ok, limit);
    let keys = |k: &[&str]| tmux.keys(k);
    let typed = |t: &str| tmux.typed(t);
    let settled = |s: &str| s.contains("done in");

    let shown = wait_for("done in", Duration::from_secs(20));
    for text in [
        "Outgoing — SMTP",
        "Incoming — IMAP",
        "Incoming — POP3",
        &format!("{lab}:465 STARTTLS"),
        "port-security-mismatch",
        &format!("{lab}:587 STARTTLS works from here"),
        &format!("Press a to use {lab}:587 STARTTLS"),
    ] {
        assert!(shown.contains(text), "missing {text:?} on screen:\n{shown}");
    }

    // The transcript of the focused pane (Tab moves to IMAP), then back.
    keys(&["Tab", "t"]);
    let transcript = wait_for("Transcript — IMAP", Duration::from_secs(5));
    // Dovecot's greeting announces its capabilities: they are not asked for again.
    assert!(
        transcript.contains("S: * OK [CAPABILITY IMAP4rev1"),
        "{transcript}"
    );
    assert!(transcript.contains("C: a1 LOGOUT"), "{transcript}");
    assert!(!transcript.contains("C: a1 CAPABILITY"), "{transcript}");
    keys(&["Escape"]);

    // `a` applies the suggested endpoint: only SMTP is probed again, and the mismatch is gone.
    keys(&["a"]);
    let smtp_587 = format!("{lab}:587 STARTTLS");
    let applied = wait_until(
        &|s| s.contains(&smtp_587) && settled(s) && !s.contains("port-security"),
        Duration::from_secs(20),
    );
    assert!(
        applied.contains(&format!("│{smtp_587}")) && !applied.contains("port-security-mismatch"),
        "the SMTP pane uses 587 and the mismatch is gone:\n{applied}"
    );

    // `e` edits IMAP in place: port 143 brings STARTTLS; Enter probes that pane.
    keys(&["Tab", "e", "Tab", "C-u"]);
    typed("143");
    let editing = wait_for("143_", Duration::from_secs(5));
    assert!(editing.contains("‹ STARTTLS ›"), "{editing}");
    keys(&["Enter"]);
    let imap_143 = format!("{lab}:143 STARTTLS");
    let edited = wait_until(
        &|s| s.contains(&imap_143) && settled(s),
        Duration::from_secs(20),
    );
    assert!(edited.contains(&imap_143), "{edited}");
    assert!(
        edited.contains(&smtp_587),
        "SMTP kept its result:\n{edited}"
    );
    keys(&["t"]);
    let transcript = wait_for("Transcript — IMAP", Duration::from_secs(5));
    assert!(transcript.contains("STARTTLS"), "{transcript}");
    keys(&["Escape"]);
    wait_until(&|s| !s.contains("Transcript —"), Duration::from_secs(5));

    // `l` logs in with a password typed without echo; everything is checked again.
    keys(&["l"]);
    let prompt = wait_for("Password for alice@lab.test", Duration::from_secs(5));
    assert!(prompt.contains("Password for alice@lab.test"), "{prompt}");
    // The box says "(typed, not shown)" once it has handled a key: only a screen drawn after
    // the typing makes the absence of the password mean something. (The login below, which
    // needs every character, shows that all of them arrived.)
    typed("lab-password");
    let typed_screen = wait_for("(typed, not shown)", Duration::from_secs(5));
    assert!(
        typed_screen.contains("(typed, not shown)"),
        "the typing was handled:\n{typed_screen}"
    );
    assert!(
        !typed_screen.contains("lab-password"),
        "no echo:\n{typed_screen}"
    );
    keys(&["Enter"]);
    let logged = format!("Logged in to {lab}");
    let logged_in = wait_until(
        &|s| s.matches(&logged).count() == 3 && settled(s),
        Duration::from_secs(30),
    );
    assert_eq!(
        logged_in.matches(&logged).count(),
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
        account.contains(&format!("smtp: {lab}:587/starttls")),
        "{account}"
    );
    assert!(
        account.contains(&format!("imap: {lab}:143/starttls")),
        "{account}"
    );
    let md = written
        .iter()
        .find(|n| std::path::Path::new(n).extension() == Some("md".as_ref()))
        .unwrap();
    let md = std::fs::read_to_string(dir.join(md)).unwrap();
    assert!(md.contains("# maildoctor report: alice@lab.test"), "{md}");
    assert!(md.contains("`login-ok`"), "{md}");

    // Resizing at any time redraws for the new size: tabs when narrow, panes when wide.
    tmux.resize(80, 24);
    let narrow = wait_for("│ IMAP ", Duration::from_secs(5));
    assert!(
        narrow.contains("│ POP3 ") && !narrow.contains("┐┌"),
        "tabs below 110 columns:\n{narrow}"
    );
    tmux.resize(20, 6);
    std::thread::sleep(Duration::from_millis(300));
    tmux.resize(120, 40);
    let wide = wait_for("Incoming — POP3", Duration::from_secs(5));
    assert!(wide.contains("Outgoing — SMTP"), "{wide}");

    keys(&["q"]);
    let started = Instant::now();
    while !status_file.exists() && started.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(100));
    }
    let code = std::fs::read_to_string(&status_file).unwrap_or_default();
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
    let scratch = Scratch::new("e2e-term");
    for (term, extra) in [
        ("xterm", ""),
        ("screen", ""),
        ("tmux-256color", ""),
        ("linux", "--ascii"),
        ("xterm-256color", "NO_COLOR"),
    ] {
        let status = scratch.0.join(format!("status-{term}"));
        let (env, flag) = match extra {
            "NO_COLOR" => ("NO_COLOR=1 ", ""),
            flag => ("", flag),
        };
        let command = format!(
            "{env}TERM={term} {bin} alice@lab.test {flag} --smtp {smtp} --imap {imap} --ca-file {ca}; echo $? > {}",
            status.display(),
            smtp = lab::spec(587, "starttls"),
            imap = lab::spec(993, "tls"),
            ca = lab::ca_file(),
        );
        let tmux = Tmux::start("e2e-term", 80, 24, &command);
        let screen = tmux.wait_for("done in", Duration::from_secs(15));
        assert!(
            screen.contains("SMTP") && screen.contains("done in"),
            "TERM={term} {extra}:\n{screen}"
        );
        if flag == "--ascii" {
            assert!(screen.is_ascii(), "--ascii draws ASCII only:\n{screen}");
        }
        tmux.keys(&["q"]);
        let started = Instant::now();
        while !status.exists() && started.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(100));
        }
        let code = std::fs::read_to_string(&status).unwrap_or_default();
        assert_eq!(code.trim(), "0", "TERM={term} {extra}");
    }
}

/// The Linux console (TERM=linux) and a locale without UTF-8 (LC_ALL=C, as under cron or a
/// serial login): the stream the program writes holds 16-colour codes only, and the screen is
/// ASCII without being asked.
#[test]
#[ignore = "needs tmux and the Postfix/Dovecot lab (tests/lab/start.sh)"]
fn the_linux_console_gets_sixteen_colours_and_ascii() {
    let bin = env!("CARGO_BIN_EXE_maildoctor");
    let scratch = Scratch::new("e2e-linux");
    let stream = scratch.0.join("stream");
    let command = format!(
        "LC_ALL=C TERM=linux {bin} alice@lab.test --smtp {smtp} --imap {imap} --ca-file {ca}",
        smtp = lab::spec(465, "starttls"),
        imap = lab::spec(993, "tls"),
        ca = lab::ca_file(),
    );
    let tmux = Tmux::start("e2e-linux", 80, 24, &command);
    // What the program writes, raw, from here on; the help and back redraw everything.
    tmux.run(&[
        "pipe-pane",
        "-o",
        "-t",
        "e2e-linux",
        &format!("cat >> {}", stream.display()),
    ]);
    let screen = tmux.wait_for("done in", Duration::from_secs(15));
    tmux.keys(&["?"]);
    tmux.wait_for("Help", Duration::from_secs(5));
    tmux.keys(&["Escape"]);
    let screen_after = tmux.wait_for("done in", Duration::from_secs(5));
    std::thread::sleep(Duration::from_millis(300));
    tmux.keys(&["q"]);
    assert!(
        screen.is_ascii() && screen_after.is_ascii(),
        "LC_ALL=C draws ASCII:\n{screen}"
    );
    assert!(
        screen.contains("x ERROR"),
        "the verdict keeps its symbol in ASCII:\n{screen}"
    );
    let bytes = std::fs::read(&stream).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.is_empty(), "the stream was captured");
    for code in ["[38;5;", "[48;5;", "[38;2;"] {
        assert!(
            !text.contains(code),
            "no 256- or 24-bit colour ({code}) in the stream"
        );
    }
    assert!(
        // crossterm sets the foreground with the background's reset: "31;49".
        ["[31m", "[31;49m", "[36;49m", "[32;49m"]
            .iter()
            .any(|c| text.contains(c)),
        "the 16 colours are there: {}",
        text.chars().take(400).collect::<String>().escape_debug()
    );
}

/// An address no profile knows, without servers: the dashboard opens at once, finds the
/// settings (here SRV records the test's DNS server serves, pointing at the lab), then checks
/// them; `d` shows the sources side by side.
#[test]
#[ignore = "needs tmux and the Postfix/Dovecot lab (tests/lab/start.sh)"]
fn the_dashboard_discovers_the_settings_of_an_unknown_domain() {
    use common::dns::{a, serve_zone, srv};
    let bin = env!("CARGO_BIN_EXE_maildoctor");
    let addr: std::net::Ipv4Addr = lab::addr().parse().unwrap();
    let dns = serve_zone(vec![
        a("mail.lab.test", addr),
        srv("_submissions._tcp.lab.test", 0, 465, "mail.lab.test."),
        srv("_imaps._tcp.lab.test", 0, 993, "mail.lab.test."),
        srv("_pop3s._tcp.lab.test", 0, 995, "mail.lab.test."),
    ]);
    let scratch = Scratch::new("e2e-discover");
    let status_file = scratch.0.join("status");
    let command = format!(
        "TERM=xterm-256color {bin} alice@lab.test --dns-server {dns} --no-ispdb --ca-file {ca} --timeout 5; echo $? > {status}",
        ca = lab::ca_file(),
        status = status_file.display()
    );
    let tmux = Tmux::start("e2e-discover", 120, 40, &command);
    let shown = tmux.wait_until(
        |s: &str| s.contains("done in") && s.contains("mail.lab.test:465 SSL/TLS"),
        Duration::from_secs(30),
    );
    for text in [
        "mail.lab.test:993 SSL/TLS",
        "mail.lab.test:995 SSL/TLS",
        "d sources",
    ] {
        assert!(shown.contains(text), "missing {text:?} on screen:\n{shown}");
    }
    tmux.keys(&["d"]);
    // The box's first lines: the sources asked, SRV among them (the rest scrolls).
    let sources = tmux.wait_until(
        |s: &str| s.contains("Discovery for lab.test") && s.contains("SRV "),
        Duration::from_secs(5),
    );
    assert!(sources.contains(" Sources "), "{sources}");
    if std::env::var_os("MAILDOCTOR_SHOW_SCREENS").is_some() {
        eprintln!("{shown}\n{sources}");
    }
    tmux.keys(&["Escape", "q"]);
    let started = Instant::now();
    while !status_file.exists() && started.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(std::fs::read_to_string(&status_file).unwrap().trim(), "0");
}

/// Servers given for a domain no profile knows: they are probed at once while discovery looks
/// the domain up beside them; the footer says which sources have answered, a finding names
/// the server the domain publishes, and `d` then Enter puts that one in its pane.
#[test]
#[ignore = "needs tmux and the Postfix/Dovecot lab (tests/lab/start.sh)"]
fn the_dashboard_compares_given_servers_with_what_the_domain_publishes() {
    use common::dns::{a, serve_zone, srv};
    let bin = env!("CARGO_BIN_EXE_maildoctor");
    let addr: std::net::Ipv4Addr = lab::addr().parse().unwrap();
    let dns = serve_zone(vec![
        a("mail.lab.test", addr),
        a("old.lab.test", addr),
        srv("_submissions._tcp.lab.test", 0, 465, "mail.lab.test."),
    ]);
    let scratch = Scratch::new("e2e-beside");
    let status_file = scratch.0.join("status");
    // The given SMTP server is the lab's, but on a port where nothing listens.
    let command = format!(
        "TERM=xterm-256color {bin} alice@lab.test --smtp mail.lab.test:2465/tls --only smtp --dns-server {dns} --no-ispdb --ca-file {ca} --timeout 3; echo $? > {status}",
        ca = lab::ca_file(),
        status = status_file.display()
    );
    let tmux = Tmux::start("e2e-beside", 120, 40, &command);
    let shown = tmux.wait_until(
        |s: &str| s.contains("lab.test's sources name mail.lab.test:465 SSL/TLS for SMTP"),
        Duration::from_secs(30),
    );
    assert!(
        shown.contains("lab.test's sources name mail.lab.test:465 SSL/TLS for SMTP")
            && shown.contains("d sources"),
        "{shown}"
    );
    tmux.keys(&["d"]);
    let view = tmux.wait_until(
        |s: &str| s.contains("Servers named") && s.contains("▶ SMTP mail.lab.test:465 SSL/TLS"),
        Duration::from_secs(5),
    );
    assert!(view.contains("▶ SMTP mail.lab.test:465 SSL/TLS"), "{view}");
    if std::env::var_os("MAILDOCTOR_SHOW_SCREENS").is_some() {
        eprintln!("{shown}\n{view}");
    }
    tmux.keys(&["Enter"]);
    let after = tmux.wait_until(
        |s: &str| {
            s.contains("done in")
                && s.contains("mail.lab.test:465 SSL/TLS")
                && !s.contains("sources name")
        },
        Duration::from_secs(30),
    );
    assert!(
        after.contains("done in") && !after.contains("2465") && !after.contains("sources name"),
        "the pane took the discovered server, and the finding went:\n{after}"
    );
    tmux.keys(&["q"]);
    let started = Instant::now();
    while !status_file.exists() && started.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(std::fs::read_to_string(&status_file).unwrap().trim(), "0");
}

/// Started with nothing at all, the dashboard offers the mail clients' accounts found on the
/// machine (here a `.msmtprc` in the test's HOME, set to the lab's 465 with STARTTLS); Enter
/// checks the one chosen, and the fix is said in msmtp's words.
#[test]
#[ignore = "needs tmux and the Postfix/Dovecot lab (tests/lab/start.sh)"]
fn with_nothing_given_the_dashboard_offers_the_clients_accounts() {
    let bin = env!("CARGO_BIN_EXE_maildoctor");
    let scratch = Scratch::new("e2e-clients");
    let home = scratch.0.join("home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(
        home.join(".msmtprc"),
        format!(
            "account lab\nhost {}\nport 465\ntls on\nauth on\nuser alice@lab.test\nfrom alice@lab.test\n",
            lab::addr()
        ),
    )
    .unwrap();
    let status_file = scratch.0.join("status");
    let command = format!(
        "HOME={home} XDG_CONFIG_HOME={home}/.config TERM=xterm-256color {bin} --ca-file {ca} --timeout 5; echo $? > {status}",
        home = home.display(),
        ca = lab::ca_file(),
        status = status_file.display()
    );
    let tmux = Tmux::start("e2e-clients", 120, 40, &command);
    let picker = tmux.wait_until(
        |s: &str| s.contains(" Clients ") && s.contains("msmtp · ~/.msmtprc · lab: SMTP"),
        Duration::from_secs(10),
    );
    assert!(picker.contains("▶ msmtp · ~/.msmtprc · lab"), "{picker}");
    tmux.keys(&["Enter"]);
    let checked = tmux.wait_until(
        |s: &str| s.contains("done in") && s.contains("add `tls_starttls off`"),
        Duration::from_secs(20),
    );
    assert!(
        checked.contains("Port 465 expects SSL/TLS, but STARTTLS is set")
            && checked.contains("Fix: In ~/.msmtprc (account lab): add `tls_starttls off`"),
        "{checked}"
    );
    tmux.keys(&["q"]);
    let started = Instant::now();
    while !status_file.exists() && started.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(std::fs::read_to_string(&status_file).unwrap().trim(), "0");
}

/// A terminal without cursor addressing gets the check's text, not a dashboard it cannot
/// draw, with a line on stderr saying why; the exit code is the check's verdict.
#[test]
#[ignore = "needs tmux and the Postfix/Dovecot lab (tests/lab/start.sh)"]
fn a_dumb_terminal_gets_the_checks_text() {
    let bin = env!("CARGO_BIN_EXE_maildoctor");
    let scratch = Scratch::new("e2e-dumb");
    let status = scratch.0.join("status");
    let command = format!(
        // The pane stays a while after the check, so its text can be read.
        "TERM=dumb {bin} alice@lab.test --smtp {smtp} --imap {imap} --ca-file {ca}; echo $? > {}; sleep 10",
        status.display(),
        smtp = lab::spec(587, "starttls"),
        imap = lab::spec(993, "tls"),
        ca = lab::ca_file(),
    );
    let tmux = Tmux::start("e2e-dumb", 100, 60, &command);
    let started = Instant::now();
    while !status.exists() && started.elapsed() < Duration::from_secs(15) {
        std::thread::sleep(Duration::from_millis(100));
    }
    let screen = tmux.screen();
    assert!(
        screen.contains("TERM=dumb cannot draw the dashboard")
            && screen.contains("maildoctor check ·"),
        "{screen}"
    );
    assert_eq!(
        std::fs::read_to_string(&status).unwrap().trim(),
        "0",
        "{screen}"
    );
}

#[test]
#[ignore = "needs tmux"]
fn a_domain_whose_sources_name_nothing_gets_the_same_error_as_check() {
    // A DNS server that knows nothing: no MX, no SRV, no autoconfig host, no guess answers.
    let dns = common::dns::serve_zone(Vec::new());
    let bin = env!("CARGO_BIN_EXE_maildoctor");
    let command = format!(
        "TERM=xterm-256color {bin} alice@nothing.test --dns-server {dns} --no-ispdb --timeout 2"
    );
    let tmux = Tmux::start("e2e-nothing", 100, 30, &command);
    let screen = tmux.wait_for("No mail settings found", Duration::from_secs(20));
    assert!(
        screen.contains("No mail settings found for nothing.test"),
        "{screen}"
    );
    assert!(screen.contains("ERROR"), "{screen}");
    assert!(!screen.contains("No problems found"), "{screen}");
    assert!(!screen.contains("✓ OK"), "{screen}");
    tmux.keys(&["q"]);
}
