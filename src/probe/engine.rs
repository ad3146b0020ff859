//! All endpoints at once: one task per protocol, each probing its configured endpoint and, when
//! that fails or looks wrong, the standard alternatives on the same host, so the answer to "what
//! works from here?" arrives with the failure instead of after it.

use std::collections::BTreeSet;
use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinSet;

use crate::account::{Endpoint, Protocol};

use super::endpoint::probe_endpoint;
use super::events::{EventSink, ProbeEvent, ProbeId};
use super::observation::{Failure, Observation};
use super::settings::ProbeSettings;

/// What to probe.
#[derive(Debug, Clone, Default)]
pub struct CheckPlan {
    pub endpoints: Vec<(Protocol, Endpoint)>,
    /// Probe the standard alternatives when an endpoint fails or is suspect.
    pub alternatives: bool,
    /// Protocols whose settings the static rules already doubt: their alternatives start
    /// at once, alongside the configured endpoint.
    pub suspects: BTreeSet<Protocol>,
    /// The provider's documented endpoints, tried as alternatives too.
    pub profile_endpoints: Vec<(Protocol, Endpoint)>,
    /// Log in (configured endpoints only; alternatives never receive the password).
    pub login: bool,
}

/// Every observation of one check.
#[derive(Debug, Clone, Default)]
pub struct CheckResult {
    /// One per configured endpoint, in protocol order.
    pub primary: Vec<Observation>,
    /// Alternatives that were tried, in protocol order.
    pub alternatives: Vec<Observation>,
}

/// Runs the plan; events stream to `tx` while it runs.
pub async fn run(
    plan: CheckPlan,
    settings: Arc<ProbeSettings>,
    tx: Option<UnboundedSender<ProbeEvent>>,
) -> CheckResult {
    if plan
        .endpoints
        .iter()
        .any(|(_, e)| e.security != crate::account::Security::Plain)
    {
        settings.connectors.warm();
    }
    let mut tasks = JoinSet::new();
    for (protocol, endpoint) in plan.endpoints.clone() {
        let settings = Arc::clone(&settings);
        let tx = tx.clone();
        let candidates = if plan.alternatives {
            alternatives_for(protocol, &endpoint, &plan.profile_endpoints)
        } else {
            Vec::new()
        };
        let suspect = plan.suspects.contains(&protocol);
        let plan_alternatives = plan.alternatives;
        let login = plan.login;
        tasks.spawn(async move {
            let sink = EventSink::new(
                ProbeId {
                    protocol,
                    endpoint: endpoint.clone(),
                    alternative: false,
                },
                tx.clone(),
            );
            let primary = probe_endpoint(protocol, endpoint, &settings, sink, login);
            let (primary, mut alternatives) = if suspect && !candidates.is_empty() {
                tokio::join!(
                    primary,
                    probe_all(protocol, candidates, &settings, tx.clone())
                )
            } else {
                let primary = primary.await;
                let alternatives = if needs_alternatives(&primary) {
                    probe_all(protocol, candidates, &settings, tx.clone()).await
                } else {
                    Vec::new()
                };
                (primary, alternatives)
            };
            // Only the certificate says which name to try, so this one waits for the probe.
            // With --tls-name the user already says which name to verify; another would fail alike.
            if plan_alternatives
                && settings.tls_name.is_none()
                && let Some(named) = cert_name_alternative(&primary)
                && !alternatives.iter().any(|a| a.endpoint == named)
            {
                let found = probe_all(protocol, vec![named], &settings, tx).await;
                alternatives.splice(0..0, found);
            }
            (primary, alternatives)
        });
    }
    let mut result = CheckResult::default();
    while let Some(joined) = tasks.join_next().await {
        // A probe task only ends by returning; a panic would be a bug, and the other
        // endpoints' results are still worth reporting.
        if let Ok((primary, alternatives)) = joined {
            result.primary.push(primary);
            result.alternatives.extend(alternatives);
        }
    }
    result.primary.sort_by_key(|o| o.protocol);
    result.alternatives.sort_by_key(|o| o.protocol);
    result
}

