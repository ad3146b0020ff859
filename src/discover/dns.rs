//! The DNS questions discovery asks (MX, and SRV under the six mail labels) through the same
//! resolver the probes use, so `--dns-server` answers every one of them.

use hickory_resolver::TokioResolver;
use hickory_resolver::proto::rr::{RData, RecordType};

use super::mx::MxRecord;
use super::srv::SrvRecord;

/// What one DNS question got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer<T> {
    Records(Vec<T>),
    /// The name exists but has no records of this type.
    NoRecords,
    NoSuchDomain,
    Failed(String),
}

/// Fully qualified, so no search domain is tried first.
fn fqdn(name: &str) -> String {
    format!("{}.", name.trim_end_matches('.'))
}

pub async fn mx(resolver: &TokioResolver, domain: &str) -> Answer<MxRecord> {
    records(resolver, &fqdn(domain), RecordType::MX, |data| match data {
        RData::MX(mx) => Some(MxRecord::new(mx.preference, &mx.exchange.to_ascii())),
        _ => None,
    })
    .await
}

pub async fn srv(resolver: &TokioResolver, label: &str, domain: &str) -> Answer<SrvRecord> {
    let name = fqdn(&format!("{label}.{domain}"));
    records(resolver, &name, RecordType::SRV, |data| match data {
        RData::SRV(srv) => Some(SrvRecord::new(
            srv.priority,
            srv.weight,
            srv.port,
            &srv.target.to_ascii(),
        )),
        _ => None,
    })
    .await
}

async fn records<T>(
    resolver: &TokioResolver,
    name: &str,
    kind: RecordType,
    pick: impl Fn(&RData) -> Option<T>,
) -> Answer<T> {
    match resolver.lookup(name, kind).await {
        Ok(lookup) => {
            let found: Vec<T> = lookup
                .answers()
                .iter()
                .filter_map(|r| pick(&r.data))
                .collect();
            if found.is_empty() {
                Answer::NoRecords
            } else {
                Answer::Records(found)
            }
        }
        Err(e) if e.is_nx_domain() => Answer::NoSuchDomain,
        Err(e) if e.is_no_records_found() => Answer::NoRecords,
        Err(e) => Answer::Failed(crate::probe::dns::in_words(&e)),
    }
}
