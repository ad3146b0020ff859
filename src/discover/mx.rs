//! Who handles a domain's mail, from its MX records: a provider maildoctor has a profile for,
//! a filtering gateway in front of a hidden mailbox provider, a forwarding-only service, or
//! nobody (Null MX, RFC 7505). DNS is unauthenticated, so the answer is a claim to confirm,
//! never a decision made silently.

use crate::profile::ProfileStore;

/// One MX record as the resolver gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MxRecord {
    pub preference: u16,
    /// Lower case, without the trailing dot; empty for the root (".").
    pub exchange: String,
}

impl MxRecord {
    pub fn new(preference: u16, exchange: &str) -> MxRecord {
        MxRecord {
            preference,
            exchange: exchange.trim_end_matches('.').to_ascii_lowercase(),
        }
    }
}

/// What a service in front of the mailbox does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceKind {
    /// Filters mail, then passes it on to the real mailbox provider, which the MX hides.
    Gateway,
    /// Forwards mail to another address; there is no mailbox to log in to.
    Forwarding,
}

/// Services recognised by their MX, as data: pattern (a leading '.' matches any host ending
/// in it), kind, name shown.
const SERVICES: &[(&str, ServiceKind, &str)] = &[
    (".mimecast.com", ServiceKind::Gateway, "Mimecast"),
    (".mimecast-offshore.com", ServiceKind::Gateway, "Mimecast"),
    (".pphosted.com", ServiceKind::Gateway, "Proofpoint"),
    (
        ".ppe-hosted.com",
        ServiceKind::Gateway,
        "Proofpoint Essentials",
    ),
    (".barracudanetworks.com", ServiceKind::Gateway, "Barracuda"),
    (
        ".messagelabs.com",
        ServiceKind::Gateway,
        "Symantec Email Security (MessageLabs)",
    ),
    (".mxlogic.net", ServiceKind::Gateway, "McAfee MX Logic"),
    (
        ".iphmx.com",
        ServiceKind::Gateway,
        "Cisco Secure Email (IronPort)",
    ),
    (".sophos.com", ServiceKind::Gateway, "Sophos Email"),
    (
        ".trendmicro.com",
        ServiceKind::Gateway,
        "Trend Micro Email Security",
    ),
    (
        ".trendmicro.eu",
        ServiceKind::Gateway,
        "Trend Micro Email Security",
    ),
    (
        ".hornetsecurity.com",
        ServiceKind::Gateway,
        "Hornetsecurity",
    ),
    (
        ".mx.cloudflare.net",
        ServiceKind::Forwarding,
        "Cloudflare Email Routing",
    ),
    (
        ".registrar-servers.com",
        ServiceKind::Forwarding,
        "Namecheap email forwarding",
    ),
    (".improvmx.com", ServiceKind::Forwarding, "ImprovMX"),
    (
        ".forwardemail.net",
        ServiceKind::Forwarding,
        "Forward Email",
    ),
];

/// What the MX records say about who handles the mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MxVerdict {
    /// No MX records: mail goes to the domain's own address (implicit MX); no provider to infer.
    NoRecords,
    /// A Null MX: the domain says it accepts no mail at all.
    NullMx,
    /// A provider maildoctor has a profile for.
    Provider { profile: String, mx: String },
    /// A gateway or forwarding service.
    Service {
        kind: ServiceKind,
        name: &'static str,
        mx: String,
    },
    /// An MX no profile or service knows (often the domain's own server).
    Unknown { mx: String },
}

/// The records most preferred first (lowest preference value), in the resolver's order
/// within one preference.
pub fn by_preference(records: &[MxRecord]) -> Vec<MxRecord> {
    let mut sorted = records.to_vec();
    sorted.sort_by_key(|r| r.preference);
    sorted
}

