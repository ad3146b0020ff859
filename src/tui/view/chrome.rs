//! Header (account, profile, verdict, time), the tab bar of narrow screens, and the footer keys.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::account::Protocol;

use super::fit;
use super::pane::{fit_line, pane_verdict};
use crate::discover::sources::Status;
use crate::tui::keys::{BINDINGS, Command};
use crate::tui::model::{App, Discovering, Overlay, Progress};
use crate::tui::theme::Theme;

pub fn header(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let verdict = app.verdict();
    let running = app.running();
    let state = if running {
        let configured = app.panes.values().filter(|p| p.endpoint.is_some()).count();
        let done = app
            .panes
            .values()
            .filter(|p| p.endpoint.is_some() && p.done())
            .count();
        format!(
            "{} checking, {done}/{configured} done · {:.1} s",
            theme.spinner(app.spinner),
            app.elapsed.as_secs_f32()
        )
    } else if app.discovering.as_ref().is_some_and(|d| !d.beside) {
        "finding the settings…".to_owned()
    } else if !app.checked() {
        "nothing checked yet".to_owned()
    } else {
        format!("done in {:.1} s", app.elapsed.as_secs_f32())
    };
    // While probes or discovery run nothing is OK yet: only a problem already certain is
    // named; with nothing checked there is no verdict at all.
    let shown = if !app.checked() && app.discovering.is_none() {
        String::new()
    } else if running || app.discovering.is_some() {
        match verdict.filter(|s| *s > crate::finding::Severity::Info) {
            Some(severity) => format!(
                "{} {} so far · ",
                theme.severity_symbol(Some(severity)),
                Theme::severity_word(Some(severity))
            ),
            None => String::new(),
        }
    } else {
        format!(
            "{} {} · ",
            theme.severity_symbol(verdict),
            Theme::severity_word(verdict)
        )
    };
    let mut spans = vec![
        Span::styled("maildoctor", theme.bold()),
        Span::raw(" · "),
        Span::raw(app.address.clone().unwrap_or_else(|| "(no address)".into())),
    ];
    if let Some(user) = &app.username {
        spans.push(Span::raw(format!(" as {user}")));
    }
    // What gives way first on a narrow screen: "with login", then the profile; the address
    // is cut last, and marked.
    let mut optional = vec![format!(
        " · profile {}",
        app.profile.as_deref().unwrap_or("none")
    )];
    if app.login {
        optional.push(" · with login".to_owned());
    }
    let end_width = fit::width(&shown) + fit::width(&state) + 3;
    let head_width: usize = spans.iter().map(|s| fit::width(&s.content)).sum();
    while optional.iter().map(|o| fit::width(o)).sum::<usize>() + head_width + end_width
        > usize::from(area.width)
        && optional.pop().is_some()
    {}
    spans.extend(optional.into_iter().map(Span::raw));
    spans.push(Span::raw(" · "));
    spans.push(Span::styled(shown, theme.severity(verdict)));
    spans.push(Span::raw(state));
    // The verdict and the state are the end of the line and must stay: the account part
    // gives way, marked.
    let tail: usize = spans[spans.len() - 3..]
        .iter()
        .map(|s| fit::width(&s.content))
        .sum();
    let head: Vec<Span> = spans.drain(..spans.len() - 3).collect();
    let mut line = fit_line(
        Line::from(head),
        usize::from(area.width).saturating_sub(tail),
    );
    line.spans.extend(spans);
    frame.render_widget(Paragraph::new(line), area);
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
        Overlay::None => fit::join_fitting(
            &dashboard_keys(app),
            " · ",
            "? help",
            usize::from(area.width),
        ),
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
    let keys = fit::ellipsize(&keys, usize::from(area.width));
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
/// footer drops the tail, and ends with `? help`, which lists them all).
fn dashboard_keys(app: &App) -> Vec<String> {
    let focused = app.pane(app.focus);
    let fillable = focused.endpoint.is_none() && app.profile_endpoints.contains_key(&app.focus);
    BINDINGS
        .iter()
        .filter(|binding| match binding.keys.first().map(|(_, c)| *c) {
            Some(Command::Apply) => app.suggestion().is_some(),
            Some(Command::Fill) => fillable,
            Some(Command::Rerun) => !app.running(),
            Some(Command::Discovery) => app.discovery.is_some(),
            Some(Command::DetailsUp) => app.details && app.details_overflow.get() > 0,
            Some(Command::Help) => false,
            _ => true,
        })
        .map(|binding| format!("{} {}", binding.short, binding.footer))
        .collect()
}
