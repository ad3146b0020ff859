//! Overlays: the help screen and the focused pane's transcript.

use ratatui::Frame;
use ratatui::layout::{Margin, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::probe::transcript::Direction;

use super::super::app::App;
use super::super::theme::Theme;

const HELP: &[(&str, &str)] = &[
    ("Tab / Shift-Tab, ← →", "focus the next or previous pane"),
    ("↑ ↓", "select a finding"),
    ("Enter", "show or hide the selected finding's details"),
    ("r", "run every check again"),
    (
        "t",
        "the focused pane's transcript (passwords are always redacted)",
    ),
    ("?", "this help"),
    ("q, Esc, Ctrl-C", "quit"),
];

pub fn help(frame: &mut Frame, area: Rect, theme: &Theme) {
    let inner = area.inner(Margin {
        horizontal: 4,
        vertical: 2,
    });
    frame.render_widget(Clear, inner);
    let mut lines = vec![
        Line::from(Span::styled("Keys", theme.bold())),
        Line::from(""),
    ];
    for (key, what) in HELP {
        lines.push(Line::from(vec![
            Span::styled(format!("{key:<22}"), theme.bold()),
            Span::raw(*what),
        ]));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(
        "Symbols: ✓/+ ok · ! warning · ✗/x error · i info · - not configured or skipped",
    ));
    frame.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(" Help ")),
        inner,
    );
}

pub fn transcript(frame: &mut Frame, area: Rect, app: &App, scroll: u16, theme: &Theme) {
    let inner = area.inner(Margin {
        horizontal: 2,
        vertical: 1,
    });
    frame.render_widget(Clear, inner);
    let pane = app.pane(app.focus);
    let lines: Vec<Line> = if pane.transcript.is_empty() {
        vec![Line::from(Span::styled(
            "Nothing was said yet.",
            theme.dim(),
        ))]
    } else {
        pane.transcript
            .iter()
            .map(|l| {
                let who = match l.direction {
                    Direction::Sent => "C:",
                    Direction::Received => "S:",
                    Direction::Note => "  ",
                };
                Line::from(vec![
                    Span::styled(format!("{:>6} ms {who} ", l.at.as_millis()), theme.dim()),
                    Span::raw(l.text.clone()),
                ])
            })
            .collect()
    };
    let title = format!(" Transcript — {} ", app.focus.label());
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((scroll, 0))
            .block(Block::default().borders(Borders::ALL).title(title)),
        inner,
    );
}
