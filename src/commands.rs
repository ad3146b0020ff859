//! The commands: each turns parsed arguments into output and an exit status.

use std::io::Write;

use anyhow::{Context, Result, bail};

use crate::account::AuthMethod;
use crate::account::{AccountLayer, load_account_file};
use crate::check::{CheckOptions, CheckOutcome, Checkup, LoginSecret};
use crate::cli::{
    AccountArgs, CheckArgs, Cli, Command, DiscoverArgs, Format, LintArgs, ProfilesAction,
    ProfilesArgs,
};
use crate::exit::ExitStatus;
use crate::import::Imported;
use crate::lint::lint_resolved;
use crate::probe::dialogue::Secret;
use crate::probe::dns::Family;
use crate::profile::{ProfileStore, user_profiles_dir};
use crate::report::{Report, render_profile, render_profile_list};
use crate::resolve::{Resolved, resolve};
use crate::tui::Dashboard;
use crate::tui::theme::Theme;

/// The environment variable `--login` reads the password from.
pub const PASSWORD_ENV: &str = "MAILDOCTOR_PASSWORD";

/// Runs one command, writing its output to `out`; the user's own profiles come from their
/// config directory.
pub fn run(cli: &Cli, out: &mut dyn Write) -> Result<ExitStatus> {
    run_with_profiles(cli, out, user_profiles_dir())
}

/// Runs one command with the user's profiles from `user_profiles` (tests pass `None`, so the
/// developer's own profiles cannot change what they see).
pub fn run_with_profiles(
    cli: &Cli,
    out: &mut dyn Write,
    user_profiles: Option<std::path::PathBuf>,
) -> Result<ExitStatus> {
    let store = load_profiles(cli, user_profiles)?;
    let output = Output {
        ascii: cli.ascii,
        quiet: cli.quiet,
    };
    match &cli.command {
        Some(Command::Lint(args)) => run_lint(args, &store, out, output),
        Some(Command::Check(args)) => run_check(args, &store, out, output),
        None if std::io::IsTerminal::is_terminal(&std::io::stdout()) => {
            let term = std::env::var("TERM").ok();
            if crate::terminal::can_draw(term.as_deref()) {
                crate::tui::run(dashboard(cli, &store)?)
            } else {
                eprintln!(
                    "maildoctor: TERM={} cannot draw the dashboard (no cursor addressing); the check's text follows",
                    term.as_deref().unwrap_or("")
                );
                run_check(&cli.dashboard.check, &store, out, output)
            }
        }
        None => run_check(&cli.dashboard.check, &store, out, output),
        Some(Command::Profiles(args)) => run_profiles(args, &store, out, output),
        Some(Command::Discover(args)) => run_discover(args, &store, out, output),
        Some(Command::Clients(args)) => run_clients(args, out, output),
    }
}

/// When and how a report was made: now, by this command line (passwords in URLs removed),
/// and, when asked, on which machine.
fn made_now(hostname: bool) -> crate::report::Made {
    crate::report::Made {
        at: jiff::ZonedDateTime::now(),
        command_line: command_line(),
        hostname: hostname.then(|| {
            std::fs::read_to_string("/proc/sys/kernel/hostname")
                .map_or_else(|_| "unknown".into(), |h| h.trim().to_owned())
        }),
    }
}

/// This process's command line as a shell would take it back, passwords in URLs removed.
fn command_line() -> String {
    let argv: Vec<String> = std::env::args()
        .map(|a| crate::import::text::url_without_password(&a))
        .collect();
    shell_words::join(&argv)
}

/// How text reaches the user: in ASCII (`--ascii`, or a locale without UTF-8), or not at all
/// (`--quiet`: the exit code is the answer).
#[derive(Debug, Clone, Copy)]
struct Output {
    ascii: bool,
    quiet: bool,
}

