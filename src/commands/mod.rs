//! The commands: each turns parsed arguments into the library's options, asks the library for
//! an outcome, renders it and says the exit status. Nothing here judges or assembles.

mod check;
mod listing;
mod options;

use std::io::Write;

use anyhow::{Context, Result};

use crate::cli::{Cli, Command, Format};
use crate::exit::ExitStatus;
use crate::profile::{ProfileStore, user_profiles_dir};

pub use check::dashboard;
pub use options::account_layer;

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
    // Completions and the man page need no profiles: a broken one of the user's cannot stop them.
    if let Some(text) = cli.command.as_ref().and_then(crate::install::generated) {
        write_out(out, &text)?;
        return Ok(ExitStatus::Ok);
    }
    let store = load_profiles(cli, user_profiles)?;
    let output = Output {
        ascii: cli.ascii,
        quiet: cli.quiet,
    };
    match &cli.command {
        Some(Command::Lint(args)) => check::run_lint(args, &store, out, output),
        Some(Command::Check(args)) => check::run_check(args, &store, out, output),
        None if std::io::IsTerminal::is_terminal(&std::io::stdout()) => {
            let term = std::env::var("TERM").ok();
            if crate::terminal::can_draw(term.as_deref()) {
                crate::tui::run(dashboard(cli, &store)?)
            } else {
                eprintln!(
                    "maildoctor: TERM={} cannot draw the dashboard (no cursor addressing); the check's text follows",
                    term.as_deref().unwrap_or("")
                );
                check::run_check(&cli.dashboard.check, &store, out, output)
            }
        }
        None => check::run_check(&cli.dashboard.check, &store, out, output),
        Some(Command::Profiles(args)) => listing::run_profiles(args, &store, out, output),
        Some(Command::Discover(args)) => check::run_discover(args, &store, out, output),
        Some(Command::Clients(args)) => listing::run_clients(args, out, output),
        Some(Command::Completions(_) | Command::Man) => Ok(ExitStatus::Ok), // printed above
    }
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

/// The runtime the checks run on.
fn runtime() -> Result<tokio::runtime::Runtime> {
    crate::check::runtime().context("cannot start the async runtime")
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

/// Today's date in UTC: dated policies change by the day, and UTC needs no time-zone database
/// (whose directory scan costs more than the whole lint).
fn today() -> jiff::civil::Date {
    jiff::tz::TimeZone::UTC
        .to_datetime(jiff::Timestamp::now())
        .date()
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
    let plain = matches!(format, Format::Text | Format::Nagios);
    let text = if output.ascii && plain {
        std::borrow::Cow::Owned(crate::glyphs::to_ascii(text))
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    if output.quiet {
        // The plugin's status line is its answer, never silenced; the lines after it are.
        return match format {
            Format::Nagios => write_out(out, text.split_inclusive('\n').next().unwrap_or("")),
            _ => Ok(()),
        };
    }
    write_out(out, &text)
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

/// The user pressed Ctrl-C at the password prompt: not a failure to report, an interruption
/// (exit 130, as for SIGINT).
#[derive(Debug, thiserror::Error)]
#[error("cancelled at the password prompt")]
pub struct Cancelled;
