//! After-login findings: may the account send as its sender and to its recipient, may it
//! read its mailbox, and what the server told the user with its answer to the login. Every
//! finding quotes the server's reply as its evidence.

use crate::account::{Account, Protocol};
use crate::finding::{Finding, FindingId, Severity};
use crate::probe::observation::{AccessStep, Observation};
use crate::probe::wire::imap::alert_in;

pub(super) fn findings(obs: &Observation, account: &Account) -> Vec<Finding> {
    let mut out = alerts(obs);
    let logged_in = obs.auth.as_ref().is_some_and(|a| a.ok);
    if !logged_in {
        return out;
    }
    let host = &obs.endpoint.host;
    let p = Some(obs.protocol);
    if obs.protocol == Protocol::Smtp
        && let Some(size) = obs.effective_capabilities().and_then(|c| c.size)
        && size > 0
    {
        out.push(Finding::new(
            FindingId::MessageSizeLimit,
            p,
            format!("{host} takes messages up to {}", megabytes(size)),
            format!("The server announces (EHLO SIZE {size}) that it refuses larger messages. Attachments grow by a third when they are sent (base64), so a file of about {} is the most that fits.", megabytes(size / 4 * 3)),
        ));
    }
    let Some(access) = &obs.access else {
        return out;
    };
    let login = account
        .username
        .clone()
        .or_else(|| account.address.as_ref().map(ToString::to_string))
        .unwrap_or_else(|| "this login".into());
    match obs.protocol {
        Protocol::Smtp => {
            let from = access
                .step("MAIL FROM")
                .map(|s| address_in(&s.command).to_owned());
            let sender_refused = access.step("MAIL FROM").filter(|s| !s.ok);
            if let Some(step) = sender_refused {
                out.push(sender_rejected(obs, step, &login, None));
            }
            // Postfix judges the sender only at RCPT TO (smtpd_delay_reject, its default):
            // a refusal there that names the sender is about the sender.
            if let Some(step) = access.step("RCPT TO").filter(|s| !s.ok) {
                if sender_refused.is_some() && step.reply.starts_with("503") {
                    // "503 Need MAIL before RCPT": the pipelined RCPT came after a refused
                    // MAIL, a knock-on of the sender's refusal and nothing about the recipient.
                } else if about_the_sender(&step.reply) {
                    out.push(sender_rejected(obs, step, &login, from.as_deref()));
                } else {
                    out.push(recipient_rejected(obs, step, &login));
                }
            }
            if let Some(step) = access.step("DATA") {
                out.push(test_message(obs, step, access.queued.as_deref()));
            }
        }
        Protocol::Imap | Protocol::Pop3 => {
            if let Some(step) = access.steps.iter().find(|s| !s.ok) {
                out.push(mailbox_unavailable(obs, step));
            }
        }
    }
    out
}

/// The address a command asks about: `MAIL FROM:<a@b>` → `a@b`.
fn address_in(command: &str) -> &str {
    command
        .split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map_or(command, |(address, _)| address)
}

fn megabytes(bytes: u64) -> String {
    // Whole megabytes read best; the decimal ones (10240000 → 10.2 MB) as servers mean them.
    #[expect(
        clippy::cast_precision_loss,
        reason = "a size shown in MB, not computed with"
    )]
    let mb = bytes as f64 / 1_000_000.0;
    if mb >= 10.0 {
        format!("{mb:.0} MB")
    } else {
        format!("{mb:.1} MB")
    }
}

/// IMAP `[ALERT]`s: RFC 9051 §7.1 says a client must show them to the user, so they are a
/// finding of their own, not a line in a transcript.
fn alerts(obs: &Observation) -> Vec<Finding> {
    let Some(auth) = &obs.auth else {
        return Vec::new();
    };
    let mut texts: Vec<&str> = auth.alerts.iter().map(String::as_str).collect();
    texts.extend(alert_in(&auth.reply));
    texts.dedup();
    texts
        .into_iter()
        .map(|alert| {
            Finding::new(
                FindingId::ServerAlert,
                Some(obs.protocol),
                format!("{} has a message for you: {alert}", obs.endpoint.host),
                "The server sent this alert with its answer to the login; the IMAP standard says mail apps must show it to the user, but many do not.".to_owned(),
            )
            .with_fix("Do what the alert says (it often names a password change, a quota or a block)")
            .with_evidence(format!("The server said: \"{}\"", auth.reply))
        })
        .collect()
}

/// A reply that refuses the sender, whichever command it answers.
fn about_the_sender(reply: &str) -> bool {
    let lower = reply.to_ascii_lowercase();
    lower.contains("sender address rejected")
        || lower.contains("not owned by")
        || lower.contains("sendasdenied")
}

