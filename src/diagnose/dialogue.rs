//! Findings about the dialogue: TLS and plaintext on the wrong port, the wrong server,
//! greetings, STARTTLS, malformed replies.

use std::time::Duration;

use crate::account::Security;
use crate::finding::{Finding, FindingId};
use crate::probe::observation::{Failure, Observation, StageName};

pub(super) fn findings(obs: &Observation) -> Vec<Finding> {
    let p = Some(obs.protocol);
    let host = &obs.endpoint.host;
    let port = obs.endpoint.port;
    let [(p1, s1), (p2, s2)] = obs.protocol.standard_pairs();
    let mut out = Vec::new();
    let finding = match &obs.failure {
        Some(Failure::TlsOnPlaintextPort { greeting }) => Some(Finding::new(
            FindingId::TlsOnPlaintextPort,
            p,
            format!("Port {port} greets in plaintext, but SSL/TLS is set"),
            format!("The app starts with a TLS handshake, but on port {port} the server first sends a plaintext greeting (\"{greeting}\") and expects STARTTLS. The handshake fails with errors like \"wrong version number\"."),
        ).with_fix(format!("Set encryption to STARTTLS on port {port}, or use port {} with SSL/TLS", if s1 == Security::Tls { p1 } else { p2 }))),
        Some(Failure::PlaintextOnTlsPort) => Some(Finding::new(
            FindingId::PlaintextOnTlsPort,
            p,
            format!("Port {port} expects SSL/TLS from the first byte, but {} is set", obs.endpoint.security.label()),
            format!("The server on port {port} waits for a TLS handshake before it says anything, while the app waits for a plaintext greeting: both wait until the app gives up. maildoctor confirmed it: a TLS handshake on port {port} succeeds."),
        ).with_fix(format!("Set encryption to SSL/TLS on port {port}, or use port {} with STARTTLS", if s1 == Security::Starttls { p1 } else { p2 }))
        // The probe's TLS handshake on this very port worked: exactly that is offered (`a`).
        .suggesting(crate::account::Endpoint {
            host: host.clone(),
            port,
            security: Security::Tls,
        })),
        Some(Failure::WrongProtocol { speaker, line }) => Some(Finding::new(
            FindingId::WrongProtocol,
            p,
            format!("{host}:{port} is {}, not {} server", speaker.describe(), obs.protocol.with_article()),
            format!("The server answered \"{line}\", which is how {} greets. The host or port belongs to another service.", speaker.describe()),
        ).with_fix(format!("{} uses {p1} with {} or {p2} with {}", obs.protocol.label(), s1.label(), s2.label()))),
        Some(Failure::GreetingTimeout) => Some(Finding::new(
            FindingId::GreetingTimeout,
            p,
            format!("{host}:{port} accepted the connection but never greeted"),
            "The connection opened, but no greeting arrived in time. The server is stuck or overloaded, or a proxy holds the connection.".to_owned(),
        ).with_fix(format!("Try again later, or the other standard port ({p1} with {}, {p2} with {}); if it stays silent, tell the server's administrator that it accepts connections but never greets", s1.label(), s2.label()))),
        Some(Failure::ServerRejected { text }) => Some(Finding::new(
            FindingId::ServerRejected,
            p,
            format!("{host} refused service: {text}"),
            "The server answered, but its greeting refuses service: it may be overloaded, in maintenance, or blocking this network (look for a block list in the text).".to_owned(),
        ).with_fix(format!("If the text names a block list, ask the provider to unblock this network (quote: \"{text}\"); otherwise try again later, or from another network"))),
        Some(Failure::StarttlsNotOffered) => Some(Finding::new(
            FindingId::StarttlsNotOffered,
            p,
            format!("{host}:{port} does not offer STARTTLS"),
            "STARTTLS is set, but the server does not announce it, so the connection cannot be encrypted here. Either this port is plaintext only, or something on the network strips STARTTLS (a downgrade attack, or an antivirus proxy).".to_owned(),
        ).with_fix(format!("Use port {} with SSL/TLS", if s1 == Security::Tls { p1 } else { p2 }))),
        Some(Failure::StarttlsFailed { reason }) => Some(Finding::new(
            FindingId::StarttlsFailed,
            p,
            "STARTTLS failed".to_owned(),
            "The server offered STARTTLS, but the encrypted connection could not be set up after it.".to_owned(),
        ).with_fix(format!("Try port {} with SSL/TLS; if STARTTLS must work here, tell the server's administrator, quoting the evidence", if s1 == Security::Tls { p1 } else { p2 }))
        .with_evidence(format!("TLS library: {reason}"))),
        Some(Failure::TlsHandshakeFailed { reason }) => Some(Finding::new(
            FindingId::TlsHandshakeFailed,
            p,
            format!("The TLS handshake with {host}:{port} failed"),
            handshake_words(reason).to_owned(),
        ).with_evidence(format!("TLS library: {reason}")).with_fix(if reason.contains("client certificate") {
            "This server takes only clients that show a certificate of their own (a company or VPN setup): install that certificate in the mail app, or ask the administrator which server to use without one".to_owned()
        } else {
            format!("The server's TLS is broken or refuses this client: tell its administrator, quoting the evidence; meanwhile try {p1} with {} or {p2} with {}", s1.label(), s2.label())
        })),
        Some(Failure::TlsVersionTooOld { reason }) => Some(Finding::new(
            FindingId::TlsVersionTooOld,
            p,
            format!("{host}:{port} only speaks old TLS versions"),
            "The server offers only TLS 1.1 or older, which current mail apps and this computer refuse. The server needs updating.".to_owned(),
        ).with_evidence(format!("TLS library: {reason}")).with_fix("Ask the server's administrator (or the provider) to enable TLS 1.2 or 1.3; there is no safe setting on your side")),
        Some(Failure::ProtocolViolation { reason }) => Some(Finding::new(
            FindingId::ProtocolViolation,
            p,
            format!("{host}:{port} sent something that is not {}", obs.protocol.label()),
            "The server's reply broke the protocol. It may be another kind of service, a broken proxy, or a hostile server.".to_owned(),
        ).with_fix(format!("Check the host and port ({} uses {p1} with {} or {p2} with {}); if they are right, tell the server's administrator, quoting the evidence", obs.protocol.label(), s1.label(), s2.label()))
        .with_evidence(reason.clone())),
        Some(Failure::LoginTimeout { after }) => Some(
            Finding::new(
                FindingId::LoginTimeout,
                p,
                format!("{host} did not answer the login"),
                format!(
                    "The server took the user name and password but gave no answer within {}. Nothing says the password is wrong: servers delay their answer to failed logins on purpose (Dovecot by up to 15 s after repeated failures from one address), and an overloaded server is slow too.",
                    crate::probe::limit::secs(*after)
                ),
            )
            .with_fix("Wait a minute and check again with --login (a longer --timeout gives the server more time); if the login keeps hanging, ask the provider or the server's administrator why."),
        ),
        Some(Failure::Dropped { stage, reason }) => Some(Finding::new(
            FindingId::ConnectionDropped,
            p,
            format!("{host}:{port} stopped during {}", stage_words(*stage)),
            "The dialogue broke off before it was over.".to_owned(),
        ).with_evidence(reason.clone()).with_fix("Try again; if it breaks off at the same step every time, tell the server's administrator (or check a firewall or antivirus that inspects mail connections)")),
        _ => None,
    };
    out.extend(finding);
    out.extend(slow_greeting(obs));
    out
}

