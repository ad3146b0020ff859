//! Where the real-server lab (tests/lab/start.sh) listens, as its environment says.

/// The lab's address: `MAILDOCTOR_LAB_ADDR`, as start.sh reads it (default 127.0.0.2).
pub fn addr() -> String {
    std::env::var("MAILDOCTOR_LAB_ADDR").unwrap_or_else(|_| "127.0.0.2".to_owned())
}

/// The lab's directory: `MAILDOCTOR_LAB_DIR` (default /tmp/maildoctor-lab).
pub fn dir() -> String {
    std::env::var("MAILDOCTOR_LAB_DIR").unwrap_or_else(|_| "/tmp/maildoctor-lab".to_owned())
}

/// The lab's CA certificate.
pub fn ca_file() -> String {
    format!("{}/ca.pem", dir())
}

/// `ADDR:PORT/SECURITY` on the lab.
pub fn spec(port: u16, security: &str) -> String {
    format!("{}:{port}/{security}", addr())
}
