//! Evolution (`~/.config/evolution/sources/*.source`): GLib key files, one per source. A mail
//! account (`[Mail Account]`, backend `imapx` or `pop`) names its identity, whose
//! `[Mail Submission]` names the transport (`[Mail Transport]`, backend `smtp`). Each server
//! has `[Authentication] Host=, Port=, User=` and `[Security] Method=`: `none` (also when
//! empty), `starttls-on-standard-port`, `ssl-on-alternate-port`.

use std::collections::BTreeMap;

use crate::account::{AuthMethod, Host, Protocol, Security};
use crate::finding::{Finding, FindingId};

use super::client::{Client, Input, NO_ACCOUNT, Place};
use super::fix::{Change, Spelt, spelt};
use super::open::read;
use super::text::{numbered, shown};
use super::{ClientFile, ImportError, ImportedAccount};
use super::{ImportedServer, Invalid, Setting};

/// Evolution, as maildoctor knows it: one file per source.
pub static CLIENT: Client = Client {
    name: "evolution",
    label: "Evolution",
    places: &[Place::ConfigFiles {
        dir: "evolution/sources",
        extension: "source",
    }],
    named: |_, file| file.ends_with(".source"),
    says: Some(|line| {
        line.text.starts_with("[Mail Account]") || line.text.starts_with("[Mail Transport]")
    }),
    open: None,
    read: load,
    no_account: NO_ACCOUNT,
    spell,
    fix_names_account: true,
    fix_caveat: None,
};

/// One .source file: its groups and keys (localised `Key[xx]=` left out).
#[derive(Debug, Clone, Default)]
pub struct Source {
    pub groups: BTreeMap<String, BTreeMap<String, (String, Setting)>>,
}

impl Source {
    pub fn get(&self, group: &str, key: &str) -> Option<&(String, Setting)> {
        self.groups.get(group)?.get(key)
    }

