//! The small relay-only mailers of servers, each one smarthost and its TLS switches:
//! ssmtp (`/etc/ssmtp/ssmtp.conf`), nullmailer (`/etc/nullmailer/remotes`), dma
//! (`/etc/dma/dma.conf`) and Exim's Debian smarthost (`/etc/exim4/update-exim4.conf.conf`).
//! Each reader applies its mailer's rules, read from its code: ssmtp turns an option on only
//! for the word `YES`; nullmailer's `tls` is implicit TLS on 465; dma's `STARTTLS` counts only
//! with `SECURETRANSFER`; Exim's port comes after two colons.

use crate::account::{AuthMethod, Host, Protocol, Security};
use crate::finding::{Finding, FindingId};

use super::text::{numbered, password_stored, words};
use super::{ClientFile, ClientKind, ImportedAccount, ImportedServer, Invalid, Setting};

fn setting(key: &str, text: &str, line: usize) -> Setting {
    Setting {
        key: key.to_owned(),
        text: text.to_owned(),
        line,
        file: None,
    }
}

fn one(kind: ClientKind, shown: &str, account: Option<ImportedAccount>) -> ClientFile {
    ClientFile {
        kind,
        path: std::path::PathBuf::new(),
        shown: shown.to_owned(),
        default: account.as_ref().map(|a| a.name.clone()),
        accounts: account.into_iter().collect(),
    }
}

fn port(word: &str, what: &str, line: usize) -> Result<u16, Invalid> {
    word.parse::<u16>()
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| Invalid::new(line, format!("{what} takes a number from 1 to 65535")))
}

fn server(
    host: &str,
    port: u16,
    security: Security,
    settings: Vec<Setting>,
    line: usize,
    what: &str,
) -> Result<ImportedServer, Invalid> {
    let host = Host::parse(host).map_err(|e| Invalid::new(line, format!("{what}: {e}")))?;
    Ok(ImportedServer::new(host, port, security, settings, line))
}

/// ssmtp: `Key=Value`, keys in any case, `#` anywhere starting a comment, and `=`, space
/// and tab all separating words (so a password with one of them is cut short).
pub fn ssmtp(text: &str, shown: &str) -> Result<ClientFile, Invalid> {
    let mut hub: Option<(String, usize, String)> = None;
    let (mut tls, mut starttls) = (false, false);
    let mut settings = Vec::new();
    let mut account = ImportedAccount::new("ssmtp", 1);
    for (number, raw) in numbered(text) {
        let line = raw.split('#').next().unwrap_or_default();
        let mut parts = line.split(['=', ' ', '\t']).filter(|w| !w.is_empty());
        let Some(key) = parts.next() else { continue };
        let lower = key.to_ascii_lowercase();
        if lower == "authpass" {
            account.findings.push(password_stored(
                ClientKind::Ssmtp,
                shown,
                "ssmtp",
                number,
                key,
                Some(Protocol::Smtp),
            ));
            // The value is never kept: only whether ssmtp would cut it (more than one word).
            if parts.nth(1).is_some() || raw.contains('#') && !raw.trim_start().starts_with('#') {
                account.findings.push(
                    Finding::new(
                        FindingId::ClientValueIgnored,
                        Some(Protocol::Smtp),
                        "ssmtp cuts this password short",
                        format!("{shown}, line {number}: ssmtp splits its lines at `=`, spaces, tabs and `#`, so a password holding one of them is sent cut off, and the login fails."),
                    )
                    .with_fix("Choose a password without `=`, `#`, spaces or tabs, or another mailer"),
                );
            }
            continue;
        }
        let value = parts.next().unwrap_or_default();
        let yes = value.eq_ignore_ascii_case("yes");
        let text = line.trim();
        match lower.as_str() {
            "mailhub" => hub = Some((value.to_owned(), number, text.to_owned())),
            "usetls" => {
                tls = yes;
                if !yes {
                    starttls = false;
                }
                settings.push(setting("UseTLS", text, number));
            }
            "usestarttls" => {
                starttls = yes;
                if yes {
                    tls = true;
                }
                settings.push(setting("UseSTARTTLS", text, number));
            }
            "authuser" => account.username = Some(value.to_owned()),
            "tls_ca_file" => account.trust(value),
            "authmethod" if value.eq_ignore_ascii_case("cram-md5") => {
                account.auth = Some(AuthMethod::CramMd5);
            }
            _ => {}
        }
        if let Some(finding) = not_yes(&lower, key, value, shown, number) {
            account.findings.push(finding);
        }
    }
    let Some((hub, line, text)) = hub else {
        return Ok(one(ClientKind::Ssmtp, shown, None));
    };
    let security = match (tls, starttls) {
        (_, true) => Security::Starttls,
        (true, false) => Security::Tls,
        _ => Security::Plain,
    };
    let (host, port_word) = match hub.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') || h.starts_with('[') => {
            (h.trim_matches(['[', ']']), Some(p))
        }
        _ => (hub.as_str(), None),
    };
    let port = port_word.map_or(Ok(25), |p| port(p, "mailhub's port", line))?;
    settings.insert(0, setting("mailhub", &text, line));
    account.line = line;
    account.servers.insert(
        Protocol::Smtp,
        server(host, port, security, settings, line, "mailhub")?,
    );
    if account.auth.is_none() {
        account.auth = Some(if account.username.is_some() {
            AuthMethod::Password
        } else {
            AuthMethod::None
        });
    }
    Ok(one(ClientKind::Ssmtp, shown, Some(account)))
}

