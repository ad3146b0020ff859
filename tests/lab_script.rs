//! tests/lab/start.sh itself: with a lab port taken it must say which and by whom, start
//! nothing, and print a way out that works as printed. Runs on a spare loopback address and a
//! fresh lab directory, so a lab running on 127.0.0.2 stays undisturbed. And the lab's directory:
//! one per checkout, derived alike by the scripts (tests/lab/lib.sh) and the tests.

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::lab;

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
    // The way out: free addresses, exported for the tests too, and the commands to run.
    let export = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("export "))
        .unwrap_or_else(|| panic!("no export line:\n{stderr}"));
    let vars: std::collections::HashMap<&str, &str> = export
        .split_whitespace()
        .filter_map(|pair| pair.split_once('='))
        .collect();
    let moved = vars["MAILDOCTOR_LAB_ADDR"];
    assert_eq!(
        vars["MAILDOCTOR_LAB_OTHER_ADDR"], OTHER_ADDR,
        "Exim's and Cyrus's were free"
    );
    assert!(
        moved.starts_with("127.0.0.") && ![ADDR, OTHER_ADDR].contains(&moved),
        "{export}"
    );
    for port in [25, 587, 465, 143, 993, 110, 995, 1587] {
        TcpListener::bind((moved, port))
            .unwrap_or_else(|e| panic!("{moved}:{port}, offered as free: {e}"));
    }
    let checkout = std::fs::canonicalize(env!("CARGO_MANIFEST_DIR")).unwrap();
    assert!(
        stderr.contains(&format!(
            "\n  cd {} && tests/lab/start.sh && cargo test -- --include-ignored\n",
            checkout.display()
        )),
        "{stderr}"
    );
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

/// `lab_dir` as the tests/lab/lib.sh at `lib` says it, with `MAILDOCTOR_LAB_DIR` set to `given`.
fn lab_dir_of_script(lib: &Path, given: Option<&str>) -> String {
    let mut bash = Command::new("bash");
    bash.args(["-c", ". \"$1\" && lab_dir", "lab_dir"])
        .arg(lib)
        .env_remove("MAILDOCTOR_LAB_DIR");
    if let Some(dir) = given {
        bash.env("MAILDOCTOR_LAB_DIR", dir);
    }
    let out = bash.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim_end().to_owned()
}

fn this_lib() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lab/lib.sh")
}

#[test]
fn the_lab_directory_is_the_checkouts_own_for_the_scripts_and_the_tests() {
    let derived = lab_dir_of_script(&this_lib(), None);
    assert_eq!(derived, lab::default_dir());
    let hash = derived
        .strip_prefix("/tmp/maildoctor-lab-")
        .unwrap_or_else(|| panic!("{derived}"));
    assert!(
        hash.len() == 12
            && hash
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{derived}"
    );
    // MAILDOCTOR_LAB_DIR wins; start.sh and stop.sh drop a trailing slash.
    assert_eq!(
        lab_dir_of_script(&this_lib(), Some("/srv/lab/")),
        "/srv/lab"
    );
    assert_eq!(
        lab_dir_of_script(&this_lib(), Some("")),
        derived,
        "empty is unset"
    );
}

#[test]
fn two_clones_have_two_labs_and_a_symlink_to_one_has_its_lab() {
    let tmp = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(tmp.path()).unwrap();
    for clone in ["one", "two"] {
        let dir = root.join(clone).join("tests/lab");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(this_lib(), dir.join("lib.sh")).unwrap();
    }
    std::os::unix::fs::symlink(root.join("one"), root.join("link")).unwrap();
    let lab_of = |clone: &str| lab_dir_of_script(&root.join(clone).join("tests/lab/lib.sh"), None);

    assert_ne!(lab_of("one"), lab_of("two"));
    for clone in ["one", "two"] {
        assert_eq!(lab_of(clone), lab::dir_of_checkout(&root.join(clone)));
    }
    assert_eq!(lab_of("link"), lab_of("one"));
}

/// `free_lab_addr AVOID PORT…` from tests/lab/lib.sh: its output and whether it found one.
fn free_lab_addr(avoid: &str, ports: &[u16]) -> (String, bool) {
    let ports: Vec<String> = ports.iter().map(u16::to_string).collect();
    let out = Command::new("bash")
        .args([
            "-c",
            ". \"$1\" && shift && free_lab_addr \"$@\"",
            "free_lab_addr",
        ])
        .arg(this_lib())
        .arg(avoid)
        .args(&ports)
        .output()
        .unwrap();
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8(out.stdout).unwrap().trim_end().to_owned(),
        out.status.success(),
    )
}

#[test]
fn a_free_lab_address_is_neither_taken_nor_reserved_nor_avoided() {
    // An unprivileged port, taken on 127.0.0.2 and 127.0.0.3 (any 127.x.y.z binds without an
    // address on lo); 127.0.0.4 and .5 are scripts/roundtrips.sh's, .6 is avoided.
    let taken = TcpListener::bind(("127.0.0.2", 0)).unwrap();
    let port = taken.local_addr().unwrap().port();
    let _also = TcpListener::bind(("127.0.0.3", port)).unwrap();
    assert_eq!(
        free_lab_addr("127.0.0.6", &[port]),
        ("127.0.0.7".to_owned(), true)
    );
    // A listener on every address takes the port on all of them.
    let everywhere = TcpListener::bind(("0.0.0.0", 0)).unwrap();
    let port = everywhere.local_addr().unwrap().port();
    assert_eq!(free_lab_addr("", &[port]), (String::new(), false));
}
