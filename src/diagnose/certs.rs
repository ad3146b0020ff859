//! Certificate findings: the verdict of strict verification, and how long is left.

use crate::finding::{Finding, FindingId};
use crate::probe::observation::{CertVerdict, Observation};

/// Warn this many days before a certificate expires.
const EXPIRY_WARNING_DAYS: i64 = 14;

pub(super) fn findings(obs: &Observation) -> Vec<Finding> {
    let Some(tls) = &obs.tls else {
        return Vec::new();
    };
    let p = Some(obs.protocol);
    let host = &obs.endpoint.host;
    let cert = tls.certificate.as_ref();
    let presented = cert.map_or_else(String::new, |c| {
        format!(" The server presented a certificate for {} (also valid for: {}), issued by {}, valid until {}.", c.subject, if c.san.is_empty() { "-".to_owned() } else { c.san.join(", ") }, c.issuer, c.not_after)
    });
    let reason = tls
        .reason
        .as_deref()
        .map(|r| format!(" (TLS library: {r})"))
        .unwrap_or_default();
    let local_note = if host.is_loopback() {
        " On this machine that is common (a bridge app or a test server): trust its certificate in the mail app, or give maildoctor --ca-file."
    } else {
        ""
    };
    let finding = match &tls.verdict {
        CertVerdict::Ok => {
            return match cert {
                Some(c) if c.days_left < EXPIRY_WARNING_DAYS => vec![Finding::new(
                    FindingId::CertExpiringSoon,
                    p,
                    format!("The certificate of {host} expires in {} days", c.days_left.max(0)),
                    format!("The certificate is valid until {}. When it expires, every mail app will refuse the connection.{presented}", c.not_after),
                ).with_fix("Tell the server's administrator to renew the certificate")],
                _ => Vec::new(),
            };
        }
        CertVerdict::Expired => Finding::new(
            FindingId::CertExpired,
            p,
            format!("The certificate of {host} has expired"),
            format!("Mail apps refuse the connection, or warn on every check.{presented}{reason}"),
        )
        .with_fix("The server's administrator must renew the certificate; do not tell the app to ignore it"),
        CertVerdict::NotYetValid => Finding::new(
            FindingId::CertNotYetValid,
            p,
            format!("The certificate of {host} is not valid yet"),
            format!("Either the server installed a certificate dated in the future, or this computer's clock is wrong — check the date and time first.{presented}{reason}"),
        )
        .with_fix("Check this computer's date and time; if it is right, tell the server's administrator"),
        CertVerdict::SelfSigned => Finding::new(
            FindingId::CertSelfSigned,
            p,
            format!("The certificate of {host} is self-signed"),
            format!("No certificate authority vouches for this server, so mail apps cannot tell it from an impostor.{presented}{reason}{local_note}"),
        )
        .with_fix("Use the provider's official server name, or install a certificate from a public authority on the server"),
        CertVerdict::UnknownIssuer | CertVerdict::Other(_) => Finding::new(
            FindingId::CertUntrusted,
            p,
            format!("The certificate of {host} is not trusted"),
            format!("The certificate's issuer is not trusted by this computer, or the server does not send its intermediate certificate.{presented}{reason}{local_note}"),
        )
        .with_fix("If this is a company server, install the company's CA (maildoctor: --ca-file); otherwise the server must send its full certificate chain"),
        CertVerdict::NameMismatch => Finding::new(
            FindingId::CertNameMismatch,
            p,
            format!("The certificate does not match the name {host}"),
            format!("The server's certificate is for another name, so the app cannot be sure it reached the right server. Often the app is set to an alias or an IP address instead of the documented server name.{presented}{reason}"),
        )
        .with_fix(match cert.and_then(|c| c.san.iter().find(|s| !s.starts_with('*'))) {
            Some(name) => format!("Use the name the certificate is for: {name}"),
            None => "Use the server name from the provider's help page".to_owned(),
        }),
    };
    vec![finding]
}
