//! himalaya (`~/.config/himalaya/config.toml`), both of its formats. v1 (to 1.2):
//! `[accounts.NAME]` with `backend.host/port/encryption.type` and
//! `message.send.backend.*`; an unset encryption is TLS. v2 (2.x): `imap.server` and
//! `smtp.server`, where a bare `host:port` is TLS from the first byte, `imaps://`/`smtps://`
//! too, and `imap://`/`smtp://` plain unless `starttls = true`.

use crate::account::{AuthMethod, Host, Protocol, Security};

use super::client::{Client, NO_ACCOUNT, Place};
use super::fix::{Change, Spelt, spelt};
use super::text::{password_command, password_stored};
use super::{ClientFile, ImportedAccount, ImportedServer, Invalid, Setting};

/// himalaya, as maildoctor knows it.
pub static CLIENT: Client = Client {
    name: "himalaya",
    label: "himalaya",
    places: &[Place::Config("himalaya/config.toml")],
    named: |dir, file| (dir, file) == ("himalaya", "config.toml"),
    says: None,
    open: None,
    read: |input| read(input.text, input.shown).map_err(|e| input.invalid(e)),
    no_account: NO_ACCOUNT,
    spell,
    fix_names_account: true,
    fix_caveat: None,
};

/// The first line holding `needle` as a key (`needle =`), for pointing at a setting.
fn line_of(text: &str, needle: &str, from: usize) -> usize {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| {
            let l = l.trim_start();
            l.starts_with(needle) && l[needle.len()..].trim_start().starts_with('=')
        })
        .map_or(from.max(1), |(i, _)| i + 1)
}

fn setting(text: &str, key: &str, from: usize, shown_value: &str) -> Setting {
    let line = line_of(text, key, from);
    Setting {
        key: key.to_owned(),
        text: format!("{key} = {shown_value}"),
        line,
        file: None,
    }
}

pub fn read(text: &str, shown: &str) -> Result<ClientFile, Invalid> {
    // toml's own message quotes the file; only where it is goes out (it could be a password).
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s| {
            text[..s.start.min(text.len())].matches('\n').count() + 1
        });
        Invalid::new(line, "not valid TOML here")
    })?;
    let mut accounts = Vec::new();
    let mut default = None;
    if let Some(toml::Value::Table(all)) = table.get("accounts") {
        for (name, value) in all {
            let toml::Value::Table(t) = value else {
                continue;
            };
            let from = line_of(text, &format!("[accounts.{name}"), 1).max(
                text.lines()
                    .position(|l| l.contains(&format!("accounts.{name}")))
                    .map_or(1, |i| i + 1),
            );
            if t.get("default").and_then(toml::Value::as_bool) == Some(true) {
                default = Some(name.clone());
            }
            accounts.push(account(name, t, text, from, shown)?);
        }
    } else if table.contains_key("imap") || table.contains_key("smtp") {
        accounts.push(account("default", &table, text, 1, shown)?);
    }
    if default.is_none() && accounts.len() == 1 {
        default = Some(accounts[0].name.clone());
    }
    Ok(ClientFile {
        kind: CLIENT.kind(),
        path: std::path::PathBuf::new(),
        shown: shown.to_owned(),
        accounts,
        default,
    })
}

fn get<'a>(t: &'a toml::Table, path: &[&str]) -> Option<&'a toml::Value> {
    let (last, tables) = path.split_last()?;
    let mut at = t;
    for key in tables {
        at = at.get(*key)?.as_table()?;
    }
    at.get(*last)
}

fn account(
    name: &str,
    t: &toml::Table,
    text: &str,
    from: usize,
    shown: &str,
) -> Result<ImportedAccount, Invalid> {
    let mut account = ImportedAccount::new(name, from);
    account.address = get(t, &["email"])
        .and_then(toml::Value::as_str)
        .map(str::to_owned);
    v1(&mut account, t, text, from, shown)?;
    v2(&mut account, t, text, from, shown)?;
    Ok(account)
}

