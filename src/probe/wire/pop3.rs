//! POP3 responses (RFC 1939 §3): `+OK`/`-ERR` status lines, and multi-line replies ending
//! with a lone `.`.

use super::WireError;

/// A status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub ok: bool,
    pub text: String,
}

/// Parses `+OK text` or `-ERR text`.
pub fn parse_status(line: &str) -> Result<Status, WireError> {
    let upper = line.get(..4).unwrap_or(line).to_ascii_uppercase();
    if upper.starts_with("+OK") {
        return Ok(Status {
            ok: true,
            text: line[3..].trim_start().to_owned(),
        });
    }
    if upper.starts_with("-ERR") {
        return Ok(Status {
            ok: false,
            text: line[4..].trim_start().to_owned(),
        });
    }
    Err(WireError::Malformed(line.to_owned()))
}

/// One line of a multi-line body: `None` at the terminating `.`, else the line with its
/// byte-stuffing removed.
pub fn body_line(line: &str) -> Option<&str> {
    if line == "." {
        return None;
    }
    Some(line.strip_prefix('.').unwrap_or(line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines() {
        assert_eq!(
            parse_status("+OK Dovecot ready.").unwrap(),
            Status {
                ok: true,
                text: "Dovecot ready.".into()
            }
        );
        assert_eq!(
            parse_status("-ERR [AUTH] Authentication failed.").unwrap(),
            Status {
                ok: false,
                text: "[AUTH] Authentication failed.".into()
            }
        );
        assert_eq!(parse_status("+OK").unwrap().text, "");
        assert!(parse_status("* OK imap").is_err());
        assert!(parse_status("").is_err());
    }

    #[test]
    fn bodies_end_at_the_dot_and_unstuff() {
        assert_eq!(body_line("USER"), Some("USER"));
        assert_eq!(body_line("..hidden"), Some(".hidden"));
        assert_eq!(body_line("."), None);
    }
}
