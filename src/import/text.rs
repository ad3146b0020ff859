//! Small pieces the readers share: numbered lines, the words of a line, on/off values, port
//! names, and the findings every format can have about where a password lives.

use crate::account::{Host, Protocol};
use crate::finding::{Finding, FindingId};

use super::{ClientKind, Invalid, Setting};

/// The files a file includes (git `[include]`, mutt `source`), each with its line.
pub type Includes = Vec<(String, usize)>;

/// Options as a file lists them, name (as the reader keys it), value, setting; the last of
/// a name wins, as in the clients.
pub type Options = Vec<(String, String, Setting)>;

/// The last option of this name: its value and its setting.
pub fn last<'a>(
    options: &'a [(String, String, Setting)],
    key: &str,
) -> Option<(&'a str, &'a Setting)> {
    options
        .iter()
        .rev()
        .find(|(k, _, _)| k == key)
        .map(|(_, v, s)| (v.as_str(), s))
}

/// The lines with their numbers, counting from 1.
pub fn numbered(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().map(|(i, l)| (i + 1, l))
}

/// The words of a line as a shell splits them (quotes, backslashes), for the formats that
/// quote like one (msmtp, mbsync, fetchmail). The message never quotes the line.
pub fn words(line: &str, number: usize) -> Result<Vec<String>, Invalid> {
    shell_words::split(line).map_err(|_| Invalid::new(number, "a quote is not closed"))
}

/// `on`/`off` and their synonyms; an empty value means on (msmtp's rule).
pub fn on_off(value: &str, key: &str, line: usize) -> Result<bool, Invalid> {
    match value.to_ascii_lowercase().as_str() {
        "" | "on" | "yes" | "true" | "1" => Ok(true),
        "off" | "no" | "false" | "0" => Ok(false),
        _ => Err(Invalid::new(line, format!("{key} takes on or off"))),
    }
}

/// A port given as a number or as a service name (`submission`, `imaps` …).
pub fn service_port(word: &str) -> Option<u16> {
    if let Ok(n) = word.parse::<u16>() {
        return (n != 0).then_some(n);
    }
    Some(match word.to_ascii_lowercase().as_str() {
        "smtp" => 25,
        "submission" => 587,
        "submissions" | "smtps" | "ssmtp" => 465,
        "imap" | "imap2" => 143,
        "imaps" => 993,
        "pop3" => 110,
        "pop3s" => 995,
        _ => return None,
    })
}

/// A port given as a number only (the relay-only mailers' `PORT`, `mailhub`'s).
pub fn port_number(word: &str, what: &str, line: usize) -> Result<u16, Invalid> {
    word.parse::<u16>()
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| Invalid::new(line, format!("{what} takes a number from 1 to 65535")))
}

/// The server's host name or address, or why it is none, said of the option `what`.
pub fn parse_host(word: &str, what: &str, line: usize) -> Result<Host, Invalid> {
    Host::parse(word).map_err(|e| Invalid::new(line, format!("{what}: {e}")))
}

/// The program a password command runs, without its arguments: `pass show mail` is `pass`,
/// and `echo secret` is only `echo`.
pub fn program_name(command: &str) -> String {
    let first = command
        .trim_start_matches(['"', '\'', '`', '!'])
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .trim_end_matches(['"', '\'']);
    first.rsplit('/').next().unwrap_or(first).to_owned()
}

/// The file keeps the account's password (the value is never read into anything kept).
pub fn password_stored(
    kind: ClientKind,
    shown: &str,
    account: &str,
    line: usize,
    key: &str,
    protocol: Option<Protocol>,
) -> Finding {
    Finding::new(
        FindingId::ClientPasswordStored,
        protocol,
        format!("{} stores this account's password in the file", kind.label()),
        format!(
            "{shown}, line {line} (account {account}): `{key}` holds the password in plain text. maildoctor did not read it and never uses it: --login asks for the password, or takes it from MAILDOCTOR_PASSWORD. Anyone who can read the file can read the password."
        ),
    )
    .with_fix("Keep the file readable by you alone (chmod 600), or move the password to a keyring or a password command")
}

