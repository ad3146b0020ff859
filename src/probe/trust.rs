//! Where OpenSSL finds the system's trusted CAs, chosen for start-up speed.
//!
//! native-tls (0.2, OpenSSL backend) parses the whole CA bundle twice for every connector it
//! builds: once through OpenSSL's default paths and once more from the file openssl-probe
//! finds. On Debian that is ~145 certificates, about 50 ms of CPU: more than a whole check of
//! three loopback servers. A hashed certificate directory (`<subject-hash>.0` links, made by
//! `update-ca-certificates` from the same sources as the bundle) gives the same trust, read
//! lazily: only the CA a server actually chains to is opened. So when such a directory exists
//! and the user has not chosen another trust store (`SSL_CERT_FILE`, `SSL_CERT_DIR`), the
//! bundle is replaced by the directory.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The variables OpenSSL and openssl-probe read.
pub const CERT_FILE_VAR: &str = "SSL_CERT_FILE";
pub const CERT_DIR_VAR: &str = "SSL_CERT_DIR";

/// Directories that hold hashed CA links on the systems that make them.
pub const HASHED_DIRS: &[&str] = &["/etc/ssl/certs"];

/// Below this many hash links the directory is not a full store (a hand-made one, or a
/// distribution that keeps only the bundle): keep the bundle.
const MIN_LINKS: usize = 50;

/// The trust store settings to use instead of the defaults, if the switch is safe: one of
/// `dirs` is a populated hashed directory, and the user chose no other store (variables that
/// name that directory, or the bundle inside it, are the system's own store spelt out, as
/// some environments do). Returns the values for `SSL_CERT_FILE` (an empty file, so no bundle
/// is parsed) and `SSL_CERT_DIR`.
pub fn lazy_trust_store(
    cert_file: Option<OsString>,
    cert_dir: Option<OsString>,
    dirs: &[&str],
) -> Option<(PathBuf, PathBuf)> {
    let empty = Path::new("/dev/null");
    if !empty.exists() {
        return None;
    }
    let dir = dirs
        .iter()
        .map(Path::new)
        .find(|dir| hash_links(dir) >= MIN_LINKS)?;
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    let file_is_systems = cert_file.as_deref().is_none_or(|file| {
        Path::new(file)
            .parent()
            .is_some_and(|parent| same(parent, dir))
    });
    let dir_is_systems = cert_dir
        .as_deref()
        .is_none_or(|given| same(Path::new(given), dir));
    (file_is_systems && dir_is_systems).then(|| (empty.to_owned(), dir.to_owned()))
}

/// How many `<8 hex digits>.<n>` entries a directory holds.
fn hash_links(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| is_hash_name(&e.file_name().to_string_lossy()))
        .count()
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

    fn dir_with(names: &[String]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "maildoctor-trust-{}-{}",
            std::process::id(),
            names.len()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for name in names {
            std::fs::write(dir.join(name), "").unwrap();
        }
        dir
    }

    #[test]
    fn only_a_populated_hashed_directory_replaces_the_bundle() {
        let full: Vec<String> = (0..60).map(|i| format!("{i:08x}.0")).collect();
        let full = dir_with(&full);
        let sparse = dir_with(&["deadbeef.0".into(), "ca-certificates.crt".into()]);
        let full_s = full.to_str().unwrap();
        let sparse_s = sparse.to_str().unwrap();
        assert_eq!(
            lazy_trust_store(None, None, &[sparse_s, full_s]),
            Some((PathBuf::from("/dev/null"), full.clone()))
        );
        assert_eq!(lazy_trust_store(None, None, &[sparse_s]), None);
        assert_eq!(lazy_trust_store(None, None, &["/no/such/dir"]), None);
        assert_eq!(
            lazy_trust_store(Some("/my/bundle.pem".into()), None, &[full_s]),
            None,
            "the user's choice stands"
        );
        assert_eq!(
            lazy_trust_store(None, Some("/my/dir".into()), &[full_s]),
            None
        );
        let _ = std::fs::remove_dir_all(full);
        let _ = std::fs::remove_dir_all(sparse);
    }

    #[test]
    fn hash_names_are_eight_hex_digits_a_dot_and_a_number() {
        assert!(is_hash_name("9d04f354.0"));
        assert!(is_hash_name("ABCDEF01.12"));
        assert!(!is_hash_name("ca-certificates.crt"));
        assert!(!is_hash_name("9d04f354"));
        assert!(!is_hash_name("9d04f354.x"));
        assert!(!is_hash_name("9d04f35.0"));
    }
}
