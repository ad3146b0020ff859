//! The dashboard's state and its one way of changing: `update(msg)`. No I/O here, so every key
//! and probe event is tested by feeding messages and looking at the model.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::account::{Endpoint, Protocol};
use crate::finding::{Finding, Severity, sort_worst_first, worst};
use crate::probe::events::ProbeEvent;
use crate::probe::observation::{Observation, Stage, StageName};
use crate::probe::transcript::TranscriptLine;

/// What one pane shows: the configured endpoint and its live stages.
#[derive(Debug, Clone, Default)]
pub struct Pane {
    pub endpoint: Option<Endpoint>,
    pub stages: Vec<Stage>,
    /// The stage under way, if any.
    pub running: Option<StageName>,
    pub observation: Option<Observation>,
    pub transcript: Vec<TranscriptLine>,
}

impl Pane {
    /// Whether the pane's probe has finished.
    pub fn done(&self) -> bool {
        self.observation.is_some() || self.endpoint.is_none()
    }
}

/// Overlays drawn over the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help,
    Transcript { scroll: u16 },
}

/// Keys the dashboard understands, already decoded from the terminal's events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Quit,
    NextPane,
    PrevPane,
    Up,
    Down,
    Enter,
    Rerun,
    /// Use the selected finding's suggested endpoint.
    Apply,
    Transcript,
    Help,
    Escape,
    Other,
}

/// Everything that can happen to the dashboard.
#[derive(Debug, Clone)]
pub enum Msg {
    Key(Key),
    Probe(ProbeEvent),
    /// The whole check finished; these are all the findings, worst first.
    CheckDone(Vec<Finding>),
    /// Time passed (only sent while a spinner is visible).
    Tick(Duration),
}

/// What the event loop must do after an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    None,
    Quit,
    /// Start the whole check again.
    Rerun,
    /// Replace a protocol's endpoint with this one, then check again.
    Apply(Protocol, Endpoint),
}

/// The dashboard's model.
#[derive(Debug, Clone)]
pub struct App {
    pub address: Option<String>,
    pub username: Option<String>,
    pub profile: Option<String>,
    pub panes: BTreeMap<Protocol, Pane>,
    pub focus: Protocol,
    pub findings: Vec<Finding>,
    pub selected: usize,
    pub running: bool,
    pub elapsed: Duration,
    pub spinner: usize,
    pub overlay: Overlay,
    pub details: bool,
}

impl App {
    /// A dashboard for these endpoints, with the static findings known before any probe.
    pub fn new(
        address: Option<String>,
        username: Option<String>,
        profile: Option<String>,
        endpoints: &[(Protocol, Endpoint)],
        mut findings: Vec<Finding>,
    ) -> App {
        let mut panes = BTreeMap::new();
        for protocol in Protocol::ALL {
            let endpoint = endpoints
                .iter()
                .find(|(p, _)| *p == protocol)
                .map(|(_, e)| e.clone());
            panes.insert(
                protocol,
                Pane {
                    endpoint,
                    ..Pane::default()
                },
            );
        }
        sort_worst_first(&mut findings);
        App {
            address,
            username,
            profile,
            panes,
            focus: Protocol::Smtp,
            findings,
            selected: 0,
            running: true,
            elapsed: Duration::ZERO,
            spinner: 0,
            overlay: Overlay::None,
            details: true,
        }
    }

    /// The worst severity so far.
    pub fn verdict(&self) -> Option<Severity> {
        worst(&self.findings)
    }

    pub fn pane(&self, protocol: Protocol) -> &Pane {
        &self.panes[&protocol]
    }

    /// Applies one message.
    pub fn update(&mut self, msg: Msg) -> Action {
        match msg {
            Msg::Key(key) => return self.key(key),
            Msg::Probe(event) => self.probe(event),
            Msg::CheckDone(findings) => {
                self.findings = findings;
                self.selected = self.selected.min(self.findings.len().saturating_sub(1));
                self.running = false;
                for pane in self.panes.values_mut() {
                    pane.running = None;
                }
            }
            Msg::Tick(elapsed) => {
                self.elapsed = elapsed;
                self.spinner = self.spinner.wrapping_add(1);
            }
        }
        Action::None
    }

