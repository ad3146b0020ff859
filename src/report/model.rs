//! Report types: the stable output contract, kept apart from the internal model so the
//! internals can change without breaking scripts (schema/report.schema.json).

use serde::Serialize;

use crate::account::{AuthMethod, Protocol, Security};
use crate::exit::ExitStatus;
use crate::finding::{Finding, Severity, worst};
use crate::probe::observation::Observation;
use crate::resolve::Resolved;

use super::probe::{AlternativeDto, ProbeDto, ms};

/// Bumped when a field changes meaning or disappears; new fields do not bump it.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: u32,
    /// `maildoctor <version>`.
    pub tool: String,
    /// The command that made it: `lint` or `check`.
    pub command: String,
    /// When the check ran, RFC 3339 with the machine's UTC offset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checked_at: Option<String>,
    /// The whole command line that made it (passwords in URLs removed; maildoctor takes no
    /// secret on the command line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command_line: Option<String>,
    /// The machine it ran on, only with `--report-hostname`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// The time for a reader: "2026-12-02 05:40:12 CET (+01:00)".
    #[serde(skip)]
    pub checked_at_local: Option<String>,
    pub account: AccountDto,
    /// The profile id the account was compared with.
    pub profile: Option<String>,
    /// How the profile was chosen: given, address-domain or server-hosts.
    pub profile_choice: Option<String>,
    pub endpoints: Vec<EndpointDto>,
    /// Worst first.
    pub findings: Vec<FindingDto>,
    pub summary: Summary,
    /// Alternatives that were probed (`check` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alternatives: Option<Vec<AlternativeDto>>,
    /// How the settings were found: every source, every server named, the recommendation
    /// (`discover`, and `check` of a domain no profile knows).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discovery: Option<crate::report::DiscoveryDto>,
    /// The lines the findings were judged by, for the monitoring output's perfdata.
    #[serde(skip)]
    pub thresholds: crate::diagnose::Thresholds,
}

/// When, how and where a report was made.
#[derive(Debug, Clone)]
pub struct Made {
    pub at: jiff::ZonedDateTime,
    pub command_line: String,
    pub hostname: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AccountDto {
    pub address: Option<String>,
    /// The user name as configured; null when it defaults to the address.
    pub username: Option<String>,
    pub auth: AuthMethod,
    /// The client's file the settings came from (`--import`).
    pub source: Option<SourceDto>,
}

/// Where imported settings came from.
#[derive(Debug, Clone, Serialize)]
pub struct SourceDto {
    pub format: crate::import::ClientKind,
    pub path: String,
    pub account: String,
    /// Options ignored, commands not run.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EndpointDto {
    pub protocol: Protocol,
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// `host:port/security`, as accepted by --smtp/--imap/--pop3.
    pub spec: String,
    /// What the probe saw (`check` only).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub probe: Option<ProbeDto>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingDto {
    pub id: String,
    pub severity: Severity,
    /// smtp, imap, pop3, or null for the account as a whole.
    pub protocol: Option<Protocol>,
    pub title: String,
    pub explanation: String,
    pub fix: Option<String>,
    /// The fix in the imported client's words and place.
    pub client_fix: Option<String>,
    /// The server's or the TLS library's own words, for whoever fixes the server.
    pub evidence: Option<String>,
    /// An endpoint that works from here, found by probing (`check` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggested: Option<SuggestedDto>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SuggestedDto {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub spec: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub worst: Worst,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub exit_code: u8,
}

/// The worst severity, or "ok" when there are no findings (or only infos count as fine:
/// the exit code says that; this says what was found).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Worst {
    Ok,
    Info,
    Warning,
    Error,
}

impl Worst {
    /// The word reports show: OK, or the severity's label.
    pub fn label(self) -> &'static str {
        match self {
            Worst::Ok => "OK",
            Worst::Info => Severity::Info.label(),
            Worst::Warning => Severity::Warning.label(),
            Worst::Error => Severity::Error.label(),
        }
    }
}

impl From<Option<Severity>> for Worst {
    fn from(severity: Option<Severity>) -> Worst {
        match severity {
            None => Worst::Ok,
            Some(Severity::Info) => Worst::Info,
            Some(Severity::Warning) => Worst::Warning,
            Some(Severity::Error) => Worst::Error,
        }
    }
}

