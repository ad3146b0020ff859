//! The pure view: `draw(frame, app, theme)` renders the model and nothing else.
//!
//! ```text
//! ┌ maildoctor · alice@example.com · profile outlook · ✗ ERROR · 1.2 s ──────────────┐
//! ┌ Outgoing — SMTP ─────┐┌ Incoming — IMAP ─────┐┌ Incoming — POP3 ─────┐   (≥ 110 cols)
//! │ host:port SECURITY   ││ …                    ││ …                    │   or one pane
//! │ ✓ resolve   2 ms     ││                      ││                      │   with tabs
//! └──────────────────────┘└──────────────────────┘└──────────────────────┘
//! ┌ Findings, worst first ───────────────────────────────────────────────┐
//! │ ✗ ERROR SMTP  Port 465 expects SSL/TLS, but STARTTLS is set          │
//! ├ details of the selected finding: explanation and fix ────────────────┤
//! q quit · Tab pane · ↑↓ finding · Enter details · r re-run · t transcript · ? help
//! ```

mod chrome;
mod findings;
mod overlay;
mod pane;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};

use super::model::{App, Overlay};
use super::theme::Theme;

/// Below this width the panes stack into tabs.
pub const WIDE: u16 = 110;

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme) {
    let area = frame.area();
    let wide = area.width >= WIDE;
    let details_height = if app.details { 6 } else { 0 };
    // Panes as tall as their content, but the findings keep at least four rows visible.
    let chrome = 2 + u16::from(!wide) + details_height;
    let room = area.height.saturating_sub(chrome + 6).max(5);
    let wanted = if wide {
        crate::account::Protocol::ALL
            .into_iter()
            .map(|p| pane::height(app, p, theme))
            .max()
            .unwrap_or(5)
    } else {
        pane::height(app, app.focus, theme)
    };
    let floor = if wide { 12 } else { 9 };
    let pane_height = wanted.max(floor).min(room.max(floor));
    let mut constraints = vec![Constraint::Length(1)];
    if !wide {
        constraints.push(Constraint::Length(1));
    }
    constraints.extend([
        Constraint::Length(pane_height),
        Constraint::Min(3),
        Constraint::Length(details_height),
        Constraint::Length(1),
    ]);
    let rows = Layout::vertical(constraints).split(area);
    let mut i = 0;
    chrome::header(frame, rows[i], app, theme);
    i += 1;
    if !wide {
        chrome::tabs(frame, rows[i], app, theme);
        i += 1;
    }
    if wide {
        let cols = Layout::horizontal([Constraint::Ratio(1, 3); 3]).split(rows[i]);
        for (protocol, col) in crate::account::Protocol::ALL.into_iter().zip(cols.iter()) {
            pane::render(frame, *col, app, protocol, theme);
        }
    } else {
        pane::render(frame, rows[i], app, app.focus, theme);
    }
    findings::list(frame, rows[i + 1], app, theme);
    if app.details {
        findings::details(frame, rows[i + 2], app, theme);
    }
    chrome::footer(frame, rows[i + 3], app, theme);
    match &app.overlay {
        Overlay::None => {}
        Overlay::Help => overlay::help(frame, area, theme),
        Overlay::Transcript { scroll } => overlay::transcript(frame, area, app, *scroll, theme),
        Overlay::Clients { selected } => overlay::clients(frame, area, app, *selected, theme),
        Overlay::Discovery { selected } => {
            overlay::discovery(frame, area, app, *selected, theme);
        }
        // The editor lives in its pane.
        Overlay::Edit(_) => {}
        Overlay::Picker(picker) => overlay::picker(frame, area, app, picker, theme),
        Overlay::Password(form) => overlay::password(frame, area, app, form, theme),
        Overlay::Save(form) => overlay::save(frame, area, form, theme),
    }
    if theme.ascii {
        asciify(frame.buffer_mut());
    }
}

/// `--ascii`: every cell drawn in ASCII, whatever drew it (borders, symbols, a server's UTF-8).
/// Done once over the finished frame, so no widget can forget it.
fn asciify(buffer: &mut ratatui::buffer::Buffer) {
    for cell in &mut buffer.content {
        let symbol = cell.symbol();
        if symbol.is_ascii() {
            continue;
        }
        let ascii = match symbol {
            "┌" | "┐" | "└" | "┘" | "├" | "┤" | "┬" | "┴" | "┼" => "+",
            "─" | "—" | "–" => "-",
            "│" => "|",
            "·" => "|",
            "▶" | "›" | "→" => ">",
            "‹" | "←" => "<",
            "▲" | "↑" => "^",
            "↓" => "v",
            "…" => ".",
            "✓" => "+",
            "✗" => "x",
            _ => "?",
        };
        cell.set_symbol(ascii);
    }
}
