//! The TLS handshakes of a pass: implicit TLS at connect or after STARTTLS, strict first and
//! relaxed to read an untrusted certificate; and the second connections that tell a port's
//! real mode when it does not match the settings (a plaintext greeting, a TLS handshake).

use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpStream;

use super::super::conn::Conn;
use super::super::dialogue::{BoxStream, Session};
use super::super::observation::Direction;
use super::super::observation::{CertVerdict, Failure, StageName, StageStatus, TlsInfo};
use super::super::tls::{HandshakeProblem, classify_handshake_error, handshake, peer_certificate};
use super::Run;

/// How strictly certificates are checked on this pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Pass {
    Strict,
    /// Verification off, to read what the server presented; carries the strict verdict.
    Relaxed {
        verdict: CertVerdict,
        reason: String,
    },
}

/// The end of a dialogue pass.
pub(super) enum PassEnd {
    Done,
    /// Strict verification failed: go again, relaxed, to see the rest.
    RetryRelaxed {
        verdict: CertVerdict,
        reason: String,
    },
}

impl Run<'_> {
    /// A TLS handshake at connect (implicit TLS) or after STARTTLS.
    pub(super) async fn tls(
        &mut self,
        addr: SocketAddr,
        stream: BoxStream,
        pass: &Pass,
        via_starttls: bool,
    ) -> Result<Session, PassEnd> {
        self.start(StageName::Tls);
        let host = self.host_name();
        let connector = match pass {
            Pass::Strict => self.settings.connectors.strict().await,
            Pass::Relaxed { .. } => self.settings.connectors.relaxed().await,
        };
        let connector = match connector {
            Ok(c) => c,
            Err(reason) => {
                self.fail(
                    Failure::TlsHandshakeFailed {
                        reason: reason.clone(),
                    },
                    reason,
                );
                return Err(PassEnd::Done);
            }
        };
        let handshake_result = tokio::time::timeout(
            self.settings.timeouts.command,
            handshake(&connector, &host, stream),
        )
        .await;
        let reason = match handshake_result {
            Ok(Ok(tls)) => {
                self.established(&tls, pass, via_starttls);
                let boxed: BoxStream = Box::new(tls);
                return Ok(Conn::new(boxed, self.transcript()));
            }
            Ok(Err(reason)) => reason,
            Err(_) => format!(
                "no TLS handshake within {} s",
                self.settings.timeouts.command.as_secs_f32()
            ),
        };
        Err(self
            .handshake_failed(addr, reason, pass, via_starttls)
            .await)
    }

    /// Records the session's certificate and its verdict (the strict pass's, on a relaxed one).
    fn established(
        &mut self,
        tls: &tokio_native_tls::TlsStream<BoxStream>,
        pass: &Pass,
        via_starttls: bool,
    ) {
        let certificate = peer_certificate(tls);
        let (verdict, reason, status) = match pass {
            Pass::Strict => (CertVerdict::Ok, None, StageStatus::Ok),
            Pass::Relaxed { verdict, reason } => {
                (verdict.clone(), Some(reason.clone()), StageStatus::Warning)
            }
        };
        let detail = match (&certificate, &verdict) {
            (Some(c), CertVerdict::Ok) => format!(
                "certificate for {} by {}, {} days left",
                c.subject, c.issuer, c.days_left
            ),
            (_, v) => format!("certificate not trusted: {}", v.as_str()),
        };
        self.obs.tls = Some(TlsInfo {
            via_starttls,
            verdict,
            certificate,
            reason,
        });
        self.finish(status, detail);
    }

    /// What a failed handshake means: an untrusted certificate (go again, relaxed, to read
    /// it), an old TLS version, a failed STARTTLS, or a port that greets in plaintext.
    async fn handshake_failed(
        &mut self,
        addr: SocketAddr,
        reason: String,
        pass: &Pass,
        via_starttls: bool,
    ) -> PassEnd {
        match classify_handshake_error(&reason) {
            HandshakeProblem::Certificate(verdict) if *pass == Pass::Strict => {
                self.finish(
                    StageStatus::Warning,
                    format!("certificate not trusted: {}", verdict.as_str()),
                );
                return PassEnd::RetryRelaxed { verdict, reason };
            }
            HandshakeProblem::OldVersion => {
                self.fail(
                    Failure::TlsVersionTooOld {
                        reason: reason.clone(),
                    },
                    reason,
                );
            }
            _ if via_starttls => {
                self.fail(
                    Failure::StarttlsFailed {
                        reason: reason.clone(),
                    },
                    reason,
                );
            }
            // Did the port greet in plaintext? Ask on a fresh connection.
            _ => match self.plaintext_greeting(addr).await {
                Some(line) => {
                    let failure = Failure::TlsOnPlaintextPort { greeting: line };
                    let detail = failure.to_string();
                    self.fail(failure, detail);
                }
                None => {
                    self.fail(
                        Failure::TlsHandshakeFailed {
                            reason: reason.clone(),
                        },
                        reason,
                    );
                }
            },
        }
        PassEnd::Done
    }

    /// The first line a fresh plaintext connection receives, if any arrives in time.
    pub(super) async fn plaintext_greeting(&mut self, addr: SocketAddr) -> Option<String> {
        let limit = self.settings.timeouts.greeting.min(Duration::from_secs(5));
        let tcp = tokio::time::timeout(self.settings.timeouts.connect, TcpStream::connect(addr))
            .await
            .ok()?
            .ok()?;
        let stream: BoxStream = Box::new(super::super::quickack::QuickAck(tcp));
        let mut conn = Conn::new(stream, self.transcript());
        conn.transcript.push(
            Direction::Note,
            "TLS failed; listening for a plaintext greeting",
        );
        conn.read_line(limit).await.ok()
    }

    /// Whether a fresh connection to `addr` completes a TLS handshake (certificate unchecked).
    pub(super) async fn speaks_tls(&self, addr: SocketAddr) -> bool {
        let attempt = async {
            let connector = self.settings.connectors.relaxed().await.ok()?;
            let tcp = TcpStream::connect(addr).await.ok()?;
            handshake(&connector, &self.obs.endpoint.host.as_string(), tcp)
                .await
                .ok()
        };
        matches!(
            tokio::time::timeout(self.settings.timeouts.command, attempt).await,
            Ok(Some(_))
        )
    }
}
