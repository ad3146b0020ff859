//! One endpoint, stage by stage: resolve, connect, TLS or greeting, capabilities, STARTTLS,
//! capabilities again, login, quit. Every step has its own limit and the whole endpoint has one
//! more, so no server can hang the probe. What it sees goes into an [`Observation`].

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::net::TcpStream;

use crate::account::{Endpoint, Protocol, Security};

use super::conn::{Conn, ConnError};
use super::connect::{Pending, connect_any};
use super::dialogue::{BoxStream, Session, Stop, imap, pop3, smtp};
use super::dns::resolve;
use super::events::{EventSink, ProbeEvent};
use super::observation::{
    CertVerdict, ConnectOutcome, DnsOutcome, Failure, GreetingInfo, Observation, Stage, StageName,
    StageStatus, TlsInfo,
};
use super::settings::ProbeSettings;
use super::tls::{HandshakeProblem, classify_handshake_error, handshake, peer_certificate};
use super::transcript::{Direction, Transcript, TranscriptLine};
use super::wire::capabilities::Capabilities;
use super::wire::greeting::{Speaker, classify};

/// Probes one endpoint. Never panics on server input and always returns within the endpoint
/// limit (plus the few milliseconds it takes to close down).
pub async fn probe_endpoint(
    protocol: Protocol,
    endpoint: Endpoint,
    settings: &ProbeSettings,
    sink: EventSink,
    login: bool,
) -> Observation {
    let started = Instant::now();
    let mut run = Run {
        obs: Observation::new(protocol, endpoint),
        sink,
        started,
        current: None,
        pending: None,
        settings,
        log: Arc::default(),
    };
    let limit = settings.timeouts.endpoint;
    if tokio::time::timeout(limit, run.go(login)).await.is_err() {
        let stage = run.current.map_or(StageName::Connect, |(s, _)| s);
        run.finish(
            StageStatus::Failed,
            format!(
                "the whole endpoint took longer than {} s",
                limit.as_secs_f32()
            ),
        );
        run.obs.failure.get_or_insert(Failure::Dropped {
            stage,
            reason: format!("no result within {} s", limit.as_secs_f32()),
        });
    }
    if let Some(pending) = run.pending.take() {
        // Bounded by the connect timeout of each attempt.
        run.obs.addresses.extend(pending.finish().await);
    }
    run.obs.transcript = run
        .log
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    run.obs.elapsed = started.elapsed();
    let observation = run.obs;
    run.sink.send(|id| ProbeEvent::Finished {
        id,
        observation: Box::new(observation.clone()),
    });
    observation
}

/// How strictly certificates are checked on this pass.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Pass {
    Strict,
    /// Verification off, to read what the server presented; carries the strict verdict.
    Relaxed {
        verdict: CertVerdict,
        reason: String,
    },
}

/// The end of a dialogue pass.
enum PassEnd {
    Done,
    /// Strict verification failed: go again, relaxed, to see the rest.
    RetryRelaxed {
        verdict: CertVerdict,
        reason: String,
    },
}

struct Run<'a> {
    obs: Observation,
    sink: EventSink,
    started: Instant,
    current: Option<(StageName, Instant)>,
    pending: Option<Pending>,
    settings: &'a ProbeSettings,
    /// Every connection's transcript lines, in order; shared so a cut-off dialogue keeps them.
    log: Arc<Mutex<Vec<TranscriptLine>>>,
}

