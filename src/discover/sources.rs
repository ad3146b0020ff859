//! What each source claimed, kept apart per source so they can be shown side by side.

use std::time::Duration;

use serde::Serialize;

use crate::account::{Endpoint, Protocol};

/// Where a claim came from, in the order of trust the recommendation uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// A built-in or user profile for the address's domain.
    Profile,
    /// `https://autoconfig.<domain>/…` or `https://<domain>/.well-known/…`.
    AutoconfigHttps,
    /// Thunderbird's central database.
    Ispdb,
    /// DNS SRV records (RFC 6186).
    Srv,
    /// A profile found through the domain's MX.
    Mx,
    /// The ISPDB or autoconfig of the domains derived from the MX host.
    MxDerived,
    /// `http://autoconfig.<domain>/…`: anyone on the way could have changed it.
    AutoconfigHttp,
    /// The usual names (imap., smtp., mail. …) tried on the standard ports.
    Guess,
}

impl SourceKind {
    pub const ALL: [SourceKind; 8] = [
        SourceKind::Profile,
        SourceKind::AutoconfigHttps,
        SourceKind::Ispdb,
        SourceKind::Srv,
        SourceKind::Mx,
        SourceKind::MxDerived,
        SourceKind::AutoconfigHttp,
        SourceKind::Guess,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Profile => "profile",
            SourceKind::AutoconfigHttps => "autoconfig-https",
            SourceKind::Ispdb => "ispdb",
            SourceKind::Srv => "srv",
            SourceKind::Mx => "mx",
            SourceKind::MxDerived => "mx-derived",
            SourceKind::AutoconfigHttp => "autoconfig-http",
            SourceKind::Guess => "guess",
        }
    }

    /// The column heading.
    pub fn label(self) -> &'static str {
        match self {
            SourceKind::Profile => "profile",
            SourceKind::AutoconfigHttps => "autoconfig",
            SourceKind::Ispdb => "ISPDB",
            SourceKind::Srv => "SRV",
            SourceKind::Mx => "MX",
            SourceKind::MxDerived => "via MX",
            SourceKind::AutoconfigHttp => "http",
            SourceKind::Guess => "guess",
        }
    }

    /// How far it can be trusted, in words.
    pub fn trust(self) -> &'static str {
        match self {
            SourceKind::Profile => "curated by maildoctor",
            SourceKind::AutoconfigHttps => "published by the domain (https)",
            SourceKind::Ispdb => "central database",
            SourceKind::Srv => "DNS, unauthenticated",
            SourceKind::Mx | SourceKind::MxDerived => "via DNS MX: confirm",
            SourceKind::AutoconfigHttp => "unauthenticated (http)",
            SourceKind::Guess => "guessed, then probed",
        }
    }
}

/// One server a source names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Claim {
    pub protocol: Protocol,
    #[serde(serialize_with = "spec")]
    pub endpoint: Endpoint,
    /// The user name the source says to type, placeholders expanded.
    pub username: Option<String>,
    /// The login methods it names, in its words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub auth: Vec<String>,
}

fn spec<S: serde::Serializer>(endpoint: &Endpoint, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(endpoint)
}

/// How one question to a source ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// It answered with claims.
    Answered,
    /// It answered, with nothing for mail settings (no records, 404).
    Nothing,
    Failed,
    TimedOut,
    /// Not asked (turned off, or nothing to ask it).
    Skipped,
}

/// One question to one source and its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceReport {
    pub kind: SourceKind,
    /// The DNS name or the URL asked.
    pub query: String,
    /// Every URL on the way, when redirected.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub redirects: Vec<String>,
    pub status: Status,
    #[serde(rename = "elapsed_ms", serialize_with = "millis")]
    pub elapsed: Duration,
    pub error: Option<String>,
    /// What it said besides servers (a provider recognised, a section dropped and why).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    pub claims: Vec<Claim>,
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl SourceReport {
    pub fn new(kind: SourceKind, query: impl Into<String>) -> SourceReport {
        SourceReport {
            kind,
            query: query.into(),
            redirects: Vec::new(),
            status: Status::Skipped,
            elapsed: Duration::ZERO,
            error: None,
            notes: Vec::new(),
            claims: Vec::new(),
        }
    }
}
