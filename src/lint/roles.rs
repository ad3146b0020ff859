//! Rules about a server used for the wrong job: an incoming host on the outgoing line,
//! the reverse, and IMAP and POP3 swapped.

use std::collections::BTreeSet;

use crate::account::{Endpoint, Protocol};
use crate::finding::{Finding, FindingId};

use super::LintContext;
use super::suggest::use_instead;

/// The protocols a host serves according to the profiles, else what its first label says.
fn roles_of(ctx: &LintContext, endpoint: &Endpoint) -> BTreeSet<Protocol> {
    let Some(name) = endpoint.host.name() else {
        return BTreeSet::new();
    };
    match ctx.hosts.get(name) {
        Some(known) if !known.protocols.is_empty() => known.protocols.clone(),
        _ => Protocol::of_host_prefix(name).into_iter().collect(),
    }
}

/// Why an endpoint looks like it belongs to `other` protocols: host evidence, port evidence.
fn evidence(
    ctx: &LintContext,
    endpoint: &Endpoint,
    own: Protocol,
    others: &[Protocol],
) -> Vec<String> {
    let mut reasons = Vec::new();
    let roles = roles_of(ctx, endpoint);
    if !roles.is_empty() && !roles.contains(&own) && roles.iter().any(|r| others.contains(r)) {
        let what: Vec<&str> = roles.iter().map(|r| r.label()).collect();
        let article = if what[0] == "POP3" { "a" } else { "an" };
        reasons.push(format!(
            "the host {} is {article} {} server",
            endpoint.host,
            what.join("/")
        ));
    }
    if let Some(port_protocol) = Protocol::of_port(endpoint.port).filter(|p| others.contains(p)) {
        reasons.push(format!(
            "port {} is the {} port",
            endpoint.port,
            port_protocol.label()
        ));
    }
    reasons
}

fn finding(
    ctx: &LintContext,
    id: FindingId,
    protocol: Protocol,
    endpoint: &Endpoint,
    title: String,
    reasons: &[String],
    consequence: &str,
) -> Finding {
    let explanation = format!("{}. {consequence}", capitalise(&reasons.join(", and ")));
    Finding::new(id, Some(protocol), title, explanation).with_fix(use_instead(
        ctx,
        protocol,
        endpoint.host.name(),
    ))
}

/// The SMTP line points at an IMAP or POP3 server or port.
pub(super) fn incoming_server_as_outgoing(ctx: &LintContext) -> Vec<Finding> {
    let Some(endpoint) = ctx.account.endpoint(Protocol::Smtp) else {
        return Vec::new();
    };
    let reasons = evidence(
        ctx,
        endpoint,
        Protocol::Smtp,
        &[Protocol::Imap, Protocol::Pop3],
    );
    if reasons.is_empty() {
        return Vec::new();
    }
    vec![finding(
        ctx,
        FindingId::IncomingServerAsOutgoing,
        Protocol::Smtp,
        endpoint,
        format!(
            "The outgoing server is set to an incoming server ({}:{})",
            endpoint.host, endpoint.port
        ),
        &reasons,
        "Incoming servers only deliver mail to you; they do not accept mail to send, so sending \
         fails while receiving works.",
    )]
}

/// An IMAP or POP3 line points at an SMTP server or port.
pub(super) fn outgoing_server_as_incoming(ctx: &LintContext) -> Vec<Finding> {
    let mut findings = Vec::new();
    for protocol in [Protocol::Imap, Protocol::Pop3] {
        let Some(endpoint) = ctx.account.endpoint(protocol) else {
            continue;
        };
        let reasons = evidence(ctx, endpoint, protocol, &[Protocol::Smtp]);
        if reasons.is_empty() {
            continue;
        }
        findings.push(finding(
            ctx,
            FindingId::OutgoingServerAsIncoming,
            protocol,
            endpoint,
            format!(
                "The incoming {} server is set to an outgoing server ({}:{})",
                protocol.label(),
                endpoint.host,
                endpoint.port
            ),
            &reasons,
            "An SMTP server only accepts mail to send; it cannot show your mailbox, so receiving \
             fails with a protocol error or a timeout.",
        ));
    }
    findings
}

/// IMAP set to a POP3 server or port, or POP3 set to an IMAP one.
pub(super) fn imap_pop3_swap(ctx: &LintContext) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (protocol, other) in [
        (Protocol::Imap, Protocol::Pop3),
        (Protocol::Pop3, Protocol::Imap),
    ] {
        let Some(endpoint) = ctx.account.endpoint(protocol) else {
            continue;
        };
        let reasons = evidence(ctx, endpoint, protocol, &[other]);
        if reasons.is_empty() {
            continue;
        }
        findings.push(finding(
            ctx,
            FindingId::ImapPop3Swap,
            protocol,
            endpoint,
            format!(
                "{} is set to {} server ({}:{})",
                protocol.label(),
                other.with_article(),
                endpoint.host,
                endpoint.port
            ),
            &reasons,
            "IMAP and POP3 are different languages; a client speaking one to a server of the other \
             gets errors it cannot make sense of.",
        ));
    }
    findings
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
