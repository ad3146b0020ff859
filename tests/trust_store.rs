//! The trust store the binary switches to (a hashed CA directory, read lazily, instead of the
//! bundle) verifies certificates as the bundle does: a CA linked there is trusted, one that is
//! not is not. The fixture's test CA stands in for the system's.

mod common;

use std::process::Command;

use common::{Behaviour, Cert, MailServer, Proto, Tls, pki, serve};

fn check(dir: &std::path::Path, addr: std::net::SocketAddr) -> serde_json::Value {
    check_with(std::path::Path::new("/dev/null"), dir, addr)
}

fn check_with(
    bundle: &std::path::Path,
    dir: &std::path::Path,
    addr: std::net::SocketAddr,
) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_maildoctor"))
        .env("SSL_CERT_FILE", bundle)
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

#[test]
fn a_ca_only_in_the_bundle_keeps_the_bundle_in_use() {
    // A CA appended to the bundle by hand (a common Dockerfile step) has no hash link: the
    // fast directory store would not know it, so the bundle must stay.
    let addr = serve(Behaviour::Mail(MailServer::new(
        Proto::Imap,
        Tls::Implicit(Cert::Good),
    )));
    let root = std::env::temp_dir().join(format!("maildoctor-bundle-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let dir = root.join("certs");
    std::fs::create_dir_all(&dir).unwrap();
    let other = rcgen::generate_simple_self_signed(vec!["other.test".to_owned()]).unwrap();
    // A full-looking store: many links (to one certificate, which is all the test needs).
    for i in 0..60 {
        std::fs::write(dir.join(format!("{i:08x}.0")), other.cert.pem()).unwrap();
    }
    // Debian's layout: the bundle sits in the hashed directory.
    let bundle = dir.join("ca-certificates.crt");
    std::fs::write(&bundle, other.cert.pem() + &pki().ca_pem).unwrap();
    let report = check_with(&bundle, &dir, addr);
    assert_eq!(report["findings"], serde_json::json!([]), "{report:#}");
    let _ = std::fs::remove_dir_all(&root);
}
