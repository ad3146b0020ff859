//! Login findings: what the server offers against what the account needs, and the login itself.

use std::fmt::Write as _;

use crate::account::{Account, AuthMethod, Protocol, Security};
use crate::finding::{Finding, FindingId};
use crate::probe::observation::Observation;

use super::hints::{Vendor, known_refusal, login_hint};

// One arm per capability fact; splitting would scatter one table.
#[expect(
    clippy::too_many_lines,
    reason = "one table of refusals and their words"
)]
pub(super) fn findings(obs: &Observation, account: &Account) -> Vec<Finding> {
    let mut out = Vec::new();
    let p = Some(obs.protocol);
    let host = &obs.endpoint.host;
    if let Some(auth) = &obs.auth {
        if auth.ok {
            // Alerts are findings of their own (`server-alert`).
            let explanation = format!("The server accepted the login: {}", auth.reply);
            out.push(Finding::new(
                FindingId::LoginOk,
                p,
                format!("Logged in to {host} ({})", auth.mechanism),
                explanation,
            ));
        } else if obs.protocol == Protocol::Pop3
            && auth.reply.to_ascii_uppercase().contains("[IN-USE]")
        {
            // RFC 2449's IN-USE: the credentials were taken, the maildrop is locked by another
            // client. Not a refused login, and not the password's fault.
            let command = if auth.mechanism == "USER" {
                "PASS".to_owned()
            } else {
                format!("AUTH {}", auth.mechanism)
            };
            out.push(super::access::mailbox_unavailable(
                obs,
                &crate::probe::observation::AccessStep {
                    command,
                    ok: false,
                    reply: auth.reply.clone(),
                },
            ));
        } else {
            let mut explanation = "The server refused the login.".to_owned();
            let vendor = Vendor::of(
                &obs.endpoint.host.as_string(),
                obs.greeting.as_ref().map(|g| g.text.as_str()),
            );
            let oauth2 = auth.mechanism.contains("OAUTH");
            let known = known_refusal(&auth.reply, vendor);
            if let Some(known) = known {
                explanation.push(' ');
                explanation.push_str(known.meaning);
            } else if let Some(hint) = login_hint(&auth.reply, vendor, oauth2) {
                explanation.push(' ');
                explanation.push_str(hint);
            }
            // After a failed XOAUTH2, the provider's error details (base64 JSON).
            let details = auth
                .challenge
                .as_deref()
                .and_then(crate::oauth::xoauth2_error);
            if let Some(words) = &details {
                let _ = write!(explanation, " The server's error details: {words}.");
            }
            let refused_unencrypted = obs.endpoint.security == Security::Plain
                && ((obs.protocol == Protocol::Pop3 && auth.mechanism == "USER")
                    || wants_encryption_first(&auth.reply));
            let id = if refused_unencrypted {
                FindingId::LoginDisabled
            } else {
                FindingId::LoginFailed
            };
            let fix = if refused_unencrypted {
                format!(
                    "Set encryption to STARTTLS or SSL/TLS ({})",
                    describe_pairs(obs.protocol)
                )
            } else if let Some(known) = known {
                known.fix.to_owned()
            } else if super::hints::server_side_refusal(&auth.reply) {
                "The user name and password may well be right: the server reports a problem of its own. Try again in a few minutes; if it persists, tell the server's administrator, quoting its words".to_owned()
            } else {
                "Check the user name and the password (an app password, where the provider asks for one); if both are right, do what the server's words say".to_owned()
            };
            out.push(
                Finding::new(
                    id,
                    p,
                    format!("{} login refused by {host}", obs.protocol.label()),
                    explanation,
                )
                .with_fix(fix)
                .with_evidence(match &auth.challenge {
                    Some(challenge) => format!(
                        "The server said: \"{}\", after the challenge \"{challenge}\"",
                        auth.reply
                    ),
                    None => format!("The server said: \"{}\"", auth.reply),
                }),
            );
        }
    }
    if !obs.reached_service() || account.auth == AuthMethod::None {
        return out;
    }
    let Some(caps) = obs.effective_capabilities() else {
        return out;
    };
    let imap = obs.protocol == Protocol::Imap;
    let password_ok = caps.offers_password() || (imap && !caps.login_disabled);
    let oauth_ok = caps.offers_oauth2();
    if obs.endpoint.security == Security::Plain && imap && caps.login_disabled {
        out.push(Finding::new(
            FindingId::LoginDisabled,
            p,
            format!("{host} refuses logins without encryption"),
            "The server announces that it will not accept a password over this unencrypted connection (LOGINDISABLED). It is right to: turn on encryption.".to_owned(),
        ).with_fix(format!("Use {}", describe_pairs(obs.protocol))));
    } else if obs.endpoint.security == Security::Plain && caps.starttls && !password_ok && !oauth_ok
    {
        // Cyrus's POP3, Postfix's submission: no login until the connection is encrypted.
        out.push(
            Finding::new(
                FindingId::LoginDisabled,
                p,
                format!("{host} offers login only after STARTTLS"),
                format!(
                    "On this unencrypted connection the server offers no way to log in, but it offers {}: it takes a password only once the connection is encrypted. It is right to: turn on encryption.",
                    if obs.protocol == Protocol::Pop3 { "STLS" } else { "STARTTLS" }
                ),
            )
            .with_fix(format!(
                "Set encryption to STARTTLS on port {}{}",
                obs.endpoint.port,
                other_pairs(obs.protocol, obs.endpoint.port, Security::Starttls)
            )),
        );
    } else if !password_ok && !oauth_ok {
        out.push(
            Finding::new(
                FindingId::AuthNotOffered,
                p,
                format!("{host} offers no way to log in here"),
                format!("Even {}, the server announces no login method, so no user name and password can be accepted on this port. It may be a relay for its own network only.", if obs.tls.is_some() { "after encryption" } else { "on this connection" }),
            )
            .with_fix(format!("Use the provider's submission or mailbox server: {}", describe_pairs(obs.protocol))),
        );
    } else if let Some(mechanism) = account.auth.sasl_mechanism()
        && !caps.auth.contains(mechanism)
    {
        out.push(
            Finding::new(
                FindingId::AuthMechanismUnsupported,
                p,
                format!("{host} does not offer {}", account.auth.label()),
                format!(
                    "The account is set to log in with {}, but the server offers only {}. The login fails before any password is checked.",
                    account.auth.label(),
                    if caps.auth.is_empty() {
                        "no SASL mechanism".to_owned()
                    } else {
                        caps.auth.iter().cloned().collect::<Vec<_>>().join(", ")
                    }
                ),
            )
            .with_fix(format!(
                "Turn {} off in the mail app and log in with {}",
                account.auth.label(),
                if oauth_ok && !password_ok { "OAuth2" } else { "a normal password (or OAuth2, where offered)" }
            )),
        );
    } else if account.auth == AuthMethod::Password && !password_ok {
        out.push(Finding::new(
            FindingId::AuthMechanismUnsupported,
            p,
            format!("{host} does not take passwords here, only OAuth2"),
            format!("The server offers only {} for login, so a password cannot work. The app must sign in with OAuth2.", caps.auth.iter().cloned().collect::<Vec<_>>().join(", ")),
        ).with_fix("Set authentication to OAuth2 in the mail app"));
    } else if account.auth == AuthMethod::Oauth2 && !oauth_ok {
        out.push(
            Finding::new(
                FindingId::AuthMechanismUnsupported,
                p,
                format!("{host} does not offer OAuth2 login"),
                format!(
                    "The account is set to OAuth2, but the server offers only {} here.",
                    if caps.auth.is_empty() {
                        "password login".to_owned()
                    } else {
                        caps.auth.iter().cloned().collect::<Vec<_>>().join(", ")
                    }
                ),
            )
            .with_fix("Use a password (or an app password) for this server"),
        );
    }
    // Offered before encryption on a STARTTLS port: an app that skips STARTTLS would send the
    // password in the clear. POP3 only when asked (USER on a connection of its own): Dovecot
    // lists USER before STLS even when it refuses it there, and CAPA cannot say so.
    if obs.endpoint.security == Security::Starttls
        && (obs.protocol != Protocol::Pop3 || obs.auth_before_tls.is_some())
        && let Some(before) = &obs.capabilities
    {
        let before_ok =
            before.offers_password() || (imap && !before.login_disabled && before.starttls);
        // Asked (AUTH PLAIN without a password): a refusal means the server only advertises it.
        let (title, said) = match obs.auth_before_tls {
            Some(false) => (None, ""),
            Some(true) if obs.protocol == Protocol::Pop3 => (
                Some(format!("{host} accepts passwords before STLS")),
                "Before encryption starts, the server already takes a login: asked on a connection of its own with USER and no password, it answered +OK (maildoctor then quit). An app set to \"no encryption\" would send the password in the clear and the server would take it.",
            ),
            Some(true) => (
                Some(format!("{host} accepts passwords before STARTTLS")),
                "Before encryption starts, the server already takes a password: asked with AUTH PLAIN and no password, it answered with a go-ahead (maildoctor then cancelled). An app set to \"no encryption\" would send the password in the clear and the server would take it.",
            ),
            None => (
                Some(format!("{host} offers password login before STARTTLS")),
                "Before encryption starts, the server already advertises password login. maildoctor never sends a password there, but an app set to \"no encryption\" would send it in the clear.",
            ),
        };
        // IMAP's LOGIN is there unless the server says LOGINDISABLED; many servers refuse it
        // before STARTTLS all the same ("NO LOGIN Command disabled") without saying so. With
        // no mechanism listed and nobody asking, that is no evidence of a password taken.
        let implicit_only = imap && !before.offers_password() && obs.auth_before_tls.is_none();
        if before_ok && let Some(title) = title {
            let finding = Finding::new(
                FindingId::PlaintextAuthOffered,
                p,
                title,
                said.to_owned(),
            ).with_fix("Keep the app on STARTTLS or SSL/TLS; the server's administrator should disable plaintext authentication");
            out.push(if implicit_only {
                let mut finding = finding.with_severity(crate::finding::Severity::Info);
                finding.title = format!("{host} does not say LOGINDISABLED before STARTTLS");
                finding.explanation = "Before encryption the server lists no login method, and does not say LOGINDISABLED either, so by IMAP's rules LOGIN may work there. Many servers refuse it all the same; maildoctor never sends a password there to find out.".to_owned();
                finding
            } else {
                finding
            });
        }
    }
    out
}

