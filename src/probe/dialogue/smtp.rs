//! SMTP submission (RFC 5321, RFC 6409): greeting, EHLO (HELO fallback), STARTTLS
//! (RFC 3207), AUTH (RFC 4954), QUIT.

use std::time::Duration;

use super::session::{Session, Stop};
use crate::probe::conn::Shown;
use crate::probe::observation::{Access, AccessStep, AuthOutcome};
use crate::probe::settings::AccessPlan;
use crate::probe::wire::WireError;
use crate::probe::wire::capabilities::Capabilities;
use crate::probe::wire::sasl::{self, Mechanism};
use crate::probe::wire::smtp::{ReplyBuilder, SmtpReply};
use crate::secret::Credentials;

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
    let mut challenge = None;
    let (user, secret) = (&creds.username, creds.secret.expose());
    let mechanism = if creds.oauth2 {
        Mechanism::XOauth2
    } else if caps.auth.contains("PLAIN") || !caps.auth.contains("LOGIN") {
        Mechanism::Plain
    } else {
        Mechanism::Login
    };
    let name = mechanism.name();
    let reply = match mechanism {
        Mechanism::XOauth2 => {
            let payload = mechanism.response(user, secret);
            session
                .send(&format!("AUTH {name} {payload}"), Shown::Command, limit)
                .await?;
            let mut reply = read_reply(session, limit).await?;
            if reply.code == 334 {
                // The server sent an error as a challenge; an empty line ends the exchange.
                challenge = Some(reply.lines.join(""));
                session.send("", Shown::Command, limit).await?;
                reply = read_reply(session, limit).await?;
            }
            reply
        }
        Mechanism::Plain => {
            let payload = mechanism.response(user, secret);
            session
                .send(&format!("AUTH {name} {payload}"), Shown::Command, limit)
                .await?;
            read_reply(session, limit).await?
        }
        Mechanism::Login => {
            session
                .send(&format!("AUTH {name}"), Shown::Command, limit)
                .await?;
            let mut reply = read_reply(session, limit).await?;
            if reply.code == 334 {
                session
                    .send(&sasl::encode(user), Shown::Command, limit)
                    .await?;
                reply = read_reply(session, limit).await?;
            }
            if reply.code == 334 {
                session
                    .send(&mechanism.response(user, secret), Shown::Secret, limit)
                    .await?;
                reply = read_reply(session, limit).await?;
            }
            reply
        }
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
        mechanism: name.to_owned(),
        ok: reply.code == 235,
        reply: reply.text(),
        alerts: Vec::new(),
        challenge,
    })
}

/// Asks, on a connection of its own, whether the server would take a password before
/// STARTTLS without sending one: greeting, EHLO, then `AUTH PLAIN` alone, which a willing
/// server answers with 334 (then `*` cancels, RFC 4954 §4) and an unwilling one refuses
/// (nodemailer: "538 Must issue a STARTTLS command first"). The cancel and QUIT go out
/// together and their replies are not awaited: the 334 was the answer.
pub async fn would_take_password(
    session: &mut Session,
    client_name: &str,
    limit: Duration,
) -> Result<bool, Stop> {
    if read_reply(session, limit).await?.code != 220 {
        return Ok(false);
    }
    session
        .send(&format!("EHLO {client_name}"), Shown::Command, limit)
        .await?;
    if !read_reply(session, limit).await?.is_positive() {
        quit(session, limit).await;
        return Ok(false);
    }
    session.send("AUTH PLAIN", Shown::Command, limit).await?;
    let willing = read_reply(session, limit).await?.code == 334;
    if willing {
        session.send_all(&["*", "QUIT"], limit).await?;
    } else {
        quit(session, limit).await;
    }
    Ok(willing)
}

