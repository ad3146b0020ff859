//! Passwords and tokens, and what a login needs: the ground floor every layer that handles a
//! secret stands on (the probe's dialogues and scrubber, the dashboard's prompt, the commands).
//! Depends on nothing else in the crate.

use std::fmt;

/// A password or an `OAuth2` token: never printed, never logged.
/// Its memory is wiped when it is dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(zeroize::Zeroizing<String>);

impl Secret {
    pub fn new(value: String) -> Secret {
        Secret(zeroize::Zeroizing::new(value))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// What a login needs.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub username: String,
    pub secret: Secret,
    /// The secret is an `OAuth2` access token (XOAUTH2) rather than a password.
    pub oauth2: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_never_shown_in_debug_output() {
        assert_eq!(
            format!("{:?}", Secret::new("hunter2".into())),
            "Secret(<redacted>)"
        );
    }
}
