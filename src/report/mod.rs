//! What maildoctor prints: report types (the JSON contract) and their text and JSON renderings.

mod clients;
mod discovery;
mod json;
mod markdown;
mod model;
mod nagios;
mod probe;
mod profiles;
mod text;

pub use clients::{clients_dto, render_clients};
pub use discovery::{CandidateDto, DiscoveryDto, render_discovery, render_sources};
pub use json::to_json;
pub use markdown::render_markdown;
pub use model::{Made, Report};
pub use nagios::{render_nagios, render_unknown};
pub use profiles::{ProfileListItem, profile_list};
pub use text::{render_findings, render_profile, render_profile_list, render_report};

/// The ways a report can be written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Text,
    Json,
    /// The monitoring-plugins output: a status line with performance data, a line a finding.
    Nagios,
    /// A report for a help desk.
    Markdown,
}

/// A report written in `format`; `verbose` adds every stage to the text.
pub fn render(report: &Report, format: Format, verbose: bool) -> String {
    match format {
        Format::Text => render_text(report, verbose),
        Format::Json => to_json(report) + "\n",
        Format::Nagios => render_nagios(report, &report.thresholds),
        Format::Markdown => render_markdown(report),
    }
}

/// The text: `discover`'s sources and what is wrong with the servers they name; the other
/// commands' settings and findings, after how they were discovered when they were.
fn render_text(report: &Report, verbose: bool) -> String {
    let discovery = report.discovery.as_ref().map(render_discovery);
    if report.command == "discover" {
        let mut text = discovery.unwrap_or_default();
        if !report.findings.is_empty() {
            text.push('\n');
            text.push_str(&render_findings(report));
        }
        return text;
    }
    let mut text = discovery.map(|d| d + "\n").unwrap_or_default();
    text.push_str(&render_report(report, verbose));
    text
}
