//! msmtp (`~/.msmtprc`, `~/.config/msmtp/config`, `/etc/msmtprc`): `command argument` lines,
//! `defaults` for the accounts after it, `account NAME [: base, …]` inheriting, and
//! `account default : NAME` choosing the default. msmtp's own defaults apply: `tls` off,
//! `tls_starttls` on, `auth` off, and port 25 unless TLS without STARTTLS (then 465).

use std::collections::BTreeMap;

use crate::account::{AuthMethod, Host, Protocol, Security};
use crate::finding::{Finding, FindingId};

use super::client::{Client, NO_ACCOUNT, Place};
use super::fix::{Change, Spelt, spelt};
use super::text::{numbered, on_off, password_command, password_stored, words};
use super::{ClientFile, ImportedAccount, ImportedServer, Invalid, Setting};

/// msmtp, as maildoctor knows it.
pub static CLIENT: Client = Client {
    name: "msmtp",
    label: "msmtp",
    places: &[
        Place::Config("msmtp/config"),
        Place::Home(".msmtprc"),
        Place::System("/etc/msmtprc"),
    ],
    named: |dir, file| {
        matches!(
            (dir, file),
            (_, ".msmtprc" | "msmtprc") | ("msmtp", "config")
        )
    },
    says: Some(|line| {
        matches!(
            line.first,
            "tls_starttls" | "passwordeval" | "tls_trust_file"
        ) || (line.first == "account" && !line.text.contains('='))
    }),
    open: None,
    read: |input| read(input.text, input.shown).map_err(|e| input.invalid(e)),
    no_account: NO_ACCOUNT,
    spell,
    fix_names_account: true,
    fix_caveat: None,
};

/// The commands of one account, as written, in order; later ones win.
#[derive(Debug, Clone, Default)]
struct Commands {
    set: BTreeMap<String, (String, Setting)>,
}

impl Commands {
    fn get(&self, key: &str) -> Option<&(String, Setting)> {
        self.set.get(key)
    }
}

/// What msmtp knows and maildoctor uses or ignores knowingly; anything else gets a note.
const KNOWN: &[&str] = &[
    "host",
    "port",
    "tls",
    "tls_starttls",
    "tls_certcheck",
    "tls_trust_file",
    "tls_fingerprint",
    "tls_key_file",
    "tls_cert_file",
    "tls_crl_file",
    "tls_priorities",
    "tls_host_override",
    "tls_min_dh_prime_bits",
    "auth",
    "user",
    "from",
    "password",
    "passwordeval",
    "eval",
    "domain",
    "maildomain",
    "dsn_notify",
    "dsn_return",
    "logfile",
    "logfile_time_format",
    "syslog",
    "aliases",
    "auto_from",
    "timeout",
    "protocol",
    "proxy_host",
    "proxy_port",
    "socket",
    "source_ip",
    "add_missing_from_header",
    "add_missing_date_header",
    "remove_bcc_headers",
    "undisclosed_recipients",
    "set_from_header",
    "set_date_header",
    "set_msgid_header",
    "allow_from_override",
    "ntlmdomain",
];

