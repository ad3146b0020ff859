//! What a probe saw at one endpoint: typed facts, no advice. `diagnose` turns them into findings.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use crate::account::{Endpoint, Protocol};

use super::wire::capabilities::Capabilities;
use super::wire::greeting::Speaker;

/// Who sent a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Sent,
    Received,
    /// A note from the probe itself (TLS established, timeout, …).
    Note,
}

/// One transcript line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptLine {
    pub at: Duration,
    pub direction: Direction,
    pub text: String,
}

/// The steps of a probe, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StageName {
    Resolve,
    Connect,
    Tls,
    /// The handshake of the second connection, made without certificate checks to read the
    /// certificate the strict one refused.
    TlsUnchecked,
    Greeting,
    Capabilities,
    Starttls,
    Auth,
    /// After login: may this account send as its sender, read its mailbox?
    Access,
    Quit,
}

impl StageName {
    pub fn as_str(self) -> &'static str {
        match self {
            StageName::Resolve => "resolve",
            StageName::Connect => "connect",
            StageName::Tls => "tls",
            StageName::TlsUnchecked => "tls-unchecked",
            StageName::Greeting => "greeting",
            StageName::Capabilities => "capabilities",
            StageName::Starttls => "starttls",
            StageName::Auth => "auth",
            StageName::Access => "access",
            StageName::Quit => "quit",
        }
    }
}

/// How a stage ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StageStatus {
    Ok,
    /// Done, but with something to look at (an untrusted certificate, a slow greeting).
    Warning,
    Failed,
    /// Not run: an earlier stage failed, or it does not apply.
    Skipped,
}

impl StageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            StageStatus::Ok => "ok",
            StageStatus::Warning => "warning",
            StageStatus::Failed => "failed",
            StageStatus::Skipped => "skipped",
        }
    }
}

/// One finished stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub name: StageName,
    pub status: StageStatus,
    pub elapsed: Duration,
    pub detail: String,
}

/// What DNS said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsOutcome {
    /// The host is an IP address; nothing to resolve.
    Literal(IpAddr),
    Resolved(Vec<IpAddr>),
    /// NXDOMAIN: the name does not exist.
    NoSuchHost,
    /// The name exists but has no A or AAAA record.
    NoAddress,
    /// The resolver failed or timed out.
    Failed(String),
}

/// What happened when connecting to one address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectOutcome {
    Connected,
    /// RST: nothing listens there.
    Refused,
    /// No answer at all: packets dropped by a firewall.
    TimedOut,
    /// ICMP unreachable or administratively prohibited; no route.
    Unreachable,
    Reset,
    Other(String),
    /// Not tried: a connection was made first, or the name has more addresses than are tried.
    NotTried,
}

impl ConnectOutcome {
    pub fn as_str(&self) -> &'static str {
        match self {
            ConnectOutcome::Connected => "connected",
            ConnectOutcome::Refused => "refused",
            ConnectOutcome::TimedOut => "timed-out",
            ConnectOutcome::Unreachable => "unreachable",
            ConnectOutcome::Reset => "reset",
            ConnectOutcome::Other(_) => "error",
            ConnectOutcome::NotTried => "not-tried",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressAttempt {
    pub addr: SocketAddr,
    pub outcome: ConnectOutcome,
    pub elapsed: Duration,
}

/// The verification verdict on a server's certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertVerdict {
    Ok,
    Expired,
    NotYetValid,
    SelfSigned,
    /// Unknown issuer, including a missing intermediate certificate.
    UnknownIssuer,
    NameMismatch,
    Other(String),
}

impl CertVerdict {
    pub fn as_str(&self) -> &'static str {
        match self {
            CertVerdict::Ok => "ok",
            CertVerdict::Expired => "expired",
            CertVerdict::NotYetValid => "not-yet-valid",
            CertVerdict::SelfSigned => "self-signed",
            CertVerdict::UnknownIssuer => "unknown-issuer",
            CertVerdict::NameMismatch => "name-mismatch",
            CertVerdict::Other(_) => "other",
        }
    }
}

/// The server's leaf certificate as presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    pub subject: String,
    pub issuer: String,
    pub san: Vec<String>,
    /// RFC 3339.
    pub not_before: String,
    pub not_after: String,
    /// Whole days until `not_after` (negative once expired).
    pub days_left: i64,
}