/// Matches the MX hosts, most preferred first, against the profiles and the known services.
pub fn classify(records: &[MxRecord], store: &ProfileStore) -> MxVerdict {
    let sorted = by_preference(records);
    let Some(first) = sorted.first() else {
        return MxVerdict::NoRecords;
    };
    // RFC 7505: a single record whose exchange is the root means "no mail here".
    if sorted.len() == 1 && first.exchange.is_empty() {
        return MxVerdict::NullMx;
    }
    for record in sorted.iter().filter(|r| !r.exchange.is_empty()) {
        if let Some(profile) = store.for_mx(&record.exchange) {
            return MxVerdict::Provider {
                profile: profile.id.clone(),
                mx: record.exchange.clone(),
            };
        }
        if let Some((_, kind, name)) = SERVICES
            .iter()
            .find(|(pattern, _, _)| matches(pattern, &record.exchange))
        {
            return MxVerdict::Service {
                kind: *kind,
                name,
                mx: record.exchange.clone(),
            };
        }
    }
    MxVerdict::Unknown {
        mx: sorted
            .iter()
            .find(|r| !r.exchange.is_empty())
            .map_or_else(String::new, |r| r.exchange.clone()),
    }
}

fn matches(pattern: &str, host: &str) -> bool {
    match pattern.strip_prefix('.') {
        Some(suffix) => host.ends_with(pattern) || host == suffix,
        None => host == pattern,
    }
}

