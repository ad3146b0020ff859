//! Where OpenSSL finds the system's trusted CAs, chosen for start-up speed.
//!
//! native-tls (0.2, OpenSSL backend) parses the whole CA bundle twice for every connector it
//! builds: once through OpenSSL's default paths and once more from the file openssl-probe
//! finds. On Debian that is ~145 certificates, about 50 ms of CPU: more than a whole check of
//! three loopback servers. A hashed certificate directory (`<subject-hash>.0` links, made by
//! `update-ca-certificates`) gives the same trust read lazily: only the CA a server chains to
//! is opened. So the bundles are swapped for the directory, but only when the directory holds
//! every certificate the bundles hold. A CA appended to the bundle by hand, or a file of
//! several certificates that `openssl rehash` skipped, keeps the bundle in use: a trusted
//! server must never be reported as untrusted for the sake of speed.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The variables OpenSSL and openssl-probe read.
pub const CERT_FILE_VAR: &str = "SSL_CERT_FILE";
pub const CERT_DIR_VAR: &str = "SSL_CERT_DIR";

/// Where Debian, Ubuntu, Alpine and Arch keep the hashed directory.
pub const DEFAULT_DIR: &str = "/etc/ssl/certs";

/// The bundles the TLS stack would load, as OpenSSL and openssl-probe would pick them now
/// (before anything is changed): `SSL_CERT_FILE`, or OpenSSL's `cert.pem` and the first bundle
/// openssl-probe finds.
pub fn default_bundles() -> Vec<PathBuf> {
    let mut bundles = Vec::new();
    if let Some(file) = std::env::var_os(CERT_FILE_VAR) {
        bundles.push(PathBuf::from(file));
    } else {
        // "OPENSSLDIR: \"/usr/lib/ssl\""
        let dir = openssl::version::dir();
        if let Some(dir) = dir.split('"').nth(1) {
            bundles.push(Path::new(dir).join("cert.pem"));
        }
    }
    bundles.extend(openssl_probe::probe().cert_file);
    bundles.sort();
    bundles.dedup();
    bundles
}

/// The values for `SSL_CERT_FILE` (an empty file: no bundle parsed) and `SSL_CERT_DIR` that
/// trust everything `bundles` trust, read lazily; `None` when the switch could lose a CA.
pub fn lazy_trust_store(bundles: &[PathBuf], dir: &Path) -> Option<(PathBuf, PathBuf)> {
    let empty = Path::new("/dev/null");
    if !empty.exists() {
        return None;
    }
    let linked = linked_certificates(dir);
    if linked.is_empty() {
        return None;
    }
    let mut loaded_any = false;
    for bundle in bundles {
        match std::fs::read_to_string(bundle) {
            Ok(text) => {
                let certs = pem_certificates(&text)?;
                if !certs.iter().all(|c| linked.contains(c)) {
                    return None;
                }
                loaded_any = true;
            }
            // OpenSSL skips a bundle that is not there; so may we.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(_) => return None,
        }
    }
    loaded_any.then(|| (empty.to_owned(), dir.to_owned()))
}

/// The certificates behind a directory's hash links (`xxxxxxxx.N`), each as its base64 body.
fn linked_certificates(dir: &Path) -> HashSet<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return HashSet::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| is_hash_name(&e.file_name().to_string_lossy()))
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .filter_map(|text| pem_certificates(&text))
        // OpenSSL looks up one certificate per link; a file with more is not a usable link.
        .filter(|certs| certs.len() == 1)
        .flatten()
        .collect()
}

/// The base64 bodies of a PEM text's certificates, whitespace removed; `None` when it holds a
/// block of another kind (a TRUSTED CERTIFICATE carries trust settings a body cannot compare).
fn pem_certificates(text: &str) -> Option<Vec<String>> {
    let mut certs = Vec::new();
    let mut body: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        {
            if label != "CERTIFICATE" {
                return None;
            }
            body = Some(String::new());
        } else if line.starts_with("-----END ") {
            certs.extend(body.take());
        } else if let Some(body) = body.as_mut() {
            body.push_str(line);
        }
    }
    Some(certs)
}

fn is_hash_name(name: &str) -> bool {
    let Some((hash, n)) = name.split_once('.') else {
        return false;
    };
    hash.len() == 8
        && hash.bytes().all(|b| b.is_ascii_hexdigit())
        && !n.is_empty()
        && n.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pem(body: &str) -> String {
        format!("-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n")
    }

    fn scratch(tag: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("maildoctor-trust-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("certs")).unwrap();
        dir
    }

    #[test]
    fn the_directory_replaces_bundles_only_when_it_holds_all_their_certificates() {
        let root = scratch("cover");
        let certs = root.join("certs");
        std::fs::write(certs.join("0a1b2c3d.0"), pem("QUFB")).unwrap();
        std::fs::write(certs.join("0a1b2c3d.1"), pem("QkJC")).unwrap();
        std::fs::write(certs.join("notes.txt"), pem("Q0ND")).unwrap();
        let bundle = root.join("bundle.crt");
        std::fs::write(&bundle, pem("QUFB") + &pem("Qk\nJC")).unwrap();
        let missing = root.join("nowhere.pem");
        assert_eq!(
            lazy_trust_store(&[bundle.clone(), missing.clone()], &certs),
            Some((PathBuf::from("/dev/null"), certs.clone()))
        );

        // A CA appended to the bundle by hand is not in the directory: keep the bundle.
        std::fs::write(&bundle, pem("QUFB") + &pem("Q0ND")).unwrap();
        assert_eq!(
            lazy_trust_store(std::slice::from_ref(&bundle), &certs),
            None
        );

        // A multi-certificate file that rehash linked anyway does not count.
        std::fs::write(certs.join("0a1b2c3d.2"), pem("Q0ND") + &pem("RERE")).unwrap();
        assert_eq!(
            lazy_trust_store(std::slice::from_ref(&bundle), &certs),
            None
        );

        assert_eq!(
            lazy_trust_store(&[missing], &certs),
            None,
            "nothing to save"
        );
        assert_eq!(lazy_trust_store(&[bundle], &root.join("none")), None);
        let _ = std::fs::remove_dir_all(root);
    }

    #[test]
    fn pem_texts_are_read_block_by_block() {
        assert_eq!(
            pem_certificates(&(pem("AA\nBB") + "junk\n" + &pem("CC"))),
            Some(vec!["AABB".to_owned(), "CC".to_owned()])
        );
        assert_eq!(
            pem_certificates(
                "-----BEGIN TRUSTED CERTIFICATE-----\nAA\n-----END TRUSTED CERTIFICATE-----\n"
            ),
            None
        );
        assert!(is_hash_name("9d04f354.0"));
        assert!(
            !is_hash_name("9d04f354.r0"),
            "CRL links are not certificates"
        );
        assert!(!is_hash_name("ca-certificates.crt"));
    }
}
