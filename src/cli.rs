//! Command-line arguments (clap derive). Parsing only; `app` does the work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::account::{AccountLayer, AuthMethod, PartialEndpoint};

const AFTER_HELP: &str = "\
Exit codes: 0 no warnings or errors, 1 worst finding is a warning, 2 worst finding is an error,
3 maildoctor could not do its job (bad arguments, unreadable file, unknown profile).";

/// Find out why a mail account cannot send or receive.
#[derive(Debug, Parser)]
#[command(name = "maildoctor", version, after_help = AFTER_HELP)]
pub struct Cli {
    /// A directory of provider profiles (*.yaml) that override the built-in ones by id.
    #[arg(long, global = true, value_name = "DIR")]
    pub profiles_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the settings without touching the network: ports, hosts, user name, login policy.
    Lint(LintArgs),
    /// List the provider profiles, or show one.
    Profiles(ProfilesArgs),
}

/// Where the account's settings come from. Flags override the file, which overrides the profile.
#[derive(Debug, Clone, Default, Args)]
pub struct AccountArgs {
    /// The e-mail address; its domain picks the provider profile when --profile is not given.
    #[arg(value_name = "ADDRESS")]
    pub address: Option<String>,

    /// Compare against this provider profile (see `maildoctor profiles`).
    #[arg(long, value_name = "ID")]
    pub profile: Option<String>,

    /// Read the account from a YAML file (see README: "Account files").
    #[arg(long, value_name = "FILE")]
    pub account: Option<PathBuf>,

    /// Outgoing server, HOST[:PORT][/SECURITY], e.g. smtp.office365.com:587/starttls.
    #[arg(long, value_name = "SPEC", value_parser = PartialEndpoint::parse)]
    pub smtp: Option<PartialEndpoint>,

    /// IMAP server, HOST[:PORT][/SECURITY], e.g. outlook.office365.com:993/tls.
    #[arg(long, value_name = "SPEC", value_parser = PartialEndpoint::parse)]
    pub imap: Option<PartialEndpoint>,

    /// POP3 server, HOST[:PORT][/SECURITY], e.g. outlook.office365.com:995/tls.
    #[arg(long, value_name = "SPEC", value_parser = PartialEndpoint::parse)]
    pub pop3: Option<PartialEndpoint>,

    /// The user name the mail app sends (default: the address).
    #[arg(long = "user", value_name = "NAME")]
    pub username: Option<String>,

    /// How the account logs in.
    #[arg(long, value_enum, value_name = "METHOD")]
    pub auth: Option<AuthMethod>,
}

impl AccountArgs {
    /// The flags as a settings layer.
    pub fn layer(&self) -> AccountLayer {
        AccountLayer {
            address: self.address.clone(),
            username: self.username.clone(),
            profile: self.profile.clone(),
            auth: self.auth,
            smtp: self.smtp.clone(),
            imap: self.imap.clone(),
            pop3: self.pop3.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    #[command(flatten)]
    pub account: AccountArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Judge dated provider policies as of this day (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<jiff::civil::Date>,
}

#[derive(Debug, Args)]
pub struct ProfilesArgs {
    #[command(subcommand)]
    pub action: Option<ProfilesAction>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text, global = true)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum ProfilesAction {
    /// List every profile: id, name, domains (the default).
    List,
    /// Print one profile in full.
    Show {
        /// The profile id, e.g. outlook or gmail.
        id: String,
    },
}
