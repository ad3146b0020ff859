//! The settings model: what a mail account is configured to talk to.

mod address;
mod endpoint;
mod file;
mod host;
mod protocol;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

pub use address::{Address, AddressError};
pub use endpoint::{Endpoint, PartialEndpoint, SpecError};
pub use file::{
    AccountFileError, AccountLayer, account_yaml, load_account_file, parse_account_yaml,
};
pub use host::{Host, HostError, validate_name};
pub use protocol::{Protocol, Security};

/// How the account proves who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthMethod {
    /// A password (or an app password) sent over the connection.
    Password,
    /// An OAuth2 access token (XOAUTH2 / OAUTHBEARER).
    Oauth2,
    /// No login: a relay that trusts the network, or receive-only checks.
    None,
    /// NTLM, which Outlook and others call "Secure Password Authentication (SPA)".
    #[serde(alias = "spa")]
    Ntlm,
    /// CRAM-MD5 ("encrypted password" in some apps).
    #[serde(rename = "cram-md5")]
    CramMd5,
    /// Kerberos (GSSAPI).
    #[serde(alias = "kerberos")]
    Gssapi,
}

impl AuthMethod {
    pub const ALL: [AuthMethod; 6] = [
        AuthMethod::Password,
        AuthMethod::Oauth2,
        AuthMethod::None,
        AuthMethod::Ntlm,
        AuthMethod::CramMd5,
        AuthMethod::Gssapi,
    ];

    /// The method a word names (`password`, `oauth2`, `none`), as account files and flags say it.
    pub fn from_word(word: &str) -> Option<AuthMethod> {
        match word.to_ascii_lowercase().as_str() {
            "spa" => Some(AuthMethod::Ntlm),
            "kerberos" => Some(AuthMethod::Gssapi),
            word => AuthMethod::ALL.into_iter().find(|m| m.as_str() == word),
        }
    }

    /// The SASL mechanism a server must offer for this method, for the methods maildoctor
    /// only checks and does not log in with.
    pub fn sasl_mechanism(self) -> Option<&'static str> {
        match self {
            AuthMethod::Ntlm => Some("NTLM"),
            AuthMethod::CramMd5 => Some("CRAM-MD5"),
            AuthMethod::Gssapi => Some("GSSAPI"),
            AuthMethod::Password | AuthMethod::Oauth2 | AuthMethod::None => None,
        }
    }

    /// How users know the method, for titles: "NTLM (SPA)".
    pub fn label(self) -> &'static str {
        match self {
            AuthMethod::Password => "password",
            AuthMethod::Oauth2 => "OAuth2",
            AuthMethod::None => "no login",
            AuthMethod::Ntlm => "NTLM (Secure Password Authentication, SPA)",
            AuthMethod::CramMd5 => "CRAM-MD5",
            AuthMethod::Gssapi => "Kerberos (GSSAPI)",
        }
    }

    /// What the method is, for `--help`.
    pub fn describe(self) -> &'static str {
        match self {
            AuthMethod::Password => "A password (or an app password) sent over the connection",
            AuthMethod::Oauth2 => "An OAuth2 access token (XOAUTH2 / OAUTHBEARER)",
            AuthMethod::None => "No login: a relay that trusts the network, or receive-only checks",
            AuthMethod::Ntlm => {
                "NTLM, called Secure Password Authentication (SPA) by Outlook (also: spa)"
            }
            AuthMethod::CramMd5 => "CRAM-MD5, a challenge-response password login",
            AuthMethod::Gssapi => "Kerberos through GSSAPI (also: kerberos)",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::Password => "password",
            AuthMethod::Oauth2 => "oauth2",
            AuthMethod::None => "none",
            AuthMethod::Ntlm => "ntlm",
            AuthMethod::CramMd5 => "cram-md5",
            AuthMethod::Gssapi => "gssapi",
        }
    }
}

impl fmt::Display for AuthMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A fully resolved account: every layer (profile, file, flags) applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub address: Option<Address>,
    /// The user name as configured; `None` means "the address".
    pub username: Option<String>,
    pub auth: AuthMethod,
    pub endpoints: BTreeMap<Protocol, Endpoint>,
}

impl Account {
    /// The user name a client would send: the configured one, else the address.
    pub fn effective_username(&self) -> Option<String> {
        self.username
            .clone()
            .or_else(|| self.address.as_ref().map(ToString::to_string))
    }

    /// The endpoint configured for a protocol, if any.
    pub fn endpoint(&self, protocol: Protocol) -> Option<&Endpoint> {
        self.endpoints.get(&protocol)
    }
}
