//! The fix in the words and the place of the client the settings came from: which line to
//! change to what, or what to add, spelt as that client spells it ("In ~/.msmtprc (account
//! work): add `tls_starttls off`").

use crate::account::{Endpoint, Protocol, Security};
use crate::finding::{Finding, FindingId};
use crate::profile::Profile;

use super::{Imported, ImportedServer};

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

/// What a client's fix writer ([`Client::spell`](super::Client::spell)) is given: the server
/// as the file has it, the endpoint it should be, and the account's user name.
#[derive(Clone, Copy)]
pub struct Change<'a> {
    pub protocol: Protocol,
    pub server: &'a ImportedServer,
    pub to: &'a Endpoint,
    pub user: Option<&'a str>,
}

/// One setting as the client would have it for the target: its key, its line (or `None`
/// to take the line out), and whether it is what the client does when the key is absent.
pub struct Spelt {
    key: String,
    line: Option<String>,
    default: bool,
}

/// A line the target needs, and whether it is what the client does without it.
pub fn spelt(key: &str, line: impl Into<String>, default: bool) -> Spelt {
    Spelt {
        key: key.to_owned(),
        line: Some(line.into()),
        default,
    }
}

/// A key the target needs absent: the client's default.
pub fn absent(key: &str) -> Spelt {
    Spelt {
        key: key.to_owned(),
        line: None,
        default: true,
    }
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
    let client = imported.kind.client();
    let change = Change {
        protocol,
        server,
        to,
        user: imported.account.username.as_deref(),
    };
    let mut changes = Vec::new();
    let mut files = Vec::new();
    for s in (client.spell)(&change) {
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
    let account = if client.fix_names_account {
        format!(" (account {})", imported.account.name)
    } else {
        String::new()
    };
    let when = client
        .fix_caveat
        .map(|caveat| format!(" ({caveat})"))
        .unwrap_or_default();
    Some(format!("In {file}{account}: {}{when}", changes.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{ClientKind, git, mbsync, msmtp, postfix};

    fn imported(kind: ClientKind, text: &str, account: &str) -> Imported {
        let file = match kind.as_str() {
            "msmtp" => msmtp::read(text, "~/.msmtprc").unwrap(),
            "git" => git::accounts(&git::entries(text).unwrap().0, "~/.gitconfig").unwrap(),
            "postfix" => postfix::read(text, "/etc/postfix/main.cf", None).unwrap(),
            "mbsync" => mbsync::read(text, "~/.mbsyncrc").unwrap(),
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
                msmtp::CLIENT.kind(),
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
                msmtp::CLIENT.kind(),
                "account work\nhost smtp.example.org\ntls on\n",
                "work",
                Protocol::Smtp,
                "smtp.example.org:587/starttls"
            )
            .as_deref(),
            Some("In ~/.msmtprc (account work): add `port 587`")
        );
        assert_eq!(
            fix(git::CLIENT.kind(), "[sendemail]\nsmtpServer = smtp.example.org\nsmtpServerPort = 465\nsmtpEncryption = tls\n", "default", Protocol::Smtp, "smtp.example.org:465/tls").as_deref(),
            Some("In ~/.gitconfig (account default): line 4: `smtpEncryption = tls` → `smtpEncryption = ssl`")
        );
        assert_eq!(
            fix(
                postfix::CLIENT.kind(),
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
                mbsync::CLIENT.kind(),
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
                msmtp::CLIENT.kind(),
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
