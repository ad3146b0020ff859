//! From claims and probes to one recommended server per protocol, and the findings about the
//! sources: pure, so every rule is tested without a network.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::account::{Endpoint, Protocol, Security};
use crate::finding::{Finding, FindingId};
use crate::probe::observation::Observation;

use super::gather::{Candidate, Gathered};
use super::mx::{MxVerdict, ServiceKind};
use super::observed;
use super::sources::{Claim, SourceKind, SourceReport, Status};

/// The server recommended for one protocol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    pub protocol: Protocol,
    #[serde(serialize_with = "spec")]
    pub endpoint: Endpoint,
    /// Every source that names it, most trusted first.
    pub sources: Vec<SourceKind>,
    /// What the probe saw: `None` when nothing was probed (`--no-probe`).
    pub works: Option<bool>,
}

fn spec<S: serde::Serializer>(endpoint: &Endpoint, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(endpoint)
}

fn security_rank(security: Security) -> u8 {
    match security {
        Security::Tls => 0,
        Security::Starttls => 1,
        Security::Plain => 2,
    }
}

/// Per protocol: what works from here first; among those, the most trusted source, then
/// implicit TLS before STARTTLS (RFC 8314), then the sources' own order. A guess is
/// recommended only once it has been seen to work.
pub fn recommend(
    candidates: &[Candidate],
    observations: &[Observation],
    probed: bool,
) -> Vec<Choice> {
    let mut out = Vec::new();
    for protocol in Protocol::ALL {
        let mut ranked: Vec<(usize, &Candidate, Option<bool>)> = candidates
            .iter()
            .enumerate()
            .filter(|(_, c)| c.protocol == protocol)
            .map(|(i, c)| {
                (
                    i,
                    c,
                    probed.then(|| {
                        observed(observations, c.protocol, &c.endpoint)
                            .is_some_and(Observation::works)
                    }),
                )
            })
            .filter(|(_, c, works)| *works == Some(true) || !c.is_guess())
            .collect();
        ranked.sort_by_key(|(i, c, works)| {
            (
                !works.unwrap_or(true),
                c.sources.iter().next().copied(),
                security_rank(c.endpoint.security),
                *i,
            )
        });
        if let Some((_, best, works)) = ranked.first() {
            out.push(Choice {
                protocol,
                endpoint: best.endpoint.clone(),
                sources: best.sources.iter().copied().collect(),
                works: *works,
            });
        }
    }
    out
}

/// What the sources say about the domain, in findings.
pub fn findings(
    gathered: &Gathered,
    candidates: &[Candidate],
    observations: &[Observation],
    choices: &[Choice],
    probed: bool,
) -> Vec<Finding> {
    let mut out = mx_findings(gathered);
    out.extend(conflicts(gathered, observations, choices));
    out.extend(document_findings(gathered));
    // Nothing named anywhere, or only guesses and none of them answers.
    let only_guesses = candidates.iter().all(Candidate::is_guess);
    if choices.is_empty()
        || (probed && only_guesses && choices.iter().all(|c| c.works == Some(false)))
    {
        out.push(nothing_found(gathered));
    }
    out
}

