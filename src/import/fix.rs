//! The fix in the words and the place of the client the settings came from: which line to
//! change to what, or what to add, spelt as that client spells it ("In ~/.msmtprc (account
//! work): add `tls_starttls off`").

use crate::account::{Endpoint, Protocol, Security};
use crate::finding::{Finding, FindingId};
use crate::profile::Profile;

use super::{ClientKind, Imported, ImportedServer};

/// Puts the client's fix on every finding about an imported server that has an endpoint to
/// go to (one the probe saw working, the mode the port wants, the profile's documented one).
pub fn annotate(imported: &Imported, findings: &mut [Finding], profile: Option<&Profile>) {
    for finding in findings.iter_mut() {
        if finding.client_fix.is_some() {
            continue;
        }
        let Some(protocol) = finding.protocol else {
            continue;
        };
        let Some(server) = imported.account.servers.get(&protocol) else {
            continue;
        };
        let Some(target) = target_for(finding, &server.endpoint, profile) else {
            continue;
        };
        finding.client_fix = client_fix(imported, protocol, server, &target);
    }
}

/// Where a finding says the server should be. A port and a mode that do not match are
/// fixed on the line that is wrong (keep the port, change the mode): one line to change;
/// otherwise what the finding suggests, or what the port or the profile calls for.
fn target_for(f: &Finding, current: &Endpoint, profile: Option<&Profile>) -> Option<Endpoint> {
    let protocol = f.protocol?;
    if matches!(
        f.id,
        FindingId::PortSecurityMismatch
            | FindingId::TlsOnPlaintextPort
            | FindingId::PlaintextOnTlsPort
    ) && let Some(security) = protocol.standard_security(current.port)
    {
        return Some(Endpoint {
            security,
            ..current.clone()
        });
    }
    if let Some(suggested) = &f.suggested {
        return Some(suggested.clone());
    }
    match f.id {
        FindingId::Port25ForSubmission => Some(match current.security {
            Security::Tls => Endpoint {
                port: 465,
                ..current.clone()
            },
            _ => Endpoint {
                port: 587,
                security: Security::Starttls,
                ..current.clone()
            },
        }),
        FindingId::PlaintextCredentials => {
            let (port, security) = protocol.default_endpoint();
            Some(Endpoint {
                port,
                security,
                ..current.clone()
            })
        }
        id if id.blame().is_typed_setting() => profile?.endpoints(protocol).first().cloned(),
        _ => None,
    }
}

/// One setting as the client would have it for the target: its key, its line (or `None`
/// to take the line out), and whether it is what the client does when the key is absent.
struct Spelt {
    key: String,
    line: Option<String>,
    default: bool,
}

fn spelt(key: &str, line: impl Into<String>, default: bool) -> Spelt {
    Spelt {
        key: key.to_owned(),
        line: Some(line.into()),
        default,
    }
}

/// The target in the client's own settings.
fn spell(
    kind: ClientKind,
    protocol: Protocol,
    server: &ImportedServer,
    to: &Endpoint,
    user: Option<&str>,
) -> Vec<Spelt> {
    match kind {
        ClientKind::Msmtp => spell_msmtp(to),
        ClientKind::Git => spell_git(to),
        ClientKind::Postfix => spell_postfix(to),
        ClientKind::Mutt | ClientKind::Neomutt => spell_mutt(protocol, server, to, user),
        ClientKind::Mbsync => spell_mbsync(server, to),
        ClientKind::Fetchmail => spell_fetchmail(protocol, server, to),
        ClientKind::Offlineimap => spell_offlineimap(to),
        ClientKind::Ssmtp => spell_ssmtp(to),
        ClientKind::Aerc => spell_aerc(protocol, server, to, user),
        ClientKind::Himalaya => spell_himalaya(protocol, server, to),
        ClientKind::Evolution => vec![
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
        ],
        ClientKind::Thunderbird => spell_thunderbird(protocol, server, to),
        ClientKind::Nullmailer => spell_nullmailer(server, to),
        ClientKind::Dma => spell_dma(to),
        ClientKind::Exim4 => {
            let hub = if to.port == 25 {
                to.host.to_string()
            } else {
                format!("{}::{}", to.host, to.port)
            };
            vec![spelt(
                "dc_smarthost",
                format!("dc_smarthost='{hub}'"),
                false,
            )]
        }
    }
}