/// A greeting slower than mail apps wait for.
fn slow_greeting(obs: &Observation) -> Option<Finding> {
    let greeting = obs.greeting.as_ref()?;
    if greeting.elapsed <= Duration::from_secs(5) {
        return None;
    }
    let host = &obs.endpoint.host;
    Some(Finding::new(
        FindingId::SlowGreeting,
        Some(obs.protocol),
        format!("{host} took {:.1} s to greet", greeting.elapsed.as_secs_f32()),
        "A greeting this slow comes from a tarpit (a server that slows down suspected spammers), an overloaded server, or an antivirus program that intercepts mail connections. Mail apps with short timeouts give up.".to_owned(),
    ).with_fix("Raise the mail app's server timeout to a minute; if an antivirus program scans mail connections, turn that scanning off"))
}

fn stage_words(stage: StageName) -> &'static str {
    match stage {
        StageName::Resolve => "the DNS lookup",
        StageName::Connect => "connecting",
        StageName::Tls | StageName::TlsUnchecked => "the TLS handshake",
        StageName::Greeting => "the greeting",
        StageName::Capabilities => "the capability exchange",
        StageName::Starttls => "STARTTLS",
        StageName::Auth => "the login",
        StageName::Access => "the questions after the login",
        StageName::Quit => "the goodbye",
    }
}

/// Why a handshake failed, in words: a server that wants a client certificate says so.
fn handshake_words(reason: &str) -> &'static str {
    if reason.contains("client certificate") {
        "The encrypted connection could not be set up: the server asks for a client certificate, a certificate of the client's own, and this client has none."
    } else {
        "The encrypted connection could not be set up: the server and this client did not agree on the TLS handshake."
    }
}
