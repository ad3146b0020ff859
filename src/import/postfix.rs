//! Postfix as a relay client (`/etc/postfix/main.cf`): `relayhost`, the TLS level and
//! wrapper mode, and SASL. `name = value` lines, continued on lines that start with
//! whitespace, `#` comments, `$name` expanded. The password map is read for its keys only.

use std::collections::BTreeMap;
use std::path::Path;

use crate::account::{AuthMethod, Host, Protocol, Security};
use crate::finding::{Finding, FindingId};

use super::client::{Client, Input, Place};
use super::fix::{Change, Spelt, spelt};
use super::open::read_if_possible;
use super::text::{numbered, service_port};
use super::{ClientFile, ImportError, ImportedAccount, ImportedServer, Invalid, Setting};

/// Postfix, as maildoctor knows it.
pub static CLIENT: Client = Client {
    name: "postfix",
    label: "Postfix",
    places: &[Place::System("/etc/postfix/main.cf")],
    named: |_, file| file == "main.cf",
    says: Some(|line| line.lower.starts_with("relayhost") && line.text.contains('=')),
    open: None,
    read: load,
    no_account: "no relayhost: Postfix delivers to each domain's MX itself",
    spell,
    fix_names_account: false,
    fix_caveat: None,
};

/// The parameters of main.cf, last one winning, each with its setting.
pub fn parameters(text: &str) -> Result<BTreeMap<String, (String, Setting)>, Invalid> {
    let mut out: BTreeMap<String, (String, Setting)> = BTreeMap::new();
    let mut last: Option<String> = None;
    for (number, raw) in numbered(text) {
        if raw.trim_start().starts_with('#') || raw.trim().is_empty() {
            continue;
        }
        if raw.starts_with([' ', '\t']) {
            let Some(name) = &last else {
                return Err(Invalid::new(
                    number,
                    "a continuation line with no parameter before it",
                ));
            };
            if let Some((value, setting)) = out.get_mut(name) {
                value.push(' ');
                value.push_str(raw.trim());
                setting.text.push(' ');
                setting.text.push_str(raw.trim());
            }
            continue;
        }
        let (name, value) = raw
            .split_once('=')
            .ok_or_else(|| Invalid::new(number, "expected `name = value`"))?;
        let name = name.trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(Invalid::new(number, "expected `name = value`"));
        }
        out.insert(
            name.to_owned(),
            (
                value.trim().to_owned(),
                Setting {
                    key: name.to_owned(),
                    text: raw.trim().to_owned(),
                    line: number,
                    file: None,
                },
            ),
        );
        last = Some(name.to_owned());
    }
    Ok(out)
}

/// The most an expanded value may grow to: the values used here are a host and a word.
const MAX_EXPANDED: usize = 4096;

/// `$name` and `${name}` from the other parameters. A parameter that refers to itself, on
/// the way down, stays as written (Postfix calls that a recursion and refuses it), and the
/// result is capped: references that double at every level would otherwise grow without end.
fn expand_named(name: &str, value: &str, params: &BTreeMap<String, (String, Setting)>) -> String {
    let mut out = String::new();
    let mut stack = vec![name];
    expand_into(&mut out, value, params, &mut stack);
    out
}

fn expand_into<'a>(
    out: &mut String,
    value: &'a str,
    params: &'a BTreeMap<String, (String, Setting)>,
    stack: &mut Vec<&'a str>,
) {
    let mut rest = value;
    while let Some(at) = rest.find('$') {
        if out.len() > MAX_EXPANDED {
            return;
        }
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (name, tail) = if let Some(inner) = after.strip_prefix('{') {
            inner.split_once('}').unwrap_or((inner, ""))
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], &after[end..])
        };
        match params.get_key_value(name) {
            Some((key, (v, _))) if !stack.contains(&key.as_str()) && stack.len() < 8 => {
                stack.push(key);
                expand_into(out, v, params, stack);
                stack.pop();
            }
            _ => {
                out.push('$');
                out.push_str(name);
            }
        }
        rest = tail;
    }
    if out.len() <= MAX_EXPANDED {
        out.push_str(rest);
    }
}

/// How the relay destination is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relay {
    pub host: String,
    pub port: u16,
    /// `[host]`: no MX lookup.
    pub bracketed: bool,
    /// As written, for matching the password map's keys.
    pub written: String,
}