    fn value(&self, group: &str, key: &str) -> Option<&str> {
        self.get(group, key)
            .map(|(v, _)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// The protocol of the server this source describes, if it is a mail server.
    pub fn protocol(&self) -> Option<Protocol> {
        match (
            self.value("Mail Account", "BackendName"),
            self.value("Mail Transport", "BackendName"),
        ) {
            (Some("imapx" | "imap"), _) => Some(Protocol::Imap),
            (Some("pop"), _) => Some(Protocol::Pop3),
            (_, Some("smtp")) => Some(Protocol::Smtp),
            _ => None,
        }
    }

    pub fn identity(&self) -> Option<&str> {
        self.value("Mail Account", "IdentityUid")
    }

    pub fn transport(&self) -> Option<&str> {
        self.value("Mail Submission", "TransportUid")
    }

    pub fn address(&self) -> Option<&str> {
        self.value("Mail Identity", "Address")
    }

    pub fn user(&self) -> Option<&str> {
        self.value("Authentication", "User")
    }

    pub fn auth(&self) -> AuthMethod {
        match self
            .value("Authentication", "Method")
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            Some("XOAUTH2" | "OAUTHBEARER" | "GOOGLE" | "OUTLOOK") => AuthMethod::Oauth2,
            Some("CRAM-MD5") => AuthMethod::CramMd5,
            Some("NTLM") => AuthMethod::Ntlm,
            Some("GSSAPI") => AuthMethod::Gssapi,
            _ => AuthMethod::Password,
        }
    }
}

pub fn source(text: &str, file: Option<&str>) -> Result<Source, Invalid> {
    let mut out = Source::default();
    let mut group: Option<String> = None;
    for (number, raw) in numbered(text) {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[') {
            let name = name
                .strip_suffix(']')
                .ok_or_else(|| Invalid::new(number, "a group header has no closing ]"))?;
            out.groups.entry(name.to_owned()).or_default();
            group = Some(name.to_owned());
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| Invalid::new(number, "expected Key=Value"))?;
        if key.contains('[') {
            continue;
        }
        let Some(group) = &group else {
            return Err(Invalid::new(number, "a key before any [group]"));
        };
        out.groups.entry(group.clone()).or_default().insert(
            key.trim().to_owned(),
            (
                value.trim().to_owned(),
                Setting {
                    key: key.trim().to_owned(),
                    text: line.to_owned(),
                    line: number,
                    file: file.map(str::to_owned),
                },
            ),
        );
    }
    Ok(out)
}

/// The server a source describes, with the findings about how it is written.
pub fn server(
    source: &Source,
    shown: &str,
) -> Result<Option<(Protocol, ImportedServer, Vec<Finding>)>, Invalid> {
    let Some(protocol) = source.protocol() else {
        return Ok(None);
    };
    let Some((host, host_setting)) = source
        .get("Authentication", "Host")
        .filter(|(h, _)| !h.is_empty())
    else {
        return Ok(None);
    };
    let mut findings = Vec::new();
    let method = source.get("Security", "Method");
    let security = match method.map(|(m, _)| m.as_str()) {
        None | Some("" | "none") => Security::Plain,
        Some("starttls-on-standard-port") => Security::Starttls,
        Some("ssl-on-alternate-port") => Security::Tls,
        Some(other) => {
            let setting = method.map_or(host_setting, |(_, s)| s);
            findings.push(
                Finding::new(
                    FindingId::ClientValueIgnored,
                    Some(protocol),
                    format!("Evolution does not know the security method {other}"),
                    format!("{}, line {}: Evolution's mail servers take none, starttls-on-standard-port or ssl-on-alternate-port; it treats any other word as none.", setting.file.as_deref().unwrap_or(shown), setting.line),
                )
                .with_fix("Choose the encryption in Evolution's account editor, or write one of those words"),
            );
            Security::Plain
        }
    };
    let host =
        Host::parse(host).map_err(|e| Invalid::new(host_setting.line, format!("Host: {e}")))?;
    let port = match source
        .get("Authentication", "Port")
        .map(|(p, _)| p.as_str())
    {
        Some(p) if !p.is_empty() && p != "0" => p
            .parse::<u16>()
            .map_err(|_| Invalid::new(host_setting.line, "Port takes a number from 1 to 65535"))?,
        _ => protocol.default_port(if security == Security::Tls {
            Security::Tls
        } else {
            Security::Starttls
        }),
    };
    let settings = [
        ("Authentication", "Host"),
        ("Authentication", "Port"),
        ("Security", "Method"),
    ]
    .iter()
    .filter_map(|(g, k)| source.get(g, k).map(|(_, s)| s.clone()))
    .collect();
    Ok(Some((
        protocol,
        ImportedServer::new(host, port, security, settings, host_setting.line),
        findings,
    )))
}

/// An Evolution account: the mail account's source, its identity's (for the address and the
/// transport), and the transport's, each a sibling file named by its UID.
fn load(input: &Input) -> Result<ClientFile, ImportError> {
    let (path, text, shown_path) = (input.path, input.text, input.shown);
    let main = source(text, None).map_err(|e| e.in_file(shown_path))?;
    let sibling = |uid: &str| -> Result<Option<(String, Source)>, ImportError> {
        let file = path.with_file_name(format!("{uid}.source"));
        if !file.is_file() {
            return Ok(None);
        }
        let label = shown(&file);
        let text = read(&file, &label)?;
        Ok(Some((
            label.clone(),
            source(&text, Some(&label)).map_err(|e| e.in_file(&label))?,
        )))
    };
    let name = main
        .get("Data Source", "DisplayName")
        .map(|(v, _)| v.clone())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| {
            path.file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("evolution")
                .to_owned()
        });
    let mut account = ImportedAccount::new(name, 1);
    let mut sources = vec![(shown_path.to_owned(), main.clone())];
    if let Some(uid) = main.identity()
        && let Some((label, identity)) = sibling(uid)?
    {
        account.address = identity.address().map(str::to_owned);
        if let Some(transport) = identity.transport()
            && let Some(found) = sibling(transport)?
        {
            sources.push(found);
        }
        sources.push((label, identity));
    }
    for (label, s) in &sources {
        if let Some((protocol, imported, findings)) =
            server(s, label).map_err(|e| e.in_file(label))?
        {
            if account.username.is_none() {
                account.username = s.user().map(str::to_owned);
            }
            account.auth.get_or_insert(s.auth());
            account.servers.entry(protocol).or_insert(imported);
            account.findings.extend(findings);
        }
    }
    Ok(ClientFile {
        kind: CLIENT.kind(),
        path: path.to_path_buf(),
        shown: shown_path.to_owned(),
        default: Some(account.name.clone()),
        accounts: vec![account],
    })
}

/// A fix in Evolution's words: the source's `[Authentication]` and `[Security]` keys.
fn spell(change: &Change) -> Vec<Spelt> {
    let Change { to, .. } = *change;
    vec![
        spelt("Host", format!("Host={}", to.host), false),
        spelt("Port", format!("Port={}", to.port), false),
        spelt(
            "Method",
            match to.security {
                Security::Tls => "Method=ssl-on-alternate-port",
                Security::Starttls => "Method=starttls-on-standard-port",
                Security::Plain => "Method=none",
            },
            to.security == Security::Plain,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evolutions_security_words_and_default_ports() {
        let account = source(
            "[Data Source]\nDisplayName=bob@example.org\nEnabled=true\n\n[Mail Account]\nBackendName=imapx\nIdentityUid=abc\n\n[Authentication]\nHost=imap.example.org\nPort=0\nUser=bob\nMethod=PLAIN\n\n[Security]\nMethod=ssl-on-alternate-port\n",
            None,
        )
        .unwrap();
        let (protocol, incoming, findings) = server(&account, "f").unwrap().unwrap();
        assert_eq!(
            (protocol, incoming.endpoint.to_string()),
            (Protocol::Imap, "imap.example.org:993/tls".into())
        );
        assert!(findings.is_empty());
        assert_eq!(account.identity(), Some("abc"));
        let transport = source("[Mail Transport]\nBackendName=smtp\n[Authentication]\nHost=smtp.example.org\nPort=587\n[Security]\nMethod=tls\n", None).unwrap();
        let (protocol, outgoing, findings) = server(&transport, "f").unwrap().unwrap();
        assert_eq!(
            (protocol, outgoing.endpoint.to_string()),
            (Protocol::Smtp, "smtp.example.org:587/plain".into())
        );
        assert_eq!(findings[0].id, FindingId::ClientValueIgnored);
    }
}
