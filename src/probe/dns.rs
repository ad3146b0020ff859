//! The resolve stage: A and AAAA through hickory-resolver, with the three kinds of "no"
//! told apart (no such domain, no address records, resolver failure).

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use hickory_resolver::TokioResolver;
use hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::RecordType;
use thiserror::Error;

use crate::account::Host;

use super::observation::DnsOutcome;

/// Which address families to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Family {
    #[default]
    Both,
    V4,
    V6,
}

impl Family {
    pub fn allows(self, ip: &IpAddr) -> bool {
        match self {
            Family::Both => true,
            Family::V4 => ip.is_ipv4(),
            Family::V6 => ip.is_ipv6(),
        }
    }
}

#[derive(Debug, Error)]
#[error("cannot set up the DNS resolver: {0}")]
pub struct ResolverError(String);

/// The system resolver, or one DNS server given with `--dns-server`.
pub fn build_resolver(
    server: Option<SocketAddr>,
    timeout: Duration,
) -> Result<TokioResolver, ResolverError> {
    let mut builder = match server {
        Some(addr) => {
            let mut ns = NameServerConfig::udp_and_tcp(addr.ip());
            for connection in &mut ns.connections {
                connection.port = addr.port();
            }
            TokioResolver::builder_with_config(
                ResolverConfig::from_name_servers(vec![ns]),
                TokioRuntimeProvider::default(),
            )
        }
        None => TokioResolver::builder_tokio().map_err(|e| ResolverError(e.to_string()))?,
    };
    let options: &mut ResolverOpts = builder.options_mut();
    options.timeout = timeout;
    options.attempts = 1;
    options.cache_size = 64;
    builder.build().map_err(|e| ResolverError(e.to_string()))
}

/// Resolves a host to the addresses of the allowed families.
pub async fn resolve(resolver: &TokioResolver, host: &Host, family: Family) -> DnsOutcome {
    let name = match host {
        Host::Ip(ip) => return DnsOutcome::Literal(*ip),
        // Fully qualified, so no search domain is tried first.
        Host::Name(name) => format!("{name}."),
    };
    let (v4, v6) = tokio::join!(
        lookup(resolver, &name, RecordType::A, family != Family::V6),
        lookup(resolver, &name, RecordType::AAAA, family != Family::V4),
    );
    combine(v4, v6)
}

/// One record type's result: addresses, "no records", "no such name", or a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
enum TypeResult {
    Skipped,
    Addresses(Vec<IpAddr>),
    NoRecords,
    NxDomain,
    Failed(String),
}

async fn lookup(
    resolver: &TokioResolver,
    name: &str,
    kind: RecordType,
    wanted: bool,
) -> TypeResult {
    if !wanted {
        return TypeResult::Skipped;
    }
    match resolver.lookup(name, kind).await {
        Ok(lookup) => {
            let addrs: Vec<IpAddr> = lookup
                .answers()
                .iter()
                .filter_map(|r| r.data.ip_addr())
                .collect();
            if addrs.is_empty() {
                TypeResult::NoRecords
            } else {
                TypeResult::Addresses(addrs)
            }
        }
        Err(e) if e.is_nx_domain() => TypeResult::NxDomain,
        Err(e) if e.is_no_records_found() => TypeResult::NoRecords,
        Err(e) => TypeResult::Failed(in_words(&e)),
    }
}

/// A resolver's failure as a person reads it: the library's own text can carry its debug
/// dump of the query (`no records found for Query { name: Name(…) … }`).
pub fn in_words(e: &hickory_resolver::net::NetError) -> String {
    use hickory_resolver::net::{DnsError, NetError};
    use hickory_resolver::proto::op::ResponseCode;
    match e {
        NetError::Timeout => "the DNS server did not answer in time".to_owned(),
        NetError::NoConnections => {
            "no DNS server could be asked (none configured in /etc/resolv.conf, or none reachable)"
                .to_owned()
        }
        NetError::Io(io) => format!("the DNS server could not be reached ({})", io.kind()),
        NetError::Dns(DnsError::ResponseCode(ResponseCode::ServFail)) => {
            "the DNS server failed to answer (SERVFAIL)".to_owned()
        }
        NetError::Dns(DnsError::ResponseCode(ResponseCode::Refused)) => {
            "the DNS server refused to answer (REFUSED)".to_owned()
        }
        NetError::Dns(DnsError::ResponseCode(code)) => format!(
            "the DNS server answered with an error: {} ({})",
            code.to_str(),
            u16::from(*code)
        ),
        NetError::Dns(DnsError::NoRecordsFound(_)) => {
            "the DNS server has no such record".to_owned()
        }
        NetError::Proto(_) => "the DNS server's answer could not be read".to_owned(),
        _ => "the DNS lookup failed".to_owned(),
    }
}

/// Addresses from either family win; then NXDOMAIN; then a failure; else "no address".
fn combine(v4: TypeResult, v6: TypeResult) -> DnsOutcome {
    let mut addrs = Vec::new();
    for result in [&v4, &v6] {
        if let TypeResult::Addresses(list) = result {
            addrs.extend(list.iter().copied());
        }
    }
    if !addrs.is_empty() {
        return DnsOutcome::Resolved(addrs);
    }
    if v4 == TypeResult::NxDomain || v6 == TypeResult::NxDomain {
        return DnsOutcome::NoSuchHost;
    }
    for result in [v4, v6] {
        if let TypeResult::Failed(reason) = result {
            return DnsOutcome::Failed(reason);
        }
    }
    DnsOutcome::NoAddress
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_combine_in_the_right_order() {
        let a = TypeResult::Addresses(vec!["127.0.0.1".parse().unwrap()]);
        assert!(matches!(
            combine(a.clone(), TypeResult::Failed("x".into())),
            DnsOutcome::Resolved(_)
        ));
        assert_eq!(
            combine(TypeResult::NxDomain, TypeResult::NxDomain),
            DnsOutcome::NoSuchHost
        );
        assert_eq!(
            combine(TypeResult::NoRecords, TypeResult::NoRecords),
            DnsOutcome::NoAddress
        );
        assert_eq!(
            combine(TypeResult::NoRecords, TypeResult::Skipped),
            DnsOutcome::NoAddress
        );
        assert_eq!(
            combine(TypeResult::Failed("timeout".into()), TypeResult::NoRecords),
            DnsOutcome::Failed("timeout".into())
        );
    }

    #[tokio::test]
    async fn ip_literals_skip_dns() {
        let resolver = build_resolver(
            Some("127.0.0.1:53".parse().unwrap()),
            Duration::from_secs(1),
        )
        .unwrap();
        let host = Host::parse("127.0.0.1").unwrap();
        assert_eq!(
            resolve(&resolver, &host, Family::Both).await,
            DnsOutcome::Literal("127.0.0.1".parse().unwrap())
        );
    }
}
