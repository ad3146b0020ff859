//! ssmtp (`/etc/ssmtp/ssmtp.conf`), a relay-only mailer: one smarthost and its TLS switches,
//! read with ssmtp's own rules (read from its code): an option is on only for the word `YES`.

use crate::account::{AuthMethod, Protocol, Security};
use crate::finding::{Finding, FindingId};

use super::client::{Client, Place};
use super::fix::{Change, Spelt, absent, spelt};
use super::text::{numbered, parse_host, password_stored, port_number};
use super::{ClientFile, ImportedAccount, ImportedServer, Invalid, Setting};

/// ssmtp, as maildoctor knows it.
pub static CLIENT: Client = Client {
    name: "ssmtp",
    label: "ssmtp",
    places: &[Place::System("/etc/ssmtp/ssmtp.conf")],
    named: |_, file| file == "ssmtp.conf",
    says: Some(|line| line.lower.starts_with("mailhub=")),
    open: None,
    read: |input| read(input.text, input.shown).map_err(|e| input.invalid(e)),
    no_account: "no mailhub",
    spell,
    fix_names_account: true,
    fix_caveat: None,
};

/// ssmtp: `Key=Value`, keys in any case, `#` anywhere starting a comment, and `=`, space
/// and tab all separating words (so a password with one of them is cut short).
pub fn read(text: &str, shown: &str) -> Result<ClientFile, Invalid> {
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
                CLIENT.kind(),
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
                settings.push(Setting::new("UseTLS", text, number));
            }
            "usestarttls" => {
                starttls = yes;
                if yes {
                    tls = true;
                }
                settings.push(Setting::new("UseSTARTTLS", text, number));
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
        return Ok(ClientFile::single(CLIENT.kind(), shown, None));
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
    let port = port_word.map_or(Ok(25), |p| port_number(p, "mailhub's port", line))?;
    settings.insert(0, Setting::new("mailhub", &text, line));
    account.line = line;
    account.servers.insert(
        Protocol::Smtp,
        ImportedServer::new(
            parse_host(host, "mailhub", line)?,
            port,
            security,
            settings,
            line,
        ),
    );
    if account.auth.is_none() {
        account.auth = Some(if account.username.is_some() {
            AuthMethod::Password
        } else {
            AuthMethod::None
        });
    }
    Ok(ClientFile::single(CLIENT.kind(), shown, Some(account)))
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

/// A fix in ssmtp's words.
fn spell(change: &Change) -> Vec<Spelt> {
    let Change { to, .. } = *change;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::testing::{ids, smtp};

    #[test]
    fn ssmtp_needs_the_word_yes_and_cuts_passwords() {
        let f = read("root=postmaster\nmailhub=smtp.example.org:587\nUseSTARTTLS=YES\nAuthUser=bob\nAuthPass=pa ss#word\n", "f").unwrap();
        assert_eq!(smtp(&f), "smtp.example.org:587/starttls");
        assert_eq!(
            ids(&f),
            [
                FindingId::ClientPasswordStored,
                FindingId::ClientValueIgnored
            ]
        );
        assert!(!format!("{f:?}").contains("ss#word"));
        let f = read("mailhub=smtp.example.org\nUseTLS=true\n", "f").unwrap();
        assert_eq!(smtp(&f), "smtp.example.org:25/plain");
        assert_eq!(ids(&f), [FindingId::ClientValueIgnored]);
        assert_eq!(
            smtp(&read("mailhub=smtp.example.org:465\nUseTLS=Yes\n", "f").unwrap()),
            "smtp.example.org:465/tls"
        );
    }
}
