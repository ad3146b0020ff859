//! The dashboard: outgoing and incoming side by side, live. Elm-style: [`app::App`] is the
//! model, `update` the only change, [`view::draw`] a pure rendering; this module is the loop
//! that feeds it keys, probe events and (only while something spins) ticks.

pub mod app;
pub mod theme;
pub mod view;

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use tokio::sync::mpsc;

use crate::cli::CheckArgs;
use crate::finding::Finding;
use crate::probe::engine::CheckPlan;
use crate::probe::settings::ProbeSettings;
use crate::profile::ProfileStore;
use crate::resolve::Resolved;

use app::{Action, App, Key, Msg};
use theme::Theme;

/// Maps a terminal key to a dashboard key.
pub fn key_of(event: KeyEvent) -> Key {
    if event.kind == KeyEventKind::Release {
        return Key::Other;
    }
    match (event.code, event.modifiers) {
        (KeyCode::Char('c'), m) if m.contains(KeyModifiers::CONTROL) => Key::Quit,
        (KeyCode::Char('q'), _) => Key::Quit,
        (KeyCode::Esc, _) => Key::Escape,
        (KeyCode::Tab | KeyCode::Right, _) => Key::NextPane,
        (KeyCode::BackTab | KeyCode::Left, _) => Key::PrevPane,
        (KeyCode::Up | KeyCode::Char('k'), _) => Key::Up,
        (KeyCode::Down | KeyCode::Char('j'), _) => Key::Down,
        (KeyCode::Enter, _) => Key::Enter,
        (KeyCode::Char('r'), _) => Key::Rerun,
        (KeyCode::Char('a'), _) => Key::Apply,
        (KeyCode::Char('t'), _) => Key::Transcript,
        (KeyCode::Char('?'), _) => Key::Help,
        _ => Key::Other,
    }
}

/// Everything a run of the dashboard needs, and what it takes to re-plan after an edit.
pub struct Dashboard {
    pub resolved: Resolved,
    pub static_findings: Vec<Finding>,
    pub plan: CheckPlan,
    pub settings: ProbeSettings,
    pub theme: Theme,
    pub store: ProfileStore,
    pub today: jiff::civil::Date,
    pub args: CheckArgs,
}

impl Dashboard {
    /// Uses another endpoint for one protocol: the static rules run again on the new settings.
    fn apply(&mut self, protocol: crate::account::Protocol, endpoint: crate::account::Endpoint) {
        self.resolved.account.endpoints.insert(protocol, endpoint);
        self.static_findings = crate::app::lint_resolved(&self.resolved, &self.store, self.today);
        self.plan = crate::check::plan(&self.resolved, &self.static_findings, &self.args);
    }
}

/// Runs the dashboard until the user quits. The terminal is restored on every way out,
/// panics included (ratatui's init installs that hook).
pub fn run(dashboard: Dashboard) -> Result<crate::exit::ExitStatus> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let mut terminal = ratatui::try_init().context("cannot open the terminal")?;
    let result = runtime.block_on(event_loop(&mut terminal, dashboard));
    ratatui::restore();
    result
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    mut d: Dashboard,
) -> Result<crate::exit::ExitStatus> {
    let account = &d.resolved.account;
    let mut app = App::new(
        account.address.as_ref().map(ToString::to_string),
        account.username.clone(),
        d.resolved.profile().map(|p| p.id.clone()),
        &d.plan.endpoints,
        d.static_findings.clone(),
    );
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    // Terminal input on its own thread: crossterm's read blocks, and the loop must not.
    let keys = tx.clone();
    std::thread::spawn(move || {
        while let Ok(event) = event::read() {
            let msg = match event {
                Event::Key(key) => Msg::Key(key_of(key)),
                Event::Resize(..) => Msg::Key(Key::Other),
                _ => continue,
            };
            if keys.send(msg).is_err() {
                break;
            }
        }
    });
    let mut probe = spawn_check(&d, tx.clone());
    let mut started = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_millis(120));
    loop {
        terminal
            .draw(|frame| view::draw(frame, &app, &d.theme))
            .context("cannot draw")?;
        // Sleep until something happens; tick only while a spinner is visible.
        let msg = tokio::select! {
            msg = rx.recv() => match msg { Some(m) => m, None => break },
            _ = tick.tick(), if app.running => Msg::Tick(started.elapsed()),
        };
        let done = matches!(msg, Msg::CheckDone(_));
        match app.update(msg) {
            Action::Quit => break,
            Action::Rerun => {
                probe.abort();
                app.findings = d.static_findings.clone();
                started = Instant::now();
                probe = spawn_check(&d, tx.clone());
            }
            Action::Apply(protocol, endpoint) => {
                probe.abort();
                d.apply(protocol, endpoint);
                app.findings = d.static_findings.clone();
                started = Instant::now();
                probe = spawn_check(&d, tx.clone());
            }
            Action::None => {}
        }
        if done {
            app.elapsed = started.elapsed();
        }
    }
    probe.abort();
    // Quitting the dashboard is a normal end; scripts use `check`, whose code is the verdict.
    Ok(crate::exit::ExitStatus::Ok)
}

/// Starts the check; its events and final findings arrive as messages.
fn spawn_check(d: &Dashboard, tx: mpsc::UnboundedSender<Msg>) -> tokio::task::JoinHandle<()> {
    let resolved = d.resolved.clone();
    let findings = d.static_findings.clone();
    let plan = d.plan.clone();
    let settings = d.settings.clone();
    tokio::spawn(async move {
        let (events_tx, mut events_rx) = mpsc::unbounded_channel();
        let forward = tx.clone();
        let forwarder = tokio::spawn(async move {
            while let Some(event) = events_rx.recv().await {
                if forward.send(Msg::Probe(event)).is_err() {
                    break;
                }
            }
        });
        let (_, findings) =
            crate::check::probe_and_diagnose(&resolved, findings, plan, settings, Some(events_tx))
                .await;
        let _ = forwarder.await;
        let _ = tx.send(Msg::CheckDone(findings));
    })
}