pub fn read(text: &str, shown: &str) -> Result<ClientFile, Invalid> {
    let mut defaults = Commands::default();
    let mut accounts: Vec<(String, usize, Commands)> = Vec::new();
    let mut default_alias = None;
    let mut notes: Vec<(Option<usize>, String)> = Vec::new();
    // Before any `account` line, commands form msmtp's compatibility account "default".
    let mut current: Option<usize> = None;
    let mut in_defaults = false;
    for (number, raw) in numbered(text) {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (command, rest) = line
            .split_once(char::is_whitespace)
            .map_or((line, ""), |(c, r)| (c, r.trim()));
        match command {
            "defaults" => {
                in_defaults = true;
                current = None;
            }
            "account" => {
                in_defaults = false;
                let (name, bases) = match rest.split_once(':') {
                    Some((n, b)) => (n.trim(), Some(b)),
                    None => (rest, None),
                };
                if name.is_empty() {
                    return Err(Invalid::new(number, "account needs a name"));
                }
                if name == "default"
                    && let Some(bases) = bases
                {
                    // `account default : work` names the default account.
                    default_alias = Some(bases.split(',').next().unwrap_or("").trim().to_owned());
                    continue;
                }
                let commands = inherit(name, bases, number, &defaults, &accounts)?;
                accounts.push((name.to_owned(), number, commands));
                current = Some(accounts.len() - 1);
            }
            _ => {
                let value = value_of(command, rest, number)?;
                if !KNOWN.contains(&command) {
                    notes.push((
                        current,
                        format!(
                            "line {number}: {command} is not an option maildoctor knows; ignored"
                        ),
                    ));
                    continue;
                }
                let setting = Setting {
                    key: command.to_owned(),
                    text: if command == "password" {
                        "password …".into()
                    } else {
                        line.to_owned()
                    },
                    line: number,
                    file: None,
                };
                let target = if in_defaults {
                    &mut defaults
                } else {
                    if current.is_none() {
                        accounts.push(("default".into(), number, defaults.clone()));
                        current = Some(accounts.len() - 1);
                    }
                    &mut accounts[current.unwrap_or_default()].2
                };
                target.set.insert(command.to_owned(), (value, setting));
            }
        }
    }
    let mut out = Vec::new();
    for (i, (name, line, commands)) in accounts.iter().enumerate() {
        let mut account = account(name, *line, commands, shown)?;
        account.notes.extend(
            notes
                .iter()
                .filter(|(a, _)| a.is_none() || *a == Some(i))
                .map(|(_, n)| n.clone()),
        );
        out.push(account);
    }
    let default = default_alias
        .or_else(|| {
            out.iter()
                .any(|a| a.name == "default")
                .then(|| "default".into())
        })
        .or_else(|| (out.len() == 1).then(|| out[0].name.clone()));
    Ok(ClientFile {
        kind: CLIENT.kind(),
        path: std::path::PathBuf::new(),
        shown: shown.to_owned(),
        accounts: out,
        default,
    })
}

/// A new account's commands: the defaults, then each base's in turn.
fn inherit(
    name: &str,
    bases: Option<&str>,
    number: usize,
    defaults: &Commands,
    accounts: &[(String, usize, Commands)],
) -> Result<Commands, Invalid> {
    let mut commands = defaults.clone();
    for base in bases.into_iter().flat_map(|b| b.split(',')) {
        let base = base.trim();
        let Some((_, _, inherited)) = accounts.iter().find(|(n, _, _)| n == base) else {
            return Err(Invalid::new(
                number,
                format!("account {name} inherits from {base}, which is not defined above it"),
            ));
        };
        commands.set.extend(inherited.set.clone());
    }
    if accounts.iter().any(|(n, _, _)| n == name) {
        return Err(Invalid::new(
            number,
            format!("account {name} is defined twice"),
        ));
    }
    Ok(commands)
}

/// A command's value: a password's is never unquoted nor kept; `passwordeval` and `eval`
/// take the whole command line.
fn value_of(command: &str, rest: &str, number: usize) -> Result<String, Invalid> {
    if command == "password" {
        return Ok(String::new());
    }
    let mut split = words(rest, number)?;
    Ok(match split.len() {
        0 => String::new(),
        1 => split.remove(0),
        _ => rest.to_owned(),
    })
}

