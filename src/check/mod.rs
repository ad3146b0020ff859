//! A check of one account, whichever face runs it (`check`, the dashboard): the account
//! resolved, its static findings, the probe plan and settings, built once from plain options.
//! Nothing here reads the command line, the environment or a terminal: the command layer has
//! already turned those into [`CheckOptions`], the secret included.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use thiserror::Error;

mod discovery;
mod outcome;

use discovery::unresolved;
pub use discovery::{
    Progress, Start, asking, discover_only, discover_then_checkup, discovered_layer,
    discovery_beside, needs_discovery, resolve_discovered,
};

pub use outcome::{CheckOutcome, Evidence, Kind, Probes, judge};

use crate::account::{Account, AccountLayer, Protocol};
use crate::finding::{Blame, Finding, FindingId};
use crate::lint::lint_resolved;
use crate::probe::dns::{Family, ResolverError, build_resolver};
use crate::probe::engine::{self, CheckPlan};
use crate::probe::events::ProbeEvent;
use crate::probe::observation::Observation;
use crate::probe::settings::{ProbeSettings, Timeouts};
use crate::probe::tls::{Connectors, TlsSetupError};
use crate::profile::{Profile, ProfileStore, UsernameForm};
use crate::resolve::{ResolveError, Resolved, resolve};
use crate::secret::{Credentials, Secret};

/// What a check may do, said once by whoever starts it.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// The longest one endpoint may take; every stage's limit scales with it.
    pub timeout: Option<Duration>,
    /// A DNS server to ask instead of the system's resolver.
    pub dns_server: Option<SocketAddr>,
    /// Extra CA certificates to trust (PEM).
    pub ca_file: Option<PathBuf>,
    /// The password or token to log in with; `None` means no login.
    pub login: Option<LoginSecret>,
    pub allow_plaintext_auth: bool,
    /// Verify certificates for this name instead of the host (`--tls-name`).
    pub tls_name: Option<String>,
    pub family: Family,
    /// Probe only these protocols; empty means all configured.
    pub only: BTreeSet<Protocol>,
    /// Try the standard alternatives when an endpoint fails.
    pub alternatives: bool,
    /// The day dated provider policies are judged on.
    pub today: jiff::civil::Date,
    /// The ISPDB discovery asks (base URL), or `None` to leave it out.
    pub ispdb: Option<String>,
    /// Look the domain's settings up beside the servers given (`--no-discover` turns it off).
    pub discover: bool,
    /// Log in to a discovered server that only an unconfirmed source names
    /// (`--trust-discovered`).
    pub trust_discovered: bool,
    /// Certificate days and endpoint times that make a warning or an error.
    pub thresholds: crate::diagnose::Thresholds,
    /// The sender and recipient to ask about after a login, and `--send-test`.
    pub access: crate::probe::settings::AccessPlan,
}

impl CheckOptions {
    /// The imported client's own trust: its CA file and the certificate name it checks,
    /// unless the flags say otherwise. The check then judges the certificate as the client.
    pub fn trust_as(&mut self, account: &crate::import::ImportedAccount) {
        if self.ca_file.is_none() {
            self.ca_file.clone_from(&account.ca_file);
        }
        if self.tls_name.is_none() {
            self.tls_name.clone_from(&account.tls_name);
        }
    }

    /// No login, every protocol, alternatives on, the system's DNS and trust store.
    pub fn new(today: jiff::civil::Date) -> CheckOptions {
        CheckOptions {
            timeout: None,
            dns_server: None,
            ca_file: None,
            login: None,
            allow_plaintext_auth: false,
            tls_name: None,
            family: Family::Both,
            only: BTreeSet::new(),
            alternatives: true,
            today,
            ispdb: None,
            discover: true,
            trust_discovered: false,
            thresholds: crate::diagnose::Thresholds::default(),
            access: crate::probe::settings::AccessPlan::default(),
        }
    }
}

/// The secret a login uses, as the user gave it.
#[derive(Debug, Clone)]
pub struct LoginSecret {
    pub secret: Secret,
    /// An `OAuth2` access token (XOAUTH2) rather than a password.
    pub oauth2: bool,
}

