//! What a provider profile says: the settings a provider documents, and its dated policies.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::account::{Endpoint, PartialEndpoint, Protocol, Security, validate_name};

/// How a provider wants the user name written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UsernameForm {
    /// The whole address, `alice@example.com`.
    #[default]
    Address,
    /// Only the part before the '@', `alice`.
    LocalPart,
}

/// A way of logging in that the provider accepts today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthOffer {
    /// The account's own password.
    Password,
    /// A password generated for one app in the provider's security settings.
    AppPassword,
    /// `OAuth2` sign-in through the provider's web page.
    Oauth2,
}

/// What a dated note changes for logins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoteEffect {
    /// Background worth knowing; changes nothing by itself.
    #[default]
    Info,
    /// From this date, passwords no longer work for the protocols named.
    PasswordDisabled,
    /// From this date, password logins are off unless an administrator turns them back on.
    PasswordOffByDefault,
}

/// A dated fact about a provider, with its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Note {
    /// When the change took or takes effect; required for notes with an effect.
    #[serde(default)]
    pub date: Option<Date>,
    #[serde(default)]
    pub effect: NoteEffect,
    /// The protocols the note concerns; empty means all of them.
    #[serde(default)]
    pub protocols: Vec<Protocol>,
    pub text: String,
    #[serde(default)]
    pub source: Option<String>,
}

impl Note {
    /// Whether the note concerns this protocol.
    pub fn covers(&self, protocol: Protocol) -> bool {
        self.protocols.is_empty() || self.protocols.contains(&protocol)
    }
}

/// Another host name that reaches a documented service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostAlias {
    pub host: String,
    /// The documented host it stands for.
    pub of: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// A retired host name and the one that replaced it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegacyHost {
    pub host: String,
    pub replacement: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// A documented port/security pair that breaks the usual pairing (e.g. implicit TLS on 587).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortException {
    pub protocol: Protocol,
    pub port: u16,
    pub security: Security,
}

/// A profile file as written; [`Profile::from_file`] turns it into a [`Profile`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileFile {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub domains: Vec<String>,
    #[serde(default)]
    pub mx: Vec<String>,
    #[serde(default)]
    pub smtp: Vec<PartialEndpoint>,
    #[serde(default)]
    pub imap: Vec<PartialEndpoint>,
    #[serde(default)]
    pub pop3: Vec<PartialEndpoint>,
    #[serde(default)]
    pub aliases: Vec<HostAlias>,
    #[serde(default)]
    pub legacy_hosts: Vec<LegacyHost>,
    #[serde(default)]
    pub username: UsernameForm,
    #[serde(default)]
    pub username_by_protocol: BTreeMap<Protocol, UsernameForm>,
    pub auth: Vec<AuthOffer>,
    #[serde(default)]
    pub exceptions: Vec<PortException>,
    #[serde(default)]
    pub notes: Vec<Note>,
    pub docs: String,
    pub last_checked: Date,
}

/// A provider's known-good settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Profile {
    pub id: String,
    pub name: String,
    pub domains: Vec<String>,
    pub mx: Vec<String>,
    /// Endpoints per protocol, most preferred first.
    pub endpoints: BTreeMap<Protocol, Vec<Endpoint>>,
    pub aliases: Vec<HostAlias>,
    pub legacy_hosts: Vec<LegacyHost>,
    pub username: UsernameForm,
    pub username_by_protocol: BTreeMap<Protocol, UsernameForm>,
    pub auth: Vec<AuthOffer>,
    pub exceptions: Vec<PortException>,
    pub notes: Vec<Note>,
    pub docs: String,
    pub last_checked: Date,
}

impl Profile {
    /// Completes endpoints with the protocol defaults and normalises names to lowercase.
    /// Returns a message naming the first value that is not a valid host or domain.
    pub fn from_file(file: ProfileFile) -> Result<Profile, String> {
        let mut endpoints = BTreeMap::new();
        for (protocol, list) in [
            (Protocol::Smtp, file.smtp),
            (Protocol::Imap, file.imap),
            (Protocol::Pop3, file.pop3),
        ] {
            if !list.is_empty() {
                endpoints.insert(
                    protocol,
                    list.into_iter().map(|e| e.complete(protocol)).collect(),
                );
            }
        }
        let name_list = |what: &str, list: Vec<String>| -> Result<Vec<String>, String> {
            list.into_iter()
                .map(|d| validate_name(d.trim_start_matches('.')).map(|_| d.to_ascii_lowercase()))
                .collect::<Result<_, _>>()
                .map_err(|e| format!("{what}: {e}"))
        };
        let host = |h: String| validate_name(&h).map_err(|e| e.to_string());
        let aliases = file
            .aliases
            .into_iter()
            .map(|a| {
                Ok(HostAlias {
                    host: host(a.host)?,
                    of: host(a.of)?,
                    note: a.note,
                })
            })
            .collect::<Result<_, String>>()?;
        let legacy_hosts = file
            .legacy_hosts
            .into_iter()
            .map(|l| {
                Ok(LegacyHost {
                    host: host(l.host)?,
                    replacement: host(l.replacement)?,
                    note: l.note,
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(Profile {
            domains: name_list("domains", file.domains)?,
            mx: name_list("mx", file.mx)?,
            id: file.id,
            name: file.name,
            endpoints,
            aliases,
            legacy_hosts,
            username: file.username,
            username_by_protocol: file.username_by_protocol,
            auth: file.auth,
            exceptions: file.exceptions,
            notes: file.notes,
            docs: file.docs,
            last_checked: file.last_checked,
        })
    }

    /// The endpoints offered for a protocol, preferred first (empty if not offered).
    pub fn endpoints(&self, protocol: Protocol) -> &[Endpoint] {
        self.endpoints.get(&protocol).map_or(&[], Vec::as_slice)
    }

    /// The user-name form for a protocol.
    pub fn username_form(&self, protocol: Protocol) -> UsernameForm {
        self.username_by_protocol
            .get(&protocol)
            .copied()
            .unwrap_or(self.username)
    }

    /// Whether a non-standard port/security pair is documented for this provider.
    pub fn allows_exception(&self, protocol: Protocol, port: u16, security: Security) -> bool {
        self.exceptions
            .iter()
            .any(|e| e.protocol == protocol && e.port == port && e.security == security)
    }

    /// Whether the provider's mail exchanger is this host: a pattern starting with '.' matches
    /// any host ending in it, any other pattern only the host itself.
    pub fn matches_mx(&self, mx_host: &str) -> bool {
        let host = mx_host.trim_end_matches('.').to_ascii_lowercase();
        self.mx
            .iter()
            .any(|pattern| match pattern.strip_prefix('.') {
                Some(_) => host.ends_with(pattern.as_str()),
                None => host == *pattern,
            })
    }

    /// The documented host a known alias stands for.
    pub fn alias_target(&self, host: &str) -> Option<&HostAlias> {
        self.aliases.iter().find(|a| a.host == host)
    }

    /// Whether the host is one this profile lists for any protocol (documented or alias).
    pub fn knows_host(&self, host: &str) -> bool {
        self.endpoints
            .values()
            .flatten()
            .any(|e| e.host.name() == Some(host))
            || self.alias_target(host).is_some()
    }
}