fn account(name: &str, line: usize, c: &Commands, shown: &str) -> Result<ImportedAccount, Invalid> {
    let mut account = ImportedAccount::new(name, line);
    let flag = |key: &str| -> Result<Option<bool>, Invalid> {
        c.get(key).map(|(v, s)| on_off(v, key, s.line)).transpose()
    };
    let tls = flag("tls")?.unwrap_or(false);
    let starttls = flag("tls_starttls")?.unwrap_or(true);
    let security = match (tls, starttls) {
        (false, _) => Security::Plain,
        (true, true) => Security::Starttls,
        (true, false) => Security::Tls,
    };
    if let Some((host, host_setting)) = c.get("host") {
        let host =
            Host::parse(host).map_err(|e| Invalid::new(host_setting.line, format!("host: {e}")))?;
        let port = match c.get("port") {
            Some((p, s)) => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| Invalid::new(s.line, "port takes a number from 1 to 65535"))?,
            None if tls && !starttls => 465,
            None => 25,
        };
        let settings = ["host", "port", "tls", "tls_starttls"]
            .iter()
            .filter_map(|k| c.get(k).map(|(_, s)| s.clone()))
            .collect();
        account.servers.insert(
            Protocol::Smtp,
            ImportedServer::new(host, port, security, settings, host_setting.line),
        );
    }
    if let Some((file, _)) = c.get("tls_trust_file") {
        account.trust(file);
    }
    account.address = c
        .get("from")
        .map(|(v, _)| v.clone())
        .filter(|v| v.contains('@'));
    account.username = c.get("user").map(|(v, _)| v.clone());
    let auth = c.get("auth");
    account.auth = Some(match auth.map(|(v, _)| v.to_ascii_lowercase()) {
        None => AuthMethod::None,
        Some(v) if v == "off" || v == "no" => AuthMethod::None,
        Some(v) if v == "xoauth2" || v == "oauthbearer" => AuthMethod::Oauth2,
        Some(v) if v == "cram-md5" => AuthMethod::CramMd5,
        Some(v) if v == "ntlm" => AuthMethod::Ntlm,
        Some(v) if v == "gssapi" => AuthMethod::Gssapi,
        Some(_) => AuthMethod::Password,
    });
    findings(&mut account, name, c, shown)?;
    Ok(account)
}

/// What the account's commands say beyond the server: a login that is off, where the
/// password comes from, a certificate check turned off.
fn findings(
    account: &mut ImportedAccount,
    name: &str,
    c: &Commands,
    shown: &str,
) -> Result<(), Invalid> {
    if let Some((user, setting)) = c.get("user")
        && account.auth == Some(AuthMethod::None)
        && account.servers.contains_key(&Protocol::Smtp)
    {
        let _ = user;
        let mut finding = Finding::new(
                FindingId::ClientAuthOff,
                Some(Protocol::Smtp),
                "msmtp will not log in: `user` is set but `auth` is off",
                format!(
                    "{shown}, line {} (account {name}): msmtp sends a user name only when `auth` is on, and it is off unless the file says otherwise. A server that wants a login answers \"530 Authentication required\".",
                    setting.line
                ),
            )
            .with_fix("Add `auth on` to the account");
        finding.client_fix = Some(format!("In {shown} (account {name}): add `auth on`"));
        account.findings.push(finding);
    }
    if let Some((_, s)) = c.get("password") {
        account.findings.push(password_stored(
            CLIENT.kind(),
            shown,
            name,
            s.line,
            "password",
            Some(Protocol::Smtp),
        ));
    }
    if let Some((command, s)) = c.get("passwordeval") {
        account.findings.push(password_command(
            CLIENT.kind(),
            shown,
            name,
            s.line,
            "passwordeval",
            command,
        ));
    }
    if let Some((_, s)) = c.get("eval") {
        account.notes.push(format!(
            "line {}: eval runs a command for settings; maildoctor never runs it, so what it would set is not known here",
            s.line
        ));
    }
    if let Some((v, s)) = c.get("tls_certcheck")
        && !on_off(v, "tls_certcheck", s.line)?
    {
        account.findings.push(
            Finding::new(
                FindingId::CertificateCheckOff,
                Some(Protocol::Smtp),
                "msmtp does not check the server's certificate",
                format!(
                    "{shown}, line {} (account {name}): with `tls_certcheck off` anyone between you and the server can pose as it and read the password. maildoctor checks the certificate anyway.",
                    s.line
                ),
            )
            .with_fix("Remove `tls_certcheck off`; for a company CA, point `tls_trust_file` at it"),
        );
    }
    Ok(())
}