fn spell_msmtp(to: &Endpoint) -> Vec<Spelt> {
    let (host, port) = (&to.host, to.port);
    let mut out = vec![
        spelt("host", format!("host {host}"), false),
        spelt(
            "port",
            format!("port {port}"),
            port == 25 && to.security != Security::Tls
                || port == 465 && to.security == Security::Tls,
        ),
    ];
    match to.security {
        Security::Plain => out.push(spelt("tls", "tls off", true)),
        Security::Starttls => {
            out.push(spelt("tls", "tls on", false));
            out.push(spelt("tls_starttls", "tls_starttls on", true));
        }
        Security::Tls => {
            out.push(spelt("tls", "tls on", false));
            out.push(spelt("tls_starttls", "tls_starttls off", false));
        }
    }
    out
}

fn spell_git(to: &Endpoint) -> Vec<Spelt> {
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
            Security::Plain => Spelt {
                key: "smtpEncryption".into(),
                line: None,
                default: true,
            },
        },
    ]
}

fn spell_postfix(to: &Endpoint) -> Vec<Spelt> {
    let (host, port) = (&to.host, to.port);
    let mut out = vec![spelt(
        "relayhost",
        format!("relayhost = [{host}]:{port}"),
        false,
    )];
    match to.security {
        Security::Tls => {
            out.push(spelt(
                "smtp_tls_wrappermode",
                "smtp_tls_wrappermode = yes",
                false,
            ));
            out.push(spelt(
                "smtp_tls_security_level",
                "smtp_tls_security_level = encrypt",
                false,
            ));
        }
        Security::Starttls => {
            out.push(spelt(
                "smtp_tls_wrappermode",
                "smtp_tls_wrappermode = no",
                true,
            ));
            out.push(spelt(
                "smtp_tls_security_level",
                "smtp_tls_security_level = encrypt",
                false,
            ));
        }
        Security::Plain => {
            out.push(spelt(
                "smtp_tls_wrappermode",
                "smtp_tls_wrappermode = no",
                true,
            ));
        }
    }
    out
}

fn spell_mutt(
    protocol: Protocol,
    server: &ImportedServer,
    to: &Endpoint,
    user: Option<&str>,
) -> Vec<Spelt> {
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

fn spell_mbsync(server: &ImportedServer, to: &Endpoint) -> Vec<Spelt> {
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

fn spell_fetchmail(protocol: Protocol, server: &ImportedServer, to: &Endpoint) -> Vec<Spelt> {
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
            _ => Spelt {
                key: "ssl".into(),
                line: None,
                default: true,
            },
        },
        match to.security {
            Security::Plain => spelt("sslproto", "sslproto ''", false),
            _ => Spelt {
                key: "sslproto".into(),
                line: None,
                default: true,
            },
        },
    ]
}

fn spell_offlineimap(to: &Endpoint) -> Vec<Spelt> {
    let ssl = to.security == Security::Tls;
    vec![
        spelt("remotehost", format!("remotehost = {}", to.host), false),
        spelt(
            "remoteport",
            format!("remoteport = {}", to.port),
            to.port == if ssl { 993 } else { 143 },
        ),
        spelt("ssl", if ssl { "ssl = yes" } else { "ssl = no" }, ssl),
        spelt(
            "starttls",
            if to.security == Security::Plain {
                "starttls = no"
            } else {
                "starttls = yes"
            },
            to.security != Security::Plain,
        ),
    ]
}

