//! Exim's Debian smarthost (`/etc/exim4/update-exim4.conf.conf`): the relay of a smarthost or
//! satellite configuration, read with Exim's rules: the port comes after two colons.

use crate::account::{AuthMethod, Protocol, Security};
use crate::finding::{Finding, FindingId};

use super::client::{Client, Place};
use super::fix::{Change, Spelt, spelt};
use super::text::{numbered, parse_host, port_number, words};
use super::{ClientFile, ImportedAccount, ImportedServer, Invalid, Setting};

/// Exim as Debian sets it up, as maildoctor knows it.
pub static CLIENT: Client = Client {
    name: "exim4",
    label: "Exim",
    places: &[Place::System("/etc/exim4/update-exim4.conf.conf")],
    named: |_, file| file == "update-exim4.conf.conf",
    says: Some(|line| line.lower.starts_with("dc_smarthost")),
    open: None,
    read: |input| read(input.text, input.shown).map_err(|e| input.invalid(e)),
    no_account: "not a smarthost or satellite configuration: Exim delivers to each domain's MX itself",
    spell,
    fix_names_account: true,
    fix_caveat: None,
};

/// Debian's Exim configuration answers (`dc_key='value'`): a smarthost or satellite
/// relays through `dc_smarthost`, whose port follows two colons; one colon separates hosts.
/// Exim asks for STARTTLS when the server offers it.
pub fn read(text: &str, shown: &str) -> Result<ClientFile, Invalid> {
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
        return Ok(ClientFile::single(CLIENT.kind(), shown, None));
    };
    // `host::port`; `a:b` or `a;b` is a list of hosts, the first one tried first.
    let first = hub.split([';']).next().unwrap_or_default();
    let (host, port, single_colon) = match first.split_once("::") {
        Some((h, p)) => (
            h.to_owned(),
            port_number(p, "dc_smarthost's port", *line)?,
            false,
        ),
        None => match first.split_once(':') {
            Some((h, second)) => (h.to_owned(), 25, second.parse::<u16>().is_ok()),
            None => (first.to_owned(), 25, false),
        },
    };
    let mut account = ImportedAccount::new(format!("smarthost {host}"), *line);
    account.servers.insert(
        Protocol::Smtp,
        ImportedServer::new(
            parse_host(&host, "dc_smarthost", *line)?,
            port,
            Security::Starttls,
            vec![Setting::new("dc_smarthost", text, *line)],
            *line,
        ),
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
    Ok(ClientFile::single(CLIENT.kind(), shown, Some(account)))
}

/// Exim's smarthost in `dc_smarthost`, the port after two colons.
fn spell(change: &Change) -> Vec<Spelt> {
    let Change { to, .. } = *change;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::testing::{ids, smtp};

    #[test]
    fn exim_reads_as_exim_does() {
        let f = read(
            "dc_eximconfig_configtype='smarthost'\ndc_smarthost='smtp.example.org::587'\n",
            "f",
        )
        .unwrap();
        assert_eq!(smtp(&f), "smtp.example.org:587/starttls");
        let f = read(
            "dc_eximconfig_configtype='satellite'\ndc_smarthost='smtp.example.org:587'\n",
            "f",
        )
        .unwrap();
        assert_eq!(smtp(&f), "smtp.example.org:25/starttls");
        assert_eq!(ids(&f), [FindingId::ClientValueIgnored]);
        assert!(
            read(
                "dc_eximconfig_configtype='internet'\ndc_smarthost='a::1'\n",
                "f"
            )
            .unwrap()
            .accounts
            .is_empty()
        );
    }
}