/// After the login: would the server take mail from `plan.from` to `plan.rcpt`? `MAIL FROM`
/// and `RCPT TO`, then `RSET` — one round trip when the server pipelines (RFC 2920). `DATA`
/// goes out only with `send_test`, and only when both were taken.
pub async fn may_send(
    session: &mut Session,
    caps: &Capabilities,
    from: &str,
    plan: &AccessPlan,
    limit: Duration,
) -> Result<Access, Stop> {
    let rcpt = plan.rcpt.as_deref().unwrap_or(from);
    let mail = format!("MAIL FROM:<{from}>");
    let to = format!("RCPT TO:<{rcpt}>");
    let mut access = Access::default();
    let step = |command: &str, reply: &SmtpReply| AccessStep {
        command: command.to_owned(),
        ok: reply.is_positive(),
        reply: reply.text(),
    };
    if caps.keywords.contains("PIPELINING") {
        let mut lines = vec![mail.as_str(), to.as_str()];
        if !plan.send_test {
            lines.push("RSET");
        }
        session.send_all(&lines, limit).await?;
        let sender = read_reply(session, limit).await?;
        let recipient = read_reply(session, limit).await?;
        access.steps.push(step(&mail, &sender));
        access.steps.push(step(&to, &recipient));
        if !plan.send_test {
            read_reply(session, limit).await?;
            return Ok(access);
        }
    } else {
        session.send(&mail, Shown::Command, limit).await?;
        let sender = read_reply(session, limit).await?;
        access.steps.push(step(&mail, &sender));
        if sender.is_positive() {
            session.send(&to, Shown::Command, limit).await?;
            let recipient = read_reply(session, limit).await?;
            access.steps.push(step(&to, &recipient));
        }
        if !plan.send_test {
            session.send("RSET", Shown::Command, limit).await?;
            read_reply(session, limit).await?;
            return Ok(access);
        }
    }
    if !access.steps.iter().all(|s| s.ok) || access.steps.len() < 2 {
        session.send("RSET", Shown::Command, limit).await?;
        read_reply(session, limit).await?;
        return Ok(access);
    }
    session.send("DATA", Shown::Command, limit).await?;
    let go = read_reply(session, limit).await?;
    if go.code != 354 {
        access.steps.push(step("DATA", &go));
        return Ok(access);
    }
    let message = test_message(from, rcpt, jiff::Timestamp::now());
    let lines: Vec<&str> = message.lines().chain(std::iter::once(".")).collect();
    session.send_all(&lines, limit).await?;
    let queued = read_reply(session, limit).await?;
    access.queued = queued.is_positive().then(|| queue_id(&queued.text()));
    access.steps.push(step("DATA", &queued));
    Ok(access)
}

/// The test message `--send-test` sends: plain text that says what it is, so nobody
/// mistakes it for anything else. No line starts with a dot (no dot-stuffing needed).
pub fn test_message(from: &str, rcpt: &str, at: jiff::Timestamp) -> String {
    let date = at.strftime("%a, %d %b %Y %H:%M:%S +0000");
    let domain = from
        .rsplit_once('@')
        .map_or("maildoctor.invalid", |(_, d)| d);
    format!(
        "From: <{from}>\r\nTo: <{rcpt}>\r\nSubject: maildoctor test message\r\nDate: {date}\r\nMessage-ID: <maildoctor-{}@{domain}>\r\nX-Mailer: maildoctor {}\r\nAuto-Submitted: auto-generated\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nThis is a test message from maildoctor --send-test: it checks that this account\r\nmay send mail through this server. Nothing else was sent. It can be deleted.\r\n",
        at.as_millisecond(),
        env!("CARGO_PKG_VERSION")
    )
}

/// The queue id in a server's reply to a message: Postfix "queued as 4Xk2", Exim "id=1r…",
/// else the reply's text after its status words.
pub fn queue_id(reply: &str) -> String {
    if let Some((_, rest)) = reply.split_once("queued as ") {
        return rest.split_whitespace().next().unwrap_or(rest).to_owned();
    }
    if let Some((_, rest)) = reply.split_once("id=") {
        return rest.split_whitespace().next().unwrap_or(rest).to_owned();
    }
    reply
        .split_whitespace()
        .skip_while(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Says goodbye. The reply is not awaited: the verdict is known, and a late "221" is not a
/// fact anyone needs (a round trip saved on every check).
pub async fn quit(session: &mut Session, limit: Duration) {
    let _ = session.send("QUIT", Shown::Command, limit).await;
}
