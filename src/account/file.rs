//! Account files (YAML) and the layer type that files, flags and profiles merge through.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

use super::AuthMethod;
use super::endpoint::PartialEndpoint;
use super::protocol::Protocol;

/// One source of account settings. Every field is optional so layers can be stacked:
/// flags over the file, the file over the profile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountLayer {
    #[serde(default, deserialize_with = "one_line")]
    pub address: Option<String>,
    #[serde(default, deserialize_with = "one_line")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "one_line")]
    pub profile: Option<String>,
    pub auth: Option<AuthMethod>,
    pub smtp: Option<PartialEndpoint>,
    pub imap: Option<PartialEndpoint>,
    pub pop3: Option<PartialEndpoint>,
}

/// A text setting that goes on a protocol line (the user name is sent as typed): a line break
/// or another control character would end the command early, or reach a terminal raw. The
/// YAML reader puts the value's line and column on the error.
fn one_line<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value = Option::<String>::deserialize(d)?;
    if let Some(text) = &value
        && text.chars().any(char::is_control)
    {
        return Err(serde::de::Error::custom(
            "must be one line of text: it contains a line break or another control character",
        ));
    }
    Ok(value)
}

impl AccountLayer {
    /// This layer with every unset field taken from `base`.
    #[must_use]
    pub fn over(self, base: AccountLayer) -> AccountLayer {
        AccountLayer {
            address: self.address.or(base.address),
            username: self.username.or(base.username),
            profile: self.profile.or(base.profile),
            auth: self.auth.or(base.auth),
            smtp: self.smtp.or(base.smtp),
            imap: self.imap.or(base.imap),
            pop3: self.pop3.or(base.pop3),
        }
    }

    /// The endpoint this layer sets for a protocol.
    pub fn endpoint(&self, protocol: Protocol) -> Option<&PartialEndpoint> {
        match protocol {
            Protocol::Smtp => self.smtp.as_ref(),
            Protocol::Imap => self.imap.as_ref(),
            Protocol::Pop3 => self.pop3.as_ref(),
        }
    }
}

/// An account file that could not be used, with where in it the problem is.
#[derive(Debug, Error)]
pub enum AccountFileError {
    #[error("cannot read account file {}: {error}", path.display())]
    Read {
        path: PathBuf,
        error: crate::files::ReadError,
    },
    #[error("{}:{line}:{column}: {message}", path.display())]
    Invalid {
        path: PathBuf,
        line: u64,
        column: u64,
        message: String,
    },
}

/// Reads and parses an account file.
pub fn load_account_file(path: &Path) -> Result<AccountLayer, AccountFileError> {
    let text = crate::files::read_text(path, crate::files::MAX_SETTINGS_FILE).map_err(|error| {
        AccountFileError::Read {
            path: path.to_owned(),
            error,
        }
    })?;
    parse_account_yaml(&text, path)
}

/// Parses the YAML text of an account file; `path` only names it in errors.
pub fn parse_account_yaml(text: &str, path: &Path) -> Result<AccountLayer, AccountFileError> {
    crate::yaml::from_str(text).map_err(|e| AccountFileError::Invalid {
        path: path.to_owned(),
        line: e.line,
        column: e.column,
        message: e.message,
    })
}

