//! The terminal as maildoctor borrows it: raw mode for the password prompt, raw mode and the
//! alternate screen for the dashboard. It is given back on every way out: a normal end, a
//! panic (the hook `take_screen` installs), Ctrl-C at the prompt, a signal (TERM, INT, HUP,
//! QUIT) and the terminal going away (an SSH connection dropped), after which the process
//! exits with 128 + the signal's number, as shells expect.

mod prompt;
pub mod sixteen;
mod watch;

use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};

use ratatui::crossterm::{cursor, terminal};

pub use prompt::{Prompted, read_secret};
pub use watch::{watch_hangup, watch_signals};

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

/// The dashboard's terminal: its colours written as the 16 classic codes.
pub type Screen =
    ratatui::Terminal<ratatui::backend::CrosstermBackend<sixteen::SixteenColours<std::io::Stdout>>>;

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
    let backend =
        ratatui::backend::CrosstermBackend::new(sixteen::SixteenColours::new(std::io::stdout()));
    ratatui::Terminal::new(backend)
}

/// Undoes whatever was done to the terminal; does nothing when nothing was. It never fails
/// and never panics: it also runs when the terminal is gone, where every write fails (and
/// `eprintln!`, which panics then, would leave the process running without its terminal).
pub fn give_back() {
    match TAKEN.swap(NOT_TAKEN, Ordering::SeqCst) {
        FULL_SCREEN => {
            let _ = terminal::disable_raw_mode();
            // The dashboard hides the cursor; a signal ends it before ratatui could show it.
            let _ = ratatui::crossterm::execute!(
                std::io::stdout(),
                terminal::LeaveAlternateScreen,
                cursor::Show
            );
        }
        RAW => {
            let _ = terminal::disable_raw_mode();
            // The prompt's line is left as it is; the next output starts on a new one.
            prompt::end_line();
        }
        _ => {}
    }
}

/// Gives the terminal back, says why on stderr if it still can, and exits with `code`.
fn leave(code: i32, why: &str) -> ! {
    give_back();
    let _ = writeln!(std::io::stderr(), "maildoctor: {why}");
    std::process::exit(code)
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
