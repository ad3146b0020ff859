//! aerc (`~/.config/aerc/accounts.conf`): one `[section]` per account, `source` and
//! `outgoing` URLs. aerc's rules, from its code: `imap://` and `smtp://` require STARTTLS,
//! `imaps://` and `smtps://` are TLS from the first byte; `+insecure` means no TLS at all on
//! the first two but **no certificate check** on the TLS ones; `+plain`, `+login`,
//! `+oauthbearer`, `+xoauth2` name the login; ports 143, 993, 587, 465.

use crate::account::{AuthMethod, Host, Protocol, Security};
use crate::finding::{Finding, FindingId};

use super::client::{Client, NO_ACCOUNT, Place};
use super::fix::{Change, Spelt, spelt};
use super::mutt::mail_url;
use super::text::{address_in, numbered, password_command, password_stored, url_without_password};
use super::{ClientFile, ImportedAccount, ImportedServer, Invalid, Setting};

/// aerc, as maildoctor knows it.
pub static CLIENT: Client = Client {
    name: "aerc",
    label: "aerc",
    places: &[Place::Config("aerc/accounts.conf")],
    named: |dir, file| (dir, file) == ("aerc", "accounts.conf"),
    says: None,
    open: None,
    read: |input| read(input.text, input.shown).map_err(|e| input.invalid(e)),
    no_account: NO_ACCOUNT,
    spell,
    fix_names_account: true,
    fix_caveat: None,
};

pub fn read(text: &str, shown: &str) -> Result<ClientFile, Invalid> {
    let mut sections: Vec<(String, usize, super::text::Options)> = Vec::new();
    for (number, raw) in numbered(text) {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[') {
            let name = name
                .strip_suffix(']')
                .ok_or_else(|| Invalid::new(number, "a section header has no closing ]"))?;
            sections.push((name.trim().to_owned(), number, Vec::new()));
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| Invalid::new(number, "expected `name = value`"))?;
        let Some((_, _, options)) = sections.last_mut() else {
            return Err(Invalid::new(number, "an option before any [account]"));
        };
        let (key, value) = (key.trim(), value.trim());
        // A password inside a URL is shown as `…`, never kept.
        let (kept, text) = if matches!(key, "source" | "outgoing") {
            let safe = url_without_password(value);
            (safe.clone(), format!("{key} = {safe}"))
        } else {
            (value.to_owned(), line.to_owned())
        };
        options.push((
            key.to_owned(),
            kept,
            Setting {
                key: key.to_owned(),
                text,
                line: number,
                file: None,
            },
        ));
    }
    let accounts = sections
        .iter()
        .map(|(name, line, options)| account(name, *line, options, shown))
        .collect::<Result<Vec<_>, _>>()?;
    let default = (accounts.len() == 1).then(|| accounts[0].name.clone());
    Ok(ClientFile {
        kind: CLIENT.kind(),
        path: std::path::PathBuf::new(),
        shown: shown.to_owned(),
        accounts,
        default,
    })
}

