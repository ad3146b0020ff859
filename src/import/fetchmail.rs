//! fetchmail (`~/.fetchmailrc`): free-form tokens, `poll NAME [via HOST]` (or `skip`) with
//! server options, then `user NAME` with user options (`ssl`, `sslproto`, `sslcertck`),
//! `defaults` for the entries after it; noise words ignored. fetchmail's rules apply: `ssl`
//! is implicit TLS (993/995), otherwise STARTTLS is required (since 6.4, with `sslcertck` on
//! by default) unless `sslproto ''` turns it off; `proto auto` (the default) tries IMAP first.

use crate::account::{AuthMethod, Host, Protocol, Security};
use crate::finding::{Finding, FindingId};

use super::client::{Client, NO_ACCOUNT, Place};
use super::fix::{Change, Spelt, absent, spelt};
use super::text::{numbered, password_stored, service_port, words};
use super::{ClientFile, ImportedAccount, ImportedServer, Invalid, Setting};

/// fetchmail, as maildoctor knows it.
pub static CLIENT: Client = Client {
    name: "fetchmail",
    label: "fetchmail",
    places: &[Place::Home(".fetchmailrc")],
    named: |_, file| matches!(file, ".fetchmailrc" | "fetchmailrc"),
    says: Some(|line| line.lower.starts_with("poll ") || line.lower.starts_with("skip ")),
    open: None,
    read: |input| read(input.text, input.shown).map_err(|e| input.invalid(e)),
    no_account: NO_ACCOUNT,
    spell,
    fix_names_account: true,
    fix_caveat: None,
};

const NOISE: &[&str] = &["and", "with", "has", "wants", "options", ":", ";", ","];

/// One `poll` entry (or `defaults`), its options as written.
#[derive(Debug, Clone, Default)]
struct Entry {
    name: String,
    line: usize,
    skip: bool,
    options: super::text::Options,
}

impl Entry {
    fn get(&self, key: &str) -> Option<(&str, &Setting)> {
        super::text::last(&self.options, key)
    }
}

/// Options that take a value, by the name fetchmail gives them.
fn canonical(word: &str) -> Option<&'static str> {
    Some(match word {
        "via" => "via",
        "proto" | "protocol" => "proto",
        "service" | "port" => "service",
        "auth" | "authenticate" => "auth",
        "user" | "username" => "user",
        "pass" | "password" => "password",
        "sslproto" => "sslproto",
        "sslcommonname" => "sslcommonname",
        "sslcertfile" => "sslcertfile",
        "sslcertpath" | "sslfingerprint" | "sslkey" | "sslcert" => "sslfile",
        "timeout" | "interval" | "folder" | "mda" | "smtphost" | "smtpname" | "is" | "to"
        | "envelope" | "qvirtual" | "principal" | "tracepolls" | "plugin" | "plugout" | "limit"
        | "warnings" | "batchlimit" | "fetchlimit" | "fetchsizelimit" | "fastuidl" | "expunge"
        | "preconnect" | "postconnect" | "bsmtp" | "lmtp" | "antispam" | "properties"
        | "localdomains" | "aka" | "dns" | "checkalias" => "other",
        _ => return None,
    })
}

fn tokens(text: &str) -> Result<Vec<(String, usize)>, Invalid> {
    let mut out = Vec::new();
    for (number, raw) in numbered(text) {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // `set …` statements are global and take the rest of their line.
        if line.starts_with("set ") {
            continue;
        }
        // A password's value is never split into tokens that could be kept.
        for word in words(line, number)? {
            out.push((word, number));
        }
    }
    Ok(out)
}

/// One option of an entry at `tokens[i - 1]`, with its value if it takes one; returns where
/// the next token is.
fn option(
    entry: &mut Entry,
    tokens: &[(String, usize)],
    mut i: usize,
    word: &str,
    lower: &str,
    line: usize,
) -> Result<usize, Invalid> {
    let (key, value) = match canonical(lower) {
        Some(key) => {
            let Some((value, _)) = tokens.get(i) else {
                return Err(Invalid::new(line, format!("{lower} needs a value")));
            };
            i += 1;
            (
                key,
                if key == "password" {
                    String::new()
                } else {
                    value.clone()
                },
            )
        }
        // `no sslcertck`, `no keep` …: the next word negated.
        None if lower == "no" => {
            let next = tokens
                .get(i)
                .map(|(w, _)| w.to_ascii_lowercase())
                .unwrap_or_default();
            i += 1;
            if next == "sslcertck" {
                ("nosslcertck", String::new())
            } else {
                return Ok(i);
            }
        }
        // Flags; anything else (`keep`, `here`, `there` …) changes nothing checked here.
        None => match lower {
            "ssl" => ("ssl", String::new()),
            "sslcertck" => ("sslcertck", String::new()),
            _ => return Ok(i),
        },
    };
    let text = if key == "password" {
        "password …".to_owned()
    } else if value.is_empty() {
        word.to_owned()
    } else {
        format!("{word} {value}")
    };
    entry.options.push((
        key.to_owned(),
        value,
        Setting {
            key: key.to_owned(),
            text,
            line,
            file: None,
        },
    ));
    Ok(i)
}

