//! The dashboard's state and its one way of changing: `update(msg)`. No I/O here, so every key
//! and probe event is tested by feeding messages and looking at the model.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::account::{Endpoint, Protocol};
use crate::finding::{Finding, Severity, sort_worst_first, worst};
use crate::probe::dialogue::Secret;
use crate::probe::events::ProbeEvent;
use crate::probe::observation::TranscriptLine;
use crate::probe::observation::{Observation, Stage, StageName};

use super::forms::{EditForm, Outcome, PasswordForm, Picker, ProfileItem, SaveForm, TextInput};
pub use super::keys::Key;
use super::keys::{Command, command_for};

/// What one pane shows: the configured endpoint and its live stages.
#[derive(Debug, Clone, Default)]
pub struct Pane {
    pub endpoint: Option<Endpoint>,
    pub stages: Vec<Stage>,
    /// The stage under way, if any.
    pub running: Option<StageName>,
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
    /// A pane's probe run finished, at `at`.
    PaneDone {
        protocol: Protocol,
        run: u64,
        primary: Option<Box<Observation>>,
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
    pub overlay: Overlay,
    pub details: bool,
    /// Whether a password was given for this run (the login stage runs).
    pub login: bool,
    pub status: Option<String>,
    /// The user moved the selection: it then follows its finding; until then it stays on the
    /// worst one.
    pinned: bool,
    next_run: u64,
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
            overlay: Overlay::None,
            details: true,
            login: false,
            status: None,
            pinned: false,
            next_run: 1,
        }
    }

    /// The worst severity so far.
    pub fn verdict(&self) -> Option<Severity> {
        worst(&self.findings)
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
                primary,
                alternatives,
                at,
            } => {
                // A cancelled run's result changes nothing.
                let Some(pane) = self.panes.get_mut(&protocol).filter(|p| p.run == run) else {
                    return Action::None;
                };
                pane.probing = false;
                pane.running = None;
                pane.observation = primary.map(|o| *o);
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
            }
            Msg::Tick(now) => {
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
        }
        Action::None
    }

    fn key(&mut self, key: Key) -> Action {
        if key == Key::Ctrl('c') {
            return Action::Quit;
        }
        match &mut self.overlay {
            Overlay::None => self.dashboard_key(key),
            Overlay::Help => {
                self.overlay = Overlay::None;
                if key == Key::Char('q') {
                    Action::Quit
                } else {
                    Action::None
                }
            }
            Overlay::Transcript { scroll } => {
                match key {
                    Key::Up | Key::Char('k') => *scroll = scroll.saturating_sub(1),
                    Key::Down | Key::Char('j') => *scroll = scroll.saturating_add(1),
                    Key::Char('q') => return Action::Quit,
                    Key::Esc | Key::Char('t') | Key::Enter => self.overlay = Overlay::None,
                    _ => {}
                }
                Action::None
            }
            Overlay::Edit(form) => match form.key(key) {
                Outcome::Continue => Action::None,
                Outcome::Cancel => {
                    self.overlay = Overlay::None;
                    Action::None
                }
                Outcome::Submit(endpoint) => {
                    let protocol = form.protocol;
                    self.overlay = Overlay::None;
                    self.use_endpoint(protocol, endpoint)
                }
            },
            Overlay::Picker(picker) => match picker.key(key, &self.profiles) {
                Outcome::Continue => Action::None,
                Outcome::Cancel => {
                    self.overlay = Overlay::None;
                    Action::None
                }
                Outcome::Submit(id) => {
                    self.overlay = Overlay::None;
                    Action::PickProfile(id)
                }
            },
            Overlay::Password(form) => match form.key(key) {
                Outcome::Continue => Action::None,
                Outcome::Cancel => {
                    self.overlay = Overlay::None;
                    Action::None
                }
                Outcome::Submit(secret) => {
                    self.overlay = Overlay::None;
                    self.login = true;
                    Action::Login(secret)
                }
            },
            Overlay::Save(form) => match form.key(key) {
                Outcome::Continue => Action::None,
                Outcome::Cancel => {
                    self.overlay = Overlay::None;
                    Action::None
                }
                Outcome::Submit((path, overwrite)) => {
                    self.overlay = Overlay::None;
                    Action::Save { path, overwrite }
                }
            },
        }
    }

    fn dashboard_key(&mut self, key: Key) -> Action {
        let Some(command) = command_for(key) else {
            return Action::None;
        };
        match command {
            Command::Quit => return Action::Quit,
            Command::NextPane => self.focus = cycle(self.focus, 1),
            Command::PreviousPane => self.focus = cycle(self.focus, 2),
            Command::PreviousFinding => {
                self.selected = self.selected.saturating_sub(1);
                self.pinned = true;
            }
            Command::NextFinding => {
                self.selected = (self.selected + 1).min(self.findings.len().saturating_sub(1));
                self.pinned = true;
            }
            Command::Details => self.details = !self.details,
            Command::Transcript => self.overlay = Overlay::Transcript { scroll: 0 },
            Command::Help => self.overlay = Overlay::Help,
            Command::Rerun => return Action::Probe(self.start_all()),
            Command::Apply => {
                let Some(Suggestion {
                    protocol, endpoint, ..
                }) = self.suggestion()
                else {
                    self.status = Some("The selected finding suggests no other endpoint.".into());
                    return Action::None;
                };
                self.selected = 0;
                self.pinned = false;
                return self.use_endpoint(protocol, endpoint);
            }
            Command::Edit => {
                let endpoint = self.pane(self.focus).endpoint.as_ref();
                self.overlay = Overlay::Edit(EditForm::new(self.focus, endpoint));
            }
            Command::Fill => {
                let protocol = self.focus;
                return match self.profile_endpoints.get(&protocol) {
                    Some(endpoint) if self.pane(protocol).endpoint.is_none() => {
                        self.use_endpoint(protocol, endpoint.clone())
                    }
                    Some(_) => Action::None,
                    None => {
                        self.status = Some(format!(
                            "No profile gives a {} server here: press e to type one, or p to pick a profile.",
                            protocol.label()
                        ));
                        Action::None
                    }
                };
            }
            Command::Profile => self.overlay = Overlay::Picker(Picker::default()),
            Command::Login => self.overlay = Overlay::Password(PasswordForm::default()),
            Command::Save => {
                self.overlay = Overlay::Save(SaveForm {
                    path: TextInput::new(self.default_save_path()),
                    overwrite: false,
                });
            }
            Command::Export => return Action::Export,
        }
        Action::None
    }

    /// Puts an endpoint into a pane and probes just that pane again.
    fn use_endpoint(&mut self, protocol: Protocol, endpoint: Endpoint) -> Action {
        if let Some(pane) = self.panes.get_mut(&protocol) {
            pane.endpoint = Some(endpoint);
        }
        self.focus = protocol;
        Action::Probe(self.start(&[protocol]))
    }

    /// The file to save exists: ask again, and overwrite on the next Enter.
    pub fn confirm_overwrite(&mut self, path: &std::path::Path) {
        self.overlay = Overlay::Save(SaveForm {
            path: TextInput::new(path.display().to_string()),
            overwrite: true,
        });
    }

    fn default_save_path(&self) -> String {
        let stem = self.address.as_deref().map_or_else(
            || "account".into(),
            |a| a.replace(|c: char| !c.is_ascii_alphanumeric() && c != '.', "_"),
        );
        format!("{stem}.maildoctor.yaml")
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

    fn smtp() -> Endpoint {
        Endpoint::parse("smtp.example.org:465/starttls", Protocol::Smtp).unwrap()
    }

    fn app() -> App {
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
            &[(Protocol::Smtp, smtp())],
            findings,
        )
    }

    fn started() -> (App, u64) {
        let mut app = app();
        let runs = app.start_all();
        assert_eq!(runs.len(), 1, "only configured panes start");
        (app, runs[0].1)
    }

    fn event(run: u64, stage: StageName) -> Msg {
        Msg::Probe {
            run,
            event: ProbeEvent::StageStarted {
                id: ProbeId {
                    protocol: Protocol::Smtp,
                    endpoint: smtp(),
                    alternative: false,
                },
                stage,
            },
        }
    }

    fn keys(app: &mut App, keys: &[Key]) -> Action {
        let mut last = Action::None;
        for key in keys {
            last = app.update(Msg::Key(*key));
        }
        last
    }

    fn text(app: &mut App, text: &str) {
        for c in text.chars() {
            app.update(Msg::Key(Key::Char(c)));
        }
    }

    #[test]
    fn static_findings_show_worst_first_before_any_probe() {
        let (app, _) = started();
        assert_eq!(app.findings[0].id, FindingId::PortSecurityMismatch);
        assert_eq!(app.verdict(), Some(Severity::Error));
        assert!(app.running());
        assert!(
            app.pane(Protocol::Imap).done(),
            "an unconfigured pane has nothing to wait for"
        );
    }

    #[test]
    fn keys_move_focus_and_selection_and_quit() {
        let mut app = app();
        assert_eq!(app.update(Msg::Key(Key::Tab)), Action::None);
        assert_eq!(app.focus, Protocol::Imap);
        keys(&mut app, &[Key::Left, Key::BackTab]);
        assert_eq!(app.focus, Protocol::Pop3);
        keys(&mut app, &[Key::Down, Key::Down]);
        assert_eq!(app.selected, 1, "selection stops at the last finding");
        app.update(Msg::Key(Key::Up));
        assert_eq!(app.selected, 0);
        assert_eq!(app.update(Msg::Key(Key::Char('q'))), Action::Quit);
        assert_eq!(app.update(Msg::Key(Key::Ctrl('c'))), Action::Quit);
    }

    #[test]
    fn overlays_open_scroll_and_close() {
        let mut app = app();
        keys(&mut app, &[Key::Char('t'), Key::Down]);
        assert_eq!(app.overlay, Overlay::Transcript { scroll: 1 });
        app.update(Msg::Key(Key::Esc));
        assert_eq!(app.overlay, Overlay::None);
        app.update(Msg::Key(Key::Char('?')));
        assert_eq!(app.update(Msg::Key(Key::Down)), Action::None);
        assert_eq!(app.overlay, Overlay::None, "any key closes help");
    }

    #[test]
    fn probe_events_fill_the_pane_live_and_old_runs_are_ignored() {
        let (mut app, run) = started();
        app.update(event(run, StageName::Connect));
        assert_eq!(app.pane(Protocol::Smtp).running, Some(StageName::Connect));
        let stage = Stage {
            name: StageName::Connect,
            status: StageStatus::Ok,
            elapsed: Duration::from_millis(3),
            detail: "127.0.0.1:465".into(),
        };
        let id = ProbeId {
            protocol: Protocol::Smtp,
            endpoint: smtp(),
            alternative: false,
        };
        app.update(Msg::Probe {
            run,
            event: ProbeEvent::StageFinished {
                id: id.clone(),
                stage,
            },
        });
        assert_eq!(app.pane(Protocol::Smtp).stages.len(), 1);
        assert_eq!(app.pane(Protocol::Smtp).running, None);
        app.update(Msg::Probe {
            run,
            event: ProbeEvent::StageStarted {
                id: ProbeId {
                    alternative: true,
                    ..id
                },
                stage: StageName::Tls,
            },
        });
        assert_eq!(
            app.pane(Protocol::Smtp).running,
            None,
            "alternatives do not take over the pane"
        );
        app.update(event(run + 7, StageName::Tls));
        assert_eq!(
            app.pane(Protocol::Smtp).running,
            None,
            "a cancelled run's late events are dropped"
        );
        let t0 = Instant::now();
        app.update(Msg::Started(t0));
        app.update(Msg::Tick(t0 + Duration::from_millis(20)));
        assert_eq!(
            app.elapsed,
            Duration::from_millis(20),
            "ticks say how long it runs"
        );
        let done = |run, ms| Msg::PaneDone {
            protocol: Protocol::Smtp,
            run,
            primary: None,
            alternatives: vec![],
            at: t0 + Duration::from_millis(ms),
        };
        assert_eq!(
            app.update(done(run + 7, 30)),
            Action::None,
            "a cancelled run's result changes nothing"
        );
        assert!(app.running());
        assert_eq!(
            app.update(done(run, 42)),
            Action::Diagnose,
            "a finished pane asks for the findings again"
        );
        app.update(Msg::Findings(vec![]));
        assert!(!app.running());
        assert_eq!(
            app.elapsed,
            Duration::from_millis(42),
            "the run's time, when it ended"
        );
        assert_eq!(app.verdict(), None);
    }

    #[test]
    fn apply_uses_the_suggested_endpoint_and_probes_that_pane_again() {
        let (mut app, run) = started();
        assert_eq!(app.update(Msg::Key(Key::Char('a'))), Action::None);
        assert!(app.status.is_some(), "says why nothing happened");
        let mut finding = Finding::new(
            FindingId::ConnectTimeout,
            Some(Protocol::Smtp),
            "blocked",
            "",
        );
        let working = Endpoint::parse("smtp.example.org:587/starttls", Protocol::Smtp).unwrap();
        finding.suggested = Some(working.clone());
        app.update(Msg::Findings(vec![finding]));
        let Action::Probe(runs) = app.update(Msg::Key(Key::Char('a'))) else {
            panic!("apply probes again")
        };
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].0, Protocol::Smtp);
        assert!(
            runs[0].1 > run,
            "a new run, so the old one's events are dropped"
        );
        assert_eq!(app.pane(Protocol::Smtp).endpoint, Some(working));
        assert!(app.running());
    }

    #[test]
    fn a_wrong_setting_offers_what_the_profile_documents() {
        let mut app = app();
        assert_eq!(app.suggestion(), None, "no profile, nothing documented");
        let documented = Endpoint::parse("smtp.example.org:587/starttls", Protocol::Smtp).unwrap();
        app.profile_endpoints
            .insert(Protocol::Smtp, documented.clone());
        let offer = app.suggestion().expect("the mismatch is selected");
        assert_eq!(offer.endpoint, documented);
        assert!(!offer.works, "documented, not seen working");
        app.update(Msg::Key(Key::Down));
        assert_eq!(app.suggestion(), None, "host-alias is no wrong setting");
    }

    #[test]
    fn edit_changes_one_pane_in_place_and_probes_only_it() {
        let mut app = app();
        app.focus = Protocol::Imap;
        app.update(Msg::Key(Key::Char('e')));
        assert!(matches!(app.overlay, Overlay::Edit(_)));
        text(&mut app, "imap.example.org");
        assert_eq!(
            app.update(Msg::Key(Key::Char('q'))),
            Action::None,
            "q is a letter here"
        );
        app.update(Msg::Key(Key::Backspace));
        let action = app.update(Msg::Key(Key::Enter));
        let Action::Probe(runs) = action else {
            panic!("Enter probes the edited pane: {action:?}")
        };
        assert_eq!(
            runs.iter().map(|r| r.0).collect::<Vec<_>>(),
            [Protocol::Imap]
        );
        assert_eq!(
            app.pane(Protocol::Imap)
                .endpoint
                .as_ref()
                .unwrap()
                .to_string(),
            "imap.example.org:993/tls"
        );
        assert_eq!(app.overlay, Overlay::None);
        app.update(Msg::Key(Key::Char('e')));
        assert_eq!(app.update(Msg::Key(Key::Esc)), Action::None);
        assert_eq!(
            app.overlay,
            Overlay::None,
            "Esc leaves the editor, not the program"
        );
    }

    #[test]
    fn an_unconfigured_pane_fills_from_the_profile() {
        let mut app = app();
        app.focus = Protocol::Pop3;
        assert_eq!(app.update(Msg::Key(Key::Char('f'))), Action::None);
        assert!(app.status.as_deref().unwrap().contains("press e"));
        let pop = Endpoint::parse("pop.example.org:995/tls", Protocol::Pop3).unwrap();
        app.profile_endpoints.insert(Protocol::Pop3, pop.clone());
        assert!(matches!(
            app.update(Msg::Key(Key::Char('f'))),
            Action::Probe(_)
        ));
        assert_eq!(app.pane(Protocol::Pop3).endpoint, Some(pop));
    }

    #[test]
    fn login_picker_save_and_export_ask_the_loop() {
        let mut app = app();
        app.update(Msg::Key(Key::Char('l')));
        text(&mut app, "pw");
        assert_eq!(
            app.update(Msg::Key(Key::Enter)),
            Action::Login(Secret::new("pw".into()))
        );
        assert!(app.login);
        app.profiles = vec![ProfileItem {
            id: "gmail".into(),
            name: "Gmail".into(),
            domains: vec!["gmail.com".into()],
        }];
        app.update(Msg::Key(Key::Char('p')));
        text(&mut app, "gm");
        assert_eq!(
            app.update(Msg::Key(Key::Enter)),
            Action::PickProfile("gmail".into())
        );
        app.update(Msg::Key(Key::Char('s')));
        let Overlay::Save(form) = &app.overlay else {
            panic!("s opens the save box")
        };
        assert_eq!(form.path.text, "a_example.org.maildoctor.yaml");
        assert_eq!(
            app.update(Msg::Key(Key::Enter)),
            Action::Save {
                path: PathBuf::from("a_example.org.maildoctor.yaml"),
                overwrite: false
            }
        );
        app.confirm_overwrite(std::path::Path::new("a_example.org.maildoctor.yaml"));
        assert!(
            matches!(
                app.update(Msg::Key(Key::Enter)),
                Action::Save {
                    overwrite: true,
                    ..
                }
            ),
            "a second Enter overwrites"
        );
        assert_eq!(app.update(Msg::Key(Key::Char('x'))), Action::Export);
        app.update(Msg::Status("saved".into()));
        assert_eq!(app.status.as_deref(), Some("saved"));
        app.update(Msg::Key(Key::Other));
        assert_eq!(app.status, None, "a key clears the last status");
    }

    #[test]
    fn the_selection_follows_its_finding_when_others_arrive() {
        let mut app = app();
        app.update(Msg::Key(Key::Down));
        assert_eq!(app.selected_finding().unwrap().id, FindingId::HostAlias);
        let mut findings = app.findings.clone();
        findings.push(Finding::new(
            FindingId::CertExpired,
            Some(Protocol::Imap),
            "expired",
            "",
        ));
        app.update(Msg::Findings(findings));
        assert_eq!(
            app.selected_finding().unwrap().id,
            FindingId::HostAlias,
            "a new error sorted above does not change what is selected"
        );
        app.update(Msg::Findings(vec![]));
        assert_eq!(app.selected, 0);
        let mut fresh = super::tests::app();
        let mut findings = fresh.findings.clone();
        findings.push(Finding::new(
            FindingId::CertExpired,
            Some(Protocol::Imap),
            "expired",
            "",
        ));
        fresh.update(Msg::Findings(findings));
        assert_eq!(
            fresh.selected, 0,
            "untouched, the selection stays on the top finding"
        );
    }

    #[test]
    fn rerun_clears_the_panes_and_asks_for_a_new_check() {
        let (mut app, run) = started();
        app.update(Msg::PaneDone {
            protocol: Protocol::Smtp,
            run,
            primary: None,
            alternatives: vec![],
            at: Instant::now(),
        });
        let Action::Probe(runs) = app.update(Msg::Key(Key::Char('r'))) else {
            panic!("r probes again")
        };
        assert_eq!(runs.len(), 1);
        assert!(app.running());
        assert!(app.pane(Protocol::Smtp).endpoint.is_some());
    }
}