async fn probe_all(
    protocol: Protocol,
    candidates: Vec<Endpoint>,
    settings: &ProbeSettings,
    tx: Option<UnboundedSender<ProbeEvent>>,
) -> Vec<Observation> {
    let probes = candidates.into_iter().map(|endpoint| {
        let sink = EventSink::new(
            ProbeId {
                protocol,
                endpoint: endpoint.clone(),
                alternative: true,
            },
            tx.clone(),
        );
        probe_endpoint(protocol, endpoint, settings, sink, false)
    });
    futures_util::future::join_all(probes).await
}

/// Whether a failure is one another port or mode could get around. DNS failures and refusals
/// by a working server are not: the same host on another port would not fix them.
pub fn needs_alternatives(observation: &Observation) -> bool {
    matches!(
        observation.failure,
        Some(
            Failure::ConnectRefused
                | Failure::ConnectTimeout
                | Failure::ConnectUnreachable
                | Failure::ConnectReset
                | Failure::ConnectOther(_)
                | Failure::TlsOnPlaintextPort { .. }
                | Failure::PlaintextOnTlsPort
                | Failure::WrongProtocol { .. }
                | Failure::GreetingTimeout
                | Failure::StarttlsNotOffered
                | Failure::StarttlsFailed { .. }
                | Failure::TlsHandshakeFailed { .. }
                | Failure::TlsVersionTooOld { .. }
        )
    )
}

/// The same port and mode under the name the certificate is for, when the certificate is valid
/// but for another name: the usual case of an alias or a hosting company's customer domain in
/// the settings. A wildcard or an address names no server to try, so only a plain DNS name
/// qualifies; the probe of it carries no password, like every alternative.
pub fn cert_name_alternative(observation: &Observation) -> Option<Endpoint> {
    let tls = observation.tls.as_ref()?;
    if tls.verdict != super::observation::CertVerdict::NameMismatch {
        return None;
    }
    let configured = observation.endpoint.host.name();
    tls.certificate.as_ref()?.san.iter().find_map(|san| {
        let host = crate::account::Host::parse(san).ok()?;
        let name = host.name()?;
        (!name.contains('*') && configured.is_none_or(|c| !c.eq_ignore_ascii_case(name))).then(
            || Endpoint {
                host: host.clone(),
                port: observation.endpoint.port,
                security: observation.endpoint.security,
            },
        )
    })
}

/// The standard port/security pairs on the same host, then the provider's endpoints; never
/// the configured endpoint itself, never port 25 (blocked for most users, and not for mail apps).
/// The most alternatives one endpoint gets: a profile that lists 200 endpoints must not make
/// a check open hundreds of connections.
pub const MAX_ALTERNATIVES: usize = 6;