/// v1's `backend` (IMAP) and `message.send.backend` (SMTP).
fn v1(
    account: &mut ImportedAccount,
    t: &toml::Table,
    text: &str,
    from: usize,
    shown: &str,
) -> Result<(), Invalid> {
    for (protocol, base) in [
        (Protocol::Imap, vec!["backend"]),
        (Protocol::Smtp, vec!["message", "send", "backend"]),
    ] {
        let at = |k: &[&str]| {
            let mut p = base.clone();
            p.extend_from_slice(k);
            get(t, &p).cloned()
        };
        let Some(host) = at(&["host"]).and_then(|v| v.as_str().map(str::to_owned)) else {
            continue;
        };
        let encryption = at(&["encryption", "type"])
            .and_then(|v| v.as_str().map(str::to_owned))
            .or_else(|| at(&["encryption"]).and_then(|v| v.as_str().map(str::to_owned)));
        let security = match encryption.as_deref() {
            None | Some("tls") => Security::Tls,
            Some("start-tls" | "starttls") => Security::Starttls,
            Some("none") => Security::Plain,
            Some(_) => {
                return Err(Invalid::new(
                    line_of(text, "encryption", from),
                    "encryption.type is tls, start-tls or none",
                ));
            }
        };
        let port = match at(&["port"]).and_then(|v| v.as_integer()) {
            Some(p) => u16::try_from(p).ok().filter(|p| *p != 0).ok_or_else(|| {
                Invalid::new(
                    line_of(text, "port", from),
                    "port takes a number from 1 to 65535",
                )
            })?,
            None => protocol.default_port(security),
        };
        let host_setting = setting(text, "host", from, &format!("\"{host}\""));
        let line = host_setting.line;
        let mut settings = vec![host_setting];
        if at(&["port"]).is_some() {
            settings.push(setting(text, "port", line, &port.to_string()));
        }
        if let Some(e) = &encryption {
            settings.push(setting(text, "encryption.type", line, &format!("\"{e}\"")));
        }
        let host = Host::parse(&host).map_err(|e| Invalid::new(line, format!("host: {e}")))?;
        account.servers.insert(
            protocol,
            ImportedServer::new(host, port, security, settings, line),
        );
        if account.username.is_none() {
            account.username = at(&["login"]).and_then(|v| v.as_str().map(str::to_owned));
        }
        match at(&["auth", "type"])
            .and_then(|v| v.as_str().map(str::to_owned))
            .as_deref()
        {
            Some("oauth2") => account.auth = Some(AuthMethod::Oauth2),
            _ => {
                account.auth.get_or_insert(AuthMethod::Password);
            }
        }
        secrets(account, at(&["auth"]).as_ref(), text, from, shown, protocol);
    }
    Ok(())
}

/// v2's `imap.server` and `smtp.server`, each a bare authority or a URL.
fn v2(
    account: &mut ImportedAccount,
    t: &toml::Table,
    text: &str,
    from: usize,
    shown: &str,
) -> Result<(), Invalid> {
    for (protocol, key) in [(Protocol::Imap, "imap"), (Protocol::Smtp, "smtp")] {
        let Some(server) = get(t, &[key, "server"]).and_then(toml::Value::as_str) else {
            continue;
        };
        let starttls = get(t, &[key, "starttls"]).and_then(toml::Value::as_bool) == Some(true);
        let (scheme, authority) = server
            .split_once("://")
            .map_or((None, server), |(s, a)| (Some(s), a));
        let security = match scheme {
            None | Some("imaps" | "smtps") => Security::Tls,
            Some("imap" | "smtp") if starttls => Security::Starttls,
            Some("imap" | "smtp") => Security::Plain,
            Some(_) => {
                return Err(Invalid::new(
                    line_of(text, "server", from),
                    format!("{key}.server is host:port, {key}://… or {key}s://…"),
                ));
            }
        };
        let authority = authority.trim_end_matches('/');
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (
                h,
                p.parse::<u16>().ok().filter(|p| *p != 0).ok_or_else(|| {
                    Invalid::new(
                        line_of(text, "server", from),
                        format!("{key}.server: the port is not a number"),
                    )
                })?,
            ),
            None => (
                authority,
                protocol.default_port(if security == Security::Tls {
                    Security::Tls
                } else {
                    Security::Starttls
                }),
            ),
        };
        let server_setting = setting(
            text,
            "server",
            line_of(text, &format!("[{key}"), from),
            &format!("\"{server}\""),
        );
        let line = server_setting.line;
        let host =
            Host::parse(host).map_err(|e| Invalid::new(line, format!("{key}.server: {e}")))?;
        account.servers.insert(
            protocol,
            ImportedServer::new(host, port, security, vec![server_setting], line),
        );
        if let Some(toml::Value::Table(sasl)) = get(t, &[key, "sasl"]) {
            for (mech, v) in sasl {
                if matches!(mech.as_str(), "oauthbearer" | "xoauth2") {
                    account.auth = Some(AuthMethod::Oauth2);
                }
                if account.username.is_none() {
                    account.username = v
                        .get("username")
                        .or_else(|| v.get("authcid"))
                        .and_then(toml::Value::as_str)
                        .map(str::to_owned);
                }
                for secret in ["password", "passwd", "token"] {
                    secrets(account, v.get(secret), text, line, shown, protocol);
                }
            }
        }
        account.auth.get_or_insert(AuthMethod::Password);
    }
    Ok(())
}