/// A refusal that says the login is off until the connection is encrypted: "NO LOGIN Command
/// disabled", "Use STARTTLS first", "[PRIVACYREQUIRED]", "Plaintext authentication disallowed".
fn wants_encryption_first(reply: &str) -> bool {
    let r = reply.to_ascii_uppercase();
    (r.contains("LOGIN") && r.contains("DISABLED"))
        || r.contains("STARTTLS FIRST")
        || r.contains("STARTTLS COMMAND FIRST")
        || r.contains("[PRIVACYREQUIRED]")
        || r.contains("PLAINTEXT AUTHENTICATION DISALLOWED")
}

/// ", or use port 995 with SSL/TLS": the standard pairs other than the one the fix already
/// names (none when both are that one).
fn other_pairs(protocol: Protocol, port: u16, security: Security) -> String {
    let others: Vec<String> = protocol
        .standard_pairs()
        .into_iter()
        .filter(|pair| *pair != (port, security))
        .map(|(p, s)| format!("port {p} with {}", s.label()))
        .collect();
    if others.is_empty() {
        String::new()
    } else {
        format!(", or use {}", others.join(" or "))
    }
}

fn describe_pairs(protocol: Protocol) -> String {
    let [(p1, s1), (p2, s2)] = protocol.standard_pairs();
    format!(
        "port {p1} with {} or port {p2} with {}",
        s1.label(),
        s2.label()
    )
}
