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

use keys::keys_of;
use model::Msg;

/// Runs the dashboard until the user quits. The terminal is restored on every way out,
/// panics included (ratatui's init installs that hook).
pub fn run(dashboard: Dashboard) -> Result<crate::exit::ExitStatus> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let mut terminal = crate::terminal::take_screen().context("cannot open the terminal")?;
    let result = runtime.block_on(event_loop(&mut terminal, dashboard));
    crate::terminal::give_back();
    result
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
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
    d.attach(tx);
    let mut tick = tokio::time::interval(Duration::from_millis(120));
    // The tick is off while idle; ticks missed then must not all fire when a run starts.
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    // Settings to discover: the dashboard is up at once and says so; the panes fill and start
    // when discovery answers.
    let mut discovery = d.discover.take().map(|(address, layer, options)| {
        let store = d.store.clone();
        tokio::spawn(async move {
            crate::check::discover_then_checkup(address, layer, &store, options).await
        })
    });
    if discovery.is_some() {
        app.status = Some(format!(
            "Finding the settings for {}: profile, MX, SRV, autoconfig, ISPDB, then the usual names…",
            app.address.as_deref().unwrap_or("this address")
        ));
    }
    // Every pane starts at once; what the start says goes through `update` like any message.
    let first = app.start_all();
    let mut pending: VecDeque<Msg> = d
        .perform(model::Action::Probe(first), &app)
        .unwrap_or_default()
        .into();
    'outer: loop {
        let was_running = app.running();
        while let Some(msg) = pending.pop_front() {
            let action = app.update(msg);
            match d.perform(action, &app) {
                Some(more) => pending.extend(more),
                None => break 'outer,
            }
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
                    Ok(Ok(checkup)) => {
                        d.discovered(checkup);
                        app = d.new_app();
                        let first = app.start_all();
                        pending.extend(d.perform(model::Action::Probe(first), &app).unwrap_or_default());
                    }
                    Ok(Err(e)) => app.status = Some(format!("Discovery failed: {e}")),
                    Err(e) => app.status = Some(format!("Discovery stopped: {e}")),
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
