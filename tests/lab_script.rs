//! tests/lab/start.sh itself: with a lab port taken it must say which and by whom, and start
//! nothing. Runs on a spare loopback address and a fresh lab directory, so a lab running on
//! 127.0.0.2 stays undisturbed.

use std::net::TcpListener;
use std::path::Path;
use std::process::Command;

const ADDR: &str = "127.0.0.9";
/// Where that lab's Exim and Cyrus would go: not the main lab's 127.0.0.3.
const OTHER_ADDR: &str = "127.0.0.11";

/// Processes whose command line, environment or working directory mention `dir`.
fn processes_mentioning(dir: &Path) -> Vec<String> {
    let needle = dir.to_str().unwrap().as_bytes();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let proc_dir = entry.path();
        if !entry
            .file_name()
            .to_string_lossy()
            .bytes()
            .all(|b| b.is_ascii_digit())
        {
            continue;
        }
        let cmdline = std::fs::read(proc_dir.join("cmdline")).unwrap_or_default();
        let environ = std::fs::read(proc_dir.join("environ")).unwrap_or_default();
        let cwd = std::fs::read_link(proc_dir.join("cwd")).unwrap_or_default();
        let mentions = |text: &[u8]| text.windows(needle.len()).any(|w| w == needle);
        if mentions(&cmdline) || mentions(&environ) || cwd.starts_with(dir) {
            let args = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            found.push(format!("{}: {args}", entry.file_name().to_string_lossy()));
        }
    }
    found
}

/// Every file below `dir`.
fn files_under(dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path.display().to_string());
        }
    }
    files
}

#[test]
#[ignore = "runs tests/lab/start.sh: needs root"]
fn a_taken_port_is_named_with_its_process_and_nothing_starts() {
    // Binding a spare 127.x address needs no address on lo: Linux routes 127.0.0.0/8 there.
    let _taken = TcpListener::bind((ADDR, 993)).expect("bind 127.0.0.9:993 (needs root)");
    let lab = std::env::temp_dir().join(format!("maildoctor-lab-script-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&lab);
    std::fs::create_dir(&lab).unwrap();

    let out = Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/lab/start.sh"))
        .env("MAILDOCTOR_LAB_ADDR", ADDR)
        .env("MAILDOCTOR_LAB_OTHER_ADDR", OTHER_ADDR)
        .env("MAILDOCTOR_LAB_DIR", &lab)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let files = files_under(&lab);
    let running = processes_mentioning(&lab);
    let _ = std::fs::remove_dir_all(&lab);

    assert!(!out.status.success(), "start.sh succeeded:\n{stderr}");
    assert!(stderr.contains("127.0.0.9:993"), "{stderr}");
    assert!(
        stderr.contains(&format!("pid {}", std::process::id())),
        "names this test as the holder:\n{stderr}"
    );
    assert!(stderr.contains("MAILDOCTOR_LAB_ADDR"), "{stderr}");
    assert_eq!(running, Vec::<String>::new(), "lab processes started");
    assert!(
        !files.iter().any(|f| f.ends_with("master.pid")),
        "a daemon wrote its pid file: {files:?}"
    );
}

/// Every file under these directories with its bytes, to compare before and after.
fn contents(dirs: &[&str]) -> std::collections::BTreeMap<String, Vec<u8>> {
    dirs.iter()
        .filter(|d| Path::new(d).is_dir())
        .flat_map(|d| files_under(Path::new(d)))
        .map(|f| {
            let bytes = std::fs::read(&f).unwrap_or_default();
            (f, bytes)
        })
        .collect()
}

fn lo_addresses() -> String {
    let out = Command::new("ip")
        .args(["-o", "addr", "show", "lo"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn run_script(name: &str, addr: &str, other: &str, lab: &Path) -> std::process::Output {
    Command::new("bash")
        .arg(format!("{}/tests/lab/{name}", env!("CARGO_MANIFEST_DIR")))
        .env("MAILDOCTOR_LAB_ADDR", addr)
        .env("MAILDOCTOR_LAB_OTHER_ADDR", other)
        .env("MAILDOCTOR_LAB_DIR", lab)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

#[test]
#[ignore = "runs tests/lab/start.sh and stop.sh: needs root"]
fn a_lab_starts_answers_and_stops_leaving_the_system_as_it_was() {
    // Another spare address than the test above, so the two can run at once, and the main
    // lab on 127.0.0.2 keeps running.
    let (addr, other) = ("127.0.0.10", "127.0.0.12");
    let lab = std::env::temp_dir().join(format!("maildoctor-lab-cycle-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&lab);
    let system = [
        "/etc/postfix",
        "/etc/dovecot",
        "/etc/aliases",
        "/etc/passwd",
    ];
    let before = (contents(&system[..2]), lo_addresses());
    let passwd = std::fs::read("/etc/passwd").unwrap();

    let started = run_script("start.sh", addr, other, &lab);
    assert!(
        started.status.success(),
        "start.sh failed:\n{}",
        String::from_utf8_lossy(&started.stderr)
    );
    let greeting = {
        use std::io::Read;
        let mut smtp = std::net::TcpStream::connect((addr, 587)).unwrap();
        smtp.set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        let mut buf = [0u8; 256];
        let n = smtp.read(&mut buf).unwrap();
        String::from_utf8_lossy(&buf[..n]).into_owned()
    };
    assert!(greeting.starts_with("220 "), "{greeting:?}");
    assert!(std::net::TcpStream::connect((addr, 993)).is_ok());
    // Exim's submission and Cyrus's POP3, beside them.
    for port in [465, 995] {
        assert!(
            std::net::TcpStream::connect((other, port)).is_ok(),
            "{other}:{port}"
        );
    }

    for round in ["first", "second"] {
        let stopped = run_script("stop.sh", addr, other, &lab);
        assert!(
            stopped.status.success(),
            "stop.sh, {round} time:\n{}",
            String::from_utf8_lossy(&stopped.stderr)
        );
    }
    let running = processes_mentioning(&lab);
    let refused = [(addr, 587), (other, 465), (other, 995)]
        .iter()
        .all(|target| std::net::TcpStream::connect(*target).is_err());
    let after = (contents(&system), lo_addresses());
    let passwd_after = std::fs::read("/etc/passwd").unwrap();
    let _ = std::fs::remove_dir_all(&lab);

    assert_eq!(running, Vec::<String>::new(), "lab processes left running");
    assert!(
        refused,
        "something still listens on {addr}:587, {other}:465 or {other}:995"
    );
    assert!(
        before == after,
        "/etc/postfix, /etc/dovecot or lo's addresses changed"
    );
    assert!(passwd == passwd_after, "a system user was added or removed");
}
