//! mutt and NeoMutt (`~/.muttrc`, `~/.mutt/muttrc`, `~/.config/mutt/muttrc`, NeoMutt's
//! `neomuttrc`): the `set` lines that name servers (`smtp_url`, `folder`, `spoolfile`), the
//! TLS switches, and `source`d files. Backticks and `source "cmd |"` run commands: they are
//! named, never run. Mutt's rules apply: `smtps://` is implicit TLS on 465, `smtp://` port
//! 25; `ssl_force_tls` (on since mutt 2.0 and NeoMutt 2021-10-22) or `ssl_starttls` (on)
//! make a plain URL STARTTLS.

use std::collections::BTreeMap;
use std::path::Path;

use crate::account::{AuthMethod, Host, Protocol, Security};
use crate::finding::{Finding, FindingId};

use super::client::{Client, Input, NO_ACCOUNT, Place};
use super::fix::{Change, Spelt, spelt};
use super::open::{Seen, enter, leave, read, resolve_include};
use super::text::{
    address_in, numbered, password_command, password_stored, shown, url_without_password,
};
use super::{
    ClientFile, ClientKind, ImportError, ImportedAccount, ImportedServer, Invalid, Setting,
};

/// NeoMutt, as maildoctor knows it: mutt's format, its own places (looked at before mutt's).
pub static NEOMUTT: Client = Client {
    name: "neomutt",
    label: "NeoMutt",
    places: &[
        Place::Config("neomutt/neomuttrc"),
        Place::Home(".neomuttrc"),
    ],
    named: |_, file| file.starts_with("neomuttrc") || file.starts_with(".neomuttrc"),
    says: None,
    open: None,
    read: load,
    no_account: NO_ACCOUNT,
    spell,
    fix_names_account: false,
    fix_caveat: None,
};

/// mutt, as maildoctor knows it.
pub static MUTT: Client = Client {
    name: "mutt",
    label: "mutt",
    places: &[
        Place::Config("mutt/muttrc"),
        Place::Home(".mutt/muttrc"),
        Place::Home(".muttrc"),
    ],
    named: |_, file| file.starts_with(".muttrc") || file.starts_with("muttrc"),
    says: Some(|line| {
        line.lower.starts_with("set ")
            && ["smtp_url", "folder", "spoolfile", "spool_file", "imap_user"]
                .iter()
                .any(|v| line.lower[4..].trim_start().starts_with(v))
    }),
    open: None,
    read: load,
    no_account: NO_ACCOUNT,
    spell,
    fix_names_account: false,
    fix_caveat: None,
};

/// One variable as a `set` line leaves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Var {
    pub name: String,
    /// `None` when unset; for a secret, empty.
    pub value: Option<String>,
    /// The value comes from a command (backticks): not known here.
    pub command: Option<String>,
    pub setting: Setting,
}

const SECRETS: &[&str] = &["imap_pass", "smtp_pass", "pop_pass"];
const COMMANDS: &[&str] = &[
    "imap_oauth_refresh_command",
    "smtp_oauth_refresh_command",
    "pop_oauth_refresh_command",
];

