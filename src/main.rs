use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;
use maildoctor::cli::{Cli, Command};
use maildoctor::exit::ExitStatus;

fn main() -> ExitCode {
    // A monitoring system reads standard output: a failure answers there in its grammar too.
    let nagios = maildoctor::cli::asks_for_nagios(std::env::args_os());
    let failed = |why: &str| {
        if nagios {
            print!("{}", maildoctor::report::render_unknown(why));
        }
        ExitCode::from(ExitStatus::Failure.code())
    };
    let mut cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return match err.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => ExitCode::SUCCESS,
                // Usage errors are "could not do its job", like every other bad input.
                _ => failed(&err.to_string()),
            };
        }
    };
    // The locale is the process's, read here at the edge: the library only sees the flag.
    cli.ascii = maildoctor::glyphs::ascii_wanted(cli.ascii);
    if matches!(cli.command, None | Some(Command::Check(_))) {
        use_lazy_trust_store();
        // Only these take the terminal (the dashboard, the password prompt): a signal gives it
        // back before the process exits.
        if let Err(err) = maildoctor::terminal::watch_signals() {
            eprintln!("maildoctor: warning: cannot watch for signals: {err}");
        }
        // And when the terminal itself goes (an SSH connection dropped), with or without one.
        maildoctor::terminal::watch_hangup();
    }
    let mut out = anstream::stdout();
    match maildoctor::commands::run(&cli, &mut out) {
        Ok(status) => ExitCode::from(status.code()),
        Err(err) if err.is::<maildoctor::commands::Cancelled>() => ExitCode::from(130),
        Err(err) => {
            eprintln!("maildoctor: error: {err:#}");
            failed(&format!("{err:#}"))
        }
    }
}

/// A lazily read CA directory instead of the bundle native-tls parses twice, when the directory
/// trusts everything the bundle does: half the run time of a whole check (see
/// `maildoctor::probe::trust`). Only the commands that speak TLS pay for the comparison.
fn use_lazy_trust_store() {
    use maildoctor::probe::trust::{
        CERT_DIR_VAR, CERT_FILE_VAR, DEFAULT_DIR, default_bundles, lazy_trust_store,
    };
    let dir = std::env::var_os(CERT_DIR_VAR).map_or_else(
        || std::path::PathBuf::from(DEFAULT_DIR),
        std::path::PathBuf::from,
    );
    if let Some((file, dir)) = lazy_trust_store(&default_bundles(), &dir) {
        // SAFETY: no thread has been started yet (the async runtime comes later), so nothing
        // reads the environment while it changes. The crate's only unsafe code.
        #[expect(
            unsafe_code,
            reason = "the crate's one unsafe call, before any thread starts"
        )]
        unsafe {
            std::env::set_var(CERT_FILE_VAR, file);
            std::env::set_var(CERT_DIR_VAR, dir);
        }
    }
}