pub fn alternatives_for(
    protocol: Protocol,
    configured: &Endpoint,
    profile: &[(Protocol, Endpoint)],
) -> Vec<Endpoint> {
    let mut out: Vec<Endpoint> = Vec::new();
    let standard = protocol
        .standard_pairs()
        .into_iter()
        .map(|(port, security)| Endpoint {
            host: configured.host.clone(),
            port,
            security,
        });
    let documented = profile
        .iter()
        .filter(|(p, _)| *p == protocol)
        .map(|(_, e)| e.clone());
    for candidate in standard.chain(documented) {
        if candidate != *configured && candidate.port != 25 && !out.contains(&candidate) {
            out.push(candidate);
        }
    }
    out.truncate(MAX_ALTERNATIVES);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::Endpoint;

    #[test]
    fn a_profile_with_hundreds_of_endpoints_gives_a_few_alternatives() {
        let configured = Endpoint::parse("smtp.example.org:465/starttls", Protocol::Smtp).unwrap();
        let profile: Vec<_> = (1..=200)
            .map(|n| {
                let spec = format!("smtp{n}.example.org:587/starttls");
                (
                    Protocol::Smtp,
                    Endpoint::parse(&spec, Protocol::Smtp).unwrap(),
                )
            })
            .collect();
        let alternatives = alternatives_for(Protocol::Smtp, &configured, &profile);
        assert_eq!(alternatives.len(), MAX_ALTERNATIVES);
        assert_eq!(
            alternatives[0].to_string(),
            "smtp.example.org:587/starttls",
            "the standard pairs on the same host come first"
        );
    }

    fn mismatched(host: &str, san: &[&str]) -> Observation {
        use crate::probe::observation::{CertInfo, CertVerdict, TlsInfo};
        let endpoint = Endpoint::parse(host, Protocol::Imap).unwrap();
        let mut obs = Observation::new(Protocol::Imap, endpoint);
        obs.tls = Some(TlsInfo {
            via_starttls: false,
            verdict: CertVerdict::NameMismatch,
            certificate: Some(CertInfo {
                subject: String::new(),
                issuer: String::new(),
                san: san.iter().map(|s| (*s).to_owned()).collect(),
                not_before: String::new(),
                not_after: String::new(),
                days_left: 90,
            }),
            reason: None,
            version: None,
            cipher: None,
        });
        obs
    }

    #[test]
    fn a_certificate_for_another_name_names_the_endpoint_to_try() {
        let named = |host, san: &[&str]| {
            cert_name_alternative(&mismatched(host, san)).map(|e| e.to_string())
        };
        assert_eq!(
            named(
                "mail.customer.example:993/tls",
                &["*.hoster.example", "mx1.hoster.example"]
            ),
            Some("mx1.hoster.example:993/tls".to_owned()),
            "a wildcard names no server; the next plain name does"
        );
        assert_eq!(
            named(
                "192.0.2.7:143/starttls",
                &["192.0.2.7", "Mail.Hoster.Example"]
            ),
            Some("mail.hoster.example:143/starttls".to_owned()),
            "same port and mode, the name in its usual form"
        );
        assert_eq!(
            named("mail.customer.example:993/tls", &["*.hoster.example"]),
            None
        );
        assert_eq!(
            named("MAIL.hoster.example:993/tls", &["mail.hoster.example"]),
            None,
            "the same name again would fail alike"
        );
        let mut trusted = mismatched("mail.customer.example:993/tls", &["mx1.hoster.example"]);
        trusted.tls.as_mut().unwrap().verdict = crate::probe::observation::CertVerdict::Expired;
        assert_eq!(
            cert_name_alternative(&trusted),
            None,
            "only a name mismatch"
        );
    }

    #[test]
    fn alternatives_are_the_standard_pairs_then_the_profile() {
        let configured = Endpoint::parse("smtp.example.org:465/starttls", Protocol::Smtp).unwrap();
        let profile = vec![
            (
                Protocol::Smtp,
                Endpoint::parse("mail.example.org:587/starttls", Protocol::Smtp).unwrap(),
            ),
            (
                Protocol::Smtp,
                Endpoint::parse("mail.example.org:25/starttls", Protocol::Smtp).unwrap(),
            ),
            (
                Protocol::Imap,
                Endpoint::parse("mail.example.org:993/tls", Protocol::Imap).unwrap(),
            ),
        ];
        let got: Vec<String> = alternatives_for(Protocol::Smtp, &configured, &profile)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            got,
            [
                "smtp.example.org:587/starttls",
                "smtp.example.org:465/tls",
                "mail.example.org:587/starttls"
            ]
        );
        let configured = Endpoint::parse("smtp.example.org:587/starttls", Protocol::Smtp).unwrap();
        let got: Vec<String> = alternatives_for(Protocol::Smtp, &configured, &[])
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(got, ["smtp.example.org:465/tls"]);
    }
}
