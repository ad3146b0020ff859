//! mbsync/isync (`~/.mbsyncrc`, isync 1.5's `~/.config/isyncrc`): `IMAPAccount` sections
//! (or an `IMAPStore` with the account's options in it), `Host`, `Port`, `SSLType` (1.4) or
//! `TLSType` (1.5). mbsync's defaults apply: STARTTLS (none with a `Tunnel`), port 993 for
//! IMAPS, else 143.

use crate::account::{AuthMethod, Host, Protocol, Security};
use crate::finding::{Finding, FindingId};

use super::client::{Client, NO_ACCOUNT, Place};
use super::fix::{Change, Spelt, spelt};
use super::text::{numbered, password_command, password_stored, words};
use super::{ClientFile, ImportedAccount, ImportedServer, Invalid, Setting};

/// mbsync (isync), as maildoctor knows it.
pub static CLIENT: Client = Client {
    name: "mbsync",
    label: "mbsync",
    places: &[Place::Config("isyncrc"), Place::Home(".mbsyncrc")],
    named: |_, file| matches!(file, ".mbsyncrc" | "isyncrc" | "mbsyncrc"),
    says: Some(|line| line.first == "IMAPAccount" || line.first == "IMAPStore"),
    open: None,
    read: |input| read(input.text, input.shown).map_err(|e| input.invalid(e)),
    no_account: NO_ACCOUNT,
    spell,
    fix_names_account: true,
    fix_caveat: None,
};

const SECTIONS: &[&str] = &[
    "imapaccount",
    "imapstore",
    "maildirstore",
    "channel",
    "group",
];

/// One section's `Keyword value` lines (keywords in lower case).
struct Section {
    kind: String,
    name: String,
    line: usize,
    options: super::text::Options,
}

impl Section {
    fn get(&self, key: &str) -> Option<(&str, &Setting)> {
        super::text::last(&self.options, key)
    }
}