/// What the TLS layer showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsInfo {
    /// Reached through STARTTLS/STLS rather than at connect.
    pub via_starttls: bool,
    pub verdict: CertVerdict,
    pub certificate: Option<CertInfo>,
    /// The TLS library's own words when verification failed.
    pub reason: Option<String>,
    /// The version and cipher suite the server chose, read from its ServerHello.
    pub version: Option<String>,
    pub cipher: Option<String>,
}

/// The first reply of the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GreetingInfo {
    pub text: String,
    pub speaker: Speaker,
    pub elapsed: Duration,
}

/// The result of a login attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthOutcome {
    pub mechanism: String,
    pub ok: bool,
    /// The server's exact reply.
    pub reply: String,
    /// IMAP `[ALERT]` texts the server sent with its answer: RFC 9051 says a client must show
    /// them to the user.
    pub alerts: Vec<String>,
    /// The challenge a failed SASL login was answered with before its refusal: after XOAUTH2,
    /// Google and Microsoft send their error details there (base64 JSON).
    pub challenge: Option<String>,
}

/// What a logged-in account may do, asked without changing anything: SMTP's `MAIL FROM` and
/// `RCPT TO` (then `RSET`; `DATA` only with `--send-test`), IMAP's `EXAMINE INBOX` (read-only),
/// POP3's `STAT`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Access {
    /// Each question and the server's answer, in the order asked.
    pub steps: Vec<AccessStep>,
    /// Messages in the mailbox (IMAP `EXISTS`, POP3 `STAT`).
    pub messages: Option<u64>,
    /// The test message's queue id, from the server's reply to the message (`--send-test`).
    pub queued: Option<String>,
}

/// One question after login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessStep {
    /// What was sent: `MAIL FROM:<a@example.org>`, `EXAMINE INBOX`, `STAT`, `DATA`.
    pub command: String,
    pub ok: bool,
    /// The server's exact reply.
    pub reply: String,
}

impl Access {
    /// The step that sent this command (its first word or words), if it was asked.
    pub fn step(&self, command: &str) -> Option<&AccessStep> {
        self.steps.iter().find(|s| s.command.starts_with(command))
    }
}

/// Why the dialogue stopped early. Its `Display` is the short line a stage shows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    #[error("the name does not exist (NXDOMAIN)")]
    DnsNoSuchHost,
    #[error("the name has no address")]
    DnsNoAddress,
    #[error("{0}")]
    DnsFailure(String),
    #[error("refused: nothing listens on this port")]
    ConnectRefused,
    #[error("no answer: packets dropped on the way")]
    ConnectTimeout,
    #[error("no route to the server")]
    ConnectUnreachable,
    #[error("reset by the server or a firewall")]
    ConnectReset,
    #[error("{0}")]
    ConnectOther(String),
    /// Implicit TLS was configured, but the server greeted in plaintext.
    #[error("the server greeted in plaintext: {greeting}")]
    TlsOnPlaintextPort { greeting: String },
    /// STARTTLS/plain was configured, but the port speaks TLS at once (confirmed by a handshake).
    #[error("the port expects TLS from the first byte")]
    PlaintextOnTlsPort,
    /// Another protocol answered.
    #[error("{} answered: {line}", speaker.describe())]
    WrongProtocol { speaker: Speaker, line: String },
    #[error("no greeting")]
    GreetingTimeout,
    /// The server refused service in its greeting (421/554, `* BYE`, `-ERR`).
    #[error("refused: {text}")]
    ServerRejected { text: String },
    #[error("the server does not offer STARTTLS")]
    StarttlsNotOffered,
    #[error("{reason}")]
    StarttlsFailed { reason: String },
    #[error("{reason}")]
    TlsHandshakeFailed { reason: String },
    #[error("{reason}")]
    TlsVersionTooOld { reason: String },
    /// Malformed reply, line too long, binary garbage.
    #[error("protocol violation: {reason}")]
    ProtocolViolation { reason: String },
    /// The server closed the connection or stopped answering mid-dialogue.
    #[error("{reason}")]
    Dropped { stage: StageName, reason: String },
    /// The login got no answer at all within the time left to the endpoint.
    #[error("no answer to the login within {}", super::limit::secs(*after))]
    LoginTimeout { after: Duration },
}

