//! One endpoint's pane: the endpoint as configured (flagged where a finding lives), the stages
//! as a live checklist, then the key facts (greeting, certificate, login methods).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::account::Protocol;
use crate::finding::worst;
use crate::probe::observation::StageStatus;

use super::fit;
use crate::tui::forms::{EditForm, Field};
use crate::tui::model::{App, Overlay, Pane};
use crate::tui::theme::Theme;

/// The pane's status symbol for tabs: spinner while probing, then the worst finding.
pub fn pane_verdict(
    app: &App,
    protocol: Protocol,
    theme: &Theme,
) -> (String, ratatui::style::Style) {
    let pane = app.pane(protocol);
    if pane.endpoint.is_none() {
        return ("-".to_owned(), theme.dim());
    }
    if !pane.done() && app.running() {
        return (theme.spinner(app.spinner).to_owned(), theme.dim());
    }
    let mine: Vec<_> = app
        .findings
        .iter()
        .filter(|f| f.protocol == Some(protocol))
        .cloned()
        .collect();
    let severity = worst(&mine).filter(|s| *s > crate::finding::Severity::Info);
    (
        theme.severity_symbol(severity).to_owned(),
        theme.severity(severity),
    )
}

pub fn render(frame: &mut Frame, area: Rect, app: &App, protocol: Protocol, theme: &Theme) {
    // The whole probe's time in the title: which endpoint is the slow one shows at a glance.
    let took = app
        .pane(protocol)
        .observation
        .as_ref()
        .map(|o| format!("· {} ms ", o.elapsed.as_millis()))
        .unwrap_or_default();
    let title = format!(
        " {} — {} {took}",
        if protocol.is_incoming() {
            "Incoming"
        } else {
            "Outgoing"
        },
        protocol.label()
    );
    let border = if app.focus == protocol {
        theme.focused_border()
    } else {
        theme.dim()
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .title(title)
        .border_style(border);
    let inner = block.inner(area);
    let lines = fitted(
        content(app, protocol, theme),
        usize::from(inner.width),
        usize::from(inner.height),
        theme,
    );
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// The pane's lines cut to its box with a mark: each line ends in `…` where it is cut (at a
/// word, never inside a host:port), and the last row says how many lines did not fit.
fn fitted(
    lines: Vec<Line<'static>>,
    room: usize,
    rows: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut out: Vec<Line<'static>> = lines.into_iter().map(|l| fit_line(l, room)).collect();
    if rows > 0 && out.len() > rows {
        let hidden = out.len() - (rows - 1);
        out.truncate(rows - 1);
        out.push(Line::from(Span::styled(
            fit::ellipsize(
                &format!("… {hidden} more lines (a taller window shows them)"),
                room,
            ),
            theme.dim(),
        )));
    }
    out
}

/// One line cut to `room` columns: the span that crosses the edge ends in `…`.
pub fn fit_line(line: Line<'static>, room: usize) -> Line<'static> {
    let mut used = 0;
    let mut spans = Vec::new();
    for span in line.spans {
        let w = fit::width(&span.content);
        if used + w <= room {
            used += w;
            spans.push(span);
            continue;
        }
        let shown = fit::ellipsize(&span.content, room - used);
        spans.push(Span::styled(shown, span.style));
        break;
    }
    Line::from(spans).style(line.style)
}

/// How many rows the pane wants, borders included.
pub fn height(app: &App, protocol: Protocol, theme: &Theme) -> u16 {
    u16::try_from(content(app, protocol, theme).len())
        .unwrap_or(u16::MAX)
        .saturating_add(2)
}

/// The pane's lines: the editor, the offer to fill an empty pane, or the endpoint, its stages
/// and its facts.
// The pane top to bottom, in the order it draws.
#[expect(
    clippy::too_many_lines,
    reason = "one pane's lines, top to bottom, read best as one function"
)]
fn content(app: &App, protocol: Protocol, theme: &Theme) -> Vec<Line<'static>> {
    let pane = app.pane(protocol);
    let mut lines: Vec<Line> = Vec::new();
    if let Overlay::Edit(form) = &app.overlay
        && form.protocol == protocol
    {
        editor(&mut lines, form, theme);
        return lines;
    }
    let Some(endpoint) = &pane.endpoint else {
        lines.push(Line::from(Span::styled(
            format!("{} is not configured.", protocol.label()),
            theme.dim(),
        )));
        if let Some(offer) = app.profile_endpoints.get(&protocol) {
            lines.push(Line::from(vec![
                Span::styled("f", theme.bold().add_modifier(Modifier::REVERSED)),
                Span::raw(format!(
                    " fills it from profile {}:",
                    app.profile.as_deref().unwrap_or("?")
                )),
            ]));
            lines.push(Line::from(Span::styled(
                format!("  {}", offer.describe()),
                theme.bold(),
            )));
        }
        lines.push(Line::from(vec![
            Span::styled("e", theme.bold().add_modifier(Modifier::REVERSED)),
            Span::raw(" types a server in."),
        ]));
        return lines;
    };
    let flagged: Vec<&str> = app
        .findings
        .iter()
        .filter(|f| {
            f.protocol == Some(protocol)
                && f.id.blame().is_endpoint()
                && f.severity > crate::finding::Severity::Info
        })
        .map(|f| f.id.as_str())
        .collect();
    let endpoint_style = if flagged.is_empty() {
        theme.bold()
    } else {
        theme.flagged()
    };
    lines.push(Line::from(Span::styled(
        endpoint.describe(),
        endpoint_style,
    )));
    if let Some(id) = flagged.first() {
        lines.push(Line::from(Span::styled(
            format!("▲ {id}"),
            theme.severity(Some(crate::finding::Severity::Error)),
        )));
    }
    for stage in &pane.stages {
        let (symbol, style) = theme.stage(stage.status);
        let detail_style = if stage.status == StageStatus::Failed {
            style
        } else {
            theme.dim()
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{symbol} "), style),
            Span::raw(format!(
                "{:<13} {:>5} ms ",
                stage.name.as_str(),
                stage.elapsed.as_millis()
            )),
            Span::styled(stage.detail.clone(), detail_style),
        ]));
    }
    if let Some(stage) = pane.running {
        lines.push(Line::from(vec![
            Span::raw(format!("{} ", theme.spinner(app.spinner))),
            Span::raw(format!("{:<13} {}", stage.as_str(), waited(app, pane))),
        ]));
    }
    // What works instead comes before the facts: a short pane cuts from the bottom.
    alternatives(&mut lines, pane, endpoint, theme);
    if let Some(obs) = &pane.observation {
        if let Some(greeting) = &obs.greeting {
            lines.push(Line::from(Span::styled(
                format!("says {}", greeting.text),
                theme.dim(),
            )));
        }
        if let Some(cert) = obs.tls.as_ref().and_then(|t| t.certificate.as_ref()) {
            let left = if cert.days_left < 0 {
                format!("expired {} days ago", -cert.days_left)
            } else {
                format!("{} days left", cert.days_left)
            };
            lines.push(Line::from(Span::styled(
                // The verdict first: a narrow pane cuts the end of the line.
                format!("cert {left} · {}", cert.subject),
                theme.dim(),
            )));
            lines.push(Line::from(Span::styled(
                format!("  by {}", cert.issuer),
                theme.dim(),
            )));
        }
        let before = obs
            .capabilities
            .as_ref()
            .map(|c| c.auth.iter().cloned().collect::<Vec<_>>().join(" "));
        let after = obs
            .capabilities_after_tls
            .as_ref()
            .map(|c| c.auth.iter().cloned().collect::<Vec<_>>().join(" "));
        match (before, after) {
            (Some(b), Some(a)) => lines.push(Line::from(Span::styled(
                format!("AUTH before TLS: {} · after: {}", or_none(&b), or_none(&a)),
                theme.dim(),
            ))),
            (Some(b), None) => lines.push(Line::from(Span::styled(
                format!("AUTH: {}", or_none(&b)),
                theme.dim(),
            ))),
            _ => {}
        }
    }
    lines
}