/// Writes a command's output as `output` says. JSON and Markdown are documents, UTF-8 by
/// their own rules, and pass unchanged.
fn emit(out: &mut dyn Write, text: &str, format: Format, output: Output) -> Result<()> {
    if output.quiet {
        return Ok(());
    }
    if output.ascii && matches!(format, Format::Text | Format::Nagios) {
        return write_out(out, &crate::glyphs::to_ascii(text));
    }
    write_out(out, text)
}

fn run_clients(
    args: &crate::cli::ClientsArgs,
    out: &mut dyn Write,
    output: Output,
) -> Result<ExitStatus> {
    let listed = crate::import::list(&crate::import::places::found());
    let text = match args.format {
        Format::Text => crate::report::render_clients(&listed),
        Format::Json => {
            serde_json::to_string_pretty(&crate::report::clients_dto(&listed))
                .context("cannot write JSON")?
                + "\n"
        }
        Format::Nagios | Format::Markdown => {
            bail!("--format nagios and markdown are for lint, check and discover")
        }
    };
    emit(out, &text, args.format, output)?;
    Ok(ExitStatus::Ok)
}

/// Built-in profiles, then the user's config dir, then `--profiles-dir`.
fn load_profiles(cli: &Cli, user_profiles: Option<std::path::PathBuf>) -> Result<ProfileStore> {
    let dirs: Vec<_> = user_profiles
        .into_iter()
        .chain(cli.profiles_dir.clone())
        .collect();
    if let Some(dir) = &cli.profiles_dir
        && !dir.is_dir()
    {
        anyhow::bail!("--profiles-dir {}: no such directory", dir.display());
    }
    Ok(ProfileStore::load(&dirs)?)
}

/// Flags over the account file; the profile layer is applied by `resolve`.
/// The settings as given: the flags over the imported client's file over the account file;
/// the profile and discovery fill in what is left.
pub fn account_layer(args: &AccountArgs) -> Result<(AccountLayer, Option<Imported>)> {
    let file = match &args.account {
        Some(path) => load_account_file(path)?,
        None => AccountLayer::default(),
    };
    let imported = args
        .import
        .as_deref()
        .map(|spec| crate::import::import(spec, args.import_format))
        .transpose()?;
    let base = match &imported {
        Some(i) => i.account.layer().over(file),
        None => file,
    };
    Ok((args.layer()?.over(base), imported))
}

fn run_lint(
    args: &LintArgs,
    store: &ProfileStore,
    out: &mut dyn Write,
    output: Output,
) -> Result<ExitStatus> {
    let (layer, imported) = account_layer(&args.account)?;
    let resolved = resolve(layer, store)?;
    let lint = lint_resolved(&resolved, store, args.as_of.unwrap_or_else(today));
    let outcome = CheckOutcome::linted(resolved, &lint, imported);
    emit_outcome(out, &outcome, args, false, output)
}

