//! E-mail addresses, checked just enough to find the domain and the local part.

use std::fmt;

use thiserror::Error;

use super::host::{HostError, validate_name};

/// Why an e-mail address was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AddressError {
    #[error(
        "\"{}\" is not an e-mail address: it needs one '@' between a name and a domain",
        crate::excerpt::excerpt(.0)
    )]
    Shape(String),
    // The cause is in the message once, so it is no `source` (that would print it twice).
    #[error(
        "\"{}\" is not an e-mail address: {error}",
        crate::excerpt::excerpt(address)
    )]
    Domain { address: String, error: HostError },
    #[error(
        "\"{}\" is not an e-mail address: the part before '@' contains a space or control character",
        crate::excerpt::excerpt(.0)
    )]
    LocalPart(String),
}

/// An address like `alice@example.com`; the domain is kept lowercased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Address {
    local: String,
    domain: String,
}

impl Address {
    /// Parses an address. The local part is taken as written (providers compare it in their own
    /// ways); the domain must be a valid host name.
    pub fn parse(input: &str) -> Result<Address, AddressError> {
        let input = input.trim();
        let (local, domain) = input
            .rsplit_once('@')
            .filter(|(l, d)| !l.is_empty() && !d.is_empty())
            .ok_or_else(|| AddressError::Shape(input.to_owned()))?;
        if local.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(AddressError::LocalPart(input.to_owned()));
        }
        let domain = validate_name(domain).map_err(|error| AddressError::Domain {
            address: input.to_owned(),
            error,
        })?;
        Ok(Address {
            local: local.to_owned(),
            domain,
        })
    }

    /// The part before the '@'.
    pub fn local_part(&self) -> &str {
        &self.local
    }

    /// The domain, lowercased.
    pub fn domain(&self) -> &str {
        &self.domain
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.local, self.domain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_the_last_at_sign_and_lowercases_the_domain() {
        let a = Address::parse(" Alice@Example.COM ").unwrap();
        assert_eq!(a.local_part(), "Alice");
        assert_eq!(a.domain(), "example.com");
        assert_eq!(a.to_string(), "Alice@example.com");
    }

    #[test]
    fn refuses_what_is_not_an_address() {
        for bad in [
            "alice",
            "@example.com",
            "alice@",
            "al ice@example.com",
            "alice@exa_mple.com",
        ] {
            let err = Address::parse(bad).unwrap_err().to_string();
            assert!(err.contains(bad.trim()), "{bad}: {err}");
        }
    }
}