/// The other standard ports and modes tried for this protocol, on one line, each with its
/// symbol and what it did: where nothing works, the pane says so itself.
fn alternatives(
    lines: &mut Vec<Line<'static>>,
    pane: &Pane,
    endpoint: &crate::account::Endpoint,
    theme: &Theme,
) {
    if pane.alternatives.is_empty() {
        return;
    }
    let none_works = pane.alternatives.iter().all(|a| !a.works());
    let heading = if none_works {
        "also tried, none works:"
    } else {
        "also tried:"
    };
    let mut spans = vec![Span::styled(heading, theme.dim())];
    for alt in &pane.alternatives {
        let (symbol, style) = theme.stage(if alt.works() {
            StageStatus::Ok
        } else {
            StageStatus::Failed
        });
        let place = if alt.endpoint.host == endpoint.host {
            format!("{} {}", alt.endpoint.port, alt.endpoint.security.label())
        } else {
            alt.endpoint.describe()
        };
        spans.push(Span::styled(format!(" {symbol} "), style));
        spans.push(Span::raw(place));
        if !alt.works() {
            spans.push(Span::styled(format!(" {}", alt.outcome()), theme.dim()));
        }
    }
    lines.push(Line::from(spans));
}

/// The endpoint editor, drawn where the endpoint line was: the field with the cursor is
/// reversed and marked, so it shows without colour too.
fn editor(lines: &mut Vec<Line>, form: &EditForm, theme: &Theme) {
    lines.push(Line::from(Span::styled(
        "Editing — Enter probes this pane",
        theme.bold(),
    )));
    let field = |label: &str, value: String, this: Field| {
        let active = form.field == this;
        // `--ascii` needs no case here: the finished frame is mapped to ASCII.
        let marker = if active { "▶" } else { " " };
        let cursor = if active && this != Field::Security {
            "_"
        } else {
            ""
        };
        let style = if active {
            theme.bold().add_modifier(Modifier::REVERSED)
        } else {
            theme.bold()
        };
        Line::from(vec![
            Span::raw(format!("{marker} {label:<9}")),
            Span::styled(format!("{value}{cursor}"), style),
        ])
    };
    lines.push(field("host", form.host.text.clone(), Field::Host));
    lines.push(field("port", form.port.text.clone(), Field::Port));
    lines.push(field(
        "security",
        format!("‹ {} ›", form.security.label()),
        Field::Security,
    ));
    if let Some(error) = &form.error {
        lines.push(Line::from(Span::styled(
            format!(
                "{} {error}",
                theme.severity_symbol(Some(crate::finding::Severity::Error))
            ),
            theme.severity(Some(crate::finding::Severity::Error)),
        )));
    }
}

/// How long the running stage has waited and may wait: "2.1 s / 5 s". A stage that answers
/// at once shows only `…`: the count matters when something is slow.
fn waited(app: &App, pane: &Pane) -> String {
    let Some((since, limit)) = pane.waiting else {
        return "…".to_owned();
    };
    let waited = app.now.map_or(std::time::Duration::ZERO, |now| {
        now.saturating_duration_since(since)
    });
    if waited < std::time::Duration::from_millis(500) {
        return "…".to_owned();
    }
    match limit {
        Some(limit) => format!(
            "waiting {:.1} s of at most {}",
            waited.as_secs_f32(),
            crate::probe::limit::secs(limit)
        ),
        None => format!("waiting {:.1} s", waited.as_secs_f32()),
    }
}

fn or_none(text: &str) -> &str {
    if text.is_empty() { "none" } else { text }
}
