//! SASL responses as the dialogues send them (RFC 4422): what each mechanism says in the clear
//! and in base64. The scrubber derives every form it removes from these same functions, so a
//! mechanism cannot be sent without what it sends being scrubbed from what servers echo.

use base64::Engine;

/// Declares [`Mechanism`] and [`Mechanism::ALL`] from one list, so that no mechanism the
/// dialogues can send is missing from the list the scrubber goes through.
macro_rules! mechanisms {
    ($($(#[$doc:meta])* $variant:ident,)+) => {
        /// A SASL mechanism the dialogues log in with.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Mechanism {
            $($(#[$doc])* $variant,)+
        }

        impl Mechanism {
            /// Every mechanism, so the scrubber removes every form any of them sends.
            pub const ALL: &[Mechanism] = &[$(Mechanism::$variant),+];
        }
    };
}

mechanisms! {
    /// RFC 4616: one response, authzid NUL authcid NUL password.
    Plain,
    /// The user name and the password, each answering a prompt (draft-murchison-sasl-login).
    Login,
    /// An `OAuth2` access token (Google's and Microsoft's format).
    XOauth2,
}

impl Mechanism {
    /// Its name in SMTP's AUTH, IMAP's AUTHENTICATE and POP3's AUTH.
    pub fn name(self) -> &'static str {
        match self {
            Mechanism::Plain => "PLAIN",
            Mechanism::Login => "LOGIN",
            Mechanism::XOauth2 => "XOAUTH2",
        }
    }

    /// The response that carries the secret, before base64. LOGIN's is its answer to the
    /// password prompt (the one to the user name prompt is [`encode`]d user name).
    pub fn clear(self, username: &str, secret: &str) -> String {
        match self {
            Mechanism::Plain => format!("\0{username}\0{secret}"),
            Mechanism::Login => secret.to_owned(),
            Mechanism::XOauth2 => format!("user={username}\x01auth=Bearer {secret}\x01\x01"),
        }
    }

    /// The same response as sent: base64.
    pub fn response(self, username: &str, secret: &str) -> String {
        encode(&self.clear(username, secret))
    }
}

/// Base64 of one value (the standard alphabet, padded), as SASL sends responses.
pub fn encode(value: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sasl_encodings() {
        assert_eq!(Mechanism::Plain.response("alice", "pw"), "AGFsaWNlAHB3");
        assert_eq!(encode("alice"), "YWxpY2U=");
        assert_eq!(Mechanism::Login.response("alice", "alice"), "YWxpY2U=");
        assert!(
            Mechanism::XOauth2
                .response("a", "t")
                .starts_with("dXNlcj1h")
        );
    }
}