impl Run<'_> {
    fn start(&mut self, stage: StageName) {
        self.current = Some((stage, Instant::now()));
        self.sink.send(|id| ProbeEvent::StageStarted { id, stage });
    }

    fn finish(&mut self, status: StageStatus, detail: impl Into<String>) {
        let Some((name, since)) = self.current.take() else {
            return;
        };
        let stage = Stage {
            name,
            status,
            elapsed: since.elapsed(),
            detail: detail.into(),
        };
        self.sink.send(|id| ProbeEvent::StageFinished {
            id,
            stage: stage.clone(),
        });
        self.obs.stages.push(stage);
    }

    fn skip(&mut self, stage: StageName, detail: &str) {
        self.start(stage);
        self.finish(StageStatus::Skipped, detail);
    }

    fn fail(&mut self, failure: Failure, detail: impl Into<String>) {
        self.finish(StageStatus::Failed, detail);
        self.obs.failure = Some(failure);
    }

    fn transcript(&self) -> Transcript {
        Transcript::streaming(self.started, self.sink.clone(), Arc::clone(&self.log))
    }

    fn note(&mut self, text: &str) {
        let mut t = self.transcript();
        t.push(Direction::Note, text);
    }

    fn host_name(&self) -> String {
        self.obs.endpoint.host.as_string()
    }

    async fn go(&mut self, login: bool) {
        let Some(addrs) = self.resolve().await else {
            return;
        };
        let Some((addr, stream)) = self.connect(&addrs).await else {
            return;
        };
        let mut pass = Pass::Strict;
        let mut stream = Some(stream);
        loop {
            let tcp = match stream.take() {
                Some(s) => s,
                None => match self.reconnect(addr).await {
                    Some(s) => s,
                    None => return,
                },
            };
            match self.dialogue(addr, tcp, &pass, login).await {
                PassEnd::Done => return,
                PassEnd::RetryRelaxed { verdict, reason } => {
                    self.note(
                        "certificate not trusted; connecting again without verification to read it",
                    );
                    pass = Pass::Relaxed { verdict, reason };
                }
            }
        }
    }

    async fn resolve(&mut self) -> Option<Vec<SocketAddr>> {
        let host = self.obs.endpoint.host.clone();
        let port = self.obs.endpoint.port;
        let family = self.settings.family;
        if let crate::account::Host::Ip(ip) = host {
            self.obs.dns = Some(DnsOutcome::Literal(ip));
            self.skip(StageName::Resolve, "IP address, nothing to resolve");
            if !family.allows(&ip) {
                self.obs.failure = Some(Failure::DnsNoAddress);
                return None;
            }
            return Some(vec![SocketAddr::new(ip, port)]);
        }
        self.start(StageName::Resolve);
        let outcome = resolve(&self.settings.resolver, &host, family).await;
        self.obs.dns = Some(outcome.clone());
        match outcome {
            DnsOutcome::Resolved(ips) => {
                let list: Vec<String> = ips.iter().map(IpAddr::to_string).collect();
                self.finish(StageStatus::Ok, list.join(", "));
                Some(
                    ips.into_iter()
                        .map(|ip| SocketAddr::new(ip, port))
                        .collect(),
                )
            }
            DnsOutcome::Literal(ip) => Some(vec![SocketAddr::new(ip, port)]),
            DnsOutcome::NoSuchHost => {
                self.fail(
                    Failure::DnsNoSuchHost,
                    format!("{host} does not exist (NXDOMAIN)"),
                );
                None
            }
            DnsOutcome::NoAddress => {
                self.fail(
                    Failure::DnsNoAddress,
                    format!("{host} exists but has no address"),
                );
                None
            }
            DnsOutcome::Failed(reason) => {
                self.fail(Failure::DnsFailure(reason.clone()), reason);
                None
            }
        }
    }

    async fn connect(&mut self, addrs: &[SocketAddr]) -> Option<(SocketAddr, TcpStream)> {
        self.start(StageName::Connect);
        let (winner, attempts, pending) = connect_any(addrs, self.settings.timeouts.connect).await;
        self.obs.addresses.extend(attempts);
        self.pending = Some(pending);
        if let Some((addr, stream)) = winner {
            self.obs.connected = Some(addr);
            self.finish(StageStatus::Ok, addr.to_string());
            return Some((addr, stream));
        }
        // Every attempt has finished when there is no winner.
        if let Some(pending) = self.pending.take() {
            self.obs.addresses.extend(pending.finish().await);
        }
        let outcomes: Vec<&ConnectOutcome> =
            self.obs.addresses.iter().map(|a| &a.outcome).collect();
        let (failure, detail) = if outcomes.contains(&&ConnectOutcome::Refused) {
            (
                Failure::ConnectRefused,
                "refused: nothing listens on this port",
            )
        } else if outcomes.contains(&&ConnectOutcome::Reset) {
            (Failure::ConnectReset, "reset by the server or a firewall")
        } else if outcomes.contains(&&ConnectOutcome::TimedOut) {
            (
                Failure::ConnectTimeout,
                "no answer: packets dropped on the way",
            )
        } else if outcomes.contains(&&ConnectOutcome::Unreachable) {
            (Failure::ConnectUnreachable, "no route to the server")
        } else {
            let reason = outcomes
                .iter()
                .find_map(|o| match o {
                    ConnectOutcome::Other(r) => Some(r.clone()),
                    _ => None,
                })
                .unwrap_or_else(|| "no address to connect to".to_owned());
            self.fail(Failure::ConnectOther(reason.clone()), reason);
            return None;
        };
        self.fail(failure, detail);
        None
    }

    async fn reconnect(&mut self, addr: SocketAddr) -> Option<TcpStream> {
        match tokio::time::timeout(self.settings.timeouts.connect, TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => {
                let _ = stream.set_nodelay(true);
                Some(stream)
            }
            _ => {
                self.start(StageName::Connect);
                self.fail(
                    Failure::Dropped {
                        stage: StageName::Connect,
                        reason: "second connection failed".into(),
                    },
                    "the server stopped accepting connections",
                );
                None
            }
        }
    }

    /// One pass of the dialogue over a fresh connection.
    async fn dialogue(
        &mut self,
        addr: SocketAddr,
        tcp: TcpStream,
        pass: &Pass,
        login: bool,
    ) -> PassEnd {
        let client_name = match tcp.local_addr().map(|a| a.ip()) {
            Ok(IpAddr::V4(ip)) => format!("[{ip}]"),
            Ok(IpAddr::V6(ip)) => format!("[IPv6:{ip}]"),
            Err(_) => "[127.0.0.1]".to_owned(),
        };
        let security = self.obs.endpoint.security;
        let stream: BoxStream = Box::new(super::quickack::QuickAck(tcp));
        let mut session = if security == Security::Tls {
            match self.tls(addr, stream, pass, false).await {
                Ok(session) => session,
                Err(end) => return end,
            }
        } else {
            Conn::new(stream, self.transcript())
        };
        let result = self
            .after_connect(addr, &mut session, pass, login, &client_name)
            .await;
        let limit = self.settings.timeouts.command.min(Duration::from_secs(2));
        if matches!(result, Ok(PassEnd::Done)) && self.obs.failure.is_none() {
            self.start(StageName::Quit);
            match self.obs.protocol {
                Protocol::Smtp => smtp::quit(&mut session, limit).await,
                Protocol::Imap => imap::quit(&mut session, limit).await,
                Protocol::Pop3 => pop3::quit(&mut session, limit).await,
            }
            self.finish(StageStatus::Ok, "");
        }
        match result {
            Ok(end) => end,
            Err(stop) => {
                let stage = self.current.map_or(StageName::Greeting, |(s, _)| s);
                let failure = failure_of(stop, stage);
                let detail = describe(&failure);
                self.fail(failure, detail);
                PassEnd::Done
            }
        }
    }

    /// A TLS handshake at connect (implicit TLS) or after STARTTLS.
    async fn tls(
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
                let certificate = peer_certificate(&tls);
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
                let boxed: BoxStream = Box::new(tls);
                return Ok(Conn::new(boxed, self.transcript()));
            }
            Ok(Err(reason)) => reason,
            Err(_) => format!(
                "no TLS handshake within {} s",
                self.settings.timeouts.command.as_secs_f32()
            ),
        };
        let problem = classify_handshake_error(&reason);
        match problem {
            HandshakeProblem::Certificate(verdict) if *pass == Pass::Strict => {
                self.finish(
                    StageStatus::Warning,
                    format!("certificate not trusted: {}", verdict.as_str()),
                );
                Err(PassEnd::RetryRelaxed { verdict, reason })
            }
            HandshakeProblem::OldVersion => {
                self.fail(
                    Failure::TlsVersionTooOld {
                        reason: reason.clone(),
                    },
                    reason,
                );
                Err(PassEnd::Done)
            }
            _ if via_starttls => {
                self.fail(
                    Failure::StarttlsFailed {
                        reason: reason.clone(),
                    },
                    reason,
                );
                Err(PassEnd::Done)
            }
            _ => {
                // Did the port greet in plaintext? Ask on a fresh connection.
                if let Some(line) = self.plaintext_greeting(addr).await {
                    self.fail(
                        Failure::TlsOnPlaintextPort {
                            greeting: line.clone(),
                        },
                        format!("the server greeted in plaintext: {line}"),
                    );
                } else {
                    self.fail(
                        Failure::TlsHandshakeFailed {
                            reason: reason.clone(),
                        },
                        reason,
                    );
                }
                Err(PassEnd::Done)
            }
        }
    }

    /// The first line a fresh plaintext connection receives, if any arrives in time.
    async fn plaintext_greeting(&mut self, addr: SocketAddr) -> Option<String> {
        let limit = self.settings.timeouts.greeting.min(Duration::from_secs(5));
        let tcp = tokio::time::timeout(self.settings.timeouts.connect, TcpStream::connect(addr))
            .await
            .ok()?
            .ok()?;
        let stream: BoxStream = Box::new(super::quickack::QuickAck(tcp));
        let mut conn = Conn::new(stream, self.transcript());
        conn.transcript.push(
            Direction::Note,
            "TLS failed; listening for a plaintext greeting",
        );
        conn.read_line(limit).await.ok()
    }

    /// Whether a fresh connection to `addr` completes a TLS handshake (certificate unchecked).
    async fn speaks_tls(&self, addr: SocketAddr) -> bool {
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

    /// Greeting, capabilities, STARTTLS with capabilities again, login.
    async fn after_connect(
        &mut self,
        addr: SocketAddr,
        session: &mut Session,
        pass: &Pass,
        login: bool,
        client_name: &str,
    ) -> Result<PassEnd, Stop> {
        let protocol = self.obs.protocol;
        let security = self.obs.endpoint.security;
        let timeouts = self.settings.timeouts;
        // Greeting. On a plaintext connection a silent server may be waiting for a TLS
        // handshake: after a short wait, check that on a second connection.
        self.start(StageName::Greeting);
        let greeting_started = Instant::now();
        // On an implicit-TLS port (465/993/995) set to STARTTLS or none, a silent server is
        // almost surely waiting for a handshake: check at once rather than after a pause.
        let implicit_port =
            protocol.standard_security(self.obs.endpoint.port) == Some(Security::Tls);
        let sniff_after = if implicit_port {
            Duration::ZERO
        } else {
            timeouts.tls_sniff_after()
        };
        let first = if security == Security::Tls {
            session.read_line(timeouts.greeting).await
        } else {
            let sniff = async {
                tokio::time::sleep(sniff_after).await;
                self.speaks_tls(addr).await
            };
            tokio::select! {
                line = session.read_line(timeouts.greeting) => line,
                true = sniff => Err(ConnError::TlsBytes),
            }
        };
        let first = match first {
            Ok(line) => line,
            Err(ConnError::TlsBytes) if security != Security::Tls => {
                if self.speaks_tls(addr).await {
                    self.fail(
                        Failure::PlaintextOnTlsPort,
                        "the port expects TLS from the first byte",
                    );
                } else {
                    self.fail(
                        Failure::ProtocolViolation {
                            reason: "TLS bytes where a greeting was expected".into(),
                        },
                        "TLS bytes, but no TLS handshake",
                    );
                }
                return Ok(PassEnd::Done);
            }
            Err(ConnError::Timeout(limit)) => {
                self.fail(
                    Failure::GreetingTimeout,
                    format!("no greeting within {} s", limit.as_secs_f32()),
                );
                return Ok(PassEnd::Done);
            }
            Err(e) => return Err(e.into()),
        };
        let speaker = classify(&first);
        if !speaks(protocol, speaker) {
            self.fail(
                Failure::WrongProtocol {
                    speaker,
                    line: first.clone(),
                },
                format!("{} answered: {first}", speaker.describe()),
            );
            return Ok(PassEnd::Done);
        }
        let (text, greeting_caps) = match protocol {
            Protocol::Smtp => (
                smtp::greeting_rest(session, &first, timeouts.command).await,
                None,
            ),
            Protocol::Imap => match imap::greeting(&first) {
                Ok((text, caps)) => (Ok(text), caps),
                Err(e) => (Err(e), None),
            },
            Protocol::Pop3 => (pop3::greeting(&first), None),
        };
        let text = match text {
            Ok(text) => text,
            Err(Stop::Refused(text)) => {
                self.fail(Failure::ServerRejected { text: text.clone() }, text);
                return Ok(PassEnd::Done);
            }
            Err(e) => return Err(e),
        };
        let elapsed = greeting_started.elapsed();
        self.obs.greeting = Some(GreetingInfo {
            text: text.clone(),
            speaker,
            elapsed,
        });
        let slow = elapsed > Duration::from_secs(5);
        self.finish(
            if slow {
                StageStatus::Warning
            } else {
                StageStatus::Ok
            },
            text,
        );

        // Capabilities.
        self.start(StageName::Capabilities);
        let caps = self
            .capabilities(session, client_name, greeting_caps)
            .await?;
        let mut summary = summarize(&caps);
        if self.obs.helo_fallback {
            summary.push_str(" (EHLO refused; greeted with HELO)");
        }
        self.finish(StageStatus::Ok, summary);
        self.obs.capabilities = Some(caps.clone());

        // STARTTLS, then capabilities again (RFC 3207 §4.2: forget what was said before).
        if security == Security::Starttls {
            self.start(StageName::Starttls);
            if !caps.starttls {
                self.fail(
                    Failure::StarttlsNotOffered,
                    "the server does not offer STARTTLS",
                );
                return Ok(PassEnd::Done);
            }
            let asked = match protocol {
                Protocol::Smtp => smtp::starttls(session, timeouts.command).await,
                Protocol::Imap => imap::starttls(session, timeouts.command).await,
                Protocol::Pop3 => pop3::starttls(session, timeouts.command).await,
            };
            match asked {
                Ok(()) => self.finish(StageStatus::Ok, "server ready for TLS"),
                Err(Stop::Refused(text)) => {
                    self.fail(
                        Failure::StarttlsFailed {
                            reason: text.clone(),
                        },
                        text,
                    );
                    return Ok(PassEnd::Done);
                }
                Err(e) => return Err(e),
            }
            let placeholder: BoxStream =
                Box::new(tokio::io::join(tokio::io::empty(), tokio::io::sink()));
            let plain = std::mem::replace(session, Conn::new(placeholder, self.transcript()));
            let stream = plain.into_stream();
            match self.tls(addr, stream, pass, true).await {
                Ok(tls_session) => *session = tls_session,
                Err(end) => return Ok(end),
            }
            self.start(StageName::Capabilities);
            let after = self.capabilities(session, client_name, None).await?;
            self.finish(StageStatus::Ok, format!("after TLS: {}", summarize(&after)));
            self.obs.capabilities_after_tls = Some(after);
        }

        // Login, only when asked for and never in the clear unless allowed.
        if login && let Some(creds) = self.settings.credentials.get(&protocol).cloned() {
            if security == Security::Plain && !self.settings.allow_plaintext_auth {
                self.skip(
                    StageName::Auth,
                    "not sending a password without encryption (see --allow-plaintext-auth)",
                );
                return Ok(PassEnd::Done);
            }
            // Whoever presented an untrusted certificate may be an impostor: no secret for them.
            if *pass != Pass::Strict {
                self.skip(
                    StageName::Auth,
                    "not sending a password to a server whose certificate is not trusted",
                );
                return Ok(PassEnd::Done);
            }
            self.start(StageName::Auth);
            let caps = self
                .obs
                .effective_capabilities()
                .cloned()
                .unwrap_or_default();
            let attempt = match protocol {
                Protocol::Smtp => smtp::login(session, &caps, &creds, timeouts.command).await,
                Protocol::Imap => imap::login(session, &caps, &creds, timeouts.command).await,
                Protocol::Pop3 => pop3::login(session, &caps, &creds, timeouts.command).await,
            };
            let outcome = match attempt {
                Ok(outcome) => outcome,
                // Servers delay failed logins on purpose (Dovecot's penalty grows to 15 s per
                // address): a login with no answer in time is a refusal, not a broken server.
                Err(Stop::Conn(ConnError::Timeout(limit))) => {
                    crate::probe::observation::AuthOutcome {
                        mechanism: "(no answer)".to_owned(),
                        ok: false,
                        reply: format!(
                            "no answer within {} s; servers slow down repeated failed logins on purpose",
                            limit.as_secs_f32()
                        ),
                    }
                }
                Err(e) => return Err(e),
            };
            let status = if outcome.ok {
                StageStatus::Ok
            } else {
                StageStatus::Failed
            };
            let detail = format!("{}: {}", outcome.mechanism, outcome.reply);
            self.obs.auth = Some(outcome);
            self.finish(status, detail);
        }
        Ok(PassEnd::Done)
    }

    async fn capabilities(
        &mut self,
        session: &mut Session,
        client_name: &str,
        from_greeting: Option<Capabilities>,
    ) -> Result<Capabilities, Stop> {
        let limit = self.settings.timeouts.command;
        match self.obs.protocol {
            Protocol::Smtp => {
                let (caps, helo) = smtp::capabilities(session, client_name, limit).await?;
                self.obs.helo_fallback |= helo;
                Ok(caps)
            }
            Protocol::Imap => match imap::capabilities(session, limit).await {
                Ok(caps) => Ok(caps),
                Err(Stop::Refused(_)) if from_greeting.is_some() => {
                    Ok(from_greeting.unwrap_or_default())
                }
                Err(e) => Err(e),
            },
            Protocol::Pop3 => pop3::capabilities(session, limit).await,
        }
    }
}

