//! What to type instead: the endpoint a fix should name.

use crate::account::{Endpoint, Protocol};

use super::LintContext;

/// The endpoint to recommend for a protocol: the account's provider's first choice, else the
/// provider that owns a host the user typed.
pub(super) fn recommended(
    ctx: &LintContext,
    protocol: Protocol,
    near_host: Option<&str>,
) -> Option<Endpoint> {
    let near_host = corrected(ctx, near_host);
    if let Some(endpoint) = ctx.profile.and_then(|p| p.endpoints(protocol).first()) {
        return Some(endpoint.clone());
    }
    let owner = near_host
        .and_then(|h| ctx.hosts.get(h))
        .and_then(|k| k.profiles.iter().find_map(|id| ctx.store.get(id).ok()))?;
    owner.endpoints(protocol).first().cloned()
}

/// A fix sentence naming the recommended endpoint, or a best guess built from the typed host.
pub(super) fn use_instead(
    ctx: &LintContext,
    protocol: Protocol,
    near_host: Option<&str>,
) -> String {
    let near_host = corrected(ctx, near_host);
    if let Some(endpoint) = recommended(ctx, protocol, near_host) {
        return format!("{} server: {}", direction(protocol), endpoint.describe());
    }
    let (port, security) = protocol.default_endpoint();
    let guess = near_host
        .and_then(|h| h.split_once('.'))
        .map(|(_, rest)| format!("{}.{rest}", prefix(protocol)));
    match guess {
        Some(host) => format!(
            "{} server: usually {host}:{port} {} — check your provider's help page for the exact name",
            direction(protocol),
            security.label()
        ),
        None => format!(
            "Use your provider's {} server, port {port} with {}",
            protocol.label(),
            security.label()
        ),
    }
}

fn direction(protocol: Protocol) -> String {
    if protocol.is_incoming() {
        format!("Incoming ({})", protocol.label())
    } else {
        "Outgoing (SMTP)".to_owned()
    }
}

fn prefix(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Smtp => "smtp",
        Protocol::Imap => "imap",
        Protocol::Pop3 => "pop",
    }
}

/// A typed host with an obvious typo corrected, so a fix never repeats the typo.
fn corrected<'a>(ctx: &LintContext<'a>, host: Option<&'a str>) -> Option<&'a str> {
    host.map(|h| ctx.hosts.likely_typo_of(h).unwrap_or(h))
}
