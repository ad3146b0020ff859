//! DNS and connection findings.

use std::fmt::Write as _;

use crate::finding::{Finding, FindingId};
use crate::probe::observation::{ConnectOutcome, DnsOutcome, Failure, Observation};

pub(super) fn findings(obs: &Observation) -> Vec<Finding> {
    let p = Some(obs.protocol);
    let host = &obs.endpoint.host;
    let port = obs.endpoint.port;
    let mut out = Vec::new();
    let finding = match &obs.failure {
        Some(Failure::DnsNoSuchHost) => Some(Finding::new(
            FindingId::DnsNoSuchHost,
            p,
            format!("{host} does not exist"),
            format!("DNS says there is no such name as {host}. The server name is mistyped, or it is a name the provider has retired."),
        ).with_fix("Check the spelling against the provider's help page")),
        Some(Failure::DnsNoAddress) => Some(Finding::new(
            FindingId::DnsNoAddress,
            p,
            format!("{host} has no address"),
            format!("The name {host} exists in DNS but points to no server address (for the address family allowed). It is not a mail server name, or its records are broken."),
        ).with_fix("Use the server name from the provider's help page")),
        Some(Failure::DnsFailure(reason)) => Some(Finding::new(
            FindingId::DnsFailure,
            p,
            format!("{host} could not be looked up"),
            "The DNS resolver did not give an answer. This is a problem of the network or its DNS server, not of the mail settings.".to_owned(),
        ).with_evidence(format!("Resolver: {reason}")).with_fix("Check the internet connection, or try another DNS server with --dns-server")),
        Some(Failure::ConnectRefused) => Some(Finding::new(
            FindingId::ConnectRefused,
            p,
            format!("{host} refused the connection on port {port}"),
            format!("The server is reachable, but nothing listens on port {port}: the port is wrong, or the mail service there is down."),
        ).with_fix(format!("Check the port: {} uses {}", obs.protocol.label(), standard(obs.protocol)))),
        Some(Failure::ConnectTimeout) => Some(Finding::new(
            FindingId::ConnectTimeout,
            p,
            format!("No answer from {host} on port {port}"),
            format!("The connection attempt got no answer at all: something on the way (a firewall, the ISP, a hotel or corporate network) silently drops port {port}. {}", if port == 25 { "Port 25 is blocked by most home ISPs." } else { "The settings may be right; the network is in the way." }),
        ).with_fix("Try the other standard port, or another network")),
        Some(Failure::ConnectUnreachable) => Some(Finding::new(
            FindingId::ConnectUnreachable,
            p,
            format!("{host} is unreachable"),
            "There is no route to the server, or a firewall rejects the connection outright. Check the network connection and any VPN or firewall.".to_owned(),
        ).with_fix("Check the network connection, the VPN and the firewall, or try another network")),
        Some(Failure::ConnectReset) => Some(Finding::new(
            FindingId::ConnectReset,
            p,
            format!("The connection to {host}:{port} was reset"),
            "The connection was cut as it opened: a firewall, an intrusion-prevention system, or a server that is overloaded or blocks this address.".to_owned(),
        ).with_fix("Try again later or from another network; if it keeps happening, ask the provider whether it blocks this address")),
        Some(Failure::ConnectOther(reason)) => Some(Finding::new(
            FindingId::ConnectUnreachable,
            p,
            format!("Could not connect to {host}:{port}"),
            "The connection could not be opened.".to_owned(),
        ).with_evidence(reason.clone()).with_fix("Check the network connection, the VPN and the firewall, or try another network")),
        _ => None,
    };
    out.extend(finding);
    let v6_failed = obs.addresses.iter().any(|a| {
        a.addr.is_ipv6()
            && !matches!(
                a.outcome,
                ConnectOutcome::Connected | ConnectOutcome::NotTried
            )
    });
    let v4_worked = obs
        .addresses
        .iter()
        .any(|a| a.addr.is_ipv4() && a.outcome == ConnectOutcome::Connected);
    if v6_failed && v4_worked {
        out.push(
            Finding::new(
                FindingId::Ipv6Broken,
                p,
                format!("{host} fails over IPv6 but works over IPv4"),
                "The server's IPv6 address does not answer from this network while IPv4 works. Apps that try IPv6 first may wait a long time or fail.".to_owned(),
            )
            .with_fix("Ask the network or the provider to fix IPv6; meanwhile the app may need IPv4 (maildoctor: --ipv4)"),
        );
    }
    out
}

fn standard(protocol: crate::account::Protocol) -> String {
    let [(p1, s1), (p2, s2)] = protocol.standard_pairs();
    format!("{p1} with {} or {p2} with {}", s1.label(), s2.label())
}

/// When no name could be looked up from here, and a name that cannot fail did (a provider's
/// documented server) or every lookup failed in the resolver itself, the cause is this
/// machine's DNS or network: one finding says so, in place of a finding per host that would
/// blame the settings ("mistyped, or retired"). `documented` says whether a host is one a
/// provider's profile documents.
pub fn this_machines_dns(
    findings: &mut Vec<Finding>,
    primary: &[Observation],
    documented: impl Fn(&str) -> bool,
) {
    let looked: Vec<&Observation> = primary
        .iter()
        .filter(|o| !matches!(o.dns, None | Some(DnsOutcome::Literal(_))))
        .collect();
    let failed = |o: &&Observation| {
        matches!(
            o.failure,
            Some(Failure::DnsNoSuchHost | Failure::DnsFailure(_))
        )
    };
    if looked.is_empty() || !looked.iter().all(failed) {
        return;
    }
    let known: Vec<String> = looked
        .iter()
        .filter_map(|o| o.endpoint.host.name().filter(|h| documented(h)))
        .map(str::to_owned)
        .collect();
    // A resolver that failed for names of several domains is this machine's; for one
    // domain's names, that domain's own DNS may be down (dns-failure says so).
    let domains: std::collections::BTreeSet<&str> = looked
        .iter()
        .filter_map(|o| o.endpoint.host.name())
        .map(|h| psl::domain_str(h).unwrap_or(h))
        .collect();
    let resolver_failed = domains.len() > 1
        && looked
            .iter()
            .all(|o| matches!(o.failure, Some(Failure::DnsFailure(_))));
    if known.is_empty() && !resolver_failed {
        return;
    }
    let mut hosts: Vec<String> = looked
        .iter()
        .map(|o| {
            let why = match &o.failure {
                Some(Failure::DnsFailure(reason)) => reason.clone(),
                _ => "does not exist (NXDOMAIN)".to_owned(),
            };
            format!("{}: {why}", o.endpoint.host)
        })
        .collect();
    hosts.dedup();
    let mut explanation = format!(
        "None of the servers could be looked up from here ({}).",
        hosts.join("; ")
    );
    if !known.is_empty() {
        let _ = write!(
            explanation,
            " {} {} the provider's documented server names, which exist: the names are right, and the answer is wrong here.",
            known.join(", "),
            if known.len() == 1 { "is" } else { "are" }
        );
    }
    explanation.push_str(" The mail settings are not the problem.");
    findings.retain(|f| !matches!(f.id, FindingId::DnsNoSuchHost | FindingId::DnsFailure));
    findings.push(
        Finding::new(
            FindingId::DnsNotWorking,
            None,
            "This machine's DNS (or its network) is not working".to_owned(),
            explanation,
        )
        .with_fix("Check the network connection and the DNS servers this machine uses (/etc/resolv.conf, or resolvectl status), or ask another DNS server with --dns-server IP"),
    );
    crate::finding::sort_worst_first(findings);
}
