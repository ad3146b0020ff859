//! Endpoints (`host:port/security`) and the spec strings people type for them.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::host::{Host, HostError};
use super::protocol::{Protocol, Security};

/// Why an endpoint spec was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SpecError {
    // The cause is in the message once, so it is no `source` (that would print it twice).
    #[error("endpoint \"{}\": {error}", crate::excerpt::excerpt(spec))]
    Host { spec: String, error: HostError },
    #[error(
        "endpoint \"{}\": port \"{}\" is not a number from 1 to 65535",
        crate::excerpt::excerpt(spec),
        crate::excerpt::excerpt(port)
    )]
    Port { spec: String, port: String },
    #[error(
        "endpoint \"{}\": security \"{}\" is unknown (use tls, ssl, starttls or plain)",
        crate::excerpt::excerpt(spec),
        crate::excerpt::excerpt(word)
    )]
    Security { spec: String, word: String },
    #[error(
        "endpoint \"{}\": an IPv6 address with a port must be written in brackets, e.g. [::1]:993",
        crate::excerpt::excerpt(spec)
    )]
    UnbracketedIpv6 { spec: String },
}

/// One server a client talks to: where, and how the connection is encrypted.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Endpoint {
    pub host: Host,
    pub port: u16,
    pub security: Security,
}

impl Endpoint {
    /// Parses `HOST[:PORT][/SECURITY]`, filling the missing parts with the protocol's standard.
    pub fn parse(spec: &str, protocol: Protocol) -> Result<Endpoint, SpecError> {
        Ok(PartialEndpoint::parse(spec)?.complete(protocol))
    }

    /// The form mail clients show: `smtp.office365.com:587 STARTTLS`.
    pub fn describe(&self) -> String {
        format!("{}:{} {}", self.host, self.port, self.security.label())
    }
}

/// Writes the spec form, which [`Endpoint::parse`] reads back unchanged.
impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}/{}", self.host, self.port, self.security.as_str())
    }
}

impl Serialize for Endpoint {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// An endpoint as written, before the protocol's defaults fill the parts left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialEndpoint {
    pub host: Host,
    pub port: Option<u16>,
    pub security: Option<Security>,
}

impl PartialEndpoint {
    /// Parses `HOST[:PORT][/SECURITY]` without applying defaults.
    pub fn parse(spec: &str) -> Result<PartialEndpoint, SpecError> {
        let spec = spec.trim();
        let err_host = |error| SpecError::Host {
            spec: spec.to_owned(),
            error,
        };
        let (rest, security) = match spec.rsplit_once('/') {
            Some((rest, word)) => {
                let security =
                    Security::from_word(word.trim()).ok_or_else(|| SpecError::Security {
                        spec: spec.to_owned(),
                        word: word.to_owned(),
                    })?;
                (rest, Some(security))
            }
            None => (spec, None),
        };
        let (host_part, port_part) =
            split_host_port(rest).map_err(|()| SpecError::UnbracketedIpv6 {
                spec: spec.to_owned(),
            })?;
        let host = Host::parse(host_part).map_err(err_host)?;
        let port = port_part
            .map(|p| {
                parse_port(p).ok_or_else(|| SpecError::Port {
                    spec: spec.to_owned(),
                    port: p.to_owned(),
                })
            })
            .transpose()?;
        Ok(PartialEndpoint {
            host,
            port,
            security,
        })
    }

    /// Fills in what is missing: the port from the security mode, the security from the port
    /// (465/993/995 mean implicit TLS, the other well-known ports STARTTLS), or both from the
    /// protocol's default.
    pub fn complete(self, protocol: Protocol) -> Endpoint {
        let (port, security) = match (self.port, self.security) {
            (Some(port), Some(security)) => (port, security),
            (None, Some(security)) => (protocol.default_port(security), security),
            (Some(port), None) => {
                let security = protocol
                    .standard_security(port)
                    .or_else(|| Protocol::of_port(port).and_then(|p| p.standard_security(port)))
                    .unwrap_or(protocol.default_endpoint().1);
                (port, security)
            }
            (None, None) => protocol.default_endpoint(),
        };
        Endpoint {
            host: self.host,
            port,
            security,
        }
    }
}

fn parse_port(text: &str) -> Option<u16> {
    text.trim().parse::<u16>().ok().filter(|p| *p != 0)
}

/// Splits `host:port`, `[v6]:port`, `[v6]` or `host`. A bare IPv6 address without brackets is
/// accepted only when it has no port, since its colons would be ambiguous.
fn split_host_port(text: &str) -> Result<(&str, Option<&str>), ()> {
    if text.starts_with('[') {
        return match text.find(']') {
            Some(end) => {
                let (host, after) = text.split_at(end + 1);
                match after.strip_prefix(':') {
                    Some(port) => Ok((host, Some(port))),
                    None if after.is_empty() => Ok((host, None)),
                    // Let the host parser report the malformed literal.
                    None => Ok((text, None)),
                }
            }
            None => Ok((text, None)),
        };
    }
    match text.matches(':').count() {
        0 => Ok((text, None)),
        1 => text.split_once(':').map(|(h, p)| (h, Some(p))).ok_or(()),
        _ if text.parse::<std::net::Ipv6Addr>().is_ok() => Ok((text, None)),
        _ => Err(()),
    }
}

