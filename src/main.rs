use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;
use maildoctor::cli::Cli;
use maildoctor::exit::ExitStatus;

fn main() -> ExitCode {
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
