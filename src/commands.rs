//! The commands: each turns parsed arguments into output and an exit status.

use std::io::Write;

use anyhow::{Context, Result};

use crate::account::{AccountLayer, load_account_file};
use crate::cli::{
    AccountArgs, CheckArgs, Cli, Command, Format, LintArgs, ProfilesAction, ProfilesArgs,
};
use crate::exit::ExitStatus;
use crate::finding::worst;
use crate::lint::{LintContext, lint};
use crate::profile::{HostIndex, ProfileStore, user_profiles_dir};
use crate::report::{Report, render_profile, render_profile_list, render_report, to_json};
use crate::resolve::{Resolved, resolve};

/// Runs one command, writing its output to `out`.
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<ExitStatus> {
    let store = load_profiles(&cli)?;
    match cli.command {
        Some(Command::Lint(args)) => run_lint(&args, &store, out),
        Some(Command::Check(args)) => run_check(&args, &store, out),
        None if std::io::IsTerminal::is_terminal(&std::io::stdout()) => {
            run_dashboard(cli.dashboard, &store)
        }
        None => run_check(&cli.dashboard.check, &store, out),
        Some(Command::Profiles(args)) => run_profiles(&args, &store, out),
    }
}

/// Built-in profiles, then the user's config dir, then `--profiles-dir`.
fn load_profiles(cli: &Cli) -> Result<ProfileStore> {
    let dirs: Vec<_> = user_profiles_dir()
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
pub fn account_layer(args: &AccountArgs) -> Result<AccountLayer> {
    let file = match &args.account {
        Some(path) => load_account_file(path)?,
        None => AccountLayer::default(),
    };
    Ok(args.layer().over(file))
}

fn run_lint(args: &LintArgs, store: &ProfileStore, out: &mut dyn Write) -> Result<ExitStatus> {
    let resolved = resolve(account_layer(&args.account)?, store)?;
    let today = args.as_of.unwrap_or_else(today);
    let findings = lint_resolved(&resolved, store, today);
    let report = Report::new("lint", &resolved, &findings);
    let text = match args.format {
        Format::Text => render_report(&report, false),
        Format::Json => to_json(&report) + "\n",
    };
    write_out(out, &text)?;
    Ok(ExitStatus::from_worst(worst(&findings)))
}

fn run_check(args: &CheckArgs, store: &ProfileStore, out: &mut dyn Write) -> Result<ExitStatus> {
    let resolved = resolve(account_layer(&args.lint.account)?, store)?;
    let today = args.lint.as_of.unwrap_or_else(today);
    let static_findings = lint_resolved(&resolved, store, today);
    let plan = crate::check::plan(&resolved, &static_findings, args);
    let settings = crate::check::settings(&resolved, args)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let (result, findings) = runtime.block_on(crate::check::probe_and_diagnose(
        &resolved,
        static_findings,
        plan,
        settings,
        None,
    ));
    let report = Report::new("check", &resolved, &findings)
        .with_probes(&result.primary, &result.alternatives);
    let text = match args.lint.format {
        Format::Text => render_report(&report, args.verbose),
        Format::Json => to_json(&report) + "\n",
    };
    write_out(out, &text)?;
    Ok(ExitStatus::from_worst(worst(&findings)))
}

fn run_dashboard(args: crate::cli::DashboardArgs, store: &ProfileStore) -> Result<ExitStatus> {
    let check = &args.check;
    let layer = account_layer(&check.lint.account)?;
    let resolved = resolve(layer.clone(), store)?;
    let today = check.lint.as_of.unwrap_or_else(today);
    let static_findings = lint_resolved(&resolved, store, today);
    let settings = crate::check::settings(&resolved, check)?;
    crate::tui::run(crate::tui::Dashboard {
        layer,
        resolved,
        static_findings,
        settings,
        theme: crate::tui::theme::Theme::from_env(args.ascii),
        store: store.clone(),
        today,
        args: args.check,
    })
}

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

/// The static findings of a resolved account.
pub fn lint_resolved(
    resolved: &Resolved,
    store: &ProfileStore,
    today: jiff::civil::Date,
) -> Vec<crate::finding::Finding> {
    let hosts = HostIndex::build(store);
    lint(&LintContext {
        account: &resolved.account,
        profile: resolved.profile(),
        store,
        hosts: &hosts,
        today,
    })
}

fn run_profiles(
    args: &ProfilesArgs,
    store: &ProfileStore,
    out: &mut dyn Write,
) -> Result<ExitStatus> {
    let text = match (&args.action, args.format) {
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
                Format::Text => render_profile(profile, &source),
                Format::Json => serde_json::to_string_pretty(profile)? + "\n",
            }
        }
    };
    write_out(out, &text)?;
    Ok(ExitStatus::Ok)
}
