//! The event stream a probe run emits: the text/JSON reporters and the TUI are its sinks.

use tokio::sync::mpsc::UnboundedSender;

use crate::account::{Endpoint, Protocol};

use super::observation::TranscriptLine;
use super::observation::{Observation, Stage, StageName};

/// Which probe an event belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProbeId {
    pub protocol: Protocol,
    pub endpoint: Endpoint,
    /// A standard alternative tried because the configured endpoint failed or looked wrong.
    pub alternative: bool,
}

/// Something that happened during a check.
#[derive(Debug, Clone)]
pub enum ProbeEvent {
    StageStarted {
        id: ProbeId,
        stage: StageName,
        /// When it started: a watcher shows how long it has waited.
        at: std::time::Instant,
        /// How long it may take, when it has its own limit.
        limit: Option<std::time::Duration>,
    },
    StageFinished {
        id: ProbeId,
        stage: Stage,
    },
    Transcript {
        id: ProbeId,
        line: TranscriptLine,
    },
    Finished {
        id: ProbeId,
        observation: Box<Observation>,
    },
}

/// Where a probe sends its events; a sink without a channel drops them.
#[derive(Debug, Clone)]
pub struct EventSink {
    pub id: ProbeId,
    tx: Option<UnboundedSender<ProbeEvent>>,
}

impl EventSink {
    pub fn new(id: ProbeId, tx: Option<UnboundedSender<ProbeEvent>>) -> EventSink {
        EventSink { id, tx }
    }

    pub fn send(&self, make: impl FnOnce(ProbeId) -> ProbeEvent) {
        if let Some(tx) = &self.tx {
            // A receiver that went away (the UI quit) is no reason to stop probing.
            let _ = tx.send(make(self.id.clone()));
        }
    }
}
