//! The password prompt: written to the terminal itself, as ssh and sudo do, so it shows even
//! when standard error goes to a log; typed without echo, in raw mode.

use std::io::Write;
use std::sync::atomic::Ordering;

use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use ratatui::crossterm::terminal;
use zeroize::Zeroizing;

use crate::secret::Secret;

/// What the user did at the prompt.
#[derive(Debug)]
pub enum Prompted {
    /// Typed something and pressed Enter.
    Typed(Secret),
    /// Ctrl-D: no password given.
    Nothing,
    /// Ctrl-C: stop everything.
    Cancelled,
}

/// Asks for a password on the terminal without echoing it. The terminal is given back
/// whatever the user does.
pub fn read_secret(prompt: &str) -> std::io::Result<Prompted> {
    let mut tty = prompt_writer();
    write!(tty, "{prompt}")?;
    tty.flush()?;
    terminal::enable_raw_mode()?;
    super::TAKEN.store(super::RAW, Ordering::SeqCst);
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
            KeyCode::Enter => break Prompted::Typed(Secret::new(typed.as_str().to_owned())),
            KeyCode::Char('c') if ctrl => break Prompted::Cancelled,
            KeyCode::Char('d') if ctrl => break Prompted::Nothing,
            KeyCode::Backspace => {
                typed.pop();
            }
            KeyCode::Char(c) if !ctrl && typed.len() + c.len_utf8() <= typed.capacity() => {
                typed.push(c);
            }
            _ => {}
        }
    };
    super::give_back();
    Ok(outcome)
}

/// Ends the prompt's line, where the prompt was written.
pub(super) fn end_line() {
    let _ = writeln!(prompt_writer());
}

/// The terminal itself when it can be opened, else standard error.
fn prompt_writer() -> Box<dyn Write> {
    match std::fs::OpenOptions::new().write(true).open("/dev/tty") {
        Ok(tty) => Box::new(tty),
        Err(_) => Box::new(std::io::stderr()),
    }
}