/// `raw` is a stored password, `cmd`/`command` a command; neither value is kept.
fn secrets(
    account: &mut ImportedAccount,
    value: Option<&toml::Value>,
    text: &str,
    from: usize,
    shown: &str,
    protocol: Protocol,
) {
    let Some(toml::Value::Table(t)) = value else {
        return;
    };
    let name = account.name.clone();
    if t.contains_key("raw") {
        account.findings.push(password_stored(
            CLIENT.kind(),
            shown,
            &name,
            line_of(text, "raw", from),
            "raw",
            Some(protocol),
        ));
    }
    for key in ["cmd", "command"] {
        if let Some(command) = t.get(key).and_then(toml::Value::as_str) {
            account.findings.push(password_command(
                CLIENT.kind(),
                shown,
                &name,
                line_of(text, key, from),
                key,
                command,
            ));
        }
    }
}

/// himalaya v2 keeps a server in one `server` value; v1 in host, port and encryption.type.
fn spell(change: &Change) -> Vec<Spelt> {
    let Change {
        protocol,
        server,
        to,
        ..
    } = *change;
    if server.setting("server").is_some() {
        let key = if protocol == Protocol::Smtp {
            "smtp"
        } else {
            "imap"
        };
        let url = match to.security {
            Security::Tls => format!("{}:{}", to.host, to.port),
            _ => format!("{key}://{}:{}", to.host, to.port),
        };
        let mut out = vec![spelt("server", format!("server = \"{url}\""), false)];
        if to.security == Security::Starttls {
            out.push(spelt("starttls", "starttls = true", false));
        }
        return out;
    }
    let word = match to.security {
        Security::Tls => "tls",
        Security::Starttls => "start-tls",
        Security::Plain => "none",
    };
    vec![
        spelt("host", format!("host = \"{}\"", to.host), false),
        spelt("port", format!("port = {}", to.port), false),
        spelt(
            "encryption.type",
            format!("encryption.type = \"{word}\""),
            to.security == Security::Tls,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_himalaya_formats_with_their_defaults() {
        let v1 = read(
            "[accounts.work]\nemail = \"bob@example.org\"\ndefault = true\nbackend.type = \"imap\"\nbackend.host = \"imap.example.org\"\nbackend.port = 993\nbackend.login = \"bob\"\nbackend.auth.type = \"password\"\nbackend.auth.raw = \"hunter2\"\n\
             message.send.backend.type = \"smtp\"\nmessage.send.backend.host = \"smtp.example.org\"\nmessage.send.backend.port = 587\nmessage.send.backend.auth.cmd = \"pass show work\"\n",
            "f",
        )
        .unwrap();
        let a = &v1.accounts[0];
        let got: Vec<String> = a.servers.values().map(|s| s.endpoint.to_string()).collect();
        assert_eq!(
            got,
            ["smtp.example.org:587/tls", "imap.example.org:993/tls"],
            "v1: unset encryption is TLS"
        );
        assert_eq!(v1.default.as_deref(), Some("work"));
        assert!(!format!("{v1:?}").contains("hunter2"));
        let ids: Vec<_> = a.findings.iter().map(|f| f.id).collect();
        assert_eq!(
            ids,
            [
                crate::finding::FindingId::ClientPasswordStored,
                crate::finding::FindingId::ClientPasswordCommand
            ]
        );
        let v2 = read(
            "[imap]\nserver = \"imap.example.org:143\"\n[imap.sasl.plain]\nauthcid = \"bob\"\npassword.command = \"pass show x\"\n[smtp]\nserver = \"smtp://smtp.example.org:587\"\nstarttls = true\n",
            "f",
        )
        .unwrap();
        let got: Vec<String> = v2.accounts[0]
            .servers
            .values()
            .map(|s| s.endpoint.to_string())
            .collect();
        assert_eq!(
            got,
            ["smtp.example.org:587/starttls", "imap.example.org:143/tls"],
            "v2: a bare authority is TLS"
        );
        let err = read("[imap]\nserver = \"x\n", "f").unwrap_err();
        assert_eq!(err.to_string(), "line 2: not valid TOML here");
    }
}
