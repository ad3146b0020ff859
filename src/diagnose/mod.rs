//! Observations in, findings out: pure functions from what the probes saw (plus the account and
//! the static findings) to what is wrong and what works instead.

mod access;
mod auth;
mod certs;
mod dialogue;
mod hints;
mod network;

pub use network::this_machines_dns;
mod token;

use std::fmt::Write as _;

use crate::account::{Account, Protocol};
use crate::finding::{Finding, FindingId, sort_worst_first};
use crate::probe::observation::{Failure, Observation};

/// Everything diagnose needs.
pub struct DiagnoseInput<'a> {
    pub account: &'a Account,
    /// The configured endpoints' observations.
    pub primary: &'a [Observation],
    /// Alternatives that were tried.
    pub alternatives: &'a [Observation],
    /// The static (lint) findings, which live evidence may confirm.
    pub static_findings: Vec<Finding>,
    pub thresholds: Thresholds,
    /// What the OAuth2 token's claims say, when the login uses one (`--oauth-token-env`).
    pub oauth: Option<crate::oauth::TokenFacts>,
}

/// Where a monitoring system draws its lines: certificate days left, and an endpoint's time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// A warning below this many days left.
    pub warn_cert_days: i64,
    /// An error below this many days left (0: only an expired certificate is one).
    pub crit_cert_days: i64,
    /// A warning when an endpoint's whole check takes longer.
    pub warn_time: Option<std::time::Duration>,
    /// An error when it takes longer.
    pub crit_time: Option<std::time::Duration>,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds {
            warn_cert_days: 14,
            crit_cert_days: 0,
            warn_time: None,
            crit_time: None,
        }
    }
}

/// All findings of a check, worst first: static and live merged, each problem once.
pub fn diagnose(input: DiagnoseInput) -> Vec<Finding> {
    let mut live = Vec::new();
    for obs in input.primary {
        live.extend(network::findings(obs));
        live.extend(dialogue::findings(obs));
        live.extend(certs::findings(obs, &input.thresholds));
        live.extend(slow_endpoint(obs, &input.thresholds));
        live.extend(auth::findings(obs, input.account));
        live.extend(access::findings(obs, input.account));
    }
    if let Some(token) = &input.oauth {
        live.extend(token::findings(token, input.primary, input.account));
    }
    let mut findings = merge(input.static_findings, live);
    attach_alternatives(&mut findings, input.primary, input.alternatives);
    sort_worst_first(&mut findings);
    findings
}

/// An endpoint slower than `--warn-time` or `--crit-time`: the limits a monitoring system
/// sets, so nothing is said without them.
fn slow_endpoint(obs: &Observation, thresholds: &Thresholds) -> Option<Finding> {
    let (limit, severity, flag) = match (thresholds.crit_time, thresholds.warn_time) {
        (Some(crit), _) if obs.elapsed > crit => {
            (crit, crate::finding::Severity::Error, "--crit-time")
        }
        (_, Some(warn)) if obs.elapsed > warn => {
            (warn, crate::finding::Severity::Warning, "--warn-time")
        }
        _ => return None,
    };
    let slowest = obs.stages.iter().max_by_key(|s| s.elapsed);
    let mut explanation = format!(
        "The whole check of {} took {} ms, more than the {} ms {flag} allows.",
        obs.endpoint.describe(),
        obs.elapsed.as_millis(),
        limit.as_millis()
    );
    if let Some(stage) = slowest {
        let _ = write!(
            explanation,
            " The slowest step was {} ({} ms).",
            stage.name.as_str(),
            stage.elapsed.as_millis()
        );
    }
    Some(
        Finding::new(
            FindingId::EndpointSlow,
            Some(obs.protocol),
            format!("{} answers slowly ({} ms)", obs.endpoint.host, obs.elapsed.as_millis()),
            explanation,
        )
        .with_severity(severity)
        .with_fix("If this is new, ask the server's administrator (or the provider's status page); a slow DNS step points at this network's resolver instead"),
    )
}

/// When a live fact proves a static suspicion (465 set to STARTTLS, and the server indeed
/// speaks TLS at once), keep one finding: the rule's, with the evidence added.
fn merge(mut static_findings: Vec<Finding>, live: Vec<Finding>) -> Vec<Finding> {
    let mut out = Vec::new();
    for finding in live {
        let proves = |s: &Finding| {
            s.protocol == finding.protocol
                && matches!(
                    (s.id, finding.id),
                    (
                        FindingId::PortSecurityMismatch,
                        FindingId::PlaintextOnTlsPort
                            | FindingId::TlsOnPlaintextPort
                            | FindingId::GreetingTimeout
                            | FindingId::TlsHandshakeFailed
                    ) | (
                        FindingId::AuthMechanismUnsupported,
                        FindingId::AuthMechanismUnsupported
                    ) | (
                        FindingId::IncomingServerAsOutgoing
                            | FindingId::OutgoingServerAsIncoming
                            | FindingId::ImapPop3Swap,
                        FindingId::WrongProtocol
                    )
                )
        };
        match static_findings.iter_mut().find(|s| proves(s)) {
            Some(rule) => {
                rule.explanation.push_str(" Confirmed by the server: ");
                rule.explanation.push_str(&finding.title);
                rule.explanation.push('.');
            }
            None => out.push(finding),
        }
    }
    static_findings.extend(out);
    static_findings
}

