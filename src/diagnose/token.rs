//! OAuth2 token findings: what the token's own claims say against what IMAP, POP and SMTP
//! need. A problem of the whole token (expired, for another service or user) is said once;
//! a missing scope, per protocol. The evidence lists claim names and values, never the token.

use std::fmt::Write as _;

use crate::account::{Account, Protocol};
use crate::finding::{Finding, FindingId, Severity};
use crate::oauth::{Claims, Problem, TokenFacts};
use crate::probe::observation::Observation;

pub(super) fn findings(
    token: &TokenFacts,
    primary: &[Observation],
    account: &Account,
) -> Vec<Finding> {
    let Ok(claims) = &token.claims else {
        return Vec::new();
    };
    let login = account.effective_username();
    let mut out: Vec<Finding> = Vec::new();
    let protocols: Vec<Protocol> = primary.iter().map(|o| o.protocol).collect();
    for protocol in &protocols {
        for problem in crate::oauth::problems(claims, *protocol, login.as_deref(), token.now) {
            let whole = !matches!(problem, Problem::MissingScope { .. });
            let finding = finding(&problem, *protocol, claims);
            let finding = if whole {
                Finding {
                    protocol: None,
                    ..finding
                }
            } else {
                finding
            };
            if !out
                .iter()
                .any(|f| f.id == finding.id && f.protocol == finding.protocol)
            {
                out.push(finding.with_evidence(evidence(claims)));
            }
        }
    }
    out
}

/// The claims that were judged, by name: what a reader compares with the app's registration.
fn evidence(claims: &Claims) -> String {
    let mut out = String::from("The token's claims:");
    let time =
        |s: i64| jiff::Timestamp::from_second(s).map_or_else(|_| s.to_string(), |t| t.to_string());
    let _ = write!(out, " aud={}", list(&claims.audience));
    let _ = write!(out, ", scp/roles={}", list(&claims.scopes));
    if let Some(exp) = claims.expires {
        let _ = write!(out, ", exp={}", time(exp));
    }
    if let Some(user) = &claims.user {
        let _ = write!(out, ", user={user}");
    }
    if let Some(tid) = &claims.tenant {
        let _ = write!(out, ", tid={tid}");
    }
    if let Some(iss) = &claims.issuer {
        let _ = write!(out, ", iss={iss}");
    }
    out.push_str(" (decoded here; the token itself is shown nowhere)");
    out
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".to_owned()
    } else {
        items.join(" ")
    }
}

fn minutes(seconds: i64) -> String {
    match seconds {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s => format!("{} h", s / 3600),
    }
}

fn finding(problem: &Problem, protocol: Protocol, claims: &Claims) -> Finding {
    let p = Some(protocol);
    match problem {
        Problem::Expired { ago } => Finding::new(
            FindingId::OauthTokenExpired,
            p,
            format!("The OAuth2 token expired {} ago", minutes(*ago)),
            "Access tokens live about an hour; the server refuses an expired one with a bare \"authentication failed\". If this machine's clock is wrong, the check is wrong too: compare it first.".to_owned(),
        )
        .with_fix("Get a fresh token (the app's refresh token does that) and check again"),
        Problem::ExpiresSoon { left } => Finding::new(
            FindingId::OauthTokenExpired,
            p,
            format!("The OAuth2 token expires in {}", minutes(*left)),
            "It works now, but a job that fetched it once and runs longer will fail when it runs out.".to_owned(),
        )
        .with_severity(Severity::Warning)
        .with_fix("Refresh the token before each run, not once"),
        Problem::NotYetValid { in_seconds } => Finding::new(
            FindingId::OauthTokenExpired,
            p,
            format!("The OAuth2 token is valid only in {}", minutes(*in_seconds)),
            "Its not-before time (nbf) lies ahead: this machine's clock is behind, or the token's issuer's ahead.".to_owned(),
        )
        .with_fix("Set this machine's clock right (NTP), then get a fresh token"),
        Problem::WrongAudience { audience } => Finding::new(
            FindingId::OauthTokenWrongAudience,
            p,
            format!("The OAuth2 token is for {}, not for mail", list(audience)),
            "Exchange Online takes IMAP, POP and SMTP tokens only for its own resource (audience https://outlook.office.com). A token for Microsoft Graph (https://graph.microsoft.com), the usual mistake, is refused with a bare \"AUTHENTICATE failed\".".to_owned(),
        )
        .with_fix(format!(
            "Request the token with scope https://outlook.office.com/{} (not a Graph scope such as Mail.Send)",
            crate::oauth::scopes_for(protocol)[0]
        )),
        Problem::MissingScope { needed, has } => Finding::new(
            FindingId::OauthTokenMissingScope,
            p,
            format!("The OAuth2 token lacks {needed} for {}", protocol.label()),
            format!(
                "The token is for Exchange Online but carries {}, not {needed}: the server takes the login for {} only with it.",
                if has.is_empty() { "no scope".to_owned() } else { has.join(" ") },
                protocol.label()
            ),
        )
        .with_fix(format!(
            "Request the token with scope https://outlook.office.com/{needed} (and give the app that permission in its registration)"
        )),
        Problem::OtherUser { token_user, login } => Finding::new(
            FindingId::OauthTokenOtherUser,
            p,
            format!("The OAuth2 token is {token_user}'s, but the login is {login}"),
            format!(
                "XOAUTH2 sends the user name beside the token, and the server checks they belong together{}.",
                if claims.tenant.is_some() { " (in the same tenant)" } else { "" }
            ),
        )
        .with_fix(format!(
            "Log in as {token_user}, or get a token signed in as {login}"
        )),
    }
}
