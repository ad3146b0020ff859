//! Rules about ports and the encryption mode that goes with them.

use std::fmt::Write as _;

use crate::account::{AuthMethod, Protocol, Security};
use crate::finding::{Finding, FindingId, Severity};

use super::LintContext;

/// A well-known port set with the other encryption mode: 465/993/995 with STARTTLS or none,
/// 587/143/110 with implicit TLS. Both ends then wait for the other, or fail the handshake.
pub(super) fn port_security_mismatch(ctx: &LintContext) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (&protocol, endpoint) in &ctx.account.endpoints {
        let Some(expected) = protocol.standard_security(endpoint.port) else {
            continue;
        };
        let mismatch = match expected {
            Security::Tls => endpoint.security != Security::Tls,
            _ => endpoint.security == Security::Tls,
        };
        if !mismatch || endpoint.port == 25 {
            continue;
        }
        if ctx
            .profile
            .is_some_and(|p| p.allows_exception(protocol, endpoint.port, endpoint.security))
        {
            continue;
        }
        let port = endpoint.port;
        let explanation = if expected == Security::Tls {
            format!(
                "On port {port} the server expects encryption from the first byte and waits for the \
                 client's TLS handshake. A client set to {} waits for a plaintext greeting instead, so \
                 both sides wait until the connection times out.",
                endpoint.security.label()
            )
        } else {
            format!(
                "Port {port} starts unencrypted: the server sends a plaintext greeting and the client \
                 then asks for encryption with STARTTLS. A client set to SSL/TLS starts a TLS handshake \
                 straight away, which the server does not understand, so sending or receiving fails \
                 with a TLS or \"wrong version number\" error."
            )
        };
        let [(p1, s1), (p2, s2)] = protocol.standard_pairs();
        let mut fix = format!(
            "Use port {p1} with {}, or port {p2} with {}.",
            s1.label(),
            s2.label()
        );
        if let Some(profile) = ctx.profile
            && let Some(first) = profile.endpoints(protocol).first()
        {
            let _ = write!(fix, " {} documents {}.", profile.name, first.describe());
        }
        findings.push(
            Finding::new(
                FindingId::PortSecurityMismatch,
                Some(protocol),
                format!(
                    "Port {port} expects {}, but {} is set",
                    expected.label(),
                    endpoint.security.label()
                ),
                explanation,
            )
            .with_fix(fix),
        );
    }
    findings
}

/// SMTP on port 25: the port servers use to relay to each other, blocked by many ISPs for
/// home connections; a blocked port 25 times out rather than being refused.
pub(super) fn port_25_for_submission(ctx: &LintContext) -> Vec<Finding> {
    let Some(endpoint) = ctx
        .account
        .endpoint(Protocol::Smtp)
        .filter(|e| e.port == 25)
    else {
        return Vec::new();
    };
    vec![
        Finding::new(
            FindingId::Port25ForSubmission,
            Some(Protocol::Smtp),
            "Port 25 is for servers, not mail apps",
            "Port 25 is where mail servers hand mail to each other. Many internet providers, hotels \
             and cloud hosts block it for ordinary connections, so sending silently times out; and \
             many servers do not accept logins there. Mail apps should submit on port 587 (STARTTLS) \
             or 465 (SSL/TLS).",
        )
        .with_fix(format!(
            "Outgoing (SMTP) server: {}:587 STARTTLS, or {}:465 SSL/TLS",
            endpoint.host, endpoint.host
        )),
    ]
}

/// Password login over a connection that is never encrypted.
pub(super) fn plaintext_credentials(ctx: &LintContext) -> Vec<Finding> {
    if ctx.account.auth != AuthMethod::Password {
        return Vec::new();
    }
    let mut findings = Vec::new();
    for (&protocol, endpoint) in &ctx.account.endpoints {
        if endpoint.security != Security::Plain {
            continue;
        }
        let local = endpoint.host.is_loopback();
        let explanation = if local {
            "The password goes to a server on this machine without encryption. That is only safe \
             while the server really is local (for example a bridge app); most servers refuse \
             logins without encryption anyway."
        } else {
            "With no encryption, the user name and password cross the network in readable form: \
             anyone on the same Wi-Fi, the hotel or the ISP can read them. Most servers refuse such \
             logins, so it usually fails too."
        };
        let [(p1, s1), (p2, s2)] = protocol.standard_pairs();
        findings.push(
            Finding::new(
                FindingId::PlaintextCredentials,
                Some(protocol),
                format!(
                    "{} password would be sent without encryption",
                    protocol.label()
                ),
                explanation,
            )
            .with_severity(if local {
                Severity::Warning
            } else {
                Severity::Error
            })
            .with_fix(format!(
                "Set encryption to {} on port {p1} (or {} on port {p2})",
                s1.label(),
                s2.label()
            )),
        );
    }
    findings
}
