//! TLS: the handshake (strict, then relaxed to read what the server presented), certificate
//! facts through x509-parser, and the library's error text sorted into verdicts people act on.

use super::wire::screen_safe;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use thiserror::Error;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::OnceCell;
use tokio_native_tls::native_tls;
use tokio_native_tls::{TlsConnector, TlsStream};

use super::observation::{CertInfo, CertVerdict};

#[derive(Debug, Error)]
pub enum TlsSetupError {
    #[error("cannot read --ca-file {path}: {reason}")]
    CaFile { path: String, reason: String },
}

/// The two connectors a probe needs: one that verifies like a mail app, and one that accepts
/// anything so the user can see which certificate a failing server presented.
///
/// Building a connector parses the whole system CA bundle (about 30 ms), so each is built once,
/// on first use, off the async threads; [`Connectors::warm`] starts the strict one while DNS
/// and TCP are still under way.
#[derive(Clone)]
pub struct Connectors {
    inner: Arc<Inner>,
}

struct Inner {
    extra: Vec<native_tls::Certificate>,
    strict: OnceCell<Result<TlsConnector, String>>,
    relaxed: OnceCell<Result<TlsConnector, String>>,
}

impl Connectors {
    /// Reads the extra trust anchors now (so a bad `--ca-file` fails at once); the connectors
    /// themselves are built when first needed.
    pub fn new(extra_ca_pem: Option<(&str, &str)>) -> Result<Connectors, TlsSetupError> {
        let mut extra = Vec::new();
        if let Some((path, pem)) = extra_ca_pem {
            let blocks = pem_certificates(pem);
            if blocks.is_empty() {
                return Err(TlsSetupError::CaFile {
                    path: path.to_owned(),
                    reason: "no PEM certificate in it".into(),
                });
            }
            for block in blocks {
                extra.push(
                    native_tls::Certificate::from_pem(block.as_bytes()).map_err(|e| {
                        TlsSetupError::CaFile {
                            path: path.to_owned(),
                            reason: e.to_string(),
                        }
                    })?,
                );
            }
        }
        Ok(Connectors {
            inner: Arc::new(Inner {
                extra,
                strict: OnceCell::new(),
                relaxed: OnceCell::new(),
            }),
        })
    }

    /// Starts building the strict connector in the background.
    pub fn warm(&self) {
        let this = self.clone();
        tokio::spawn(async move {
            let _ = this.strict().await;
        });
    }

    /// The connector that verifies certificates and names.
    pub async fn strict(&self) -> Result<TlsConnector, String> {
        self.get(false).await
    }

    /// The connector that accepts any certificate, to read what a failing server presents.
    pub async fn relaxed(&self) -> Result<TlsConnector, String> {
        self.get(true).await
    }

    async fn get(&self, relaxed: bool) -> Result<TlsConnector, String> {
        let cell = if relaxed {
            &self.inner.relaxed
        } else {
            &self.inner.strict
        };
        cell.get_or_init(|| async {
            let extra = self.inner.extra.clone();
            tokio::task::spawn_blocking(move || build(&extra, relaxed))
                .await
                .unwrap_or_else(|e| Err(format!("TLS setup stopped: {e}")))
        })
        .await
        .clone()
    }
}

fn build(extra: &[native_tls::Certificate], relaxed: bool) -> Result<TlsConnector, String> {
    let mut builder = native_tls::TlsConnector::builder();
    for cert in extra {
        builder.add_root_certificate(cert.clone());
    }
    builder
        .danger_accept_invalid_certs(relaxed)
        .danger_accept_invalid_hostnames(relaxed);
    builder
        .build()
        .map(TlsConnector::from)
        .map_err(|e| format!("cannot set up TLS: {e}"))
}