pub fn read(text: &str, shown: &str) -> Result<ClientFile, Invalid> {
    let mut sections: Vec<Section> = Vec::new();
    for (number, raw) in numbered(text) {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (keyword, rest) = line
            .split_once(char::is_whitespace)
            .map_or((line, ""), |(k, r)| (k, r.trim()));
        let key = keyword.to_ascii_lowercase();
        let secret = key == "pass";
        let value = if secret {
            String::new()
        } else {
            let split = words(rest, number)?;
            if key.ends_with("cmd") || key == "tunnel" {
                split.join(" ")
            } else {
                split.into_iter().next().unwrap_or_default()
            }
        };
        if SECTIONS.contains(&key.as_str()) {
            sections.push(Section {
                kind: key,
                name: value,
                line: number,
                options: Vec::new(),
            });
            continue;
        }
        let setting = Setting {
            key: keyword.to_owned(),
            text: if secret {
                "Pass …".into()
            } else {
                line.to_owned()
            },
            line: number,
            file: None,
        };
        if let Some(section) = sections.last_mut() {
            section.options.push((key, value, setting));
        }
    }
    let mut accounts = Vec::new();
    for section in &sections {
        let is_account = section.kind == "imapaccount"
            || (section.kind == "imapstore" && section.get("host").is_some());
        if is_account {
            accounts.push(account(section, shown)?);
        }
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

fn account(section: &Section, shown: &str) -> Result<ImportedAccount, Invalid> {
    let name = &section.name;
    let mut account = ImportedAccount::new(name.clone(), section.line);
    let mut version_notes = Vec::new();
    let tunnel = section.get("tunnel").is_some();
    let (mut security, tls_given) = security(section, tunnel, &mut version_notes)?;
    if let Some((host, host_setting)) = section.get("host") {
        let mut host = host;
        if let Some(rest) = host.strip_prefix("imaps:") {
            version_notes.push((host_setting.line, "`Host imaps:…` is isync 1.4's old notation; 1.5 takes imaps:… as part of the host name"));
            host = rest;
            if !tls_given {
                security = Security::Tls;
            }
        }
        let parsed =
            Host::parse(host).map_err(|e| Invalid::new(host_setting.line, format!("Host: {e}")))?;
        let port = match section.get("port") {
            Some((p, s)) => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| Invalid::new(s.line, "Port takes a number from 1 to 65535"))?,
            None if security == Security::Tls => 993,
            None => 143,
        };
        let settings = section
            .options
            .iter()
            .filter(|(k, _, _)| matches!(k.as_str(), "host" | "port" | "ssltype" | "tlstype"))
            .map(|(_, _, s)| s.clone())
            .collect();
        if parsed.name().is_none() && section.get("certificatefile").is_none() {
            let mut finding = super::text::ip_certificate(
                CLIENT.kind(),
                shown,
                name,
                host_setting.line,
                host,
                "put the server's own certificate in CertificateFile",
            );
            finding.protocol = Some(Protocol::Imap);
            account.findings.push(finding);
        }
        if tunnel {
            account.notes.push("Tunnel: mbsync runs a command instead of connecting; maildoctor checks the server it names".into());
        }
        account.servers.insert(
            Protocol::Imap,
            ImportedServer::new(parsed, port, security, settings, host_setting.line),
        );
    }
    credentials(&mut account, section, shown);
    for (line, why) in version_notes {
        account.findings.push(Finding::new(
            FindingId::ClientOptionVersion,
            Some(Protocol::Imap),
            "An mbsync option only some versions of isync know",
            format!("{shown}, line {line} (account {name}): {why}."),
        ));
    }
    Ok(account)
}

/// The connection security the section asks for, and whether it names a TLS type; the
/// options only some isync versions know go into `version_notes`.
fn security(
    section: &Section,
    tunnel: bool,
    version_notes: &mut Vec<(usize, &'static str)>,
) -> Result<(Security, bool), Invalid> {
    let (tls_word, tls_setting) = match (section.get("tlstype"), section.get("ssltype")) {
        (Some((v, s)), _) => {
            version_notes.push((s.line, "TLSType is isync 1.5's name: isync 1.4 (Debian 12) stops at it with an error; 1.4 knows it as SSLType"));
            (Some(v), Some(s))
        }
        (None, Some((v, s))) => (Some(v), Some(s)),
        (None, None) => (None, None),
    };
    let mut security = match tls_word.map(str::to_ascii_lowercase).as_deref() {
        Some("imaps") => Security::Tls,
        Some("starttls") => Security::Starttls,
        Some("none") => Security::Plain,
        Some(_) => {
            return Err(Invalid::new(
                tls_setting.map_or(section.line, |s| s.line),
                "the TLS type is one of None, STARTTLS, IMAPS",
            ));
        }
        None if tunnel => Security::Plain,
        None => Security::Starttls,
    };
    if let Some((v, s)) = section.get("useimaps") {
        version_notes.push((s.line, "UseIMAPS was removed in isync 1.5, which stops at it; write SSLType IMAPS (TLSType on 1.5)"));
        if tls_word.is_none() && super::text::on_off(v, "UseIMAPS", s.line)? {
            security = Security::Tls;
        }
    }
    if let Some((_, s)) = section.get("requiressl") {
        version_notes.push((
            s.line,
            "RequireSSL was removed in isync 1.5, which stops at it",
        ));
    }
    Ok((security, tls_word.is_some()))
}

/// Who logs in, and where the password comes from (never read, never run).
fn credentials(account: &mut ImportedAccount, section: &Section, shown: &str) {
    let name = &section.name;
    account.username = section.get("user").map(|(v, _)| v.to_owned());
    if let Some((file, _)) = section.get("certificatefile") {
        account.trust(file);
    }
    if let Some((command, s)) = section.get("usercmd") {
        account.notes.push(format!(
            "line {}: UserCmd runs {} for the user name; maildoctor never runs it",
            s.line,
            super::text::program_name(command)
        ));
    }
    if let Some((_, s)) = section.get("pass") {
        account.findings.push(password_stored(
            CLIENT.kind(),
            shown,
            name,
            s.line,
            "Pass",
            Some(Protocol::Imap),
        ));
    }
    if let Some((command, s)) = section.get("passcmd") {
        account.findings.push(password_command(
            CLIENT.kind(),
            shown,
            name,
            s.line,
            "PassCmd",
            command.trim_start_matches('+'),
        ));
    }
    account.auth = Some(
        match section
            .get("authmechs")
            .map(|(v, _)| v.to_ascii_uppercase())
        {
            Some(v) if v.contains("XOAUTH2") || v.contains("OAUTHBEARER") => AuthMethod::Oauth2,
            _ => AuthMethod::Password,
        },
    );
}

/// A fix in mbsync's words.
fn spell(change: &Change) -> Vec<Spelt> {
    let Change { server, to, .. } = *change;
    let (host, port) = (&to.host, to.port);
    let tls_key = if server.setting("TLSType").is_some() {
        "TLSType"
    } else {
        "SSLType"
    };
    let word = match to.security {
        Security::Tls => "IMAPS",
        Security::Starttls => "STARTTLS",
        Security::Plain => "None",
    };
    vec![
        spelt("Host", format!("Host {host}"), false),
        spelt(
            "Port",
            format!("Port {port}"),
            port == if to.security == Security::Tls {
                993
            } else {
                143
            },
        ),
        spelt(
            tls_key,
            format!("{tls_key} {word}"),
            to.security == Security::Starttls,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mbsync_defaults_to_starttls_and_the_port_follows_the_tls_type() {
        let f = read(
            "IMAPAccount work\nHost imap.example.org\nUser bob\nPassCmd \"pass show work\"\n\n\
             IMAPAccount old\nHost imap.example.org\nPort 993\n\n\
             IMAPAccount new\nHost imap.example.org\nTLSType IMAPS\nPass hunter2\n\n\
             IMAPAccount ancient\nHost imaps:imap.example.org\n\n\
             IMAPStore work-remote\nAccount work\n\nMaildirStore local\nPath ~/Mail/\n",
            "~/.mbsyncrc",
        )
        .unwrap();
        let got: Vec<(String, String)> = f
            .accounts
            .iter()
            .map(|a| {
                (
                    a.name.clone(),
                    a.servers[&Protocol::Imap].endpoint.to_string(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("work".into(), "imap.example.org:143/starttls".into()),
                ("old".into(), "imap.example.org:993/starttls".into()),
                ("new".into(), "imap.example.org:993/tls".into()),
                ("ancient".into(), "imap.example.org:993/tls".into()),
            ]
        );
        assert!(!format!("{f:?}").contains("hunter2"));
        assert_eq!(
            f.accounts[0].findings[0].id,
            FindingId::ClientPasswordCommand
        );
        let new: Vec<FindingId> = f.accounts[2].findings.iter().map(|f| f.id).collect();
        assert_eq!(
            new,
            [
                FindingId::ClientPasswordStored,
                FindingId::ClientOptionVersion
            ]
        );
        assert_eq!(f.accounts[3].findings[0].id, FindingId::ClientOptionVersion);
        assert_eq!(f.default, None, "several accounts, none the default");
        let err = read("IMAPAccount a\nHost x\nSSLType maybe\n", "f").unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 3: the TLS type is one of None, STARTTLS, IMAPS"
        );
    }
}