/// The variables one file sets, and the files it sources (with their lines).
pub fn vars(text: &str) -> Result<(Vec<Var>, super::text::Includes), Invalid> {
    let mut out = Vec::new();
    let mut sources = Vec::new();
    for (number, raw) in numbered(text) {
        let tokens = tokens(raw, number)?;
        let Some((command, args)) = tokens.split_first() else {
            continue;
        };
        match command.text.as_str() {
            "source" => {
                for arg in args {
                    if arg.text.trim_end().ends_with('|') {
                        // A command whose output is read as settings: never run.
                        continue;
                    }
                    sources.push((arg.text.clone(), number));
                }
            }
            "set" | "unset" | "reset" | "toggle" => {
                let mut i = 0;
                while i < args.len() {
                    let mut name = args[i].text.clone();
                    let mut value = None;
                    let mut from_command = None;
                    if let Some((n, v)) = name.clone().split_once('=') {
                        name = n.to_owned();
                        if v.is_empty() && i + 1 < args.len() {
                            i += 1;
                            value = Some(args[i].text.clone());
                            from_command = args[i].command.clone();
                        } else {
                            value = Some(v.to_owned());
                            from_command = args[i].command.clone();
                        }
                    } else if args.get(i + 1).is_some_and(|a| a.text == "=") {
                        i += 2;
                        value = args.get(i).map(|a| a.text.clone());
                        from_command = args.get(i).and_then(|a| a.command.clone());
                    } else if args.get(i + 1).is_some_and(|a| a.text.starts_with('=')) {
                        i += 1;
                        value = Some(args[i].text[1..].to_owned());
                        from_command = args[i].command.clone();
                    }
                    let (name, value) = boolean(command.text.as_str(), &name, value);
                    let secret = SECRETS.contains(&name.as_str())
                        || (name.ends_with("_url") && value.as_deref().is_some_and(has_password))
                        || COMMANDS.contains(&name.as_str());
                    let shown_value = if secret && !name.ends_with("_url") {
                        format!("set {name} = …")
                    } else {
                        format!(
                            "set {name}={}",
                            value
                                .as_deref()
                                .map(url_without_password)
                                .unwrap_or_default()
                        )
                    };
                    out.push(Var {
                        value: if secret && !name.ends_with("_url") {
                            value.map(|_| String::new())
                        } else if name.ends_with("_url") {
                            value.map(|v| url_without_password(&v))
                        } else {
                            value
                        },
                        command: from_command,
                        setting: Setting {
                            key: name.clone(),
                            text: shown_value,
                            line: number,
                            file: None,
                        },
                        name,
                    });
                    i += 1;
                }
            }
            _ => {}
        }
    }
    Ok((out, sources))
}

/// `set nofoo`, `unset foo`, `set invfoo`: booleans, as `yes`/`no`.
fn boolean(command: &str, name: &str, value: Option<String>) -> (String, Option<String>) {
    if command == "unset" || command == "reset" {
        return (name.to_owned(), Some("no".into()));
    }
    if value.is_some() {
        return (name.to_owned(), value);
    }
    if let Some(rest) = name.strip_prefix("no") {
        return (rest.to_owned(), Some("no".into()));
    }
    if let Some(rest) = name.strip_prefix("inv") {
        return (rest.to_owned(), Some("inverted".into()));
    }
    (name.to_owned(), Some("yes".into()))
}

#[derive(Debug)]
struct Token {
    text: String,
    /// The token held a backtick command: its text.
    command: Option<String>,
}

/// A muttrc line's tokens: whitespace separates them, `'…'` and `"…"` quote, `\` escapes,
/// `#` outside quotes starts a comment, `;` ends a command (the rest is dropped).
fn tokens(line: &str, number: usize) -> Result<Vec<Token>, Invalid> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut command = None;
    let mut started = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '#' | ';' => break,
            c if c.is_whitespace() => {
                if started {
                    out.push(Token {
                        text: std::mem::take(&mut text),
                        command: command.take(),
                    });
                    started = false;
                }
            }
            '\'' | '"' => {
                started = true;
                let mut closed = false;
                while let Some(q) = chars.next() {
                    if q == c {
                        closed = true;
                        break;
                    }
                    if q == '\\' && c == '"' {
                        if let Some(e) = chars.next() {
                            text.push(e);
                        }
                        continue;
                    }
                    if q == '`' {
                        command = Some(backtick(&mut chars, number)?);
                        continue;
                    }
                    text.push(q);
                }
                if !closed {
                    return Err(Invalid::new(number, "a quote is not closed"));
                }
            }
            '`' => {
                started = true;
                command = Some(backtick(&mut chars, number)?);
            }
            '\\' => {
                started = true;
                if let Some(e) = chars.next() {
                    text.push(e);
                }
            }
            '=' if started => {
                text.push('=');
            }
            c => {
                started = true;
                text.push(c);
            }
        }
    }
    if started {
        out.push(Token { text, command });
    }
    Ok(out)
}

fn backtick(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    number: usize,
) -> Result<String, Invalid> {
    let mut command = String::new();
    for c in chars.by_ref() {
        if c == '`' {
            return Ok(command);
        }
        command.push(c);
    }
    Err(Invalid::new(number, "a backtick command is not closed"))
}

/// The parts of a mail URL: scheme, user, whether a password is in it, host, port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailUrl {
    pub scheme: String,
    pub user: Option<String>,
    pub password: bool,
    pub host: String,
    pub port: Option<u16>,
}

