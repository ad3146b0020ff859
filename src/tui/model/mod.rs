//! The dashboard's state and its one way of changing: `update(msg)`. No I/O here, so every key
//! and probe event is tested by feeding messages and looking at the model (`tests.rs`); keys
//! are in `input.rs`.

mod input;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::account::{Endpoint, Protocol};
use crate::finding::{Finding, Severity, sort_worst_first, worst};
use crate::probe::events::ProbeEvent;
use crate::probe::observation::TranscriptLine;
use crate::probe::observation::{Observation, Stage, StageName};
use crate::secret::Secret;

pub use crate::discover::gather::Progress;

use super::forms::{EditForm, PasswordForm, Picker, ProfileItem, SaveForm};
pub use super::keys::Key;

/// What one pane shows: the configured endpoint and its live stages.
#[derive(Debug, Clone, Default)]
pub struct Pane {
    pub endpoint: Option<Endpoint>,
    pub stages: Vec<Stage>,
    /// The stage under way, if any.
    pub running: Option<StageName>,
    /// Since when it runs, and its limit: "connect 2.1 s / 5 s".
    pub waiting: Option<(Instant, Option<Duration>)>,
    pub observation: Option<Observation>,
    /// Other ports and modes tried for this protocol; they feed the findings, not the pane.
    pub alternatives: Vec<Observation>,
    pub transcript: Vec<TranscriptLine>,
    /// The probe run this pane listens to: events of an earlier, cancelled run are dropped.
    pub run: u64,
    pub probing: bool,
}

impl Pane {
    /// Whether the pane has nothing left to wait for.
    pub fn done(&self) -> bool {
        !self.probing
    }
}

/// What is drawn over (or, for the editor, inside) the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help,
    Transcript {
        scroll: u16,
    },
    /// How the settings were found: every source, then every server named, one to pick.
    Discovery {
        selected: usize,
    },
    /// The mail clients' accounts found on this machine, one to check.
    Clients {
        selected: usize,
    },
    /// The focused pane's endpoint, edited in place.
    Edit(EditForm),
    Picker(Picker),
    Password(PasswordForm),
    /// Where to save the account file.
    Save(SaveForm),
}

/// Everything that can happen to the dashboard.
#[derive(Debug, Clone)]
pub enum Msg {
    Key(Key),
    /// A live event of probe run `run`.
    Probe {
        run: u64,
        event: ProbeEvent,
    },
    /// A pane's probe run finished, at `at`, with the alternatives it tried (its own
    /// observation came as the run's last event).
    PaneDone {
        protocol: Protocol,
        run: u64,
        alternatives: Vec<Observation>,
        at: Instant,
    },
    /// The runs asked for were started, at `at`.
    Started(Instant),
    /// Every finding known now (static and live, merged), in any order.
    Findings(Vec<Finding>),
    /// The clock, only sent while a spinner is visible.
    Tick(Instant),
    /// A line for the footer: what a save or an export did.
    Status(String),
    /// The password was taken: every pane is checked again with it.
    LoggedIn,
    /// The password was not taken, and why.
    LoginRefused(String),
    /// Another profile is now the one compared with.
    Profile(ProfileView),
    /// The file to save exists: ask before overwriting it.
    SaveExists(PathBuf),
    /// The terminal changed size: draw again, change nothing.
    Redraw,
    /// A discovery source has answered, or its probes have started.
    Discovering(Progress),
    /// Discovery beside the given servers has answered: its view, then the findings again.
    DiscoveryDone(DiscoveryView),
    /// Discovery could not run, and why.
    DiscoveryFailed(String),
}

/// What discovery found, for the `d` view.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiscoveryView {
    /// The sources asked and what each said, as `discover` prints them.
    pub sources: Vec<String>,
    /// Every server a source names (and the guesses that work), to pick from.
    pub servers: Vec<FoundServer>,
}

/// One server discovery found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundServer {
    pub protocol: Protocol,
    pub endpoint: Endpoint,
    /// The sources naming it, most trusted first ("SRV, autoconfig").
    pub named_by: String,
    /// What the probe saw ("works", "refused"…), or `None` when not probed.
    pub verdict: Option<String>,
    pub recommended: bool,
}

