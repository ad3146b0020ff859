//! Certificate findings: the verdict of strict verification, and how long is left.

use crate::finding::{Finding, FindingId};
use crate::probe::observation::{CertVerdict, Observation};

/// The products known to re-sign certificates, as data (see the file's header).
const INTERCEPTORS: &str = include_str!("interception.txt");

/// The inspecting product an issuer name points to, if any.
pub(super) fn inspecting_product(issuer: &str) -> Option<&'static str> {
    let issuer = issuer.to_ascii_lowercase();
    INTERCEPTORS
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('|'))
        .map(|(word, product)| (word.trim(), product.trim()))
        .find(|(word, _)| !word.is_empty() && contains_word(&issuer, &word.to_ascii_lowercase()))
        .map(|(_, product)| product)
}

/// `word` in `text` as a whole word ("AVG" is no match for "avgas").
fn contains_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

pub(super) fn findings(obs: &Observation, thresholds: &super::Thresholds) -> Vec<Finding> {
    let Some(tls) = &obs.tls else {
        return Vec::new();
    };
    let p = Some(obs.protocol);
    let host = &obs.endpoint.host;
    let cert = tls.certificate.as_ref();
    let presented = cert.map(|c| {
        format!("The server presented a certificate for {} (also valid for: {}), issued by {}, valid until {}.", c.subject, if c.san.is_empty() { "-".to_owned() } else { c.san.join(", ") }, c.issuer, c.not_after)
    });
    let library = tls.reason.as_deref().map(|r| format!("TLS library: {r}"));
    let evidence: Vec<String> = presented.into_iter().chain(library).collect();
    let evidence = evidence.join(" ");
    let local_note = if host.is_loopback() {
        " On this machine that is common (a bridge app or a test server): trust its certificate in the mail app, or give maildoctor --ca-file."
    } else {
        ""
    };
    let intercepted = cert
        .filter(|_| {
            !matches!(
                tls.verdict,
                CertVerdict::Ok | CertVerdict::Expired | CertVerdict::NotYetValid
            )
        })
        .and_then(|c| inspecting_product(&c.issuer));
    if let Some(product) = intercepted {
        return vec![Finding::new(
            FindingId::TlsIntercepted,
            p,
            format!("Something between you and {host} inspects the encrypted connection"),
            format!("The certificate presented was issued by {product}, not by the server's authority: your antivirus or your network decrypts and re-encrypts mail connections, and its root certificate is not trusted here."),
        )
        .with_fix("Turn off the antivirus program's mail or SSL scanning; on a company network, install the company's root certificate in the mail app (maildoctor: --ca-file), or ask IT to exempt mail traffic")
        .with_evidence(evidence)];
    }
    let finding = match &tls.verdict {
        CertVerdict::Ok => {
            return match cert {
                Some(c) if c.days_left < thresholds.warn_cert_days.max(thresholds.crit_cert_days) => vec![Finding::new(
                    FindingId::CertExpiringSoon,
                    p,
                    format!("The certificate of {host} expires in {} days", c.days_left.max(0)),
                    format!("The certificate is valid until {}. When it expires, every mail app will refuse the connection.", c.not_after),
                ).with_fix("Tell the server's administrator to renew the certificate").with_evidence(evidence)
                .with_severity(if c.days_left < thresholds.crit_cert_days {
                    crate::finding::Severity::Error
                } else {
                    crate::finding::Severity::Warning
                })],
                _ => Vec::new(),
            };
        }
        CertVerdict::Expired => Finding::new(
            FindingId::CertExpired,
            p,
            format!("The certificate of {host} has expired"),
            "Mail apps refuse the connection, or warn on every check.".to_owned(),
        )
        .with_fix("The server's administrator must renew the certificate; do not tell the app to ignore it"),
        CertVerdict::NotYetValid => Finding::new(
            FindingId::CertNotYetValid,
            p,
            format!("The certificate of {host} is not valid yet"),
            "Either the server installed a certificate dated in the future, or this computer's clock is wrong — check the date and time first.".to_owned(),
        )
        .with_fix("Check this computer's date and time; if it is right, tell the server's administrator"),
        CertVerdict::SelfSigned => Finding::new(
            FindingId::CertSelfSigned,
            p,
            format!("The certificate of {host} is self-signed"),
            format!("No certificate authority vouches for this server, so mail apps cannot tell it from an impostor.{local_note}"),
        )
        .with_fix("Use the provider's official server name, or install a certificate from a public authority on the server"),
        CertVerdict::UnknownIssuer | CertVerdict::Other(_) => Finding::new(
            FindingId::CertUntrusted,
            p,
            format!("The certificate of {host} is not trusted"),
            format!("The certificate's issuer is not trusted by this computer, or the server does not send its intermediate certificate.{local_note}"),
        )
        .with_fix("If this is a company server, install the company's CA (maildoctor: --ca-file); otherwise the server must send its full certificate chain"),
        CertVerdict::NameMismatch => Finding::new(
            FindingId::CertNameMismatch,
            p,
            format!("The certificate does not match the name {host}"),
            "The server's certificate is for another name, so the app cannot be sure it reached the right server. Often the app is set to an alias or an IP address instead of the documented server name.".to_owned(),
        )
        .with_fix(match cert.and_then(|c| c.san.iter().find(|s| !s.starts_with('*'))) {
            Some(name) => format!("Use the name the certificate is for: {name}"),
            None => "Use the server name from the provider's help page".to_owned(),
        }),
    };
    vec![finding.with_evidence(evidence)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inspecting_products_are_known_by_their_issuer() {
        assert_eq!(
            inspecting_product("CN=Avast Web/Mail Shield Root, O=Avast"),
            Some("Avast's Mail Shield")
        );
        assert_eq!(
            inspecting_product("CN=Zscaler Intermediate Root CA, O=Zscaler Inc."),
            Some("Zscaler's TLS inspection")
        );
        assert_eq!(inspecting_product("CN=R11, O=Let's Encrypt"), None);
        assert_eq!(
            inspecting_product("CN=avgas supplies CA"),
            None,
            "whole words"
        );
    }
}