/// ssmtp's switches take only YES: `true`, `on` or `1` leave them off, silently.
fn not_yes(lower: &str, key: &str, value: &str, shown: &str, number: usize) -> Option<Finding> {
    let said_yes = matches!(
        value.to_ascii_lowercase().as_str(),
        "true" | "on" | "1" | "y"
    );
    (matches!(lower, "usetls" | "usestarttls") && said_yes).then(|| {
        Finding::new(
            FindingId::ClientValueIgnored,
            Some(Protocol::Smtp),
            format!("ssmtp reads {key}={value} as no"),
            format!("{shown}, line {number}: ssmtp turns an option on only for the word YES; `{value}` leaves it off, so the mail goes without that encryption."),
        )
        .with_fix(format!("Write `{key}=YES`"))
    })
}

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
pub fn nullmailer(text: &str, shown: &str) -> Result<ClientFile, Invalid> {
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
                "port" => port_given = Some(port(value.unwrap_or_default(), "port", number)?),
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
            server(
                host,
                port,
                security,
                vec![setting("remote", &shown_line, number)],
                number,
                "host",
            )?,
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
                ClientKind::Nullmailer,
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
        kind: ClientKind::Nullmailer,
        path: std::path::PathBuf::new(),
        shown: shown.to_owned(),
        accounts,
        default,
    })
}

