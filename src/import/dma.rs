//! dma, the DragonFly Mail Agent (`/etc/dma/dma.conf`), a relay-only mailer: one smarthost,
//! read with dma's own rules (read from its code): `STARTTLS` counts only with `SECURETRANSFER`.

use crate::account::{AuthMethod, Protocol, Security};
use crate::finding::{Finding, FindingId};

use super::client::{Client, Place};
use super::fix::{Change, Spelt, absent, spelt};
use super::text::{numbered, parse_host, port_number};
use super::{ClientFile, ImportedAccount, ImportedServer, Invalid, Setting};

/// dma, the DragonFly Mail Agent, as maildoctor knows it.
pub static CLIENT: Client = Client {
    name: "dma",
    label: "dma",
    places: &[Place::System("/etc/dma/dma.conf")],
    named: |_, file| file == "dma.conf",
    says: Some(|line| line.first == "SMARTHOST"),
    open: None,
    read: |input| read(input.text, input.shown).map_err(|e| input.invalid(e)),
    no_account: "no SMARTHOST: dma delivers to each domain's MX itself",
    spell,
    fix_names_account: true,
    fix_caveat: None,
};

/// dma.conf: `KEYWORD [value]` lines. dma's own reading: `SECURETRANSFER` alone is TLS from
/// the first byte, with `STARTTLS` it is STARTTLS, and `STARTTLS` alone does nothing.
pub fn read(text: &str, shown: &str) -> Result<ClientFile, Invalid> {
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
        return Ok(ClientFile::single(CLIENT.kind(), shown, None));
    };
    let has = |k: &str| flags.iter().find(|(f, _, _)| f == k);
    let security = match (has("SECURETRANSFER").is_some(), has("STARTTLS").is_some()) {
        (true, true) => Security::Starttls,
        (true, false) => Security::Tls,
        _ => Security::Plain,
    };
    let port = port_word
        .as_ref()
        .map_or(Ok(25), |(p, l, _)| port_number(p, "PORT", *l))?;
    let mut settings = vec![Setting::new("SMARTHOST", &text, line)];
    if let Some((_, l, t)) = &port_word {
        settings.push(Setting::new("PORT", t, *l));
    }
    for key in ["SECURETRANSFER", "STARTTLS"] {
        if let Some((_, l, t)) = has(key) {
            settings.push(Setting::new(key, t, *l));
        }
    }
    let mut account = ImportedAccount::new(format!("SMARTHOST {host}"), line);
    account.servers.insert(
        Protocol::Smtp,
        ImportedServer::new(
            parse_host(&host, "SMARTHOST", line)?,
            port,
            security,
            settings,
            line,
        ),
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
    Ok(ClientFile::single(CLIENT.kind(), shown, Some(account)))
}

/// A fix in dma's words.
fn spell(change: &Change) -> Vec<Spelt> {
    let Change { to, .. } = *change;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::testing::{ids, smtp};

    #[test]
    fn dma_reads_as_dma_does() {
        let f = read(
            "SMARTHOST smtp.example.org\nPORT 587\nSTARTTLS\nVERIFYCERT\n",
            "f",
        )
        .unwrap();
        assert_eq!(smtp(&f), "smtp.example.org:587/plain");
        assert_eq!(ids(&f), [FindingId::ClientValueIgnored]);
        let f = read(
            "SMARTHOST smtp.example.org\nPORT 465\nSECURETRANSFER\n",
            "f",
        )
        .unwrap();
        assert_eq!(smtp(&f), "smtp.example.org:465/tls");
        assert_eq!(ids(&f), [FindingId::CertificateCheckOff]);
    }
}