/// The account file that `--account` reads back as these settings. It never holds a password:
/// the account has none to give.
pub fn account_yaml(account: &super::Account, profile: Option<&str>) -> String {
    #[derive(serde::Serialize)]
    struct File<'a> {
        #[serde(skip_serializing_if = "Option::is_none")]
        address: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        username: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        profile: Option<&'a str>,
        auth: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        smtp: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        imap: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pop3: Option<String>,
    }
    let spec = |p| account.endpoint(p).map(ToString::to_string);
    let file = File {
        address: account.address.as_ref().map(ToString::to_string),
        username: account.username.as_deref(),
        profile,
        auth: account.auth.as_str(),
        smtp: spec(Protocol::Smtp),
        imap: spec(Protocol::Imap),
        pop3: spec(Protocol::Pop3),
    };
    // Plain strings and an enum word: serialising them cannot fail.
    let body = serde_yaml::to_string(&file).unwrap_or_default();
    format!(
        "# maildoctor account file: maildoctor --account FILE\n# No password is stored here; maildoctor asks for it.\n{body}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::Security;

    #[test]
    fn a_saved_account_reads_back_the_same() {
        let layer = parse(
            "address: alice@example.com\nusername: \"al: ice\"\nauth: oauth2\n\
             smtp: smtp.example.com:465/starttls\npop3: \"[2001:db8::1]:995/tls\"\n",
        )
        .unwrap();
        let store = crate::profile::ProfileStore::load(&[]).unwrap();
        let account = crate::resolve::resolve(layer, &store).unwrap().account;
        let text = account_yaml(&account, Some("gmail"));
        let again = parse(&text).unwrap();
        assert_eq!(again.profile.as_deref(), Some("gmail"));
        let mut again = again;
        again.profile = None;
        let round = crate::resolve::resolve(again, &store).unwrap().account;
        assert_eq!(round, account, "{text}");
    }

    #[test]
    fn a_user_name_with_a_line_break_is_refused_where_it_stands() {
        let err = parse("address: alice@example.com\nusername: \"alice\\r\\nRCPT TO:<x>\"\n")
            .unwrap_err();
        assert!(err.starts_with("acct.yaml:2:"), "{err}");
        assert!(err.contains("line break"), "{err}");
        let err = parse("username: |\n  two\n  lines\n").unwrap_err();
        assert!(
            err.starts_with("acct.yaml:1:") || err.starts_with("acct.yaml:2:"),
            "{err}"
        );
    }

    fn parse(text: &str) -> Result<AccountLayer, String> {
        parse_account_yaml(text, Path::new("acct.yaml")).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_the_documented_example() {
        let layer = parse(
            "address: alice@example.com\nusername: alice@example.com\nprofile: microsoft365\nauth: password\n\
             smtp: smtp.office365.com:587/starttls\n\
             imap: { host: outlook.office365.com, port: 993, security: tls }\n\
             pop3: outlook.office365.com:995/tls\n",
        )
        .unwrap();
        assert_eq!(layer.auth, Some(AuthMethod::Password));
        let imap = layer.imap.unwrap();
        assert_eq!(imap.port, Some(993));
        assert_eq!(imap.security, Some(Security::Tls));
        assert_eq!(
            layer.pop3.unwrap().host.to_string(),
            "outlook.office365.com"
        );
    }

    #[test]
    fn unknown_keys_are_errors_with_a_position() {
        let err = parse("address: a@b.example\nsmpt: smtp.b.example\n").unwrap_err();
        assert!(err.starts_with("acct.yaml:2:1:"), "{err}");
        assert!(err.contains("smpt"), "{err}");
    }

    #[test]
    fn bad_values_are_errors_with_a_position() {
        let cases = [
            ("auth: smoke-signals\n", "acct.yaml:1:7:", "smoke-signals"),
            ("smtp: smtp.example.com:99999\n", "acct.yaml:1:7:", "99999"),
            (
                "imap: { host: imap.example.com, port: 0 }\n",
                "acct.yaml:1:",
                "port 0",
            ),
            (
                "imap: { host: imap.example.com, security: tsl }\n",
                "acct.yaml:1:",
                "tsl",
            ),
            ("imap: { port: 993 }\n", "acct.yaml:1:", "host"),
            ("imap: [a, b]\n", "acct.yaml:1:", "expected an endpoint"),
            ("address: [x\n", "acct.yaml:", ""),
            ("smtp:\n  host: a.example\n port: 1\n", "acct.yaml:3:", ""),
            (
                "address: a@x.example\naddress: b@x.example\n",
                "acct.yaml:2:",
                "duplicate",
            ),
        ];
        for (text, at, want) in cases {
            let err = parse(text).unwrap_err();
            assert!(err.starts_with(at), "{text:?}: {err}");
            assert!(err.contains(want), "{text:?}: {err}");
        }
    }

    #[test]
    fn upper_layers_win() {
        let base = AccountLayer {
            address: Some("a@x.example".into()),
            auth: Some(AuthMethod::Password),
            ..Default::default()
        };
        let top = AccountLayer {
            auth: Some(AuthMethod::Oauth2),
            ..Default::default()
        };
        let merged = top.over(base);
        assert_eq!(merged.auth, Some(AuthMethod::Oauth2));
        assert_eq!(merged.address.as_deref(), Some("a@x.example"));
    }
}