/// dma.conf: `KEYWORD [value]` lines. dma's own reading: `SECURETRANSFER` alone is TLS from
/// the first byte, with `STARTTLS` it is STARTTLS, and `STARTTLS` alone does nothing.
pub fn dma(text: &str, shown: &str) -> Result<ClientFile, Invalid> {
    let mut host = None;
    let mut port_word = None;
    let mut flags: Vec<(String, usize, String)> = Vec::new();
    for (number, raw) in numbered(text) {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line
            .split_once(char::is_whitespace)
            .map_or((line, ""), |(k, v)| (k, v.trim()));
        match key {
            "SMARTHOST" => host = Some((value.to_owned(), number, line.to_owned())),
            "PORT" => port_word = Some((value.to_owned(), number, line.to_owned())),
            _ => flags.push((key.to_owned(), number, line.to_owned())),
        }
    }
    let Some((host, line, text)) = host else {
        return Ok(one(ClientKind::Dma, shown, None));
    };
    let has = |k: &str| flags.iter().find(|(f, _, _)| f == k);
    let security = match (has("SECURETRANSFER").is_some(), has("STARTTLS").is_some()) {
        (true, true) => Security::Starttls,
        (true, false) => Security::Tls,
        _ => Security::Plain,
    };
    let port = port_word
        .as_ref()
        .map_or(Ok(25), |(p, l, _)| port(p, "PORT", *l))?;
    let mut settings = vec![setting("SMARTHOST", &text, line)];
    if let Some((_, l, t)) = &port_word {
        settings.push(setting("PORT", t, *l));
    }
    for key in ["SECURETRANSFER", "STARTTLS"] {
        if let Some((_, l, t)) = has(key) {
            settings.push(setting(key, t, *l));
        }
    }
    let mut account = ImportedAccount::new(format!("SMARTHOST {host}"), line);
    account.servers.insert(
        Protocol::Smtp,
        server(&host, port, security, settings, line, "SMARTHOST")?,
    );
    account.auth = Some(if has("AUTHPATH").is_some() {
        AuthMethod::Password
    } else {
        AuthMethod::None
    });
    if let Some((_, l, _)) = has("STARTTLS")
        && has("SECURETRANSFER").is_none()
    {
        account.findings.push(
            Finding::new(
                FindingId::ClientValueIgnored,
                Some(Protocol::Smtp),
                "dma ignores STARTTLS without SECURETRANSFER: it sends in plaintext",
                format!("{shown}, line {l}: dma's STARTTLS only says how to encrypt once SECURETRANSFER turns encryption on; alone it changes nothing."),
            )
            .with_fix("Add `SECURETRANSFER`"),
        );
    }
    if security != Security::Plain && has("VERIFYCERT").is_none() {
        account.findings.push(
            Finding::new(
                FindingId::CertificateCheckOff,
                Some(Protocol::Smtp),
                "dma does not check the server's certificate",
                format!("{shown}: without VERIFYCERT dma encrypts but accepts any certificate, so anyone between you and the smarthost can pose as it."),
            )
            .with_fix("Add `VERIFYCERT`"),
        );
    }
    if let Some((_, l, _)) = has("AUTHPATH") {
        account.notes.push(format!(
            "line {l}: the login is in the AUTHPATH file; maildoctor does not read it"
        ));
    }
    Ok(one(ClientKind::Dma, shown, Some(account)))
}

