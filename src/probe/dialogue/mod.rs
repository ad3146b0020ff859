//! The protocol dialogues, one module per protocol, all with the same shape: finish the
//! greeting, ask for capabilities, ask for STARTTLS, log in, quit. The endpoint runner drives
//! them and owns the stages; these only speak the protocol.

pub mod imap;
pub mod pop3;
pub mod smtp;

use std::fmt;

use thiserror::Error;
use tokio::io::{AsyncRead, AsyncWrite};

use super::conn::{Conn, ConnError};
use super::wire::WireError;

/// Any stream a dialogue runs over: plain TCP, TLS, or a test pipe.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// A boxed stream, so STARTTLS can swap plain TCP for TLS under the same connection type.
pub type BoxStream = Box<dyn Io>;

/// The connection every dialogue uses.
pub type Session = Conn<BoxStream>;

/// Why a dialogue step stopped.
#[derive(Debug, Error)]
pub enum Stop {
    #[error(transparent)]
    Conn(#[from] ConnError),
    /// The server refused (a 4xx/5xx reply, `NO`/`BAD`, `-ERR`), with its exact words.
    #[error("the server answered: {0}")]
    Refused(String),
}

impl From<WireError> for Stop {
    fn from(e: WireError) -> Stop {
        Stop::Conn(ConnError::Wire(e))
    }
}

/// A password or an OAuth2 token: never printed, never logged.
/// Its memory is wiped when it is dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(zeroize::Zeroizing<String>);

impl Secret {
    pub fn new(value: String) -> Secret {
        Secret(zeroize::Zeroizing::new(value))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// What a login needs.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub username: String,
    pub secret: Secret,
    /// The secret is an OAuth2 access token (XOAUTH2) rather than a password.
    pub oauth2: bool,
}

/// SASL PLAIN's initial response (RFC 4616): authzid NUL authcid NUL password, base64.
pub fn sasl_plain(username: &str, password: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("\0{username}\0{password}"))
}

/// XOAUTH2's initial response, base64 (Google's and Microsoft's format).
pub fn sasl_xoauth2(username: &str, token: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .encode(format!("user={username}\x01auth=Bearer {token}\x01\x01"))
}

/// Base64 of one value (SMTP AUTH LOGIN prompts).
pub fn b64(value: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sasl_encodings() {
        assert_eq!(sasl_plain("alice", "pw"), "AGFsaWNlAHB3");
        assert_eq!(b64("alice"), "YWxpY2U=");
        assert!(sasl_xoauth2("a", "t").starts_with("dXNlcj1h"));
        assert_eq!(
            format!("{:?}", Secret::new("hunter2".into())),
            "Secret(<redacted>)"
        );
    }
}
