//! Asking every source at once, each under its own limit: the profiles, DNS (MX, SRV), the
//! domain's autoconfig over https and http, the ISPDB, and the ISPDB of the MX's domains.
//! Then the usual names are guessed where no source named a server, and everything named is
//! probed (no credentials) with the same engine as `check`.

use std::collections::BTreeSet;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::account::{Address, Endpoint, Host, Protocol};
use crate::probe::dns::{Family, resolve};
use crate::probe::engine::{self, CheckPlan};
use crate::probe::observation::{DnsOutcome, Observation};
use crate::probe::settings::ProbeSettings;
use crate::profile::ProfileStore;

use super::autoconfig::{self, AutoconfigError};
use super::dns::{self, Answer};
use super::http::{FetchError, Http};
use super::mx::{self, MxVerdict, ServiceKind};
use super::sources::{Claim, SourceKind, SourceReport, Status};
use super::srv::{self, SrvAnswer};

/// The ISPDB Thunderbird's Android app and Delta Chat use; `--ispdb-url` replaces it.
pub const DEFAULT_ISPDB: &str = "https://autoconfig.thunderbird.net/v1.1/";

/// The most endpoints one discovery probes.
pub const MAX_CANDIDATES: usize = 24;

/// What discovery may ask.
#[derive(Clone)]
pub struct Asking<'a> {
    pub store: &'a ProfileStore,
    pub http: Http,
    pub settings: Arc<ProbeSettings>,
    /// The ISPDB's base URL (ending in '/'), or `None` to leave it out.
    pub ispdb: Option<String>,
    /// Each source's own limit.
    pub timeout: Duration,
    /// Told as each source answers and when probing starts: the dashboard shows it live.
    pub progress: Option<tokio::sync::mpsc::UnboundedSender<Progress>>,
}

/// How far discovery has got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// A source has answered (or failed, or run out of time).
    Source { kind: SourceKind, status: Status },
    /// Every source has answered; this many endpoints are being probed.
    Probing { endpoints: usize },
}

impl Asking<'_> {
    pub fn tell(&self, progress: Progress) {
        if let Some(tx) = &self.progress {
            // Nobody listening any more (the dashboard quit) is no reason to stop.
            let _ = tx.send(progress);
        }
    }

    /// Awaits one source and says it has answered.
    async fn told(&self, ask: impl Future<Output = SourceReport>) -> SourceReport {
        let report = ask.await;
        self.tell(Progress::Source {
            kind: report.kind,
            status: report.status,
        });
        report
    }
}

/// Everything the sources said.
#[derive(Debug, Clone)]
pub struct Gathered {
    pub domain: String,
    pub mx: Option<MxVerdict>,
    pub reports: Vec<SourceReport>,
}

/// An endpoint to probe, with every source that names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub protocol: Protocol,
    pub endpoint: Endpoint,
    pub sources: BTreeSet<SourceKind>,
}

impl Candidate {
    /// Only guessed: no source names it.
    pub fn is_guess(&self) -> bool {
        self.sources.iter().all(|s| *s == SourceKind::Guess)
    }
}

/// Asks every source at once; each answers within its own limit, so the whole takes as long
/// as the slowest source (and the MX-derived lookups after the MX), never the sum.
pub async fn gather(address: &Address, asking: &Asking<'_>) -> Gathered {
    let domain = address.domain().to_ascii_lowercase();
    let profile = asking
        .told(async { profile_source(&domain, asking.store) })
        .await;
    let https = with_address(
        &format!("https://autoconfig.{domain}/mail/config-v1.1.xml"),
        address,
    );
    let well_known = with_address(
        &format!("https://{domain}/.well-known/autoconfig/mail/config-v1.1.xml"),
        address,
    );
    let http = format!("http://autoconfig.{domain}/mail/config-v1.1.xml");
    let ((mx, mut mx_reports), srv, a, b, c, ispdb) = tokio::join!(
        mx_sources(&domain, address, asking),
        asking.told(srv_source(&domain, asking)),
        asking.told(autoconfig_source(
            SourceKind::AutoconfigHttps,
            &https,
            address,
            asking
        )),
        asking.told(autoconfig_source(
            SourceKind::AutoconfigHttps,
            &well_known,
            address,
            asking
        )),
        asking.told(autoconfig_source(
            SourceKind::AutoconfigHttp,
            &http,
            address,
            asking
        )),
        asking.told(ispdb_source(SourceKind::Ispdb, &domain, address, asking)),
    );
    let mut reports = vec![profile, srv, a, b, c, ispdb];
    reports.append(&mut mx_reports);
    reports.sort_by_key(|r| r.kind);
    Gathered {
        domain,
        mx,
        reports,
    }
}