impl Failure {
    /// A kebab-case word for the failure, stable for scripts (the finding id it leads to).
    pub fn word(&self) -> &'static str {
        match self {
            Failure::DnsNoSuchHost => "dns-no-such-host",
            Failure::DnsNoAddress => "dns-no-address",
            Failure::DnsFailure(_) => "dns-failure",
            Failure::ConnectRefused => "connect-refused",
            Failure::ConnectTimeout => "connect-timeout",
            Failure::ConnectUnreachable | Failure::ConnectOther(_) => "connect-unreachable",
            Failure::ConnectReset => "connect-reset",
            Failure::TlsOnPlaintextPort { .. } => "tls-on-plaintext-port",
            Failure::PlaintextOnTlsPort => "plaintext-on-tls-port",
            Failure::WrongProtocol { .. } => "wrong-protocol",
            Failure::GreetingTimeout => "greeting-timeout",
            Failure::ServerRejected { .. } => "server-rejected",
            Failure::StarttlsNotOffered => "starttls-not-offered",
            Failure::StarttlsFailed { .. } => "starttls-failed",
            Failure::TlsHandshakeFailed { .. } => "tls-handshake-failed",
            Failure::TlsVersionTooOld { .. } => "tls-version-too-old",
            Failure::ProtocolViolation { .. } => "protocol-violation",
            Failure::Dropped { .. } => "connection-dropped",
            Failure::LoginTimeout { .. } => "login-timeout",
        }
    }
}

/// Everything one endpoint probe observed.
#[derive(Debug, Clone)]
pub struct Observation {
    pub protocol: Protocol,
    pub endpoint: Endpoint,
    pub stages: Vec<Stage>,
    pub dns: Option<DnsOutcome>,
    pub addresses: Vec<AddressAttempt>,
    pub connected: Option<SocketAddr>,
    pub tls: Option<TlsInfo>,
    pub greeting: Option<GreetingInfo>,
    /// Before STARTTLS (or the only set, on implicit-TLS and plain endpoints).
    pub capabilities: Option<Capabilities>,
    /// After STARTTLS: they change (RFC 3207 §4.2).
    pub capabilities_after_tls: Option<Capabilities>,
    /// SMTP servers that refused EHLO and were greeted with HELO.
    pub helo_fallback: bool,
    /// Whether the server would take a password before STARTTLS, asked without one: an AUTH
    /// it answers with a go-ahead (then cancelled) or refuses. `None`: not asked.
    pub auth_before_tls: Option<bool>,
    pub auth: Option<AuthOutcome>,
    /// What the account may do once logged in (`--login`): asked, never changed.
    pub access: Option<Access>,
    pub failure: Option<Failure>,
    pub transcript: Vec<TranscriptLine>,
    pub elapsed: Duration,
}

impl Observation {
    pub fn new(protocol: Protocol, endpoint: Endpoint) -> Observation {
        Observation {
            protocol,
            endpoint,
            stages: Vec::new(),
            dns: None,
            addresses: Vec::new(),
            connected: None,
            tls: None,
            greeting: None,
            capabilities: None,
            capabilities_after_tls: None,
            helo_fallback: false,
            auth_before_tls: None,
            auth: None,
            access: None,
            failure: None,
            transcript: Vec::new(),
            elapsed: Duration::ZERO,
        }
    }

    /// The capabilities in force for login: after TLS when there was an upgrade.
    pub fn effective_capabilities(&self) -> Option<&Capabilities> {
        self.capabilities_after_tls
            .as_ref()
            .or(self.capabilities.as_ref())
    }

    /// Whether the dialogue got through greeting and capabilities without a failure.
    pub fn reached_service(&self) -> bool {
        self.failure.is_none() && self.greeting.is_some()
    }

    /// One word for how it went: "works", the failure's word ("refused", "timeout" …), or
    /// "certificate not trusted".
    pub fn outcome(&self) -> &'static str {
        match &self.failure {
            _ if self.works() => "works",
            Some(failure) => failure.word(),
            None => "certificate not trusted",
        }
    }

    /// Whether this is a setting a user can simply switch to: the service answered, and any
    /// certificate it presented is trusted.
    pub fn works(&self) -> bool {
        self.reached_service()
            && self
                .tls
                .as_ref()
                .is_none_or(|t| t.verdict == CertVerdict::Ok)
    }
}