/// The domains Thunderbird derives from the most-preferred MX for its lookups: the MX host
/// without its first label (only when longer than the base), and its registrable domain by
/// the Public Suffix List. Neither when the base is the address's own domain.
pub fn derived_domains(mx: &str, email_domain: &str) -> Vec<String> {
    let mx = mx.trim_end_matches('.').to_ascii_lowercase();
    let Some(base) = psl::domain_str(&mx).map(str::to_owned) else {
        return Vec::new();
    };
    if base.eq_ignore_ascii_case(email_domain) {
        return Vec::new();
    }
    let mut out = Vec::new();
    if let Some((_, full)) = mx.split_once('.')
        && full.len() > base.len()
    {
        out.push(full.to_owned());
    }
    out.push(base);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(records: &[(u16, &str)]) -> MxVerdict {
        let store = ProfileStore::embedded().unwrap();
        let records: Vec<MxRecord> = records.iter().map(|(p, e)| MxRecord::new(*p, e)).collect();
        classify(&records, &store)
    }

    fn provider(records: &[(u16, &str)]) -> String {
        match verdict(records) {
            MxVerdict::Provider { profile, .. } => profile,
            other => panic!("{records:?}: {other:?}"),
        }
    }

    /// Every pattern of the research table (discovery-and-import.md A.5), with a real-looking MX.
    #[test]
    fn the_providers_are_known_by_their_mx() {
        for (mx, id) in [
            ("contoso-com.mail.protection.outlook.com.", "microsoft365"),
            ("contoso-com.o-v1.mx.microsoft.", "microsoft365"),
            ("smtp.google.com.", "google-workspace"),
            ("aspmx.l.google.com.", "google-workspace"),
            ("alt3.aspmx.l.google.com.", "google-workspace"),
            ("aspmx2.googlemail.com.", "google-workspace"),
            ("gmail-smtp-in.l.google.com.", "gmail"),
            ("outlook-com.olc.protection.outlook.com.", "outlook"),
            ("mta5.am0.yahoodns.net.", "yahoo"),
            ("mx-eu.mail.am0.yahoodns.net.", "yahoo"),
            ("mx-aol.mail.gm0.yahoodns.net.", "aol"),
            ("mx01.mail.icloud.com.", "icloud"),
            ("in1-smtp.messagingengine.com.", "fastmail"),
            ("mx.zoho.eu.", "zoho-eu"),
            ("mx2.zoho.com.", "zoho-com"),
            ("mx.zoho.in.", "zoho-in"),
            ("mx.zoho.com.au.", "zoho-com-au"),
            ("mx.zoho.jp.", "zoho-jp"),
            ("mail.protonmail.ch.", "proton-bridge"),
            ("mailsec.protonmail.ch.", "proton-bridge"),
            ("mxext1.mailbox.org.", "mailbox-org"),
            ("mx.yandex.net.", "yandex"),
            ("mailstore1.secureserver.net.", "godaddy"),
            ("smtp.europe.secureserver.net.", "godaddy"),
            ("mx00.ionos.de.", "ionos"),
            ("mx00.kundenserver.de.", "ionos"),
            ("mx1.mail.ovh.net.", "ovh"),
            ("smtpin.rzone.de.", "strato"),
            ("mx.your-server.de.", "hetzner"),
            ("mx1.privateemail.com.", "namecheap-private-email"),
            ("mx1.emailsrvr.com.", "rackspace"),
            ("spool.mail.gandi.net.", "gandi"),
            ("mx1.one.com.", "one-com"),
            ("mx00.gmx.net.", "gmx-net"),
            ("mx01.mail.com.", "mail-com"),
        ] {
            assert_eq!(provider(&[(10, mx)]), id, "{mx}");
        }
    }

    #[test]
    fn the_most_preferred_mx_decides() {
        // A backup MX at a gateway does not hide the provider of the primary one.
        assert_eq!(
            provider(&[
                (20, "eu-smtp-inbound-1.mimecast.com"),
                (5, "aspmx.l.google.com")
            ]),
            "google-workspace"
        );
        assert_eq!(
            provider(&[(10, "mail.mycompany.example"), (20, "mx2.zoho.com")]),
            "zoho-com",
            "an own server first, then a known provider"
        );
    }

    #[test]
    fn gateways_and_forwarders_are_named_instead_of_a_provider() {
        for (mx, kind, name) in [
            (
                "eu-smtp-inbound-1.mimecast.com",
                ServiceKind::Gateway,
                "Mimecast",
            ),
            (
                "mx0a-00123.pphosted.com",
                ServiceKind::Gateway,
                "Proofpoint",
            ),
            (
                "d123.ess.barracudanetworks.com",
                ServiceKind::Gateway,
                "Barracuda",
            ),
            (
                "cluster1.eu.messagelabs.com",
                ServiceKind::Gateway,
                "Symantec Email Security (MessageLabs)",
            ),
            (
                "route1.mx.cloudflare.net",
                ServiceKind::Forwarding,
                "Cloudflare Email Routing",
            ),
            (
                "eforward3.registrar-servers.com",
                ServiceKind::Forwarding,
                "Namecheap email forwarding",
            ),
        ] {
            assert_eq!(
                verdict(&[(10, mx)]),
                MxVerdict::Service {
                    kind,
                    name,
                    mx: mx.to_owned()
                },
                "{mx}"
            );
        }
    }

    #[test]
    fn a_null_mx_no_mx_and_an_own_server_are_told_apart() {
        assert_eq!(verdict(&[(0, ".")]), MxVerdict::NullMx);
        assert_eq!(verdict(&[]), MxVerdict::NoRecords);
        assert_eq!(
            verdict(&[(10, "Mail.MyCompany.Example.")]),
            MxVerdict::Unknown {
                mx: "mail.mycompany.example".to_owned()
            }
        );
        // A look-alike is not the provider.
        assert_eq!(
            verdict(&[(10, "aspmx.l.google.com.evil.example")]),
            MxVerdict::Unknown {
                mx: "aspmx.l.google.com.evil.example".to_owned()
            }
        );
    }

    #[test]
    fn thunderbird_s_mx_derived_domains() {
        assert_eq!(
            derived_domains("contoso-com.mail.protection.outlook.com.", "contoso.com"),
            ["mail.protection.outlook.com", "outlook.com"]
        );
        assert_eq!(
            derived_domains("aspmx.l.google.com", "x.example"),
            ["l.google.com", "google.com"]
        );
        assert_eq!(
            derived_domains("contoso-com.o-v1.mx.microsoft", "contoso.com"),
            ["o-v1.mx.microsoft", "mx.microsoft"]
        );
        assert_eq!(
            derived_domains("in1-smtp.messagingengine.com", "x.example"),
            ["messagingengine.com"]
        );
        assert!(derived_domains("mail.mycompany.example", "mycompany.example").is_empty());
    }
}
