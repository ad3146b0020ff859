//! Reading the settings of the mail client that already fails: one reader per format, each a
//! pure function over the file's text that applies the client's own defaults, so the endpoint
//! maildoctor probes is the one the client would use. Passwords stored in a file are noticed
//! and never kept: readers skip their values, error messages never quote a value, and the
//! file's text is wiped from memory once read.
//!
//! Each client is one file: its reader and its descriptor ([`Client`]: names, places, how its
//! files are told apart, read and fixed). [`CLIENTS`] lists them; detection, places, loading
//! and fixes go through it rather than naming clients.

pub mod client;
pub mod fix;
mod load;
mod open;
pub mod places;
pub(crate) mod text;

pub(crate) mod aerc;
pub(crate) mod dma;
pub(crate) mod evolution;
pub(crate) mod exim4;
pub(crate) mod fetchmail;
pub(crate) mod git;
pub(crate) mod himalaya;
pub(crate) mod mbsync;
pub(crate) mod msmtp;
pub(crate) mod mutt;
pub(crate) mod nullmailer;
pub(crate) mod offlineimap;
pub(crate) mod postfix;
pub(crate) mod ssmtp;
pub(crate) mod thunderbird;

use std::collections::BTreeMap;
use std::path::PathBuf;

use thiserror::Error;

use crate::account::{
    AccountLayer, AuthMethod, Endpoint, Host, PartialEndpoint, Protocol, Security,
};
use crate::finding::Finding;

pub use client::{Client, ClientKind};
pub use load::{import, read_client_file};

/// Every client format maildoctor reads, each described in its own file: the order their
/// places are listed in and their file names are tried (NeoMutt's before mutt's), and the
/// order `--import-format` names them.
pub static CLIENTS: &[&Client] = &[
    &msmtp::CLIENT,
    &postfix::CLIENT,
    &git::CLIENT,
    &mutt::NEOMUTT,
    &mutt::MUTT,
    &mbsync::CLIENT,
    &offlineimap::CLIENT,
    &fetchmail::CLIENT,
    &aerc::CLIENT,
    &himalaya::CLIENT,
    &thunderbird::CLIENT,
    &ssmtp::CLIENT,
    &nullmailer::CLIENT,
    &dma::CLIENT,
    &exim4::CLIENT,
    &evolution::CLIENT,
];

/// One setting as the client's file has it: the client fix quotes it back, with its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// The option's name as the client spells it (`tls_starttls`, `smtpEncryption`).
    pub key: String,
    /// The line as written, trimmed: what the fix says to change. Never a secret's line.
    pub text: String,
    pub line: usize,
    /// The file it is in when not the one imported (a git `[include]`, a mutt `source`).
    pub file: Option<String>,
}

/// A server the client is set to use, with the client's defaults applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedServer {
    pub endpoint: Endpoint,
    /// The settings that made it, as written.
    pub settings: Vec<Setting>,
    /// The line naming the server (or, when it is a default, the account's line).
    pub line: usize,
}

impl Setting {
    /// A setting of the file being imported, at this line.
    pub fn new(key: &str, text: &str, line: usize) -> Setting {
        Setting {
            key: key.to_owned(),
            text: text.to_owned(),
            line,
            file: None,
        }
    }
}

impl ImportedServer {
    pub fn new(
        host: Host,
        port: u16,
        security: Security,
        settings: Vec<Setting>,
        line: usize,
    ) -> ImportedServer {
        ImportedServer {
            endpoint: Endpoint {
                host,
                port,
                security,
            },
            settings,
            line,
        }
    }

    /// The setting of this name, if the file has it.
    pub fn setting(&self, key: &str) -> Option<&Setting> {
        self.settings
            .iter()
            .rev()
            .find(|s| s.key.eq_ignore_ascii_case(key))
    }
}

/// One account of a client's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedAccount {
    /// The client's name for it (`work`, the git identity, the Postfix relay).
    pub name: String,
    /// The line it starts on.
    pub line: usize,
    pub address: Option<String>,
    pub username: Option<String>,
    pub auth: Option<AuthMethod>,
    pub servers: BTreeMap<Protocol, ImportedServer>,
    /// What the reader found that the settings alone do not say: a stored password, an
    /// option the client ignores, a login that is off.
    pub findings: Vec<Finding>,
    /// Options the reader does not know, ignored (clients grow options).
    pub notes: Vec<String>,
    /// The CA certificates the client trusts beyond the system's (msmtp `tls_trust_file`,
    /// Postfix `smtp_tls_CAfile` …): the check trusts them too, to judge as the client does.
    pub ca_file: Option<PathBuf>,
    /// The name the client checks the certificate against instead of the host
    /// (fetchmail's `sslcommonname`).
    pub tls_name: Option<String>,
}

impl ImportedAccount {
    pub fn new(name: impl Into<String>, line: usize) -> ImportedAccount {
        ImportedAccount {
            name: name.into(),
            line,
            address: None,
            username: None,
            auth: None,
            servers: BTreeMap::new(),
            findings: Vec::new(),
            notes: Vec::new(),
            ca_file: None,
            tls_name: None,
        }
    }

    /// Trusts the CA file the client names, unless it names the system's store.
    pub fn trust(&mut self, value: &str) {
        let value = value.trim();
        if value.is_empty()
            || value.eq_ignore_ascii_case("system")
            || value.eq_ignore_ascii_case("OS-DEFAULT")
        {
            return;
        }
        let path = text::expand_home(value);
        // A directory of hashed certificates (git's smtpSSLCertPath may be one) is the
        // system's kind of store, not a file to add.
        if !path.is_dir() {
            self.notes.push(format!(
                "the check trusts the CA certificates in {}, as the client does (unless --ca-file says otherwise)",
                path.display()
            ));
            self.ca_file = Some(path);
        }
    }

