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
mod fit;
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
    let split = layout(app, theme, area);
    let mut constraints = vec![Constraint::Length(1)];
    if !wide {
        constraints.push(Constraint::Length(1));
    }
    constraints.extend([
        Constraint::Length(split.panes),
        Constraint::Length(split.findings),
        Constraint::Min(0),
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

/// Rows for the panes, the findings and the details (which get the rest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    pub panes: u16,
    pub findings: u16,
}

/// The screen laid out by content: the findings box as tall as its findings, the details as
/// tall as the selected finding's fix needs (up to a point), the panes what is left, and any
/// spare rows to the details. The fix comes first in the details, so it is what stays.
pub fn layout(app: &App, theme: &Theme, area: ratatui::layout::Rect) -> Split {
    let wide = area.width >= WIDE;
    let chrome = 2 + u16::from(!wide);
    let rows = area.height.saturating_sub(chrome);
    let listed = u16::try_from(app.findings.len().max(1)).unwrap_or(u16::MAX);
    let findings = (listed + 2).min((rows / 3).max(3));
    let details_wanted = if app.details {
        let lines = findings::details_lines(app, theme, usize::from(area.width)).len();
        u16::try_from(lines).unwrap_or(u16::MAX).saturating_add(1)
    } else {
        0
    };
    // Enough rows for the fix and its first words of explanation; the rest scrolls.
    let details = details_wanted.min(8);
    let wanted = if wide {
        crate::account::Protocol::ALL
            .into_iter()
            .map(|p| pane::height(app, p, theme))
            .max()
            .unwrap_or(5)
    } else {
        pane::height(app, app.focus, theme)
    };
    // A floor keeps the panes from jumping as stages arrive.
    let floor = if wide { 12 } else { 9 };
    let room = rows.saturating_sub(findings + details);
    let panes = wanted.max(floor).min(room).max(4.min(rows));
    let findings = if app.details {
        findings
    } else {
        rows.saturating_sub(panes)
    };
    Split { panes, findings }
}

/// `--ascii`: every cell drawn in ASCII, whatever drew it (borders, symbols, a server's UTF-8).
/// Done once over the finished frame, so no widget can forget it.
fn asciify(buffer: &mut ratatui::buffer::Buffer) {
    for cell in &mut buffer.content {
        if !cell.symbol().is_ascii() {
            let ascii = crate::glyphs::ascii_of(cell.symbol());
            cell.set_symbol(ascii);
        }
    }
}
