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
            if suspect && !candidates.is_empty() {
                let (primary, alternatives) =
                    tokio::join!(primary, probe_all(protocol, candidates, &settings, tx));
                return (primary, alternatives);
            }
            let primary = primary.await;
            let alternatives = if needs_alternatives(&primary) {
                probe_all(protocol, candidates, &settings, tx).await
            } else {
                Vec::new()
            };
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