/// The address goes only to the domain's own https server (as the draft allows), URL-encoded.
fn with_address(url: &str, address: &Address) -> String {
    // A domain that makes no URL gets none: the fetch then fails with its own words.
    let Ok(mut parsed) = reqwest::Url::parse(url) else {
        return url.to_owned();
    };
    parsed
        .query_pairs_mut()
        .append_pair("emailaddress", &address.to_string());
    parsed.to_string()
}

fn profile_source(domain: &str, store: &ProfileStore) -> SourceReport {
    let mut report = SourceReport::new(SourceKind::Profile, domain);
    match store.for_domain(domain) {
        Some(profile) => {
            report.status = Status::Answered;
            report
                .notes
                .push(format!("profile {} ({})", profile.id, profile.name));
            report.claims = profile_claims(profile);
        }
        None => report.status = Status::Nothing,
    }
    report
}

fn profile_claims(profile: &crate::profile::Profile) -> Vec<Claim> {
    Protocol::ALL
        .into_iter()
        .flat_map(|p| {
            profile.endpoints(p).iter().map(move |e| Claim {
                protocol: p,
                endpoint: e.clone(),
                username: None,
                auth: Vec::new(),
            })
        })
        .collect()
}

/// Runs one question under the source's limit, timing it.
async fn timed(
    mut report: SourceReport,
    limit: Duration,
    ask: impl Future<Output = SourceReport>,
) -> SourceReport {
    let started = Instant::now();
    if let Ok(mut answered) = tokio::time::timeout(limit, ask).await {
        answered.elapsed = started.elapsed();
        return answered;
    }
    report.status = Status::TimedOut;
    report.error = Some(format!("no answer within {} s", limit.as_secs_f32()));
    report.elapsed = started.elapsed();
    report
}

/// MX, the profile it points to, and the ISPDB of the MX's domains (after the MX answers).
async fn mx_sources(
    domain: &str,
    address: &Address,
    asking: &Asking<'_>,
) -> (Option<MxVerdict>, Vec<SourceReport>) {
    let blank = SourceReport::new(SourceKind::Mx, domain);
    let mut verdict = None;
    let report = timed(blank.clone(), asking.timeout, async {
        let mut report = blank.clone();
        match dns::mx(&asking.settings.resolver, domain).await {
            Answer::Records(records) => {
                let v = mx::classify(&records, asking.store);
                report.status = Status::Nothing;
                match &v {
                    MxVerdict::Provider { profile, mx } => {
                        if let Ok(p) = asking.store.get(profile) {
                            report.status = Status::Answered;
                            report.notes.push(format!("MX {mx}: {}", p.name));
                            report.claims = profile_claims(p);
                        }
                    }
                    MxVerdict::Service { kind, name, mx } => report.notes.push(match kind {
                        ServiceKind::Gateway => format!("MX {mx}: {name}, a filtering gateway"),
                        ServiceKind::Forwarding => format!("MX {mx}: {name}, forwarding only"),
                    }),
                    MxVerdict::NullMx => report
                        .notes
                        .push("Null MX: the domain takes no mail".into()),
                    MxVerdict::Unknown { mx } => report.notes.push(format!("MX {mx}")),
                    MxVerdict::NoRecords => {}
                }
                verdict = Some(v);
            }
            Answer::NoRecords => {
                report.status = Status::Nothing;
                verdict = Some(MxVerdict::NoRecords);
            }
            Answer::NoSuchDomain => {
                report.status = Status::Failed;
                report.error = Some(format!("the domain {domain} does not exist (NXDOMAIN)"));
            }
            Answer::Failed(e) => {
                report.status = Status::Failed;
                report.error = Some(e);
            }
        }
        report
    })
    .await;
    asking.tell(Progress::Source {
        kind: report.kind,
        status: report.status,
    });
    let mut reports = vec![report];
    // Thunderbird's MX-derived lookups, for an MX no profile knows: the ISPDB of the MX
    // host's domains, and their own autoconfig over https (without the address: those are
    // another party's servers).
    let derived = match &verdict {
        Some(MxVerdict::Unknown { mx }) => mx::derived_domains(mx, domain),
        _ => Vec::new(),
    };
    let urls: Vec<String> = derived
        .iter()
        .map(|d| format!("https://autoconfig.{d}/mail/config-v1.1.xml"))
        .collect();
    let (from_ispdb, from_https) = tokio::join!(
        futures_util::future::join_all(derived.iter().map(|d| asking.told(ispdb_source(
            SourceKind::MxDerived,
            d,
            address,
            asking
        )))),
        futures_util::future::join_all(urls.iter().map(|url| asking.told(autoconfig_source(
            SourceKind::MxDerived,
            url,
            address,
            asking
        )))),
    );
    reports.extend(from_ispdb);
    reports.extend(from_https);
    (verdict, reports)
}