/// The client runs a command for the password; maildoctor names the program and never runs it.
pub fn password_command(
    kind: ClientKind,
    shown: &str,
    account: &str,
    line: usize,
    key: &str,
    command: &str,
) -> Finding {
    let program = program_name(command);
    Finding::new(
        FindingId::ClientPasswordCommand,
        None,
        format!(
            "{} gets the password from a command: {program}",
            kind.label()
        ),
        format!(
            "{shown}, line {line} (account {account}): `{key}` runs {program} for the password. maildoctor never runs it; --login asks for the password, or takes it from MAILDOCTOR_PASSWORD."
        ),
    )
}

/// The client checks certificates against names only (mbsync 1.4, fetchmail 6.4,
/// OfflineIMAP 8, all seen in the lab): a server given by IP address fails its check even
/// when the certificate is issued for that address.
pub fn ip_certificate(
    kind: ClientKind,
    shown: &str,
    account: &str,
    line: usize,
    host: &str,
    fix: &str,
) -> Finding {
    Finding::new(
        FindingId::ClientIpCertificate,
        None,
        format!(
            "{} checks the certificate against names only, not the IP address given",
            kind.label()
        ),
        format!(
            "{shown}, line {line} (account {account}): {} compares the server's certificate with {host} as a name, so the check fails (\"no matching domain name\", \"certificate owner does not match\") even when the certificate is issued for that address. maildoctor's check accepts such a certificate, so it may pass where the client fails.",
            kind.label()
        ),
    )
    .with_fix(format!("Give the server's name (the one the certificate is for) instead of {host}, or {fix}"))
}

/// The address in a From value: `Name <a@b>` or `a@b`.
pub fn address_in(from: &str) -> String {
    match (from.rfind('<'), from.rfind('>')) {
        (Some(open), Some(close)) if open < close => from[open + 1..close].trim().to_owned(),
        _ => from.trim().to_owned(),
    }
}

/// A mail URL as it may be shown and kept: a password in it replaced by `…`.
pub fn url_without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let end = rest.find('/').unwrap_or(rest.len());
    let authority = &rest[..end];
    match authority.rfind('@') {
        Some(at) if authority[..at].contains(':') => {
            let user = authority[..at].split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:…@{}", &rest[at + 1..])
        }
        _ => url.to_owned(),
    }
}

/// A path as the clients write it: `~/` is the home directory.
pub fn expand_home(path: &str) -> std::path::PathBuf {
    match (path.strip_prefix("~/"), dirs::home_dir()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => std::path::PathBuf::from(path),
    }
}

/// The path as people write it: the home directory as `~`.
pub fn shown(path: &std::path::Path) -> String {
    if let Some(home) = dirs::home_dir()
        && home.as_os_str().len() > 1
        && let Ok(rest) = path.strip_prefix(&home)
    {
        return format!("~/{}", rest.display());
    }
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_command_is_named_by_its_program_alone() {
        for (command, want) in [
            ("pass show mail/work", "pass"),
            ("\"gpg -q --decrypt ~/.pw.gpg\"", "gpg"),
            ("/usr/bin/secret-tool lookup host x", "secret-tool"),
            ("echo hunter2", "echo"),
            ("`cat ~/.pw`", "cat"),
        ] {
            assert_eq!(program_name(command), want, "{command}");
        }
    }

    #[test]
    fn ports_come_as_numbers_or_service_names() {
        assert_eq!(service_port("587"), Some(587));
        assert_eq!(service_port("submission"), Some(587));
        assert_eq!(service_port("SMTPS"), Some(465));
        assert_eq!(service_port("0"), None);
        assert_eq!(service_port("99999"), None);
        assert_eq!(service_port("bogus"), None);
    }
}