/// Writes the report of an outcome as the flags ask; the exit status is its worst finding's.
fn emit_outcome(
    out: &mut dyn Write,
    outcome: &CheckOutcome,
    args: &LintArgs,
    verbose: bool,
    output: Output,
) -> Result<ExitStatus> {
    let report = Report::of(outcome, &made_now(args.report_hostname));
    let text = crate::report::render(&report, args.format.into(), verbose);
    emit(out, &text, args.format, output)?;
    Ok(ExitStatus::from_worst(outcome.worst()))
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn run_check(
    args: &CheckArgs,
    store: &ProfileStore,
    out: &mut dyn Write,
    output: Output,
) -> Result<ExitStatus> {
    let checkup = checkup(args, store)?;
    let outcome = match crate::check::discovery_beside(&checkup) {
        Some(address) => runtime()?.block_on(checkup.run_beside_discovery(address, store, None))?,
        None => runtime()?.block_on(checkup.run(None)),
    };
    emit_outcome(out, &outcome, &args.lint, args.verbose, output)
}

/// The dashboard for these arguments, ready to run: the one way the command and the tests
/// build it.
pub fn dashboard(cli: &Cli, store: &ProfileStore) -> Result<Dashboard> {
    let mut dashboard = dashboard_for(cli, store)?;
    dashboard.command_line = command_line();
    Ok(dashboard)
}

fn dashboard_for(cli: &Cli, store: &ProfileStore) -> Result<Dashboard> {
    let args = &cli.dashboard;
    let theme = Theme::from_env(cli.ascii);
    // An address to discover opens the dashboard at once, discovery running in it; with
    // --login the prompt must name the user first, so discovery comes before.
    let (layer, imported) = account_layer(&args.check.lint.account)?;
    if !args.check.login
        && let Some(address) = crate::check::needs_discovery(&layer, store)
    {
        let options = check_options(&args.check);
        let waiting = Checkup::nothing_found(layer.clone(), options.clone())?.with_import(imported);
        return Ok(
            Dashboard::new(waiting, store.clone(), theme).discovering(address, layer, options)
        );
    }
    // Nothing given at all: the accounts of the mail clients on this machine, to choose from.
    if layer == AccountLayer::default() && imported.is_none() && !args.check.login {
        let clients = client_items(&crate::import::list(&crate::import::places::found()));
        if !clients.is_empty() {
            let waiting = Checkup::nothing_found(layer, check_options(&args.check))?;
            return Ok(Dashboard::new(waiting, store.clone(), theme).choosing(clients));
        }
    }
    let checkup = checkup(&args.check, store)?;
    Ok(Dashboard::new(checkup, store.clone(), theme))
}

/// What `clients` lists, as the dashboard's picker shows it.
fn client_items(listed: &[crate::import::Listed]) -> Vec<crate::tui::model::ClientItem> {
    let mut out = Vec::new();
    for file in listed {
        for account in file.accounts.iter().flatten() {
            let servers: Vec<String> = account
                .servers
                .iter()
                .map(|(p, e)| format!("{} {}", p.label(), e.describe()))
                .collect();
            out.push(crate::tui::model::ClientItem {
                label: format!(
                    "{} · {} · {}: {}",
                    file.kind.label(),
                    file.shown,
                    account.name,
                    servers.join(", ")
                ),
                import: account.import.clone(),
            });
        }
    }
    out
}

/// The account and the check's options from the flags; the secret for `--login` is read here.
/// An address no profile knows, given without servers, is discovered first.
fn checkup(args: &CheckArgs, store: &ProfileStore) -> Result<Checkup> {
    let (layer, imported) = account_layer(&args.lint.account)?;
    let mut options = check_options(args);
    if let Some(i) = &imported {
        options.trust_as(&i.account);
    }
    let mut checkup = match crate::check::needs_discovery(&layer, store) {
        Some(address) => runtime()?.block_on(crate::check::discover_then_checkup(
            address, layer, store, options, None,
        ))?,
        None => Checkup::new(layer, store, options)?,
    }
    .with_import(imported);
    // Asked last, so a bad --ca-file or --dns-server fails before anyone types a password;
    // the prompt names the user the account resolved to.
    if args.login {
        let secret = login_secret(&checkup.resolved, args)?;
        checkup.set_login(secret)?;
    }
    Ok(checkup)
}

/// The plain options of a check; the secret comes separately.
fn check_options(args: &CheckArgs) -> CheckOptions {
    CheckOptions {
        timeout: args.timeout,
        dns_server: args.dns_server,
        ca_file: args.ca_file.clone(),
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
    }
}

/// Reads the secret for `--login`: a token from `--oauth-token-env`, or the password from
/// `MAILDOCTOR_PASSWORD`, or a prompt without echo. Never from the command line.
fn login_secret(resolved: &Resolved, args: &CheckArgs) -> Result<LoginSecret> {
    let account = &resolved.account;
    let (secret, oauth2) = if let Some(var) = &args.oauth_token_env {
        let token = std::env::var(var).with_context(|| {
            format!("--oauth-token-env {var}: that environment variable is not set")
        })?;
        (Secret::new(token), true)
    } else if let Some(mechanism) = account.auth.sasl_mechanism() {
        bail!(
            "maildoctor logs in with passwords and OAuth2 only, not {mechanism}; without --login the check still says whether the server offers {mechanism}"
        )
    } else if account.auth == AuthMethod::Oauth2 {
        bail!("this account logs in with OAuth2: give the access token with --oauth-token-env VAR")
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

/// The user pressed Ctrl-C at the password prompt: not a failure to report, an
/// interruption (exit 130, as for SIGINT).
#[derive(Debug, thiserror::Error)]
#[error("cancelled at the password prompt")]
pub struct Cancelled;

/// Writes the output; a reader that went away (`maildoctor … | head`) is not an error.
fn write_out(out: &mut dyn Write, text: &str) -> Result<()> {
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("cannot write the output")
        }
        _ => Ok(()),
    }
}

/// Today's date in UTC: dated policies change by the day, and UTC needs no time-zone database
/// (whose directory scan costs more than the whole lint).
fn today() -> jiff::civil::Date {
    jiff::tz::TimeZone::UTC
        .to_datetime(jiff::Timestamp::now())
        .date()
}

/// `discover`: every source side by side, probed, one server recommended per protocol.
fn run_discover(
    args: &DiscoverArgs,
    store: &ProfileStore,
    out: &mut dyn Write,
    output: Output,
) -> Result<ExitStatus> {
    let imported = args
        .import
        .as_deref()
        .map(|spec| crate::import::import(spec, args.import_format))
        .transpose()?;
    let address = match (
        &args.address,
        imported.as_ref().and_then(|i| i.account.address.as_ref()),
    ) {
        (Some(a), _) | (None, Some(a)) => crate::account::Address::parse(a)?,
        (None, None) => bail!(
            "the imported account names no address to look up: give it, e.g. maildoctor discover bob@example.org --import …"
        ),
    };
    let mut options = CheckOptions::new(today());
    options.timeout = args.timeout;
    options.dns_server = args.dns_server;
    options.ca_file = args.ca_file.clone();
    options.ispdb = args.sources.ispdb();
    let asking = crate::check::asking(&options, store)?;
    let discovery =
        runtime()?.block_on(crate::discover::discover(&address, &asking, !args.no_probe));
    let layer = AccountLayer {
        address: Some(address.to_string()),
        ..AccountLayer::default()
    };
    let layer = crate::check::discovered_layer(layer, &discovery);
    let resolved = crate::check::resolve_discovered(&layer, &discovery, store)?;
    let outcome = CheckOutcome::of_discovery(resolved, discovery, imported);
    let report = Report::of(&outcome, &made_now(false));
    let text = crate::report::render(&report, args.format.into(), false);
    emit(out, &text, args.format, output)?;
    Ok(ExitStatus::from_worst(outcome.worst()))
}

fn run_profiles(
    args: &ProfilesArgs,
    store: &ProfileStore,
    out: &mut dyn Write,
    output: Output,
) -> Result<ExitStatus> {
    let text = match (&args.action, args.format) {
        (_, Format::Nagios | Format::Markdown) => {
            bail!("--format nagios and markdown are for lint, check and discover")
        }
        (None | Some(ProfilesAction::List), Format::Text) => {
            render_profile_list(store.iter_with_source())
        }
        (None | Some(ProfilesAction::List), Format::Json) => {
            let list: Vec<_> = store
                .iter_with_source()
                .map(|(p, s)| {
                    serde_json::json!({"id": p.id, "name": p.name, "domains": p.domains, "source": s.to_string()})
                })
                .collect();
            serde_json::to_string_pretty(&list)? + "\n"
        }
        (Some(ProfilesAction::Show { id }), format) => {
            let profile = store.get(id)?;
            let source = store
                .iter_with_source()
                .find(|(p, _)| p.id == *id)
                .map(|(_, s)| s.clone())
                .context("profile vanished")?;
            match format {
                Format::Text | Format::Nagios | Format::Markdown => {
                    render_profile(profile, &source)
                }
                Format::Json => serde_json::to_string_pretty(profile)? + "\n",
            }
        }
    };
    emit(out, &text, args.format, output)?;
    Ok(ExitStatus::Ok)
}
