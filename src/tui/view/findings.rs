//! The findings list, worst first, and the selected finding's explanation and fix.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph, Wrap};

use super::super::model::App;
use super::super::theme::Theme;

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
        } else {
            "No problems found."
        };
        frame.render_widget(
            Paragraph::new(Span::styled(text, theme.severity(None))).block(block),
            area,
        );
        return;
    }
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
            ListItem::new(Line::from(vec![
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
            ]))
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

pub fn details(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let block = Block::default().borders(Borders::TOP).title(" Details ");
    let Some(f) = app.selected_finding() else {
        frame.render_widget(block, area);
        return;
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
        lines.push(Line::from(vec![
            Span::styled("Press a", theme.bold().add_modifier(Modifier::REVERSED)),
            Span::styled(
                format!(
                    " to use {} for {}: {why}",
                    offer.endpoint.describe(),
                    offer.protocol.label()
                ),
                theme.bold(),
            ),
        ]));
    }
    lines.push(Line::from(vec![
        Span::styled(format!("[{}] ", f.id), theme.dim()),
        Span::raw(f.explanation.clone()),
    ]));
    if let Some(fix) = &f.client_fix {
        lines.push(Line::from(vec![
            Span::styled("Fix: ", theme.bold()),
            Span::raw(fix.clone()),
        ]));
    }
    if let Some(fix) = &f.fix {
        let label = if f.client_fix.is_some() {
            "In general: "
        } else {
            "Fix: "
        };
        lines.push(Line::from(vec![
            Span::styled(label, theme.bold()),
            Span::raw(fix.clone()),
        ]));
    }
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
        area,
    );
}
