//! Recognising who answered: the first line tells SMTP, IMAP, POP3, HTTP and SSH apart.

/// Whose greeting a first line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speaker {
    /// `220`, or `421`/`554` refusals (RFC 5321 §3.1).
    Smtp {
        code: u16,
    },
    /// `* OK`, `* PREAUTH` or `* BYE` (RFC 9051 §7.1).
    Imap {
        status: ImapStatus,
    },
    /// `+OK` or `-ERR` (RFC 1939 §4).
    Pop3 {
        ok: bool,
    },
    Http,
    Ssh,
    Ftp,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImapStatus {
    Ok,
    Preauth,
    Bye,
}

impl Speaker {
    /// A name for messages: "an SMTP server", "a web server", …
    pub fn describe(self) -> &'static str {
        match self {
            Speaker::Smtp { .. } => "an SMTP (outgoing mail) server",
            Speaker::Imap { .. } => "an IMAP server",
            Speaker::Pop3 { .. } => "a POP3 server",
            Speaker::Http => "a web server",
            Speaker::Ssh => "an SSH server",
            Speaker::Ftp => "an FTP server",
            Speaker::Unknown => "something that is not a mail server",
        }
    }
}

/// Classifies the first line a server sent.
pub fn classify(line: &str) -> Speaker {
    let upper = line.to_ascii_uppercase();
    if upper.starts_with("* OK") {
        return Speaker::Imap {
            status: ImapStatus::Ok,
        };
    }
    if upper.starts_with("* PREAUTH") {
        return Speaker::Imap {
            status: ImapStatus::Preauth,
        };
    }
    if upper.starts_with("* BYE") {
        return Speaker::Imap {
            status: ImapStatus::Bye,
        };
    }
    if upper.starts_with("+OK") {
        return Speaker::Pop3 { ok: true };
    }
    if upper.starts_with("-ERR") {
        return Speaker::Pop3 { ok: false };
    }
    if upper.starts_with("HTTP/") {
        return Speaker::Http;
    }
    if upper.starts_with("SSH-") {
        return Speaker::Ssh;
    }
    let bytes = line.as_bytes();
    if bytes.len() >= 3
        && bytes[..3].iter().all(u8::is_ascii_digit)
        && matches!(bytes.get(3), None | Some(b' ' | b'-'))
    {
        let code: u16 = line[..3].parse().unwrap_or(0);
        // FTP greets with 220 too; its banners say so, and SMTP banners say ESMTP/SMTP.
        if code == 220 && upper.contains("FTP") && !upper.contains("SMTP") {
            return Speaker::Ftp;
        }
        if matches!(code, 220 | 421 | 554) {
            return Speaker::Smtp { code };
        }
    }
    Speaker::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greetings_are_told_apart() {
        let cases = [
            (
                "220 mail.example.org ESMTP Postfix",
                Speaker::Smtp { code: 220 },
            ),
            ("220-mail.example.org ESMTP", Speaker::Smtp { code: 220 }),
            (
                "421 4.3.2 Service not available",
                Speaker::Smtp { code: 421 },
            ),
            ("554 5.7.1 no thanks", Speaker::Smtp { code: 554 }),
            (
                "* OK [CAPABILITY IMAP4rev1] Dovecot ready.",
                Speaker::Imap {
                    status: ImapStatus::Ok,
                },
            ),
            (
                "* PREAUTH ready",
                Speaker::Imap {
                    status: ImapStatus::Preauth,
                },
            ),
            (
                "* BYE too many connections",
                Speaker::Imap {
                    status: ImapStatus::Bye,
                },
            ),
            ("+OK Dovecot ready.", Speaker::Pop3 { ok: true }),
            ("-ERR go away", Speaker::Pop3 { ok: false }),
            ("HTTP/1.1 400 Bad Request", Speaker::Http),
            ("SSH-2.0-OpenSSH_9.2", Speaker::Ssh),
            ("220 ProFTPD Server ready", Speaker::Ftp),
            ("hello", Speaker::Unknown),
            ("250 ok", Speaker::Unknown),
        ];
        for (line, want) in cases {
            assert_eq!(classify(line), want, "{line}");
        }
    }
}
