//! git send-email's settings in git's config files (`~/.gitconfig`, `~/.config/git/config`,
//! `/etc/gitconfig`, a repository's `.git/config`): `[sendemail]` and, for an identity,
//! `[sendemail "work"]`, which wins over it. git send-email's own rules apply (read from its
//! code): `smtpEncryption = ssl` is implicit TLS on 465, `tls` is **STARTTLS** on 25, any
//! other value plaintext on 25, and the words are case-sensitive.

use std::collections::BTreeMap;
use std::path::Path;

use crate::account::{AuthMethod, Host, Protocol, Security};
use crate::finding::{Finding, FindingId};

use super::client::{Client, Input, Place};
use super::fix::{Change, Spelt, absent, spelt};
use super::open::{Seen, enter, leave, read_if_possible, resolve_include};
use super::text::{address_in, numbered, password_stored, service_port, shown};
use super::{ClientFile, ImportError, ImportedAccount, ImportedServer, Invalid, Setting};

/// git send-email, as maildoctor knows it.
pub static CLIENT: Client = Client {
    name: "git",
    label: "git send-email",
    places: &[
        Place::Home(".gitconfig"),
        Place::Config("git/config"),
        Place::System("/etc/gitconfig"),
    ],
    named: |dir, file| {
        matches!(
            (dir, file),
            (_, ".gitconfig" | "gitconfig") | ("git" | ".git", "config")
        )
    },
    says: Some(|line| line.lower.starts_with("[sendemail")),
    open: None,
    read: load,
    no_account: "no [sendemail] section",
    spell,
    fix_names_account: true,
    fix_caveat: None,
};

/// One `key = value` of a git config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Lower case, as git compares them.
    pub section: String,
    /// Case kept (git compares subsections exactly).
    pub subsection: Option<String>,
    /// Lower case.
    pub key: String,
    /// `None` for a bare key (a boolean true); never a password's value.
    pub value: Option<String>,
    pub setting: Setting,
}

/// The entries of one file, and the files its `[include]`s name (with their lines).
pub fn entries(text: &str) -> Result<(Vec<Entry>, super::text::Includes), Invalid> {
    let mut out = Vec::new();
    let mut includes = Vec::new();
    let mut section = String::new();
    let mut subsection: Option<String> = None;
    let mut lines = numbered(text).peekable();
    while let Some((number, raw)) = lines.next() {
        let mut line = raw.trim_start().to_owned();
        if line.starts_with('[') {
            let close = line
                .find(']')
                .ok_or_else(|| Invalid::new(number, "a section header has no closing ]"))?;
            let header = &line[1..close];
            (section, subsection) = match header.split_once(char::is_whitespace) {
                Some((name, sub)) => {
                    let sub = sub.trim();
                    let inner = sub
                        .strip_prefix('"')
                        .and_then(|s| s.strip_suffix('"'))
                        .ok_or_else(|| {
                            Invalid::new(number, "a subsection name must be in double quotes")
                        })?;
                    (
                        name.to_ascii_lowercase(),
                        Some(inner.replace("\\\"", "\"").replace("\\\\", "\\")),
                    )
                }
                None => match header.split_once('.') {
                    Some((name, sub)) => {
                        (name.to_ascii_lowercase(), Some(sub.to_ascii_lowercase()))
                    }
                    None => (header.to_ascii_lowercase(), None),
                },
            };
            line = line[close + 1..].trim_start().to_owned();
        }
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        let (key, rest) = match line.split_once('=') {
            Some((k, r)) => (k.trim().to_owned(), Some(r.to_owned())),
            None => (line.trim().to_owned(), None),
        };
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(Invalid::new(number, "expected `name = value`"));
        }
        let lower = key.to_ascii_lowercase();
        let secret = section == "sendemail" && lower == "smtppass";
        let value = match rest {
            None => None,
            Some(mut rest) => {
                // A backslash at the end continues the value on the next line.
                while rest.trim_end().ends_with('\\') && !rest.trim_end().ends_with("\\\\") {
                    let Some((_, next)) = lines.next() else { break };
                    rest = format!("{}{next}", &rest.trim_end()[..rest.trim_end().len() - 1]);
                }
                Some(value(&rest, number)?)
            }
        };
        let setting = Setting {
            key: key.clone(),
            text: if secret {
                format!("{key} = …")
            } else {
                line.trim().to_owned()
            },
            line: number,
            file: None,
        };
        if section == "include" && lower == "path" {
            if let Some(path) = &value {
                includes.push((path.clone(), number));
            }
            continue;
        }
        out.push(Entry {
            section: section.clone(),
            subsection: subsection.clone(),
            key: lower,
            value: if secret { Some(String::new()) } else { value },
            setting,
        });
    }
    Ok((out, includes))
}

