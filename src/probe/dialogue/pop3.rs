//! POP3 (RFC 1939, RFC 2449, RFC 2595): greeting, CAPA, STLS, USER/PASS or AUTH, QUIT.

use std::time::Duration;

use super::session::{Session, Stop};
use crate::probe::conn::Shown;
use crate::probe::observation::{Access, AccessStep, AuthOutcome};
use crate::probe::wire::capabilities::Capabilities;
use crate::probe::wire::pop3::{body_line, parse_status};
use crate::probe::wire::sasl::Mechanism;
use crate::secret::Credentials;

async fn status(session: &mut Session, limit: Duration) -> Result<(bool, String), Stop> {
    let line = session.read_line(limit).await?;
    let status = parse_status(&line)?;
    Ok((status.ok, line))
}

/// A SASL continuation (`+` or `+ base64`), as opposed to `+OK`.
fn is_challenge(line: &str) -> bool {
    line == "+" || line.starts_with("+ ")
}

/// Checks the greeting line: `+OK` goes on, `-ERR` is a refusal.
pub fn greeting(first: &str) -> Result<String, Stop> {
    let status = parse_status(first)?;
    if status.ok {
        Ok(first.to_owned())
    } else {
        Err(Stop::Refused(first.to_owned()))
    }
}

/// Asks, on a connection of its own, whether the server takes a user name before STLS: `USER`
/// with a neutral name, `+OK` or `-ERR`, then QUIT; never a password. CAPA cannot say it
/// (Dovecot lists USER before STLS and refuses it there; Courier takes it).
pub async fn would_take_password(session: &mut Session, limit: Duration) -> Result<bool, Stop> {
    let (greeted, _) = status(session, limit).await?;
    if !greeted {
        return Ok(false);
    }
    session
        .send("USER maildoctor", Shown::Command, limit)
        .await?;
    let (taken, _) = status(session, limit).await?;
    quit(session, limit).await;
    Ok(taken)
}

/// CAPA. A server without CAPA (RFC 1939 only) answers `-ERR`: that is no capabilities, not a failure.
pub async fn capabilities(session: &mut Session, limit: Duration) -> Result<Capabilities, Stop> {
    session.send("CAPA", Shown::Command, limit).await?;
    let (ok, _) = status(session, limit).await?;
    if !ok {
        return Ok(Capabilities::default());
    }
    let mut lines = Vec::new();
    let mut size = 0;
    loop {
        let line = session.read_reply_line(limit, &mut size).await?;
        match body_line(&line) {
            Some(text) => lines.push(text.to_owned()),
            None => return Ok(Capabilities::from_capa(&lines)),
        }
    }
}

/// STLS; `Ok` means the server is ready for the handshake.
pub async fn starttls(session: &mut Session, limit: Duration) -> Result<(), Stop> {
    session.send("STLS", Shown::Command, limit).await?;
    let (ok, line) = status(session, limit).await?;
    if ok { Ok(()) } else { Err(Stop::Refused(line)) }
}

/// AUTH XOAUTH2 for tokens; AUTH PLAIN when offered (with its initial response, RFC 5034:
/// one round trip where USER and PASS take two); else USER/PASS.
pub async fn login(
    session: &mut Session,
    caps: &Capabilities,
    creds: &Credentials,
    limit: Duration,
) -> Result<AuthOutcome, Stop> {
    if creds.oauth2 || caps.auth.contains("PLAIN") {
        let sasl = if creds.oauth2 {
            Mechanism::XOauth2
        } else {
            Mechanism::Plain
        };
        let mechanism = sasl.name();
        let payload = sasl.response(&creds.username, creds.secret.expose());
        // RFC 5034 §4: no initial response when the line would pass 255 octets (XOAUTH2
        // tokens always do); send it after the server's "+" instead.
        let initial = format!("AUTH {mechanism} {payload}");
        let mut line = if initial.len() <= 255 {
            session.send(&initial, Shown::Command, limit).await?;
            session.read_line(limit).await?
        } else {
            session
                .send(&format!("AUTH {mechanism}"), Shown::Command, limit)
                .await?;
            let line = session.read_line(limit).await?;
            if is_challenge(&line) {
                session.send(&payload, Shown::Secret, limit).await?;
                session.read_line(limit).await?
            } else {
                line
            }
        };
        // A challenge now carries the server's error (XOAUTH2): an empty answer ends it.
        let mut challenge = None;
        if is_challenge(&line) {
            challenge = Some(line.trim_start_matches('+').trim().to_owned());
            session.send("", Shown::Secret, limit).await?;
            line = session.read_line(limit).await?;
        }
        let ok = parse_status(&line)?.ok;
        let reply = line;
        return Ok(AuthOutcome {
            mechanism: mechanism.to_owned(),
            ok,
            reply,
            alerts: Vec::new(),
            challenge,
        });
    }
    session
        .send(&format!("USER {}", creds.username), Shown::Command, limit)
        .await?;
    let (ok, reply) = status(session, limit).await?;
    if !ok {
        // Refused before any password was sent: USER itself is not allowed here.
        return Ok(AuthOutcome {
            mechanism: "USER".into(),
            ok,
            reply,
            alerts: Vec::new(),
            challenge: None,
        });
    }
    session
        .send(
            &format!("PASS {}", creds.secret.expose()),
            Shown::Command,
            limit,
        )
        .await?;
    let (ok, reply) = status(session, limit).await?;
    Ok(AuthOutcome {
        mechanism: "USER/PASS".into(),
        ok,
        reply,
        alerts: Vec::new(),
        challenge: None,
    })
}

/// After the login: STAT, the mailbox's message count and size. A locked mailbox (another
/// client is reading it, RFC 2449 `[IN-USE]`) usually says so at PASS already; STAT is where
/// a server that opens the mailbox late says it.
pub async fn stat(session: &mut Session, limit: Duration) -> Result<Access, Stop> {
    session.send("STAT", Shown::Command, limit).await?;
    let (ok, reply) = status(session, limit).await?;
    let messages = ok
        .then(|| reply.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        .flatten();
    Ok(Access {
        steps: vec![AccessStep {
            command: "STAT".into(),
            ok,
            reply,
        }],
        messages,
        queued: None,
    })
}

/// QUIT, its reply not awaited (as SMTP's).
pub async fn quit(session: &mut Session, limit: Duration) {
    let _ = session.send("QUIT", Shown::Command, limit).await;
}