/// `from` is the sender asked about when the refusal came at RCPT TO (`step` then names the
/// recipient).
fn sender_rejected(
    obs: &Observation,
    step: &AccessStep,
    login: &str,
    from: Option<&str>,
) -> Finding {
    let from = from.unwrap_or_else(|| address_in(&step.command));
    let reply = &step.reply;
    let upper = reply.to_ascii_uppercase();
    let no_domain = upper.contains("DOMAIN NOT FOUND")
        || (upper.contains("DOMAIN") && upper.contains("DOES NOT EXIST"));
    let domain = from.rsplit_once('@').map_or(from, |(_, d)| d);
    if no_domain {
        return Finding::new(
            FindingId::SenderRejected,
            Some(obs.protocol),
            format!("{} refuses the sender {from}: its domain does not exist", obs.endpoint.host),
            format!("The login worked, but the server looked up {domain}, the domain of the sender {from}, and DNS has no such domain (or no mail records for it). That is no permission an administrator grants: no login may send from a domain that does not exist."),
        )
        .with_fix(format!("Send from an address of a domain that exists (usually {login} itself); if {domain} is new or yours, publish its DNS records first (maildoctor checked with --from {from})"))
        .with_evidence(format!("{} was answered: \"{reply}\"", step.command));
    }
    let why = if upper.contains("SENDASDENIED") || upper.contains("5.7.60") {
        format!(
            "Microsoft 365 says the mailbox {login} has no Send As permission for {from}. An administrator grants it (Exchange admin center → the mailbox of {from} → Delegation → Send As) — or the app sends from {login} itself."
        )
    } else if upper.contains("NOT OWNED BY") {
        format!(
            "The server keeps a list of the addresses each login may send as (Postfix's sender-login check), and {from} is not one of {login}'s."
        )
    } else {
        format!("The server will not take mail from {from} for the login {login}.")
    };
    Finding::new(
        FindingId::SenderRejected,
        Some(obs.protocol),
        format!("{} does not let this login send as {from}", obs.endpoint.host),
        format!("The login worked, but the sender was refused: every message from {from} would bounce. {why}"),
    )
    .with_fix(format!("Send from an address {login} owns (usually {login} itself), or ask the administrator to let {login} send as {from}; maildoctor checked with --from {from}"))
    .with_evidence(format!("{} was answered: \"{reply}\"", step.command))
}

fn recipient_rejected(obs: &Observation, step: &AccessStep, login: &str) -> Finding {
    let rcpt = address_in(&step.command);
    let reply = &step.reply;
    let relay = reply.to_ascii_lowercase().contains("relay");
    let [(p1, s1), (p2, s2)] = Protocol::Smtp.standard_pairs();
    let finding = if relay {
        Finding::new(
            FindingId::RelayDenied,
            Some(obs.protocol),
            format!("{} will not pass mail on to {rcpt}", obs.endpoint.host),
            format!("The login as {login} worked, yet the server refuses to relay to {rcpt}'s domain. A submission server relays for the users who logged in; one that does not is a server for incoming mail (an MX, usually on port 25), or its policy does not let this login send to other domains."),
        )
        .with_fix(format!("Use the provider's submission server (port {p1} with {} or port {p2} with {}) and log in; if this is it, ask the administrator why {login} may not send to other domains", s1.label(), s2.label()))
    } else {
        Finding::new(
            FindingId::RecipientRejected,
            Some(obs.protocol),
            format!("{} refuses mail to {rcpt}", obs.endpoint.host),
            format!("The login worked and the sender was taken, but the recipient {rcpt} was refused: no such mailbox, a full one, or a policy (the server's words say which)."),
        )
        .with_fix(format!("Check the address {rcpt}; if it is right, do what the server's words say (maildoctor checked with --rcpt {rcpt})"))
    };
    finding.with_evidence(format!("RCPT TO:<{rcpt}> was answered: \"{reply}\""))
}

fn test_message(obs: &Observation, step: &AccessStep, queued: Option<&str>) -> Finding {
    match queued {
        Some(id) => Finding::new(
            FindingId::TestMessage,
            Some(obs.protocol),
            format!("The test message was queued as {id}"),
            format!("--send-test sent a short test message and {} took it: the account can send. Whether it arrives is up to the servers after this one; the queue id is what their logs know it by.", obs.endpoint.host),
        ),
        None => Finding::new(
            FindingId::TestMessage,
            Some(obs.protocol),
            format!("{} refused the test message", obs.endpoint.host),
            "Sender and recipient were taken, but the message itself was refused: a content filter, a size or rate limit, or a policy, as the server's words say.".to_owned(),
        )
        .with_severity(Severity::Error)
        .with_fix("Do what the server's words say; a rate limit passes with time"),
    }
    .with_evidence(format!("The server answered the message: \"{}\"", step.reply))
}