/// A mail client's account found on this machine, as the `clients` command lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientItem {
    /// "msmtp · ~/.msmtprc · work: SMTP smtp.example.org:465 SSL/TLS".
    pub label: String,
    /// The `--import` argument that selects it.
    pub import: String,
}

impl ClientItem {
    /// Every account of the files `clients` lists, as the picker shows it.
    pub fn all(listed: &[crate::import::Listed]) -> Vec<ClientItem> {
        let mut out = Vec::new();
        for file in listed {
            for account in file.accounts.iter().flatten() {
                let servers: Vec<String> = account
                    .servers
                    .iter()
                    .map(|(p, e)| format!("{} {}", p.label(), e.describe()))
                    .collect();
                out.push(ClientItem {
                    label: format!(
                        "{} · {} · {}: {}",
                        file.kind.label(),
                        file.shown,
                        account.name,
                        servers.join(", ")
                    ),
                    import: account.import.clone(),
                });
            }
        }
        out
    }
}

/// Discovery under way: who has answered so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Discovering {
    /// Discovery runs beside servers the user gave (to compare), not instead of them.
    pub beside: bool,
    pub heard: Vec<Progress>,
}

/// What the event loop must do after an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    None,
    Quit,
    /// Cancel these panes' probes and start them again as these runs, with the panes'
    /// (possibly edited) endpoints.
    Probe(Vec<(Protocol, u64)>),
    /// Log in everywhere with this password, checking every pane again.
    Login(Secret),
    /// Compare with this profile (and fill unconfigured panes from it).
    PickProfile(String),
    /// Check this mail client's account (an `--import` argument).
    Import(String),
    Save {
        path: PathBuf,
        overwrite: bool,
    },
    /// Write the report for a help desk, Markdown and JSON.
    Export,
    /// Work out the findings again from what the panes have seen.
    Diagnose,
}

/// The profile compared with, as the dashboard shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileView {
    pub id: Option<String>,
    /// The profile's first endpoint per protocol: what an unconfigured pane can be filled with.
    pub endpoints: BTreeMap<Protocol, Endpoint>,
    /// Endpoints for panes that have none yet (from the account as resolved with it).
    pub fill: BTreeMap<Protocol, Endpoint>,
}

/// The dashboard's model.
#[derive(Debug, Clone)]
pub struct App {
    pub address: Option<String>,
    pub username: Option<String>,
    pub profile: Option<String>,
    /// The profile's first endpoint per protocol: what an unconfigured pane can be filled with.
    pub profile_endpoints: BTreeMap<Protocol, Endpoint>,
    pub profiles: Vec<ProfileItem>,
    pub panes: BTreeMap<Protocol, Pane>,
    pub focus: Protocol,
    pub findings: Vec<Finding>,
    pub selected: usize,
    /// How long the current (or last) run has taken.
    pub elapsed: Duration,
    /// When the current (or last) run started.
    started: Option<Instant>,
    pub spinner: usize,
    /// The clock as the last tick told it: how long a stage has waited.
    pub now: Option<Instant>,
    pub overlay: Overlay,
    pub details: bool,
    /// How far the details are scrolled, in wrapped lines.
    pub details_scroll: u16,
    /// How far they can scroll: the view writes it as it lays the details out (as ratatui's
    /// list state keeps its offset), so a key never scrolls past the end.
    pub details_overflow: std::cell::Cell<u16>,
    /// Whether a password was given for this run (the login stage runs).
    pub login: bool,
    pub status: Option<String>,
    /// The user moved the selection: it then follows its finding; until then it stays on the
    /// worst one.
    pinned: bool,
    /// The user chose the focused pane (Tab, or a finding): until then the focus follows the
    /// worst finding, so a narrow screen opens on the pane that is wrong.
    focus_chosen: bool,
    next_run: u64,
    /// What discovery found, once it has answered.
    pub discovery: Option<DiscoveryView>,
    /// Discovery still under way.
    pub discovering: Option<Discovering>,
    /// The mail clients' accounts to choose from, when the dashboard started with none.
    pub clients: Vec<ClientItem>,
}

