//! `lint`, `check`, `discover` and the dashboard: each builds its options, asks the library
//! for an outcome (or a dashboard), and renders it.

use std::io::Write;

use anyhow::{Result, bail};

use crate::account::AccountLayer;
use crate::check::{CheckOutcome, Checkup, Start};
use crate::cli::{CheckArgs, Cli, DiscoverArgs, LintArgs};
use crate::exit::ExitStatus;
use crate::lint::lint_resolved;
use crate::profile::ProfileStore;
use crate::report::Report;
use crate::resolve::resolve;
use crate::tui::Dashboard;
use crate::tui::theme::Theme;

use super::options::{account_layer, check_options, discover_options, login_secret, read_import};
use super::{Output, command_line, emit, made_now, runtime, today};

pub(super) fn run_lint(
    args: &LintArgs,
    store: &ProfileStore,
    out: &mut dyn Write,
    output: Output,
) -> Result<ExitStatus> {
    let (layer, imported) = account_layer(&args.account)?;
    let resolved = resolve(layer, store)?;
    let lint = lint_resolved(&resolved, store, args.as_of.unwrap_or_else(today));
    let outcome = CheckOutcome::linted(resolved, &lint, imported);
    emit_outcome(out, &outcome, Shown::of(args, false), output)
}

pub(super) fn run_check(
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
    emit_outcome(out, &outcome, Shown::of(&args.lint, args.verbose), output)
}

/// `discover`: every source side by side, probed, one server recommended per protocol.
pub(super) fn run_discover(
    args: &DiscoverArgs,
    store: &ProfileStore,
    out: &mut dyn Write,
    output: Output,
) -> Result<ExitStatus> {
    let imported = read_import(&args.import)?;
    let address = match (
        &args.address,
        imported.as_ref().and_then(|i| i.account.address.as_ref()),
    ) {
        (Some(a), _) | (None, Some(a)) => crate::account::Address::parse(a)?,
        (None, None) => bail!(
            "the imported account names no address to look up: give it, e.g. maildoctor discover bob@example.org --import …"
        ),
    };
    let asking = crate::check::asking(&discover_options(args), store)?;
    let discovery =
        runtime()?.block_on(crate::discover::discover(&address, &asking, !args.no_probe));
    let layer = AccountLayer {
        address: Some(address.to_string()),
        ..AccountLayer::default()
    };
    let layer = crate::check::discovered_layer(layer, &discovery);
    let resolved = crate::check::resolve_discovered(&layer, &discovery, store)?;
    let outcome = CheckOutcome::of_discovery(resolved, discovery, imported);
    let shown = Shown {
        format: args.format,
        hostname: false,
        verbose: false,
    };
    emit_outcome(out, &outcome, shown, output)
}

/// How an outcome's report is asked for: the format, the machine's name, the stages.
#[derive(Debug, Clone, Copy)]
struct Shown {
    format: crate::cli::Format,
    hostname: bool,
    verbose: bool,
}

impl Shown {
    fn of(args: &LintArgs, verbose: bool) -> Shown {
        Shown {
            format: args.format,
            hostname: args.report_hostname,
            verbose,
        }
    }
}

/// Writes the report of an outcome as the flags ask; the exit status is its worst finding's.
fn emit_outcome(
    out: &mut dyn Write,
    outcome: &CheckOutcome,
    shown: Shown,
    output: Output,
) -> Result<ExitStatus> {
    let report = Report::of(outcome, &made_now(shown.hostname));
    let text = crate::report::render(&report, shown.format.into(), shown.verbose);
    emit(out, &text, shown.format, output)?;
    Ok(ExitStatus::from_worst(outcome.worst()))
}

/// The dashboard for these arguments, ready to run: the one way the command and the tests
/// build it.
pub fn dashboard(cli: &Cli, store: &ProfileStore) -> Result<Dashboard> {
    let args = &cli.dashboard.check;
    let theme = Theme::from_env(cli.ascii);
    let (layer, imported) = account_layer(&args.lint.account)?;
    let options = check_options(args, imported.as_ref());
    // Nothing given at all: the accounts of the mail clients on this machine, to choose from.
    if layer == AccountLayer::default() && imported.is_none() && !args.login {
        let clients = crate::tui::model::ClientItem::all(&crate::import::list(
            &crate::import::places::found(),
        ));
        if !clients.is_empty() {
            let waiting = Checkup::nothing_found(layer, options)?;
            return Ok(Dashboard::new(waiting, store.clone(), theme).choosing(clients));
        }
    }
    let mut dashboard = match Start::new(layer, store, options)? {
        // An address to discover opens the dashboard at once, discovery running in it; with
        // --login the prompt must name the user first, so discovery comes before.
        Start::Discover {
            address,
            layer,
            options,
        } if !args.login => {
            let waiting =
                Checkup::nothing_found(layer.clone(), options.clone())?.with_import(imported);
            Dashboard::new(waiting, store.clone(), theme).discovering(address, layer, options)
        }
        start => Dashboard::new(
            logged_in(start, imported, args, store)?,
            store.clone(),
            theme,
        ),
    };
    dashboard.command_line = command_line();
    Ok(dashboard)
}

/// The account and the check's options from the flags; the secret for `--login` is read here.
fn checkup(args: &CheckArgs, store: &ProfileStore) -> Result<Checkup> {
    let (layer, imported) = account_layer(&args.lint.account)?;
    if layer == AccountLayer::default() && imported.is_none() {
        bail!(nothing_given(&crate::import::list(
            &crate::import::places::found()
        )));
    }
    let options = check_options(args, imported.as_ref());
    logged_in(Start::new(layer, store, options)?, imported, args, store)
}

/// The checkup a start leads to (discovered first when it must be), with the secret for
/// `--login`: asked last, so a bad --ca-file or --dns-server fails before anyone types a
/// password, and the prompt names the user the account resolved to.
fn logged_in(
    start: Start,
    imported: Option<crate::import::Imported>,
    args: &CheckArgs,
    store: &ProfileStore,
) -> Result<Checkup> {
    let mut checkup = match start {
        Start::Ready(checkup) => checkup,
        start @ Start::Discover { .. } => runtime()?.block_on(start.checkup(store))?,
    }
    .with_import(imported);
    if args.login {
        let secret = login_secret(&checkup.resolved, args)?;
        checkup.set_login(secret)?;
    }
    Ok(checkup)
}

/// Nothing given, and no dashboard to choose in: what to give, and the mail clients'
/// accounts on this machine that the dashboard would have offered, each as its `--import`.
fn nothing_given(listed: &[crate::import::Listed]) -> String {
    let mut text = "nothing to check: give an address of a known provider (see `maildoctor profiles`), --profile ID, --account FILE, the servers with --smtp/--imap/--pop3, or a mail client's file with --import".to_owned();
    let accounts: Vec<String> = listed
        .iter()
        .flat_map(|file| {
            file.accounts.iter().flatten().map(move |a| {
                format!(
                    "\n  --import {}   ({} account {})",
                    shell_words::quote(&a.import),
                    file.kind.label(),
                    a.name
                )
            })
        })
        .collect();
    if accounts.is_empty() {
        text.push_str(
            ". No mail client's settings were found in the usual places (`maildoctor clients` lists where it looks).",
        );
    } else {
        text.push_str(
            ". The mail clients' accounts on this machine (`maildoctor clients` says more):",
        );
        text.extend(accounts);
    }
    text
}
