//! Finding an address's settings when no profile knows its domain: what DNS (MX, SRV), the
//! domain's own autoconfig file, the ISPDB and guessing claim, each kept with its source so
//! the sources can be shown side by side and the one that is wrong named.

pub mod autoconfig;
pub mod dns;
pub mod gather;
pub mod http;
pub mod mx;
pub mod recommend;
pub mod sources;
pub mod srv;
pub mod trust;

use std::time::{Duration, Instant};

use crate::account::{Address, Protocol};
use crate::finding::Finding;
use crate::probe::observation::Observation;

use gather::{Asking, Candidate, Gathered};
use recommend::Choice;

/// Each source's limit unless `--timeout` says otherwise: Thunderbird's for its HTTP fetches.
pub const SOURCE_TIMEOUT: Duration = Duration::from_secs(5);

/// Special-use domains (RFC 2606, RFC 6761, RFC 6762, RFC 8375, and ICANN's `internal`):
/// no public DNS, autoconfig server or ISPDB knows them, so asking is pointless, and for
/// `invalid` and `localhost` wrong. Only a DNS server of the user's (`--dns-server`) can.
pub fn special_use(domain: &str) -> bool {
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    let last = domain.rsplit('.').next().unwrap_or_default();
    matches!(
        last,
        "test" | "example" | "invalid" | "localhost" | "local" | "internal"
    ) || domain.ends_with("home.arpa")
        || ["example.com", "example.net", "example.org"]
            .iter()
            .any(|d| domain == *d || domain.ends_with(&format!(".{d}")))
}

/// Everything one discovery found.
#[derive(Debug, Clone)]
pub struct Discovery {
    pub gathered: Gathered,
    pub candidates: Vec<Candidate>,
    /// What the probes saw (empty with `--no-probe`).
    pub observations: Vec<Observation>,
    pub probed: bool,
    pub choices: Vec<Choice>,
    pub findings: Vec<Finding>,
    pub elapsed: Duration,
}

impl Discovery {
    /// The recommended endpoint's observation for a protocol.
    pub fn observation(&self, protocol: Protocol) -> Option<&Observation> {
        let choice = self.choices.iter().find(|c| c.protocol == protocol)?;
        observed(&self.observations, protocol, &choice.endpoint)
    }

    /// The profile the sources settled on: the domain's own, else the MX's.
    pub fn profile(&self) -> Option<&str> {
        match &self.gathered.mx {
            Some(mx::MxVerdict::Provider { profile, .. }) => Some(profile),
            _ => None,
        }
    }
}

/// Asks every source, guesses where none answers, probes what they name (unless `probe` is
/// off), and recommends one server per protocol.
pub async fn discover(address: &Address, asking: &Asking<'_>, probe: bool) -> Discovery {
    let started = Instant::now();
    let gathered = gather::gather(address, asking).await;
    let candidates = gather::candidates(&gathered);
    let observations = if probe {
        gather::probe(&candidates, std::sync::Arc::clone(&asking.settings), |n| {
            asking.tell(gather::Progress::Probing { endpoints: n });
        })
        .await
    } else {
        Vec::new()
    };
    let choices = recommend::recommend(&candidates, &observations, probe);
    let findings = recommend::findings(&gathered, &candidates, &observations, &choices, probe);
    Discovery {
        gathered,
        candidates,
        observations,
        probed: probe,
        choices,
        findings,
        elapsed: started.elapsed(),
    }
}

/// What the probes saw of one endpoint, if it was probed.
pub fn observed<'a>(
    observations: &'a [Observation],
    protocol: Protocol,
    endpoint: &crate::account::Endpoint,
) -> Option<&'a Observation> {
    observations
        .iter()
        .find(|o| o.protocol == protocol && o.endpoint == *endpoint)
}
