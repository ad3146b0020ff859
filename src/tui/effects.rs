//! The dashboard's side of the world: the account as it stands after edits, the probes it has
//! started, and the files it writes. The loop calls these for the actions `update` returns.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use crate::account::{PartialEndpoint, Protocol, account_yaml};
use crate::check::{CheckError, Checkup, LoginRefusal, LoginSecret};
use crate::finding::Finding;
use crate::lint::lint_resolved;
use crate::probe::engine;
use crate::profile::ProfileStore;
use crate::report::{Report, render_markdown, to_json};
use crate::resolve::resolve;
use crate::secret::Secret;

use super::forms::ProfileItem;
use super::model::{Action, App, DiscoveryView, FoundServer, Msg, ProfileView};
use super::theme::Theme;

/// What a save did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    Written(String),
    /// The file exists; nothing was written.
    Exists,
    Failed(String),
}

/// Everything a run of the dashboard needs, and what it takes to re-plan after an edit.
pub struct Dashboard {
    /// The account as it stands after edits, its static findings, the probes' settings.
    pub checkup: Checkup,
    pub theme: Theme,
    pub store: ProfileStore,
    /// The probe task of each pane; replacing one cancels the old.
    probes: BTreeMap<Protocol, JoinHandle<()>>,
    tx: Option<UnboundedSender<Msg>>,
    /// Discovery for the loop to run.
    pub discover: Option<Discover>,
    /// The clients' accounts to offer when the dashboard starts with none.
    clients: Vec<super::model::ClientItem>,
    /// The account was replaced (an import chosen): the loop builds the model again.
    replaced: bool,
    /// The command line that opened it, for the exported report.
    pub command_line: String,
}

/// Discovery the dashboard's loop runs while the panes are up.
pub enum Discover {
    /// No server given: the settings come from discovery, then the panes start.
    Settings {
        address: crate::account::Address,
        layer: crate::account::AccountLayer,
        options: crate::check::CheckOptions,
    },
    /// Servers given for a domain no profile knows: what the domain publishes is looked up
    /// to compare with them, while they are probed.
    Beside {
        address: crate::account::Address,
        options: crate::check::CheckOptions,
    },
}

impl Dashboard {
    /// The dashboard for a prepared check (whose secret, if given, already serves every
    /// protocol).
    pub fn new(checkup: Checkup, store: ProfileStore, theme: Theme) -> Dashboard {
        let discover = crate::check::discovery_beside(&checkup).map(|address| Discover::Beside {
            address,
            options: checkup.options.clone(),
        });
        Dashboard {
            checkup,
            theme,
            store,
            probes: BTreeMap::new(),
            tx: None,
            discover,
            clients: Vec::new(),
            replaced: false,
            command_line: "maildoctor".into(),
        }
    }

    /// The dashboard opens before the settings are known: these are discovered first.
    #[must_use]
    pub fn discovering(
        mut self,
        address: crate::account::Address,
        layer: crate::account::AccountLayer,
        options: crate::check::CheckOptions,
    ) -> Dashboard {
        self.discover = Some(Discover::Settings {
            address,
            layer,
            options,
        });
        self
    }

    /// Opens the dashboard on the mail clients' accounts found on this machine.
    #[must_use]
    pub fn choosing(mut self, clients: Vec<super::model::ClientItem>) -> Dashboard {
        self.clients = clients;
        self
    }

    /// The account a client's file holds replaces the one checked (none, at start); the loop
    /// then builds the model again and starts the panes.
    pub fn import(&mut self, spec: &str) -> Result<(), String> {
        let imported = crate::import::import(spec, None).map_err(|e| e.to_string())?;
        let mut options = self.checkup.options.clone();
        options.trust_as(&imported.account);
        let checkup = Checkup::new(imported.account.layer(), &self.store, options)
            .map_err(|e| e.to_string())?
            .with_import(Some(imported));
        self.discovered(checkup);
        self.replaced = true;
        Ok(())
    }

    /// Whether the account was replaced since the last call.
    pub fn take_replaced(&mut self) -> bool {
        std::mem::take(&mut self.replaced)
    }

    /// Discovery beside the given servers has answered: what the `d` view shows of it.
    pub fn beside_discovered(&mut self, discovery: crate::discover::Discovery) -> DiscoveryView {
        let view = discovery_view(&discovery);
        self.checkup.discovery = Some(discovery);
        self.checkup.beside = true;
        view
    }