pub fn read(text: &str, shown: &str) -> Result<ClientFile, Invalid> {
    let tokens = tokens(text)?;
    let mut defaults = Entry::default();
    let mut entries: Vec<Entry> = Vec::new();
    let mut current: Option<Entry> = None;
    let mut i = 0;
    while i < tokens.len() {
        let (word, line) = (&tokens[i].0, tokens[i].1);
        let lower = word.to_ascii_lowercase();
        i += 1;
        if NOISE.contains(&lower.as_str()) {
            continue;
        }
        match lower.as_str() {
            "poll" | "skip" | "server" | "defaults" => {
                if let Some(done) = current.take() {
                    if done.name.is_empty() {
                        defaults = done;
                    } else {
                        entries.push(done);
                    }
                }
                let mut entry = Entry {
                    line,
                    skip: lower == "skip",
                    ..defaults.clone()
                };
                entry.name.clear();
                if lower != "defaults" {
                    let Some((name, _)) = tokens.get(i) else {
                        return Err(Invalid::new(line, format!("{lower} needs a server name")));
                    };
                    entry.name.clone_from(name);
                    i += 1;
                }
                current = Some(entry);
            }
            _ => {
                let Some(entry) = current.as_mut() else {
                    return Err(Invalid::new(
                        line,
                        "options must follow poll NAME, skip NAME or defaults",
                    ));
                };
                i = option(entry, &tokens, i, word, &lower, line)?;
            }
        }
    }
    if let Some(done) = current.take()
        && !done.name.is_empty()
    {
        entries.push(done);
    }
    let accounts = entries
        .iter()
        .map(|e| account(e, shown))
        .collect::<Result<Vec<_>, _>>()?;
    let polled: Vec<&ImportedAccount> = accounts
        .iter()
        .zip(&entries)
        .filter(|(_, e)| !e.skip)
        .map(|(a, _)| a)
        .collect();
    let default = (polled.len() == 1).then(|| polled[0].name.clone());
    Ok(ClientFile {
        kind: CLIENT.kind(),
        path: std::path::PathBuf::new(),
        shown: shown.to_owned(),
        accounts,
        default,
    })
}

fn ssl_used(security: Security) -> bool {
    security != Security::Plain
}

fn account(entry: &Entry, shown: &str) -> Result<ImportedAccount, Invalid> {
    let name = &entry.name;
    let mut account = ImportedAccount::new(name.clone(), entry.line);
    let protocol = match entry.get("proto").map(|(v, _)| v.to_ascii_lowercase()) {
        Some(p) if p == "pop3" || p == "apop" || p == "rpop" || p == "kpop" || p == "sdps" => {
            Protocol::Pop3
        }
        Some(p) if p == "imap" || p == "auto" => Protocol::Imap,
        None => Protocol::Imap,
        Some(other) => {
            account.notes.push(format!(
                "proto {other}: maildoctor checks IMAP and POP3 only"
            ));
            return Ok(account);
        }
    };
    if entry.get("proto").is_none() {
        account.notes.push(
            "no proto: fetchmail tries IMAP first (proto auto), as maildoctor does here".into(),
        );
    }
    let ssl = entry.get("ssl").is_some();
    let sslproto = entry.get("sslproto");
    let security = match (ssl, sslproto.map(|(v, _)| v)) {
        (true, _) => Security::Tls,
        (false, Some("")) => Security::Plain,
        _ => Security::Starttls,
    };
    let (host_word, host_line) = entry
        .get("via")
        .map_or((name.as_str(), entry.line), |(v, s)| (v, s.line));
    let host =
        Host::parse(host_word).map_err(|e| Invalid::new(host_line, format!("server: {e}")))?;
    let is_ip = host.name().is_none();
    let port = match entry.get("service") {
        Some((p, s)) => service_port(p)
            .ok_or_else(|| Invalid::new(s.line, "service takes a port number or a service name"))?,
        None => protocol.default_port(if ssl {
            Security::Tls
        } else {
            Security::Starttls
        }),
    };
    let mut settings: Vec<Setting> = ["service", "ssl", "sslproto", "via"]
        .iter()
        .filter_map(|k| entry.get(k).map(|(_, s)| s.clone()))
        .collect();
    settings.insert(
        0,
        Setting {
            key: "poll".into(),
            text: format!("poll {name}"),
            line: entry.line,
            file: None,
        },
    );
    account.servers.insert(
        protocol,
        ImportedServer::new(host, port, security, settings, entry.line),
    );
    if is_ip && ssl_used(security) && entry.get("sslcommonname").is_none() {
        let mut finding = super::text::ip_certificate(
            CLIENT.kind(),
            shown,
            name,
            host_line,
            host_word,
            "say the certificate's name with sslcommonname",
        );
        finding.protocol = Some(protocol);
        account.findings.push(finding);
    }
    account.username = entry.get("user").map(|(v, _)| v.to_owned());
    if let Some((file, _)) = entry.get("sslcertfile") {
        account.trust(file);
    }
    account.tls_name = entry.get("sslcommonname").map(|(v, _)| v.to_owned());
    account.auth = Some(
        match entry.get("auth").map(|(v, _)| v.to_ascii_lowercase()) {
            Some(a) if a == "oauthbearer" || a == "xoauth2" => AuthMethod::Oauth2,
            Some(a) if a == "cram-md5" => AuthMethod::CramMd5,
            Some(a) if a == "ntlm" => AuthMethod::Ntlm,
            Some(a) if a == "gssapi" || a == "kerberos" || a == "kerberos_v5" => AuthMethod::Gssapi,
            _ => AuthMethod::Password,
        },
    );
    findings(&mut account, entry, protocol, shown);
    Ok(account)
}

