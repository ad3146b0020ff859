//! Host names and IP literals as a user types them, validated before anything uses them.

use std::fmt;
use std::net::IpAddr;

use thiserror::Error;

/// Why a host string was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HostError {
    #[error("the host name is empty")]
    Empty,
    #[error("host name \"{}\" is longer than 253 characters", crate::excerpt::excerpt(.0))]
    TooLong(String),
    #[error(
        "host name \"{}\" has an empty label (two dots in a row, or a leading dot)",
        crate::excerpt::excerpt(host)
    )]
    EmptyLabel { host: String },
    #[error(
        "label \"{}\" in host name \"{}\" is longer than 63 characters",
        crate::excerpt::excerpt(label),
        crate::excerpt::excerpt(host)
    )]
    LabelTooLong { host: String, label: String },
    #[error(
        "host name \"{}\" contains '{ch}'; only letters, digits, '-' and '.' are allowed (a URL or an e-mail address is not a host name)",
        crate::excerpt::excerpt(host)
    )]
    BadCharacter { host: String, ch: char },
    #[error(
        "label \"{}\" in host name \"{}\" starts or ends with '-'",
        crate::excerpt::excerpt(label),
        crate::excerpt::excerpt(host)
    )]
    HyphenAtEdge { host: String, label: String },
    #[error(
        "host name \"{}\" ends in a number; if it is an IP address, it is not a valid one",
        crate::excerpt::excerpt(host)
    )]
    NumericTld { host: String },
    #[error("\"{}\" is not a valid IPv6 address", crate::excerpt::excerpt(.0))]
    BadIpv6(String),
}

/// A validated host: a DNS name (lowercased, without a trailing dot) or an IP address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Host {
    Name(String),
    Ip(IpAddr),
}

impl Host {
    /// Parses a host as written in a spec. IPv6 literals may come with or without brackets.
    pub fn parse(input: &str) -> Result<Host, HostError> {
        let trimmed = input.trim();
        if let Some(inner) = trimmed.strip_prefix('[') {
            let inner = inner
                .strip_suffix(']')
                .ok_or_else(|| HostError::BadIpv6(trimmed.to_owned()))?;
            return inner
                .parse::<std::net::Ipv6Addr>()
                .map(|ip| Host::Ip(IpAddr::V6(ip)))
                .map_err(|_| HostError::BadIpv6(trimmed.to_owned()));
        }
        if let Ok(ip) = trimmed.parse::<IpAddr>() {
            return Ok(Host::Ip(ip));
        }
        validate_name(trimmed).map(Host::Name)
    }

    /// The name, or the address in its canonical text form (no brackets).
    pub fn as_string(&self) -> String {
        match self {
            Host::Name(name) => name.clone(),
            Host::Ip(ip) => ip.to_string(),
        }
    }

    /// The DNS name, if this host is one.
    pub fn name(&self) -> Option<&str> {
        match self {
            Host::Name(name) => Some(name),
            Host::Ip(_) => None,
        }
    }

    /// Whether the host is this machine (loopback address or `localhost`).
    pub fn is_loopback(&self) -> bool {
        match self {
            Host::Name(name) => name == "localhost" || name.ends_with(".localhost"),
            Host::Ip(ip) => ip.is_loopback(),
        }
    }
}

/// Writes the host as it goes in a spec: IPv6 addresses in brackets.
impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Name(name) => f.write_str(name),
            Host::Ip(IpAddr::V6(ip)) => write!(f, "[{ip}]"),
            Host::Ip(IpAddr::V4(ip)) => write!(f, "{ip}"),
        }
    }
}

/// Checks a DNS name by the rules of RFC 1123 §2.1 and returns it lowercased, without a
/// trailing dot. Underscores are refused: no mail server host name contains one.
pub fn validate_name(input: &str) -> Result<String, HostError> {
    let host = input.strip_suffix('.').unwrap_or(input);
    if host.is_empty() {
        return Err(HostError::Empty);
    }
    if host.len() > 253 {
        return Err(HostError::TooLong(host.to_owned()));
    }
    if let Some(ch) = host
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '.'))
    {
        return Err(HostError::BadCharacter {
            host: host.to_owned(),
            ch,
        });
    }
    for label in host.split('.') {
        if label.is_empty() {
            return Err(HostError::EmptyLabel {
                host: host.to_owned(),
            });
        }
        if label.len() > 63 {
            return Err(HostError::LabelTooLong {
                host: host.to_owned(),
                label: label.to_owned(),
            });
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(HostError::HyphenAtEdge {
                host: host.to_owned(),
                label: label.to_owned(),
            });
        }
    }
    // A last label of digits only is either a mistyped IPv4 address or nonsense (RFC 3696 §2).
    if host.contains('.')
        && host
            .rsplit('.')
            .next()
            .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(HostError::NumericTld {
            host: host.to_owned(),
        });
    }
    Ok(host.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_lowercased_and_lose_the_root_dot() {
        assert_eq!(
            Host::parse("SMTP.Office365.com.").unwrap(),
            Host::Name("smtp.office365.com".into())
        );
    }

    #[test]
    fn ip_literals_parse_with_and_without_brackets() {
        assert_eq!(Host::parse("127.0.0.1").unwrap().to_string(), "127.0.0.1");
        assert_eq!(Host::parse("[::1]").unwrap().to_string(), "[::1]");
        assert_eq!(Host::parse("::1").unwrap().as_string(), "::1");
        assert!(Host::parse("[::1]").unwrap().is_loopback());
    }

    #[test]
    fn bad_names_say_what_is_wrong() {
        let cases: &[(&str, &str)] = &[
            ("", "empty"),
            ("smtp..example.com", "empty label"),
            ("smtp_server.example.com", "contains '_'"),
            ("https://smtp.example.com", "contains ':'"),
            ("-smtp.example.com", "starts or ends with '-'"),
            ("300.1.2.3", "ends in a number"),
            ("[::zz]", "not a valid IPv6"),
            ("[::1", "not a valid IPv6"),
        ];
        for (input, want) in cases {
            let err = Host::parse(input).unwrap_err().to_string();
            assert!(err.contains(want), "{input:?}: {err}");
        }
        let long_label = format!("{}.com", "a".repeat(64));
        assert!(matches!(
            Host::parse(&long_label),
            Err(HostError::LabelTooLong { .. })
        ));
        let long_name = format!("{}com", "abcdefgh.".repeat(29));
        assert!(matches!(
            Host::parse(&long_name),
            Err(HostError::TooLong(_))
        ));
    }
}