/// Files accept an endpoint as a spec string or as a map `{host, port, security}`.
impl<'de> Deserialize<'de> for PartialEndpoint {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(PartialEndpointVisitor)
    }
}

struct PartialEndpointVisitor;

impl<'de> Visitor<'de> for PartialEndpointVisitor {
    type Value = PartialEndpoint;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an endpoint: \"host:port/security\" or {host, port, security}")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<PartialEndpoint, E> {
        PartialEndpoint::parse(value).map_err(E::custom)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PartialEndpoint, A::Error> {
        let mut host = None;
        let mut port = None;
        let mut security = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "host" => {
                    let text: String = map.next_value()?;
                    host = Some(Host::parse(&text).map_err(de::Error::custom)?);
                }
                "port" => {
                    let value: u32 = map.next_value()?;
                    port = Some(u16::try_from(value).ok().filter(|p| *p != 0).ok_or_else(
                        || de::Error::custom(format!("port {value} is not from 1 to 65535")),
                    )?);
                }
                "security" => {
                    let word: String = map.next_value()?;
                    security = Some(Security::from_word(&word).ok_or_else(|| {
                        de::Error::custom(format!(
                            "security \"{word}\" is unknown (use tls, ssl, starttls or plain)"
                        ))
                    })?);
                }
                other => {
                    return Err(de::Error::unknown_field(
                        other,
                        &["host", "port", "security"],
                    ));
                }
            }
        }
        let host = host.ok_or_else(|| de::Error::missing_field("host"))?;
        Ok(PartialEndpoint {
            host,
            port,
            security,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(spec: &str, protocol: Protocol) -> String {
        Endpoint::parse(spec, protocol).unwrap().to_string()
    }

    #[test]
    fn missing_parts_take_the_protocol_standard() {
        let cases = [
            (
                "smtp.example.com",
                Protocol::Smtp,
                "smtp.example.com:587/starttls",
            ),
            (
                "smtp.example.com/tls",
                Protocol::Smtp,
                "smtp.example.com:465/tls",
            ),
            (
                "smtp.example.com/ssl",
                Protocol::Smtp,
                "smtp.example.com:465/tls",
            ),
            (
                "smtp.example.com/plain",
                Protocol::Smtp,
                "smtp.example.com:587/plain",
            ),
            (
                "smtp.example.com:465",
                Protocol::Smtp,
                "smtp.example.com:465/tls",
            ),
            (
                "smtp.example.com:25",
                Protocol::Smtp,
                "smtp.example.com:25/starttls",
            ),
            (
                "imap.example.com",
                Protocol::Imap,
                "imap.example.com:993/tls",
            ),
            (
                "imap.example.com/starttls",
                Protocol::Imap,
                "imap.example.com:143/starttls",
            ),
            (
                "imap.example.com/none",
                Protocol::Imap,
                "imap.example.com:143/plain",
            ),
            ("pop.example.com", Protocol::Pop3, "pop.example.com:995/tls"),
            (
                "pop.example.com/stls",
                Protocol::Pop3,
                "pop.example.com:110/starttls",
            ),
            (
                "pop.example.com:110",
                Protocol::Pop3,
                "pop.example.com:110/starttls",
            ),
            ("[::1]:993/tls", Protocol::Imap, "[::1]:993/tls"),
            ("[::1]", Protocol::Imap, "[::1]:993/tls"),
            ("::1", Protocol::Pop3, "[::1]:995/tls"),
            (
                "127.0.0.1:1025/starttls",
                Protocol::Smtp,
                "127.0.0.1:1025/starttls",
            ),
            ("127.0.0.1:1143", Protocol::Imap, "127.0.0.1:1143/tls"),
        ];
        for (spec, protocol, want) in cases {
            assert_eq!(ep(spec, protocol), want, "{spec}");
        }
    }

    #[test]
    fn display_round_trips() {
        for spec in [
            "a.example:465/starttls",
            "[2001:db8::1]:110/plain",
            "10.0.0.1:993/tls",
        ] {
            assert_eq!(ep(spec, Protocol::Imap), spec);
        }
    }

    #[test]
    fn a_port_of_another_protocol_keeps_its_own_security() {
        // 993 on the SMTP line is still implicit TLS; the cross-protocol rule reports it.
        assert_eq!(
            ep("imap.example.com:993", Protocol::Smtp),
            "imap.example.com:993/tls"
        );
    }

    #[test]
    fn bad_specs_name_the_bad_part() {
        let cases = [
            ("smtp.example.com:0", "port \"0\""),
            ("smtp.example.com:70000", "port \"70000\""),
            ("smtp.example.com:abc", "port \"abc\""),
            ("smtp.example.com:", "port \"\""),
            ("smtp.example.com/tsl", "security \"tsl\""),
            ("smtp.example.com/", "security \"\""),
            ("fe80::1:99999", "brackets"),
            ("[::1]x", "not a valid IPv6"),
            ("smtp example.com", "contains ' '"),
            (":587", "empty"),
        ];
        for (spec, want) in cases {
            let err = PartialEndpoint::parse(spec).unwrap_err().to_string();
            assert!(err.contains(want), "{spec}: {err}");
            assert!(
                err.contains(spec.trim()),
                "{spec}: error should quote the spec: {err}"
            );
        }
    }
}
