//! Thunderbird: the profile's `prefs.js`, then `user.js` (which wins at start-up), found from
//! `profiles.ini` or given directly. `user_pref("name", value);` lines; the account graph
//! `mail.accountmanager.accounts` → `mail.account.X.server` → `mail.server.Y.*`, and each
//! identity's `smtpServer` (or `mail.smtp.defaultserver`) → `mail.smtpserver.Z.*`.
//! Thunderbird's rules: `realhostname` over `hostname` (a renamed server), `socketType` (and
//! for SMTP `try_ssl`) 0 plain, 1 and 2 STARTTLS, 3 TLS; port −1 the protocol's default; an
//! SMTP port of 0 means 465 with TLS, else 587. Passwords live in logins.json, never read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::account::{AuthMethod, Host, Protocol, Security};
use crate::finding::{Finding, FindingId};

use super::client::{Client, Input, NO_ACCOUNT, Place};
use super::fix::{Change, Spelt, spelt};
use super::open::read;
use super::text::{numbered, shown};
use super::{
    ClientFile, ClientKind, ImportError, ImportedAccount, ImportedServer, Invalid, Setting,
};

/// Thunderbird, as maildoctor knows it: a profile is its settings, prefs.js with user.js over it.
pub static CLIENT: Client = Client {
    name: "thunderbird",
    label: "Thunderbird",
    places: &[
        Place::Home(".thunderbird/profiles.ini"),
        Place::Home(".var/app/org.mozilla.Thunderbird/.thunderbird/profiles.ini"),
        Place::Home("snap/thunderbird/common/.thunderbird/profiles.ini"),
    ],
    named: |_, file| matches!(file, "prefs.js" | "user.js" | "profiles.ini"),
    says: Some(|line| line.text.starts_with("user_pref(")),
    open: Some(open),
    read: load,
    no_account: NO_ACCOUNT,
    spell,
    fix_names_account: true,
    fix_caveat: Some(
        "with Thunderbird closed, as it rewrites prefs.js when it quits; or the same in Settings → Config Editor",
    ),
};

/// A pref's value as prefs.js writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Int(i64),
    Bool(bool),
}

