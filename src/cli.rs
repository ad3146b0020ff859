//! Command-line arguments (clap derive). Parsing only; [`crate::commands`] does the work, and
//! no clap type goes further down than it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::account::{AccountLayer, AuthMethod, PartialEndpoint};

const AFTER_HELP: &str = "\
Exit codes: 0 no warnings or errors, 1 worst finding is a warning, 2 worst finding is an error,
3 maildoctor could not do its job (bad arguments, unreadable file, unknown profile).";

/// Find out why a mail account cannot send or receive.
///
/// Without a command, opens the dashboard (or, when stdout is not a terminal, prints what
/// `check` prints).
#[derive(Debug, Parser)]
#[command(name = "maildoctor", version, after_help = AFTER_HELP)]
pub struct Cli {
    /// A directory of provider profiles (*.yaml) that override the built-in ones by id.
    #[arg(long, global = true, value_name = "DIR")]
    pub profiles_dir: Option<PathBuf>,

    /// ASCII only, in the dashboard and in text output: for terminals and mail readers
    /// without UTF-8. Chosen by itself when the locale is not UTF-8 (LANG=C, cron).
    #[arg(long, global = true)]
    pub ascii: bool,

    /// Print nothing but errors: the exit code carries the verdict (for scripts and cron).
    #[arg(long, short, global = true)]
    pub quiet: bool,

    #[command(flatten)]
    pub dashboard: DashboardArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The dashboard takes every `check` option.
#[derive(Debug, Args)]
pub struct DashboardArgs {
    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Debug, Subcommand)]
// Parsed once per run: boxing the big variants would buy nothing.
#[expect(clippy::large_enum_variant, reason = "parsed once per run")]
pub enum Command {
    /// Check the settings without touching the network: ports, hosts, user name, login policy.
    Lint(LintArgs),
    /// Talk to the servers: SMTP, IMAP and POP3 at once, every stage timed, and what works instead.
    Check(CheckArgs),
    /// Find an address's settings: profile, MX, SRV, autoconfig, ISPDB and guesses side by
    /// side, each server probed (no password), one recommended per protocol.
    Discover(DiscoverArgs),
    /// List the provider profiles, or show one.
    Profiles(ProfilesArgs),
    /// List the mail clients' settings found in the usual places (msmtp, Postfix, git
    /// send-email, mutt, mbsync …), each account with the --import argument that checks it.
    Clients(ClientsArgs),
    /// Print the completion script for a shell: bash, zsh, fish, elvish or powershell.
    ///
    /// For example `maildoctor completions bash >
    /// ~/.local/share/bash-completion/completions/maildoctor`. The Debian package installs
    /// them for bash, zsh and fish.
    Completions(CompletionsArgs),
    /// Print the manual page, maildoctor(1), in roff: `maildoctor man | man -l -` shows it.
    Man,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell whose completion script to print.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ClientsArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

/// Where discovery may ask, for `discover` and for a `check` of a domain no profile knows.
#[derive(Debug, Clone, Default, Args)]
pub struct SourceArgs {
    /// Ask this ISPDB (Thunderbird's database of settings) instead of
    /// https://autoconfig.thunderbird.net/v1.1/; the domain is appended.
    #[arg(long, value_name = "URL", conflicts_with = "no_ispdb", value_parser = ispdb_url)]
    pub ispdb_url: Option<String>,

    /// Do not ask the ISPDB: a lookup there tells a third party (Mozilla) which domain you
    /// look up.
    #[arg(long)]
    pub no_ispdb: bool,
}

impl SourceArgs {
    /// The ISPDB base to ask, or `None` when turned off.
    pub fn ispdb(&self) -> Option<String> {
        if self.no_ispdb {
            return None;
        }
        Some(
            self.ispdb_url
                .clone()
                .unwrap_or_else(|| crate::discover::gather::DEFAULT_ISPDB.to_owned()),
        )
    }
}

/// An http(s) URL; the domain is appended, so it ends in '/'.
fn ispdb_url(value: &str) -> Result<String, String> {
    if !(value.starts_with("https://") || value.starts_with("http://")) {
        return Err("must start with https:// (or http://)".into());
    }
    reqwest::Url::parse(value).map_err(|e| e.to_string())?;
    Ok(if value.ends_with('/') {
        value.to_owned()
    } else {
        format!("{value}/")
    })
}

#[derive(Debug, Args)]
pub struct DiscoverArgs {
    /// The e-mail address whose settings to find (with --import, the imported account's).
    #[arg(value_name = "ADDRESS", required_unless_present = "import")]
    pub address: Option<String>,

