//! One endpoint, stage by stage: resolve, connect, TLS or greeting, capabilities, STARTTLS,
//! capabilities again, login, quit. Every step has its own limit and the whole endpoint has one
//! more, so no server can hang the probe. What it sees goes into an [`Observation`].
//!
//! The run is split by job: [`stages`] keeps the stage list and its events, [`reach`] resolves
//! and connects, [`tls_pass`] does the handshakes (and the sniffing of a port that speaks TLS
//! or plaintext against the settings), [`conversation`] speaks the protocol after connect.

mod conversation;
mod reach;
mod stages;
mod tls_pass;

use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::account::{Endpoint, Protocol};

use super::connect::Pending;
use super::events::{EventSink, ProbeEvent};
use super::observation::TranscriptLine;
use super::observation::{CertVerdict, Failure, Observation, StageName, StageStatus};
use super::scrub::Scrubber;
use super::settings::ProbeSettings;

/// Probes one endpoint. Never panics on server input and always returns within the endpoint
/// limit (plus the few milliseconds it takes to close down).
pub async fn probe_endpoint(
    protocol: Protocol,
    endpoint: Endpoint,
    settings: &ProbeSettings,
    sink: EventSink,
    login: bool,
) -> Observation {
    let started = Instant::now();
    let mut run = Run {
        obs: Observation::new(protocol, endpoint),
        sink,
        started,
        current: None,
        pending: None,
        settings,
        log: Arc::default(),
        // Every protocol's credentials, not only this one's: one server may hear the password
        // over SMTP and echo it in its IMAP greeting.
        scrubber: Arc::new(Scrubber::new(settings.credentials.values())),
    };
    let limit = settings.timeouts.endpoint;
    if tokio::time::timeout(limit, run.go(login)).await.is_err() {
        let stage = run.current.map_or(StageName::Connect, |(s, _)| s);
        run.finish(
            StageStatus::Failed,
            format!(
                "the whole endpoint took longer than {} s",
                limit.as_secs_f32()
            ),
        );
        run.obs.failure.get_or_insert(Failure::Dropped {
            stage,
            reason: format!("no result within {} s", limit.as_secs_f32()),
        });
    }
    if let Some(pending) = run.pending.take() {
        // Bounded by the connect timeout of each attempt.
        run.obs.addresses.extend(pending.finish().await);
    }
    run.obs.transcript = run
        .log
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    run.obs.elapsed = started.elapsed();
    // The dialogue parsed what the server sent as it came; what is kept and shown has no
    // secret in it.
    run.scrubber.observation(&mut run.obs);
    let observation = run.obs;
    run.sink.send(|id| ProbeEvent::Finished {
        id,
        observation: Box::new(observation.clone()),
    });
    observation
}

/// How strictly certificates are checked on this pass.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Pass {
    Strict,
    /// Verification off, to read what the server presented; carries the strict verdict.
    Relaxed {
        verdict: CertVerdict,
        reason: String,
    },
}

/// The end of a dialogue pass.
enum PassEnd {
    Done,
    /// Strict verification failed: go again, relaxed, to see the rest.
    RetryRelaxed {
        verdict: CertVerdict,
        reason: String,
    },
}

/// One endpoint's probe while it runs.
struct Run<'a> {
    obs: Observation,
    sink: EventSink,
    started: Instant,
    current: Option<(StageName, Instant)>,
    pending: Option<Pending>,
    settings: &'a ProbeSettings,
    /// Every connection's transcript lines, in order; shared so a cut-off dialogue keeps them.
    log: Arc<Mutex<Vec<TranscriptLine>>>,
    scrubber: Arc<Scrubber>,
}

impl Run<'_> {
    /// Resolve, connect, then dialogue passes: strict first, relaxed again when only the
    /// certificate stood in the way.
    async fn go(&mut self, login: bool) {
        let Some(addrs) = self.resolve().await else {
            return;
        };
        let Some((addr, stream)) = self.connect(&addrs).await else {
            return;
        };
        let mut pass = Pass::Strict;
        let mut stream = Some(stream);
        loop {
            let tcp = match stream.take() {
                Some(s) => s,
                None => match self.reconnect(addr).await {
                    Some(s) => s,
                    None => return,
                },
            };
            match self.dialogue(addr, tcp, &pass, login).await {
                PassEnd::Done => return,
                PassEnd::RetryRelaxed { verdict, reason } => {
                    self.note(
                        "certificate not trusted; connecting again without verification to read it",
                    );
                    pass = Pass::Relaxed { verdict, reason };
                }
            }
        }
    }
}
