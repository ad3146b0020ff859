//! Rules about logging in: the user-name form and the provider's dated password policies.

use crate::account::{AuthMethod, Protocol};
use crate::finding::{Finding, FindingId, Severity};
use crate::profile::{AuthOffer, Note, NoteEffect, UsernameForm};

use super::{LintContext, protocol_list, single};

const OAUTH2_EXPLAINED: &str = "OAuth2 means you sign in on the provider's own page from inside the \
    mail app, which then holds a token instead of your password. Thunderbird, Apple Mail, Outlook, \
    eM Client, K-9/Thunderbird for Android and FairEmail can do it; most printers, scanners and older \
    apps cannot.";

/// The provider wants `alice@example.com` (or `alice`) and the configured user name is the other form.
pub(super) fn username_form(ctx: &LintContext) -> Vec<Finding> {
    let (Some(profile), Some(username)) = (ctx.profile, ctx.account.username.as_deref()) else {
        return Vec::new();
    };
    if ctx.account.auth == AuthMethod::None {
        return Vec::new();
    }
    let mut findings = Vec::new();
    for form in [UsernameForm::Address, UsernameForm::LocalPart] {
        let wrong: Vec<Protocol> = ctx
            .account
            .endpoints
            .keys()
            .copied()
            .filter(|p| {
                profile.username_form(*p) == form
                    && username.contains('@') != (form == UsernameForm::Address)
            })
            .collect();
        if wrong.is_empty() {
            continue;
        }
        let address = ctx.account.address.as_ref();
        let (title, wanted) = match form {
            UsernameForm::Address => (
                format!(
                    "{} needs the full e-mail address as the user name",
                    profile.name
                ),
                address.map_or_else(|| format!("{username}@<your domain>"), ToString::to_string),
            ),
            UsernameForm::LocalPart => (
                format!(
                    "{} needs only the part before '@' as the user name",
                    profile.name
                ),
                username.split('@').next().unwrap_or(username).to_owned(),
            ),
        };
        findings.push(
            Finding::new(
                FindingId::UsernameForm,
                single(&wrong),
                format!("{title} ({})", protocol_list(&wrong)),
                format!(
                    "The user name \"{username}\" is not in the form {} expects, so the login is refused \
                     even with the right password.",
                    profile.name
                ),
            )
            .with_fix(format!("User name: {wanted}")),
        );
    }
    findings
}

/// The configured protocols a note concerns, if any.
fn configured_under(ctx: &LintContext, note: &Note) -> Option<Vec<Protocol>> {
    let hit: Vec<Protocol> = ctx
        .account
        .endpoints
        .keys()
        .copied()
        .filter(|p| note.covers(*p))
        .collect();
    (!hit.is_empty()).then_some(hit)
}

/// The account is set to a login method the provider does not offer: NTLM ("Secure Password
/// Authentication", which one of the articles users follow tells them to tick for
/// Outlook.com), CRAM-MD5 or Kerberos, where the provider takes passwords or OAuth2 only.
pub(super) fn auth_method_not_offered(ctx: &LintContext) -> Vec<Finding> {
    let (Some(profile), Some(_)) = (ctx.profile, ctx.account.auth.sasl_mechanism()) else {
        return Vec::new();
    };
    let method = ctx.account.auth.label();
    let offered = if profile.auth.contains(&crate::profile::AuthOffer::Oauth2)
        && !profile.auth.contains(&crate::profile::AuthOffer::Password)
    {
        "OAuth2"
    } else if profile.auth.contains(&crate::profile::AuthOffer::Oauth2) {
        "a password or OAuth2"
    } else {
        "a password"
    };
    ctx.account
        .endpoints
        .keys()
        .map(|&protocol| {
            Finding::new(
                FindingId::AuthMechanismUnsupported,
                Some(protocol),
                format!("{} does not offer {method}", profile.name),
                format!(
                    "The account is set to log in with {method}, but {} offers {offered} for mail apps. The login fails before any password is checked.",
                    profile.name
                ),
            )
            .with_fix(format!("Turn {method} off in the mail app; this provider needs {offered}"))
        })
        .collect()
}

/// The provider stopped accepting passwords for a configured protocol on or before today.
pub(super) fn password_auth_unsupported(ctx: &LintContext) -> Vec<Finding> {
    let Some(profile) = ctx
        .profile
        .filter(|_| ctx.account.auth == AuthMethod::Password)
    else {
        return Vec::new();
    };
    profile
        .notes
        .iter()
        .filter(|n| n.effect == NoteEffect::PasswordDisabled && n.date.is_some_and(|d| d <= ctx.today))
        .filter_map(|note| {
            let hit = configured_under(ctx, note)?;
            let since = note.date.map(|d| d.to_string()).unwrap_or_default();
            Some(
                Finding::new(
                    FindingId::PasswordAuthUnsupported,
                    single(&hit),
                    format!("{} no longer accepts passwords for {} (since {since})", profile.name, protocol_list(&hit)),
                    format!("{} {OAUTH2_EXPLAINED}", note.text),
                )
                .with_fix(
                    "Set authentication to OAuth2 (\"OAuth2\", \"Modern Auth\" or \"Sign in with …\") \
                     in your mail app, then sign in again",
                ),
            )
        })
        .collect()
}

/// A dated login-policy change that affects the account: coming (info) or an
/// administrator-reversible change already in force (warning).
pub(super) fn auth_policy_notice(ctx: &LintContext) -> Vec<Finding> {
    let Some(profile) = ctx
        .profile
        .filter(|_| ctx.account.auth == AuthMethod::Password)
    else {
        return Vec::new();
    };
    profile
        .notes
        .iter()
        .filter_map(|note| {
            let date = note.date?;
            let upcoming = date > ctx.today;
            let severity = match note.effect {
                NoteEffect::Info => return None,
                NoteEffect::PasswordDisabled | NoteEffect::PasswordOffByDefault if upcoming => Severity::Info,
                NoteEffect::PasswordOffByDefault => Severity::Warning,
                NoteEffect::PasswordDisabled => return None,
            };
            let hit = configured_under(ctx, note)?;
            let when = if upcoming { format!("from {date}") } else { format!("since {date}") };
            Some(
                Finding::new(
                    FindingId::AuthPolicyNotice,
                    single(&hit),
                    format!("{} password logins for {} change {when}", profile.name, protocol_list(&hit)),
                    format!("{} {OAUTH2_EXPLAINED}", note.text),
                )
                .with_severity(severity)
                .with_fix("Move this account to OAuth2 before the date, or ask your administrator whether password logins stay enabled"),
            )
        })
        .collect()
}

/// The provider takes app passwords but not the account's own password.
pub(super) fn app_password_required(ctx: &LintContext) -> Vec<Finding> {
    let Some(profile) = ctx
        .profile
        .filter(|_| ctx.account.auth == AuthMethod::Password)
    else {
        return Vec::new();
    };
    if !profile.auth.contains(&AuthOffer::AppPassword)
        || profile.auth.contains(&AuthOffer::Password)
    {
        return Vec::new();
    }
    vec![
        Finding::new(
            FindingId::AppPasswordRequired,
            None,
            format!("{} needs an app password here, not your account password", profile.name),
            format!(
                "{} refuses the password you use on its website for mail apps. Create an app password \
                 in the account's security settings (this usually needs two-step verification turned \
                 on) and type that instead{}.",
                profile.name,
                if profile.auth.contains(&AuthOffer::Oauth2) { ", or use OAuth2 sign-in if your app offers it" } else { "" }
            ),
        )
        .with_fix("Password: an app password created in your account's security settings"),
    ]
}
