//! IMAP responses (RFC 9051 §7): untagged `* …` lines and the tagged completion `TAG OK|NO|BAD`.

use super::WireError;
use super::capabilities::Capabilities;

/// How a tagged command ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completion {
    Ok(String),
    No(String),
    Bad(String),
}

/// One response line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImapLine {
    /// `* …`: data, not the end of the command.
    Untagged(String),
    /// `+ …`: the server waits for a continuation (AUTHENTICATE).
    Continuation(String),
    /// The completion of the command with this tag.
    Tagged { tag: String, completion: Completion },
}

/// Parses a response line.
pub fn parse_line(line: &str) -> Result<ImapLine, WireError> {
    if let Some(rest) = line.strip_prefix("* ") {
        return Ok(ImapLine::Untagged(rest.to_owned()));
    }
    if line == "+" || line.starts_with("+ ") {
        return Ok(ImapLine::Continuation(
            line.get(2..).unwrap_or_default().to_owned(),
        ));
    }
    let (tag, rest) = line
        .split_once(' ')
        .ok_or_else(|| WireError::Malformed(line.to_owned()))?;
    let (status, text) = rest.split_once(' ').unwrap_or((rest, ""));
    let text = text.to_owned();
    let completion = match status.to_ascii_uppercase().as_str() {
        "OK" => Completion::Ok(text),
        "NO" => Completion::No(text),
        "BAD" => Completion::Bad(text),
        _ => return Err(WireError::Malformed(line.to_owned())),
    };
    Ok(ImapLine::Tagged {
        tag: tag.to_owned(),
        completion,
    })
}

/// The capability list inside a `[CAPABILITY …]` response code or a `CAPABILITY …` untagged line.
pub fn capabilities_in(untagged: &str) -> Option<Capabilities> {
    let upper = untagged.to_ascii_uppercase();
    if let Some(rest) = upper.strip_prefix("CAPABILITY ") {
        return Some(Capabilities::from_imap_atoms(rest));
    }
    let start = upper.find("[CAPABILITY ")? + "[CAPABILITY ".len();
    let end = upper[start..].find(']')? + start;
    Some(Capabilities::from_imap_atoms(&upper[start..end]))
}

/// The `[ALERT]` text of a response, which RFC 9051 §7.1 says must be shown to the user.
pub fn alert_in(text: &str) -> Option<&str> {
    let start = text.to_ascii_uppercase().find("[ALERT]")?;
    Some(text[start + "[ALERT]".len()..].trim())
}

/// An IMAP quoted string (RFC 9051 §4.3), for LOGIN arguments.
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_classified() {
        assert_eq!(
            parse_line("* OK ready").unwrap(),
            ImapLine::Untagged("OK ready".into())
        );
        assert_eq!(
            parse_line("+ ").unwrap(),
            ImapLine::Continuation(String::new())
        );
        assert_eq!(
            parse_line("a1 NO [AUTHENTICATIONFAILED] Authentication failed.").unwrap(),
            ImapLine::Tagged {
                tag: "a1".into(),
                completion: Completion::No("[AUTHENTICATIONFAILED] Authentication failed.".into())
            }
        );
        assert_eq!(
            parse_line("a2 ok").unwrap(),
            ImapLine::Tagged {
                tag: "a2".into(),
                completion: Completion::Ok(String::new())
            }
        );
        assert!(parse_line("220 smtp").is_err());
        assert!(parse_line("garbage").is_err());
    }

    #[test]
    fn capabilities_come_from_greetings_and_untagged_lines() {
        let caps =
            capabilities_in("OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] Dovecot ready.")
                .unwrap();
        assert!(caps.starttls && caps.login_disabled);
        let caps = capabilities_in("CAPABILITY IMAP4rev1 AUTH=PLAIN").unwrap();
        assert!(caps.auth.contains("PLAIN"));
        assert!(capabilities_in("OK ready").is_none());
    }

    #[test]
    fn alerts_and_quoting() {
        assert_eq!(
            alert_in("[ALERT] Please log in via your web browser"),
            Some("Please log in via your web browser")
        );
        assert_eq!(quoted(r#"pa"ss\word"#), r#""pa\"ss\\word""#);
    }
}