impl Value {
    fn text(&self) -> Option<&str> {
        match self {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }

    fn int(&self) -> Option<i64> {
        match self {
            Value::Int(n) => Some(*n),
            Value::Text(t) => t.parse().ok(),
            Value::Bool(_) => None,
        }
    }
}

/// The prefs of one file, later lines winning, each with its setting.
pub type Prefs = BTreeMap<String, (Value, Setting)>;

/// Reads `user_pref("name", value);` (and `pref(…)`) lines; comments and anything else are
/// skipped, as Thunderbird's own reader does with lines it does not take.
pub fn prefs(text: &str, file: Option<&str>, into: &mut Prefs) -> Result<(), Invalid> {
    for (number, raw) in numbered(text) {
        let line = raw.trim();
        let Some(rest) = line
            .strip_prefix("user_pref(")
            .or_else(|| line.strip_prefix("pref("))
        else {
            continue;
        };
        let (name, rest) = js_string(rest.trim_start())
            .ok_or_else(|| Invalid::new(number, "a pref name must be a quoted string"))?;
        let rest = rest
            .trim_start()
            .strip_prefix(',')
            .ok_or_else(|| Invalid::new(number, "expected , after the pref name"))?
            .trim_start();
        let value = if rest.starts_with('"') {
            Value::Text(
                js_string(rest)
                    .ok_or_else(|| Invalid::new(number, "a quote is not closed"))?
                    .0,
            )
        } else {
            let word = rest.split([')', ' ']).next().unwrap_or_default();
            match word {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                w => Value::Int(w.parse().map_err(|_| {
                    Invalid::new(
                        number,
                        format!("{name}: expected a string, a number, true or false"),
                    )
                })?),
            }
        };
        into.insert(
            name.clone(),
            (
                value,
                Setting {
                    key: name,
                    text: line.to_owned(),
                    line: number,
                    file: file.map(str::to_owned),
                },
            ),
        );
    }
    Ok(())
}

/// A JavaScript string literal at the start of `s`, with what follows it.
fn js_string(s: &str) -> Option<(String, &str)> {
    let mut chars = s.strip_prefix('"')?.char_indices();
    let mut out = String::new();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, &s[i + 2..])),
            '\\' => match chars.next()?.1 {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'u' => {
                    let hex: String = (0..4)
                        .filter_map(|_| chars.next().map(|(_, c)| c))
                        .collect();
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                }
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

fn security(n: i64) -> Option<Security> {
    Some(match n {
        0 => Security::Plain,
        1 | 2 => Security::Starttls,
        3 => Security::Tls,
        _ => return None,
    })
}

fn auth(n: Option<i64>) -> AuthMethod {
    match n {
        Some(1) => AuthMethod::None,
        Some(4) => AuthMethod::CramMd5,
        Some(5) => AuthMethod::Gssapi,
        Some(6) => AuthMethod::Ntlm,
        Some(10) => AuthMethod::Oauth2,
        _ => AuthMethod::Password,
    }
}

/// The accounts of a profile's prefs (prefs.js and user.js read into one map).
pub fn accounts(prefs: &Prefs, shown: &str) -> Result<ClientFile, Invalid> {
    let get = |name: &str| prefs.get(name);
    let list = |name: &str| -> Vec<String> {
        get(name)
            .and_then(|(v, _)| v.text())
            .map(|t| {
                t.split(',')
                    .map(|a| a.trim().to_owned())
                    .filter(|a| !a.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for key in list("mail.accountmanager.accounts") {
        let Some(server) = get(&format!("mail.account.{key}.server")).and_then(|(v, _)| v.text())
        else {
            continue;
        };
        let p = format!("mail.server.{server}");
        let protocol = match get(&format!("{p}.type")).and_then(|(v, _)| v.text()) {
            Some("imap") => Protocol::Imap,
            Some("pop3") => Protocol::Pop3,
            _ => continue,
        };
        let name = get(&format!("{p}.name"))
            .and_then(|(v, _)| v.text())
            .unwrap_or(&key)
            .to_owned();
        let line = get(&format!("mail.account.{key}.server")).map_or(1, |(_, s)| s.line);
        let mut account = ImportedAccount::new(name, line);
        if let Some(incoming) = server_of(prefs, &p, protocol)? {
            account.servers.insert(protocol, incoming);
        }
        account.username = get(&format!("{p}.realuserName"))
            .or_else(|| get(&format!("{p}.userName")))
            .and_then(|(v, _)| v.text())
            .map(str::to_owned);
        account.auth = Some(auth(
            get(&format!("{p}.authMethod")).and_then(|(v, _)| v.int()),
        ));
        let identity = list(&format!("mail.account.{key}.identities"))
            .into_iter()
            .next();
        if let Some(id) = identity {
            account.address = get(&format!("mail.identity.{id}.useremail"))
                .and_then(|(v, _)| v.text())
                .map(str::to_owned);
            let smtp = get(&format!("mail.identity.{id}.smtpServer"))
                .and_then(|(v, _)| v.text())
                .filter(|s| !s.is_empty())
                .or_else(|| get("mail.smtp.defaultserver").and_then(|(v, _)| v.text()));
            if let Some(smtp) = smtp {
                let sp = format!("mail.smtpserver.{smtp}");
                if let Some(outgoing) = server_of(prefs, &sp, Protocol::Smtp)? {
                    account.servers.insert(Protocol::Smtp, outgoing);
                }
                if let Some((_, s)) = get(&format!("{sp}.socketType")) {
                    account.findings.push(
                        Finding::new(
                            FindingId::ClientValueIgnored,
                            Some(Protocol::Smtp),
                            "Thunderbird ignores socketType for outgoing servers",
                            format!("{}, line {}: Thunderbird reads the outgoing server's encryption from try_ssl; {sp}.socketType is never read, so the line changes nothing.", s.file.as_deref().unwrap_or(shown), s.line),
                        )
                        .with_fix(format!("Set {sp}.try_ssl instead (2 STARTTLS, 3 SSL/TLS)")),
                    );
                }
            }
        }
        out.push(account);
    }
    let default = (out.len() == 1).then(|| out[0].name.clone());
    Ok(ClientFile {
        kind: CLIENT.kind(),
        path: std::path::PathBuf::new(),
        shown: shown.to_owned(),
        accounts: out,
        default,
    })
}

/// One server's endpoint from its prefs (`mail.server.Y` or `mail.smtpserver.Z`).
fn server_of(
    prefs: &Prefs,
    p: &str,
    protocol: Protocol,
) -> Result<Option<ImportedServer>, Invalid> {
    let get = |name: &str| prefs.get(&format!("{p}.{name}"));
    let Some((host, host_setting)) = get("realhostname")
        .or_else(|| get("hostname"))
        .and_then(|(v, s)| v.text().map(|t| (t, s)))
    else {
        return Ok(None);
    };
    let host = Host::parse(host)
        .map_err(|e| Invalid::new(host_setting.line, format!("{p}.hostname: {e}")))?;
    let mode_key = if protocol == Protocol::Smtp {
        "try_ssl"
    } else {
        "socketType"
    };
    let security = match get(mode_key).and_then(|(v, _)| v.int()) {
        None => Security::Plain,
        Some(n) => security(n).ok_or_else(|| {
            Invalid::new(
                get(mode_key).map_or(1, |(_, s)| s.line),
                format!("{p}.{mode_key}: 0, 1, 2 or 3"),
            )
        })?,
    };
    let port = match get("port").and_then(|(v, _)| v.int()) {
        Some(n) if n > 0 => u16::try_from(n).map_err(|_| {
            Invalid::new(
                get("port").map_or(1, |(_, s)| s.line),
                format!("{p}.port: a number from 1 to 65535"),
            )
        })?,
        _ if protocol == Protocol::Smtp => {
            if security == Security::Tls {
                465
            } else {
                587
            }
        }
        _ => protocol.default_port(if security == Security::Tls {
            Security::Tls
        } else {
            Security::Starttls
        }),
    };
    let settings = ["realhostname", "hostname", "port", mode_key]
        .iter()
        .filter_map(|k| get(k).map(|(_, s)| s.clone()))
        .collect();
    Ok(Some(ImportedServer::new(
        host,
        port,
        security,
        settings,
        host_setting.line,
    )))
}

/// The profile directory `profiles.ini` names: the `[Install…]` default, else the profile
/// marked `Default=1`, else the only one.
pub fn default_profile(ini: &str) -> Option<(String, bool)> {
    let mut sections: Vec<(String, BTreeMap<String, String>)> = Vec::new();
    for line in ini.lines() {
        let line = line.trim();
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            sections.push((name.to_owned(), BTreeMap::new()));
        } else if let Some((k, v)) = line.split_once('=')
            && let Some((_, map)) = sections.last_mut()
        {
            map.insert(k.trim().to_owned(), v.trim().to_owned());
        }
    }
    let relative = |map: &BTreeMap<String, String>, path: &str| {
        let is_relative = map.get("IsRelative").is_none_or(|v| v == "1");
        (path.to_owned(), is_relative)
    };
    if let Some((_, map)) = sections
        .iter()
        .find(|(n, m)| n.starts_with("Install") && m.contains_key("Default"))
    {
        return Some((map["Default"].clone(), true));
    }
    let profiles: Vec<&BTreeMap<String, String>> = sections
        .iter()
        .filter(|(n, _)| n.starts_with("Profile"))
        .map(|(_, m)| m)
        .collect();
    let chosen = profiles
        .iter()
        .find(|m| m.get("Default").is_some_and(|v| v == "1"))
        .or_else(|| (profiles.len() == 1).then(|| &profiles[0]))?;
    chosen.get("Path").map(|p| relative(chosen, p))
}

/// The whole profile when `path` is Thunderbird's (a profile directory, profiles.ini,
/// prefs.js or user.js).
fn open(path: &Path, forced: Option<ClientKind>) -> Result<Option<ClientFile>, ImportError> {
    match profile_dir(path, forced)? {
        Some(profile) => profile_file(&profile).map(Some),
        None => Ok(None),
    }
}

/// A prefs file under another name, read as prefs.js is.
fn load(input: &Input) -> Result<ClientFile, ImportError> {
    let mut all = Prefs::new();
    prefs(input.text, None, &mut all).map_err(|e| input.invalid(e))?;
    accounts(&all, input.shown).map_err(|e| input.invalid(e))
}

/// The Thunderbird profile directory a path means: the directory itself (with prefs.js),
/// the profile profiles.ini (or a directory holding it) names, or the one prefs.js or
/// user.js is in. `None` when the path is not Thunderbird's.
fn profile_dir(path: &Path, forced: Option<ClientKind>) -> Result<Option<PathBuf>, ImportError> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let told = forced == Some(CLIENT.kind());
    if path.is_dir() {
        if path.join("profiles.ini").is_file() {
            return profile_dir(&path.join("profiles.ini"), forced);
        }
        return Ok((told || path.join("prefs.js").is_file()).then(|| path.to_path_buf()));
    }
    if forced.is_some() && !told {
        return Ok(None);
    }
    match name {
        "prefs.js" | "user.js" => Ok(path.parent().map(Path::to_path_buf)),
        "profiles.ini" => {
            let ini = read(path, &shown(path))?;
            let Some((dir, relative)) = default_profile(&ini) else {
                return Err(ImportError::NoServer {
                    shown: shown(path),
                    why: Some("profiles.ini names no default profile".into()),
                });
            };
            Ok(Some(if relative {
                path.parent().unwrap_or(Path::new(".")).join(dir)
            } else {
                PathBuf::from(dir)
            }))
        }
        _ => Ok(None),
    }
}

/// A Thunderbird profile's accounts: prefs.js, then user.js over it.
fn profile_file(profile: &Path) -> Result<ClientFile, ImportError> {
    let prefs_path = profile.join("prefs.js");
    let shown_prefs = shown(&prefs_path);
    let mut all = Prefs::new();
    let text = read(&prefs_path, &shown_prefs)?;
    prefs(&text, None, &mut all).map_err(|e| e.in_file(&shown_prefs))?;
    let user_path = profile.join("user.js");
    if user_path.is_file() {
        let shown_user = shown(&user_path);
        let text = read(&user_path, &shown_user)?;
        prefs(&text, Some(&shown_user), &mut all).map_err(|e| e.in_file(&shown_user))?;
    }
    let mut file = accounts(&all, &shown_prefs).map_err(|e| e.in_file(&shown_prefs))?;
    file.shown = shown_prefs;
    Ok(file)
}

/// Thunderbird's prefs for the server, under the prefix its settings have
/// (`mail.smtpserver.smtp1`, `mail.server.server2`).
fn spell(change: &Change) -> Vec<Spelt> {
    let Change {
        protocol,
        server,
        to,
        ..
    } = *change;
    let Some(prefix) = server
        .settings
        .first()
        .and_then(|s| s.key.rsplit_once('.'))
        .map(|(p, _)| p.to_owned())
    else {
        return Vec::new();
    };
    let host_key = if server.setting(&format!("{prefix}.realhostname")).is_some() {
        "realhostname"
    } else {
        "hostname"
    };
    let (mode_key, mode) = (
        if protocol == Protocol::Smtp {
            "try_ssl"
        } else {
            "socketType"
        },
        match to.security {
            Security::Plain => 0,
            Security::Starttls => 2,
            Security::Tls => 3,
        },
    );
    let pref = |key: &str, value: String| {
        spelt(
            &format!("{prefix}.{key}"),
            format!("user_pref(\"{prefix}.{key}\", {value});"),
            false,
        )
    };
    vec![
        pref(host_key, format!("\"{}\"", to.host)),
        pref("port", to.port.to_string()),
        pref(mode_key, mode.to_string()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    const PREFS: &str = r#"// Mozilla User Preferences
user_pref("mail.accountmanager.accounts", "account1,account2,account3");
user_pref("mail.account.account1.server", "server1");
user_pref("mail.account.account1.identities", "id1");
user_pref("mail.server.server1.type", "imap");
user_pref("mail.server.server1.name", "bob@example.org");
user_pref("mail.server.server1.hostname", "old.example.org");
user_pref("mail.server.server1.realhostname", "imap.example.org");
user_pref("mail.server.server1.socketType", 3);
user_pref("mail.server.server1.userName", "bob@example.org");
user_pref("mail.identity.id1.useremail", "bob@example.org");
user_pref("mail.identity.id1.smtpServer", "smtp1");
user_pref("mail.smtpserver.smtp1.hostname", "smtp.example.org");
user_pref("mail.smtpserver.smtp1.try_ssl", 2);
user_pref("mail.smtpserver.smtp1.port", 0);
user_pref("mail.account.account2.server", "server2");
user_pref("mail.server.server2.type", "pop3");
user_pref("mail.server.server2.hostname", "pop.example.org");
user_pref("mail.server.server2.port", -1);
user_pref("mail.server.server2.socketType", 2);
user_pref("mail.server.server2.authMethod", 10);
user_pref("mail.account.account3.server", "server3");
user_pref("mail.server.server3.type", "none");
"#;

    #[test]
    fn thunderbird_takes_the_real_host_and_its_port_rules() {
        let mut p = Prefs::new();
        prefs(PREFS, None, &mut p).unwrap();
        prefs(
            "user_pref(\"mail.smtpserver.smtp1.socketType\", 3);\n",
            Some("user.js"),
            &mut p,
        )
        .unwrap();
        let f = accounts(&p, "prefs.js").unwrap();
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
                vec!["pop.example.org:110/starttls".to_owned()],
            ]
        );
        assert_eq!(f.accounts[0].name, "bob@example.org");
        assert_eq!(f.accounts[0].address.as_deref(), Some("bob@example.org"));
        assert_eq!(f.accounts[1].auth, Some(AuthMethod::Oauth2));
        let ignored = &f.accounts[0].findings[0];
        assert_eq!(ignored.id, FindingId::ClientValueIgnored);
        assert!(
            ignored.explanation.starts_with("user.js, line 1"),
            "{}",
            ignored.explanation
        );
        assert!(prefs("user_pref(\"a\", \"open);\n", None, &mut p).is_err());
    }

    #[test]
    fn the_profile_is_the_installs_default_then_the_marked_one() {
        let ini = "[Profile1]\nName=old\nIsRelative=1\nPath=abc.old\n\n[Profile0]\nName=default\nIsRelative=1\nPath=xyz.default\nDefault=1\n";
        assert_eq!(default_profile(ini), Some(("xyz.default".into(), true)));
        let with_install = format!("{ini}\n[Install4F96D1932A9F858E]\nDefault=abc.old\nLocked=1\n");
        assert_eq!(
            default_profile(&with_install),
            Some(("abc.old".into(), true))
        );
        assert_eq!(default_profile("[General]\nStartWithLastProfile=1\n"), None);
    }
}
