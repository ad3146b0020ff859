//! Overlays: help, the focused pane's transcript, the profile picker and the two prompts.

use ratatui::Frame;
use ratatui::layout::{Margin, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::probe::observation::Direction;

use crate::tui::forms::{PasswordForm, Picker, SaveForm};
use crate::tui::keys::BINDINGS;
use crate::tui::model::App;
use crate::tui::theme::Theme;

/// Every key, from the key table, in a box that fits 80×24: a help text that would not fit
/// wraps under itself rather than running off the edge.
pub fn help(frame: &mut Frame, area: Rect, theme: &Theme) {
    let inner = area.inner(Margin {
        horizontal: if area.width >= 100 { 4 } else { 1 },
        vertical: u16::from(area.height >= 30) * 2,
    });
    frame.render_widget(Clear, inner);
    let key_column = BINDINGS
        .iter()
        .map(|b| super::fit::width(b.long))
        .max()
        .unwrap_or(0)
        + 2;
    let room = usize::from(inner.width.saturating_sub(2));
    let text_room = room.saturating_sub(key_column);
    let mut lines = Vec::new();
    for binding in BINDINGS {
        let key = format!(
            "{}{}",
            binding.long,
            " ".repeat(key_column - super::fit::width(binding.long))
        );
        for (i, text) in super::fit::wrap(binding.help, text_room, "", "")
            .into_iter()
            .enumerate()
        {
            let key = if i == 0 {
                key.clone()
            } else {
                " ".repeat(key_column)
            };
            lines.push(Line::from(vec![
                Span::styled(key, theme.bold()),
                Span::raw(text),
            ]));
        }
    }
    lines.push(Line::from(""));
    let symbols = "Symbols: ✓/+ ok · ! warning · ✗/x error · i info · - not configured or skipped";
    lines.extend(
        super::fit::wrap(symbols, room, "", "")
            .into_iter()
            .map(Line::from),
    );
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" Help: every key "),
        ),
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
        // Long lines (a CAPABILITY list, a certificate error) wrap: nothing runs off the edge.
        Paragraph::new(lines)
            .wrap(ratatui::widgets::Wrap { trim: false })
            .scroll((scroll, 0))
            .block(Block::default().borders(Borders::ALL).title(title)),
        inner,
    );
}

/// How the settings were found: the sources as `discover` prints them, then every server
/// they name, one of them selected for Enter; scrolled so the selection stays in view.
pub fn discovery(frame: &mut Frame, area: Rect, app: &App, selected: usize, theme: &Theme) {
    let inner = area.inner(Margin {
        horizontal: 2,
        vertical: 1,
    });
    frame.render_widget(Clear, inner);
    let Some(found) = &app.discovery else {
        return;
    };
    let mut lines: Vec<Line> = found
        .sources
        .iter()
        .map(|l| Line::from(l.clone()))
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        "Servers named (Enter probes the one selected in its pane):",
        theme.bold(),
    )));
    let first_server = lines.len();
    for (i, server) in found.servers.iter().enumerate() {
        // What the probe saw comes before who names it: a narrow box cuts the tail.
        let mut seen = server
            .verdict
            .clone()
            .unwrap_or_else(|| "not probed".into());
        if server.recommended {
            seen.push_str(", recommended");
        }
        let text = format!(
            "{:<4} {:<33} {seen:<20} {}",
            server.protocol.label(),
            server.endpoint.describe(),
            server.named_by
        );
        lines.push(choice(&text, i == selected, theme));
    }
    if found.servers.is_empty() {
        lines.push(Line::from(Span::styled(
            "  none: no source names a server",
            theme.dim(),
        )));
    }
    choices(frame, inner, lines, first_server + selected, " Sources ");
}

/// The mail clients' accounts found on this machine, one selected for Enter.
pub fn clients(frame: &mut Frame, area: Rect, app: &App, selected: usize, theme: &Theme) {
    let inner = area.inner(Margin {
        horizontal: 2,
        vertical: 1,
    });
    frame.render_widget(Clear, inner);
    let mut lines = vec![
        Line::from(Span::styled(
            "Mail client settings found on this machine: which account fails?",
            theme.bold(),
        )),
        Line::from(""),
    ];
    let first = lines.len();
    for (i, item) in app.clients.iter().enumerate() {
        lines.push(choice(&item.label, i == selected, theme));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        "Passwords in these files are never read. Or quit and give an address.",
        theme.dim(),
    )));
    choices(frame, inner, lines, first + selected, " Clients ");
}

