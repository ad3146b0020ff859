//! Where the real-server lab (tests/lab/start.sh) listens, as its environment says, and running
//! the binary against it.

use assert_cmd::Command;
use serde_json::Value;

/// The lab's address: `MAILDOCTOR_LAB_ADDR`, as start.sh reads it (default 127.0.0.2).
pub fn addr() -> String {
    std::env::var("MAILDOCTOR_LAB_ADDR").unwrap_or_else(|_| "127.0.0.2".to_owned())
}

/// Where Exim and Cyrus listen: `MAILDOCTOR_LAB_OTHER_ADDR` (default 127.0.0.3).
pub fn other_addr() -> String {
    std::env::var("MAILDOCTOR_LAB_OTHER_ADDR").unwrap_or_else(|_| "127.0.0.3".to_owned())
}

/// `ADDR:PORT/SECURITY` on Exim's and Cyrus's address.
pub fn other_spec(port: u16, security: &str) -> String {
    format!("{}:{port}/{security}", other_addr())
}

/// The lab's directory: `MAILDOCTOR_LAB_DIR`, else this checkout's own ([`default_dir`]), as
/// start.sh reads it.
pub fn dir() -> String {
    match std::env::var("MAILDOCTOR_LAB_DIR") {
        Ok(dir) if !dir.is_empty() => dir.strip_suffix('/').unwrap_or(&dir).to_owned(),
        _ => default_dir(),
    }
}

/// The lab directory of the checkout at `checkout` (an absolute path, symlinks resolved):
/// `/tmp/maildoctor-lab-` and the first 12 hex digits of the SHA-256 of the path, as
/// tests/lab/lib.sh's `lab_dir` derives it, so that two clones never share a lab.
pub fn dir_of_checkout(checkout: &std::path::Path) -> String {
    use std::fmt::Write as _;
    use std::os::unix::ffi::OsStrExt as _;
    let digest = openssl::sha::sha256(checkout.as_os_str().as_bytes());
    digest[..6]
        .iter()
        .fold("/tmp/maildoctor-lab-".to_owned(), |mut dir, byte| {
            let _ = write!(dir, "{byte:02x}");
            dir
        })
}

/// This checkout's lab directory.
pub fn default_dir() -> String {
    let checkout = std::fs::canonicalize(env!("CARGO_MANIFEST_DIR")).unwrap();
    dir_of_checkout(&checkout)
}

/// The lab's CA certificate.
pub fn ca_file() -> String {
    format!("{}/ca.pem", dir())
}

/// `ADDR:PORT/SECURITY` on the lab.
pub fn spec(port: u16, security: &str) -> String {
    format!("{}:{port}/{security}", addr())
}

/// Runs `maildoctor check alice@lab.test` against the lab (`--login` when a password is
/// given, through the environment); returns the JSON report and the exit code.
pub fn check(password: Option<&str>, args: &[&str]) -> (Value, i32) {
    let mut cmd = Command::cargo_bin("maildoctor").unwrap();
    cmd.env("XDG_CONFIG_HOME", "/nonexistent-maildoctor-test")
        .env("LC_ALL", "C.UTF-8")
        .env_remove("MAILDOCTOR_PASSWORD");
    let ca = ca_file();
    cmd.args([
        "check",
        "alice@lab.test",
        "--format",
        "json",
        "--as-of",
        "2026-11-23",
        "--ca-file",
        &ca,
    ]);
    if !args.contains(&"--timeout") {
        cmd.args(["--timeout", "10"]);
    }
    if let Some(password) = password {
        cmd.env("MAILDOCTOR_PASSWORD", password).arg("--login");
    }
    let out = cmd.args(args).output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (report, out.status.code().unwrap())
}
