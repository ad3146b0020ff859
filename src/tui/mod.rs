//! The dashboard: outgoing and incoming side by side, live. Elm-style: [`model::App`] is the
//! model, `update` the only change, [`view::draw`] a pure rendering; this module is the loop
//! that feeds it keys, probe events and (only while something spins) ticks, and carries out
//! the actions `update` asks for (probe a pane, save, export).

pub mod forms;
pub mod keys;
pub mod model;
pub mod theme;
pub mod view;

mod effects;

use std::collections::VecDeque;
use std::time::Duration;

use anyhow::{Context, Result};
use ratatui::crossterm::event::{self, Event};
use tokio::sync::mpsc;

pub use effects::{Dashboard, Saved};

use effects::Discover;
use keys::keys_of;
use model::Msg;

/// What a discovery the loop ran came back with.
enum Found {
    Settings(Result<Box<crate::check::Checkup>, crate::check::CheckError>),
    Beside(Result<crate::discover::Discovery, crate::check::CheckError>),
}

/// Runs the dashboard until the user quits. The terminal is restored on every way out,
/// panics included (`take_screen` installs that hook).
pub fn run(dashboard: Dashboard) -> Result<crate::exit::ExitStatus> {
    let runtime = crate::check::runtime().context("cannot start the async runtime")?;
    let mut terminal = crate::terminal::take_screen().context("cannot open the terminal")?;
    let result = runtime.block_on(event_loop(&mut terminal, dashboard));
    crate::terminal::give_back();
    result
}

async fn event_loop(
    terminal: &mut crate::terminal::Screen,
    mut d: Dashboard,
) -> Result<crate::exit::ExitStatus> {
    let mut app = d.new_app();
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    // Terminal input on its own thread: crossterm's read blocks, and the loop must not.
    let keys = tx.clone();
    std::thread::spawn(move || {
        while let Ok(event) = event::read() {
            // Terminals that report releases (Windows, kitty) give no keys for them.
            let msgs = match event {
                Event::Key(key) => keys_of(key).into_iter().map(Msg::Key).collect(),
                Event::Resize(..) => vec![Msg::Redraw],
                _ => continue,
            };
            if msgs.into_iter().any(|msg| keys.send(msg).is_err()) {
                break;
            }
        }
    });
    d.attach(tx.clone());
    let mut tick = tokio::time::interval(Duration::from_millis(120));
    // The tick is off while idle; ticks missed then must not all fire when a run starts.
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    // Settings to discover: the dashboard is up at once and says so; the panes fill and start
    // when discovery answers.
    let mut discovery = d.discover.take().map(|job| {
        app.discovering = Some(model::Discovering {
            beside: matches!(job, Discover::Beside { .. }),
            heard: Vec::new(),
        });
        start_discovery(job, d.store.clone(), tx.clone())
    });
    // Every pane starts at once; what the start says goes through `update` like any message.
    let mut pending: VecDeque<Msg> = start_all(&mut d, &mut app).into();
    'outer: loop {
        let was_running = app.running();
        while let Some(msg) = pending.pop_front() {
            let action = app.update(msg);
            match d.perform(action, &app) {
                Some(more) => pending.extend(more),
                None => break 'outer,
            }
        }
        // Another account was chosen (a client's file): a new model, every pane started.
        if d.take_replaced() {
            pending.extend(restart(&mut d, &mut app));
            continue;
        }
        // A run that starts after an idle spell gets its first tick a tick from now.
        if !was_running && app.running() {
            tick.reset();
        }
        terminal
            .draw(|frame| view::draw(frame, &app, &d.theme))
            .context("cannot draw")?;
        // Sleep until something happens; tick only while a spinner is visible.
        let found = async {
            match discovery.as_mut() {
                Some(job) => job.await,
                None => std::future::pending().await,
            }
        };
        let msg = tokio::select! {
            msg = rx.recv() => match msg { Some(m) => m, None => break },
            _ = tick.tick(), if app.running() => Msg::Tick(std::time::Instant::now()),
            joined = found => {
                discovery = None;
                match joined {
                    Ok(Found::Settings(Ok(checkup))) => {
                        d.discovered(*checkup);
                        pending.extend(restart(&mut d, &mut app));
                    }
                    Ok(Found::Beside(Ok(found))) => {
                        pending.push_back(Msg::DiscoveryDone(d.beside_discovered(found)));
                    }
                    Ok(Found::Settings(Err(e)) | Found::Beside(Err(e))) => {
                        pending.push_back(Msg::DiscoveryFailed(format!("Discovery failed: {e}")));
                    }
                    Err(e) => {
                        pending.push_back(Msg::DiscoveryFailed(format!("Discovery stopped: {e}")));
                    }
                }
                continue;
            }
        };
        pending.push_back(msg);
    }
    d.stop_probes();
    // Quitting the dashboard is a normal end; scripts use `check`, whose code is the verdict.
    Ok(crate::exit::ExitStatus::Ok)
}

/// A new model for the dashboard's account, every pane started: at the start, and when the
/// account changes (discovered, or chosen from a client's file). What the start says goes
/// through `update` like any message.
fn restart(d: &mut Dashboard, app: &mut model::App) -> Vec<Msg> {
    *app = d.new_app();
    start_all(d, app)
}

/// Starts every pane of the model.
fn start_all(d: &mut Dashboard, app: &mut model::App) -> Vec<Msg> {
    let first = app.start_all();
    d.perform(model::Action::Probe(first), app)
        .unwrap_or_default()
}

/// Runs discovery in the background; what each source says on the way reaches the loop as
/// [`Msg::Discovering`].
fn start_discovery(
    job: Discover,
    store: crate::profile::ProfileStore,
    tx: mpsc::UnboundedSender<Msg>,
) -> tokio::task::JoinHandle<Found> {
    let (progress, mut heard) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(p) = heard.recv().await {
            if tx.send(Msg::Discovering(p)).is_err() {
                break;
            }
        }
    });
    tokio::spawn(async move {
        match job {
            Discover::Settings {
                address,
                layer,
                options,
            } => Found::Settings(
                crate::check::discover_then_checkup(
                    address,
                    layer,
                    &store,
                    options,
                    Some(progress),
                )
                .await
                .map(Box::new),
            ),
            Discover::Beside { address, options } => Found::Beside(
                crate::check::discover_only(&address, &options, &store, Some(progress)).await,
            ),
        }
    })
}
