//! OfflineIMAP (`~/.config/offlineimap/config`, `~/.offlineimaprc`): Python ConfigParser
//! sections, `[general] accounts = A, B` → `[Account A] remoterepository = R` →
//! `[Repository R]` with `remotehost`, `remoteport`, `ssl`, `starttls`. OfflineIMAP's own
//! defaults apply: `ssl` is **on**, the port is 993 with it and 143 without, STARTTLS is used
//! without `ssl` unless `starttls = no`; `type = Gmail` means imap.gmail.com.

use std::collections::BTreeMap;

use crate::account::{AuthMethod, Host, Protocol, Security};
use crate::finding::{Finding, FindingId};

use super::client::{Client, NO_ACCOUNT, Place};
use super::fix::{Change, Spelt, spelt};
use super::text::{numbered, password_command, password_stored};
use super::{ClientFile, ImportedAccount, ImportedServer, Invalid, Setting};

/// OfflineIMAP, as maildoctor knows it.
pub static CLIENT: Client = Client {
    name: "offlineimap",
    label: "OfflineIMAP",
    places: &[
        Place::Config("offlineimap/config"),
        Place::Home(".offlineimaprc"),
    ],
    named: |dir, file| file == ".offlineimaprc" || (dir, file) == ("offlineimap", "config"),
    says: Some(|line| line.lower.starts_with("[repository ")),
    open: None,
    read: |input| read(input.text, input.shown).map_err(|e| input.invalid(e)),
    no_account: NO_ACCOUNT,
    spell,
    fix_names_account: true,
    fix_caveat: None,
};

/// A section's options (lower-case names), each with its setting.
type Section = BTreeMap<String, (String, Setting)>;

/// Every section by name, with the line it starts on.
type Sections = BTreeMap<String, (usize, Section)>;

const SECRETS: &[&str] = &["remotepass"];

/// The sections of a ConfigParser file; a secret's value is never kept, only whether it
/// holds a lone `%` (which ConfigParser's interpolation refuses).
fn sections(text: &str) -> Result<(Sections, Vec<usize>), Invalid> {
    let mut out = Sections::new();
    let mut lone_percent = Vec::new();
    let mut current: Option<String> = None;
    let mut last_key: Option<String> = None;
    for (number, raw) in numbered(text) {
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if raw.starts_with([' ', '\t']) {
            // A continuation line of the value above.
            if let (Some(section), Some(key)) = (&current, &last_key)
                && let Some((_, options)) = out.get_mut(section)
                && let Some((value, _)) = options.get_mut(key)
                && !SECRETS.contains(&key.as_str())
            {
                value.push(' ');
                value.push_str(trimmed);
            }
            continue;
        }
        if let Some(name) = trimmed.strip_prefix('[') {
            let name = name
                .strip_suffix(']')
                .ok_or_else(|| Invalid::new(number, "a section header has no closing ]"))?;
            out.entry(name.trim().to_owned())
                .or_insert((number, Section::new()));
            current = Some(name.trim().to_owned());
            last_key = None;
            continue;
        }
        let Some(section) = &current else {
            return Err(Invalid::new(number, "an option before any [section]"));
        };
        let at = trimmed
            .find(['=', ':'])
            .ok_or_else(|| Invalid::new(number, "expected `name = value`"))?;
        let key = trimmed[..at].trim().to_ascii_lowercase();
        let value = trimmed[at + 1..].trim();
        let secret = SECRETS.contains(&key.as_str());
        if secret && has_lone_percent(value) {
            lone_percent.push(number);
        }
        let setting = Setting {
            key: trimmed[..at].trim().to_owned(),
            text: if secret {
                format!("{} = …", trimmed[..at].trim())
            } else {
                trimmed.to_owned()
            },
            line: number,
            file: None,
        };
        if let Some((_, options)) = out.get_mut(section) {
            options.insert(
                key.clone(),
                (
                    if secret {
                        String::new()
                    } else {
                        value.to_owned()
                    },
                    setting,
                ),
            );
        }
        last_key = Some(key);
    }
    Ok((out, lone_percent))
}

/// A `%` that is neither `%%` nor `%(name)s`.
fn has_lone_percent(value: &str) -> bool {
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            match bytes.get(i + 1) {
                Some(b'%') => i += 2,
                Some(b'(') => i += 2,
                _ => return true,
            }
        } else {
            i += 1;
        }
    }
    false
}

