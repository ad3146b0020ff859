//! Rules about host names: typos, retired names, aliases, and settings the provider does not
//! document at all.

use crate::account::{Endpoint, Protocol};
use crate::finding::{Finding, FindingId};

use super::LintContext;
use super::suggest::recommended;

fn named_endpoints<'a>(
    ctx: &'a LintContext,
) -> impl Iterator<Item = (Protocol, &'a Endpoint, &'a str)> {
    ctx.account
        .endpoints
        .iter()
        .filter_map(|(p, e)| e.host.name().map(|name| (*p, e, name)))
}

/// A host no provider uses, a keystroke or two from one that a provider does.
pub(super) fn host_typo(ctx: &LintContext) -> Vec<Finding> {
    named_endpoints(ctx)
        .filter_map(|(protocol, endpoint, name)| {
            let meant = ctx.hosts.likely_typo_of(name)?;
            Some(
                Finding::new(
                    FindingId::HostTypo,
                    Some(protocol),
                    format!("\"{name}\" looks like a typo of \"{meant}\""),
                    format!(
                        "No provider maildoctor knows uses \"{name}\", but \"{meant}\" is only a \
                         keystroke or two away. A mistyped server name fails with \"host not found\", \
                         or reaches a stranger's server."
                    ),
                )
                .with_fix(if ctx.hosts.serves(meant, protocol) {
                    format!("Did you mean {meant}? Server: {meant}:{} {}", endpoint.port, endpoint.security.label())
                } else {
                    format!("Did you mean {meant}? (That is not {} server either; see the other findings.)", protocol.with_article())
                }),
            )
        })
        .collect()
}

/// A retired host name that old guides still give.
pub(super) fn legacy_host(ctx: &LintContext) -> Vec<Finding> {
    named_endpoints(ctx)
        .filter_map(|(protocol, _, name)| {
            let replacement = ctx
                .profile
                .and_then(|p| p.legacy_hosts.iter().find(|l| l.host == name))
                .map(|l| l.replacement.clone())
                .or_else(|| ctx.hosts.get(name)?.replaced_by.clone())?;
            let fix = match recommended(ctx, protocol, Some(&replacement)).filter(|e| e.host.name() == Some(replacement.as_str())) {
                Some(endpoint) => format!("Server: {}", endpoint.describe()),
                None => format!("Server: {replacement}"),
            };
            Some(
                Finding::new(
                    FindingId::LegacyHost,
                    Some(protocol),
                    format!("\"{name}\" is a retired server name; the current one is \"{replacement}\""),
                    format!(
                        "\"{name}\" still appears in old guides, but the provider has moved to \
                         \"{replacement}\". Old names may stop answering at any time, or may present a \
                         certificate that does not match."
                    ),
                )
                .with_fix(fix),
            )
        })
        .collect()
}

/// A host that reaches the service under another name than the documented one.
pub(super) fn host_alias(ctx: &LintContext) -> Vec<Finding> {
    named_endpoints(ctx)
        .filter_map(|(protocol, _, name)| {
            let (of, note) = match ctx.profile.and_then(|p| p.alias_target(name)) {
                Some(alias) => (alias.of.clone(), alias.note.clone()),
                None if ctx.profile.is_some_and(|p| p.knows_host(name)) => return None,
                None => (ctx.hosts.get(name)?.alias_of.clone()?, None),
            };
            // An alias of another protocol's server is reported by the role rules instead.
            if !ctx.hosts.serves(&of, protocol) {
                return None;
            }
            let mut explanation = format!(
                "\"{name}\" is another name for \"{of}\". It may work today, but only the documented \
                 name is sure to keep working and to match the server's certificate."
            );
            if let Some(note) = note {
                explanation.push(' ');
                explanation.push_str(&note);
            }
            Some(
                Finding::new(
                    FindingId::HostAlias,
                    Some(protocol),
                    format!("\"{name}\" is an alias of \"{of}\""),
                    explanation,
                )
                .with_fix(format!("Server: {of}")),
            )
        })
        .collect()
}

/// Host, port or security differ from every endpoint the provider documents for the protocol.
/// Quiet where a more specific finding already explains the endpoint.
pub(super) fn profile_mismatch(ctx: &LintContext, earlier: &[Finding]) -> Vec<Finding> {
    let Some(profile) = ctx.profile else {
        return Vec::new();
    };
    let mut findings = Vec::new();
    for (&protocol, endpoint) in &ctx.account.endpoints {
        let explained = earlier.iter().any(|f| {
            f.protocol == Some(protocol)
                && !matches!(
                    f.id,
                    FindingId::HostAlias
                        | FindingId::Port25ForSubmission
                        | FindingId::PlaintextCredentials
                )
        });
        if explained {
            continue;
        }
        let offered = profile.endpoints(protocol);
        if offered.is_empty() {
            findings.push(Finding::new(
                FindingId::ProfileMismatch,
                Some(protocol),
                format!("{} does not offer {}", profile.name, protocol.label()),
                format!(
                    "{} documents no {} server, so this setting cannot reach your mailbox there.",
                    profile.name,
                    protocol.label()
                ),
            )
            .with_fix(match protocol {
                Protocol::Pop3 if !profile.endpoints(Protocol::Imap).is_empty() => "Use IMAP instead".to_owned(),
                _ => format!("Remove the {} account", protocol.label()),
            }));
            continue;
        }
        let host = endpoint
            .host
            .name()
            .map(|name| profile.alias_target(name).map_or(name, |a| a.of.as_str()));
        let matches = offered.iter().any(|o| {
            o.host.name() == host && o.port == endpoint.port && o.security == endpoint.security
        });
        if matches
            || (endpoint.host.is_loopback()
                && offered.iter().any(|o| {
                    o.host.is_loopback()
                        && o.port == endpoint.port
                        && o.security == endpoint.security
                }))
        {
            continue;
        }
        let documented: Vec<String> = offered.iter().map(Endpoint::describe).collect();
        findings.push(
            Finding::new(
                FindingId::ProfileMismatch,
                Some(protocol),
                format!(
                    "{} is not a setting {} documents for {}",
                    endpoint.describe(),
                    profile.name,
                    protocol.label()
                ),
                format!(
                    "{} documents {} for {}. Other settings may happen to work, but they are the \
                     usual reason an account that worked yesterday stops today.",
                    profile.name,
                    documented.join(" or "),
                    protocol.label()
                ),
            )
            .with_fix(format!("Server: {}", documented[0])),
        );
    }
    findings
}