/// A value after `=`: quotes kept together, `#`/`;` outside quotes starting a comment,
/// git's escapes. The message never quotes the value.
fn value(raw: &str, line: usize) -> Result<String, Invalid> {
    let mut out = String::new();
    let mut quoted = false;
    let mut chars = raw.trim().chars();
    let mut pending_space = String::new();
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            '#' | ';' if !quoted => break,
            '\\' => {
                let escaped = match chars.next() {
                    Some('n') => '\n',
                    Some('t') => '\t',
                    Some('b') => '\u{8}',
                    Some(c @ ('"' | '\\')) => c,
                    _ => return Err(Invalid::new(line, "a backslash escape git does not know")),
                };
                out.push_str(&std::mem::take(&mut pending_space));
                out.push(escaped);
            }
            c if c.is_whitespace() && !quoted => pending_space.push(c),
            c => {
                out.push_str(&std::mem::take(&mut pending_space));
                out.push(c);
            }
        }
    }
    if quoted {
        return Err(Invalid::new(line, "a quote is not closed"));
    }
    Ok(out)
}

/// The accounts: `[sendemail]` itself, and one per `[sendemail "identity"]` with the base
/// under it. `sendemail.identity` names the default.
pub fn accounts(entries: &[Entry], shown: &str) -> Result<ClientFile, Invalid> {
    let base: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.section == "sendemail" && e.subsection.is_none())
        .collect();
    let mut identities: Vec<&str> = Vec::new();
    for e in entries {
        if e.section == "sendemail"
            && let Some(sub) = e.subsection.as_deref()
            && !identities.contains(&sub)
        {
            identities.push(sub);
        }
    }
    let user_email = entries
        .iter()
        .rev()
        .find(|e| e.section == "user" && e.key == "email")
        .and_then(|e| e.value.clone());
    let mut out = Vec::new();
    if base.iter().any(|e| e.key != "identity") {
        out.push(account("default", &base, user_email.as_deref(), shown)?);
    }
    for identity in &identities {
        let mut merged: Vec<&Entry> = base.clone();
        merged.extend(
            entries
                .iter()
                .filter(|e| e.section == "sendemail" && e.subsection.as_deref() == Some(identity)),
        );
        out.push(account(identity, &merged, user_email.as_deref(), shown)?);
    }
    let default = base
        .iter()
        .rev()
        .find(|e| e.key == "identity")
        .and_then(|e| e.value.clone())
        .or_else(|| {
            out.iter()
                .any(|a| a.name == "default")
                .then(|| "default".into())
        });
    Ok(ClientFile {
        kind: CLIENT.kind(),
        path: std::path::PathBuf::new(),
        shown: shown.to_owned(),
        accounts: out,
        default,
    })
}

