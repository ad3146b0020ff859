//! IMAP (RFC 9051, RFC 3501): greeting, CAPABILITY, STARTTLS, LOGIN or AUTHENTICATE, LOGOUT.

use std::time::Duration;

use super::session::{Session, Stop};
use crate::probe::conn::Shown;
use crate::probe::observation::{Access, AccessStep, AuthOutcome};
use crate::probe::wire::WireError;
use crate::probe::wire::capabilities::Capabilities;
use crate::probe::wire::imap::{
    Completion, ImapLine, alert_in, capabilities_in, parse_line, quoted,
};
use crate::probe::wire::sasl::Mechanism;
use crate::secret::Credentials;

/// What a tagged command got back.
struct Answer {
    tag: String,
    untagged: Vec<String>,
    completion: Completion,
    /// A challenge nobody expected (after the SASL response: the server's error details).
    challenge: Option<String>,
}

/// Runs one command under a fresh tag; returns the untagged lines and the completion.
async fn command(
    session: &mut Session,
    text: &str,
    shown: Shown,
    limit: Duration,
) -> Result<Answer, Stop> {
    command_answering(session, text, shown, None, limit).await
}

/// Runs one tagged command. The first `+` challenge gets `answer` (a SASL response, recorded as
/// a secret); any further one, or one nobody expected, gets an empty line, which cancels.
async fn command_answering(
    session: &mut Session,
    text: &str,
    shown: Shown,
    mut answer: Option<String>,
    limit: Duration,
) -> Result<Answer, Stop> {
    let tag = session.next_tag();
    session.send(&format!("{tag} {text}"), shown, limit).await?;
    let mut untagged = Vec::new();
    let mut challenge = None;
    let mut size = 0;
    loop {
        let line = session.read_reply_line(limit, &mut size).await?;
        match parse_line(&line)? {
            ImapLine::Untagged(text) => untagged.push(text),
            ImapLine::Tagged { tag: t, completion } if t == tag => {
                return Ok(Answer {
                    tag,
                    untagged,
                    completion,
                    challenge,
                });
            }
            ImapLine::Tagged { .. } => return Err(WireError::Malformed(line).into()),
            ImapLine::Continuation(text) => {
                let response = answer.take().unwrap_or_else(|| {
                    challenge = Some(text);
                    String::new()
                });
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
    let answer = command(session, "CAPABILITY", Shown::Command, limit).await?;
    match answer.completion {
        Completion::Ok(_) => Ok(answer
            .untagged
            .iter()
            .find_map(|line| capabilities_in(line))
            .unwrap_or_default()),
        Completion::No(text) | Completion::Bad(text) => Err(Stop::Refused(text)),
    }
}

/// STARTTLS; `Ok` means the server is ready for the handshake.
pub async fn starttls(session: &mut Session, limit: Duration) -> Result<(), Stop> {
    let answer = command(session, "STARTTLS", Shown::Command, limit).await?;
    match answer.completion {
        Completion::Ok(_) => Ok(()),
        Completion::No(text) | Completion::Bad(text) => {
            Err(Stop::Refused(format!("{} {text}", answer.tag)))
        }
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
    let sasl = if creds.oauth2 {
        Some(Mechanism::XOauth2)
    } else if caps.login_disabled || !(quotable(user) && quotable(secret)) {
        Some(Mechanism::Plain)
    } else {
        None
    };
    // Without SASL, IMAP's own LOGIN command (not the SASL mechanism of that name).
    let mechanism = sasl.map_or("LOGIN", Mechanism::name);
    let payload = sasl.map(|m| m.response(user, secret));
    let answer = match payload {
        None => {
            let text = format!("LOGIN {} {}", quoted(user), quoted(secret));
            command(session, &text, Shown::Command, limit).await?
        }
        // With SASL-IR (RFC 4959, part of IMAP4rev2) the response rides on the command;
        // otherwise it answers the server's "+".
        Some(payload)
            if caps.keywords.contains("SASL-IR") || caps.keywords.contains("IMAP4REV2") =>
        {
            let text = format!("AUTHENTICATE {mechanism} {payload}");
            command(session, &text, Shown::Command, limit).await?
        }
        Some(payload) => {
            let text = format!("AUTHENTICATE {mechanism}");
            command_answering(session, &text, Shown::Command, Some(payload), limit).await?
        }
    };
    let tag = answer.tag;
    let alerts = answer
        .untagged
        .iter()
        .filter_map(|line| alert_in(line))
        .map(str::to_owned)
        .collect();
    let (ok, reply) = match answer.completion {
        Completion::Ok(t) => (true, format!("{tag} OK {t}")),
        Completion::No(t) => (false, format!("{tag} NO {t}")),
        Completion::Bad(t) => (false, format!("{tag} BAD {t}")),
    };
    Ok(AuthOutcome {
        mechanism: mechanism.to_owned(),
        ok,
        reply,
        alerts,
        challenge: answer.challenge,
    })
}

/// Asks, on a connection of its own, whether the server would take a password before
/// STARTTLS without sending one: after the greeting, AUTHENTICATE PLAIN alone, which a
/// willing server answers with its "+" and an unwilling one refuses. The cancel (`*`, RFC 9051
/// §6.2.2) and LOGOUT go out together and their replies are not awaited.
pub async fn would_take_password(session: &mut Session, limit: Duration) -> Result<bool, Stop> {
    let first = session.read_line(limit).await?;
    if greeting(&first).is_err() {
        return Ok(false);
    }
    let tag = session.next_tag();
    session
        .send(&format!("{tag} AUTHENTICATE PLAIN"), Shown::Command, limit)
        .await?;
    let mut size = 0;
    loop {
        let line = session.read_reply_line(limit, &mut size).await?;
        match parse_line(&line)? {
            ImapLine::Continuation(_) => {
                let logout = format!("{} LOGOUT", session.next_tag());
                session.send_all(&["*", &logout], limit).await?;
                return Ok(true);
            }
            ImapLine::Tagged { tag: t, .. } if t == tag => {
                quit(session, limit).await;
                return Ok(false);
            }
            ImapLine::Untagged(_) => {}
            ImapLine::Tagged { .. } => return Err(WireError::Malformed(line).into()),
        }
    }
}

/// After the login: EXAMINE INBOX, which opens the mailbox read-only (RFC 9051 §6.3.3: no
/// flag changes, nothing marked seen). Its `EXISTS` is the message count; a refusal says why
/// the mailbox cannot be read (`[UNAVAILABLE]`, `[NONEXISTENT]`, Microsoft's "User is
/// authenticated but not connected").
pub async fn examine_inbox(session: &mut Session, limit: Duration) -> Result<Access, Stop> {
    let answer = command(session, "EXAMINE INBOX", Shown::Command, limit).await?;
    let messages = answer.untagged.iter().find_map(|line| {
        let (count, word) = line.split_once(' ')?;
        word.eq_ignore_ascii_case("EXISTS")
            .then(|| count.parse().ok())
            .flatten()
    });
    let tag = &answer.tag;
    let (ok, reply) = match &answer.completion {
        Completion::Ok(t) => (true, format!("{tag} OK {t}")),
        Completion::No(t) => (false, format!("{tag} NO {t}")),
        Completion::Bad(t) => (false, format!("{tag} BAD {t}")),
    };
    Ok(Access {
        steps: vec![AccessStep {
            command: "EXAMINE INBOX".into(),
            ok,
            reply,
        }],
        messages: if ok { messages } else { None },
        queued: None,
    })
}

/// LOGOUT, its reply not awaited (as SMTP's QUIT).
pub async fn quit(session: &mut Session, limit: Duration) {
    let tag = session.next_tag();
    let _ = session
        .send(&format!("{tag} LOGOUT"), Shown::Command, limit)
        .await;
}