/// A fix in msmtp's words.
fn spell(change: &Change) -> Vec<Spelt> {
    let Change { to, .. } = *change;
    let (host, port) = (&to.host, to.port);
    let mut out = vec![
        spelt("host", format!("host {host}"), false),
        spelt(
            "port",
            format!("port {port}"),
            port == 25 && to.security != Security::Tls
                || port == 465 && to.security == Security::Tls,
        ),
    ];
    match to.security {
        Security::Plain => out.push(spelt("tls", "tls off", true)),
        Security::Starttls => {
            out.push(spelt("tls", "tls on", false));
            out.push(spelt("tls_starttls", "tls_starttls on", true));
        }
        Security::Tls => {
            out.push(spelt("tls", "tls on", false));
            out.push(spelt("tls_starttls", "tls_starttls off", false));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smtp(file: &ClientFile, name: &str) -> String {
        let a = file.accounts.iter().find(|a| a.name == name).unwrap();
        a.servers[&Protocol::Smtp].endpoint.to_string()
    }

    #[test]
    fn msmtps_defaults_decide_the_port_and_the_mode() {
        let file = read(
            "# cron mail\n\
             defaults\n\
             tls on\n\
             logfile ~/.msmtp.log\n\
             \n\
             account plain\n\
             tls off\n\
             host mail.example.org\n\
             \n\
             account starttls\n\
             host mail.example.org\n\
             \n\
             account implicit\n\
             host mail.example.org\n\
             tls_starttls off\n\
             \n\
             account mismatch : implicit\n\
             tls_starttls on\n\
             port 465\n\
             \n\
             account default : starttls\n",
            "~/.msmtprc",
        )
        .unwrap();
        assert_eq!(smtp(&file, "plain"), "mail.example.org:25/plain");
        assert_eq!(smtp(&file, "starttls"), "mail.example.org:25/starttls");
        assert_eq!(smtp(&file, "implicit"), "mail.example.org:465/tls");
        assert_eq!(smtp(&file, "mismatch"), "mail.example.org:465/starttls");
        assert_eq!(file.default.as_deref(), Some("starttls"));
        let mismatch = &file.accounts[3].servers[&Protocol::Smtp];
        assert_eq!(mismatch.setting("tls_starttls").unwrap().line, 18);
        assert_eq!(mismatch.setting("port").unwrap().text, "port 465");
    }

    #[test]
    fn the_ca_file_msmtp_trusts_is_trusted_by_the_check_too() {
        let file = read(
            "account a\nhost x\ntls_trust_file /etc/company-ca.pem\naccount b\nhost x\ntls_trust_file system\n",
            "f",
        )
        .unwrap();
        assert_eq!(
            file.accounts[0].ca_file.as_deref(),
            Some(std::path::Path::new("/etc/company-ca.pem"))
        );
        assert!(file.accounts[0].notes[0].contains("/etc/company-ca.pem"));
        assert_eq!(
            file.accounts[1].ca_file, None,
            "the system's store is the default"
        );
    }

    #[test]
    fn passwords_are_noticed_never_kept() {
        let file = read(
            "account work\nhost smtp.example.org\nuser bob\npassword \"s3cr3t#pw\"\n\
             account other\nhost smtp.example.org\nauth on\npasswordeval \"pass show mail\"\n",
            "~/.msmtprc",
        )
        .unwrap();
        let debug = format!("{file:?}");
        assert!(!debug.contains("s3cr3t"), "{debug}");
        let work: Vec<FindingId> = file.accounts[0].findings.iter().map(|f| f.id).collect();
        assert_eq!(
            work,
            [FindingId::ClientAuthOff, FindingId::ClientPasswordStored]
        );
        let other = &file.accounts[1].findings[0];
        assert_eq!(other.id, FindingId::ClientPasswordCommand);
        assert!(other.title.ends_with(": pass"), "{}", other.title);
        assert!(!other.explanation.contains("show mail"));
    }

    #[test]
    fn bad_values_name_the_line_and_never_the_value() {
        for (text, want) in [
            (
                "account a\nhost x\ntls maybe\n",
                "line 3: tls takes on or off",
            ),
            (
                "account a\nhost x\nport 99999\n",
                "line 3: port takes a number",
            ),
            ("account a\nhost \"x\n", "line 2: a quote is not closed"),
            (
                "account a : b\nhost x\n",
                "line 1: account a inherits from b",
            ),
            ("account a\nhost x y\n", "line 2: host:"),
        ] {
            let err = read(text, "f").unwrap_err().to_string();
            assert!(err.starts_with(want), "{text:?}: {err}");
        }
        let file = read("account a\nhost x\nfrobnicate yes\n", "f").unwrap();
        assert_eq!(file.accounts[0].notes.len(), 1);
    }
}