async fn srv_source(domain: &str, asking: &Asking<'_>) -> SourceReport {
    let blank = SourceReport::new(SourceKind::Srv, format!("_submissions._tcp.{domain} …"));
    timed(blank.clone(), asking.timeout, async {
        let mut report = blank.clone();
        let answers = futures_util::future::join_all(
            srv::LABELS
                .iter()
                .map(|(label, _, _)| dns::srv(&asking.settings.resolver, label, domain)),
        )
        .await;
        let mut failures = Vec::new();
        for ((label, protocol, security), answer) in srv::LABELS.iter().zip(answers) {
            match answer {
                Answer::Records(records) => match srv::answer(*security, &records) {
                    Some(SrvAnswer::Offered(endpoints)) => {
                        report
                            .claims
                            .extend(endpoints.into_iter().map(|endpoint| Claim {
                                protocol: *protocol,
                                endpoint,
                                username: None,
                                auth: Vec::new(),
                            }));
                    }
                    Some(SrvAnswer::NotOffered) => report.notes.push(format!(
                        "{label}: \".\", the domain says it offers no {}",
                        protocol.label()
                    )),
                    None => {}
                },
                Answer::NoRecords | Answer::NoSuchDomain => {}
                Answer::Failed(e) => failures.push(format!("{label}: {e}")),
            }
        }
        report.status = if !report.claims.is_empty() {
            Status::Answered
        } else if failures.len() == srv::LABELS.len() {
            Status::Failed
        } else {
            Status::Nothing
        };
        if !failures.is_empty() {
            report.error = Some(failures.join("; "));
        }
        report
    })
    .await
}

async fn ispdb_source(
    kind: SourceKind,
    domain: &str,
    address: &Address,
    asking: &Asking<'_>,
) -> SourceReport {
    if let Some(base) = &asking.ispdb {
        let url = format!("{base}{domain}");
        return autoconfig_source(kind, &url, address, asking).await;
    }
    let mut report = SourceReport::new(kind, domain);
    report
        .notes
        .push("the ISPDB is turned off (--no-ispdb)".into());
    report
}

async fn autoconfig_source(
    kind: SourceKind,
    url: &str,
    address: &Address,
    asking: &Asking<'_>,
) -> SourceReport {
    // The fetch is bounded by the client's own limit (the same as every source's), so no
    // second timer is needed here; the document it reads is at most 64 KiB.
    let started = Instant::now();
    let mut report = SourceReport::new(kind, url);
    match asking.http.get(url).await {
        Ok(fetched) => {
            if fetched.chain.len() > 1 {
                report.redirects = fetched.chain.clone();
            }
            if kind == SourceKind::AutoconfigHttps && !fetched.all_https {
                report.notes.push("redirected over plain http".into());
            }
            match autoconfig::parse(&fetched.body, address) {
                Ok(doc) => {
                    report.status = Status::Answered;
                    report
                        .notes
                        .extend(doc.problems.iter().map(|p| format!("dropped: {p}")));
                    report.claims = doc
                        .servers
                        .into_iter()
                        .map(|s| Claim {
                            protocol: s.protocol,
                            endpoint: s.endpoint,
                            username: s.username,
                            auth: s.auth,
                        })
                        .collect();
                }
                Err(e @ AutoconfigError::NotAutoconfig) => {
                    // A web server's page for every path, not a document gone wrong.
                    report.status = Status::Nothing;
                    report.error = Some(e.to_string());
                }
                Err(e) => {
                    report.status = Status::Failed;
                    report.error = Some(format!("invalid: {e}"));
                }
            }
        }
        Err(FetchError::Status(404 | 410)) => report.status = Status::Nothing,
        Err(e @ FetchError::Timeout(_)) => {
            report.status = Status::TimedOut;
            report.error = Some(e.to_string());
        }
        Err(e) => {
            report.status = Status::Failed;
            report.error = Some(e.to_string());
        }
    }
    report.elapsed = started.elapsed();
    report
}