/// No alternative works: the worst finding's fix says what was tried, so it never seems to
/// offer a port the probes just found closed; and when every port was refused or dropped,
/// that the network is in the way.
fn say_what_was_tried(
    findings: &mut [Finding],
    protocol: Protocol,
    primary: &[Observation],
    alternatives: &[Observation],
) {
    let tried: Vec<&Observation> = alternatives
        .iter()
        .filter(|a| a.protocol == protocol)
        .collect();
    if tried.is_empty() {
        return;
    }
    let Some(worst) = findings
        .iter_mut()
        .filter(|f| f.protocol == Some(protocol) && f.severity > crate::finding::Severity::Info)
        .max_by_key(|f| f.severity)
    else {
        return;
    };
    let list: Vec<String> = tried
        .iter()
        .map(|a| format!("{} ({})", a.endpoint.describe(), a.outcome()))
        .collect();
    let blocked = |o: &&Observation| {
        matches!(
            o.failure,
            Some(Failure::ConnectTimeout | Failure::ConnectRefused | Failure::ConnectUnreachable)
        )
    };
    let said = format!(
        "maildoctor also tried {}: none works from here.",
        list.join(", ")
    );
    let configured: Vec<&Observation> = primary.iter().filter(|p| p.protocol == protocol).collect();
    if tried.iter().all(blocked) && configured.iter().all(blocked) {
        // Every door tried is shut: "try the other port" would send the user round in a
        // circle, so the fix says what is left, and the tries become the explanation.
        let mut ports: Vec<String> = configured
            .iter()
            .chain(&tried)
            .map(|o| o.endpoint.port.to_string())
            .collect();
        ports.dedup();
        let ports = match ports.split_last() {
            Some((last, [])) => format!("Port {last} is"),
            Some((last, rest)) => format!("Ports {} and {last} are all", rest.join(", ")),
            None => return,
        };
        let traffic = if protocol.is_incoming() {
            "incoming"
        } else {
            "outgoing"
        };
        let all = |f: fn(&Option<Failure>) -> bool| {
            configured.iter().chain(&tried).all(|o| f(&o.failure))
        };
        let how = if all(|f| matches!(f, Some(Failure::ConnectTimeout))) {
            "dropped (no answer at all)"
        } else if all(|f| matches!(f, Some(Failure::ConnectRefused))) {
            "refused"
        } else {
            "refused or dropped"
        };
        worst.fix = Some(format!(
            "{ports} {how} from here: this network blocks {traffic} mail. Try another network (a phone's hotspot will do), or ask the provider for another port."
        ));
        worst.explanation = format!("{} {said}", worst.explanation);
        return;
    }
    worst.fix = Some(match worst.fix.take() {
        Some(fix) => format!("{}. {said}", fix.trim_end_matches('.')),
        None => said,
    });
}

/// For each protocol whose configured endpoint failed or is suspect, name the alternative that
/// works from here: in a `working-alternative` finding, and in the fix of the worst finding.
fn attach_alternatives(
    findings: &mut Vec<Finding>,
    primary: &[Observation],
    alternatives: &[Observation],
) {
    for protocol in Protocol::ALL {
        let configured_works = primary.iter().any(|p| p.protocol == protocol && p.works());
        let Some(working) = alternatives
            .iter()
            .find(|a| a.protocol == protocol && a.works())
        else {
            if !configured_works {
                say_what_was_tried(findings, protocol, primary, alternatives);
            }
            continue;
        };
        let endpoint = working.endpoint.clone();
        let sentence = format!("{} works from here.", endpoint.describe());
        // Only a broken configured endpoint gets the alternative as its fix; when it works,
        // its worst finding (a login or certificate matter, say) is about something else.
        if let Some(worst) = findings
            .iter_mut()
            .filter(|f| f.protocol == Some(protocol) && f.severity > crate::finding::Severity::Info)
            .max_by_key(|f| f.severity)
            .filter(|_| !configured_works)
        {
            worst.fix = Some(match worst.fix.take() {
                Some(fix) => format!("{sentence} {fix}"),
                None => sentence.clone(),
            });
            worst.suggested = Some(endpoint.clone());
        }
        let title = if configured_works {
            format!("{} also works from here", endpoint.describe())
        } else {
            format!("{} works from here", endpoint.describe())
        };
        let renamed = primary
            .iter()
            .find(|p| p.protocol == protocol)
            .and_then(crate::probe::engine::cert_name_alternative)
            .is_some_and(|named| named == endpoint);
        let explanation = if renamed {
            format!(
                "The certificate is for {}: maildoctor tried that name with the same port and \
                 encryption, and {} answered, encrypted and with a trusted certificate.",
                endpoint.host,
                endpoint.describe()
            )
        } else {
            format!(
                "maildoctor tried the standard settings for {} on the same server: {} answered, \
                 encrypted and with a trusted certificate.",
                protocol.label(),
                endpoint.describe()
            )
        };
        let mut finding = Finding::new(
            FindingId::WorkingAlternative,
            Some(protocol),
            title,
            explanation,
        )
        .with_fix(format!(
            "{} server: {}",
            protocol.label(),
            endpoint.describe()
        ));
        finding.suggested = Some(endpoint);
        findings.push(finding);
    }
}
