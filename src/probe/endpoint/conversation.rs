//! One pass of the dialogue over a connection: greeting, capabilities, STARTTLS with the
//! capabilities again, login, quit. The protocol is picked in [`dialogue`]'s step functions;
//! here each step is a stage.

use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use futures_util::future::OptionFuture;
use tokio::net::TcpStream;

use super::reach::connect_fresh;
use super::{Pass, PassEnd, Run};
use crate::account::{Protocol, Security};
use crate::probe::conn::{Conn, ConnError};
use crate::probe::dialogue::{self, BoxStream, Session, Stop};
use crate::probe::observation::{
    Direction, Failure, GreetingInfo, StageName, StageStatus, TranscriptLine,
};
use crate::probe::wire::capabilities::Capabilities;
use crate::probe::wire::greeting::classify;

/// How a step ended when it did not fail outright: go on, or this pass is over (its failure,
/// if any, is recorded).
enum Step<T> {
    Next(T),
    End(PassEnd),
}

impl Run<'_> {
    /// One pass of the dialogue over a fresh connection.
    pub(super) async fn dialogue(
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
        let stream: BoxStream = Box::new(crate::probe::quickack::QuickAck(tcp));
        let mut session = if self.obs.endpoint.security == Security::Tls {
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
        if matches!(result, Ok(PassEnd::Done)) && self.obs.failure.is_none() {
            let limit = self.settings.timeouts.command.min(Duration::from_secs(2));
            self.start(StageName::Quit);
            session.bound_stage(limit);
            dialogue::quit(self.obs.protocol, &mut session, limit).await;
            self.finish(StageStatus::Ok, "sent; the reply is not awaited");
        }
        match result {
            Ok(end) => end,
            Err(stop) => {
                let stage = self.current.map_or(StageName::Greeting, |(s, _)| s);
                let failure = failure_of(stop, stage);
                let detail = failure.to_string();
                self.fail(failure, detail);
                PassEnd::Done
            }
        }
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
        let greeting_caps = match self.greet(addr, session).await? {
            Step::Next(caps) => caps,
            Step::End(end) => return Ok(end),
        };
        self.start(StageName::Capabilities);
        session.bound_stage(self.settings.timeouts.command);
        let caps = self
            .capabilities(session, client_name, greeting_caps)
            .await?;
        let mut summary = summarize(&caps);
        if self.obs.helo_fallback {
            summary.push_str(" (EHLO refused; greeted with HELO)");
        }
        self.finish(StageStatus::Ok, summary);
        let offers_starttls = caps.starttls;
        // Boxed: the question's connection would make every endpoint's future larger.
        let aside = self
            .question_before_tls(addr, &caps, client_name)
            .map(Box::pin);
        self.obs.capabilities = Some(caps);
        let rest = async {
            if self.obs.endpoint.security == Security::Starttls
                && let Step::End(end) = self
                    .upgrade(addr, session, pass, client_name, offers_starttls)
                    .await?
            {
                return Ok(end);
            }
            if login {
                self.log_in(session, pass).await?;
            }
            Ok(PassEnd::Done)
        };
        let (result, asked) = tokio::join!(rest, OptionFuture::from(aside));
        if let Some((answer, lines)) = asked {
            self.obs.auth_before_tls = answer;
            self.transcript().append(lines);
        }
        result
    }

    /// Login offered before STARTTLS: would the server take a password in the clear? Asked
    /// without one, so the warning says what the server does, not what it advertises (PLAIN
    /// is the mechanism that can be asked about; IMAP's LOGIN command cannot be). The question
    /// gets a connection of its own and runs beside the upgrade, costing the check no round
    /// trip; `None` when there is nothing to ask.
    fn question_before_tls(
        &self,
        addr: SocketAddr,
        caps: &Capabilities,
        client_name: &str,
    ) -> Option<impl Future<Output = (Option<bool>, Vec<TranscriptLine>)> + use<>> {
        let protocol = self.obs.protocol;
        let asks = match protocol {
            Protocol::Smtp | Protocol::Imap => caps.auth.contains("PLAIN"),
            Protocol::Pop3 => caps.user_pass,
        };
        // Asked once per endpoint: a second pass (to read an untrusted certificate) knows.
        let answered = self.obs.auth_before_tls.is_some();
        if self.obs.endpoint.security != Security::Starttls || !caps.starttls || !asks || answered {
            return None;
        }
        let timeouts = self.settings.timeouts;
        let mut transcript = self.transcript().aside();
        let client_name = client_name.to_owned();
        Some(async move {
            let question = match protocol {
                Protocol::Pop3 => "whether USER is taken before STLS",
                Protocol::Smtp | Protocol::Imap => "whether a password is taken before STARTTLS",
            };
            transcript.push(
                Direction::Note,
                format!(
                    "a second connection, beside this one, asks {question} (no password is sent):"
                ),
            );
            let answer = match connect_fresh(addr, timeouts.connect, transcript.clone()).await {
                Some(mut session) => {
                    session.bound_stage(timeouts.command);
                    dialogue::would_take_password(
                        protocol,
                        &mut session,
                        &client_name,
                        timeouts.command,
                    )
                    .await
                    .ok()
                }
                None => None,
            };
            let verdict = match answer {
                Some(true) => "it would",
                Some(false) => "it would not",
                None => "no answer",
            };
            transcript.push(Direction::Note, format!("(second connection: {verdict})"));
            (answer, transcript.lines())
        })
    }

    /// The greeting's first line; `None` when the port turned out to speak TLS, or said
    /// nothing (the stage is failed and the dialogue over).
    async fn first_line(
        &mut self,
        addr: SocketAddr,
        session: &mut Session,
    ) -> Result<Option<String>, Stop> {
        let protocol = self.obs.protocol;
        let security = self.obs.endpoint.security;
        let timeouts = self.settings.timeouts;
        let greeting_started = Instant::now();
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
            // A server that waits in silence may be waiting for a TLS handshake: after a
            // while, a second connection tries one, and whichever answers first decides.
            let sniff = async {
                tokio::time::sleep(sniff_after).await;
                if sniff_after.is_zero() {
                    self.note(&format!(
                        "port {} is a port for SSL/TLS: while waiting for a plaintext greeting, trying a TLS handshake on a second connection",
                        self.obs.endpoint.port
                    ));
                } else {
                    self.note(&format!(
                        "no greeting after {} ms: trying a TLS handshake on a second connection",
                        greeting_started.elapsed().as_millis()
                    ));
                }
                let tls = self.speaks_tls(addr).await;
                if !tls {
                    self.note("no TLS on the second connection either: still waiting for a plaintext greeting");
                }
                tls
            };
            tokio::select! {
                line = session.read_line(timeouts.greeting) => line,
                true = sniff => {
                    self.note("the second connection's TLS handshake was answered: this port expects TLS from the first byte, so a plaintext greeting will never come");
                    self.fail(
                        Failure::PlaintextOnTlsPort,
                        "silent; a quick TLS check answers: the port expects TLS",
                    );
                    return Ok(None);
                }
            }
        };
        let first = match first {
            Ok(line) => line,
            Err(ConnError::TlsBytes) if security != Security::Tls => {
                self.note("the server sent TLS bytes where a plaintext greeting belongs: checking with a TLS handshake on a second connection");
                if self.speaks_tls(addr).await {
                    self.fail(
                        Failure::PlaintextOnTlsPort,
                        Failure::PlaintextOnTlsPort.to_string(),
                    );
                } else {
                    self.fail(
                        Failure::ProtocolViolation {
                            reason: "TLS bytes where a greeting was expected".into(),
                        },
                        "TLS bytes, but no TLS handshake",
                    );
                }
                return Ok(None);
            }
            Err(ConnError::Timeout(limit)) => {
                self.note(&format!(
                    "nothing at all within {}: the server accepted the connection but never spoke",
                    crate::probe::limit::secs(limit)
                ));
                self.fail(
                    Failure::GreetingTimeout,
                    format!("no greeting within {} s", limit.as_secs_f32()),
                );
                return Ok(None);
            }
            Err(e) => return Err(e.into()),
        };
        Ok(Some(first))
    }

    /// Reads the greeting. On a plaintext connection a silent server may be waiting for a TLS
    /// handshake: after a short wait (at once on an implicit-TLS port), a second connection
    /// checks that. Returns the capabilities the greeting carried.
    async fn greet(
        &mut self,
        addr: SocketAddr,
        session: &mut Session,
    ) -> Result<Step<Option<Capabilities>>, Stop> {
        let protocol = self.obs.protocol;
        let timeouts = self.settings.timeouts;
        self.start(StageName::Greeting);
        // The whole greeting, however many lines, within the greeting's limit.
        session.bound_stage(timeouts.greeting);
        let greeting_started = Instant::now();
        let Some(first) = self.first_line(addr, session).await? else {
            return Ok(Step::End(PassEnd::Done));
        };
        let speaker = classify(&first);
        if !dialogue::speaks(protocol, speaker) {
            let failure = Failure::WrongProtocol {
                speaker,
                line: first.clone(),
            };
            let detail = failure.to_string();
            self.fail(failure, detail);
            return Ok(Step::End(PassEnd::Done));
        }
        let greeting = match dialogue::greeting(protocol, session, &first, timeouts.command).await {
            Ok(greeting) => greeting,
            Err(Stop::Refused(text)) => {
                self.fail(Failure::ServerRejected { text: text.clone() }, text);
                return Ok(Step::End(PassEnd::Done));
            }
            Err(e) => return Err(e),
        };
        let elapsed = greeting_started.elapsed();
        self.obs.greeting = Some(GreetingInfo {
            text: greeting.text.clone(),
            speaker,
            elapsed,
        });
        let slow = elapsed > Duration::from_secs(5);
        let status = if slow {
            StageStatus::Warning
        } else {
            StageStatus::Ok
        };
        self.finish(status, greeting.text);
        Ok(Step::Next(greeting.capabilities))
    }

    /// STARTTLS, the handshake, then the capabilities again (RFC 3207 §4.2: forget what was
    /// said before).
    async fn upgrade(
        &mut self,
        addr: SocketAddr,
        session: &mut Session,
        pass: &Pass,
        client_name: &str,
        offered: bool,
    ) -> Result<Step<()>, Stop> {
        self.start(StageName::Starttls);
        if !offered {
            self.fail(
                Failure::StarttlsNotOffered,
                Failure::StarttlsNotOffered.to_string(),
            );
            return Ok(Step::End(PassEnd::Done));
        }
        let limit = self.settings.timeouts.command;
        session.bound_stage(limit);
        match dialogue::starttls(self.obs.protocol, session, limit).await {
            Ok(()) => self.finish(StageStatus::Ok, "server ready for TLS"),
            Err(Stop::Refused(text)) => {
                self.fail(
                    Failure::StarttlsFailed {
                        reason: text.clone(),
                    },
                    text,
                );
                return Ok(Step::End(PassEnd::Done));
            }
            Err(e) => return Err(e),
        }
        let placeholder: BoxStream =
            Box::new(tokio::io::join(tokio::io::empty(), tokio::io::sink()));
        let plain = std::mem::replace(session, Conn::new(placeholder, self.transcript()));
        let tags = plain.tags_used();
        match self.tls(addr, plain.into_stream(), pass, true).await {
            Ok(mut tls_session) => {
                // IMAP tags go on counting: a1 CAPABILITY, a2 STARTTLS, a3 CAPABILITY.
                tls_session.continue_tags(tags);
                *session = tls_session;
            }
            Err(end) => return Ok(Step::End(end)),
        }
        self.start(StageName::Capabilities);
        session.bound_stage(self.settings.timeouts.command);
        let after = self.capabilities(session, client_name, None).await?;
        self.finish(StageStatus::Ok, format!("after TLS: {}", summarize(&after)));
        self.obs.capabilities_after_tls = Some(after);
        Ok(Step::Next(()))
    }

    /// Logs in when credentials were given; never in the clear unless allowed, never to a
    /// server whose certificate is not trusted.
    async fn log_in(&mut self, session: &mut Session, pass: &Pass) -> Result<(), Stop> {
        let protocol = self.obs.protocol;
        let Some(creds) = self.settings.credentials.get(&protocol).cloned() else {
            return Ok(());
        };
        if self.obs.endpoint.security == Security::Plain && !self.settings.allow_plaintext_auth {
            self.skip(
                StageName::Auth,
                "not sending a password without encryption (see --allow-plaintext-auth)",
            );
            return Ok(());
        }
        // Whoever presented an untrusted certificate may be an impostor: no secret for them.
        if *pass != Pass::Strict {
            self.skip(
                StageName::Auth,
                "not sending a password to a server whose certificate is not trusted",
            );
            return Ok(());
        }
        let caps = self
            .obs
            .effective_capabilities()
            .cloned()
            .unwrap_or_default();
        // A password for a server that takes only OAuth2 would be refused for what it is,
        // not for being wrong: the finding says so once, without a second, redundant error.
        let takes_password =
            caps.offers_password() || (protocol == Protocol::Imap && !caps.login_disabled);
        if !creds.oauth2 && !takes_password && caps.offers_oauth2() {
            self.skip(
                StageName::Auth,
                "the server offers only OAuth2 logins: no password sent",
            );
            return Ok(());
        }
        self.start(StageName::Auth);
        // Servers delay their answer to a failed login on purpose (Dovecot's penalty grows
        // to 15 s per address): the login may take what is left of the endpoint's time, less
        // a moment to record the outcome.
        let left = self
            .settings
            .timeouts
            .endpoint
            .saturating_sub(self.started.elapsed())
            .saturating_sub(Duration::from_millis(200));
        session.bound_stage(left);
        let outcome = match dialogue::login(protocol, session, &caps, &creds, left).await {
            Ok(outcome) => outcome,
            // No answer is no refusal: it is said as it is, quoting nothing. (POP3's USER may
            // be answered and its PASS not: the login is what got no answer.)
            Err(Stop::Conn(ConnError::Timeout(after) | ConnError::StageTimeout(after))) => {
                let failure = Failure::LoginTimeout { after };
                let detail = failure.to_string();
                self.fail(failure, detail);
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        let status = if outcome.ok {
            StageStatus::Ok
        } else {
            StageStatus::Failed
        };
        let mut detail = format!("{}: {}", outcome.mechanism, outcome.reply);
        for alert in &outcome.alerts {
            let _ = write!(detail, " · ALERT: {alert}");
        }
        let logged_in = outcome.ok;
        self.obs.auth = Some(outcome);
        self.finish(status, detail);
        if logged_in {
            self.ask_access(session, &caps).await?;
        }
        Ok(())
    }

    /// After a login, what the account may do; questions only (no DATA unless `--send-test`).
    async fn ask_access(&mut self, session: &mut Session, caps: &Capabilities) -> Result<(), Stop> {
        let limit = self.settings.timeouts.command;
        self.start(StageName::Access);
        session.bound_stage(limit);
        let plan = self.settings.access.clone();
        let Some(access) = dialogue::access(self.obs.protocol, session, caps, &plan, limit).await?
        else {
            self.finish(
                StageStatus::Skipped,
                "no sender to ask about (the account has no address: give --from)",
            );
            return Ok(());
        };
        let status = if access.steps.iter().all(|s| s.ok) {
            StageStatus::Ok
        } else {
            StageStatus::Failed
        };
        let detail = access_summary(&access);
        self.obs.access = Some(access);
        self.finish(status, detail);
        Ok(())
    }

    async fn capabilities(
        &mut self,
        session: &mut Session,
        client_name: &str,
        from_greeting: Option<Capabilities>,
    ) -> Result<Capabilities, Stop> {
        let limit = self.settings.timeouts.command;
        let (caps, helo) = dialogue::capabilities(
            self.obs.protocol,
            session,
            client_name,
            from_greeting,
            limit,
        )
        .await?;
        self.obs.helo_fallback |= helo;
        Ok(caps)
    }
}

/// The typed failure behind a stopped step.
fn failure_of(stop: Stop, stage: StageName) -> Failure {
    // TLS 1.3 finishes the client's handshake before the server has checked the client: a
    // server that wants a client certificate says so with alert 116 at the first read.
    if let Stop::Conn(ConnError::Io(e)) = &stop {
        let text = e.to_string();
        if text.contains("alert certificate required") || text.contains("alert number 116") {
            return Failure::TlsHandshakeFailed {
                reason: format!(
                    "the server wants a client certificate (TLS alert 116, certificate required): {text}"
                ),
            };
        }
    }
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

/// What the questions after the login found, in a few words.
fn access_summary(access: &crate::probe::observation::Access) -> String {
    let mut parts: Vec<String> = access
        .steps
        .iter()
        .map(|s| {
            let verb = if s.ok { "taken" } else { "refused" };
            format!("{} {verb}", s.command)
        })
        .collect();
    if let Some(n) = access.messages {
        parts.push(format!("{n} message(s)"));
    }
    match &access.queued {
        Some(id) => parts.push(format!("test message queued as {id}")),
        None if access.step("MAIL").is_some() && access.step("DATA").is_none() => {
            parts.push("nothing sent".into());
        }
        None => {}
    }
    parts.join(", ")
}

/// The capabilities in a few words, for the stage's detail.
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
