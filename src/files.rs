//! Reading the small text files a user names (account files, profiles, CA certificates):
//! regular files only, of a bounded size, as UTF-8. A FIFO would block the read forever and
//! `/dev/zero` would fill the memory; both are refused before a byte is read.

use std::io::Read;
use std::path::Path;

use thiserror::Error;

/// The most a settings file (account, profile) may hold.
pub const MAX_SETTINGS_FILE: u64 = 1024 * 1024;

/// The most a PEM file of CA certificates may hold (a whole system bundle is ~200 KiB).
pub const MAX_PEM_FILE: u64 = 8 * 1024 * 1024;

/// Why a file could not be read. The message names the cause once; the caller names the file.
#[derive(Debug, Error)]
pub enum ReadError {
    #[error("{0}")]
    Io(std::io::Error),
    #[error("it is not a regular file (a FIFO, a device or a directory): give a file")]
    NotAFile,
    #[error("it is larger than {} KiB, too large for this kind of file", max / 1024)]
    TooLarge { max: u64 },
    #[error("line {line}, column {column}: the file is not UTF-8 text")]
    NotUtf8 { line: usize, column: usize },
}

/// The text of a regular file of at most `max` bytes.
pub fn read_text(path: &Path, max: u64) -> Result<String, ReadError> {
    // Metadata follows symbolic links and opens nothing, so a FIFO is never opened.
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotAFile);
    }
    if meta.len() > max {
        return Err(ReadError::TooLarge { max });
    }
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let mut bytes = Vec::new();
    // The file may grow between the look and the read.
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > max {
        return Err(ReadError::TooLarge { max });
    }
    String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&good[line_start..]).chars().count() + 1;
        ReadError::NotUtf8 { line, column }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_files_are_refused_without_reading_them() {
        assert!(matches!(
            read_text(Path::new("/dev/zero"), MAX_SETTINGS_FILE),
            Err(ReadError::NotAFile)
        ));
        assert!(matches!(
            read_text(Path::new("/tmp"), MAX_SETTINGS_FILE),
            Err(ReadError::NotAFile)
        ));
    }

    #[test]
    fn size_and_encoding_are_checked() {
        let dir = std::env::temp_dir().join(format!("maildoctor-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let big = dir.join("big.yaml");
        std::fs::write(&big, vec![b'a'; 2048]).unwrap();
        assert!(matches!(
            read_text(&big, 1024),
            Err(ReadError::TooLarge { max: 1024 })
        ));
        let latin1 = dir.join("latin1.yaml");
        std::fs::write(&latin1, b"address: a@b.example\nuser: j\xf6rg\n").unwrap();
        let err = read_text(&latin1, 1024).unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 2, column 8: the file is not UTF-8 text"
        );
        std::fs::write(&latin1, "user: jörg\n").unwrap();
        assert_eq!(read_text(&latin1, 1024).unwrap(), "user: jörg\n");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