/// Splits a PEM bundle into its certificates.
pub fn pem_certificates(pem: &str) -> Vec<String> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let mut out = Vec::new();
    let mut rest = pem;
    while let Some(start) = rest.find(BEGIN) {
        let Some(end) = rest[start..].find(END) else {
            break;
        };
        let stop = start + end + END.len();
        out.push(rest[start..stop].to_owned());
        rest = &rest[stop..];
    }
    out
}

/// What a failed handshake means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandshakeProblem {
    /// The certificate did not verify; a relaxed handshake may still go through.
    Certificate(CertVerdict),
    /// The server only speaks TLS versions this client refuses (1.1 and older).
    OldVersion,
    /// The peer did not answer with TLS at all (a plaintext greeting arrived instead).
    NotTls,
    Other,
}

/// Sorts OpenSSL's (and the other backends') error text. Pure, so tested without a server.
pub fn classify_handshake_error(reason: &str) -> HandshakeProblem {
    let r = reason.to_ascii_lowercase();
    let cert = |v| HandshakeProblem::Certificate(v);
    if r.contains("certificate has expired") || r.contains("certificate expired") {
        return cert(CertVerdict::Expired);
    }
    if r.contains("not yet valid") {
        return cert(CertVerdict::NotYetValid);
    }
    if r.contains("hostname mismatch")
        || r.contains("ip address mismatch")
        || r.contains("does not match")
    {
        return cert(CertVerdict::NameMismatch);
    }
    if r.contains("self-signed certificate in certificate chain")
        || r.contains("self signed certificate in certificate chain")
    {
        return cert(CertVerdict::UnknownIssuer);
    }
    if r.contains("self-signed certificate") || r.contains("self signed certificate") {
        return cert(CertVerdict::SelfSigned);
    }
    if r.contains("unable to get local issuer")
        || r.contains("unable to get issuer")
        || r.contains("unable to verify the first certificate")
        || r.contains("unknown ca")
    {
        return cert(CertVerdict::UnknownIssuer);
    }
    if r.contains("certificate verify failed") {
        return cert(CertVerdict::Other(reason.to_owned()));
    }
    if r.contains("unsupported protocol")
        || r.contains("protocol version")
        || r.contains("no protocols available")
        || r.contains("version too low")
    {
        return HandshakeProblem::OldVersion;
    }
    if r.contains("wrong version number")
        || r.contains("packet length too long")
        || r.contains("unknown protocol")
        || r.contains("record layer failure")
        || r.contains("http request")
    {
        return HandshakeProblem::NotTls;
    }
    HandshakeProblem::Other
}

/// Runs a handshake with SNI = `host`.
pub async fn handshake<S>(
    connector: &TlsConnector,
    host: &str,
    stream: S,
) -> Result<TlsStream<S>, String>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    connector
        .connect(host, stream)
        .await
        .map_err(|e| e.to_string())
}

/// The leaf certificate a TLS stream's peer presented.
pub fn peer_certificate<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &TlsStream<S>,
) -> Option<CertInfo> {
    let cert = stream.get_ref().peer_certificate().ok()??;
    let der = cert.to_der().ok()?;
    cert_info(&der, unix_now())
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Reads the facts people need from a DER certificate, with days left counted from `now`.
pub fn cert_info(der: &[u8], now: i64) -> Option<CertInfo> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    let validity = cert.validity();
    let san = cert
        .subject_alternative_name()
        .ok()
        .flatten()
        .map(|ext| {
            ext.value
                .general_names
                .iter()
                .map(|name| match name {
                    x509_parser::extensions::GeneralName::DNSName(d) => screen_safe(d),
                    x509_parser::extensions::GeneralName::IPAddress(bytes) => ip_text(bytes),
                    other => screen_safe(&other.to_string()),
                })
                .collect()
        })
        .unwrap_or_default();
    let not_after = validity.not_after.timestamp();
    Some(CertInfo {
        // The server chose these names: no control or bidi mark reaches a screen.
        subject: screen_safe(&cert.subject().to_string()),
        issuer: screen_safe(&cert.issuer().to_string()),
        san,
        not_before: rfc3339(validity.not_before.to_datetime()),
        not_after: rfc3339(validity.not_after.to_datetime()),
        days_left: (not_after - now).div_euclid(86_400),
    })
}