/// Why a check could not be set up.
#[derive(Debug, Error)]
pub enum CheckError {
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    #[error("cannot read --ca-file {path}: {error}")]
    CaFile {
        path: String,
        error: crate::files::ReadError,
    },
    #[error(transparent)]
    Tls(#[from] TlsSetupError),
    #[error(transparent)]
    Dns(#[from] ResolverError),
    #[error("a login needs a user name: give an address or --user")]
    NoUsername,
    /// A line break would end the command early and start another (POP3 USER/PASS, SMTP).
    #[error("the {0} contains a line break")]
    LineBreak(&'static str),
    #[error("cannot set up the web client for autoconfig lookups: {0}")]
    Http(String),
}

/// The runtime a check runs on: one thread is plenty for a few sockets, and starts at once.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// Why maildoctor will not log in to an account with what it was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginRefusal {
    /// The account logs in by a SASL mechanism maildoctor does not speak (NTLM, CRAM-MD5 …).
    Mechanism(&'static str),
    /// The account logs in with `OAuth2` and no token was given.
    NeedsToken,
}

/// Whether a login can go ahead: `token_given` says an `OAuth2` access token came with it.
pub fn login_refusal(account: &Account, token_given: bool) -> Option<LoginRefusal> {
    if token_given {
        return None;
    }
    if let Some(mechanism) = account.auth.sasl_mechanism() {
        return Some(LoginRefusal::Mechanism(mechanism));
    }
    (account.auth == crate::account::AuthMethod::Oauth2).then_some(LoginRefusal::NeedsToken)
}

/// One account, ready to probe.
pub struct Checkup {
    /// The settings as given (flags over file), for resolving again with another profile.
    pub layer: AccountLayer,
    pub resolved: Resolved,
    /// What the static rules say of the account (and nothing else: the client file's and
    /// discovery's findings join in [`judge`]).
    pub static_findings: Vec<Finding>,
    pub settings: ProbeSettings,
    pub options: CheckOptions,
    /// How the settings were found, when the domain needed discovering, or what the domain
    /// publishes beside the servers given (`beside`).
    pub discovery: Option<crate::discover::Discovery>,
    pub beside: bool,
    /// Why a login was withheld from a discovered server nothing trusted names.
    pub withheld: Vec<Finding>,
    /// The client's file the settings were imported from.
    pub imported: Option<crate::import::Imported>,
}

impl Checkup {
    /// Resolves the account against the profiles, runs the static rules, and builds what the
    /// probes share (time limits, resolver, TLS connectors, credentials).
    pub fn new(
        layer: AccountLayer,
        store: &ProfileStore,
        options: CheckOptions,
    ) -> Result<Checkup, CheckError> {
        let resolved = resolve(layer.clone(), store)?;
        let static_findings = lint_resolved(&resolved, store, options.today);
        let settings = probe_settings(&resolved, &options)?;
        Ok(Checkup {
            layer,
            resolved,
            static_findings,
            settings,
            options,
            discovery: None,
            beside: false,
            withheld: Vec::new(),
            imported: None,
        })
    }

    /// The account with what discovery recommends for the servers not given, the profile of
    /// the MX's provider, and discovery's findings beside the static ones. The probes go on
    /// with discovery's settings: its resolver has the answers cached, its TLS connector is
    /// built, its CA file read.
    pub fn discovered(
        layer: AccountLayer,
        discovery: crate::discover::Discovery,
        store: &ProfileStore,
        options: CheckOptions,
        mut settings: ProbeSettings,
    ) -> Result<Checkup, CheckError> {
        let layer = discovered_layer(layer, &discovery);
        let resolved = resolve_discovered(&layer, &discovery, store)?;
        // Nothing to probe: the discovery's findings are the whole answer.
        let static_findings = if discovery.choices.is_empty() {
            Vec::new()
        } else {
            lint_resolved(&resolved, store, options.today)
        };
        if let Some(login) = &options.login {
            logging_in(&mut settings, &resolved, &options.access, login)?;
        }
        let mut checkup = Checkup {
            layer,
            resolved,
            static_findings,
            settings,
            options,
            discovery: Some(discovery),
            beside: false,
            withheld: Vec::new(),
            imported: None,
        };
        checkup.withhold_unconfirmed();
        Ok(checkup)
    }

    /// An account with no server to probe yet: the dashboard's, while discovery runs.
    pub fn nothing_found(
        layer: AccountLayer,
        options: CheckOptions,
    ) -> Result<Checkup, CheckError> {
        let resolved = unresolved(&layer)?;
        let settings = probe_settings(&resolved, &options)?;
        Ok(Checkup {
            layer,
            resolved,
            static_findings: Vec::new(),
            settings,
            options,
            discovery: None,
            beside: false,
            withheld: Vec::new(),
            imported: None,
        })
    }

    /// The settings came from a client's file: what its reader found joins the findings,
    /// and fixes are said in that client's words too.
    #[must_use]
    pub fn with_import(mut self, imported: Option<crate::import::Imported>) -> Checkup {
        self.imported = imported;
        self
    }

    /// Logs in with this secret: every protocol gets credentials with the user name it wants.
    pub fn set_login(&mut self, login: LoginSecret) -> Result<(), CheckError> {
        logging_in(
            &mut self.settings,
            &self.resolved,
            &self.options.access,
            &login,
        )?;
        self.options.login = Some(login);
        self.withhold_unconfirmed();
        Ok(())
    }

    /// No password or token for a server discovery recommended that no trusted source names:
    /// its credentials go, and a finding says why and how to confirm it.
    pub fn withhold_unconfirmed(&mut self) {
        self.withheld.clear();
        let Some(discovery) = self.discovery.as_ref().filter(|_| !self.beside) else {
            return;
        };
        if self.options.trust_discovered || self.settings.credentials.is_empty() {
            return;
        }
        for choice in &discovery.choices {
            if self.resolved.account.endpoint(choice.protocol) != Some(&choice.endpoint) {
                continue;
            }
            let Some(why) = crate::discover::trust::unconfirmed(
                &discovery.gathered,
                choice.protocol,
                &choice.endpoint,
            ) else {
                continue;
            };
            self.settings.credentials.remove(&choice.protocol);
            let flag = format!("--{}", choice.protocol.as_str());
            self.withheld.push(
                Finding::new(
                    FindingId::LoginWithheldUnconfirmed,
                    Some(choice.protocol),
                    format!("No password sent to {}: nothing trusted names it", choice.endpoint.host),
                    format!(
                        "Discovery found {} only through {why}. It was probed, but a password goes only to a server a profile, the ISPDB over https, the domain's own autoconfig or SRV records, or you name.",
                        choice.endpoint.describe()
                    ),
                )
                .with_fix(format!(
                    "If it is your provider's server (its help page says so), name it: {flag} {}, or run with --trust-discovered",
                    choice.endpoint
                )),
            );
        }
    }

    /// The probe plan: configured endpoints (filtered by `only`), alternatives.
    pub fn plan(&self) -> CheckPlan {
        plan(&self.resolved, &self.findings(&[], &[]), &self.options)
    }

    /// Every finding, given what the probes saw of the account's servers and alternatives.
    pub fn findings(&self, primary: &[Observation], alternatives: &[Observation]) -> Vec<Finding> {
        judge(Evidence {
            resolved: &self.resolved,
            lint: &self.static_findings,
            withheld: &self.withheld,
            imported: self.imported.as_ref(),
            discovery: self.discovery.as_ref(),
            beside: self.beside,
            given: &self.resolved.account.endpoints,
            primary,
            alternatives,
            thresholds: self.options.thresholds,
            oauth: self
                .options
                .login
                .as_ref()
                .filter(|l| l.oauth2)
                .map(|l| crate::oauth::TokenFacts::read(l.secret.expose())),
        })
    }

    /// The outcome of this check with what the probes saw (`None`: nothing probed).
    pub fn outcome(&self, kind: Kind, probes: Option<Probes>) -> CheckOutcome {
        let (primary, alternatives) = probes.as_ref().map_or((&[][..], &[][..]), |p| {
            (
                &p.primary[..],
                p.alternatives.as_deref().unwrap_or_default(),
            )
        });
        CheckOutcome {
            kind,
            findings: self.findings(primary, alternatives),
            resolved: self.resolved.clone(),
            probes,
            discovery: self.discovery.clone(),
            imported: self.imported.clone(),
            thresholds: self.options.thresholds,
        }
    }

    /// Probes the given servers while discovering the domain's (no credentials go to what
    /// discovery finds); the discovered servers that contradict the given ones join the
    /// findings.
    pub async fn run_beside_discovery(
        mut self,
        address: crate::account::Address,
        store: &ProfileStore,
        events: Option<tokio::sync::mpsc::UnboundedSender<ProbeEvent>>,
    ) -> Result<CheckOutcome, CheckError> {
        let (probes, discovery) = tokio::join!(
            self.probe(events),
            discover_only(&address, &self.options, store, None)
        );
        self.discovery = Some(discovery?);
        self.beside = true;
        Ok(self.outcome(Kind::Check, Some(probes)))
    }

    /// Probes and diagnoses; `events` receives the live stream.
    pub async fn run(
        self,
        events: Option<tokio::sync::mpsc::UnboundedSender<ProbeEvent>>,
    ) -> CheckOutcome {
        let probes = self.probe(events).await;
        self.outcome(Kind::Check, Some(probes))
    }

    /// What the probes of the plan see.
    async fn probe(
        &self,
        events: Option<tokio::sync::mpsc::UnboundedSender<ProbeEvent>>,
    ) -> Probes {
        let result = engine::run(self.plan(), Arc::new(self.settings.clone()), events).await;
        Probes {
            primary: result.primary,
            alternatives: Some(result.alternatives),
        }
    }
}

/// Static findings whose protocol's alternatives are worth starting at once.
fn suspects(findings: &[Finding]) -> BTreeSet<Protocol> {
    findings
        .iter()
        .filter(|f| f.id.blame() == Blame::Port)
        .filter_map(|f| f.protocol)
        .collect()
}

/// The plan for an account: configured endpoints (filtered by `only`), alternatives.
pub fn plan(resolved: &Resolved, static_findings: &[Finding], options: &CheckOptions) -> CheckPlan {
    let endpoints = resolved
        .account
        .endpoints
        .iter()
        .filter(|(p, _)| options.only.is_empty() || options.only.contains(p))
        .map(|(p, e)| (*p, e.clone()))
        .collect();
    let profile_endpoints = resolved
        .profile()
        .map(|profile| {
            Protocol::ALL
                .into_iter()
                .flat_map(|p| profile.endpoints(p).iter().map(move |e| (p, e.clone())))
                .collect()
        })
        .unwrap_or_default();
    CheckPlan {
        endpoints,
        alternatives: options.alternatives,
        suspects: suspects(static_findings),
        profile_endpoints,
        login: options.login.is_some(),
    }
}

/// The user name to send for a protocol: the configured one, else the form the provider wants.
pub fn username_for(
    account: &Account,
    profile: Option<&Profile>,
    protocol: Protocol,
) -> Option<String> {
    if let Some(name) = &account.username {
        return Some(name.clone());
    }
    let address = account.address.as_ref()?;
    Some(match profile.map(|p| p.username_form(protocol)) {
        Some(UsernameForm::LocalPart) => address.local_part().to_owned(),
        _ => address.to_string(),
    })
}

/// The credentials of every protocol for one secret, each with the user name its protocol
/// wants (providers differ between SMTP and IMAP).
pub fn credentials(
    resolved: &Resolved,
    login: &LoginSecret,
) -> Result<BTreeMap<Protocol, Credentials>, CheckError> {
    if login.secret.expose().contains(['\r', '\n']) {
        return Err(CheckError::LineBreak(if login.oauth2 {
            "token"
        } else {
            "password"
        }));
    }
    let mut map = BTreeMap::new();
    for protocol in Protocol::ALL {
        let username = username_for(&resolved.account, resolved.profile(), protocol)
            .ok_or(CheckError::NoUsername)?;
        if username.contains(['\r', '\n']) {
            return Err(CheckError::LineBreak("user name"));
        }
        map.insert(
            protocol,
            Credentials {
                username,
                secret: login.secret.clone(),
                oauth2: login.oauth2,
            },
        );
    }
    Ok(map)
}

/// What every probe of the check shares.
fn probe_settings(
    resolved: &Resolved,
    options: &CheckOptions,
) -> Result<ProbeSettings, CheckError> {
    let ca = read_ca(options)?;
    let mut settings = shared_settings(options, ca.as_ref())?;
    if let Some(login) = &options.login {
        logging_in(&mut settings, resolved, &options.access, login)?;
    }
    Ok(settings)
}

/// Settings that log in: the credentials each protocol wants, and the questions to ask after
/// the login — about the account's own address unless told another sender or recipient.
fn logging_in(
    settings: &mut ProbeSettings,
    resolved: &Resolved,
    asked: &crate::probe::settings::AccessPlan,
    login: &LoginSecret,
) -> Result<(), CheckError> {
    settings.credentials = credentials(resolved, login)?;
    let address = resolved.account.address.as_ref().map(ToString::to_string);
    settings.access = crate::probe::settings::AccessPlan {
        from: asked.from.clone().or_else(|| address.clone()),
        rcpt: asked.rcpt.clone().or(address),
        send_test: asked.send_test,
    };
    Ok(())
}

/// `--ca-file`, read once: its path (for errors) and its PEM text.
pub fn read_ca(options: &CheckOptions) -> Result<Option<(String, String)>, CheckError> {
    options
        .ca_file
        .as_ref()
        .map(|path| {
            crate::files::read_text(path, crate::files::MAX_PEM_FILE)
                .map(|pem| (path.display().to_string(), pem))
                .map_err(|error| CheckError::CaFile {
                    path: path.display().to_string(),
                    error,
                })
        })
        .transpose()
}

/// The probe settings without credentials: time limits, resolver, TLS connectors. Discovery
/// probes with these (it never logs in).
pub fn shared_settings(
    options: &CheckOptions,
    ca: Option<&(String, String)>,
) -> Result<ProbeSettings, CheckError> {
    let timeouts = options
        .timeout
        .map_or_else(Timeouts::default, Timeouts::scaled_to);
    let connectors = Connectors::new(ca.map(|(p, pem)| (p.as_str(), pem.as_str())))?;
    let resolver = build_resolver(options.dns_server, timeouts.connect)?;
    Ok(ProbeSettings {
        timeouts,
        family: options.family,
        resolver: Arc::new(resolver),
        connectors,
        credentials: BTreeMap::new(),
        allow_plaintext_auth: options.allow_plaintext_auth,
        tls_name: options.tls_name.clone(),
        access: crate::probe::settings::AccessPlan::default(),
    })
}