/// Whether a greeting's speaker is the protocol we came for.
fn speaks(protocol: Protocol, speaker: Speaker) -> bool {
    matches!(
        (protocol, speaker),
        (Protocol::Smtp, Speaker::Smtp { .. })
            | (Protocol::Imap, Speaker::Imap { .. })
            | (Protocol::Pop3, Speaker::Pop3 { .. })
    )
}

/// The typed failure behind a stopped step.
fn failure_of(stop: Stop, stage: StageName) -> Failure {
    match stop {
        Stop::Refused(text) if stage == StageName::Greeting => Failure::ServerRejected { text },
        Stop::Refused(text) => Failure::Dropped {
            stage,
            reason: format!("the server answered: {text}"),
        },
        Stop::Conn(ConnError::Wire(e)) => Failure::ProtocolViolation {
            reason: e.to_string(),
        },
        Stop::Conn(ConnError::TlsBytes) => Failure::ProtocolViolation {
            reason: "TLS bytes where text was expected".into(),
        },
        Stop::Conn(e) => Failure::Dropped {
            stage,
            reason: e.to_string(),
        },
    }
}

/// A short line for a stage's detail.
fn describe(failure: &Failure) -> String {
    match failure {
        Failure::ProtocolViolation { reason } => format!("protocol violation: {reason}"),
        Failure::Dropped { reason, .. } => reason.clone(),
        Failure::ServerRejected { text } => format!("refused: {text}"),
        other => format!("{other:?}"),
    }
}

fn summarize(caps: &Capabilities) -> String {
    let mut parts = Vec::new();
    if caps.starttls {
        parts.push("STARTTLS".to_owned());
    }
    if !caps.auth.is_empty() {
        parts.push(format!(
            "AUTH {}",
            caps.auth.iter().cloned().collect::<Vec<_>>().join(" ")
        ));
    }
    if caps.login_disabled {
        parts.push("LOGINDISABLED".to_owned());
    }
    if caps.user_pass {
        parts.push("USER".to_owned());
    }
    if parts.is_empty() {
        "no login or STARTTLS offered".to_owned()
    } else {
        parts.join(", ")
    }
}
