//! nullmailer (`/etc/nullmailer/remotes`), a relay-only mailer: one server per line, read with
//! nullmailer's own rules (read from its code): `tls` is implicit TLS on 465.

use std::path::PathBuf;

use crate::account::{AuthMethod, Protocol, Security};
use crate::finding::{Finding, FindingId};

use super::client::{Client, NO_ACCOUNT, Place};
use super::fix::{Change, Spelt, spelt};
use super::text::{numbered, parse_host, password_stored, port_number, words};
use super::{ClientFile, ImportedAccount, ImportedServer, Invalid, Setting};

/// nullmailer, as maildoctor knows it.
pub static CLIENT: Client = Client {
    name: "nullmailer",
    label: "nullmailer",
    places: &[Place::System("/etc/nullmailer/remotes")],
    named: |dir, file| (dir, file) == ("nullmailer", "remotes"),
    says: None,
    open: None,
    read: |input| read(input.text, input.shown).map_err(|e| input.invalid(e)),
    no_account: NO_ACCOUNT,
    spell,
    fix_names_account: true,
    fix_caveat: None,
};

/// A remotes line as it may be shown: what follows `pass=` is `…`.
fn without_password(line: &str) -> String {
    line.split_whitespace()
        .map(|w| {
            let bare = w.trim_start_matches('-');
            if bare.starts_with("pass=") {
                format!("{}pass=…", &w[..w.len() - bare.len()])
            } else {
                w.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// nullmailer's remotes: one server per line, `host [smtp] [--]option …`, shell quoting; it
/// tries them in order, so the first is the default.
pub fn read(text: &str, shown: &str) -> Result<ClientFile, Invalid> {
    let mut accounts = Vec::new();
    for (number, raw) in numbered(text) {
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let words = words(trimmed, number)?;
        let Some((host, options)) = words.split_first() else {
            continue;
        };
        let (mut tls, mut starttls, mut port_given, mut user, mut insecure, mut pass) =
            (false, false, None, None, false, false);
        let mut ca: Option<String> = None;
        for option in options {
            let option = option.trim_start_matches('-');
            let (name, value) = option
                .split_once('=')
                .map_or((option, None), |(n, v)| (n, Some(v)));
            match name {
                "smtp" => {}
                "qmqp" => {
                    return Err(Invalid::new(
                        number,
                        "qmqp is not mail submission; maildoctor checks smtp remotes",
                    ));
                }
                "tls" | "ssl" => tls = true,
                "starttls" => starttls = true,
                "insecure" => insecure = true,
                "port" => {
                    port_given = Some(port_number(value.unwrap_or_default(), "port", number)?);
                }
                "user" => user = value.map(str::to_owned),
                "x509cafile" => ca = value.map(str::to_owned),
                "pass" => pass = true,
                _ => {}
            }
        }
        let security = match (tls, starttls) {
            (_, true) => Security::Starttls,
            (true, false) => Security::Tls,
            _ => Security::Plain,
        };
        let port = port_given.unwrap_or(if tls && !starttls { 465 } else { 25 });
        let mut account = ImportedAccount::new(host.clone(), number);
        let shown_line = without_password(trimmed);
        account.servers.insert(
            Protocol::Smtp,
            ImportedServer::new(
                parse_host(host, "host", number)?,
                port,
                security,
                vec![Setting::new("remote", &shown_line, number)],
                number,
            ),
        );
        account.username = user;
        if let Some(file) = &ca {
            account.trust(file);
        }
        account.auth = Some(if account.username.is_some() {
            AuthMethod::Password
        } else {
            AuthMethod::None
        });
        if pass {
            account.findings.push(password_stored(
                CLIENT.kind(),
                shown,
                host,
                number,
                "pass=",
                Some(Protocol::Smtp),
            ));
        }
        if insecure {
            account.findings.push(
                Finding::new(
                    FindingId::CertificateCheckOff,
                    Some(Protocol::Smtp),
                    "nullmailer does not check the server's certificate",
                    format!("{shown}, line {number} ({host}): `insecure` accepts any certificate, so anyone between you and the server can pose as it."),
                )
                .with_fix("Remove `insecure`; for a company CA, give it with x509cafile="),
            );
        }
        accounts.push(account);
    }
    let default = accounts.first().map(|a| a.name.clone());
    Ok(ClientFile {
        kind: CLIENT.kind(),
        path: PathBuf::new(),
        shown: shown.to_owned(),
        accounts,
        default,
    })
}

/// nullmailer keeps a server on one line: the line again, its port and mode options
/// replaced, the others (user, `pass=…`) kept.
fn spell(change: &Change) -> Vec<Spelt> {
    let Change { server, to, .. } = *change;
    let current = server
        .setting("remote")
        .map_or_else(String::new, |s| s.text.clone());
    let mut words: Vec<String> = current
        .split_whitespace()
        .skip(1)
        .filter(|w| {
            let w = w.trim_start_matches('-');
            !(w.starts_with("port=") || matches!(w, "tls" | "ssl" | "starttls"))
        })
        .map(str::to_owned)
        .collect();
    if words.first().map(String::as_str) != Some("smtp") {
        words.insert(0, "smtp".into());
    }
    words.push(format!("--port={}", to.port));
    match to.security {
        Security::Tls => words.push("--tls".into()),
        Security::Starttls => words.push("--starttls".into()),
        Security::Plain => {}
    }
    vec![spelt(
        "remote",
        format!("{} {}", to.host, words.join(" ")),
        false,
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::testing::smtp;

    #[test]
    fn nullmailer_reads_as_nullmailer_does() {
        let f = read("# relay\nsmtp.example.org smtp --port=587 --starttls --user=bob --pass='x y'\nbackup.example.org smtp --tls --insecure\n", "f").unwrap();
        assert_eq!(smtp(&f), "smtp.example.org:587/starttls");
        assert_eq!(
            f.accounts[1].servers[&Protocol::Smtp].endpoint.to_string(),
            "backup.example.org:465/tls"
        );
        assert_eq!(f.default.as_deref(), Some("smtp.example.org"));
        assert!(!format!("{f:?}").contains("x y"));
        assert_eq!(f.accounts[1].findings[0].id, FindingId::CertificateCheckOff);
    }
}