    /// The account as a settings layer: what flags override and profiles fill in.
    pub fn layer(&self) -> AccountLayer {
        let endpoint = |protocol| {
            self.servers
                .get(&protocol)
                .map(|s: &ImportedServer| PartialEndpoint {
                    host: s.endpoint.host.clone(),
                    port: Some(s.endpoint.port),
                    security: Some(s.endpoint.security),
                })
        };
        AccountLayer {
            address: self.address.clone(),
            username: self.username.clone(),
            profile: None,
            auth: self.auth,
            smtp: endpoint(Protocol::Smtp),
            imap: endpoint(Protocol::Imap),
            pop3: endpoint(Protocol::Pop3),
        }
    }
}

/// A client's file, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientFile {
    pub kind: ClientKind,
    pub path: PathBuf,
    /// The path as people write it (`~/.msmtprc`).
    pub shown: String,
    pub accounts: Vec<ImportedAccount>,
    /// The account the client uses when none is named.
    pub default: Option<String>,
}

impl ClientFile {
    /// A file of at most one account, the default (the relay-only mailers).
    pub fn single(kind: ClientKind, shown: &str, account: Option<ImportedAccount>) -> ClientFile {
        ClientFile {
            kind,
            path: PathBuf::new(),
            shown: shown.to_owned(),
            default: account.as_ref().map(|a| a.name.clone()),
            accounts: account.into_iter().collect(),
        }
    }
}

/// The one account an import selected, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub kind: ClientKind,
    pub path: PathBuf,
    pub shown: String,
    pub account: ImportedAccount,
}

/// Why a reader refused a file: the line, and what is wrong in words that never quote a
/// value (it could be a password).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("line {line}: {message}")]
pub struct Invalid {
    pub line: usize,
    pub message: String,
}

impl Invalid {
    pub fn new(line: usize, message: impl Into<String>) -> Invalid {
        Invalid {
            line,
            message: message.into(),
        }
    }

    /// The refusal, said of the file `shown`.
    pub fn in_file(self, shown: &str) -> ImportError {
        ImportError::Invalid {
            shown: shown.to_owned(),
            line: self.line,
            message: self.message,
        }
    }
}

/// Why a client's settings could not be imported.
#[derive(Debug, Error)]
pub enum ImportError {
    #[error("cannot read {shown}: {error}")]
    Read {
        shown: String,
        error: crate::files::ReadError,
    },
    #[error("{shown}:{line}: {message}")]
    Invalid {
        shown: String,
        line: usize,
        message: String,
    },
    #[error(
        "cannot tell which mail client {shown} belongs to: give --import-format KIND ({})",
        ClientKind::names()
    )]
    UnknownFormat { shown: String },
    #[error("{shown} has no account \"{wanted}\"; it has: {}", found.join(", "))]
    NoSuchAccount {
        shown: String,
        wanted: String,
        found: Vec<String>,
    },
    #[error(
        "{shown} has {} accounts and no default: say which, e.g. --import '{shown}#{}' (it has: {})",
        found.len(),
        found[0],
        found.join(", ")
    )]
    WhichAccount { shown: String, found: Vec<String> },
    #[error("{shown} sets up no mail server maildoctor can check{}", why.as_deref().map(|w| format!(": {w}")).unwrap_or_default())]
    NoServer { shown: String, why: Option<String> },
}

/// One file `maildoctor clients` found, with its accounts or why it could not be read.
#[derive(Debug, Clone)]
pub struct Listed {
    pub kind: ClientKind,
    pub shown: String,
    pub accounts: Result<Vec<ListedAccount>, String>,
}

/// One account of a found file.
#[derive(Debug, Clone)]
pub struct ListedAccount {
    pub name: String,
    pub line: usize,
    pub default: bool,
    pub servers: Vec<(Protocol, Endpoint)>,
    /// The `--import` argument that selects it.
    pub import: String,
}

/// Every account with a server in the files at these places, in the order given; a file
/// with none is left out, one that cannot be read says why.
pub fn list(places: &[(ClientKind, PathBuf)]) -> Vec<Listed> {
    let mut listed: Vec<Listed> = places
        .iter()
        .map(|(kind, path)| {
            let shown = text::shown(path);
            let accounts = read_client_file(path, Some(*kind))
                .map(|file| {
                    let several = file.accounts.len() > 1;
                    file.accounts
                        .iter()
                        .filter(|a| !a.servers.is_empty())
                        .map(|a| ListedAccount {
                            name: a.name.clone(),
                            line: a.line,
                            default: file.default.as_deref() == Some(a.name.as_str()),
                            servers: a
                                .servers
                                .iter()
                                .map(|(p, s)| (*p, s.endpoint.clone()))
                                .collect(),
                            import: if several {
                                format!("{}#{}", path.display(), a.name)
                            } else {
                                path.display().to_string()
                            },
                        })
                        .collect()
                })
                .map_err(|e| e.to_string());
            Listed {
                kind: *kind,
                shown,
                accounts,
            }
        })
        .collect();
    listed.retain(|l| l.accounts.as_ref().map_or(true, |a| !a.is_empty()));
    listed
}

/// What the readers' table tests ask of a file they read.
#[cfg(test)]
pub(crate) mod testing {
    use super::ClientFile;
    use crate::account::Protocol;
    use crate::finding::FindingId;

    /// The first account's SMTP server, as a spec.
    pub fn smtp(file: &ClientFile) -> String {
        file.accounts[0].servers[&Protocol::Smtp]
            .endpoint
            .to_string()
    }

    /// The first account's finding ids, in order.
    pub fn ids(file: &ClientFile) -> Vec<FindingId> {
        file.accounts[0].findings.iter().map(|f| f.id).collect()
    }
}
