//! Header (account, profile, verdict, time), the tab bar of narrow screens, and the footer keys.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::account::Protocol;

use super::super::keys::{BINDINGS, Command};
use super::super::model::{App, Discovering, Overlay, Progress};
use super::super::theme::Theme;
use super::pane::pane_verdict;
use crate::discover::sources::Status;

pub fn header(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let verdict = app.verdict();
    let state = if app.running() {
        format!(
            "{} checking {:.1} s",
            theme.spinner(app.spinner),
            app.elapsed.as_secs_f32()
        )
    } else {
        format!("done in {:.1} s", app.elapsed.as_secs_f32())
    };
    let mut spans = vec![
        Span::styled("maildoctor", theme.bold()),
        Span::raw(" · "),
        Span::raw(app.address.clone().unwrap_or_else(|| "(no address)".into())),
    ];
    if let Some(user) = &app.username {
        spans.push(Span::raw(format!(" as {user}")));
    }
    spans.push(Span::raw(format!(
        " · profile {}",
        app.profile.as_deref().unwrap_or("none")
    )));
    if app.login {
        spans.push(Span::raw(" · with login"));
    }
    spans.push(Span::raw(" · "));
    spans.push(Span::styled(
        format!(
            "{} {}",
            theme.severity_symbol(verdict),
            Theme::severity_word(verdict)
        ),
        theme.severity(verdict),
    ));
    spans.push(Span::raw(format!(" · {state}")));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Narrow screens: one tab per protocol, each with its status, so all three stay visible.
pub fn tabs(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let mut spans = Vec::new();
    for protocol in Protocol::ALL {
        let (symbol, style) = pane_verdict(app, protocol, theme);
        let label = format!(" {} {symbol} ", protocol.label());
        let style = if protocol == app.focus {
            style.add_modifier(ratatui::style::Modifier::REVERSED)
        } else {
            style
        };
        spans.push(Span::styled(label, style));
        spans.push(Span::raw("│"));
    }
    spans.pop();
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub fn footer(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    if let Some(status) = &app.status {
        frame.render_widget(
            Paragraph::new(Span::styled(status.clone(), theme.bold())),
            area,
        );
        return;
    }
    if let (Some(discovering), Overlay::None) = (&app.discovering, &app.overlay) {
        frame.render_widget(
            Paragraph::new(Span::styled(
                discovering_line(app.address.as_deref(), discovering),
                theme.bold(),
            )),
            area,
        );
        return;
    }
    let keys = match &app.overlay {
        Overlay::Transcript { .. } => "↑↓ scroll · Esc/t close · q quit".to_owned(),
        Overlay::Discovery { .. } => "↑↓ choose · Enter probe it · Esc/d close · q quit".to_owned(),
        Overlay::Clients { .. } => "↑↓ choose · Enter check it · Esc close · q quit".to_owned(),
        Overlay::Help => "any key closes help · q quit".to_owned(),
        Overlay::Edit(_) => {
            "Enter probe this pane · Tab/↑↓ field · Space security · Esc cancel".to_owned()
        }
        Overlay::Picker(_) => "type to filter · ↑↓ choose · Enter use · Esc cancel".to_owned(),
        Overlay::Password(_) => "Enter log in · Esc cancel · nothing typed is shown".to_owned(),
        Overlay::Save(_) => "Enter save · Esc cancel".to_owned(),
        Overlay::None => dashboard_keys(app),
    };
    let keys = if theme.ascii {
        keys.replace('↑', "Up")
            .replace('↓', "Dn")
            .replace('←', "<")
            .replace('→', ">")
            .replace('·', "|")
    } else {
        keys
    };
    frame.render_widget(Paragraph::new(Span::styled(keys, theme.dim())), area);
}

/// Discovery under way, for the footer: each source as it answers (✓ named servers, - had
/// none, ✗ failed or silent), then the probing. The symbols carry the meaning, not colour.
pub fn discovering_line(address: Option<&str>, d: &Discovering) -> String {
    use std::fmt::Write as _;
    let address = address.unwrap_or("this address");
    let mut line = if d.beside {
        format!("Comparing with what {address}'s domain publishes:")
    } else {
        format!("Finding the settings for {address}:")
    };
    let mut probing = None;
    for progress in &d.heard {
        match progress {
            Progress::Source {
                status: Status::Skipped,
                ..
            } => {}
            Progress::Source { kind, status } => {
                let symbol = match status {
                    Status::Answered => "✓",
                    Status::Nothing => "-",
                    _ => "✗",
                };
                let _ = write!(line, " {}{symbol}", kind.label());
            }
            Progress::Probing { endpoints } => probing = Some(*endpoints),
        }
    }
    match probing {
        Some(n) => {
            let _ = write!(line, " · probing {n} server(s)…");
        }
        None => line.push_str(" …"),
    }
    line
}

/// The keys that do something now, in the key table's order (most useful first: a narrow
/// footer cuts the tail).
fn dashboard_keys(app: &App) -> String {
    let focused = app.pane(app.focus);
    let fillable = focused.endpoint.is_none() && app.profile_endpoints.contains_key(&app.focus);
    BINDINGS
        .iter()
        .filter(|binding| match binding.keys.first().map(|(_, c)| *c) {
            Some(Command::Apply) => app.suggestion().is_some(),
            Some(Command::Fill) => fillable,
            Some(Command::Rerun) => !app.running(),
            Some(Command::Discovery) => app.discovery.is_some(),
            _ => true,
        })
        .map(|binding| format!("{} {}", binding.short, binding.footer))
        .collect::<Vec<_>>()
        .join(" · ")
}