fn boolean(value: &str, key: &str, line: usize) -> Result<bool, Invalid> {
    match value.to_ascii_lowercase().as_str() {
        "yes" | "true" | "on" | "1" => Ok(true),
        "no" | "false" | "off" | "0" => Ok(false),
        _ => Err(Invalid::new(line, format!("{key} takes yes or no"))),
    }
}

pub fn read(text: &str, shown: &str) -> Result<ClientFile, Invalid> {
    let (sections, lone_percent) = sections(text)?;
    let names: Vec<String> = sections
        .get("general")
        .and_then(|(_, g)| g.get("accounts"))
        .map(|(v, _)| {
            v.split(',')
                .map(|a| a.trim().to_owned())
                .filter(|a| !a.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let mut accounts = Vec::new();
    for name in &names {
        let Some((line, section)) = sections.get(&format!("Account {name}")) else {
            return Err(Invalid::new(
                sections.get("general").map_or(1, |(l, _)| *l),
                format!("accounts names {name}, but there is no [Account {name}] section"),
            ));
        };
        let mut account = ImportedAccount::new(name.clone(), *line);
        if let Some((repo, _)) = section.get("remoterepository")
            && let Some((_, remote)) = sections.get(&format!("Repository {repo}"))
        {
            repository(&mut account, remote, shown, &lone_percent)?;
        }
        accounts.push(account);
    }
    let default = (accounts.len() == 1).then(|| accounts[0].name.clone());
    Ok(ClientFile {
        kind: CLIENT.kind(),
        path: std::path::PathBuf::new(),
        shown: shown.to_owned(),
        accounts,
        default,
    })
}

fn repository(
    account: &mut ImportedAccount,
    remote: &Section,
    shown: &str,
    lone_percent: &[usize],
) -> Result<(), Invalid> {
    let name = account.name.clone();
    let get = |key: &str| remote.get(key).map(|(v, s)| (v.as_str(), s));
    let gmail = get("type").is_some_and(|(t, _)| t.eq_ignore_ascii_case("gmail"));
    let ssl = match get("ssl") {
        Some((v, s)) => boolean(v, "ssl", s.line)?,
        None => true,
    };
    let starttls = match get("starttls") {
        Some((v, s)) => boolean(v, "starttls", s.line)?,
        None => true,
    };
    let security = match (ssl, starttls) {
        (true, _) => Security::Tls,
        (false, true) => Security::Starttls,
        (false, false) => Security::Plain,
    };
    if let Some((_, s)) = get("remotehosteval") {
        account.notes.push(format!(
            "line {}: remotehosteval runs Python for the host; maildoctor never runs it",
            s.line
        ));
    }
    let host = match get("remotehost") {
        Some((h, s)) => Some((
            Host::parse(h).map_err(|e| Invalid::new(s.line, format!("remotehost: {e}")))?,
            s.line,
        )),
        None if gmail => Some((Host::Name("imap.gmail.com".into()), account.line)),
        None => None,
    };
    if let Some((host, line)) = host {
        let port =
            match get("remoteport") {
                Some((p, s)) => p.parse::<u16>().ok().filter(|p| *p != 0).ok_or_else(|| {
                    Invalid::new(s.line, "remoteport takes a number from 1 to 65535")
                })?,
                None if ssl => 993,
                None => 143,
            };
        if host.name().is_none() && security != Security::Plain && get("cert_fingerprint").is_none()
        {
            let shown_host = host.to_string();
            let mut finding = super::text::ip_certificate(
                CLIENT.kind(),
                shown,
                &name,
                line,
                &shown_host,
                "pin the certificate with cert_fingerprint",
            );
            finding.protocol = Some(Protocol::Imap);
            account.findings.push(finding);
        }
        let settings = ["remotehost", "remoteport", "ssl", "starttls"]
            .iter()
            .filter_map(|k| remote.get(*k).map(|(_, s)| s.clone()))
            .collect();
        account.servers.insert(
            Protocol::Imap,
            ImportedServer::new(host, port, security, settings, line),
        );
    }
    credentials(account, remote, shown, lone_percent);
    Ok(())
}

/// Who logs in, and where the password comes from (never read, never run).
fn credentials(
    account: &mut ImportedAccount,
    remote: &Section,
    shown: &str,
    lone_percent: &[usize],
) {
    let name = account.name.clone();
    let get = |key: &str| remote.get(key).map(|(v, s)| (v.as_str(), s));
    account.username = get("remoteuser").map(|(v, _)| v.to_owned());
    if let Some((file, _)) = get("sslcacertfile") {
        account.trust(file);
    }
    account.auth = Some(
        match get("auth_mechanisms").map(|(v, _)| v.to_ascii_uppercase()) {
            Some(m) if m.starts_with("XOAUTH2") => AuthMethod::Oauth2,
            _ => AuthMethod::Password,
        },
    );
    if let Some((_, s)) = get("remotepass") {
        account.findings.push(password_stored(
            CLIENT.kind(),
            shown,
            &name,
            s.line,
            "remotepass",
            Some(Protocol::Imap),
        ));
        if lone_percent.contains(&s.line) {
            account.findings.push(
                Finding::new(
                    FindingId::ClientValueIgnored,
                    Some(Protocol::Imap),
                    "OfflineIMAP cannot read this password: it has a lone %",
                    format!("{shown}, line {} (account {name}): OfflineIMAP's settings are Python ConfigParser text, where % starts an interpolation; a password with a lone % stops OfflineIMAP with an interpolation error before it connects.", s.line),
                )
                .with_fix("Write every % in the password as %%"),
            );
        }
    }
    if let Some((command, s)) = get("remotepasseval") {
        // Python code, not a program: nothing of it is shown, its arguments could be secrets.
        let _ = command;
        account.findings.push(password_command(
            CLIENT.kind(),
            shown,
            &name,
            s.line,
            "remotepasseval",
            "Python",
        ));
    }
    if let Some((_, s)) = get("remotepassfile") {
        account.notes.push(format!(
            "line {}: the password is in a file (remotepassfile); maildoctor does not read it",
            s.line
        ));
    }
}

/// A fix in OfflineIMAP's words.
fn spell(change: &Change) -> Vec<Spelt> {
    let Change { to, .. } = *change;
    let ssl = to.security == Security::Tls;
    vec![
        spelt("remotehost", format!("remotehost = {}", to.host), false),
        spelt(
            "remoteport",
            format!("remoteport = {}", to.port),
            to.port == if ssl { 993 } else { 143 },
        ),
        spelt("ssl", if ssl { "ssl = yes" } else { "ssl = no" }, ssl),
        spelt(
            "starttls",
            if to.security == Security::Plain {
                "starttls = no"
            } else {
                "starttls = yes"
            },
            to.security != Security::Plain,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offlineimap_defaults_to_ssl_on_993_and_follows_the_account_chain() {
        let f = read(
            "[general]\naccounts = Work, Gmail, Old\n\n\
             [Account Work]\nlocalrepository = L\nremoterepository = WorkRemote\n\n\
             [Repository WorkRemote]\ntype = IMAP\nremotehost = imap.example.org\nremoteuser = bob\nremotepass = 50%off\n\n\
             [Account Gmail]\nremoterepository = G\n[Repository G]\ntype = Gmail\nremotepasseval = get_pass('gmail')\n\n\
             [Account Old]\nremoterepository = O\n[Repository O]\nremotehost: imap.example.org\nssl = no\nremoteport = 993\n",
            "~/.offlineimaprc",
        )
        .unwrap();
        let got: Vec<String> = f
            .accounts
            .iter()
            .map(|a| a.servers[&Protocol::Imap].endpoint.to_string())
            .collect();
        assert_eq!(
            got,
            [
                "imap.example.org:993/tls",
                "imap.gmail.com:993/tls",
                "imap.example.org:993/starttls"
            ]
        );
        assert!(!format!("{f:?}").contains("50%off"));
        let ids: Vec<FindingId> = f.accounts[0].findings.iter().map(|x| x.id).collect();
        assert_eq!(
            ids,
            [
                FindingId::ClientPasswordStored,
                FindingId::ClientValueIgnored
            ]
        );
        assert!(
            f.accounts[1].findings[0].title.ends_with(": Python"),
            "{:?}",
            f.accounts[1].findings
        );
        assert!(
            read("[general]\naccounts = X\n", "f")
                .unwrap_err()
                .to_string()
                .contains("no [Account X]")
        );
        assert!(read("[Repository R]\nssl = maybe\n[general]\naccounts=A\n[Account A]\nremoterepository=R\n", "f").is_err());
    }
}