pub fn relay(value: &str, line: usize) -> Result<Option<Relay>, Invalid> {
    let first = value
        .split([',', ' ', '\t'])
        .find(|s| !s.is_empty())
        .unwrap_or_default();
    if first.is_empty() {
        return Ok(None);
    }
    let first = first.strip_prefix("inet:").unwrap_or(first);
    let (host, port, bracketed) = if let Some(inner) = first.strip_prefix('[') {
        let (host, rest) = inner
            .split_once(']')
            .ok_or_else(|| Invalid::new(line, "relayhost: a [ has no closing ]"))?;
        (host, rest.strip_prefix(':'), true)
    } else {
        match first.rsplit_once(':') {
            Some((h, p)) => (h, Some(p), false),
            None => (first, None, false),
        }
    };
    let port = match port {
        Some(p) => service_port(p).ok_or_else(|| {
            Invalid::new(
                line,
                "relayhost: the port is not a number or a service name",
            )
        })?,
        None => 25,
    };
    Ok(Some(Relay {
        host: host.to_owned(),
        port,
        bracketed,
        written: first.to_owned(),
    }))
}

/// The account Postfix relays through, and what its settings mean. `keys` are the password
/// map's keys (its first column), when the map could be read.
pub fn read(
    text: &str,
    shown: &str,
    keys: Option<(&str, &[String])>,
) -> Result<ClientFile, Invalid> {
    let params = parameters(text)?;
    let get = |name: &str| {
        params
            .get_key_value(name)
            .map(|(k, (v, s))| (expand_named(k, v, &params), s))
    };
    let Some((value, relay_setting)) = get("relayhost") else {
        return Ok(ClientFile {
            kind: CLIENT.kind(),
            path: std::path::PathBuf::new(),
            shown: shown.to_owned(),
            accounts: Vec::new(),
            default: None,
        });
    };
    let Some(relay) = relay(&value, relay_setting.line)? else {
        return Ok(ClientFile {
            kind: CLIENT.kind(),
            path: std::path::PathBuf::new(),
            shown: shown.to_owned(),
            accounts: Vec::new(),
            default: None,
        });
    };
    let yes = |name: &str| get(name).is_some_and(|(v, _)| v.eq_ignore_ascii_case("yes"));
    let wrapper = yes("smtp_tls_wrappermode");
    let level = get("smtp_tls_security_level")
        .map(|(v, _)| v.to_ascii_lowercase())
        .filter(|v| !v.is_empty())
        .or_else(|| yes("smtp_enforce_tls").then(|| "encrypt".into()))
        .or_else(|| yes("smtp_use_tls").then(|| "may".into()))
        .unwrap_or_else(|| {
            // Postfix 3.11 made `may` the default; below it, no TLS at all.
            let compat = get("compatibility_level")
                .map(|(v, _)| v)
                .unwrap_or_default();
            if version_at_least(&compat, 3, 11) {
                "may".into()
            } else {
                "none".into()
            }
        });
    let security = match (wrapper, level.as_str()) {
        (true, _) => Security::Tls,
        (false, "none") => Security::Plain,
        _ => Security::Starttls,
    };
    let host = Host::parse(&relay.host)
        .map_err(|e| Invalid::new(relay_setting.line, format!("relayhost: {e}")))?;
    let mut account =
        ImportedAccount::new(format!("relayhost {}", relay.written), relay_setting.line);
    let settings = [
        "relayhost",
        "smtp_tls_security_level",
        "smtp_tls_wrappermode",
    ]
    .iter()
    .filter_map(|k| params.get(*k).map(|(_, s)| s.clone()))
    .collect();
    account.servers.insert(
        Protocol::Smtp,
        ImportedServer::new(host, relay.port, security, settings, relay_setting.line),
    );
    if let Some((file, _)) = get("smtp_tls_CAfile") {
        account.trust(&file);
    }
    let sasl = yes("smtp_sasl_auth_enable");
    account.auth = Some(if sasl {
        AuthMethod::Password
    } else {
        AuthMethod::None
    });
    let has_map = get("smtp_sasl_password_maps").is_some();
    relay_findings(
        &mut account,
        &relay,
        relay_setting,
        sasl,
        has_map,
        keys,
        shown,
    );
    Ok(ClientFile {
        kind: CLIENT.kind(),
        path: std::path::PathBuf::new(),
        shown: shown.to_owned(),
        default: Some(account.name.clone()),
        accounts: vec![account],
    })
}

