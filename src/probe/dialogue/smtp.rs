//! SMTP submission (RFC 5321, RFC 6409): greeting, EHLO (HELO fallback), STARTTLS
//! (RFC 3207), AUTH (RFC 4954), QUIT.

use std::time::Duration;

use super::super::conn::Shown;
use super::super::wire::WireError;
use super::super::wire::capabilities::Capabilities;
use super::super::wire::smtp::{ReplyBuilder, SmtpReply};
use super::{Credentials, Session, Stop, b64, sasl_plain, sasl_xoauth2};
use crate::probe::observation::AuthOutcome;

/// Reads one complete reply, bounded by `limit` per line and `MAX_REPLY` in total.
pub async fn read_reply(session: &mut Session, limit: Duration) -> Result<SmtpReply, Stop> {
    let mut builder = ReplyBuilder::default();
    let mut size = 0;
    loop {
        let line = session.read_reply_line(limit, &mut size).await?;
        if let Some(reply) = builder.push(&line)? {
            return Ok(reply);
        }
    }
}

/// Finishes a greeting whose first line was already read; a 421/554 greeting is a refusal.
pub async fn greeting_rest(
    session: &mut Session,
    first: &str,
    limit: Duration,
) -> Result<String, Stop> {
    let mut builder = ReplyBuilder::default();
    let mut reply = builder.push(first)?;
    let mut size = first.len() + 2;
    while reply.is_none() {
        let line = session.read_reply_line(limit, &mut size).await?;
        reply = builder.push(&line)?;
    }
    let reply = reply.ok_or_else(|| WireError::Malformed(first.to_owned()))?;
    if reply.code != 220 {
        return Err(Stop::Refused(reply.text()));
    }
    Ok(reply.text())
}

/// EHLO, falling back to HELO when a very old server refuses EHLO. Returns the capabilities and
/// whether HELO was needed.
pub async fn capabilities(
    session: &mut Session,
    client_name: &str,
    limit: Duration,
) -> Result<(Capabilities, bool), Stop> {
    session
        .send(&format!("EHLO {client_name}"), Shown::Command, limit)
        .await?;
    let reply = read_reply(session, limit).await?;
    if reply.is_positive() {
        return Ok((Capabilities::from_ehlo(&reply.lines), false));
    }
    if reply.code >= 500 {
        session
            .send(&format!("HELO {client_name}"), Shown::Command, limit)
            .await?;
        let helo = read_reply(session, limit).await?;
        if helo.is_positive() {
            return Ok((Capabilities::default(), true));
        }
        return Err(Stop::Refused(helo.text()));
    }
    Err(Stop::Refused(reply.text()))
}

/// Asks for STARTTLS; `Ok` means the server is ready for the handshake.
pub async fn starttls(session: &mut Session, limit: Duration) -> Result<(), Stop> {
    session.send("STARTTLS", Shown::Command, limit).await?;
    let reply = read_reply(session, limit).await?;
    if reply.code == 220 {
        Ok(())
    } else {
        Err(Stop::Refused(reply.text()))
    }
}

/// Logs in with the best offered mechanism: XOAUTH2 for tokens; PLAIN, else LOGIN, for passwords.
pub async fn login(
    session: &mut Session,
    caps: &Capabilities,
    creds: &Credentials,
    limit: Duration,
) -> Result<AuthOutcome, Stop> {
    let (mechanism, reply) = if creds.oauth2 {
        let payload = sasl_xoauth2(&creds.username, creds.secret.expose());
        session
            .send(&format!("AUTH XOAUTH2 {payload}"), Shown::Command, limit)
            .await?;
        let mut reply = read_reply(session, limit).await?;
        if reply.code == 334 {
            // The server sent an error as a challenge; an empty line ends the exchange.
            session.send("", Shown::Command, limit).await?;
            reply = read_reply(session, limit).await?;
        }
        ("XOAUTH2", reply)
    } else if caps.auth.contains("PLAIN") || !caps.auth.contains("LOGIN") {
        let payload = sasl_plain(&creds.username, creds.secret.expose());
        session
            .send(&format!("AUTH PLAIN {payload}"), Shown::Command, limit)
            .await?;
        ("PLAIN", read_reply(session, limit).await?)
    } else {
        session.send("AUTH LOGIN", Shown::Command, limit).await?;
        let mut reply = read_reply(session, limit).await?;
        if reply.code == 334 {
            session
                .send(&b64(&creds.username), Shown::Command, limit)
                .await?;
            reply = read_reply(session, limit).await?;
        }
        if reply.code == 334 {
            session
                .send(&b64(creds.secret.expose()), Shown::Secret, limit)
                .await?;
            reply = read_reply(session, limit).await?;
        }
        ("LOGIN", reply)
    };
    // Only 235 says the login worked (RFC 4954 §6); another 2xx is no answer to AUTH.
    if reply.is_positive() && reply.code != 235 {
        return Err(WireError::Unexpected {
            reply: reply.text(),
            expected: "235 (authentication successful)",
        }
        .into());
    }
    Ok(AuthOutcome {
        mechanism: mechanism.to_owned(),
        ok: reply.code == 235,
        reply: reply.text(),
        alerts: Vec::new(),
    })
}

/// Asks whether the server would take a password here without sending one: `AUTH PLAIN`
/// alone, which a willing server answers with 334 (then `*` cancels, RFC 4954 §4) and an
/// unwilling one refuses (nodemailer: "538 Must issue a STARTTLS command first").
pub async fn would_take_password(session: &mut Session, limit: Duration) -> Result<bool, Stop> {
    session.send("AUTH PLAIN", Shown::Command, limit).await?;
    let reply = read_reply(session, limit).await?;
    if reply.code != 334 {
        return Ok(false);
    }
    session.send("*", Shown::Command, limit).await?;
    read_reply(session, limit).await?;
    Ok(true)
}

/// Says goodbye without waiting long for the answer.
pub async fn quit(session: &mut Session, limit: Duration) {
    if session.send("QUIT", Shown::Command, limit).await.is_ok() {
        let _ = read_reply(session, limit).await;
    }
}