/// Thunderbird's prefs for the server, under the prefix its settings have
/// (`mail.smtpserver.smtp1`, `mail.server.server2`).
fn spell_thunderbird(protocol: Protocol, server: &ImportedServer, to: &Endpoint) -> Vec<Spelt> {
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

/// aerc keeps a server in one URL: the scheme says the mode, `+insecure` turns TLS off.
fn spell_aerc(
    protocol: Protocol,
    server: &ImportedServer,
    to: &Endpoint,
    user: Option<&str>,
) -> Vec<Spelt> {
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

/// himalaya v2 keeps a server in one `server` value; v1 in host, port and encryption.type.
fn spell_himalaya(protocol: Protocol, server: &ImportedServer, to: &Endpoint) -> Vec<Spelt> {
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

fn absent(key: &str) -> Spelt {
    Spelt {
        key: key.to_owned(),
        line: None,
        default: true,
    }
}

fn spell_ssmtp(to: &Endpoint) -> Vec<Spelt> {
    let mut out = vec![spelt(
        "mailhub",
        format!("mailhub={}:{}", to.host, to.port),
        false,
    )];
    match to.security {
        Security::Tls => {
            out.push(spelt("UseTLS", "UseTLS=YES", false));
            out.push(absent("UseSTARTTLS"));
        }
        Security::Starttls => out.push(spelt("UseSTARTTLS", "UseSTARTTLS=YES", false)),
        Security::Plain => {
            out.push(absent("UseTLS"));
            out.push(absent("UseSTARTTLS"));
        }
    }
    out
}

/// nullmailer keeps a server on one line: the line again, its port and mode options
/// replaced, the others (user, `pass=…`) kept.
fn spell_nullmailer(server: &ImportedServer, to: &Endpoint) -> Vec<Spelt> {
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

fn spell_dma(to: &Endpoint) -> Vec<Spelt> {
    vec![
        spelt("SMARTHOST", format!("SMARTHOST {}", to.host), false),
        spelt("PORT", format!("PORT {}", to.port), to.port == 25),
        match to.security {
            Security::Plain => absent("SECURETRANSFER"),
            _ => spelt("SECURETRANSFER", "SECURETRANSFER", false),
        },
        match to.security {
            Security::Starttls => spelt("STARTTLS", "STARTTLS", false),
            _ => absent("STARTTLS"),
        },
    ]
}

/// Lines compared as the clients read them: case, quotes and the spaces around `=` aside.
fn same(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.to_ascii_lowercase()
            .replace(['"', '\''], "")
            .replace(" = ", "=")
            .replace("= ", "=")
            .replace(" =", "=")
            .trim_end_matches('/')
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    norm(a) == norm(b)
}

/// "In FILE (account NAME): line N: `old` → `new`; add `new`", or `None` when nothing in the
/// file would change.
pub fn client_fix(
    imported: &Imported,
    protocol: Protocol,
    server: &ImportedServer,
    to: &Endpoint,
) -> Option<String> {
    let user = imported.account.username.as_deref();
    let mut changes = Vec::new();
    let mut files = Vec::new();
    for s in spell(imported.kind, protocol, server, to, user) {
        let current = server.setting(&s.key);
        match (&s.line, current) {
            (Some(want), Some(have)) if same(want, &have.text) => {}
            (Some(want), Some(have)) => {
                files.push(have.file.clone());
                changes.push(format!("line {}: `{}` → `{want}`", have.line, have.text));
            }
            (Some(_), None) if s.default => {}
            (Some(want), None) => changes.push(format!("add `{want}`")),
            (None, Some(have)) => {
                files.push(have.file.clone());
                changes.push(format!("line {}: remove `{}`", have.line, have.text));
            }
            (None, None) => {}
        }
    }
    if changes.is_empty() {
        return None;
    }
    let file = files
        .into_iter()
        .flatten()
        .next()
        .unwrap_or_else(|| imported.shown.clone());
    let account = match imported.kind {
        ClientKind::Postfix | ClientKind::Mutt | ClientKind::Neomutt => String::new(),
        _ => format!(" (account {})", imported.account.name),
    };
    let when = if imported.kind == ClientKind::Thunderbird {
        " (with Thunderbird closed, as it rewrites prefs.js when it quits; or the same in Settings → Config Editor)"
    } else {
        ""
    };
    Some(format!("In {file}{account}: {}{when}", changes.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::msmtp;

    fn imported(kind: ClientKind, text: &str, account: &str) -> Imported {
        let file = match kind {
            ClientKind::Msmtp => msmtp::read(text, "~/.msmtprc").unwrap(),
            ClientKind::Git => crate::import::git::accounts(
                &crate::import::git::entries(text).unwrap().0,
                "~/.gitconfig",
            )
            .unwrap(),
            ClientKind::Postfix => {
                crate::import::postfix::read(text, "/etc/postfix/main.cf", None).unwrap()
            }
            ClientKind::Mbsync => crate::import::mbsync::read(text, "~/.mbsyncrc").unwrap(),
            _ => unreachable!(),
        };
        Imported {
            kind,
            path: std::path::PathBuf::new(),
            shown: file.shown.clone(),
            account: file
                .accounts
                .into_iter()
                .find(|a| a.name == account)
                .unwrap(),
        }
    }

    fn fix(
        kind: ClientKind,
        text: &str,
        account: &str,
        protocol: Protocol,
        to: &str,
    ) -> Option<String> {
        let i = imported(kind, text, account);
        let server = &i.account.servers[&protocol];
        client_fix(
            &i,
            protocol,
            server,
            &Endpoint::parse(to, protocol).unwrap(),
        )
    }

    #[test]
    fn each_client_is_told_in_its_own_words() {
        assert_eq!(
            fix(
                ClientKind::Msmtp,
                "account work\nhost smtp.example.org\nport 465\ntls on\n",
                "work",
                Protocol::Smtp,
                "smtp.example.org:465/tls"
            )
            .as_deref(),
            Some("In ~/.msmtprc (account work): add `tls_starttls off`")
        );
        assert_eq!(
            fix(
                ClientKind::Msmtp,
                "account work\nhost smtp.example.org\ntls on\n",
                "work",
                Protocol::Smtp,
                "smtp.example.org:587/starttls"
            )
            .as_deref(),
            Some("In ~/.msmtprc (account work): add `port 587`")
        );
        assert_eq!(
            fix(ClientKind::Git, "[sendemail]\nsmtpServer = smtp.example.org\nsmtpServerPort = 465\nsmtpEncryption = tls\n", "default", Protocol::Smtp, "smtp.example.org:465/tls").as_deref(),
            Some("In ~/.gitconfig (account default): line 4: `smtpEncryption = tls` → `smtpEncryption = ssl`")
        );
        assert_eq!(
            fix(
                ClientKind::Postfix,
                "relayhost = [smtp.example.org]:465\nsmtp_tls_security_level = may\n",
                "relayhost [smtp.example.org]:465",
                Protocol::Smtp,
                "smtp.example.org:465/tls"
            )
            .as_deref(),
            Some(
                "In /etc/postfix/main.cf: add `smtp_tls_wrappermode = yes`; line 2: `smtp_tls_security_level = may` → `smtp_tls_security_level = encrypt`"
            )
        );
        assert_eq!(
            fix(
                ClientKind::Mbsync,
                "IMAPAccount a\nHost imap.example.org\nPort 993\n",
                "a",
                Protocol::Imap,
                "imap.example.org:993/tls"
            )
            .as_deref(),
            Some("In ~/.mbsyncrc (account a): add `SSLType IMAPS`")
        );
        assert_eq!(
            fix(
                ClientKind::Msmtp,
                "account a\nhost smtp.example.org\n",
                "a",
                Protocol::Smtp,
                "smtp.example.org:25/plain"
            ),
            None,
            "nothing to change"
        );
    }
}
