//! What a probe run is allowed to do and how long each step may take.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use hickory_resolver::TokioResolver;

use super::dns::Family;
use super::tls::Connectors;
use crate::account::Protocol;
use crate::secret::Credentials;

/// Per-stage time limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Duration,
    pub greeting: Duration,
    /// Every command after the greeting (EHLO, CAPA, STARTTLS, AUTH, the TLS handshake).
    pub command: Duration,
    /// The whole endpoint, all stages together.
    pub endpoint: Duration,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            connect: Duration::from_secs(5),
            greeting: Duration::from_secs(10),
            command: Duration::from_secs(10),
            endpoint: Duration::from_secs(30),
        }
    }
}

impl Timeouts {
    /// The defaults scaled so that the whole endpoint gets `total` (`--timeout SECS`).
    pub fn scaled_to(total: Duration) -> Timeouts {
        let base = Timeouts::default();
        let factor = total.as_secs_f64() / base.endpoint.as_secs_f64();
        let scale = |d: Duration| Duration::from_secs_f64((d.as_secs_f64() * factor).max(0.05));
        Timeouts {
            connect: scale(base.connect),
            greeting: scale(base.greeting),
            command: scale(base.command),
            endpoint: scale(base.endpoint),
        }
    }

    /// The limit a stage runs under, as a watcher should be told it; the resolver's own
    /// retries bound a lookup, and the endpoint's limit bounds them all.
    pub fn of_stage(&self, stage: super::observation::StageName) -> Option<Duration> {
        use super::observation::StageName;
        match stage {
            StageName::Resolve => None,
            StageName::Connect => Some(self.connect),
            StageName::Greeting => Some(self.greeting),
            StageName::Quit => Some(self.command.min(Duration::from_secs(2))),
            _ => Some(self.command),
        }
    }

    /// How long a silent plaintext greeting is awaited before checking, on a second
    /// connection and while still waiting, whether the port speaks TLS instead: a few hundred
    /// milliseconds (servers greet within a few; a slower one only costs a second connection).
    pub fn tls_sniff_after(&self) -> Duration {
        (self.greeting / 4).min(Duration::from_millis(300))
    }
}

/// Everything the probes of one check share.
#[derive(Clone)]
pub struct ProbeSettings {
    pub timeouts: Timeouts,
    pub family: Family,
    pub resolver: Arc<TokioResolver>,
    pub connectors: Connectors,
    /// Per protocol (user-name forms differ); set only with `--login`.
    pub credentials: BTreeMap<Protocol, Credentials>,
    pub allow_plaintext_auth: bool,
    /// The name to verify certificates for (and send as SNI) instead of each endpoint's host:
    /// for servers reached by address or by an internal name.
    pub tls_name: Option<String>,
    /// What to ask after a login.
    pub access: AccessPlan,
}

/// The questions after a login: may `from` send to `rcpt`; and whether to send a test message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessPlan {
    /// The sender to ask about (`--from`, else the account's address).
    pub from: Option<String>,
    /// The recipient to ask about (`--rcpt`, else the account's address).
    pub rcpt: Option<String>,
    /// Send a short, labelled test message after the questions (`--send-test`): the only
    /// thing maildoctor ever sends beyond questions.
    pub send_test: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_scale_together() {
        let t = Timeouts::scaled_to(Duration::from_secs(3));
        assert_eq!(t.endpoint, Duration::from_secs(3));
        assert_eq!(t.connect, Duration::from_millis(500));
        assert_eq!(t.greeting, Duration::from_secs(1));
        assert_eq!(
            Timeouts::default().tls_sniff_after(),
            Duration::from_millis(300),
            "a quarter of the 10 s greeting limit, capped at 300 ms"
        );
        assert_eq!(
            Timeouts::scaled_to(Duration::from_secs(3)).tls_sniff_after(),
            Duration::from_millis(250),
            "a quarter of the scaled 1 s greeting limit"
        );
    }
}
