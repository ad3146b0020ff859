//! The terminal as maildoctor borrows it: raw mode for the password prompt, raw mode and the
//! alternate screen for the dashboard. It is given back on every way out: a normal end, a
//! panic (ratatui's hook), Ctrl-C at the prompt, and a signal (TERM, INT, HUP, QUIT), after
//! which the process exits with 128 + the signal's number, as shells expect.

use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};

use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use ratatui::crossterm::terminal;
use zeroize::Zeroizing;

use crate::probe::dialogue::Secret;

const NOT_TAKEN: u8 = 0;
const RAW: u8 = 1;
const FULL_SCREEN: u8 = 2;

/// What maildoctor has done to the terminal, for whoever must undo it.
static TAKEN: AtomicU8 = AtomicU8::new(NOT_TAKEN);

/// Whether a terminal of this `TERM` can show a full-screen dashboard: not an unset or
/// empty one, and not `dumb` (Emacs shells, some CI logs), which has no cursor addressing.
pub fn can_draw(term: Option<&str>) -> bool {
    !matches!(term.map(str::trim), None | Some("" | "dumb" | "unknown"))
}

/// Starts the thread that gives the terminal back and exits when a signal arrives.
pub fn watch_signals() -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP, SIGQUIT])?;
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            give_back();
            eprintln!("maildoctor: stopped by signal {signal}");
            std::process::exit(128 + signal);
        }
    });
    Ok(())
}

/// The dashboard's terminal: its colours written as the 16 classic codes.
pub type Screen = ratatui::Terminal<
    ratatui::backend::CrosstermBackend<crate::tui::sixteen::SixteenColours<std::io::Stdout>>,
>;

/// The dashboard takes the whole screen: raw mode and the alternate screen, as
/// `ratatui::try_init` does, with a panic hook that gives the terminal back first.
pub fn take_screen() -> std::io::Result<Screen> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        give_back();
        hook(info);
    }));
    terminal::enable_raw_mode()?;
    TAKEN.store(FULL_SCREEN, Ordering::SeqCst);
    ratatui::crossterm::execute!(std::io::stdout(), terminal::EnterAlternateScreen)?;
    let backend = ratatui::backend::CrosstermBackend::new(
        crate::tui::sixteen::SixteenColours::new(std::io::stdout()),
    );
    ratatui::Terminal::new(backend)
}

/// Undoes whatever was done to the terminal; does nothing when nothing was.
pub fn give_back() {
    match TAKEN.swap(NOT_TAKEN, Ordering::SeqCst) {
        FULL_SCREEN => ratatui::restore(),
        RAW => {
            let _ = terminal::disable_raw_mode();
            // The prompt's line is left as it is; the next output starts on a new one.
            eprintln!();
        }
        _ => {}
    }
}

/// Asks for a password on the terminal without echoing it. `None` when the user cancelled
/// with Ctrl-C or Ctrl-D; the terminal is given back either way.
pub fn read_secret(prompt: &str) -> std::io::Result<Option<Secret>> {
    let mut stderr = std::io::stderr();
    write!(stderr, "{prompt}")?;
    stderr.flush()?;
    terminal::enable_raw_mode()?;
    TAKEN.store(RAW, Ordering::SeqCst);
    // A buffer that never reallocates, so no copy of the password is left behind in memory.
    let mut typed = Zeroizing::new(String::with_capacity(1024));
    let outcome = loop {
        let Event::Key(key) = event::read()? else {
            continue;
        };
        if key.kind == KeyEventKind::Release {
            continue;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Enter => break true,
            KeyCode::Char('c' | 'd') if ctrl => break false,
            KeyCode::Backspace => {
                typed.pop();
            }
            KeyCode::Char(c) if !ctrl && typed.len() + c.len_utf8() <= typed.capacity() => {
                typed.push(c);
            }
            _ => {}
        }
    };
    give_back();
    Ok(outcome.then(|| Secret::new(typed.as_str().to_owned())))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_dumb_or_unnamed_terminal_gets_text_not_a_dashboard() {
        for (term, draws) in [
            (Some("xterm-256color"), true),
            (Some("screen"), true),
            (Some("linux"), true),
            (Some("dumb"), false),
            (Some(""), false),
            (None, false),
        ] {
            assert_eq!(super::can_draw(term), draws, "{term:?}");
        }
    }
}