/// Debian's Exim configuration answers (`dc_key='value'`): a smarthost or satellite
/// relays through `dc_smarthost`, whose port follows two colons; one colon separates hosts.
/// Exim asks for STARTTLS when the server offers it.
pub fn exim4(text: &str, shown: &str) -> Result<ClientFile, Invalid> {
    let mut values: std::collections::BTreeMap<String, (String, usize, String)> =
        std::collections::BTreeMap::new();
    for (number, raw) in numbered(text) {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(Invalid::new(number, "expected dc_name='value'"));
        };
        let value = words(value, number)?.join(" ");
        values.insert(key.trim().to_owned(), (value, number, line.to_owned()));
    }
    let relays = values
        .get("dc_eximconfig_configtype")
        .is_some_and(|(v, _, _)| v == "smarthost" || v == "satellite");
    let Some((hub, line, text)) = values.get("dc_smarthost").filter(|_| relays) else {
        return Ok(one(ClientKind::Exim4, shown, None));
    };
    // `host::port`; `a:b` or `a;b` is a list of hosts, the first one tried first.
    let first = hub.split([';']).next().unwrap_or_default();
    let (host, port, single_colon) = match first.split_once("::") {
        Some((h, p)) => (h.to_owned(), port(p, "dc_smarthost's port", *line)?, false),
        None => match first.split_once(':') {
            Some((h, second)) => (h.to_owned(), 25, second.parse::<u16>().is_ok()),
            None => (first.to_owned(), 25, false),
        },
    };
    let mut account = ImportedAccount::new(format!("smarthost {host}"), *line);
    account.servers.insert(
        Protocol::Smtp,
        server(
            &host,
            port,
            Security::Starttls,
            vec![setting("dc_smarthost", text, *line)],
            *line,
            "dc_smarthost",
        )?,
    );
    account.auth = Some(AuthMethod::Password);
    account
        .notes
        .push("the login is in /etc/exim4/passwd.client; maildoctor does not read it".into());
    if single_colon {
        let second = first.split_once(':').map(|(_, s)| s).unwrap_or_default();
        account.findings.push(
            Finding::new(
                FindingId::ClientValueIgnored,
                Some(Protocol::Smtp),
                format!("Exim reads dc_smarthost '{first}' as two hosts, {host} and {second}"),
                format!("{shown}, line {line}: in Exim's lists one colon separates hosts; the port comes after two. Exim relays to {host} on port 25, then tries a host named {second}."),
            )
            .with_fix(format!("Write dc_smarthost='{host}::{second}' and run update-exim4.conf")),
        );
    }
    Ok(one(ClientKind::Exim4, shown, Some(account)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smtp(file: &ClientFile) -> String {
        file.accounts[0].servers[&Protocol::Smtp]
            .endpoint
            .to_string()
    }

    fn ids(file: &ClientFile) -> Vec<FindingId> {
        file.accounts[0].findings.iter().map(|f| f.id).collect()
    }

    #[test]
    fn ssmtp_needs_the_word_yes_and_cuts_passwords() {
        let f = ssmtp("root=postmaster\nmailhub=smtp.example.org:587\nUseSTARTTLS=YES\nAuthUser=bob\nAuthPass=pa ss#word\n", "f").unwrap();
        assert_eq!(smtp(&f), "smtp.example.org:587/starttls");
        assert_eq!(
            ids(&f),
            [
                FindingId::ClientPasswordStored,
                FindingId::ClientValueIgnored
            ]
        );
        assert!(!format!("{f:?}").contains("ss#word"));
        let f = ssmtp("mailhub=smtp.example.org\nUseTLS=true\n", "f").unwrap();
        assert_eq!(smtp(&f), "smtp.example.org:25/plain");
        assert_eq!(ids(&f), [FindingId::ClientValueIgnored]);
        assert_eq!(
            smtp(&ssmtp("mailhub=smtp.example.org:465\nUseTLS=Yes\n", "f").unwrap()),
            "smtp.example.org:465/tls"
        );
    }

    #[test]
    fn nullmailer_dma_and_exim_read_as_their_mailers_do() {
        let f = nullmailer("# relay\nsmtp.example.org smtp --port=587 --starttls --user=bob --pass='x y'\nbackup.example.org smtp --tls --insecure\n", "f").unwrap();
        assert_eq!(smtp(&f), "smtp.example.org:587/starttls");
        assert_eq!(
            f.accounts[1].servers[&Protocol::Smtp].endpoint.to_string(),
            "backup.example.org:465/tls"
        );
        assert_eq!(f.default.as_deref(), Some("smtp.example.org"));
        assert!(!format!("{f:?}").contains("x y"));
        assert_eq!(f.accounts[1].findings[0].id, FindingId::CertificateCheckOff);
        let f = dma(
            "SMARTHOST smtp.example.org\nPORT 587\nSTARTTLS\nVERIFYCERT\n",
            "f",
        )
        .unwrap();
        assert_eq!(smtp(&f), "smtp.example.org:587/plain");
        assert_eq!(ids(&f), [FindingId::ClientValueIgnored]);
        let f = dma(
            "SMARTHOST smtp.example.org\nPORT 465\nSECURETRANSFER\n",
            "f",
        )
        .unwrap();
        assert_eq!(smtp(&f), "smtp.example.org:465/tls");
        assert_eq!(ids(&f), [FindingId::CertificateCheckOff]);
        let f = exim4(
            "dc_eximconfig_configtype='smarthost'\ndc_smarthost='smtp.example.org::587'\n",
            "f",
        )
        .unwrap();
        assert_eq!(smtp(&f), "smtp.example.org:587/starttls");
        let f = exim4(
            "dc_eximconfig_configtype='satellite'\ndc_smarthost='smtp.example.org:587'\n",
            "f",
        )
        .unwrap();
        assert_eq!(smtp(&f), "smtp.example.org:25/starttls");
        assert_eq!(ids(&f), [FindingId::ClientValueIgnored]);
        assert!(
            exim4(
                "dc_eximconfig_configtype='internet'\ndc_smarthost='a::1'\n",
                "f"
            )
            .unwrap()
            .accounts
            .is_empty()
        );
    }
}