fn account(
    name: &str,
    entries: &[&Entry],
    user_email: Option<&str>,
    shown: &str,
) -> Result<ImportedAccount, Invalid> {
    // Later entries win, as in git (an identity's come after the base's).
    let mut last: BTreeMap<&str, &Entry> = BTreeMap::new();
    for e in entries {
        last.insert(e.key.as_str(), e);
    }
    let line = entries.first().map_or(1, |e| e.setting.line);
    let mut account = ImportedAccount::new(name, line);
    let get = |key: &str| {
        last.get(key)
            .map(|e| (e.value.clone().unwrap_or_default(), &e.setting))
    };
    account.address = get("from")
        .map(|(v, _)| address_in(&v))
        .or_else(|| user_email.map(str::to_owned))
        .filter(|a| a.contains('@'));
    let encryption = get("smtpencryption");
    let security = match encryption.as_ref().map(|(v, _)| v.as_str()) {
        Some("ssl") => Security::Tls,
        Some("tls") => Security::Starttls,
        _ => Security::Plain,
    };
    if let Some((word, setting)) = &encryption
        && !matches!(word.as_str(), "ssl" | "tls" | "" | "none")
    {
        let meant = if word.eq_ignore_ascii_case("ssl") {
            "`ssl` (in lower case)"
        } else if word.eq_ignore_ascii_case("tls") || word.eq_ignore_ascii_case("starttls") {
            "`tls` (which git means as STARTTLS)"
        } else {
            "`ssl` or `tls`"
        };
        account.findings.push(
            Finding::new(
                FindingId::ClientValueIgnored,
                Some(Protocol::Smtp),
                format!("git send-email does not know smtpEncryption = {word}: it sends without encryption"),
                format!("{shown}, line {}: git send-email compares the word exactly, and only `ssl` (implicit TLS) and `tls` (STARTTLS) turn encryption on; anything else means plaintext SMTP on port 25.", setting.line),
            )
            .with_fix(format!("Write {meant}")),
        );
    }
    match get("smtpserver") {
        Some((server, setting)) if server.starts_with('/') => account.notes.push(format!(
            "line {}: smtpServer is a program ({}), not a server: git send-email hands the mail to it",
            setting.line,
            super::text::program_name(&server)
        )),
        Some((server, setting)) => {
            let host = Host::parse(&server)
                .map_err(|e| Invalid::new(setting.line, format!("smtpServer: {e}")))?;
            let port = match get("smtpserverport") {
                Some((p, s)) => service_port(&p).ok_or_else(|| {
                    Invalid::new(s.line, "smtpServerPort takes a port number or a service name")
                })?,
                None if security == Security::Tls => 465,
                None => 25,
            };
            let settings = ["smtpserver", "smtpserverport", "smtpencryption"]
                .iter()
                .filter_map(|k| last.get(k).map(|e| e.setting.clone()))
                .collect();
            account.servers.insert(
                Protocol::Smtp,
                ImportedServer::new(host, port, security, settings, setting.line),
            );
        }
        None => account.notes.push(
            "no smtpServer: git send-email hands the mail to the local sendmail program, or to localhost when there is none".into(),
        ),
    }
    account.username = get("smtpuser").map(|(v, _)| v);
    if let Some((path, _)) = get("smtpsslcertpath") {
        account.trust(&path);
    }
    account.auth = Some(match get("smtpauth").map(|(v, _)| v) {
        Some(v) if v == "none" => AuthMethod::None,
        Some(v) if v.contains("XOAUTH2") || v.contains("OAUTHBEARER") => AuthMethod::Oauth2,
        _ if account.username.is_none() => AuthMethod::None,
        _ => AuthMethod::Password,
    });
    if let Some((_, s)) = get("smtppass") {
        account.findings.push(password_stored(
            CLIENT.kind(),
            shown,
            name,
            s.line,
            &s.key,
            Some(Protocol::Smtp),
        ));
    }
    Ok(account)
}

/// Reads the file and the files its `[include]`s name, as git does.
fn load(input: &Input) -> Result<ClientFile, ImportError> {
    let mut seen = Seen::new();
    let entries = with_includes(input.path, input.text, input.shown, &mut seen, 0)?;
    accounts(&entries, input.shown).map_err(|e| input.invalid(e))
}

/// The entries of a file with those of the files it includes, where it includes them.
fn with_includes(
    path: &Path,
    text: &str,
    shown_path: &str,
    seen: &mut Seen,
    depth: usize,
) -> Result<Vec<Entry>, ImportError> {
    enter(path, seen, depth, shown_path, 1)?;
    let (entries, includes) = entries(text).map_err(|e| e.in_file(shown_path))?;
    let mut out = Vec::new();
    let mut rest = entries.into_iter().peekable();
    for (name, line) in includes {
        while let Some(e) = rest.next_if(|e| e.setting.line < line) {
            out.push(e);
        }
        let target = resolve_include(path, &name);
        // git skips an include that does not exist; so does the reader.
        let Some(included) = read_if_possible(&target) else {
            continue;
        };
        let label = shown(&target);
        let mut sub = with_includes(&target, &included, shown_path, seen, depth + 1).map_err(
            |e| match e {
                ImportError::Invalid {
                    message, line: l, ..
                } if !message.contains("include loop") => ImportError::Invalid {
                    shown: label.clone(),
                    line: l,
                    message,
                },
                ImportError::Invalid { message, .. } => ImportError::Invalid {
                    shown: shown_path.to_owned(),
                    line,
                    message,
                },
                other => other,
            },
        )?;
        for e in &mut sub {
            e.setting.file.get_or_insert_with(|| label.clone());
        }
        out.extend(sub);
    }
    out.extend(rest);
    leave(path, seen);
    Ok(out)
}