    /// With --import: a server the domain's sources contradict is named, with the fix in
    /// the client's words.
    #[command(flatten)]
    pub import: ImportArgs,

    #[command(flatten)]
    pub sources: SourceArgs,

    /// Only gather what the sources claim; probe nothing.
    #[arg(long)]
    pub no_probe: bool,

    #[command(flatten)]
    pub network: NetworkArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
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

    #[command(flatten)]
    pub import: ImportArgs,

    // The specs are parsed by `layer`, not by clap: clap's message would quote a value of any
    // size whole, where ours quotes a bounded excerpt.
    /// Outgoing server, HOST[:PORT][/SECURITY], e.g. smtp.office365.com:587/starttls.
    #[arg(long, value_name = "SPEC")]
    pub smtp: Option<String>,

    /// IMAP server, HOST[:PORT][/SECURITY], e.g. outlook.office365.com:993/tls.
    #[arg(long, value_name = "SPEC")]
    pub imap: Option<String>,

    /// POP3 server, HOST[:PORT][/SECURITY], e.g. outlook.office365.com:995/tls.
    #[arg(long, value_name = "SPEC")]
    pub pop3: Option<String>,

    /// The user name the mail app sends (default: the address).
    #[arg(long = "user", value_name = "NAME", value_parser = one_line)]
    pub username: Option<String>,

    /// How the account logs in.
    #[arg(long, value_name = "METHOD", value_parser = auth_method())]
    pub auth: Option<AuthMethod>,
}

/// The mail client's file to read the settings from, for `lint`, `check`, `discover` and the
/// dashboard alike.
#[derive(Debug, Clone, Default, Args)]
pub struct ImportArgs {
    #[arg(long = "import", value_name = "PATH[#ACCOUNT]", help = import_help())]
    pub import: Option<String>,

    /// The client the --import file belongs to, when its name and content do not say.
    #[arg(long, value_name = "KIND", requires = "import", value_parser = import_format)]
    pub import_format: Option<crate::import::ClientKind>,
}

/// `--import`'s help names every client maildoctor reads, from the registry itself.
fn import_help() -> String {
    format!(
        "Read the settings of the mail client that fails: its file (~/.msmtprc, /etc/postfix/main.cf, ~/.gitconfig, ~/.muttrc …), and after # the account when the file has several. Clients: {}. `maildoctor clients` lists what it finds. Passwords in it are never read, and password commands never run.",
        crate::import::ClientKind::names()
    )
}

/// How far the probes and lookups may take and whom they ask, for `check`, `discover` and the
/// dashboard alike.
#[derive(Debug, Clone, Default, Args)]
pub struct NetworkArgs {
    /// The longest one endpoint (and, for discovery, one source) may take, in seconds; every
    /// stage's limit scales with it (defaults: connect 5 s, greeting 10 s, commands 10 s,
    /// endpoint 30 s, each discovery source 5 s).
    #[arg(long, value_name = "SECS", value_parser = parse_seconds, allow_negative_numbers = true)]
    pub timeout: Option<std::time::Duration>,

    /// Ask this DNS server (IP[:PORT]) instead of the system's resolver, for every lookup
    /// (the servers, MX, SRV, the autoconfig web servers' names).
    #[arg(long, value_name = "IP[:PORT]", value_parser = parse_dns_server)]
    pub dns_server: Option<std::net::SocketAddr>,

