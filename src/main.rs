use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;
use maildoctor::cli::Cli;
use maildoctor::exit::ExitStatus;

fn main() -> ExitCode {
    use maildoctor::probe::trust::{CERT_DIR_VAR, CERT_FILE_VAR, HASHED_DIRS, lazy_trust_store};
    // A lazily read CA directory instead of the bundle parsed twice: half the run time of a
    // whole check (see maildoctor::probe::trust).
    if let Some((file, dir)) = lazy_trust_store(
        std::env::var_os(CERT_FILE_VAR),
        std::env::var_os(CERT_DIR_VAR),
        HASHED_DIRS,
    ) {
        // SAFETY: main has started no thread yet, so nothing reads the environment meanwhile.
        unsafe {
            std::env::set_var(CERT_FILE_VAR, file);
            std::env::set_var(CERT_DIR_VAR, dir);
        }
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return match err.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => ExitCode::SUCCESS,
                // Usage errors are "could not do its job", like every other bad input.
                _ => ExitCode::from(ExitStatus::Failure.code()),
            };
        }
    };
    let mut out = anstream::stdout();
    match maildoctor::app::run(cli, &mut out) {
        Ok(status) => ExitCode::from(status.code()),
        Err(err) => {
            eprintln!("maildoctor: error: {err:#}");
            ExitCode::from(ExitStatus::Failure.code())
        }
    }
}