/// Who the MX says handles the mail.
fn mx_findings(gathered: &Gathered) -> Vec<Finding> {
    let d = &gathered.domain;
    let mut out = Vec::new();
    match &gathered.mx {
        Some(MxVerdict::Provider { profile, mx }) => out.push(Finding::new(
            FindingId::MailHostedBy,
            None,
            format!("Mail for {d} is handled by the provider of profile {profile}"),
            format!("The domain's most preferred mail exchanger that maildoctor knows is {mx}, which is this provider's; its documented settings are used. DNS is not authenticated: if the domain's mail is not there, say which provider it is with --profile."),
        )),
        Some(MxVerdict::Service { kind: ServiceKind::Gateway, name, mx }) => out.push(Finding::new(
            FindingId::SecurityGateway,
            None,
            format!("Mail for {d} passes through {name} first"),
            format!("The MX ({mx}) is {name}, a filtering service: it receives the mail and passes it on to the real mailbox provider, which the MX does not show. The settings come from the other sources; the provider's help page or your administrator names the mailbox servers."),
        )),
        Some(MxVerdict::Service { kind: ServiceKind::Forwarding, name, mx }) => out.push(
            Finding::new(
                FindingId::ForwardingOnly,
                None,
                format!("Mail for {d} is only forwarded, by {name}"),
                format!("The MX ({mx}) is {name}, which forwards every message to another address: there is no mailbox at {d} to read or to log in to."),
            )
            .with_fix("Set up the mail app for the mailbox the mail is forwarded to; to send as this address, use that mailbox's outgoing server"),
        ),
        _ => {}
    }
    out
}

/// Per protocol, the sources whose first servers differ, with what the probe saw of each.
fn conflicts(
    gathered: &Gathered,
    observations: &[Observation],
    choices: &[Choice],
) -> Vec<Finding> {
    let mut out = Vec::new();
    for protocol in Protocol::ALL {
        let firsts: Vec<(SourceKind, &Endpoint)> = gathered
            .reports
            .iter()
            .filter(|r| r.kind != SourceKind::Guess)
            .filter_map(|r| {
                r.claims
                    .iter()
                    .find(|c| c.protocol == protocol)
                    .map(|c| (r.kind, &c.endpoint))
            })
            .collect();
        let distinct: HashSet<&Endpoint> = firsts.iter().map(|(_, e)| *e).collect();
        if distinct.len() < 2 {
            continue;
        }
        let said: Vec<String> = firsts
            .iter()
            .map(|(kind, e)| {
                let verdict = match observed(observations, protocol, e) {
                    Some(o) if o.works() => "works from here",
                    Some(_) => "does not work from here",
                    None => "not probed",
                };
                format!("{} says {} ({verdict})", kind.label(), e.describe())
            })
            .collect();
        let chosen = choices.iter().find(|c| c.protocol == protocol);
        let mut finding = Finding::new(
            FindingId::DiscoveryConflict,
            Some(protocol),
            format!("The sources disagree about the {} server", protocol.label()),
            format!("{}.", said.join("; ")),
        );
        if let Some(choice) = chosen {
            finding = finding.with_fix(match choice.works {
                Some(true) => format!("Use {}: it works from here", choice.endpoint.describe()),
                _ => format!(
                    "Use {}, the most trusted source's, and check it with maildoctor check",
                    choice.endpoint.describe()
                ),
            });
            finding.suggested = Some(choice.endpoint.clone());
        }
        out.push(finding);
    }
    out
}

