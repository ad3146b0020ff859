//! What a check found, made in one place: every face (`lint`, `check`, `discover`, the
//! dashboard and its export) takes its findings from [`judge`] and its report from a
//! [`CheckOutcome`], so none of them can show a section or a finding the others lack.

use std::collections::BTreeMap;

use crate::account::{Endpoint, Protocol};
use crate::diagnose::{DiagnoseInput, Thresholds, diagnose};
use crate::discover::Discovery;
use crate::finding::{Finding, sort_worst_first};
use crate::import::Imported;
use crate::probe::observation::Observation;
use crate::resolve::Resolved;

/// Which command an outcome is of; the report names it, and the text shows what it is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Lint,
    Check,
    Discover,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Lint => "lint",
            Kind::Check => "check",
            Kind::Discover => "discover",
        }
    }
}

/// What the probes saw.
#[derive(Debug, Clone, Default)]
pub struct Probes {
    /// The account's own servers.
    pub primary: Vec<Observation>,
    /// The alternatives tried; `None` where none are tried (`discover`).
    pub alternatives: Option<Vec<Observation>>,
}

/// A check's result, whichever face asked for it.
#[derive(Debug, Clone)]
pub struct CheckOutcome {
    pub kind: Kind,
    pub resolved: Resolved,
    /// `None` when nothing was probed (`lint`, `discover --no-probe`).
    pub probes: Option<Probes>,
    /// Worst first, each problem once, in the client's words where it was imported.
    pub findings: Vec<Finding>,
    /// How the settings were found, or what the domain publishes beside the servers given.
    pub discovery: Option<Discovery>,
    /// The client's file the settings came from.
    pub imported: Option<Imported>,
    /// The lines the findings were judged by, for the monitoring output.
    pub thresholds: Thresholds,
}

impl CheckOutcome {
    pub fn worst(&self) -> Option<crate::finding::Severity> {
        crate::finding::worst(&self.findings)
    }

    /// `lint`'s outcome: what the static rules and the client's file say, nothing probed.
    pub fn linted(
        resolved: Resolved,
        lint: &[Finding],
        imported: Option<Imported>,
    ) -> CheckOutcome {
        let findings = judge(Evidence {
            resolved: &resolved,
            lint,
            withheld: &[],
            imported: imported.as_ref(),
            discovery: None,
            beside: false,
            given: &BTreeMap::new(),
            primary: &[],
            alternatives: &[],
            thresholds: Thresholds::default(),
            oauth: None,
        });
        CheckOutcome {
            kind: Kind::Lint,
            resolved,
            probes: None,
            findings,
            discovery: None,
            imported,
            thresholds: Thresholds::default(),
        }
    }

    /// `discover`'s outcome: the servers it recommends, judged from what its probes saw as
    /// `check` judges them, and where the client's own servers differ from them.
    pub fn of_discovery(
        resolved: Resolved,
        discovery: Discovery,
        imported: Option<Imported>,
    ) -> CheckOutcome {
        let primary: Vec<Observation> = Protocol::ALL
            .into_iter()
            .filter_map(|p| discovery.observation(p).cloned())
            .collect();
        let given = imported
            .as_ref()
            .map(|i| {
                i.account
                    .servers
                    .iter()
                    .map(|(p, s)| (*p, s.endpoint.clone()))
                    .collect()
            })
            .unwrap_or_default();
        let findings = judge(Evidence {
            resolved: &resolved,
            lint: &[],
            withheld: &[],
            imported: imported.as_ref(),
            discovery: Some(&discovery),
            beside: false,
            given: &given,
            primary: &primary,
            alternatives: &[],
            thresholds: Thresholds::default(),
            oauth: None,
        });
        CheckOutcome {
            kind: Kind::Discover,
            resolved,
            probes: discovery.probed.then_some(Probes {
                primary,
                alternatives: None,
            }),
            findings,
            discovery: Some(discovery),
            imported,
            thresholds: Thresholds::default(),
        }
    }
}

/// Everything a check's findings come from.
pub struct Evidence<'a> {
    pub resolved: &'a Resolved,
    /// What the static rules said of the account.
    pub lint: &'a [Finding],
    /// The logins withheld from discovered servers nothing trusted names.
    pub withheld: &'a [Finding],
    pub imported: Option<&'a Imported>,
    pub discovery: Option<&'a Discovery>,
    /// Discovery ran beside servers the user gave: only its contradictions of them count
    /// (its own findings are about sources nobody uses).
    pub beside: bool,
    /// The servers the user's settings name, which discovery may contradict.
    pub given: &'a BTreeMap<Protocol, Endpoint>,
    pub primary: &'a [Observation],
    pub alternatives: &'a [Observation],
    pub thresholds: Thresholds,
    /// What the `OAuth2` token's claims say, when the login uses one.
    pub oauth: Option<crate::oauth::TokenFacts>,
}

/// All findings of a check, worst first: the static rules', the client file's, discovery's
/// and its contradictions of the servers given, merged with what the probes saw, then said in
/// the client's words.
pub fn judge(e: Evidence) -> Vec<Finding> {
    let mut before: Vec<Finding> = e.lint.iter().chain(e.withheld).cloned().collect();
    if let Some(i) = e.imported {
        before.extend(i.account.findings.iter().cloned());
    }
    if let Some(d) = e.discovery {
        if !e.beside {
            before.extend(d.findings.iter().cloned());
        }
        // Whether a server given works: the check's own probe first, else discovery's.
        before.extend(crate::discover::recommend::contradictions(
            e.given,
            &[e.primary, &d.observations],
            &d.choices,
            &d.gathered.domain,
        ));
    }
    sort_worst_first(&mut before);
    let mut findings = diagnose(DiagnoseInput {
        account: &e.resolved.account,
        primary: e.primary,
        alternatives: e.alternatives,
        static_findings: before,
        thresholds: e.thresholds,
        oauth: e.oauth,
    });
    let profile = e.resolved.profile();
    crate::diagnose::this_machines_dns(&mut findings, e.primary, |host| {
        profile.is_some_and(|p| p.knows_host(host))
    });
    if let Some(i) = e.imported {
        crate::import::fix::annotate(i, &mut findings, profile);
    }
    findings
}
