//! Keys: what the terminal sends, decoded (`keys_of`), and the one table of what each key
//! does on the dashboard. The handler in `update`, the footer and the help all read
//! [`BINDINGS`], so a key cannot do one thing and be described as another.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// A key, decoded from the terminal but not yet given a meaning: that depends on the mode
/// (in the editor `q` is a letter, on the dashboard it quits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Ctrl(char),
    Up,
    Down,
    Left,
    Right,
    Tab,
    BackTab,
    Enter,
    Esc,
    Backspace,
    PageUp,
    PageDown,
    Other,
}

/// What a key asks of the dashboard (not in a text box or an overlay).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Quit,
    Apply,
    Fill,
    Edit,
    NextPane,
    PreviousPane,
    PreviousFinding,
    NextFinding,
    Details,
    DetailsUp,
    DetailsDown,
    Rerun,
    Transcript,
    Discovery,
    Login,
    Profile,
    Save,
    Export,
    Help,
}

/// One row of the key table: the keys, how the footer and the help name them, and the
/// command each key gives.
#[derive(Debug)]
pub struct Binding {
    pub keys: &'static [(Key, Command)],
    /// The keys as the footer shows them ("a", "Tab", "↑↓").
    pub short: &'static str,
    /// The footer's word for it; the footer lists the rows in this table's order and a
    /// narrow one cuts the tail, so the most useful come first.
    pub footer: &'static str,
    /// The keys as the help lists them.
    pub long: &'static str,
    pub help: &'static str,
}

/// Every dashboard key.
pub const BINDINGS: &[Binding] = &[
    Binding {
        keys: &[(Key::Char('q'), Command::Quit), (Key::Esc, Command::Quit)],
        short: "q",
        footer: "quit",
        long: "q, Esc, Ctrl-C",
        help: "quit",
    },
    Binding {
        keys: &[(Key::Char('a'), Command::Apply)],
        short: "a",
        footer: "apply fix",
        long: "a",
        help: "use the endpoint the finding suggests, and probe it",
    },
    Binding {
        keys: &[(Key::Char('f'), Command::Fill)],
        short: "f",
        footer: "fill from profile",
        long: "f",
        help: "fill an unconfigured pane from the profile",
    },
    Binding {
        keys: &[(Key::Char('e'), Command::Edit)],
        short: "e",
        footer: "edit",
        long: "e",
        help: "edit the focused pane's server, port and security",
    },
    Binding {
        keys: &[
            (Key::Tab, Command::NextPane),
            (Key::Right, Command::NextPane),
            (Key::BackTab, Command::PreviousPane),
            (Key::Left, Command::PreviousPane),
        ],
        short: "Tab",
        footer: "pane",
        long: "Tab / Shift-Tab, ← →",
        help: "focus the next or previous pane",
    },
    Binding {
        keys: &[
            (Key::Up, Command::PreviousFinding),
            (Key::Char('k'), Command::PreviousFinding),
            (Key::Down, Command::NextFinding),
            (Key::Char('j'), Command::NextFinding),
        ],
        short: "↑↓",
        footer: "finding",
        long: "↑ ↓ (k j)",
        help: "select a finding",
    },
    Binding {
        keys: &[(Key::Enter, Command::Details)],
        short: "Enter",
        footer: "details",
        long: "Enter",
        help: "show or hide the selected finding's details",
    },
    Binding {
        keys: &[
            (Key::PageUp, Command::DetailsUp),
            (Key::PageDown, Command::DetailsDown),
        ],
        short: "PgDn",
        footer: "more details",
        long: "PgUp PgDn, Shift-↑↓",
        help: "scroll the details when they do not fit",
    },
    Binding {
        keys: &[(Key::Char('r'), Command::Rerun)],
        short: "r",
        footer: "re-run",
        long: "r",
        help: "run every check again",
    },
    Binding {
        keys: &[(Key::Char('t'), Command::Transcript)],
        short: "t",
        footer: "transcript",
        long: "t",
        help: "the focused pane's dialogue (passwords redacted)",
    },
    Binding {
        keys: &[(Key::Char('d'), Command::Discovery)],
        short: "d",
        footer: "sources",
        long: "d",
        help: "how the settings were found, source by source",
    },
    Binding {
        keys: &[(Key::Char('l'), Command::Login)],
        short: "l",
        footer: "login",
        long: "l",
        help: "log in (password asked here, kept in memory only)",
    },
    Binding {
        keys: &[(Key::Char('p'), Command::Profile)],
        short: "p",
        footer: "profile",
        long: "p",
        help: "pick the provider profile to compare with",
    },
    Binding {
        keys: &[(Key::Char('s'), Command::Save)],
        short: "s",
        footer: "save",
        long: "s",
        help: "save these settings as an account file (no password)",
    },
    Binding {
        keys: &[(Key::Char('x'), Command::Export)],
        short: "x",
        footer: "export",
        long: "x",
        help: "export a report for a help desk (Markdown, JSON)",
    },
    Binding {
        keys: &[(Key::Char('?'), Command::Help)],
        short: "?",
        footer: "help",
        long: "?",
        help: "this help",
    },
];