/// Autoconfig documents that came insecurely or broken, and SRV targets elsewhere.
fn document_findings(gathered: &Gathered) -> Vec<Finding> {
    let d = &gathered.domain;
    let mut out = Vec::new();
    let https_answered = gathered.reports.iter().any(|r| {
        matches!(
            r.kind,
            SourceKind::AutoconfigHttps | SourceKind::Ispdb | SourceKind::Profile
        ) && r.status == Status::Answered
    });
    for report in &gathered.reports {
        if report.kind == SourceKind::AutoconfigHttp
            && report.status == Status::Answered
            && !https_answered
        {
            out.push(
                Finding::new(
                    FindingId::AutoconfigInsecure,
                    None,
                    format!("The settings for {d} came only over plain http"),
                    format!("{} answered, but not over https: anyone between here and that server could have changed what it says.{}", report.query, chain(&report.redirects)),
                )
                .with_fix("Prefer the servers that work from here below, and confirm them with the provider's help page"),
            );
        }
        if report.kind == SourceKind::AutoconfigHttps
            && report.notes.iter().any(|n| n.contains("plain http"))
        {
            out.push(
                Finding::new(
                    FindingId::AutoconfigInsecure,
                    None,
                    format!("The https lookup for {d} was redirected over plain http"),
                    format!(
                        "{} sent maildoctor on over plain http.{}",
                        report.query,
                        chain(&report.redirects)
                    ),
                )
                .with_fix(
                    "Tell the domain's administrator: the autoconfig redirect must stay on https",
                ),
            );
        }
        let kinds_with_documents = [
            SourceKind::AutoconfigHttps,
            SourceKind::AutoconfigHttp,
            SourceKind::Ispdb,
            SourceKind::MxDerived,
        ];
        if kinds_with_documents.contains(&report.kind) {
            let dropped: Vec<&str> = report
                .notes
                .iter()
                .filter_map(|n| n.strip_prefix("dropped: "))
                .collect();
            let invalid = report
                .error
                .as_deref()
                .and_then(|e| e.strip_prefix("invalid: "));
            if invalid.is_some() || !dropped.is_empty() {
                let what = invalid.map_or_else(|| dropped.join("; "), str::to_owned);
                out.push(
                    Finding::new(
                        FindingId::AutoconfigInvalid,
                        None,
                        format!("The autoconfig document at {} is broken", report.query),
                        format!("What could not be read was left out: {what}."),
                    )
                    .with_fix("Tell whoever publishes it (the domain's administrator, or the ISPDB); the other sources are used meanwhile"),
                );
            }
        }
        out.extend(servers_elsewhere(gathered, report));
        if report.kind == SourceKind::Srv {
            for claim in &report.claims {
                if super::srv::target_elsewhere(&claim.endpoint.host, d) {
                    out.push(
                        Finding::new(
                            FindingId::SrvTargetElsewhere,
                            Some(claim.protocol),
                            format!("The SRV record for {} points outside {d}", claim.protocol.label()),
                            format!("DNS names {} as the {} server. That is common for hosted mail, but DNS answers are not authenticated (RFC 8314 §5.1): confirm that {} is your provider's.", claim.endpoint.describe(), claim.protocol.label(), claim.endpoint.host),
                        )
                        .with_fix(format!("Check on the provider's help page that {} is theirs", claim.endpoint.host)),
                    );
                }
            }
        }
    }
    out
}

/// The registrable domain (by the Public Suffix List) a host name belongs to: the nearest
/// thing DNS has to "the same organisation".
pub(super) fn organisation(name: &str) -> Option<String> {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    psl::domain_str(&name).map(str::to_owned)
}

/// The MX host the domain's mail goes to, when it has one.
fn mx_host(gathered: &Gathered) -> Option<&str> {
    match &gathered.mx {
        Some(
            MxVerdict::Provider { mx, .. }
            | MxVerdict::Service { mx, .. }
            | MxVerdict::Unknown { mx },
        ) => Some(mx.as_str()),
        _ => None,
    }
}

/// The organisations that are the domain's own: its registrable domain, and its MX's.
pub(super) fn own_organisations(gathered: &Gathered) -> Vec<String> {
    let mut own: Vec<String> = organisation(&gathered.domain).into_iter().collect();
    own.extend(mx_host(gathered).and_then(organisation));
    own
}

