//! `maildoctor check`: static rules, then every endpoint probed at once, then diagnose.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use anyhow::{Context, Result, bail};

use crate::account::{Account, AuthMethod, Protocol};
use crate::cli::CheckArgs;
use crate::diagnose::{DiagnoseInput, diagnose};
use crate::finding::{Finding, FindingId};
use crate::probe::dialogue::{Credentials, Secret};
use crate::probe::dns::{Family, build_resolver};
use crate::probe::engine::{self, CheckPlan, CheckResult};
use crate::probe::events::ProbeEvent;
use crate::probe::settings::{ProbeSettings, Timeouts};
use crate::probe::tls::Connectors;
use crate::profile::{Profile, UsernameForm};
use crate::resolve::Resolved;

/// The environment variable `--login` reads the password from.
pub const PASSWORD_ENV: &str = "MAILDOCTOR_PASSWORD";

/// Static findings whose protocol's alternatives are worth starting at once.
fn suspects(findings: &[Finding]) -> BTreeSet<Protocol> {
    findings
        .iter()
        .filter(|f| {
            matches!(
                f.id,
                FindingId::PortSecurityMismatch
                    | FindingId::IncomingServerAsOutgoing
                    | FindingId::OutgoingServerAsIncoming
                    | FindingId::ImapPop3Swap
                    | FindingId::Port25ForSubmission
            )
        })
        .filter_map(|f| f.protocol)
        .collect()
}

/// The plan for an account: configured endpoints (filtered by `--only`), alternatives.
pub fn plan(resolved: &Resolved, static_findings: &[Finding], args: &CheckArgs) -> CheckPlan {
    let only: BTreeSet<Protocol> = args.only.iter().copied().collect();
    let endpoints = resolved
        .account
        .endpoints
        .iter()
        .filter(|(p, _)| only.is_empty() || only.contains(p))
        .map(|(p, e)| (*p, e.clone()))
        .collect();
    let profile_endpoints = resolved
        .profile()
        .map(|profile| {
            Protocol::ALL
                .into_iter()
                .flat_map(|p| profile.endpoints(p).iter().map(move |e| (p, e.clone())))
                .collect()
        })
        .unwrap_or_default();
    CheckPlan {
        endpoints,
        alternatives: !args.no_alternatives,
        suspects: suspects(static_findings),
        profile_endpoints,
        login: args.login,
    }
}

/// The user name to send for a protocol: the configured one, else the form the provider wants.
pub fn username_for(
    account: &Account,
    profile: Option<&Profile>,
    protocol: Protocol,
) -> Option<String> {
    if let Some(name) = &account.username {
        return Some(name.clone());
    }
    let address = account.address.as_ref()?;
    Some(match profile.map(|p| p.username_form(protocol)) {
        Some(UsernameForm::LocalPart) => address.local_part().to_owned(),
        _ => address.to_string(),
    })
}

/// Reads the secret for `--login`: a token from `--oauth-token-env`, or the password from
/// MAILDOCTOR_PASSWORD, or a prompt without echo. Never from the command line.
fn credentials(resolved: &Resolved, args: &CheckArgs) -> Result<BTreeMap<Protocol, Credentials>> {
    if !args.login {
        return Ok(BTreeMap::new());
    }
    let account = &resolved.account;
    let (secret, oauth2) = if let Some(var) = &args.oauth_token_env {
        let token = std::env::var(var).with_context(|| {
            format!("--oauth-token-env {var}: that environment variable is not set")
        })?;
        (token, true)
    } else if account.auth == AuthMethod::Oauth2 {
        bail!("this account logs in with OAuth2: give the access token with --oauth-token-env VAR")
    } else if let Ok(password) = std::env::var(PASSWORD_ENV) {
        (password, false)
    } else if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        let prompt = format!(
            "Password for {}: ",
            account.effective_username().unwrap_or_default()
        );
        (
            rpassword::prompt_password(prompt).context("cannot read the password")?,
            false,
        )
    } else {
        bail!(
            "--login needs a password: set {PASSWORD_ENV} (standard input is not a terminal, so there is no prompt)"
        )
    };
    // A line break would end the command early and start another (POP3 USER/PASS, SMTP).
    if secret.contains(['\r', '\n']) {
        bail!(
            "the password or token contains a line break; check {PASSWORD_ENV} or the variable given"
        )
    }
    let mut map = BTreeMap::new();
    for protocol in account.endpoints.keys() {
        let username = username_for(account, resolved.profile(), *protocol)
            .context("--login needs a user name: give an address or --user")?;
        if username.contains(['\r', '\n']) {
            bail!("the user name contains a line break");
        }
        map.insert(
            *protocol,
            Credentials {
                username,
                secret: Secret::new(secret.clone()),
                oauth2,
            },
        );
    }
    Ok(map)
}

/// Builds the probe settings from the flags.
pub fn settings(resolved: &Resolved, args: &CheckArgs) -> Result<ProbeSettings> {
    let timeouts = args
        .timeout
        .map_or_else(Timeouts::default, Timeouts::scaled_to);
    let ca = match &args.ca_file {
        Some(path) => Some((
            path.display().to_string(),
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read --ca-file {}", path.display()))?,
        )),
        None => None,
    };
    let connectors = Connectors::new(ca.as_ref().map(|(p, pem)| (p.as_str(), pem.as_str())))?;
    let resolver = build_resolver(args.dns_server, timeouts.connect)?;
    let family = match (args.ipv4, args.ipv6) {
        (true, _) => Family::V4,
        (_, true) => Family::V6,
        _ => Family::Both,
    };
    Ok(ProbeSettings {
        timeouts,
        family,
        resolver: Arc::new(resolver),
        connectors,
        credentials: credentials(resolved, args)?,
        allow_plaintext_auth: args.allow_plaintext_auth,
    })
}

/// Probes and diagnoses; `events` receives the live stream.
pub async fn probe_and_diagnose(
    resolved: &Resolved,
    static_findings: Vec<Finding>,
    plan: CheckPlan,
    settings: ProbeSettings,
    events: Option<tokio::sync::mpsc::UnboundedSender<ProbeEvent>>,
) -> (CheckResult, Vec<Finding>) {
    let result = engine::run(plan, Arc::new(settings), events).await;
    let findings = diagnose(DiagnoseInput {
        account: &resolved.account,
        primary: &result.primary,
        alternatives: &result.alternatives,
        static_findings,
    });
    (result, findings)
}