/// What the relay's settings say beyond the endpoint: no brackets, a password map whose keys
/// miss the relay, a map that is never used.
fn relay_findings(
    account: &mut ImportedAccount,
    relay: &Relay,
    relay_setting: &Setting,
    sasl: bool,
    has_map: bool,
    keys: Option<(&str, &[String])>,
    shown: &str,
) {
    if !relay.bracketed && relay.host.parse::<std::net::IpAddr>().is_err() {
        let fixed = format!("relayhost = [{}]:{}", relay.host, relay.port);
        let mut finding = Finding::new(
            FindingId::RelayhostMxLookup,
            Some(Protocol::Smtp),
            format!("Postfix looks up the MX of {} instead of using it", relay.host),
            format!(
                "{shown}, line {}: without brackets Postfix treats {} as a mail domain and relays to its MX hosts (the servers that receive mail for it), not to the submission server itself. Those usually refuse relaying or have no submission port.",
                relay_setting.line, relay.host
            ),
        )
        .with_fix(format!("Write `{fixed}`"));
        finding.client_fix = Some(format!(
            "In {shown}, line {}: `{fixed}`",
            relay_setting.line
        ));
        account.findings.push(finding);
    }
    if sasl
        && let Some((map, keys)) = keys
        && !keys.contains(&relay.written)
    {
        account.findings.push(
            Finding::new(
                FindingId::SaslPasswdKeyMismatch,
                Some(Protocol::Smtp),
                format!("The password map has no entry for {}", relay.written),
                format!(
                    "Postfix looks up the password under the relay exactly as written in relayhost ({}); {map} has {}. With no entry it does not log in, and the server answers \"530 Authentication required\".",
                    relay.written,
                    if keys.is_empty() { "no entries".to_owned() } else { format!("entries for {}", keys.join(", ")) }
                ),
            )
            .with_fix(format!("Key the entry `{}` in {map}, then run postmap {map}", relay.written)),
        );
    }
    if !sasl && has_map {
        account.findings.push(
            Finding::new(
                FindingId::ClientAuthOff,
                Some(Protocol::Smtp),
                "Postfix will not log in: smtp_sasl_auth_enable is not yes",
                format!("{shown}: a password map is set, but without `smtp_sasl_auth_enable = yes` Postfix never uses it."),
            )
            .with_fix("Add `smtp_sasl_auth_enable = yes`"),
        );
    }
}

/// The map file `smtp_sasl_password_maps` names (`hash:/etc/postfix/sasl_passwd` →
/// `/etc/postfix/sasl_passwd`), when it is a file Postfix builds from a text source.
pub fn password_map(text: &str) -> Option<String> {
    let params = parameters(text).ok()?;
    let (value, _) = params.get("smtp_sasl_password_maps")?;
    let first = value.split([',', ' ']).find(|s| !s.is_empty())?;
    let (kind, path) = first.split_once(':')?;
    matches!(kind, "hash" | "btree" | "lmdb" | "cdb" | "texthash").then(|| path.to_owned())
}

/// The keys of a password map's source: each entry's first word, when it reads as a relay
/// destination (`[host]:port`, `host`, `@domain`). The rest of the line (the user name and
/// password) is never looked at, and nothing of a line that is not such an entry is kept: a
/// map that is no map (`hash:/etc/shadow`), or a password pasted on a line of its own, must
/// not reach the screen as "entries for …".
pub fn map_keys(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let key = words.next()?;
            // An entry has its credentials after the key; a lone word is no entry.
            words.next()?;
            relay_destination(key).then(|| key.to_owned())
        })
        .collect()
}

/// Whether a map key is written as Postfix writes a relay destination.
fn relay_destination(key: &str) -> bool {
    let name = |s: &str| {
        !s.is_empty()
            && s.len() <= 253
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    };
    let port = |s: Option<&str>| {
        s.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
    };
    if let Some(domain) = key.strip_prefix('@') {
        return name(domain);
    }
    if let Some(rest) = key.strip_prefix('[') {
        let Some((host, after)) = rest.split_once(']') else {
            return false;
        };
        return (name(host) || host.parse::<std::net::IpAddr>().is_ok())
            && (after.is_empty() || port(after.strip_prefix(':').or(Some(""))));
    }
    let (host, p) = match key.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (key, None),
    };
    name(host) && port(p)
}

fn version_at_least(v: &str, major: u32, minor: u32) -> bool {
    let mut parts = v.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (a, b) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (a, b) >= (major, minor)
}

/// Reads main.cf, and the keys of the password map it names when that can be read (it is
/// normally root's alone), to compare them with relayhost.
fn load(input: &Input) -> Result<ClientFile, ImportError> {
    let map = password_map(input.text);
    let keys = map
        .as_ref()
        .and_then(|m| read_if_possible(Path::new(m)).map(|t| map_keys(&t)));
    let with = map.as_deref().zip(keys.as_deref());
    let mut file = read(input.text, input.shown, with).map_err(|e| input.invalid(e))?;
    if let (Some(m), None) = (&map, &keys)
        && let Some(account) = file.accounts.first_mut()
    {
        account.notes.push(format!(
            "the password map {m} could not be read (it is normally root's alone): its keys were not compared with relayhost"
        ));
    }
    Ok(file)
}