/// Servers a domain-published autoconfig names at another organisation than the domain's or
/// its MX's, that no curated source (profile, SRV, ISPDB) names too. A hosted domain's own
/// document legitimately points at its hoster, and the hoster is usually the MX's; a document
/// that sends the password somewhere else is worth a look before it is typed in.
fn servers_elsewhere(gathered: &Gathered, report: &SourceReport) -> Vec<Finding> {
    if !matches!(
        report.kind,
        SourceKind::AutoconfigHttps | SourceKind::AutoconfigHttp
    ) {
        return Vec::new();
    }
    let d = &gathered.domain;
    let own = own_organisations(gathered);
    let mx = mx_host(gathered);
    let curated = |claim: &Claim| {
        gathered.reports.iter().any(|r| {
            matches!(
                r.kind,
                SourceKind::Profile | SourceKind::Srv | SourceKind::Ispdb
            ) && r
                .claims
                .iter()
                .any(|c| c.endpoint.host == claim.endpoint.host)
        })
    };
    let mut out = Vec::new();
    let mut named = HashSet::new();
    for claim in &report.claims {
        let Some(name) = claim.endpoint.host.name() else {
            continue;
        };
        let Some(org) = organisation(name) else {
            continue;
        };
        if own.contains(&org) || curated(claim) || !named.insert((claim.protocol, name.to_owned()))
        {
            continue;
        }
        let role = match claim.protocol {
            Protocol::Smtp => "outgoing",
            Protocol::Imap | Protocol::Pop3 => "incoming",
        };
        let mx_said = mx.map_or_else(String::new, |mx| format!(" or of its MX ({mx})"));
        let mut finding = Finding::new(
            FindingId::AutoconfigServerElsewhere,
            Some(claim.protocol),
            format!("The autoconfig for {d} sends {role} mail to {org}"),
            format!(
                "{} names {} as the {} server: {org} is not the organisation of {d}{mx_said}, and no profile, SRV record or ISPDB entry names it. A mail app given these settings sends your password there.",
                report.query,
                claim.endpoint.describe(),
                claim.protocol.label()
            ),
        )
        .with_fix(format!(
            "Before you use {}, confirm on your provider's help page that it is theirs",
            claim.endpoint.host
        ));
        if report.kind == SourceKind::AutoconfigHttp {
            finding.explanation.push_str(
                " The document came over plain http, so anyone on the way could have written it.",
            );
        }
        out.push(finding);
    }
    out
}

/// The servers the user gave that the domain's own sources contradict: the bug is often
/// there. A warning, with the discovered server to switch to, when the given one fails and
/// the discovered one works from here; otherwise said for the record. `seen` are the
/// observations that say whether a given server works, asked in order.
pub fn contradictions(
    given: &BTreeMap<Protocol, Endpoint>,
    seen: &[&[Observation]],
    choices: &[Choice],
    domain: &str,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for choice in choices {
        let Some(mine) = given.get(&choice.protocol) else {
            continue;
        };
        if *mine == choice.endpoint {
            continue;
        }
        let mine_works = seen
            .iter()
            .find_map(|observations| observed(observations, choice.protocol, mine))
            .map(Observation::works);
        let sources: Vec<&str> = choice.sources.iter().map(|s| s.label()).collect();
        let seen = match choice.works {
            Some(true) => "works from here",
            Some(false) => "does not work from here either",
            None => "was not probed",
        };
        let mut finding = Finding::new(
            FindingId::DiffersFromDiscovered,
            Some(choice.protocol),
            format!(
                "{}'s sources name {} for {}, not {}",
                domain,
                choice.endpoint.describe(),
                choice.protocol.label(),
                mine.describe()
            ),
            format!(
                "Looked up from the address ({}), the {} server of {domain} is {}, which {seen}.",
                sources.join(", "),
                choice.protocol.label(),
                choice.endpoint.describe()
            ),
        );
        if choice.works == Some(true) {
            finding = finding.suggesting(choice.endpoint.clone());
        }
        if mine_works == Some(false) && choice.works == Some(true) {
            finding = finding.with_fix(format!(
                "Use {}: it works from here, the server given does not",
                choice.endpoint.describe()
            ));
        } else {
            finding = finding.with_severity(crate::finding::Severity::Info);
            if mine_works == Some(true) {
                finding
                    .explanation
                    .push_str(" The server given works too; if it is yours on purpose (a relay, another provider), nothing needs changing.");
            }
        }
        out.push(finding);
    }
    out
}