impl App {
    /// A dashboard for these endpoints, with the static findings known before any probe.
    /// Nothing is probing yet: [`App::start_all`] says what to start.
    pub fn new(
        address: Option<String>,
        username: Option<String>,
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
            profile: None,
            profile_endpoints: BTreeMap::new(),
            profiles: Vec::new(),
            panes,
            focus: Protocol::Smtp,
            findings,
            selected: 0,
            elapsed: Duration::ZERO,
            started: None,
            spinner: 0,
            now: None,
            overlay: Overlay::None,
            details: true,
            details_scroll: 0,
            details_overflow: std::cell::Cell::new(0),
            login: false,
            status: None,
            pinned: false,
            focus_chosen: false,
            next_run: 1,
            discovery: None,
            discovering: None,
            clients: Vec::new(),
        }
    }

    /// The worst severity so far.
    pub fn verdict(&self) -> Option<Severity> {
        worst(&self.findings)
    }

    /// Whether anything has been checked: a pane has a server, or something was found. The
    /// clients chooser, and a dashboard whose discovery is still looking, have nothing to
    /// judge yet and give no verdict.
    pub fn checked(&self) -> bool {
        self.discovering.as_ref().is_none_or(|d| d.beside)
            && (self.panes.values().any(|p| p.endpoint.is_some()) || !self.findings.is_empty())
    }

    /// Whether any pane is still probing.
    pub fn running(&self) -> bool {
        self.panes.values().any(|p| p.probing)
    }

    pub fn pane(&self, protocol: Protocol) -> &Pane {
        &self.panes[&protocol]
    }

    /// Every configured pane's observation, for diagnose.
    pub fn observations(&self) -> (Vec<Observation>, Vec<Observation>) {
        let primary = self
            .panes
            .values()
            .filter_map(|p| p.observation.clone())
            .collect();
        let alternatives = self
            .panes
            .values()
            .flat_map(|p| p.alternatives.iter().cloned())
            .collect();
        (primary, alternatives)
    }

    /// Clears these panes for a new run and names the runs; unconfigured panes are skipped.
    pub fn start(&mut self, protocols: &[Protocol]) -> Vec<(Protocol, u64)> {
        let mut runs = Vec::new();
        for protocol in protocols {
            let Some(pane) = self.panes.get_mut(protocol) else {
                continue;
            };
            if pane.endpoint.is_none() {
                continue;
            }
            let run = self.next_run;
            self.next_run += 1;
            *pane = Pane {
                endpoint: pane.endpoint.take(),
                run,
                probing: true,
                ..Pane::default()
            };
            runs.push((*protocol, run));
        }
        if !runs.is_empty() {
            self.elapsed = Duration::ZERO;
        }
        if runs.len() > 1 {
            // A whole new check: back to the worst finding.
            self.pinned = false;
        }
        runs
    }

    /// Starts every configured pane.
    pub fn start_all(&mut self) -> Vec<(Protocol, u64)> {
        self.start(&Protocol::ALL)
    }

    /// Shows which profile is compared with, and fills the panes that have no endpoint.
    pub fn show_profile(&mut self, view: ProfileView) {
        self.profile = view.id;
        self.profile_endpoints = view.endpoints;
        for (protocol, endpoint) in view.fill {
            let pane = self.panes.entry(protocol).or_default();
            if pane.endpoint.is_none() {
                pane.endpoint = Some(endpoint);
            }
        }
    }

    /// Applies one message.
    pub fn update(&mut self, msg: Msg) -> Action {
        match msg {
            Msg::Key(key) => {
                self.status = None;
                return self.key(key);
            }
            Msg::Probe { run, event } => self.probe(run, event),
            Msg::PaneDone {
                protocol,
                run,
                alternatives,
                at,
            } => {
                // A cancelled run's result changes nothing.
                let Some(pane) = self.panes.get_mut(&protocol).filter(|p| p.run == run) else {
                    return Action::None;
                };
                pane.probing = false;
                pane.running = None;
                pane.alternatives = alternatives;
                if !self.running()
                    && let Some(started) = self.started
                {
                    self.elapsed = at.saturating_duration_since(started);
                }
                return Action::Diagnose;
            }
            Msg::Started(at) => {
                self.started = Some(at);
                self.elapsed = Duration::ZERO;
            }
            Msg::Findings(mut findings) => {
                // The selection follows its finding, not its row: findings arriving from
                // another pane must not slide a different fix under the `a` key.
                let was = self
                    .selected_finding()
                    .filter(|_| self.pinned)
                    .map(|f| (f.id, f.protocol, f.title.clone()));
                sort_worst_first(&mut findings);
                self.findings = findings;
                let same = was.and_then(|(id, protocol, title)| {
                    let exact = self
                        .findings
                        .iter()
                        .position(|f| f.id == id && f.protocol == protocol && f.title == title);
                    exact.or_else(|| {
                        self.findings
                            .iter()
                            .position(|f| f.id == id && f.protocol == protocol)
                    })
                });
                self.selected = same
                    .unwrap_or_else(|| self.selected.min(self.findings.len().saturating_sub(1)));
                if !self.focus_chosen
                    && let Some(protocol) = self.selected_finding().and_then(|f| f.protocol)
                {
                    self.focus = protocol;
                }
            }
            Msg::Tick(now) => {
                self.now = Some(now);
                if let Some(started) = self.started {
                    self.elapsed = now.saturating_duration_since(started);
                }
                self.spinner = self.spinner.wrapping_add(1);
            }
            Msg::Status(text) => self.status = Some(text),
            Msg::LoggedIn => return Action::Probe(self.start_all()),
            Msg::LoginRefused(why) => {
                self.login = false;
                self.status = Some(why);
            }
            Msg::Profile(view) => {
                let id = view.id.clone().unwrap_or_default();
                self.show_profile(view);
                self.status = Some(format!(
                    "Comparing with profile {id}: empty panes filled from it, your servers kept (e edits one)."
                ));
                return Action::Probe(self.start_all());
            }
            Msg::SaveExists(path) => self.confirm_overwrite(&path),
            Msg::Redraw => {}
            Msg::Discovering(progress) => {
                if let Some(d) = &mut self.discovering {
                    d.heard.push(progress);
                }
            }
            Msg::DiscoveryDone(view) => {
                self.discovering = None;
                self.discovery = Some(view);
                return Action::Diagnose;
            }
            Msg::DiscoveryFailed(why) => {
                self.discovering = None;
                self.status = Some(why);
            }
        }
        Action::None
    }

    fn probe(&mut self, run: u64, event: ProbeEvent) {
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
        if pane.run != run || !pane.probing {
            return;
        }
        match event {
            ProbeEvent::StageStarted {
                stage, at, limit, ..
            } => {
                pane.running = Some(stage);
                pane.waiting = Some((at, limit));
            }
            ProbeEvent::StageFinished { stage, .. } => {
                pane.running = None;
                pane.waiting = None;
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

    /// The endpoint the selected finding suggests, for which protocol, and why.
    pub fn suggestion(&self) -> Option<Suggestion> {
        self.suggestion_for(self.selected_finding()?)
    }

    /// The endpoint a finding offers, if any.
    pub fn suggestion_for(&self, finding: &Finding) -> Option<Suggestion> {
        let protocol = finding.protocol?;
        if let Some(endpoint) = &finding.suggested {
            return Some(Suggestion {
                protocol,
                endpoint: endpoint.clone(),
                works: true,
            });
        }
        // A wrong setting whose fix the profile documents: offer that, saying it is
        // documented rather than seen working (the probe may not have tried it yet).
        if !finding.id.blame().is_typed_setting() {
            return None;
        }
        let documented = self.profile_endpoints.get(&protocol)?;
        (self.pane(protocol).endpoint.as_ref() != Some(documented)).then(|| Suggestion {
            protocol,
            endpoint: documented.clone(),
            works: false,
        })
    }
}

/// An endpoint one key away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub protocol: Protocol,
    pub endpoint: Endpoint,
    /// Probed and seen working from here; otherwise what the provider documents.
    pub works: bool,
}

#[cfg(test)]
mod tests;
