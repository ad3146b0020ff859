//! SRV records for mail services (RFC 6186, RFC 8314 §5.1): which label means which protocol
//! and encryption, the order records are used in, and "." as "decidedly not offered".

use crate::account::{Endpoint, Host, Protocol, Security};

/// The labels asked, each with what it means.
pub const LABELS: [(&str, Protocol, Security); 6] = [
    ("_submissions._tcp", Protocol::Smtp, Security::Tls),
    ("_submission._tcp", Protocol::Smtp, Security::Starttls),
    ("_imaps._tcp", Protocol::Imap, Security::Tls),
    ("_imap._tcp", Protocol::Imap, Security::Starttls),
    ("_pop3s._tcp", Protocol::Pop3, Security::Tls),
    ("_pop3._tcp", Protocol::Pop3, Security::Starttls),
];

/// A domain may publish hundreds of records; a few per label are all anyone uses.
pub const MAX_PER_LABEL: usize = 4;

/// One SRV record as the resolver gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrvRecord {
    pub priority: u16,
    pub weight: u16,
    pub port: u16,
    /// Lower case, without the trailing dot; empty for the root (".").
    pub target: String,
}

impl SrvRecord {
    pub fn new(priority: u16, weight: u16, port: u16, target: &str) -> SrvRecord {
        SrvRecord {
            priority,
            weight,
            port,
            target: target.trim_end_matches('.').to_ascii_lowercase(),
        }
    }
}

/// What one label's records say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SrvAnswer {
    /// The servers, in the order to use them: priority, then the heavier weight first.
    Offered(Vec<Endpoint>),
    /// A single record with target "." (RFC 2782): the domain says the service is not offered.
    NotOffered,
}

/// The endpoints a label's records name; `None` when it has none worth using (no records,
/// or only targets that are not host names, or port 0).
pub fn answer(security: Security, records: &[SrvRecord]) -> Option<SrvAnswer> {
    if records.len() == 1 && records[0].target.is_empty() {
        return Some(SrvAnswer::NotOffered);
    }
    let mut sorted = records.to_vec();
    sorted.sort_by_key(|r| (r.priority, std::cmp::Reverse(r.weight)));
    let mut endpoints: Vec<Endpoint> = Vec::new();
    for record in sorted {
        let Ok(host) = Host::parse(&record.target) else {
            continue;
        };
        let endpoint = Endpoint {
            host,
            port: record.port,
            security,
        };
        if record.port != 0 && !endpoints.contains(&endpoint) {
            endpoints.push(endpoint);
        }
        if endpoints.len() == MAX_PER_LABEL {
            break;
        }
    }
    (!endpoints.is_empty()).then_some(SrvAnswer::Offered(endpoints))
}

/// RFC 8314 §5.1 (b): without DNSSEC, a target outside the email domain needs the user's
/// confirmation (the DNS answer could have been forged to send them elsewhere).
pub fn target_elsewhere(target: &Host, email_domain: &str) -> bool {
    let domain = email_domain.trim_end_matches('.').to_ascii_lowercase();
    match target.name() {
        Some(name) => name != domain && !name.ends_with(&format!(".{domain}")),
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs(answer: Option<SrvAnswer>) -> Vec<String> {
        match answer {
            Some(SrvAnswer::Offered(list)) => list.iter().map(ToString::to_string).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn records_are_used_by_priority_then_weight() {
        let records = [
            SrvRecord::new(20, 0, 993, "backup.example.org."),
            SrvRecord::new(10, 10, 993, "light.example.org."),
            SrvRecord::new(10, 90, 993, "Heavy.Example.org."),
        ];
        assert_eq!(
            specs(answer(Security::Tls, &records)),
            [
                "heavy.example.org:993/tls",
                "light.example.org:993/tls",
                "backup.example.org:993/tls"
            ]
        );
    }

    #[test]
    fn a_dot_target_says_not_offered() {
        assert_eq!(
            answer(Security::Starttls, &[SrvRecord::new(0, 0, 0, ".")]),
            Some(SrvAnswer::NotOffered)
        );
        assert_eq!(answer(Security::Tls, &[]), None);
    }

    #[test]
    fn hundreds_of_records_give_a_few_endpoints_and_junk_is_skipped() {
        let mut records: Vec<SrvRecord> = (0..300)
            .map(|n| SrvRecord::new(n, 0, 465, &format!("smtp{n}.example.org")))
            .collect();
        records.insert(0, SrvRecord::new(0, 0, 0, "zero-port.example.org"));
        records.insert(0, SrvRecord::new(0, 0, 465, "bad..name"));
        let got = specs(answer(Security::Tls, &records));
        assert_eq!(got.len(), MAX_PER_LABEL);
        assert_eq!(got[0], "smtp0.example.org:465/tls");
    }

    #[test]
    fn targets_outside_the_email_domain_are_told() {
        let host = |s| Host::parse(s).unwrap();
        assert!(!target_elsewhere(&host("imap.example.org"), "example.org"));
        assert!(!target_elsewhere(&host("example.org"), "Example.Org."));
        assert!(target_elsewhere(
            &host("imap.hoster.example"),
            "example.org"
        ));
        assert!(target_elsewhere(&host("evil-example.org"), "example.org"));
        assert!(target_elsewhere(&host("192.0.2.1"), "example.org"));
    }
}