/// What the entry says beyond the server: a stored password, a pinned TLS version, no
/// certificate check.
fn findings(account: &mut ImportedAccount, entry: &Entry, protocol: Protocol, shown: &str) {
    let name = &entry.name;
    let sslproto = entry.get("sslproto");
    if let Some((_, s)) = entry.get("password") {
        account.findings.push(password_stored(
            CLIENT.kind(),
            shown,
            name,
            s.line,
            "password",
            Some(protocol),
        ));
    }
    if let Some((version, s)) = sslproto
        && matches!(
            version.to_ascii_uppercase().as_str(),
            "TLS1" | "TLS1.1" | "SSL3" | "SSL23"
        )
    {
        account.findings.push(
            Finding::new(
                FindingId::ClientTlsVersionPinned,
                Some(protocol),
                format!("fetchmail is held to an old TLS version: sslproto {version}"),
                format!("{shown}, line {} (poll {name}): `sslproto {version}` allows exactly that version, which current servers refuse; it does not mean \"TLS 1 or newer\".", s.line),
            )
            .with_fix("Write `sslproto TLS1.2+`, or leave sslproto out (fetchmail's default asks for TLS 1.0 or newer)"),
        );
    }
    if let Some((_, s)) = entry.get("nosslcertck") {
        account.findings.push(
            Finding::new(
                FindingId::CertificateCheckOff,
                Some(protocol),
                "fetchmail does not check the server's certificate",
                format!("{shown}, line {} (poll {name}): with `no sslcertck` anyone between you and the server can pose as it and read the password.", s.line),
            )
            .with_fix("Remove `no sslcertck`; for a company CA, name it with sslcertfile"),
        );
    }
}

/// A fix in fetchmail's words.
fn spell(change: &Change) -> Vec<Spelt> {
    let Change {
        protocol,
        server,
        to,
        ..
    } = *change;
    let default_port = protocol.default_port(match to.security {
        Security::Tls => Security::Tls,
        _ => Security::Starttls,
    });
    vec![
        // The server is named by `poll NAME`; `via` is needed only to go elsewhere.
        spelt(
            "via",
            format!("via {}", to.host),
            server.endpoint.host == to.host,
        ),
        spelt(
            "service",
            format!("service {}", to.port),
            to.port == default_port,
        ),
        match to.security {
            Security::Tls => spelt("ssl", "ssl", false),
            _ => absent("ssl"),
        },
        match to.security {
            Security::Plain => spelt("sslproto", "sslproto ''", false),
            _ => absent("sslproto"),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fetchmail_requires_starttls_unless_ssl_or_an_empty_sslproto() {
        let f = read(
            "set daemon 300\n\
             poll imap.example.org proto imap user 'bob' there with password 'hunter 2' is bob here options keep ssl\n\
             poll pop.example.org with proto pop3 and service 995\n  user bob password \"x\"\n\
             skip old.example.org via 192.0.2.1 proto pop3 user bob sslproto '' no sslcertck\n\
             poll legacy.example.org proto imap user bob sslproto TLS1\n",
            "~/.fetchmailrc",
        )
        .unwrap();
        let got: Vec<String> = f
            .accounts
            .iter()
            .flat_map(|a| a.servers.values().map(|s| s.endpoint.to_string()))
            .collect();
        assert_eq!(
            got,
            [
                "imap.example.org:993/tls",
                "pop.example.org:995/starttls",
                "192.0.2.1:110/plain",
                "legacy.example.org:143/starttls",
            ]
        );
        assert!(!format!("{f:?}").contains("hunter"));
        assert_eq!(f.default, None, "three entries are polled");
        let ids = |i: usize| {
            f.accounts[i]
                .findings
                .iter()
                .map(|x| x.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(0), [FindingId::ClientPasswordStored]);
        assert_eq!(ids(2), [FindingId::CertificateCheckOff]);
        assert_eq!(ids(3), [FindingId::ClientTlsVersionPinned]);
        assert!(
            read("user bob\n", "f")
                .unwrap_err()
                .to_string()
                .starts_with("line 1: options must follow")
        );
    }
}
