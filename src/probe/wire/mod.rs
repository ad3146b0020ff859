//! The pure wire layer: parsing server lines and replies, formatting commands.
//! No I/O here, so every parser is unit-tested (and fuzzable) without a network.

pub mod capabilities;
pub mod greeting;
pub(crate) mod imap;
pub(crate) mod pop3;
pub(crate) mod sasl;
pub(crate) mod smtp;
pub mod tls_hello;

use std::fmt::Write as _;
use thiserror::Error;

/// The longest line a probe accepts. RFC 5321 §4.5.3.1.5 allows 512 octets for SMTP replies;
/// IMAP capability lines run longer, so allow a generous multiple before calling it a flood.
pub const MAX_LINE: usize = 8 * 1024;
/// The most a single reply (all its lines) may hold.
pub const MAX_REPLY: usize = 64 * 1024;

/// A reply the probe cannot accept.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WireError {
    #[error("line longer than {MAX_LINE} bytes")]
    LineTooLong,
    #[error("reply longer than {MAX_REPLY} bytes")]
    ReplyTooLong,
    #[error("binary data where text was expected")]
    Binary,
    #[error("malformed reply: \"{}\"", shown(.0))]
    Malformed(String),
    /// A well-formed reply that the protocol does not allow here.
    #[error(
        "the server answered \"{}\" where {expected} was expected",
        shown(reply)
    )]
    Unexpected {
        reply: String,
        expected: &'static str,
    },
}

/// Checks one received line (without its CRLF) for what no mail server sends: NUL and
/// other control bytes. Bytes that are not UTF-8 are kept, escaped.
pub fn text_line(bytes: &[u8]) -> Result<String, WireError> {
    if bytes.len() > MAX_LINE {
        return Err(WireError::LineTooLong);
    }
    if bytes.iter().any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f) {
        return Err(WireError::Binary);
    }
    // Real servers send 8-bit banners (Latin-1 names of towns and firms): text all the same.
    // Bytes that are not UTF-8 are shown as \xNN, so nothing is guessed or lost.
    let mut text = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        // C1 controls and bidi overrides would act on the terminal or reorder what a reader
        // sees (U+202E turns text around): shown as escapes, like C0.
        text.push_str(&screen_safe(chunk.valid()));
        for byte in chunk.invalid() {
            let _ = write!(text, "\\x{byte:02x}");
        }
    }
    Ok(text)
}

/// Text a server chose (a certificate's names) as it may reach a screen: controls of every
/// kind and bidi marks escaped.
pub fn screen_safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || is_terminal_control(c) {
            let _ = write!(out, "\\u{{{:04x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// Characters a server may not put on the user's screen as they are: C1 controls and the
/// bidirectional formatting marks.
fn is_terminal_control(c: char) -> bool {
    matches!(c, '\u{80}'..='\u{9f}' | '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Whether the first bytes a server sent are a TLS record (handshake or alert), which is what
/// an implicit-TLS server answers to a plaintext client that talks first.
pub fn looks_like_tls(bytes: &[u8]) -> bool {
    matches!(bytes, [0x15 | 0x16, 0x03, 0x00..=0x04, ..])
}

/// A server's line as it can be shown: control characters escaped, the rest as sent.
fn shown(line: &str) -> String {
    line.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_reply_is_shown_as_sent_with_control_characters_escaped() {
        assert_eq!(
            WireError::Malformed("Can't \"go\"\t\u{7}".into()).to_string(),
            "malformed reply: \"Can't \"go\"\\t\\u{7}\""
        );
    }

    #[test]
    fn control_bytes_and_invalid_utf8_are_binary() {
        assert_eq!(
            text_line(b"220 mail.example.org ESMTP"),
            Ok("220 mail.example.org ESMTP".into())
        );
        assert_eq!(text_line(b"220 \x00\x01"), Err(WireError::Binary));
        assert_eq!(
            text_line(b"220 Gr\xfc\xdfe aus M\xfcnchen"),
            Ok("220 Gr\\xfc\\xdfe aus M\\xfcnchen".into()),
            "8-bit text is text, its odd bytes shown escaped"
        );
        assert_eq!(
            text_line("220 evil\u{202e}txt.exe \u{9b}31m".as_bytes()),
            Ok("220 evil\\u{202e}txt.exe \\u{009b}31m".into()),
            "bidi overrides and C1 controls are escaped"
        );
        assert_eq!(text_line("220 Grüße".as_bytes()), Ok("220 Grüße".into()));
        assert_eq!(
            text_line(&[b'a'; MAX_LINE + 1]),
            Err(WireError::LineTooLong)
        );
    }

    #[test]
    fn tls_records_are_recognised() {
        assert!(looks_like_tls(&[0x16, 0x03, 0x01, 0x00, 0x2a]));
        assert!(looks_like_tls(&[0x15, 0x03, 0x03, 0x00, 0x02]));
        assert!(!looks_like_tls(b"220 hello"));
        assert!(!looks_like_tls(&[0x16]));
    }
}