    fn key(&mut self, key: Key) -> Action {
        if let Overlay::Transcript { scroll } = self.overlay {
            match key {
                Key::Up => {
                    self.overlay = Overlay::Transcript {
                        scroll: scroll.saturating_sub(1),
                    }
                }
                Key::Down => {
                    self.overlay = Overlay::Transcript {
                        scroll: scroll.saturating_add(1),
                    }
                }
                Key::Quit => return Action::Quit,
                Key::Escape | Key::Transcript | Key::Enter => self.overlay = Overlay::None,
                _ => {}
            }
            return Action::None;
        }
        if self.overlay == Overlay::Help {
            return match key {
                Key::Quit => Action::Quit,
                _ => {
                    self.overlay = Overlay::None;
                    Action::None
                }
            };
        }
        match key {
            Key::Quit | Key::Escape => return Action::Quit,
            Key::NextPane => self.focus = cycle(self.focus, 1),
            Key::PrevPane => self.focus = cycle(self.focus, 2),
            Key::Up => self.selected = self.selected.saturating_sub(1),
            Key::Down => {
                self.selected = (self.selected + 1).min(self.findings.len().saturating_sub(1))
            }
            Key::Enter => self.details = !self.details,
            Key::Transcript => self.overlay = Overlay::Transcript { scroll: 0 },
            Key::Help => self.overlay = Overlay::Help,
            Key::Rerun => {
                self.restart();
                return Action::Rerun;
            }
            Key::Apply => {
                let Some((protocol, endpoint)) = self.suggestion() else {
                    return Action::None;
                };
                if let Some(pane) = self.panes.get_mut(&protocol) {
                    pane.endpoint = Some(endpoint.clone());
                }
                self.focus = protocol;
                self.selected = 0;
                self.restart();
                return Action::Apply(protocol, endpoint);
            }
            Key::Other => {}
        }
        Action::None
    }

    /// Clears every pane for a new run; static findings come back with the run.
    fn restart(&mut self) {
        for pane in self.panes.values_mut() {
            let endpoint = pane.endpoint.take();
            *pane = Pane {
                endpoint,
                ..Pane::default()
            };
        }
        self.running = true;
        self.elapsed = Duration::ZERO;
    }

    fn probe(&mut self, event: ProbeEvent) {
        let id = match &event {
            ProbeEvent::StageStarted { id, .. }
            | ProbeEvent::StageFinished { id, .. }
            | ProbeEvent::Transcript { id, .. }
            | ProbeEvent::Finished { id, .. } => id,
        };
        // Alternatives show up in the findings, not in the panes.
        if id.alternative {
            return;
        }
        let Some(pane) = self.panes.get_mut(&id.protocol) else {
            return;
        };
        match event {
            ProbeEvent::StageStarted { stage, .. } => pane.running = Some(stage),
            ProbeEvent::StageFinished { stage, .. } => {
                pane.running = None;
                pane.stages.push(stage);
            }
            ProbeEvent::Transcript { line, .. } => pane.transcript.push(line),
            ProbeEvent::Finished { observation, .. } => {
                pane.running = None;
                pane.observation = Some(*observation);
            }
        }
    }

    /// The selected finding.
    pub fn selected_finding(&self) -> Option<&Finding> {
        self.findings.get(self.selected)
    }

    /// The endpoint the selected finding suggests, and for which protocol.
    pub fn suggestion(&self) -> Option<(Protocol, Endpoint)> {
        let finding = self.selected_finding()?;
        Some((finding.protocol?, finding.suggested.clone()?))
    }
}

