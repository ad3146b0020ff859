//! The flags as the library's options: the one place where command-line types become the
//! library's, so no clap type goes further down.

use anyhow::{Context, Result, bail};

use crate::account::{AccountLayer, load_account_file};
use crate::check::{CheckOptions, LoginRefusal, LoginSecret, login_refusal};
use crate::cli::{AccountArgs, CheckArgs, DiscoverArgs, ImportArgs};
use crate::import::Imported;
use crate::probe::dns::Family;
use crate::resolve::Resolved;
use crate::secret::Secret;

use super::{Cancelled, PASSWORD_ENV, today};

/// The settings as given: the flags over the imported client's file over the account file;
/// the profile and discovery fill in what is left.
pub fn account_layer(args: &AccountArgs) -> Result<(AccountLayer, Option<Imported>)> {
    let file = match &args.account {
        Some(path) => load_account_file(path)?,
        None => AccountLayer::default(),
    };
    let imported = read_import(&args.import)?;
    let base = match &imported {
        Some(i) => i.account.layer().over(file),
        None => file,
    };
    Ok((args.layer()?.over(base), imported))
}

/// The client's file `--import` names, read as that client reads it.
pub(super) fn read_import(args: &ImportArgs) -> Result<Option<Imported>> {
    Ok(args
        .import
        .as_deref()
        .map(|spec| crate::import::import(spec, args.import_format))
        .transpose()?)
}

/// The plain options of a check; the secret comes separately. An imported account is
/// checked with its client's trust (CA file, certificate name) unless the flags say otherwise.
pub(super) fn check_options(args: &CheckArgs, imported: Option<&Imported>) -> CheckOptions {
    let mut options = CheckOptions {
        timeout: args.network.timeout,
        dns_server: args.network.dns_server,
        ca_file: args.network.ca_file.clone(),
        login: None,
        allow_plaintext_auth: args.allow_plaintext_auth,
        tls_name: args.tls_name.clone(),
        family: match (args.ipv4, args.ipv6) {
            (true, _) => Family::V4,
            (_, true) => Family::V6,
            _ => Family::Both,
        },
        only: args.only.iter().copied().collect(),
        alternatives: !args.no_alternatives,
        today: args.lint.as_of.unwrap_or_else(today),
        ispdb: args.sources.ispdb(),
        discover: !args.no_discover,
        trust_discovered: args.trust_discovered,
        access: crate::probe::settings::AccessPlan {
            from: args.from.clone(),
            rcpt: args.rcpt.clone(),
            send_test: args.send_test,
        },
        thresholds: crate::diagnose::Thresholds {
            warn_cert_days: args.warn_cert_days,
            crit_cert_days: args.crit_cert_days,
            warn_time: args.warn_time.map(std::time::Duration::from_millis),
            crit_time: args.crit_time.map(std::time::Duration::from_millis),
        },
    };
    if let Some(i) = imported {
        options.trust_as(&i.account);
    }
    options
}

/// What `discover` may use: its limit, resolver, CA file and ISPDB; it never logs in.
pub(super) fn discover_options(args: &DiscoverArgs) -> CheckOptions {
    let mut options = CheckOptions::new(today());
    options.timeout = args.network.timeout;
    options.dns_server = args.network.dns_server;
    options.ca_file = args.network.ca_file.clone();
    options.ispdb = args.sources.ispdb();
    options
}

/// Reads the secret for `--login`: a token from `--oauth-token-env`, or the password from
/// `MAILDOCTOR_PASSWORD`, or a prompt without echo. Never from the command line.
pub(super) fn login_secret(resolved: &Resolved, args: &CheckArgs) -> Result<LoginSecret> {
    let account = &resolved.account;
    match login_refusal(account, args.oauth_token_env.is_some()) {
        Some(LoginRefusal::Mechanism(mechanism)) => bail!(
            "maildoctor logs in with passwords and OAuth2 only, not {mechanism}; without --login the check still says whether the server offers {mechanism}"
        ),
        Some(LoginRefusal::NeedsToken) => bail!(
            "this account logs in with OAuth2: give the access token with --oauth-token-env VAR"
        ),
        None => {}
    }
    let (secret, oauth2) = if let Some(var) = &args.oauth_token_env {
        let token = std::env::var(var).with_context(|| {
            format!("--oauth-token-env {var}: that environment variable is not set")
        })?;
        (Secret::new(token), true)
    } else if let Ok(password) = std::env::var(PASSWORD_ENV) {
        (Secret::new(password), false)
    } else if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        let prompt = format!(
            "Password for {}: ",
            account.effective_username().unwrap_or_default()
        );
        match crate::terminal::read_secret(&prompt).context("cannot read the password")? {
            crate::terminal::Prompted::Typed(secret) => (secret, false),
            crate::terminal::Prompted::Nothing => bail!(
                "no password given (Ctrl-D at the prompt); without --login the check runs without one"
            ),
            crate::terminal::Prompted::Cancelled => return Err(Cancelled.into()),
        }
    } else {
        bail!(
            "--login needs a password: set {PASSWORD_ENV} (standard input is not a terminal, so there is no prompt)"
        )
    };
    // A line break in it is refused where the credentials are built (`Checkup::set_login`).
    Ok(LoginSecret { secret, oauth2 })
}
