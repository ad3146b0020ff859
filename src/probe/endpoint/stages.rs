//! The stage list of a run: each stage starts, finishes with a status and a detail, and is
//! sent as an event while it happens.

use std::sync::Arc;
use std::time::Instant;

use super::Run;
use crate::probe::events::ProbeEvent;
use crate::probe::observation::Direction;
use crate::probe::observation::{Failure, Stage, StageName, StageStatus};
use crate::probe::transcript::Transcript;

impl Run<'_> {
    pub(super) fn start(&mut self, stage: StageName) {
        let at = Instant::now();
        self.current = Some((stage, at));
        let limit = self.settings.timeouts.of_stage(stage);
        self.sink.send(|id| ProbeEvent::StageStarted {
            id,
            stage,
            at,
            limit,
        });
    }

    pub(super) fn finish(&mut self, status: StageStatus, detail: impl Into<String>) {
        let Some((name, since)) = self.current.take() else {
            return;
        };
        let stage = Stage {
            name,
            status,
            elapsed: since.elapsed(),
            detail: self.scrubber.scrub(&detail.into()).into_owned(),
        };
        self.sink.send(|id| ProbeEvent::StageFinished {
            id,
            stage: stage.clone(),
        });
        self.obs.stages.push(stage);
    }

    pub(super) fn skip(&mut self, stage: StageName, detail: &str) {
        self.start(stage);
        self.finish(StageStatus::Skipped, detail);
    }

    pub(super) fn fail(&mut self, failure: Failure, detail: impl Into<String>) {
        self.finish(StageStatus::Failed, detail);
        self.obs.failure = Some(failure);
    }

    pub(super) fn transcript(&self) -> Transcript {
        Transcript::streaming(
            self.started,
            self.sink.clone(),
            Arc::clone(&self.log),
            Arc::clone(&self.scrubber),
        )
    }

    pub(super) fn note(&self, text: &str) {
        let mut t = self.transcript();
        t.push(Direction::Note, text);
    }

    /// The name TLS sends (SNI) and verifies the certificate for: `--tls-name`, else the host.
    pub(super) fn host_name(&self) -> String {
        self.settings
            .tls_name
            .clone()
            .unwrap_or_else(|| self.obs.endpoint.host.as_string())
    }
}