fn cycle(protocol: Protocol, step: usize) -> Protocol {
    let i = Protocol::ALL
        .iter()
        .position(|p| *p == protocol)
        .unwrap_or(0);
    Protocol::ALL[(i + step) % Protocol::ALL.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::FindingId;
    use crate::probe::events::ProbeId;
    use crate::probe::observation::StageStatus;

    fn app() -> App {
        let smtp = Endpoint::parse("smtp.example.org:465/starttls", Protocol::Smtp).unwrap();
        let findings = vec![
            Finding::new(FindingId::HostAlias, Some(Protocol::Smtp), "alias", ""),
            Finding::new(
                FindingId::PortSecurityMismatch,
                Some(Protocol::Smtp),
                "mismatch",
                "",
            ),
        ];
        App::new(
            Some("a@example.org".into()),
            None,
            None,
            &[(Protocol::Smtp, smtp)],
            findings,
        )
    }

    fn id(protocol: Protocol) -> ProbeId {
        ProbeId {
            protocol,
            endpoint: Endpoint::parse("smtp.example.org:465/starttls", protocol).unwrap(),
            alternative: false,
        }
    }

    #[test]
    fn static_findings_show_worst_first_before_any_probe() {
        let app = app();
        assert_eq!(app.findings[0].id, FindingId::PortSecurityMismatch);
        assert_eq!(app.verdict(), Some(Severity::Error));
        assert!(app.running);
        assert!(
            app.pane(Protocol::Imap).done(),
            "an unconfigured pane has nothing to wait for"
        );
    }

    #[test]
    fn keys_move_focus_and_selection_and_quit() {
        let mut app = app();
        assert_eq!(app.update(Msg::Key(Key::NextPane)), Action::None);
        assert_eq!(app.focus, Protocol::Imap);
        app.update(Msg::Key(Key::PrevPane));
        app.update(Msg::Key(Key::PrevPane));
        assert_eq!(app.focus, Protocol::Pop3);
        app.update(Msg::Key(Key::Down));
        app.update(Msg::Key(Key::Down));
        assert_eq!(app.selected, 1, "selection stops at the last finding");
        app.update(Msg::Key(Key::Up));
        assert_eq!(app.selected, 0);
        assert_eq!(app.update(Msg::Key(Key::Quit)), Action::Quit);
    }

    #[test]
    fn overlays_open_scroll_and_close() {
        let mut app = app();
        app.update(Msg::Key(Key::Transcript));
        app.update(Msg::Key(Key::Down));
        assert_eq!(app.overlay, Overlay::Transcript { scroll: 1 });
        app.update(Msg::Key(Key::Escape));
        assert_eq!(app.overlay, Overlay::None);
        app.update(Msg::Key(Key::Help));
        assert_eq!(app.update(Msg::Key(Key::Down)), Action::None);
        assert_eq!(app.overlay, Overlay::None, "any key closes help");
    }

    #[test]
    fn probe_events_fill_the_pane_live() {
        let mut app = app();
        app.update(Msg::Probe(ProbeEvent::StageStarted {
            id: id(Protocol::Smtp),
            stage: StageName::Connect,
        }));
        assert_eq!(app.pane(Protocol::Smtp).running, Some(StageName::Connect));
        let stage = Stage {
            name: StageName::Connect,
            status: StageStatus::Ok,
            elapsed: Duration::from_millis(3),
            detail: "127.0.0.1:465".into(),
        };
        app.update(Msg::Probe(ProbeEvent::StageFinished {
            id: id(Protocol::Smtp),
            stage,
        }));
        assert_eq!(app.pane(Protocol::Smtp).stages.len(), 1);
        assert_eq!(app.pane(Protocol::Smtp).running, None);
        let mut alt = id(Protocol::Smtp);
        alt.alternative = true;
        app.update(Msg::Probe(ProbeEvent::StageStarted {
            id: alt,
            stage: StageName::Tls,
        }));
        assert_eq!(
            app.pane(Protocol::Smtp).running,
            None,
            "alternatives do not take over the pane"
        );
        app.update(Msg::CheckDone(vec![]));
        assert!(!app.running);
        assert_eq!(app.verdict(), None);
    }

    #[test]
    fn apply_uses_the_suggested_endpoint_and_checks_again() {
        let mut app = app();
        assert_eq!(
            app.update(Msg::Key(Key::Apply)),
            Action::None,
            "nothing suggested yet"
        );
        let mut finding = Finding::new(
            FindingId::ConnectTimeout,
            Some(Protocol::Smtp),
            "blocked",
            "",
        );
        let working = Endpoint::parse("smtp.example.org:587/starttls", Protocol::Smtp).unwrap();
        finding.suggested = Some(working.clone());
        app.update(Msg::CheckDone(vec![finding]));
        assert_eq!(
            app.update(Msg::Key(Key::Apply)),
            Action::Apply(Protocol::Smtp, working.clone())
        );
        assert_eq!(app.pane(Protocol::Smtp).endpoint, Some(working));
        assert!(app.running);
    }

    #[test]
    fn rerun_clears_the_panes_and_asks_for_a_new_check() {
        let mut app = app();
        app.update(Msg::CheckDone(vec![]));
        assert_eq!(app.update(Msg::Key(Key::Rerun)), Action::Rerun);
        assert!(app.running);
        assert!(app.pane(Protocol::Smtp).endpoint.is_some());
    }
}