    /// Discovery has answered: its checkup replaces the waiting one (nothing probes yet).
    pub fn discovered(&mut self, checkup: Checkup) {
        self.stop_probes();
        self.checkup = checkup;
    }

    /// The model for this account, with the profile described and nothing started yet.
    pub fn new_app(&self) -> App {
        let plan = self.checkup.plan();
        let account = &self.checkup.resolved.account;
        let mut app = App::new(
            account.address.as_ref().map(ToString::to_string),
            account.username.clone(),
            &plan.endpoints,
            self.checkup.findings(&[], &[]),
        );
        app.login = self.checkup.options.login.is_some();
        app.discovery = self.checkup.discovery.as_ref().map(discovery_view);
        app.profiles = self.store.iter().map(ProfileItem::from).collect();
        if !self.clients.is_empty() && account.endpoints.is_empty() {
            app.clients.clone_from(&self.clients);
            app.overlay = super::model::Overlay::Clients { selected: 0 };
        }
        app.show_profile(self.profile_view());
        app
    }

    /// The profile in use and what it would fill in, for the model.
    pub fn profile_view(&self) -> ProfileView {
        let profile = self.checkup.resolved.profile();
        let only = &self.checkup.options.only;
        ProfileView {
            id: profile.map(|p| p.id.clone()),
            endpoints: Protocol::ALL
                .into_iter()
                .filter_map(|protocol| {
                    let endpoint = profile?.endpoints(protocol).first()?.clone();
                    Some((protocol, endpoint))
                })
                .collect(),
            // `--only` keeps the other panes empty; `f` or `e` can still fill one on purpose.
            fill: Protocol::ALL
                .into_iter()
                .filter(|p| only.is_empty() || only.contains(p))
                .filter_map(|p| Some((p, self.checkup.resolved.account.endpoint(p)?.clone())))
                .collect(),
        }
    }

    /// Sends the probes' events to `tx` from now on; without it (tests) nothing is probed.
    pub fn attach(&mut self, tx: UnboundedSender<Msg>) {
        self.tx = Some(tx);
    }

    /// Carries out what `update` asked for and says what came of it, as messages for
    /// `update`; `None` means quit.
    pub fn perform(&mut self, action: Action, app: &App) -> Option<Vec<Msg>> {
        let said = match action {
            Action::Quit => {
                self.stop_probes();
                return None;
            }
            Action::None => return Some(Vec::new()),
            // Nothing to start (no pane configured): nothing changes, not even the clock.
            Action::Probe(runs) if runs.is_empty() => return Some(Vec::new()),
            Action::Probe(runs) => {
                self.sync_endpoints(app);
                self.spawn(&runs);
                return Some(vec![
                    Msg::Started(Instant::now()),
                    Msg::Findings(self.findings(app)),
                ]);
            }
            Action::Diagnose => Msg::Findings(self.findings(app)),
            Action::Login(secret) => match self.login(secret) {
                Ok(()) => Msg::LoggedIn,
                Err(why) => Msg::LoginRefused(why),
            },
            Action::Import(spec) => match self.import(&spec) {
                Ok(()) => Msg::Status(format!("Checking {spec}")),
                Err(why) => Msg::Status(why),
            },
            Action::PickProfile(id) => match self.pick_profile(&id, app) {
                Ok(()) => Msg::Profile(self.profile_view()),
                Err(why) => Msg::Status(why),
            },
            Action::Save { path, overwrite } => match self.save(&path, overwrite) {
                Saved::Written(said) | Saved::Failed(said) => Msg::Status(said),
                Saved::Exists => Msg::SaveExists(path),
            },
            Action::Export => Msg::Status(self.export(app, Path::new("."), jiff::Timestamp::now())),
        };
        Some(vec![said])
    }

    /// Cancels every probe still running.
    pub fn stop_probes(&mut self) {
        for (_, probe) in std::mem::take(&mut self.probes) {
            probe.abort();
        }
    }

