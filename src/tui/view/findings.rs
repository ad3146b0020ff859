//! The findings list, worst first, and the selected finding's explanation and fix.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph};

use super::fit;
use crate::tui::model::App;
use crate::tui::theme::Theme;

pub fn list(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let title = if app.running() {
        " Findings so far, worst first "
    } else {
        " Findings, worst first "
    };
    let block = Block::default().borders(Borders::ALL).title(title);
    if app.findings.is_empty() {
        let text = if app.running() {
            "Nothing wrong so far…"
        } else if app.discovering.as_ref().is_some_and(|d| !d.beside) {
            "Looking up the settings: nothing checked yet."
        } else if !app.checked() {
            "Nothing checked yet."
        } else if app.discovering.is_some() {
            "Nothing wrong so far…"
        } else {
            "No problems found."
        };
        frame.render_widget(
            Paragraph::new(Span::styled(text, theme.severity(None))).block(block),
            area,
        );
        return;
    }
    // Inside the borders, after the selection mark.
    let room = usize::from(area.width.saturating_sub(4));
    let items: Vec<ListItem> = app
        .findings
        .iter()
        .map(|f| {
            let severity = Some(f.severity);
            let protocol = f.protocol.map_or("ALL ", |p| match p {
                crate::account::Protocol::Smtp => "SMTP",
                crate::account::Protocol::Imap => "IMAP",
                crate::account::Protocol::Pop3 => "POP3",
            });
            ListItem::new(super::pane::fit_line(
                Line::from(vec![
                    Span::styled(
                        format!(
                            "{} {:<5}",
                            theme.severity_symbol(severity),
                            Theme::severity_word(severity)
                        ),
                        theme.severity(severity),
                    ),
                    Span::raw(format!(" {protocol}  ")),
                    Span::raw(f.title.clone()),
                    // Which findings carry a fix one key away.
                    Span::styled(
                        if app.suggestion_for(f).is_some() {
                            "  [a]"
                        } else {
                            ""
                        },
                        theme.bold(),
                    ),
                ]),
                room,
            ))
        })
        .collect();
    let highlight = theme.bold().add_modifier(Modifier::REVERSED);
    let list = List::new(items)
        .block(block)
        .highlight_style(highlight)
        .highlight_symbol(if theme.ascii { "> " } else { "▶ " });
    let mut state = ListState::default().with_selected(Some(app.selected));
    frame.render_stateful_widget(list, area, &mut state);
}

/// The selected finding's details, wrapped to `room` columns, in the order a user needs
/// them: what to do (the key that does it, the fix), then why, then the server's own words.
pub fn details_lines(app: &App, theme: &Theme, room: usize) -> Vec<Line<'static>> {
    let Some(f) = app.selected_finding() else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    if let Some(offer) = app.suggestion() {
        let why = if offer.works {
            "it works from here.".to_owned()
        } else {
            format!(
                "profile {} documents it.",
                app.profile.as_deref().unwrap_or("?")
            )
        };
        let text = format!(
            "to use {} for {}: {why}",
            offer.endpoint.describe(),
            offer.protocol.label()
        );
        push_wrapped(
            &mut lines,
            room,
            ("Press a", theme.bold().add_modifier(Modifier::REVERSED)),
            &text,
            theme.bold(),
        );
    }
    if let Some(fix) = &f.client_fix {
        push_wrapped(&mut lines, room, ("Fix:", theme.bold()), fix, theme.bold());
    }
    if let Some(fix) = &f.fix {
        let label = if f.client_fix.is_some() {
            "In general:"
        } else {
            "Fix:"
        };
        push_wrapped(
            &mut lines,
            room,
            (label, theme.bold()),
            fix,
            ratatui::style::Style::new(),
        );
    }
    push_wrapped(
        &mut lines,
        room,
        (&format!("[{}]", f.id), theme.dim()),
        &f.explanation,
        ratatui::style::Style::new(),
    );
    if let Some(evidence) = &f.evidence {
        push_wrapped(
            &mut lines,
            room,
            ("Evidence:", theme.dim()),
            evidence,
            theme.dim(),
        );
    }
    lines
}

/// `label text`, wrapped, the label in its own style on the first line.
fn push_wrapped(
    lines: &mut Vec<Line<'static>>,
    room: usize,
    (label, label_style): (&str, ratatui::style::Style),
    text: &str,
    style: ratatui::style::Style,
) {
    let whole = format!("{label} {text}");
    for (i, line) in fit::wrap(&whole, room, "", "").into_iter().enumerate() {
        if i == 0 && line.starts_with(label) {
            let rest = line[label.len()..].to_owned();
            lines.push(Line::from(vec![
                Span::styled(label.to_owned(), label_style),
                Span::styled(rest, style),
            ]));
        } else {
            lines.push(Line::from(Span::styled(line, style)));
        }
    }
}

/// The details box: a top rule titled "Details", and when they do not fit, where the reader
/// is and the key that shows the rest.
pub fn details(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let lines = details_lines(app, theme, usize::from(area.width));
    let room = area.height.saturating_sub(1);
    let total = u16::try_from(lines.len()).unwrap_or(u16::MAX);
    let overflow = total.saturating_sub(room);
    app.details_overflow.set(overflow);
    let scroll = app.details_scroll.min(overflow);
    let mut block = Block::default().borders(Borders::TOP).title(" Details ");
    if overflow > 0 {
        let more = if scroll < overflow {
            format!(" {}-{} of {total} · PgDn more ", scroll + 1, scroll + room)
        } else {
            format!(" {}-{total} of {total} · PgUp back ", scroll + 1)
        };
        block = block.title(Line::from(Span::styled(more, theme.bold())).right_aligned());
    }
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), area);
}