fn account(
    name: &str,
    line: usize,
    options: &[(String, String, Setting)],
    shown: &str,
) -> Result<ImportedAccount, Invalid> {
    let mut account = ImportedAccount::new(name, line);
    let get = |key: &str| super::text::last(options, key);
    for key in ["outgoing", "source"] {
        let Some((value, setting)) = get(key) else {
            continue;
        };
        // The password, if any, is `…` by now; that there is one is all that is known.
        let Some(url) = mail_url(value) else { continue };
        let password = url.password;
        let mut parts = url.scheme.split('+');
        let base = parts.next().unwrap_or_default();
        let extras: Vec<&str> = parts.collect();
        let insecure = extras.contains(&"insecure");
        let (protocol, security) = match (base, insecure) {
            ("smtps", _) => (Protocol::Smtp, Security::Tls),
            ("smtp", false) => (Protocol::Smtp, Security::Starttls),
            ("smtp", true) => (Protocol::Smtp, Security::Plain),
            ("imaps", _) => (Protocol::Imap, Security::Tls),
            ("imap", false) => (Protocol::Imap, Security::Starttls),
            ("imap", true) => (Protocol::Imap, Security::Plain),
            _ => continue,
        };
        let port = url.port.unwrap_or(match (protocol, security) {
            (Protocol::Smtp, Security::Tls) => 465,
            (Protocol::Smtp, _) => 587,
            (_, Security::Tls) => 993,
            _ => 143,
        });
        let host = Host::parse(&url.host)
            .map_err(|e| Invalid::new(setting.line, format!("{key}: {e}")))?;
        account.servers.insert(
            protocol,
            ImportedServer::new(host, port, security, vec![setting.clone()], setting.line),
        );
        if account.username.is_none() {
            account.username = url.user.clone();
        }
        if extras
            .iter()
            .any(|e| matches!(*e, "oauthbearer" | "xoauth2"))
        {
            account.auth = Some(AuthMethod::Oauth2);
        } else if extras.contains(&"none") {
            account.auth = Some(AuthMethod::None);
        }
        if password {
            account.findings.push(password_stored(
                CLIENT.kind(),
                shown,
                name,
                setting.line,
                key,
                Some(protocol),
            ));
        }
        if insecure && security == Security::Tls {
            account.findings.push(
                Finding::new(
                    FindingId::CertificateCheckOff,
                    Some(protocol),
                    format!("aerc does not check the {} server's certificate", protocol.label()),
                    format!("{shown}, line {} (account {name}): on {base}://, `+insecure` keeps TLS but turns the certificate check off (on {}://, it turns TLS off); anyone between you and the server can pose as it.", setting.line, base.trim_end_matches('s')),
                )
                .with_fix(format!("Write {base}:// without +insecure")),
            );
        }
        if let Some((command, s)) = get(&format!("{key}-cred-cmd")) {
            account.findings.push(password_command(
                CLIENT.kind(),
                shown,
                name,
                s.line,
                &format!("{key}-cred-cmd"),
                command,
            ));
        }
    }
    account.address = get("from")
        .map(|(v, _)| address_in(v))
        .filter(|a| a.contains('@'));
    Ok(account)
}

/// aerc keeps a server in one URL: the scheme says the mode, `+insecure` turns TLS off.
fn spell(change: &Change) -> Vec<Spelt> {
    let Change {
        protocol,
        server,
        to,
        user,
    } = *change;
    let key = server
        .settings
        .first()
        .map_or("outgoing", |s| s.key.as_str())
        .to_owned();
    let scheme = match (protocol, to.security) {
        (Protocol::Smtp, Security::Tls) => "smtps",
        (Protocol::Smtp, Security::Starttls) => "smtp",
        (Protocol::Smtp, Security::Plain) => "smtp+insecure",
        (_, Security::Tls) => "imaps",
        (_, Security::Starttls) => "imap",
        (_, Security::Plain) => "imap+insecure",
    };
    let user = user
        .map(|u| format!("{}@", u.replace('@', "%40")))
        .unwrap_or_default();
    vec![spelt(
        &key,
        format!("{key} = {scheme}://{user}{}:{}", to.host, to.port),
        false,
    )]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aercs_schemes_decide_the_mode_and_insecure_means_two_things() {
        let f = read(
            "[Work]\nsource = imaps+insecure://bob%40example.org:hunter2@imap.example.org\noutgoing = smtp+plain://bob%40example.org@smtp.example.org\noutgoing-cred-cmd = pass show work\nfrom = Bob <bob@example.org>\n\n\
             [Old]\nsource = imap+insecure://bob@imap.example.org:143\noutgoing = smtps://bob@smtp.example.org:587\n",
            "~/.config/aerc/accounts.conf",
        )
        .unwrap();
        let got: Vec<Vec<String>> = f
            .accounts
            .iter()
            .map(|a| a.servers.values().map(|s| s.endpoint.to_string()).collect())
            .collect();
        assert_eq!(
            got,
            [
                vec![
                    "smtp.example.org:587/starttls".to_owned(),
                    "imap.example.org:993/tls".to_owned()
                ],
                vec![
                    "smtp.example.org:587/tls".to_owned(),
                    "imap.example.org:143/plain".to_owned()
                ],
            ]
        );
        assert!(!format!("{f:?}").contains("hunter2"));
        let ids: Vec<FindingId> = f.accounts[0].findings.iter().map(|x| x.id).collect();
        assert_eq!(
            ids,
            [
                FindingId::ClientPasswordCommand,
                FindingId::ClientPasswordStored,
                FindingId::CertificateCheckOff
            ]
        );
        assert_eq!(f.accounts[0].username.as_deref(), Some("bob@example.org"));
        assert_eq!(f.accounts[0].address.as_deref(), Some("bob@example.org"));
    }
}
