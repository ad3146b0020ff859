//! Colours and symbols. Meaning always travels in a symbol or a word too, so the screen reads
//! the same with `NO_COLOR`, on 16-colour terminals, and with `--ascii`.

use ratatui::style::{Color, Modifier, Style};

use crate::finding::Severity;
use crate::probe::observation::StageStatus;

/// How to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
    pub ascii: bool,
}

impl Theme {
    /// Colour unless `NO_COLOR` is set (<https://no-color.org>: any non-empty value).
    pub fn from_env(ascii: bool) -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme {
            color: !no_color,
            ascii,
        }
    }

    fn fg(&self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    pub fn severity(&self, severity: Option<Severity>) -> Style {
        match severity {
            Some(Severity::Error) => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Some(Severity::Warning) => self.fg(Color::Yellow).add_modifier(Modifier::BOLD),
            Some(Severity::Info) => self.fg(Color::Cyan),
            None => self.fg(Color::Green).add_modifier(Modifier::BOLD),
        }
    }

    /// `--ascii` maps the symbols in the finished frame.
    pub fn severity_symbol(&self, severity: Option<Severity>) -> &'static str {
        severity.map_or("✓", Severity::symbol)
    }

    pub fn severity_word(severity: Option<Severity>) -> &'static str {
        severity.map_or("OK", Severity::label)
    }

    pub fn stage(&self, status: StageStatus) -> (&'static str, Style) {
        match status {
            StageStatus::Ok => (if self.ascii { "+" } else { "✓" }, self.fg(Color::Green)),
            StageStatus::Warning => ("!", self.fg(Color::Yellow).add_modifier(Modifier::BOLD)),
            StageStatus::Failed => (
                if self.ascii { "x" } else { "✗" },
                self.fg(Color::Red).add_modifier(Modifier::BOLD),
            ),
            StageStatus::Skipped => ("-", self.dim()),
        }
    }

    pub fn spinner(&self, tick: usize) -> &'static str {
        const UNICODE: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];
        const ASCII: [&str; 4] = ["|", "/", "-", "\\"];
        if self.ascii {
            ASCII[tick % ASCII.len()]
        } else {
            UNICODE[tick % UNICODE.len()]
        }
    }

    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().add_modifier(Modifier::DIM)
        } else {
            Style::new()
        }
    }

    pub fn bold(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    /// Where a misconfiguration lives: reversed, so it shows without colour too.
    pub fn flagged(&self) -> Style {
        self.fg(Color::Red)
            .add_modifier(Modifier::BOLD | Modifier::REVERSED)
    }

    pub fn focused_border(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
}
