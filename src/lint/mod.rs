//! Static rules: findings from the settings alone, without touching the network.
//! Each rule is a pure function of the [`LintContext`] named for what it detects.

mod auth;
mod hosts;
mod ports;
mod roles;
mod suggest;

use jiff::civil::Date;

use crate::account::Account;
use crate::finding::{Finding, sort_worst_first};
use crate::profile::{HostIndex, Profile, ProfileStore};
use crate::resolve::Resolved;

/// Everything the rules look at.
#[derive(Debug, Clone, Copy)]
pub struct LintContext<'a> {
    pub account: &'a Account,
    /// The provider the account is compared against.
    pub profile: Option<&'a Profile>,
    /// All profiles, for knowledge beyond the account's own provider.
    pub store: &'a ProfileStore,
    pub hosts: &'a HostIndex,
    /// The day dated policies are judged on.
    pub today: Date,
}

/// Runs every rule; findings come back worst first.
pub fn lint(ctx: &LintContext) -> Vec<Finding> {
    let mut findings = Vec::new();
    findings.extend(ports::port_security_mismatch(ctx));
    findings.extend(ports::port_25_for_submission(ctx));
    findings.extend(ports::plaintext_credentials(ctx));
    findings.extend(roles::incoming_server_as_outgoing(ctx));
    findings.extend(roles::outgoing_server_as_incoming(ctx));
    findings.extend(roles::imap_pop3_swap(ctx));
    findings.extend(hosts::host_typo(ctx));
    findings.extend(hosts::legacy_host(ctx));
    findings.extend(hosts::host_alias(ctx));
    // Last: it stays quiet about endpoints a more specific finding already explains.
    let mismatches = hosts::profile_mismatch(ctx, &findings);
    findings.extend(mismatches);
    findings.extend(auth::username_form(ctx));
    findings.extend(auth::password_auth_unsupported(ctx));
    findings.extend(auth::auth_method_not_offered(ctx));
    findings.extend(auth::auth_policy_notice(ctx));
    findings.extend(auth::app_password_required(ctx));
    sort_worst_first(&mut findings);
    findings
}

/// The static findings of a resolved account: the rules against its profile and every other.
pub fn lint_resolved(resolved: &Resolved, store: &ProfileStore, today: Date) -> Vec<Finding> {
    let hosts = HostIndex::build(store);
    lint(&LintContext {
        account: &resolved.account,
        profile: resolved.profile(),
        store,
        hosts: &hosts,
        today,
    })
}

/// A short list of protocols for titles: "SMTP", "IMAP and POP3", "SMTP, IMAP and POP3".
fn protocol_list(protocols: &[crate::account::Protocol]) -> String {
    let labels: Vec<&str> = protocols.iter().map(|p| p.label()).collect();
    match labels.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The protocol a finding is about when it covers a list: the one, or the account as a whole.
fn single(protocols: &[crate::account::Protocol]) -> Option<crate::account::Protocol> {
    match protocols {
        [one] => Some(*one),
        _ => None,
    }
}
