//! Capabilities as the three protocols announce them, parsed into one shape.

use std::collections::BTreeSet;

/// What a server says it can do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// Every keyword, uppercased, without its arguments (`SIZE`, `PIPELINING`, `IDLE`, …).
    pub keywords: BTreeSet<String>,
    /// SASL mechanisms offered, uppercased (`PLAIN`, `LOGIN`, `XOAUTH2`, …).
    pub auth: BTreeSet<String>,
    /// STARTTLS (SMTP, IMAP) or STLS (POP3) is offered.
    pub starttls: bool,
    /// IMAP `LOGINDISABLED`: no LOGIN until the connection is encrypted.
    pub login_disabled: bool,
    /// POP3 `USER`: plain USER/PASS login is offered.
    pub user_pass: bool,
    /// SMTP `SIZE` limit in bytes, when announced.
    pub size: Option<u64>,
}

impl Capabilities {
    /// From an SMTP EHLO reply's lines (the first line is the server's name).
    pub fn from_ehlo(lines: &[String]) -> Capabilities {
        let mut caps = Capabilities::default();
        for line in lines.iter().skip(1) {
            let mut words = line.split_whitespace();
            let Some(keyword) = words.next().map(str::to_ascii_uppercase) else {
                continue;
            };
            // Old servers write `AUTH=LOGIN PLAIN` (pre-RFC 4954 Outlook Express style).
            if let Some(rest) = keyword.strip_prefix("AUTH=") {
                caps.auth.extend(
                    std::iter::once(rest.to_owned())
                        .chain(words.map(str::to_ascii_uppercase))
                        .filter(|m| !m.is_empty()),
                );
                caps.keywords.insert("AUTH".into());
                continue;
            }
            match keyword.as_str() {
                "AUTH" => caps.auth.extend(words.map(str::to_ascii_uppercase)),
                "STARTTLS" => caps.starttls = true,
                "SIZE" => caps.size = words.next().and_then(|n| n.parse().ok()),
                _ => {}
            }
            caps.keywords.insert(keyword);
        }
        caps
    }

    /// From IMAP capability atoms (`* CAPABILITY …` or a `[CAPABILITY …]` response code).
    pub fn from_imap_atoms(atoms: &str) -> Capabilities {
        let mut caps = Capabilities::default();
        for atom in atoms.split_whitespace().map(str::to_ascii_uppercase) {
            if let Some(mechanism) = atom.strip_prefix("AUTH=") {
                caps.auth.insert(mechanism.to_owned());
                continue;
            }
            match atom.as_str() {
                "STARTTLS" => caps.starttls = true,
                "LOGINDISABLED" => caps.login_disabled = true,
                _ => {}
            }
            caps.keywords.insert(atom);
        }
        caps
    }

    /// From the lines of a POP3 CAPA reply (RFC 2449), without the status and the final dot.
    pub fn from_capa(lines: &[String]) -> Capabilities {
        let mut caps = Capabilities::default();
        for line in lines {
            let mut words = line.split_whitespace();
            let Some(keyword) = words.next().map(str::to_ascii_uppercase) else {
                continue;
            };
            match keyword.as_str() {
                "SASL" => caps.auth.extend(words.map(str::to_ascii_uppercase)),
                "STLS" => caps.starttls = true,
                "USER" => caps.user_pass = true,
                _ => {}
            }
            caps.keywords.insert(keyword);
        }
        caps
    }

    /// Whether a password can be sent by some offered means (SASL PLAIN/LOGIN, IMAP LOGIN, POP3 USER).
    pub fn offers_password(&self) -> bool {
        self.auth.contains("PLAIN") || self.auth.contains("LOGIN") || self.user_pass
    }

    /// Whether `OAuth2` is offered.
    pub fn offers_oauth2(&self) -> bool {
        self.auth.contains("XOAUTH2") || self.auth.contains("OAUTHBEARER")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn ehlo_keywords_and_mechanisms() {
        let caps = Capabilities::from_ehlo(&lines(&[
            "mail.example.org",
            "PIPELINING",
            "SIZE 10240000",
            "STARTTLS",
            "AUTH PLAIN LOGIN",
            "AUTH=LOGIN PLAIN",
            "8BITMIME",
        ]));
        assert!(caps.starttls);
        assert_eq!(caps.size, Some(10_240_000));
        assert_eq!(
            caps.auth.iter().map(String::as_str).collect::<Vec<_>>(),
            ["LOGIN", "PLAIN"]
        );
        assert!(caps.keywords.contains("PIPELINING") && caps.keywords.contains("8BITMIME"));
        assert!(caps.offers_password() && !caps.offers_oauth2());
    }

    #[test]
    fn imap_atoms() {
        let caps = Capabilities::from_imap_atoms(
            "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS LOGINDISABLED AUTH=XOAUTH2",
        );
        assert!(caps.starttls && caps.login_disabled);
        assert!(caps.offers_oauth2() && !caps.offers_password());
        assert!(caps.keywords.contains("IDLE"));
    }

    #[test]
    fn pop3_capa() {
        let caps = Capabilities::from_capa(&lines(&[
            "TOP",
            "UIDL",
            "RESP-CODES",
            "USER",
            "SASL PLAIN LOGIN",
            "STLS",
        ]));
        assert!(caps.starttls && caps.user_pass);
        assert!(caps.auth.contains("PLAIN"));
    }
}