/// Where nothing names a server for a protocol, the names Thunderbird and Delta Chat try,
/// the bare domain last (a wrong guess there can hang a client longest).
pub fn guess_hosts(protocol: Protocol, domain: &str) -> Vec<String> {
    let prefixes: &[&str] = match protocol {
        Protocol::Imap => &["imap.", "mail.", ""],
        Protocol::Pop3 => &["pop.", "pop3.", "mail.", ""],
        Protocol::Smtp => &["smtp.", "mail.", ""],
    };
    prefixes.iter().map(|p| format!("{p}{domain}")).collect()
}

/// Every endpoint the sources claim, merged, in the order of the sources' trust; then, for
/// the protocols no source names, the guesses (on the standard ports, encrypted only).
pub fn candidates(gathered: &Gathered) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Vec::new();
    for report in &gathered.reports {
        for claim in &report.claims {
            match out
                .iter_mut()
                .find(|c| c.protocol == claim.protocol && c.endpoint == claim.endpoint)
            {
                Some(found) => {
                    found.sources.insert(report.kind);
                }
                None => out.push(Candidate {
                    protocol: claim.protocol,
                    endpoint: claim.endpoint.clone(),
                    sources: BTreeSet::from([report.kind]),
                }),
            }
        }
    }
    // A forwarding service or a Null MX means no mailbox: guessing would find a web host.
    let no_mailbox = matches!(
        gathered.mx,
        Some(
            MxVerdict::NullMx
                | MxVerdict::Service {
                    kind: ServiceKind::Forwarding,
                    ..
                }
        )
    );
    for protocol in Protocol::ALL {
        if no_mailbox || out.iter().any(|c| c.protocol == protocol) {
            continue;
        }
        for host in guess_hosts(protocol, &gathered.domain) {
            let Ok(host) = Host::parse(&host) else {
                continue;
            };
            for (port, security) in protocol.standard_pairs() {
                out.push(Candidate {
                    protocol,
                    endpoint: Endpoint {
                        host: host.clone(),
                        port,
                        security,
                    },
                    sources: BTreeSet::from([SourceKind::Guess]),
                });
            }
        }
    }
    out
}

/// Probes the candidates (no credentials, no alternatives), guesses whose names do not
/// resolve dropped first; at most [`MAX_CANDIDATES`].
pub async fn probe(
    candidates: &[Candidate],
    settings: Arc<ProbeSettings>,
    starting: impl FnOnce(usize),
) -> Vec<Observation> {
    let guessed: BTreeSet<Host> = candidates
        .iter()
        .filter(|c| c.is_guess())
        .map(|c| c.endpoint.host.clone())
        .collect();
    let lookups = guessed.iter().map(|host| {
        let resolver = Arc::clone(&settings.resolver);
        async move {
            let outcome = resolve(&resolver, host, Family::Both).await;
            (
                host.clone(),
                matches!(outcome, DnsOutcome::Resolved(_) | DnsOutcome::Literal(_)),
            )
        }
    });
    let unresolved: BTreeSet<Host> = futures_util::future::join_all(lookups)
        .await
        .into_iter()
        .filter(|(_, ok)| !ok)
        .map(|(host, _)| host)
        .collect();
    let endpoints: Vec<(Protocol, Endpoint)> = candidates
        .iter()
        .filter(|c| !(c.is_guess() && unresolved.contains(&c.endpoint.host)))
        .take(MAX_CANDIDATES)
        .map(|c| (c.protocol, c.endpoint.clone()))
        .collect();
    starting(endpoints.len());
    if endpoints.is_empty() {
        return Vec::new();
    }
    let plan = CheckPlan {
        endpoints,
        ..CheckPlan::default()
    };
    engine::run(plan, settings, None).await.primary
}