fn nothing_found(gathered: &Gathered) -> Finding {
    let d = &gathered.domain;
    let null_mx = matches!(gathered.mx, Some(MxVerdict::NullMx));
    Finding::new(
                FindingId::NoMailSettingsFound,
                None,
                format!("No mail settings found for {d}"),
                if null_mx {
                    format!("{d} publishes a Null MX (RFC 7505): it says it takes no mail at all, and nothing else publishes settings for it.")
                } else {
                    format!("No profile, DNS record, autoconfig document or ISPDB entry names a mail server for {d}, and none of the usual names (imap., smtp., mail. …) answers on the standard ports from here.")
                },
            )
            .with_fix("Find the server names on the provider's help page or in the app that works, and give them with --smtp/--imap/--pop3")
}

fn chain(redirects: &[String]) -> String {
    if redirects.is_empty() {
        String::new()
    } else {
        format!(" The way it took: {}.", redirects.join(" → "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(spec: &str) -> Endpoint {
        Endpoint::parse(spec, Protocol::Imap).unwrap()
    }

    fn report(kind: SourceKind, specs: &[&str]) -> SourceReport {
        let mut r = SourceReport::new(kind, "q");
        r.status = Status::Answered;
        r.claims = specs
            .iter()
            .map(|s| Claim {
                protocol: Protocol::Imap,
                endpoint: ep(s),
                username: None,
                auth: Vec::new(),
            })
            .collect();
        r
    }

    fn gathered(reports: Vec<SourceReport>) -> Gathered {
        Gathered {
            domain: "example.org".into(),
            mx: None,
            reports,
        }
    }

    fn seen(spec: &str, works: bool) -> Observation {
        let mut obs = Observation::new(Protocol::Imap, ep(spec));
        if works {
            obs.greeting = Some(crate::probe::observation::GreetingInfo {
                text: "* OK".into(),
                speaker: crate::probe::wire::greeting::classify("* OK ready"),
                elapsed: std::time::Duration::ZERO,
            });
        } else {
            obs.failure = Some(crate::probe::observation::Failure::ConnectRefused);
        }
        obs
    }

    #[test]
    fn what_works_wins_then_the_most_trusted_source() {
        let g = gathered(vec![
            report(
                SourceKind::AutoconfigHttps,
                &["imap.example.org:143/starttls"],
            ),
            report(
                SourceKind::Srv,
                &["imap.example.org:993/tls", "imap.example.org:143/starttls"],
            ),
        ]);
        let candidates = crate::discover::gather::candidates(&g);
        let unprobed = recommend(&candidates, &[], false);
        assert_eq!(
            unprobed[0].endpoint.to_string(),
            "imap.example.org:143/starttls",
            "trust first"
        );
        assert_eq!(
            unprobed[0].sources,
            [SourceKind::AutoconfigHttps, SourceKind::Srv]
        );
        let observations = [
            seen("imap.example.org:143/starttls", false),
            seen("imap.example.org:993/tls", true),
        ];
        let probed = recommend(&candidates, &observations, true);
        assert_eq!(
            probed[0].endpoint.to_string(),
            "imap.example.org:993/tls",
            "then what works"
        );
        assert_eq!(probed[0].works, Some(true));
        let found = findings(&g, &candidates, &observations, &probed, true);
        let conflict = found
            .iter()
            .find(|f| f.id == FindingId::DiscoveryConflict)
            .unwrap();
        assert!(
            conflict.explanation.contains(
                "autoconfig says imap.example.org:143 STARTTLS (does not work from here)"
            ),
            "{}",
            conflict.explanation
        );
        assert_eq!(
            conflict.suggested.as_ref().unwrap().to_string(),
            "imap.example.org:993/tls"
        );
    }

    #[test]
    fn a_guess_is_recommended_only_once_it_works() {
        let g = gathered(vec![]);
        let candidates = crate::discover::gather::candidates(&g);
        assert!(
            candidates
                .iter()
                .all(|c| c.sources.contains(&SourceKind::Guess))
        );
        assert!(recommend(&candidates, &[], false).is_empty());
        let found = findings(&g, &candidates, &[], &[], false);
        assert!(found.iter().any(|f| f.id == FindingId::NoMailSettingsFound));
        let works = [seen("mail.example.org:993/tls", true)];
        let choices = recommend(&candidates, &works, true);
        assert_eq!(choices.len(), 1);
        assert_eq!(choices[0].endpoint.to_string(), "mail.example.org:993/tls");
    }

    #[test]
    fn an_autoconfig_server_of_another_organisation_is_named_unless_vouched_for() {
        let mut g = gathered(vec![
            report(
                SourceKind::AutoconfigHttp,
                &[
                    "imap.example.org:993/tls",
                    "mail.hoster.net:993/tls",
                    "imap.partner.net:993/tls",
                    "collect.evil.example:993/tls",
                    "collect.evil.example:143/starttls",
                ],
            ),
            report(SourceKind::Srv, &["imap.partner.net:993/tls"]),
        ]);
        g.mx = Some(MxVerdict::Unknown {
            mx: "mx1.hoster.net".into(),
        });
        let found: Vec<Finding> = findings(&g, &[], &[], &[], false)
            .into_iter()
            .filter(|f| f.id == FindingId::AutoconfigServerElsewhere)
            .collect();
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(
            found[0].title,
            "The autoconfig for example.org sends incoming mail to evil.example"
        );
        assert!(found[0].explanation.contains("plain http"));
        // Without the MX, the hoster is another organisation too.
        g.mx = None;
        let hosts: Vec<String> = findings(&g, &[], &[], &[], false)
            .into_iter()
            .filter(|f| f.id == FindingId::AutoconfigServerElsewhere)
            .map(|f| f.title)
            .collect();
        assert_eq!(hosts.len(), 2, "{hosts:?}");
    }

    #[test]
    fn a_given_server_is_contradicted_loudly_only_when_it_fails_and_the_found_one_works() {
        let choice = Choice {
            protocol: Protocol::Imap,
            endpoint: ep("imap.example.org:993/tls"),
            sources: vec![SourceKind::Srv],
            works: Some(true),
        };
        let given = BTreeMap::from([(Protocol::Imap, ep("mail.old.example:993/tls"))]);
        let judged = |mine_works: bool, choice: &Choice| {
            contradictions(
                &given,
                &[&[seen("mail.old.example:993/tls", mine_works)]],
                std::slice::from_ref(choice),
                "example.org",
            )
        };
        let loud = judged(false, &choice);
        assert_eq!(loud[0].severity, crate::finding::Severity::Warning);
        assert_eq!(loud[0].suggested, Some(choice.endpoint.clone()));
        let quiet = judged(true, &choice);
        assert_eq!(quiet[0].severity, crate::finding::Severity::Info);
        assert!(quiet[0].explanation.contains("works too"));
        assert_eq!(
            quiet[0].suggested,
            Some(choice.endpoint.clone()),
            "still one key away"
        );
        let broken = Choice {
            works: Some(false),
            ..choice.clone()
        };
        assert_eq!(
            judged(false, &broken)[0].severity,
            crate::finding::Severity::Info
        );
        let same = BTreeMap::from([(Protocol::Imap, choice.endpoint.clone())]);
        assert!(contradictions(&same, &[], &[choice], "example.org").is_empty());
    }

    #[test]
    fn no_guessing_for_a_forwarding_only_domain() {
        let mut g = gathered(vec![]);
        g.mx = Some(MxVerdict::Service {
            kind: ServiceKind::Forwarding,
            name: "Cloudflare Email Routing",
            mx: "route1.mx.cloudflare.net".into(),
        });
        assert!(crate::discover::gather::candidates(&g).is_empty());
        let found = findings(&g, &[], &[], &[], true);
        let ids: Vec<FindingId> = found.iter().map(|f| f.id).collect();
        assert_eq!(
            ids,
            [FindingId::ForwardingOnly, FindingId::NoMailSettingsFound]
        );
    }
}