fn ip_text(bytes: &[u8]) -> String {
    match bytes.len() {
        4 => std::net::Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]).to_string(),
        16 => {
            let mut octets = [0u8; 16];
            octets.copy_from_slice(bytes);
            std::net::Ipv6Addr::from(octets).to_string()
        }
        _ => format!("{bytes:02x?}"),
    }
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openssl_reasons_are_classified() {
        let verify = "error:0A000086:SSL routines:tls_post_process_server_certificate:certificate verify failed:../ssl/statem/statem_clnt.c:1889:";
        let cases = [
            (
                format!("{verify} (certificate has expired)"),
                HandshakeProblem::Certificate(CertVerdict::Expired),
            ),
            (
                format!("{verify} (certificate is not yet valid)"),
                HandshakeProblem::Certificate(CertVerdict::NotYetValid),
            ),
            (
                format!("{verify} (self-signed certificate)"),
                HandshakeProblem::Certificate(CertVerdict::SelfSigned),
            ),
            (
                format!("{verify} (self-signed certificate in certificate chain)"),
                HandshakeProblem::Certificate(CertVerdict::UnknownIssuer),
            ),
            (
                format!("{verify} (unable to get local issuer certificate)"),
                HandshakeProblem::Certificate(CertVerdict::UnknownIssuer),
            ),
            (
                format!("{verify} (Hostname mismatch)"),
                HandshakeProblem::Certificate(CertVerdict::NameMismatch),
            ),
            (
                "error:0A00010B:SSL routines:ssl3_get_record:wrong version number".to_owned(),
                HandshakeProblem::NotTls,
            ),
            (
                "error:0A000102:SSL routines::unsupported protocol".to_owned(),
                HandshakeProblem::OldVersion,
            ),
            (
                "error:0A00042E:SSL routines::tlsv1 alert protocol version".to_owned(),
                HandshakeProblem::OldVersion,
            ),
            ("connection reset".to_owned(), HandshakeProblem::Other),
        ];
        for (reason, want) in cases {
            assert_eq!(classify_handshake_error(&reason), want, "{reason}");
        }
    }

    #[test]
    fn pem_bundles_split_into_certificates() {
        let one = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert_eq!(pem_certificates(&format!("junk\n{one}{one}")).len(), 2);
        assert!(pem_certificates("no certificates here").is_empty());
    }

    #[test]
    fn certificate_facts_are_read() {
        let mut params = rcgen::CertificateParams::new(vec![
            "mail.example.test".to_owned(),
            "127.0.0.1".to_owned(),
        ])
        .unwrap();
        params.not_before = rcgen::date_time_ymd(2026, 1, 1);
        params.not_after = rcgen::date_time_ymd(2026, 12, 31);
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        let now = 1_795_000_000; // 2026-11-18
        let info = cert_info(cert.der(), now).unwrap();
        assert!(
            info.san.contains(&"mail.example.test".to_owned()),
            "{:?}",
            info.san
        );
        assert!(info.san.contains(&"127.0.0.1".to_owned()), "{:?}", info.san);
        assert_eq!(info.days_left, 42);
        assert!(info.not_after.starts_with("2026-12-31"));
    }

    #[test]
    fn a_certificates_names_reach_no_screen_with_controls_or_bidi_marks() {
        let mut params =
            rcgen::CertificateParams::new(vec!["mail.example.test".to_owned()]).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "evil\u{202e}gpj.exe \u{9b}2J");
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        let info = cert_info(cert.der(), 1_795_000_000).unwrap();
        assert!(
            !info.subject.contains('\u{202e}') && !info.subject.contains('\u{9b}'),
            "{:?}",
            info.subject
        );
        assert!(info.subject.contains("\\u{202e}"), "{:?}", info.subject);
    }
}
