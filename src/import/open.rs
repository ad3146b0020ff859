//! Opening the files a client's settings are in: each read the safe way (a regular file of
//! bounded size, UTF-8) and wiped from memory when dropped, as it may hold a password; the
//! files they include followed without loops.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::files::{MAX_SETTINGS_FILE, read_text};

use super::ImportError;
use super::text::{expand_home, shown};

/// How deep includes may nest: git itself stops at 10.
const MAX_DEPTH: usize = 10;

/// The file's text, wiped when dropped: it may hold a password.
pub fn read(path: &Path, shown: &str) -> Result<Zeroizing<String>, ImportError> {
    read_text(path, MAX_SETTINGS_FILE)
        .map(Zeroizing::new)
        .map_err(|error| ImportError::Read {
            shown: shown.to_owned(),
            error,
        })
}

/// The file's text if it can be read, wiped when dropped.
pub fn read_if_possible(path: &Path) -> Option<Zeroizing<String>> {
    read_text(path, MAX_SETTINGS_FILE).ok().map(Zeroizing::new)
}

/// `~/x` from the home directory, a relative path from the including file's directory.
pub fn resolve_include(from: &Path, name: &str) -> PathBuf {
    let path = expand_home(name);
    if path.is_absolute() {
        path
    } else {
        from.parent().unwrap_or(Path::new(".")).join(path)
    }
}

/// The files being read on the way down through includes.
pub type Seen = BTreeSet<PathBuf>;

/// Each file once on the way down: a file that includes itself, directly or not, is named.
pub fn enter(
    path: &Path,
    seen: &mut Seen,
    depth: usize,
    shown_path: &str,
    line: usize,
) -> Result<(), ImportError> {
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    if depth > MAX_DEPTH || !seen.insert(canonical) {
        return Err(ImportError::Invalid {
            shown: shown_path.to_owned(),
            line,
            message: format!(
                "{} is included again while it is being read (an include loop)",
                shown(path)
            ),
        });
    }
    Ok(())
}

/// Done with a file: it may be included again elsewhere.
pub fn leave(path: &Path, seen: &mut Seen) {
    seen.remove(&path.canonicalize().unwrap_or_else(|_| path.to_path_buf()));
}