/// A fix in Postfix's words.
fn spell(change: &Change) -> Vec<Spelt> {
    let Change { to, .. } = *change;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn smtp(text: &str) -> (String, Vec<FindingId>) {
        let f = read(text, "/etc/postfix/main.cf", None).unwrap();
        let a = &f.accounts[0];
        (
            a.servers[&Protocol::Smtp].endpoint.to_string(),
            a.findings.iter().map(|f| f.id).collect(),
        )
    }

    #[test]
    fn the_relay_its_port_and_its_tls_as_postfix_reads_them() {
        for (text, want, ids) in [
            (
                "relayhost = [smtp.example.org]:587\nsmtp_tls_security_level = encrypt\n",
                "smtp.example.org:587/starttls",
                vec![],
            ),
            (
                "relayhost = [smtp.example.org]:submissions\nsmtp_tls_wrappermode = yes\nsmtp_tls_security_level = encrypt\n",
                "smtp.example.org:465/tls",
                vec![],
            ),
            (
                "relayhost = [smtp.example.org]:465\nsmtp_tls_security_level = may\n",
                "smtp.example.org:465/starttls",
                vec![],
            ),
            (
                "relayhost = [smtp.example.org]\n",
                "smtp.example.org:25/plain",
                vec![],
            ),
            (
                "compatibility_level = 3.11\nrelayhost = [smtp.example.org]:587\n",
                "smtp.example.org:587/starttls",
                vec![],
            ),
            (
                "relayhost = smtp.example.org:587\nsmtp_use_tls = yes\n",
                "smtp.example.org:587/starttls",
                vec![FindingId::RelayhostMxLookup],
            ),
            (
                "relay = [mx.example.org]\nrelayhost = $relay:587\nsmtp_tls_security_level=encrypt\n",
                "mx.example.org:587/starttls",
                vec![],
            ),
            // An indented line continues the one above: here relayhost, not a new parameter.
            (
                "relayhost = [mx.example.org]:587\n smtp_tls_security_level=encrypt\n",
                "mx.example.org:587/plain",
                vec![],
            ),
        ] {
            assert_eq!(smtp(text), (want.to_owned(), ids), "{text}");
        }
    }

    #[test]
    fn references_that_loop_or_double_stay_bounded() {
        use std::fmt::Write as _;
        let looped = read(
            "a = $b $b\nb = $a $a\nrelayhost = [$relayhost]:587 $a\n",
            "f",
            None,
        );
        assert!(
            looped
                .unwrap_err()
                .message
                .contains("\"$relayhost\" contains '$'")
        );
        let mut doubling = String::new();
        for i in 0..12 {
            let _ = writeln!(doubling, "p{i} = $p{n} $p{n}", n = i + 1);
        }
        let (got, _) = smtp(&format!("{doubling}relayhost = [mx.example.org]:587 $p0\n"));
        assert_eq!(got, "mx.example.org:587/plain");
    }

    #[test]
    fn the_password_maps_keys_must_match_relayhost_as_written() {
        let text = "relayhost = [smtp.example.org]:587\nsmtp_sasl_auth_enable = yes\nsmtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd\n";
        assert_eq!(
            password_map(text).as_deref(),
            Some("/etc/postfix/sasl_passwd")
        );
        let keys = map_keys("# relay\nsmtp.example.org bob:hunter2\n");
        assert_eq!(keys, ["smtp.example.org"]);
        let f = read(text, "main.cf", Some(("/etc/postfix/sasl_passwd", &keys))).unwrap();
        let finding = &f.accounts[0].findings[0];
        assert_eq!(finding.id, FindingId::SaslPasswdKeyMismatch);
        assert!(!format!("{f:?}").contains("hunter2"));
        let good = map_keys("[smtp.example.org]:587 bob:hunter2\n");
        let f = read(text, "main.cf", Some(("/etc/postfix/sasl_passwd", &good))).unwrap();
        assert!(f.accounts[0].findings.is_empty());
    }

    #[test]
    fn only_relay_destinations_are_kept_from_a_password_map() {
        let map = "# comment\n[smtp.example.org]:587 alice:secret\nsmtp.other.org bob:x\n@example.net carol:y\nroot:$6$salt$hash:19000:0:99999:7:::\nlonelypassword\nhost.example:notaport z:z\n[10.0.0.1]:25 d:e\n";
        assert_eq!(
            map_keys(map),
            [
                "[smtp.example.org]:587",
                "smtp.other.org",
                "@example.net",
                "[10.0.0.1]:25"
            ]
        );
        // /etc/shadow given as the map: nothing of it is kept.
        assert!(
            map_keys("root:$6$abc$def:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n")
                .is_empty()
        );
    }
}
