//! The three mail protocols and the encryption modes a client can pick for them.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A mail protocol maildoctor checks: submission (SMTP) and the two retrieval protocols.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Smtp,
    Imap,
    Pop3,
}

impl Protocol {
    /// All protocols, in the order the panes and reports show them (outgoing first).
    pub const ALL: [Protocol; 3] = [Protocol::Smtp, Protocol::Imap, Protocol::Pop3];

    /// The lowercase word used in specs, files and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Smtp => "smtp",
            Protocol::Imap => "imap",
            Protocol::Pop3 => "pop3",
        }
    }

    /// The name people read in settings dialogs.
    pub fn label(self) -> &'static str {
        match self {
            Protocol::Smtp => "SMTP",
            Protocol::Imap => "IMAP",
            Protocol::Pop3 => "POP3",
        }
    }

    /// "an SMTP", "an IMAP", "a POP3": the label with its article, for sentences.
    pub fn with_article(self) -> &'static str {
        match self {
            Protocol::Smtp => "an SMTP",
            Protocol::Imap => "an IMAP",
            Protocol::Pop3 => "a POP3",
        }
    }

    /// Whether the protocol fetches mail (IMAP, POP3) rather than sends it.
    pub fn is_incoming(self) -> bool {
        !matches!(self, Protocol::Smtp)
    }

    /// The port and security used when a spec gives neither.
    pub fn default_endpoint(self) -> (u16, Security) {
        match self {
            Protocol::Smtp => (587, Security::Starttls),
            Protocol::Imap => (993, Security::Tls),
            Protocol::Pop3 => (995, Security::Tls),
        }
    }

    /// The port that goes with a security mode when a spec names only the mode.
    pub fn default_port(self, security: Security) -> u16 {
        match (self, security) {
            (Protocol::Smtp, Security::Tls) => 465,
            (Protocol::Smtp, _) => 587,
            (Protocol::Imap, Security::Tls) => 993,
            (Protocol::Imap, _) => 143,
            (Protocol::Pop3, Security::Tls) => 995,
            (Protocol::Pop3, _) => 110,
        }
    }

    /// The security a well-known port of this protocol implies, if the port is one of them.
    /// Port 25 counts: it is SMTP's relay port, where STARTTLS is the only upgrade.
    pub fn standard_security(self, port: u16) -> Option<Security> {
        match (self, port) {
            (Protocol::Smtp, 465) | (Protocol::Imap, 993) | (Protocol::Pop3, 995) => {
                Some(Security::Tls)
            }
            (Protocol::Smtp, 587 | 25) | (Protocol::Imap, 143) | (Protocol::Pop3, 110) => {
                Some(Security::Starttls)
            }
            _ => None,
        }
    }

    /// The valid port/security pairings a user should type, preferred first.
    pub fn standard_pairs(self) -> [(u16, Security); 2] {
        match self {
            Protocol::Smtp => [(587, Security::Starttls), (465, Security::Tls)],
            Protocol::Imap => [(993, Security::Tls), (143, Security::Starttls)],
            Protocol::Pop3 => [(995, Security::Tls), (110, Security::Starttls)],
        }
    }

    /// Which protocol a well-known port belongs to.
    pub fn of_port(port: u16) -> Option<Protocol> {
        match port {
            25 | 465 | 587 => Some(Protocol::Smtp),
            143 | 993 => Some(Protocol::Imap),
            110 | 995 => Some(Protocol::Pop3),
            _ => None,
        }
    }

    /// Which protocol a host name's first label suggests (`imap.`, `pop.`, `smtp.` …).
    pub fn of_host_prefix(host: &str) -> Option<Protocol> {
        let first = host.split('.').next().unwrap_or_default();
        match first {
            "smtp" | "smtps" | "submission" | "smtp-mail" | "outbound" | "send" => {
                Some(Protocol::Smtp)
            }
            "imap" | "imaps" | "imap-mail" => Some(Protocol::Imap),
            "pop" | "pop3" | "pops" | "pop3s" | "pop-mail" => Some(Protocol::Pop3),
            _ => None,
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl std::str::FromStr for Protocol {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "smtp" => Ok(Protocol::Smtp),
            "imap" => Ok(Protocol::Imap),
            "pop3" | "pop" => Ok(Protocol::Pop3),
            other => Err(format!(
                "unknown protocol \"{other}\" (expected smtp, imap or pop3)"
            )),
        }
    }
}

/// How a connection is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// TLS from the first byte ("SSL/TLS" in mail clients; ports 465, 993, 995).
    Tls,
    /// A plaintext greeting, then an upgrade with STARTTLS/STLS (ports 587, 143, 110).
    Starttls,
    /// No encryption at all.
    Plain,
}

impl Security {
    /// The word used in specs, files and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Security::Tls => "tls",
            Security::Starttls => "starttls",
            Security::Plain => "plain",
        }
    }

    /// The name mail clients show in their encryption drop-down.
    pub fn label(self) -> &'static str {
        match self {
            Security::Tls => "SSL/TLS",
            Security::Starttls => "STARTTLS",
            Security::Plain => "no encryption",
        }
    }

    /// Parses the words people type: `tls`, `ssl`, `implicit`, `starttls`, `stls`, `plain`, `none`.
    pub fn from_word(word: &str) -> Option<Security> {
        match word.to_ascii_lowercase().as_str() {
            "tls" | "ssl" | "implicit" | "ssl/tls" => Some(Security::Tls),
            "starttls" | "stls" => Some(Security::Starttls),
            "plain" | "none" => Some(Security::Plain),
            _ => None,
        }
    }
}

impl fmt::Display for Security {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_words_map_to_modes() {
        for (word, want) in [
            ("tls", Security::Tls),
            ("SSL", Security::Tls),
            ("implicit", Security::Tls),
            ("starttls", Security::Starttls),
            ("STLS", Security::Starttls),
            ("plain", Security::Plain),
            ("none", Security::Plain),
        ] {
            assert_eq!(Security::from_word(word), Some(want), "{word}");
        }
        assert_eq!(Security::from_word("tsl"), None);
    }

    #[test]
    fn default_ports_follow_security() {
        assert_eq!(Protocol::Smtp.default_port(Security::Tls), 465);
        assert_eq!(Protocol::Smtp.default_port(Security::Plain), 587);
        assert_eq!(Protocol::Imap.default_port(Security::Starttls), 143);
        assert_eq!(Protocol::Pop3.default_port(Security::Plain), 110);
        assert_eq!(Protocol::Pop3.default_port(Security::Tls), 995);
    }

    #[test]
    fn host_prefix_names_a_protocol() {
        assert_eq!(
            Protocol::of_host_prefix("imap.gmail.com"),
            Some(Protocol::Imap)
        );
        assert_eq!(
            Protocol::of_host_prefix("pop3.live.com"),
            Some(Protocol::Pop3)
        );
        assert_eq!(
            Protocol::of_host_prefix("smtp.office365.com"),
            Some(Protocol::Smtp)
        );
        assert_eq!(Protocol::of_host_prefix("outlook.office365.com"), None);
    }
}
