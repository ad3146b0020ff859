//! The TLS handshakes of a pass: implicit TLS at connect or after STARTTLS, strict first and
//! relaxed to read an untrusted certificate; and the second connections that tell a port's
//! real mode when it does not match the settings (a plaintext greeting, a TLS handshake).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpStream;

use super::{Pass, PassEnd, Run};
use crate::probe::conn::Conn;
use crate::probe::dialogue::{BoxStream, Session};
use crate::probe::observation::Direction;
use crate::probe::observation::{CertVerdict, Failure, StageName, StageStatus, TlsInfo};
use crate::probe::record::{Recorder, Seen, first_bytes};
use crate::probe::tls::{HandshakeProblem, classify_handshake_error, handshake, peer_certificate};
use crate::probe::wire::tls_hello::{self, ServerTls};

impl Run<'_> {
    /// A TLS handshake at connect (implicit TLS) or after STARTTLS.
    pub(super) async fn tls(
        &mut self,
        addr: SocketAddr,
        stream: BoxStream,
        pass: &Pass,
        via_starttls: bool,
    ) -> Result<Session, PassEnd> {
        self.start(match pass {
            Pass::Strict => StageName::Tls,
            Pass::Relaxed { .. } => StageName::TlsUnchecked,
        });
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
        // What the server sends during the handshake is kept: its ServerHello says the
        // version and cipher, and that the port speaks TLS even when the handshake fails.
        let seen = Seen::default();
        let stream = Recorder::new(stream, Arc::clone(&seen));
        let handshake_result = tokio::time::timeout(
            self.settings.timeouts.command,
            handshake(&connector, &host, stream),
        )
        .await;
        let server = tls_hello::parse(&first_bytes(&seen));
        let reason = match handshake_result {
            Ok(Ok(tls)) => {
                self.established(&tls, pass, via_starttls, server.as_ref());
                let boxed: BoxStream = Box::new(tls);
                return Ok(Conn::new(boxed, self.transcript()));
            }
            Ok(Err(reason)) => reason,
            Err(_) => format!(
                "no TLS handshake within {}",
                crate::probe::limit::secs(self.settings.timeouts.command)
            ),
        };
        Err(self
            .handshake_failed(addr, reason, pass, via_starttls, server.as_ref())
            .await)
    }

    /// Records the session's certificate and its verdict (the strict pass's, on a relaxed one).
    fn established(
        &mut self,
        tls: &tokio_native_tls::TlsStream<Recorder<BoxStream>>,
        pass: &Pass,
        via_starttls: bool,
        server: Option<&ServerTls>,
    ) {
        let certificate = peer_certificate(tls);
        let (verdict, reason, status) = match pass {
            Pass::Strict => (CertVerdict::Ok, None, StageStatus::Ok),
            Pass::Relaxed { verdict, reason } => {
                (verdict.clone(), Some(reason.clone()), StageStatus::Warning)
            }
        };
        let version = server.and_then(ServerTls::version_name);
        let mut detail = match (&certificate, &verdict) {
            (Some(c), CertVerdict::Ok) => format!(
                "certificate for {} by {}, {} days left",
                c.subject, c.issuer, c.days_left
            ),
            (_, v) => format!("certificate not trusted: {}", v.as_str()),
        };
        if let Some(version) = &version {
            detail = format!("{version}, {detail}");
        }
        self.obs.tls = Some(TlsInfo {
            via_starttls,
            verdict,
            certificate,
            reason,
            version,
            cipher: server.and_then(ServerTls::cipher_name),
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
        server: Option<&ServerTls>,
    ) -> PassEnd {
        // The facts first: a server that answered with TLS 1.1 or older, or with the
        // protocol_version alert (70), speaks only old TLS.
        let old = match server {
            Some(ServerTls::Hello { version, .. }) => *version < 0x0303,
            Some(ServerTls::Alert { description }) => *description == 70,
            None => false,
        };
        if old {
            self.fail(
                Failure::TlsVersionTooOld {
                    reason: reason.clone(),
                },
                reason,
            );
            return PassEnd::Done;
        }
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
            // The server answered in TLS: no plaintext greeting to wait for (that cost 5 s).
            _ if server.is_some() => {
                self.fail(
                    Failure::TlsHandshakeFailed {
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
        let mut conn = self.fresh_connection(addr).await?;
        conn.transcript.push(
            Direction::Note,
            "TLS failed; listening for a plaintext greeting",
        );
        conn.read_line(limit).await.ok()
    }

    /// Whether a fresh connection to `addr` completes a TLS handshake (certificate unchecked).
    /// (A ServerHello or an alert in answer to the ClientHello proves it too, even when the
    /// server's TLS then breaks.)
    pub(super) async fn speaks_tls(&self, addr: SocketAddr) -> bool {
        let seen = Seen::default();
        let attempt = async {
            let connector = self.settings.connectors.relaxed().await.ok()?;
            let tcp = TcpStream::connect(addr).await.ok()?;
            let stream = Recorder::new(tcp, Arc::clone(&seen));
            handshake(&connector, &self.host_name(), stream).await.ok()
        };
        let completed = matches!(
            tokio::time::timeout(self.settings.timeouts.command, attempt).await,
            Ok(Some(_))
        );
        completed || tls_hello::parse(&first_bytes(&seen)).is_some()
    }
}