    /// Also trust the CA certificates in this PEM file (company CAs, test labs), for the
    /// probes and the https lookups.
    #[arg(long, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,
}

fn import_format(word: &str) -> Result<crate::import::ClientKind, String> {
    crate::import::ClientKind::from_word(word)
        .ok_or_else(|| format!("one of {}", crate::import::ClientKind::names()))
}

impl AccountArgs {
    /// The flags as a settings layer.
    pub fn layer(&self) -> anyhow::Result<AccountLayer> {
        use anyhow::Context as _;
        let spec = |given: &Option<String>, flag: &str| {
            given
                .as_deref()
                .map(PartialEndpoint::parse)
                .transpose()
                .with_context(|| flag.to_owned())
        };
        Ok(AccountLayer {
            address: self.address.clone(),
            username: self.username.clone(),
            profile: self.profile.clone(),
            auth: self.auth,
            smtp: spec(&self.smtp, "--smtp")?,
            imap: spec(&self.imap, "--imap")?,
            pop3: spec(&self.pop3, "--pop3")?,
        })
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
    /// The monitoring-plugins output (Icinga, Nagios, Naemon, Zabbix, Checkmk): a status
    /// line with performance data, then a line per finding (lint, check, discover).
    Nagios,
    /// A report for a help desk: when and how it was made, a summary, the settings, each
    /// finding with its fix, the certificates and the transcripts (lint, check, discover).
    Markdown,
}

/// Whether these arguments ask for the monitoring-plugins output, read from the words
/// themselves: a usage error must still answer in the plugin's grammar, and then clap has
/// parsed nothing.
pub fn asks_for_nagios<S: AsRef<std::ffi::OsStr>>(args: impl IntoIterator<Item = S>) -> bool {
    let mut previous_was_format = false;
    for arg in args {
        let arg = arg.as_ref().to_string_lossy();
        if arg == "--" {
            return false;
        }
        if previous_was_format && arg == "nagios" || arg == "--format=nagios" {
            return true;
        }
        previous_was_format = arg == "--format";
    }
    false
}

/// The formats of a listing (`profiles`, `clients`): no verdict to monitor, no report for a
/// help desk, so neither nagios nor markdown is offered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    #[default]
    Text,
    Json,
}

impl From<ListFormat> for Format {
    fn from(format: ListFormat) -> Format {
        match format {
            ListFormat::Text => Format::Text,
            ListFormat::Json => Format::Json,
        }
    }
}

impl From<Format> for crate::report::Format {
    fn from(format: Format) -> crate::report::Format {
        match format {
            Format::Text => crate::report::Format::Text,
            Format::Json => crate::report::Format::Json,
            Format::Nagios => crate::report::Format::Nagios,
            Format::Markdown => crate::report::Format::Markdown,
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct LintArgs {
    #[command(flatten)]
    pub account: AccountArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Judge dated provider policies as of this day (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<jiff::civil::Date>,

    /// Name this machine in JSON and Markdown reports (off by default: a report may be sent
    /// on, and the name says where it came from).
    #[arg(long)]
    pub report_hostname: bool,
}

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub lint: LintArgs,

    #[command(flatten)]
    pub network: NetworkArgs,

    /// Log in too. The password comes from `MAILDOCTOR_PASSWORD` or a prompt, never from the
    /// command line.
    #[arg(long)]
    pub login: bool,

    /// Log in with XOAUTH2, taking the access token from this environment variable.
    #[arg(long, value_name = "VAR")]
    pub oauth_token_env: Option<String>,

    /// Verify the certificate for this name (and send it as SNI) instead of the host typed:
    /// for a server reached by its address or an internal name.
    #[arg(long, value_name = "NAME", value_parser = tls_name)]
    pub tls_name: Option<String>,

    /// Send the password even over an unencrypted connection (test servers only).
    #[arg(long)]
    pub allow_plaintext_auth: bool,

    /// Use IPv4 only.
    #[arg(long, conflicts_with = "ipv6")]
    pub ipv4: bool,

    /// Use IPv6 only.
    #[arg(long)]
    pub ipv6: bool,

    /// Probe only these protocols.
    #[arg(long, value_delimiter = ',', value_name = "smtp,imap,pop3")]
    pub only: Vec<crate::account::Protocol>,

    /// Do not try the standard alternatives when an endpoint fails.
    #[arg(long)]
    pub no_alternatives: bool,

    #[command(flatten)]
    pub sources: SourceArgs,

    /// Do not look the address's domain up beside the servers given (for a domain no profile
    /// knows, maildoctor otherwise asks its MX, SRV, autoconfig and the ISPDB, and says when
    /// they name other servers).
    #[arg(long)]
    pub no_discover: bool,

    /// Log in to a server that discovery found only through a source anyone could have
    /// written (plain-http autoconfig, a guess, SRV or autoconfig pointing elsewhere). Without
    /// it such a server is probed, and no password goes to it.
    #[arg(long)]
    pub trust_discovered: bool,

    /// After the login, ask whether this sender may send (MAIL FROM; default: the address).
    /// Nothing is sent: the dialogue ends with RSET.
    #[arg(long, value_name = "ADDR", requires = "login", value_parser = mail_address)]
    pub from: Option<String>,

    /// After the login, ask whether mail to this recipient is taken (RCPT TO; default: the
    /// address; another domain's address tests relaying).
    #[arg(long, value_name = "ADDR", requires = "login", value_parser = mail_address)]
    pub rcpt: Option<String>,

    /// Send a real, short test message from --from to --rcpt after the questions, labelled
    /// as a maildoctor test, and report the server's queue id. Only when asked: without it
    /// maildoctor never sends a message.
    #[arg(long, requires = "login")]
    pub send_test: bool,

    /// Warn when a certificate has fewer days left than this.
    #[arg(long, value_name = "DAYS", default_value_t = 14)]
    pub warn_cert_days: i64,

    /// An error when a certificate has fewer days left than this (0: only when expired).
    #[arg(long, value_name = "DAYS", default_value_t = 0)]
    pub crit_cert_days: i64,

    /// Warn when an endpoint's whole check takes longer than this many milliseconds.
    #[arg(long, value_name = "MS")]
    pub warn_time: Option<u64>,

    /// An error when an endpoint's whole check takes longer than this many milliseconds.
    #[arg(long, value_name = "MS")]
    pub crit_time: Option<u64>,

    /// Show the transcripts (passwords and tokens are always redacted).
    #[arg(long, short)]
    pub verbose: bool,
}

/// The library's words for login methods, listed with what they mean in `--help` and checked
/// by clap.
fn auth_method() -> impl clap::builder::TypedValueParser<Value = AuthMethod> {
    use clap::builder::{PossibleValue, TypedValueParser};
    let values = AuthMethod::ALL.map(|method| {
        let value = PossibleValue::new(method.as_str()).help(method.describe());
        match method {
            AuthMethod::Ntlm => value.alias("spa"),
            AuthMethod::Gssapi => value.alias("kerberos"),
            _ => value,
        }
    });
    clap::builder::PossibleValuesParser::new(values)
        .map(|word| AuthMethod::from_word(&word).unwrap_or(AuthMethod::Password))
}

/// A host name as a certificate names it.
fn tls_name(text: &str) -> Result<String, String> {
    crate::account::validate_name(text).map_err(|e| e.to_string())
}

/// A setting sent on a protocol line: one line of text.
fn one_line(text: &str) -> Result<String, String> {
    if text.chars().any(char::is_control) {
        Err(
            "must be one line of text: it contains a line break or another control character"
                .into(),
        )
    } else {
        Ok(text.to_owned())
    }
}

/// An address for MAIL FROM / RCPT TO: one word with an `@`, nothing SMTP would misread.
fn mail_address(text: &str) -> Result<String, String> {
    let ok = text.contains('@')
        && !text.starts_with('@')
        && !text.ends_with('@')
        && text
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '<' | '>' | '"' | '\\' | ','));
    if ok {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "\"{text}\" is not a mail address like alice@example.org"
        ))
    }
}

fn parse_seconds(text: &str) -> Result<std::time::Duration, String> {
    match text.parse::<f64>() {
        Ok(secs) if secs.is_finite() && (0.1..=600.0).contains(&secs) => {
            Ok(std::time::Duration::from_secs_f64(secs))
        }
        _ => Err(format!(
            "\"{text}\" is not a number of seconds from 0.1 to 600"
        )),
    }
}

fn parse_dns_server(text: &str) -> Result<std::net::SocketAddr, String> {
    if let Ok(addr) = text.parse::<std::net::SocketAddr>() {
        return Ok(addr);
    }
    text.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
        .map(|ip| std::net::SocketAddr::new(ip, 53))
        .map_err(|_| format!("\"{text}\" is not an IP address, with an optional :PORT"))
}

#[derive(Debug, Args)]
pub struct ProfilesArgs {
    #[command(subcommand)]
    pub action: Option<ProfilesAction>,

    /// Output format.
    #[arg(id = "list_format", long = "format", value_enum, default_value_t = ListFormat::Text, global = true)]
    pub format: ListFormat,
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