/// `scheme://[user[:pass]@]host[:port][/path]`; the last `@` ends the user part, as in
/// mutt, so `me@example.org@host` works. The password is never copied out.
pub fn mail_url(url: &str) -> Option<MailUrl> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split('/').next().unwrap_or_default();
    let (userinfo, hostport) = match authority.rfind('@') {
        Some(at) => (Some(&authority[..at]), &authority[at + 1..]),
        None => (None, authority),
    };
    let (user, password) = match userinfo {
        Some(u) => match u.split_once(':') {
            Some((name, _)) => (Some(name), true),
            None => (Some(u), false),
        },
        None => (None, false),
    };
    let (host, port) = if let Some(inner) = hostport.strip_prefix('[') {
        let (h, r) = inner.split_once(']')?;
        (h, r.strip_prefix(':'))
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    let port = match port {
        Some(p) => Some(p.parse::<u16>().ok().filter(|p| *p != 0)?),
        None => None,
    };
    Some(MailUrl {
        scheme: scheme.to_ascii_lowercase(),
        user: user.map(percent_decode),
        password,
        host: host.to_owned(),
        port,
    })
}

fn has_password(url: &str) -> bool {
    mail_url(url).is_some_and(|u| u.password)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(hi), Some(lo)) = (
                bytes.get(i + 1).and_then(|b| (*b as char).to_digit(16)),
                bytes.get(i + 2).and_then(|b| (*b as char).to_digit(16)),
            )
        {
            out.push(u8::try_from(hi * 16 + lo).unwrap_or(b'?'));
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The server a URL variable names, with mutt's default ports; a plain URL gets
/// `plain_url`'s security (STARTTLS unless both TLS switches are off).
fn server(
    var: &Var,
    plain_url: Security,
    last: &BTreeMap<&str, &Var>,
) -> Result<Option<(Protocol, ImportedServer, MailUrl)>, Invalid> {
    let Some(value) = var.value.as_deref() else {
        return Ok(None);
    };
    let Some(url) = mail_url(value) else {
        return Ok(None);
    };
    let (protocol, security) = match url.scheme.as_str() {
        "smtps" => (Protocol::Smtp, Security::Tls),
        "smtp" => (Protocol::Smtp, plain_url),
        "imaps" => (Protocol::Imap, Security::Tls),
        "imap" => (Protocol::Imap, plain_url),
        "pops" => (Protocol::Pop3, Security::Tls),
        "pop" => (Protocol::Pop3, plain_url),
        _ => return Ok(None),
    };
    let port = url.port.unwrap_or(match (protocol, security) {
        (Protocol::Smtp, Security::Tls) => 465,
        (Protocol::Smtp, _) => 25,
        (Protocol::Imap, Security::Tls) => 993,
        (Protocol::Imap, _) => 143,
        (Protocol::Pop3, Security::Tls) => 995,
        (Protocol::Pop3, _) => 110,
    });
    let host = Host::parse(&url.host)
        .map_err(|e| Invalid::new(var.setting.line, format!("{}: {e}", var.name)))?;
    let mut settings = vec![var.setting.clone()];
    settings.extend(
        ["ssl_force_tls", "ssl_starttls"]
            .iter()
            .filter_map(|k| last.get(k).map(|v| v.setting.clone())),
    );
    Ok(Some((
        protocol,
        ImportedServer::new(host, port, security, settings, var.setting.line),
        url,
    )))
}

pub fn accounts(vars: &[Var], kind: ClientKind, shown: &str) -> Result<ClientFile, Invalid> {
    let mut last: BTreeMap<&str, &Var> = BTreeMap::new();
    for v in vars {
        last.insert(v.name.as_str(), v);
    }
    let yes = |name: &str, default: bool| {
        last.get(name)
            .and_then(|v| v.value.as_deref())
            .map_or(default, |v| matches!(v, "yes" | "ask-yes"))
    };
    let force_tls = yes("ssl_force_tls", true);
    let starttls = yes("ssl_starttls", true);
    let plain_url = if force_tls || starttls {
        Security::Starttls
    } else {
        Security::Plain
    };
    let mut account = ImportedAccount::new("default", vars.first().map_or(1, |v| v.setting.line));
    for name in ["smtp_url", "spoolfile", "spool_file", "folder"] {
        let Some(var) = last.get(name) else { continue };
        if let Some(command) = &var.command {
            account.notes.push(format!(
                "line {}: {name} comes from a command ({}); maildoctor never runs it",
                var.setting.line,
                super::text::program_name(command)
            ));
            continue;
        }
        let Some((protocol, imported, url)) = server(var, plain_url, &last)? else {
            continue;
        };
        if account.servers.contains_key(&protocol) {
            continue;
        }
        if url.password {
            account.findings.push(password_stored(
                kind,
                shown,
                "default",
                var.setting.line,
                name,
                Some(protocol),
            ));
        }
        if account.username.is_none() {
            account.username = url.user.clone();
        }
        account.servers.insert(protocol, imported);
    }
    if let Some(file) = last
        .get("ssl_ca_certificates_file")
        .and_then(|v| v.value.as_deref())
    {
        account.trust(file);
    }
    for name in ["imap_user", "smtp_user", "pop_user"] {
        if account.username.is_none() {
            account.username = last.get(name).and_then(|v| v.value.clone());
        }
    }
    secrets(&mut account, &last, kind, shown);
    for name in COMMANDS {
        if let Some(var) = last.get(name) {
            account.auth = Some(AuthMethod::Oauth2);
            let _ = var;
        }
    }
    if let Some(from) = last.get("from").and_then(|v| v.value.as_deref()) {
        let address = address_in(from);
        account.address = address.contains('@').then_some(address);
    }
    if !force_tls && let Some(var) = last.get("ssl_force_tls") {
        tls_optional(&mut account, var, kind, shown);
    }
    Ok(ClientFile {
        kind,
        path: std::path::PathBuf::new(),
        shown: shown.to_owned(),
        default: Some("default".into()),
        accounts: vec![account],
    })
}

/// Where mutt's passwords come from: the file (never kept) or a command (never run).
fn secrets(
    account: &mut ImportedAccount,
    last: &BTreeMap<&str, &Var>,
    kind: ClientKind,
    shown: &str,
) {
    for name in SECRETS {
        if let Some(var) = last.get(name) {
            if let Some(command) = &var.command {
                account.findings.push(password_command(
                    kind,
                    shown,
                    "default",
                    var.setting.line,
                    name,
                    command,
                ));
            } else {
                account.findings.push(password_stored(
                    kind,
                    shown,
                    "default",
                    var.setting.line,
                    name,
                    None,
                ));
            }
        }
    }
}

/// `ssl_force_tls` turned off: a plain URL's STARTTLS is only as strong as the offer.
fn tls_optional(account: &mut ImportedAccount, var: &Var, kind: ClientKind, shown: &str) {
    let plain: Vec<Protocol> = account
        .servers
        .iter()
        .filter(|(_, s)| s.endpoint.security != Security::Tls)
        .map(|(p, _)| *p)
        .collect();
    if !plain.is_empty() {
        account.findings.push(
            Finding::new(
                FindingId::ClientTlsOptional,
                plain.first().copied(),
                format!("{} may log in without encryption: ssl_force_tls is off", kind.label()),
                format!(
                    "{shown}, line {}: with `ssl_force_tls` off, {} uses STARTTLS only when the server offers it, so anyone on the way who strips the offer gets the password in plain text.",
                    var.setting.line,
                    kind.label()
                ),
            )
            .with_fix("Write `set ssl_force_tls = yes`"),
        );
    }
}

/// Reads the file and the files it `source`s, as mutt does.
fn load(input: &Input) -> Result<ClientFile, ImportError> {
    let mut seen = Seen::new();
    let vars = with_sources(input.path, input.text, input.shown, &mut seen, 0)?;
    accounts(&vars, input.kind, input.shown).map_err(|e| input.invalid(e))
}

/// The variables of a file with those of the files it `source`s, where it sources them.
fn with_sources(
    path: &Path,
    text: &str,
    shown_path: &str,
    seen: &mut Seen,
    depth: usize,
) -> Result<Vec<Var>, ImportError> {
    enter(path, seen, depth, shown_path, 1)?;
    let (vars, sources) = vars(text).map_err(|e| e.in_file(shown_path))?;
    let mut out = Vec::new();
    let mut rest = vars.into_iter().peekable();
    for (name, line) in sources {
        while let Some(v) = rest.next_if(|v| v.setting.line < line) {
            out.push(v);
        }
        let target = resolve_include(path, &name);
        let label = shown(&target);
        let included = read(&target, &label)?;
        let mut sub =
            with_sources(&target, &included, &label, seen, depth + 1).map_err(|e| match e {
                ImportError::Invalid { message, .. } if message.contains("include loop") => {
                    ImportError::Invalid {
                        shown: shown_path.to_owned(),
                        line,
                        message,
                    }
                }
                other => other,
            })?;
        for v in &mut sub {
            v.setting.file.get_or_insert_with(|| label.clone());
        }
        out.extend(sub);
    }
    out.extend(rest);
    leave(path, seen);
    Ok(out)
}

/// A fix in mutt's words.
fn spell(change: &Change) -> Vec<Spelt> {
    let Change {
        protocol,
        server,
        to,
        user,
    } = *change;
    let (host, port) = (&to.host, to.port);
    let scheme = match (protocol, to.security) {
        (Protocol::Smtp, Security::Tls) => "smtps",
        (Protocol::Smtp, _) => "smtp",
        (Protocol::Imap, Security::Tls) => "imaps",
        (Protocol::Imap, _) => "imap",
        (Protocol::Pop3, Security::Tls) => "pops",
        (Protocol::Pop3, _) => "pop",
    };
    let user = user
        .map(|u| format!("{}@", u.replace('@', "%40")))
        .unwrap_or_default();
    let key = match server.settings.first().map(|s| s.key.as_str()) {
        Some("folder") => "folder",
        Some("spoolfile") => "spoolfile",
        Some("spool_file") => "spool_file",
        _ => "smtp_url",
    };
    let mut out = vec![spelt(
        key,
        format!("set {key}=\"{scheme}://{user}{host}:{port}/\""),
        false,
    )];
    match to.security {
        Security::Starttls => out.push(spelt("ssl_force_tls", "set ssl_force_tls=yes", true)),
        Security::Plain => out.push(spelt("ssl_starttls", "set ssl_starttls=no", false)),
        Security::Tls => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> ImportedAccount {
        let (vars, _) = vars(text).unwrap();
        accounts(&vars, MUTT.kind(), "~/.muttrc")
            .unwrap()
            .accounts
            .remove(0)
    }

    fn endpoints(a: &ImportedAccount) -> Vec<String> {
        a.servers.values().map(|s| s.endpoint.to_string()).collect()
    }

    #[test]
    fn mutt_urls_and_tls_switches_give_the_servers_mutt_uses() {
        let a = read(
            "set from = \"Bob <bob@example.org>\"\n\
             set smtp_url = \"smtps://bob@example.org@mail.example.org:587/\"\n\
             set folder=imaps://mail.example.org/ spoolfile=+INBOX\n",
        );
        assert_eq!(
            endpoints(&a),
            ["mail.example.org:587/tls", "mail.example.org:993/tls"]
        );
        assert_eq!(a.username.as_deref(), Some("bob@example.org"));
        assert_eq!(a.address.as_deref(), Some("bob@example.org"));
        let a = read(
            "set smtp_url='smtp://mail.example.org'\nset nossl_force_tls\nunset ssl_starttls\n",
        );
        assert_eq!(endpoints(&a), ["mail.example.org:25/plain"]);
        assert_eq!(a.findings[0].id, FindingId::ClientTlsOptional);
        let a = read(
            "set spoolfile = \"pops://mail.example.org\"\nset smtp_url = smtp://mail.example.org:587\n",
        );
        assert_eq!(
            endpoints(&a),
            ["mail.example.org:587/starttls", "mail.example.org:995/tls"]
        );
    }

    #[test]
    fn passwords_and_commands_are_named_never_kept_or_run() {
        let a = read(
            "set smtp_url = \"smtp://bob:hunter2@mail.example.org:587\"\n\
             set imap_pass = `pass show mail`\n\
             source \"~/bin/mutt-settings |\"\n",
        );
        let debug = format!("{a:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        let ids: Vec<FindingId> = a.findings.iter().map(|f| f.id).collect();
        assert_eq!(
            ids,
            [
                FindingId::ClientPasswordStored,
                FindingId::ClientPasswordCommand
            ]
        );
        assert!(a.findings[1].title.ends_with(": pass"));
        assert!(
            a.servers[&Protocol::Smtp].settings[0]
                .text
                .contains("bob:…@")
        );
        assert!(
            vars("set x = \"open\n")
                .unwrap_err()
                .to_string()
                .starts_with("line 1: a quote")
        );
    }
}
