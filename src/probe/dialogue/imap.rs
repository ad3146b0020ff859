//! IMAP (RFC 9051, RFC 3501): greeting, CAPABILITY, STARTTLS, LOGIN or AUTHENTICATE, LOGOUT.

use std::time::Duration;

use super::super::conn::Shown;
use super::super::wire::WireError;
use super::super::wire::capabilities::Capabilities;
use super::super::wire::imap::{Completion, ImapLine, capabilities_in, parse_line, quoted};
use super::{Credentials, Session, Stop, sasl_plain, sasl_xoauth2};
use crate::probe::observation::AuthOutcome;

/// Runs one tagged command; returns the untagged lines and the completion.
async fn command(
    session: &mut Session,
    tag: &str,
    text: &str,
    shown: Shown,
    limit: Duration,
) -> Result<(Vec<String>, Completion), Stop> {
    command_answering(session, tag, text, shown, None, limit).await
}

/// Runs one tagged command. The first `+` challenge gets `answer` (a SASL response, recorded as
/// a secret); any further one, or one nobody expected, gets an empty line, which cancels.
async fn command_answering(
    session: &mut Session,
    tag: &str,
    text: &str,
    shown: Shown,
    mut answer: Option<String>,
    limit: Duration,
) -> Result<(Vec<String>, Completion), Stop> {
    session.send(&format!("{tag} {text}"), shown, limit).await?;
    let mut untagged = Vec::new();
    let mut size = 0;
    loop {
        let line = session.read_reply_line(limit, &mut size).await?;
        match parse_line(&line)? {
            ImapLine::Untagged(text) => untagged.push(text),
            ImapLine::Tagged { tag: t, completion } if t == tag => {
                return Ok((untagged, completion));
            }
            ImapLine::Tagged { .. } => return Err(WireError::Malformed(line).into()),
            ImapLine::Continuation(_) => {
                let response = answer.take().unwrap_or_default();
                session.send(&response, Shown::Secret, limit).await?;
            }
        }
    }
}

/// Checks the greeting line: `* OK` and `* PREAUTH` go on, `* BYE` is a refusal. Returns the
/// text and any capabilities the greeting carried.
pub fn greeting(first: &str) -> Result<(String, Option<Capabilities>), Stop> {
    match parse_line(first)? {
        ImapLine::Untagged(text) if text.to_ascii_uppercase().starts_with("BYE") => {
            Err(Stop::Refused(first.to_owned()))
        }
        ImapLine::Untagged(text) => {
            let caps = capabilities_in(&text);
            Ok((first.to_owned(), caps))
        }
        _ => Err(WireError::Malformed(first.to_owned()).into()),
    }
}

/// CAPABILITY.
pub async fn capabilities(session: &mut Session, limit: Duration) -> Result<Capabilities, Stop> {
    let (untagged, completion) =
        command(session, "a1", "CAPABILITY", Shown::Command, limit).await?;
    match completion {
        Completion::Ok(_) => Ok(untagged
            .iter()
            .find_map(|line| capabilities_in(line))
            .unwrap_or_default()),
        Completion::No(text) | Completion::Bad(text) => Err(Stop::Refused(text)),
    }
}

/// STARTTLS; `Ok` means the server is ready for the handshake.
pub async fn starttls(session: &mut Session, limit: Duration) -> Result<(), Stop> {
    match command(session, "a2", "STARTTLS", Shown::Command, limit)
        .await?
        .1
    {
        Completion::Ok(_) => Ok(()),
        Completion::No(text) | Completion::Bad(text) => Err(Stop::Refused(format!("a2 {text}"))),
    }
}

/// LOGIN, or AUTHENTICATE PLAIN when LOGINDISABLED, or AUTHENTICATE XOAUTH2 for tokens.
pub async fn login(
    session: &mut Session,
    caps: &Capabilities,
    creds: &Credentials,
    limit: Duration,
) -> Result<AuthOutcome, Stop> {
    let user = &creds.username;
    let secret = creds.secret.expose();
    // Quoted strings are 7-bit without CR/LF (RFC 3501 §4.3): other passwords go by SASL.
    let quotable = |s: &str| s.is_ascii() && !s.contains(['\r', '\n']);
    let (mechanism, payload) = if creds.oauth2 {
        ("XOAUTH2", Some(sasl_xoauth2(user, secret)))
    } else if caps.login_disabled || !(quotable(user) && quotable(secret)) {
        ("PLAIN", Some(sasl_plain(user, secret)))
    } else {
        ("LOGIN", None)
    };
    let completion = match payload {
        None => {
            let text = format!("LOGIN {} {}", quoted(user), quoted(secret));
            command(session, "a3", &text, Shown::Command, limit)
                .await?
                .1
        }
        // With SASL-IR (RFC 4959, part of IMAP4rev2) the response rides on the command;
        // otherwise it answers the server's "+".
        Some(payload)
            if caps.keywords.contains("SASL-IR") || caps.keywords.contains("IMAP4REV2") =>
        {
            let text = format!("AUTHENTICATE {mechanism} {payload}");
            command(session, "a3", &text, Shown::Command, limit)
                .await?
                .1
        }
        Some(payload) => {
            let text = format!("AUTHENTICATE {mechanism}");
            command_answering(session, "a3", &text, Shown::Command, Some(payload), limit)
                .await?
                .1
        }
    };
    let (ok, reply) = match completion {
        Completion::Ok(t) => (true, format!("a3 OK {t}")),
        Completion::No(t) => (false, format!("a3 NO {t}")),
        Completion::Bad(t) => (false, format!("a3 BAD {t}")),
    };
    Ok(AuthOutcome {
        mechanism: mechanism.to_owned(),
        ok,
        reply,
    })
}

/// LOGOUT.
pub async fn quit(session: &mut Session, limit: Duration) {
    let _ = command(session, "a4", "LOGOUT", Shown::Command, limit).await;
}