/// One row of a list to choose from: marked and reversed when it is the one chosen, so the
/// choice shows without colour.
fn choice(text: &str, chosen: bool, theme: &Theme) -> Line<'static> {
    if chosen {
        Line::from(Span::styled(
            format!("▶ {text}"),
            theme
                .bold()
                .add_modifier(ratatui::style::Modifier::REVERSED),
        ))
    } else {
        Line::from(format!("  {text}"))
    }
}

/// A boxed list, scrolled so that line `row` (the chosen one) stays in view.
fn choices(frame: &mut Frame, inner: Rect, lines: Vec<Line<'static>>, row: usize, title: &str) {
    let room = usize::from(inner.height.saturating_sub(2)).max(1);
    let scroll = row.saturating_sub(room - 1);
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0))
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(title.to_owned()),
            ),
        inner,
    );
}

/// A box of `height` lines centred in `area`, at most 70 columns wide.
fn centred(area: Rect, height: u16) -> Rect {
    let width = area.width.saturating_sub(4).min(70);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

pub fn picker(frame: &mut Frame, area: Rect, app: &App, picker: &Picker, theme: &Theme) {
    let rect = centred(area, area.height.saturating_sub(4).max(5));
    frame.render_widget(Clear, rect);
    let visible = picker.visible(&app.profiles);
    let mut lines = vec![Line::from(vec![
        Span::styled("Filter: ", theme.bold()),
        Span::raw(picker.filter.text.clone()),
        Span::styled("_", theme.bold()),
        Span::styled(
            format!("   {} of {}", visible.len(), app.profiles.len()),
            theme.dim(),
        ),
    ])];
    // Keep the selection in view: scroll the list under the filter line.
    let room = usize::from(rect.height.saturating_sub(3)).max(1);
    let skip = picker.selected.saturating_sub(room - 1);
    for (i, item) in visible.iter().enumerate().skip(skip).take(room) {
        let marker = if i == picker.selected { "▶ " } else { "  " };
        let style = if i == picker.selected {
            theme
                .bold()
                .add_modifier(ratatui::style::Modifier::REVERSED)
        } else {
            ratatui::style::Style::default()
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{marker}{:<16} {}", item.id, item.name), style),
            Span::styled(format!("  {}", item.domains.join(" ")), theme.dim()),
        ]));
    }
    if visible.is_empty() {
        lines.push(Line::from(Span::styled("No profile matches.", theme.dim())));
    }
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" Compare with a provider profile "),
        ),
        rect,
    );
}

pub fn password(frame: &mut Frame, area: Rect, app: &App, form: &PasswordForm, theme: &Theme) {
    let rect = centred(area, 6);
    frame.render_widget(Clear, rect);
    let who = app
        .username
        .clone()
        .or_else(|| app.address.clone())
        .unwrap_or_else(|| "(no user name)".into());
    let typed = if form.is_empty() {
        "(nothing typed yet)"
    } else {
        "(typed, not shown)"
    };
    let lines = vec![
        Line::from(vec![
            Span::styled("Password for ", theme.bold()),
            Span::raw(who),
        ]),
        Line::from(Span::styled(typed, theme.dim())),
        Line::from(Span::styled(
            "Kept in memory for this run only; never shown, saved or logged.",
            theme.dim(),
        )),
    ];
    frame.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(" Log in ")),
        rect,
    );
}

pub fn save(frame: &mut Frame, area: Rect, form: &SaveForm, theme: &Theme) {
    let rect = centred(area, 5);
    frame.render_widget(Clear, rect);
    let second = if form.overwrite {
        Line::from(Span::styled(
            "This file exists: Enter again overwrites it, Esc keeps it.",
            theme.severity(Some(crate::finding::Severity::Warning)),
        ))
    } else {
        Line::from(Span::styled(
            "The settings as they stand now; no password is written.",
            theme.dim(),
        ))
    };
    let lines = vec![
        Line::from(vec![
            Span::styled("File: ", theme.bold()),
            Span::raw(form.path.text.clone()),
            Span::styled("_", theme.bold()),
        ]),
        second,
    ];
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" Save account file "),
        ),
        rect,
    );
}