/// A fix in git send-email's words.
fn spell(change: &Change) -> Vec<Spelt> {
    let Change { to, .. } = *change;
    let (host, port) = (&to.host, to.port);
    vec![
        spelt("smtpServer", format!("smtpServer = {host}"), false),
        spelt(
            "smtpServerPort",
            format!("smtpServerPort = {port}"),
            port == 25 && to.security != Security::Tls
                || port == 465 && to.security == Security::Tls,
        ),
        match to.security {
            Security::Tls => spelt("smtpEncryption", "smtpEncryption = ssl", false),
            Security::Starttls => spelt("smtpEncryption", "smtpEncryption = tls", false),
            Security::Plain => absent("smtpEncryption"),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> ClientFile {
        accounts(&entries(text).unwrap().0, "~/.gitconfig").unwrap()
    }

    fn smtp(f: &ClientFile, name: &str) -> Option<String> {
        f.accounts
            .iter()
            .find(|a| a.name == name)?
            .servers
            .get(&Protocol::Smtp)
            .map(|s| s.endpoint.to_string())
    }

    #[test]
    fn git_means_tls_as_starttls_and_defaults_to_port_25() {
        let f = file(
            "[user]\n\temail = bob@example.org\n\
             [sendemail]\n\tsmtpServer = smtp.example.org\n\tsmtpEncryption = tls\n\tidentity = work\n\
             [sendemail \"work\"]\n\tsmtpServerPort = submission ; the 587 one\n\tsmtpUser = bob\n\
             [sendemail \"old\"]\n\tsmtpEncryption = ssl\n\
             [sendemail \"typo\"]\n\tsmtpEncryption = SSL\n\tsmtpServerPort = 465\n",
        );
        assert_eq!(
            smtp(&f, "default").as_deref(),
            Some("smtp.example.org:25/starttls")
        );
        assert_eq!(
            smtp(&f, "work").as_deref(),
            Some("smtp.example.org:587/starttls")
        );
        assert_eq!(smtp(&f, "old").as_deref(), Some("smtp.example.org:465/tls"));
        assert_eq!(
            smtp(&f, "typo").as_deref(),
            Some("smtp.example.org:465/plain")
        );
        assert_eq!(f.default.as_deref(), Some("work"));
        let work = f.accounts.iter().find(|a| a.name == "work").unwrap();
        assert_eq!(work.address.as_deref(), Some("bob@example.org"));
        assert_eq!(work.auth, Some(AuthMethod::Password));
        let typo = f.accounts.iter().find(|a| a.name == "typo").unwrap();
        assert_eq!(typo.findings[0].id, FindingId::ClientValueIgnored);
        assert!(
            typo.findings[0]
                .fix
                .as_deref()
                .unwrap()
                .contains("in lower case")
        );
    }

    #[test]
    fn values_follow_gits_quoting_and_a_password_is_never_kept() {
        let (e, includes) = entries(
            "[sendemail]\n  smtpServer = \"smtp.example.org\" # comment\n  smtpPass = \"hunter#2\"\n\
             [include]\n  path = ~/.gitconfig.local\n[sendemail.Work] smtpuser = a\\\n  b\n",
        )
        .unwrap();
        assert_eq!(e[0].value.as_deref(), Some("smtp.example.org"));
        assert!(!format!("{e:?}").contains("hunter"));
        assert_eq!(includes, [("~/.gitconfig.local".to_owned(), 5)]);
        assert_eq!(e[2].subsection.as_deref(), Some("work"));
        assert_eq!(e[2].value.as_deref(), Some("a  b"));
        for (text, want) in [
            ("[sendemail\n", "line 1: a section header"),
            (
                "[sendemail]\nsmtpServer = \"x\n",
                "line 2: a quote is not closed",
            ),
            ("[sendemail]\nsmtp server = x\n", "line 2: expected"),
        ] {
            assert!(
                entries(text).unwrap_err().to_string().starts_with(want),
                "{text:?}"
            );
        }
    }
}
