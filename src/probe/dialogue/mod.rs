//! The protocol dialogues, one module per protocol, all with the same shape: finish the
//! greeting, ask for capabilities, ask for STARTTLS, log in, quit. The endpoint runner drives
//! them through the step functions here (the one place that picks the protocol) and owns the
//! stages; these only speak the protocol.

pub(crate) mod imap;
pub(crate) mod pop3;
mod session;
pub(crate) mod smtp;

use std::time::Duration;

use super::observation::{Access, AuthOutcome};
use super::settings::AccessPlan;
use super::wire::capabilities::Capabilities;
use super::wire::greeting::Speaker;
use crate::account::Protocol;
use crate::secret::Credentials;

/// At its old path for the integration tests; the crate itself uses [`crate::secret`].
pub use crate::secret::Secret;
pub use session::{BoxStream, Io, Session, Stop};

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
    plan: &AccessPlan,
    limit: Duration,
) -> Result<Option<Access>, Stop> {
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
