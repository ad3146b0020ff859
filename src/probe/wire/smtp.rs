//! SMTP replies (RFC 5321 §4.2): `NNN-text` continuation lines ending with one `NNN text`.

use super::WireError;

/// A complete SMTP reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpReply {
    pub code: u16,
    /// The text of each line, without the code and separator.
    pub lines: Vec<String>,
}

impl SmtpReply {
    /// 2xx: the command succeeded.
    pub fn is_positive(&self) -> bool {
        (200..300).contains(&self.code)
    }

    /// The whole reply as one line of text, for transcripts and findings.
    pub fn text(&self) -> String {
        format!("{} {}", self.code, self.lines.join(" / "))
    }
}

/// What one line says about the reply it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmtpLine {
    /// More lines follow.
    Continues { code: u16, text: String },
    /// The last line.
    Last { code: u16, text: String },
}

/// Parses one reply line: three digits, then `-` (more follow), ` ` or nothing (last).
pub fn parse_line(line: &str) -> Result<SmtpLine, WireError> {
    let bytes = line.as_bytes();
    if bytes.len() < 3
        || !bytes[..3].iter().all(u8::is_ascii_digit)
        || !(b'2'..=b'5').contains(&bytes[0])
    {
        return Err(WireError::Malformed(line.to_owned()));
    }
    let code: u16 = line[..3]
        .parse()
        .map_err(|_| WireError::Malformed(line.to_owned()))?;
    match bytes.get(3) {
        Some(b'-') => Ok(SmtpLine::Continues {
            code,
            text: line[4..].to_owned(),
        }),
        Some(b' ') => Ok(SmtpLine::Last {
            code,
            text: line[4..].to_owned(),
        }),
        None => Ok(SmtpLine::Last {
            code,
            text: String::new(),
        }),
        Some(_) => Err(WireError::Malformed(line.to_owned())),
    }
}

/// Collects lines into a reply; `push` answers `Some` once the reply is complete.
#[derive(Debug, Default)]
pub struct ReplyBuilder {
    code: Option<u16>,
    lines: Vec<String>,
}

impl ReplyBuilder {
    pub fn push(&mut self, line: &str) -> Result<Option<SmtpReply>, WireError> {
        let parsed = parse_line(line)?;
        let (code, text, last) = match parsed {
            SmtpLine::Continues { code, text } => (code, text, false),
            SmtpLine::Last { code, text } => (code, text, true),
        };
        // Every line of a multi-line reply carries the same code (RFC 5321 §4.2.1).
        if self.code.is_some_and(|c| c != code) {
            return Err(WireError::Malformed(line.to_owned()));
        }
        self.code = Some(code);
        self.lines.push(text);
        Ok(last.then(|| SmtpReply {
            code,
            lines: std::mem::take(&mut self.lines),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(lines: &[&str]) -> Result<Option<SmtpReply>, WireError> {
        let mut builder = ReplyBuilder::default();
        let mut result = Ok(None);
        for line in lines {
            result = builder.push(line);
            if !matches!(result, Ok(None)) {
                break;
            }
        }
        result
    }

    #[test]
    fn multi_line_replies_end_at_the_space_line() {
        let r = reply(&[
            "250-mail.example.org",
            "250-PIPELINING",
            "250 AUTH PLAIN LOGIN",
        ])
        .unwrap()
        .unwrap();
        assert_eq!(r.code, 250);
        assert_eq!(
            r.lines,
            ["mail.example.org", "PIPELINING", "AUTH PLAIN LOGIN"]
        );
        assert!(r.is_positive());
        assert_eq!(reply(&["250-a", "250-b"]).unwrap(), None);
    }

    #[test]
    fn bare_code_is_a_last_line() {
        assert_eq!(reply(&["220"]).unwrap().unwrap().lines, [""]);
    }

    #[test]
    fn garbage_is_malformed() {
        for bad in [
            "* OK IMAP4rev1 ready",
            "+OK POP3",
            "HTTP/1.1 400 Bad Request",
            "SSH-2.0-OpenSSH",
            "22",
            "220x",
            "999 nope",
        ] {
            assert!(parse_line(bad).is_err(), "{bad}");
        }
        assert!(reply(&["250-a", "251 b"]).is_err(), "codes must agree");
    }
}
