//! The side-by-side view of discovery: who was asked, what each said, and what works.

use std::fmt::Write as _;

use crate::account::Protocol;
use serde::Serialize;

use crate::discover::sources::{SourceKind, Status};

/// The sources, then per protocol every server named with who names it and the probe's
/// verdict, then the recommendation.
pub fn render_discovery(d: &DiscoveryDto) -> String {
    let mut out = render_sources(d);
    servers(&mut out, d);
    out
}

/// The sources asked, each with what it said, how long it took, and why it failed.
pub fn render_sources(d: &DiscoveryDto) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Discovery for {} ({} questions, {} ms)",
        d.domain,
        d.sources.len(),
        d.elapsed_ms
    );
    for s in &d.sources {
        let status = match s.status {
            Status::Answered => format!("{} server(s)", s.claims.len()),
            Status::Nothing => "nothing".to_owned(),
            Status::Failed => "failed".to_owned(),
            Status::TimedOut => "no answer".to_owned(),
            Status::Skipped => "not asked".to_owned(),
        };
        let _ = write!(out, "  {:<11} {:<12} {}", s.kind.label(), status, s.query);
        if s.status != Status::Skipped {
            let _ = write!(out, " · {} ms", s.elapsed.as_millis());
        }
        out.push('\n');
        for note in &s.notes {
            let _ = writeln!(out, "              {note}");
        }
        if let Some(error) = &s.error {
            let _ = writeln!(out, "              {error}");
        }
        if !s.redirects.is_empty() {
            let _ = writeln!(out, "              via {}", s.redirects.join(" → "));
        }
    }
    out
}

fn servers(out: &mut String, d: &DiscoveryDto) {
    for protocol in Protocol::ALL {
        let rows: Vec<_> = d
            .candidates
            .iter()
            .filter(|c| c.protocol == protocol)
            .collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "\n  {:<5} {:<38} {:<26} from here",
            protocol.label(),
            "server",
            "named by"
        );
        for c in rows {
            let named: Vec<&str> = c.sources.iter().map(|s: &SourceKind| s.label()).collect();
            let _ = writeln!(
                out,
                "        {:<38} {:<26} {}",
                c.spec,
                named.join(", "),
                c.verdict.as_deref().unwrap_or("not probed")
            );
        }
    }
    out.push_str("\nRecommended:\n");
    if d.recommended.is_empty() {
        out.push_str("  nothing: no source names a server, and no usual name answers\n");
    }
    for choice in &d.recommended {
        let named: Vec<&str> = choice.sources.iter().map(|s| s.label()).collect();
        let seen = match choice.works {
            Some(true) => "works from here",
            Some(false) => "does not work from here",
            None => "not probed",
        };
        let _ = writeln!(
            out,
            "  {:<5} {:<36} ({}; {seen})",
            choice.protocol.label(),
            choice.endpoint.describe(),
            named.join(", ")
        );
    }
}

/// The `discovery` object of a report: every source asked, every endpoint named with who
/// names it and what the probe saw, and the recommendation.
#[derive(Debug, Clone, Serialize)]
pub struct DiscoveryDto {
    pub domain: String,
    pub elapsed_ms: u64,
    pub sources: Vec<crate::discover::sources::SourceReport>,
    pub candidates: Vec<CandidateDto>,
    pub recommended: Vec<crate::discover::recommend::Choice>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CandidateDto {
    pub protocol: Protocol,
    pub spec: String,
    pub sources: Vec<SourceKind>,
    /// "works", a failure word ("refused", "timeout" …), or null when not probed.
    pub verdict: Option<String>,
}

impl DiscoveryDto {
    pub fn new(d: &crate::discover::Discovery) -> DiscoveryDto {
        DiscoveryDto {
            domain: d.gathered.domain.clone(),
            elapsed_ms: u64::try_from(d.elapsed.as_millis()).unwrap_or(u64::MAX),
            sources: d.gathered.reports.clone(),
            candidates: d
                .candidates
                .iter()
                .map(|c| CandidateDto {
                    protocol: c.protocol,
                    spec: c.endpoint.to_string(),
                    sources: c.sources.iter().copied().collect(),
                    verdict: crate::discover::observed(&d.observations, c.protocol, &c.endpoint)
                        .map(|o| o.outcome().to_owned()),
                })
                .collect(),
            recommended: d.choices.clone(),
        }
    }
}