    /// Takes the panes' endpoints (edited, applied, filled) into the account; the static
    /// rules run again on them.
    pub fn sync_endpoints(&mut self, app: &App) {
        // An empty pane takes nothing away: with `--only` the account keeps the servers the
        // user gave for the other protocols, for the static rules, the saved file and reports.
        for (protocol, pane) in &app.panes {
            if let Some(e) = &pane.endpoint {
                self.checkup
                    .resolved
                    .account
                    .endpoints
                    .insert(*protocol, e.clone());
            }
        }
        self.checkup.static_findings = lint_resolved(
            &self.checkup.resolved,
            &self.store,
            self.checkup.options.today,
        );
    }

    /// Every finding now: the static rules merged with what the panes observed, and what
    /// discovery says of the sources and of the servers in the panes now.
    pub fn findings(&self, app: &App) -> Vec<Finding> {
        let (primary, alternatives) = app.observations();
        self.checkup.findings(&primary, &alternatives)
    }

    /// Cancels these panes' probes and starts them again; events carry the run id.
    fn spawn(&mut self, runs: &[(Protocol, u64)]) {
        let Some(tx) = self.tx.clone() else {
            return;
        };
        for &(protocol, run) in runs {
            if let Some(old) = self.probes.remove(&protocol) {
                old.abort();
            }
            let Some(endpoint) = self.checkup.resolved.account.endpoint(protocol).cloned() else {
                continue;
            };
            let mut plan = self.checkup.plan();
            plan.endpoints = vec![(protocol, endpoint)];
            plan.login = self.checkup.settings.credentials.contains_key(&protocol);
            let settings = Arc::new(self.checkup.settings.clone());
            let tx = tx.clone();
            self.probes.insert(
                protocol,
                tokio::spawn(async move {
                    let (events_tx, mut events_rx) = tokio::sync::mpsc::unbounded_channel();
                    let forward = tx.clone();
                    let forwarder = tokio::spawn(async move {
                        while let Some(event) = events_rx.recv().await {
                            if forward.send(Msg::Probe { run, event }).is_err() {
                                break;
                            }
                        }
                    });
                    let result = engine::run(plan, settings, Some(events_tx)).await;
                    // Every event, the observation's among them, is in before the run ends.
                    let _ = forwarder.await;
                    let _ = tx.send(Msg::PaneDone {
                        protocol,
                        run,
                        alternatives: result.alternatives,
                        at: Instant::now(),
                    });
                }),
            );
        }
    }

    /// Keeps the password (in memory, for this run only) for every protocol.
    pub fn login(&mut self, secret: Secret) -> Result<(), String> {
        match crate::check::login_refusal(&self.checkup.resolved.account, false) {
            Some(LoginRefusal::Mechanism(mechanism)) => {
                return Err(format!(
                    "maildoctor logs in with passwords and OAuth2 only, not {mechanism}; the panes already say whether each server offers it."
                ));
            }
            Some(LoginRefusal::NeedsToken) => {
                return Err("This account logs in with OAuth2: quit and run with --login --oauth-token-env VAR.".into());
            }
            None => {}
        }
        self.set_credentials(LoginSecret {
            secret,
            oauth2: false,
        })
    }

    /// The secret given at start (`--login`) also serves panes filled or picked later, with
    /// the user name each protocol wants.
    fn complete_credentials(&mut self) {
        if let Some(given) = self.checkup.options.login.clone() {
            // Only a missing user name can fail, and then the panes given at start keep theirs.
            let _ = self.set_credentials(given);
        }
    }

    fn set_credentials(&mut self, login: LoginSecret) -> Result<(), String> {
        self.checkup.set_login(login).map_err(|e| match e {
            CheckError::NoUsername => {
                "A login needs a user name: quit and give an address or --user.".to_owned()
            }
            CheckError::LineBreak(what) => {
                format!("The {what} contains a line break; nothing was sent.")
            }
            other => other.to_string(),
        })
    }

    /// Compares with another profile: the panes keep what they have, empty ones are filled.
    pub fn pick_profile(&mut self, id: &str, app: &App) -> Result<(), String> {
        let mut layer = self.checkup.layer.clone();
        layer.profile = Some(id.to_owned());
        // The panes' servers (edited or applied) win; an empty pane keeps what was given.
        for (protocol, pane) in &app.panes {
            let Some(e) = &pane.endpoint else {
                continue;
            };
            let given = Some(PartialEndpoint {
                host: e.host.clone(),
                port: Some(e.port),
                security: Some(e.security),
            });
            match protocol {
                Protocol::Smtp => layer.smtp = given,
                Protocol::Imap => layer.imap = given,
                Protocol::Pop3 => layer.pop3 = given,
            }
        }
        self.checkup.resolved = resolve(layer.clone(), &self.store).map_err(|e| e.to_string())?;
        self.checkup.layer = layer;
        self.complete_credentials();
        Ok(())
    }

