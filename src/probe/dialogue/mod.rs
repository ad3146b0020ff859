//! The protocol dialogues, one module per protocol, all with the same shape: finish the
//! greeting, ask for capabilities, ask for STARTTLS, log in, quit. The endpoint runner drives
//! them through the step functions here (the one place that picks the protocol) and owns the
//! stages; these only speak the protocol.

pub(crate) mod imap;
pub(crate) mod pop3;
pub(crate) mod smtp;

use std::fmt;

use thiserror::Error;
use tokio::io::{AsyncRead, AsyncWrite};

use std::time::Duration;

use super::conn::{Conn, ConnError};
use super::observation::AuthOutcome;
use super::wire::WireError;
use super::wire::capabilities::Capabilities;
use super::wire::greeting::Speaker;
use crate::account::Protocol;

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

/// A password or an `OAuth2` token: never printed, never logged.
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
    /// The secret is an `OAuth2` access token (XOAUTH2) rather than a password.
    pub oauth2: bool,
}

/// A greeting that lets the dialogue go on.
pub struct Greeting {
    pub text: String,
    /// Capabilities the greeting carried (IMAP's `* OK [CAPABILITY …]`).
    pub capabilities: Option<Capabilities>,
}

/// Whether a greeting's speaker is the protocol we came for.
pub fn speaks(protocol: Protocol, speaker: Speaker) -> bool {
    matches!(
        (protocol, speaker),
        (Protocol::Smtp, Speaker::Smtp { .. })
            | (Protocol::Imap, Speaker::Imap { .. })
            | (Protocol::Pop3, Speaker::Pop3 { .. })
    )
}

/// Finishes the greeting whose first line was read; a refusal is `Stop::Refused`.
pub async fn greeting(
    protocol: Protocol,
    session: &mut Session,
    first: &str,
    limit: Duration,
) -> Result<Greeting, Stop> {
    let (text, capabilities) = match protocol {
        Protocol::Smtp => (smtp::greeting_rest(session, first, limit).await?, None),
        Protocol::Imap => imap::greeting(first)?,
        Protocol::Pop3 => (pop3::greeting(first)?, None),
    };
    Ok(Greeting { text, capabilities })
}

/// Asks for the capabilities. Returns them and whether SMTP had to fall back to HELO. An IMAP
/// server that announced them in its greeting (`* OK [CAPABILITY …]`) is not asked again:
/// RFC 9051 §7.1 lets a client use them, and a round trip is saved.
pub async fn capabilities(
    protocol: Protocol,
    session: &mut Session,
    client_name: &str,
    from_greeting: Option<Capabilities>,
    limit: Duration,
) -> Result<(Capabilities, bool), Stop> {
    match protocol {
        Protocol::Smtp => smtp::capabilities(session, client_name, limit).await,
        Protocol::Imap => match from_greeting {
            Some(caps) => Ok((caps, false)),
            None => Ok((imap::capabilities(session, limit).await?, false)),
        },
        Protocol::Pop3 => Ok((pop3::capabilities(session, limit).await?, false)),
    }
}

/// Asks for STARTTLS (STLS in POP3); `Ok` means the server is ready for the handshake.
pub async fn starttls(
    protocol: Protocol,
    session: &mut Session,
    limit: Duration,
) -> Result<(), Stop> {
    match protocol {
        Protocol::Smtp => smtp::starttls(session, limit).await,
        Protocol::Imap => imap::starttls(session, limit).await,
        Protocol::Pop3 => pop3::starttls(session, limit).await,
    }
}

/// Whether the server would take a password before STARTTLS, asked without sending one on a
/// connection of its own (`session` is fresh, not yet greeted), so the main dialogue need not
/// wait for it: it runs beside the upgrade. A connection of its own also keeps the question
/// out of the dialogue being judged (after POP3's USER some servers refuse STLS).
pub async fn would_take_password(
    protocol: Protocol,
    session: &mut Session,
    client_name: &str,
    limit: Duration,
) -> Result<bool, Stop> {
    match protocol {
        Protocol::Smtp => smtp::would_take_password(session, client_name, limit).await,
        Protocol::Imap => imap::would_take_password(session, limit).await,
        Protocol::Pop3 => pop3::would_take_password(session, limit).await,
    }
}

/// Logs in with the best method the capabilities allow.
pub async fn login(
    protocol: Protocol,
    session: &mut Session,
    caps: &Capabilities,
    creds: &Credentials,
    limit: Duration,
) -> Result<AuthOutcome, Stop> {
    match protocol {
        Protocol::Smtp => smtp::login(session, caps, creds, limit).await,
        Protocol::Imap => imap::login(session, caps, creds, limit).await,
        Protocol::Pop3 => pop3::login(session, caps, creds, limit).await,
    }
}

/// After a login, what the account may do: send as its sender (SMTP), read its mailbox (IMAP,
/// POP3). `None` when there is nothing to ask (SMTP without a sender to ask about).
pub async fn access(
    protocol: Protocol,
    session: &mut Session,
    caps: &Capabilities,
    plan: &super::settings::AccessPlan,
    limit: Duration,
) -> Result<Option<super::observation::Access>, Stop> {
    Ok(Some(match protocol {
        Protocol::Smtp => {
            let Some(from) = plan.from.as_deref() else {
                return Ok(None);
            };
            smtp::may_send(session, caps, from, plan, limit).await?
        }
        Protocol::Imap => imap::examine_inbox(session, limit).await?,
        Protocol::Pop3 => pop3::stat(session, limit).await?,
    }))
}

/// Says goodbye; errors do not matter any more.
pub async fn quit(protocol: Protocol, session: &mut Session, limit: Duration) {
    match protocol {
        Protocol::Smtp => smtp::quit(session, limit).await,
        Protocol::Imap => imap::quit(session, limit).await,
        Protocol::Pop3 => pop3::quit(session, limit).await,
    }
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