pub(super) fn mailbox_unavailable(obs: &Observation, step: &AccessStep) -> Finding {
    let reply = &step.reply;
    let upper = reply.to_ascii_uppercase();
    let what = if obs.protocol == Protocol::Imap {
        "IMAP"
    } else {
        "POP"
    };
    let (why, fix) = if upper.contains("NOT CONNECTED") {
        (
            format!(
                "Microsoft 365 accepted the login but will not open the mailbox: {what} is turned off for this mailbox, or the account has no Exchange Online mailbox (licence)."
            ),
            format!(
                "An administrator turns {what} on for the mailbox (Microsoft 365 admin center → Users → the user → Mail → Manage email apps), or assigns a licence with Exchange Online"
            ),
        )
    } else if upper.contains("IN-USE") || upper.contains("IN USE") || upper.contains("LOCK") {
        (
            "Another mail app has the mailbox open: POP3 lets one client at a time in, and the others wait until it lets go.".to_owned(),
            "Close the other mail app (or the phone that checks this account), or wait a few minutes and check again".to_owned(),
        )
    } else if upper.contains("NONEXISTENT") {
        (
            "The server says this account has no INBOX.".to_owned(),
            "Ask the provider or the administrator to create the mailbox".to_owned(),
        )
    } else {
        (
            "The server took the login but refused to open the mailbox.".to_owned(),
            "Do what the server's words say; if they say nothing, ask the provider whether this mailbox may be read by IMAP or POP".to_owned(),
        )
    };
    Finding::new(
        FindingId::MailboxUnavailable,
        Some(obs.protocol),
        format!(
            "{} took the login but will not open the mailbox",
            obs.endpoint.host
        ),
        why,
    )
    .with_fix(fix)
    .with_evidence(format!("{} was answered: \"{reply}\"", step.command))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::observation::{Access, AuthOutcome};

    /// An SMTP observation logged in, with these MAIL FROM and RCPT TO answers.
    fn asked(mail: (bool, &str), rcpt: (bool, &str)) -> (Observation, Account) {
        let endpoint =
            crate::account::Endpoint::parse("smtp.example.org:587", Protocol::Smtp).unwrap();
        let mut obs = Observation::new(Protocol::Smtp, endpoint);
        obs.auth = Some(AuthOutcome {
            mechanism: "PLAIN".into(),
            ok: true,
            reply: "235 ok".into(),
            alerts: vec![],
            challenge: None,
        });
        let step = |command: &str, (ok, reply): (bool, &str)| AccessStep {
            command: command.into(),
            ok,
            reply: reply.into(),
        };
        obs.access = Some(Access {
            steps: vec![
                step("MAIL FROM:<bob@nowhere.example>", mail),
                step("RCPT TO:<alice@example.org>", rcpt),
            ],
            messages: None,
            queued: None,
        });
        let account = Account {
            address: Some(crate::account::Address::parse("alice@example.org").unwrap()),
            username: None,
            auth: crate::account::AuthMethod::Password,
            endpoints: std::collections::BTreeMap::new(),
        };
        (obs, account)
    }

    #[test]
    fn a_503_after_a_refused_sender_is_a_knock_on_not_the_recipient() {
        let (obs, account) = asked(
            (
                false,
                "553 5.7.1 <bob@nowhere.example>: Sender address rejected: not owned by user alice@example.org",
            ),
            (false, "503 5.5.1 Error: need MAIL command"),
        );
        let ids: Vec<FindingId> = findings(&obs, &account).iter().map(|f| f.id).collect();
        assert_eq!(ids, [FindingId::SenderRejected]);
    }

    #[test]
    fn a_sender_domain_that_does_not_exist_is_said_so_not_a_permission() {
        let (obs, account) = asked(
            (true, "250 2.1.0 Ok"),
            (
                false,
                "450 4.1.8 <bob@nowhere.example>: Sender address rejected: Domain not found",
            ),
        );
        let found = findings(&obs, &account);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].id, FindingId::SenderRejected);
        assert!(
            found[0].title.contains("domain does not exist"),
            "{}",
            found[0].title
        );
        let fix = found[0].fix.as_deref().unwrap();
        assert!(!fix.contains("ask the administrator"), "{fix}");
        assert!(found[0].explanation.contains("nowhere.example"));
    }

    #[test]
    fn the_address_asked_about_is_read_back() {
        assert_eq!(address_in("MAIL FROM:<bob@example.org>"), "bob@example.org");
        assert_eq!(address_in("STAT"), "STAT");
        assert_eq!(megabytes(10_240_000), "10 MB");
        assert_eq!(megabytes(5_242_880), "5.2 MB");
    }
}