/// The command a key gives on the dashboard, if any.
pub fn command_for(key: Key) -> Option<Command> {
    BINDINGS
        .iter()
        .flat_map(|b| b.keys)
        .find(|(k, _)| *k == key)
        .map(|(_, command)| *command)
}

/// The row that holds a command.
pub fn binding_of(command: Command) -> Option<&'static Binding> {
    BINDINGS
        .iter()
        .find(|b| b.keys.iter().any(|(_, c)| *c == command))
}

/// Decodes a terminal key event into the keys it stands for; what they mean depends on the
/// dashboard's mode. The dashboard has no Alt bindings: an Alt+key is Esc and the key typed
/// quickly (as terminals and SSH deliver them), so closing a box and pressing the next key
/// never loses the Esc.
pub fn keys_of(event: KeyEvent) -> Vec<Key> {
    if event.kind == KeyEventKind::Release {
        return Vec::new();
    }
    if event.modifiers.contains(KeyModifiers::ALT) {
        let plain = KeyEvent::new(event.code, event.modifiers - KeyModifiers::ALT);
        return [Key::Esc].into_iter().chain(keys_of(plain)).collect();
    }
    vec![key_of(event)]
}

fn key_of(event: KeyEvent) -> Key {
    match event.code {
        KeyCode::Char(c) if event.modifiers.contains(KeyModifiers::CONTROL) => {
            Key::Ctrl(c.to_ascii_lowercase())
        }
        KeyCode::Char(c) => Key::Char(c),
        // Shift-↑↓ for terminals (and SSH clients) without PgUp and PgDn keys.
        KeyCode::Up if event.modifiers.contains(KeyModifiers::SHIFT) => Key::PageUp,
        KeyCode::Down if event.modifiers.contains(KeyModifiers::SHIFT) => Key::PageDown,
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        KeyCode::Left => Key::Left,
        KeyCode::Right => Key::Right,
        KeyCode::Tab => Key::Tab,
        KeyCode::BackTab => Key::BackTab,
        KeyCode::Enter => Key::Enter,
        KeyCode::Esc => Key::Esc,
        KeyCode::Backspace => Key::Backspace,
        _ => Key::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEventState;

    fn event(code: KeyCode, modifiers: KeyModifiers, kind: KeyEventKind) -> KeyEvent {
        KeyEvent {
            code,
            modifiers,
            kind,
            state: KeyEventState::NONE,
        }
    }

    #[test]
    fn no_key_does_two_things() {
        let mut seen = std::collections::BTreeSet::new();
        for (key, _) in BINDINGS.iter().flat_map(|b| b.keys) {
            assert!(seen.insert(format!("{key:?}")), "{key:?} is bound twice");
        }
        assert_eq!(command_for(Key::Char('a')), Some(Command::Apply));
        assert_eq!(command_for(Key::Char('z')), None);
        assert_eq!(
            binding_of(Command::NextFinding).map(|b| b.short),
            Some("↑↓")
        );
    }

    #[test]
    fn terminal_keys_decode_to_dashboard_keys() {
        let press = |code, m| keys_of(event(code, m, KeyEventKind::Press));
        assert_eq!(
            press(KeyCode::Char('q'), KeyModifiers::NONE),
            [Key::Char('q')]
        );
        assert_eq!(
            press(KeyCode::Char('C'), KeyModifiers::CONTROL),
            [Key::Ctrl('c')]
        );
        assert_eq!(
            press(KeyCode::Char('l'), KeyModifiers::ALT),
            [Key::Esc, Key::Char('l')],
            "Esc then l, read together, is not lost"
        );
        assert_eq!(press(KeyCode::BackTab, KeyModifiers::SHIFT), [Key::BackTab]);
        assert!(
            keys_of(event(
                KeyCode::Char('x'),
                KeyModifiers::NONE,
                KeyEventKind::Release
            ))
            .is_empty(),
            "a release is no key"
        );
    }
}