impl Report {
    /// Builds the report of one run.
    pub fn new(command: &str, resolved: &Resolved, findings: &[Finding]) -> Report {
        let account = &resolved.account;
        let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
        Report {
            schema_version: SCHEMA_VERSION,
            tool: format!("maildoctor {}", env!("CARGO_PKG_VERSION")),
            command: command.to_owned(),
            checked_at: None,
            command_line: None,
            hostname: None,
            checked_at_local: None,
            account: AccountDto {
                address: account.address.as_ref().map(ToString::to_string),
                username: account.username.clone(),
                auth: account.auth,
                source: None,
            },
            profile: resolved.profile().map(|p| p.id.clone()),
            profile_choice: resolved
                .profile
                .as_ref()
                .map(|(_, c)| c.as_str().to_owned()),
            endpoints: account
                .endpoints
                .iter()
                .map(|(protocol, e)| EndpointDto {
                    protocol: *protocol,
                    host: e.host.as_string(),
                    port: e.port,
                    security: e.security,
                    spec: e.to_string(),
                    probe: None,
                })
                .collect(),
            findings: findings
                .iter()
                .map(|f| FindingDto {
                    id: f.id.as_str().to_owned(),
                    severity: f.severity,
                    protocol: f.protocol,
                    title: f.title.clone(),
                    explanation: f.explanation.clone(),
                    fix: f.fix.clone(),
                    client_fix: f.client_fix.clone(),
                    evidence: f.evidence.clone(),
                    suggested: f.suggested.as_ref().map(|e| SuggestedDto {
                        host: e.host.as_string(),
                        port: e.port,
                        security: e.security,
                        spec: e.to_string(),
                    }),
                })
                .collect(),
            summary: Summary {
                worst: worst(findings).into(),
                errors: count(Severity::Error),
                warnings: count(Severity::Warning),
                infos: count(Severity::Info),
                exit_code: ExitStatus::from_worst(worst(findings)).code(),
            },
            alternatives: None,
            discovery: None,
            thresholds: crate::diagnose::Thresholds::default(),
        }
    }

    /// The report of a check's outcome: the one way every face makes one, so each shows
    /// the same sections.
    pub fn of(outcome: &crate::check::CheckOutcome, made: &Made) -> Report {
        let mut report = Report::new(outcome.kind.as_str(), &outcome.resolved, &outcome.findings)
            .with_source(outcome.imported.as_ref())
            .stamped(made);
        if let Some(probes) = &outcome.probes {
            report = report.with_probes(
                &probes.primary,
                probes.alternatives.as_deref().unwrap_or_default(),
            );
            if probes.alternatives.is_none() {
                report.alternatives = None;
            }
        }
        report.discovery = outcome
            .discovery
            .as_ref()
            .map(crate::report::DiscoveryDto::new);
        report.thresholds = outcome.thresholds;
        report
    }

    /// Says when, how and (when asked) where the report was made.
    #[must_use]
    pub fn stamped(mut self, made: &Made) -> Report {
        self.checked_at = Some(made.at.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string());
        self.checked_at_local = Some(made.at.strftime("%Y-%m-%d %H:%M:%S %Z (%:z)").to_string());
        self.command_line = Some(made.command_line.clone());
        self.hostname.clone_from(&made.hostname);
        self
    }

    /// Names the client's file the settings were imported from.
    #[must_use]
    pub fn with_source(mut self, imported: Option<&crate::import::Imported>) -> Report {
        self.account.source = imported.map(|i| SourceDto {
            format: i.kind,
            path: i.shown.clone(),
            account: i.account.name.clone(),
            notes: i.account.notes.clone(),
        });
        self
    }

    /// Adds what the probes saw to a report built from the account and findings.
    pub fn with_probes(mut self, primary: &[Observation], alternatives: &[Observation]) -> Report {
        for endpoint in &mut self.endpoints {
            if let Some(obs) = primary.iter().find(|o| o.protocol == endpoint.protocol) {
                endpoint.probe = Some(ProbeDto::from_observation(obs));
            }
        }
        self.alternatives = Some(
            alternatives
                .iter()
                .map(|o| AlternativeDto {
                    protocol: o.protocol,
                    spec: o.endpoint.to_string(),
                    works: o.works(),
                    failure: o.failure.as_ref().map(|f| f.word().to_owned()),
                    elapsed_ms: ms(o.elapsed),
                })
                .collect(),
        );
        self
    }
}
