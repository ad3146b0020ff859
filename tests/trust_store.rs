//! The trust store the binary switches to (a hashed CA directory, read lazily, instead of the
//! bundle) verifies certificates as the bundle does: a CA linked there is trusted, one that is
//! not is not. The fixture's test CA stands in for the system's.

mod common;

use std::process::Command;

use common::{Behaviour, Cert, MailServer, Proto, Tls, pki, serve};

fn check(dir: &std::path::Path, addr: std::net::SocketAddr) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_maildoctor"))
        .env("SSL_CERT_FILE", "/dev/null")
        .env("SSL_CERT_DIR", dir)
        .args(["check", "--format", "json", "--no-alternatives", "--imap"])
        .arg(format!("{addr}/tls"))
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_hashed_directory_trusts_exactly_the_cas_linked_in_it() {
    let addr = serve(Behaviour::Mail(MailServer::new(
        Proto::Imap,
        Tls::Implicit(Cert::Good),
    )));
    let hash = Command::new("openssl")
        .args(["x509", "-hash", "-noout", "-in"])
        .arg(&pki().ca_file)
        .output()
        .expect("the openssl command is installed");
    let hash = String::from_utf8(hash.stdout).unwrap();
    let dir = std::env::temp_dir().join(format!("maildoctor-hashed-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    let untrusted = check(&dir, addr);
    let ids: Vec<&str> = untrusted["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["cert-untrusted"], "an empty directory trusts nothing");

    std::fs::copy(&pki().ca_file, dir.join(format!("{}.0", hash.trim()))).unwrap();
    let trusted = check(&dir, addr);
    assert_eq!(trusted["findings"], serde_json::json!([]), "{trusted:#}");
    assert_eq!(trusted["endpoints"][0]["tls"]["verdict"], "ok");
    let _ = std::fs::remove_dir_all(&dir);
}
