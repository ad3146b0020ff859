//! Reaching the server: the name resolved, every address tried at once, and a second
//! connection when a pass needs one.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use tokio::net::TcpStream;

use super::Run;
use crate::probe::conn::Conn;
use crate::probe::connect::connect_any;
use crate::probe::dialogue::{BoxStream, Session};
use crate::probe::dns::resolve;
use crate::probe::observation::{ConnectOutcome, DnsOutcome, Failure, StageName, StageStatus};
use crate::probe::transcript::Transcript;

impl Run<'_> {
    pub(super) async fn resolve(&mut self) -> Option<Vec<SocketAddr>> {
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

    pub(super) async fn connect(
        &mut self,
        addrs: &[SocketAddr],
    ) -> Option<(SocketAddr, TcpStream)> {
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

    pub(super) async fn reconnect(&mut self, addr: SocketAddr) -> Option<TcpStream> {
        if let Ok(Ok(stream)) =
            tokio::time::timeout(self.settings.timeouts.connect, TcpStream::connect(addr)).await
        {
            let _ = stream.set_nodelay(true);
            Some(stream)
        } else {
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

    /// A second plaintext connection to the same address, for a question of its own (is it
    /// plaintext after all, would it take USER); `None` when the server no longer accepts.
    pub(super) async fn fresh_connection(&self, addr: SocketAddr) -> Option<Session> {
        connect_fresh(addr, self.settings.timeouts.connect, self.transcript()).await
    }
}

/// A plaintext connection to `addr` recording into `transcript`, within `limit`. Free of the
/// run, so a question on it can go on beside the main dialogue.
pub(super) async fn connect_fresh(
    addr: SocketAddr,
    limit: Duration,
    transcript: Transcript,
) -> Option<Session> {
    let tcp = tokio::time::timeout(limit, TcpStream::connect(addr))
        .await
        .ok()?
        .ok()?;
    let stream: BoxStream = Box::new(crate::probe::quickack::QuickAck(tcp));
    Some(Conn::new(stream, transcript))
}