    /// Writes the account file; says what happened, for the footer. An existing file is
    /// left alone unless `overwrite` (the user confirmed).
    pub fn save(&self, path: &Path, overwrite: bool) -> Saved {
        let resolved = &self.checkup.resolved;
        let profile = resolved.profile().map(|p| p.id.as_str());
        let text = account_yaml(&resolved.account, profile);
        let mut options = std::fs::OpenOptions::new();
        options.write(true);
        if overwrite {
            options.create(true).truncate(true);
        } else {
            options.create_new(true);
        }
        let written = options
            .open(path)
            .and_then(|mut file| std::io::Write::write_all(&mut file, text.as_bytes()));
        match written {
            Ok(()) => Saved::Written(format!(
                "Saved {} (no password in it). Use it with --account {}.",
                path.display(),
                path.display()
            )),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Saved::Exists,
            Err(e) => Saved::Failed(format!("Cannot save {}: {e}", path.display())),
        }
    }

    /// Writes the report for a help desk, Markdown and JSON, into `dir`, named for the time
    /// `at` (UTC).
    pub fn export(&self, app: &App, dir: &Path, at: jiff::Timestamp) -> String {
        let (primary, alternatives) = app.observations();
        let made = crate::report::Made {
            at: at.to_zoned_datetime(jiff::tz::TimeZone::system()),
            command_line: self.command_line.clone(),
            hostname: None,
        };
        let probes = crate::check::Probes {
            primary,
            alternatives: Some(alternatives),
        };
        let outcome = self
            .checkup
            .outcome(crate::check::Kind::Check, Some(probes));
        let report = Report::of(&outcome, &made);
        let stamp = at.strftime("%Y%m%d-%H%M%S").to_string();
        // Two exports in one second get their own files: a report is never overwritten.
        // Bounded: a directory with a thousand reports of one second is no reason to loop.
        let (md, json) = (1..=1000)
            .map(|n| {
                let stem = match n {
                    1 => format!("maildoctor-report-{stamp}"),
                    n => format!("maildoctor-report-{stamp}-{n}"),
                };
                (
                    dir.join(format!("{stem}.md")),
                    dir.join(format!("{stem}.json")),
                )
            })
            .find(|(md, json)| !md.exists() && !json.exists())
            .unwrap_or_default();
        let written = std::fs::write(&md, render_markdown(&report))
            .and_then(|()| std::fs::write(&json, to_json(&report) + "\n"));
        match written {
            Ok(()) => format!(
                "Report written: {} and {} (passwords redacted).",
                md.display(),
                json.display()
            ),
            Err(e) => format!("Cannot write the report: {e}"),
        }
    }
}

/// What the `d` view shows of a discovery: the sources as `discover` prints them, and every
/// server a source names (a guess only once it works), the recommended ones marked.
pub fn discovery_view(d: &crate::discover::Discovery) -> DiscoveryView {
    let dto = crate::report::DiscoveryDto::new(d);
    let servers = d
        .candidates
        .iter()
        .zip(&dto.candidates)
        .filter(|(c, _)| {
            !c.is_guess()
                || crate::discover::observed(&d.observations, c.protocol, &c.endpoint)
                    .is_some_and(crate::probe::observation::Observation::works)
        })
        .map(|(c, seen)| FoundServer {
            protocol: c.protocol,
            endpoint: c.endpoint.clone(),
            named_by: c
                .sources
                .iter()
                .map(|s| s.label())
                .collect::<Vec<_>>()
                .join(", "),
            verdict: seen.verdict.clone(),
            recommended: d
                .choices
                .iter()
                .any(|choice| choice.protocol == c.protocol && choice.endpoint == c.endpoint),
        })
        .collect();
    DiscoveryView {
        sources: crate::report::render_sources(&dto)
            .lines()
            .map(str::to_owned)
            .collect(),
        servers,
    }
}
