//! The connect stage: every resolved address at once, each result recorded; the dialogue goes
//! on with the first address that answers while the others finish in the background.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::net::TcpStream;
use tokio::task::JoinSet;

use super::observation::{AddressAttempt, ConnectOutcome};

type Attempt = (AddressAttempt, Option<TcpStream>);

/// Connection attempts still running after a winner was found.
pub struct Pending(JoinSet<Attempt>);

impl Pending {
    /// Waits for the remaining attempts (each is bounded by the connect timeout) and closes any
    /// extra connections they made.
    pub async fn finish(mut self) -> Vec<AddressAttempt> {
        let mut done = Vec::new();
        while let Some(joined) = self.0.join_next().await {
            if let Ok((attempt, _stream)) = joined {
                done.push(attempt);
            }
        }
        done
    }
}

/// Connects to every address concurrently. Returns the first connection (if any), the attempts
/// finished by then, and the ones still running.
pub async fn connect_any(
    addrs: &[SocketAddr],
    limit: Duration,
) -> (
    Option<(SocketAddr, TcpStream)>,
    Vec<AddressAttempt>,
    Pending,
) {
    let mut set = JoinSet::new();
    for &addr in addrs {
        set.spawn(attempt(addr, limit));
    }
    let mut finished = Vec::new();
    while let Some(joined) = set.join_next().await {
        let Ok((attempt, stream)) = joined else {
            continue;
        };
        let addr = attempt.addr;
        finished.push(attempt);
        if let Some(stream) = stream {
            return (Some((addr, stream)), finished, Pending(set));
        }
    }
    (None, finished, Pending(set))
}

async fn attempt(addr: SocketAddr, limit: Duration) -> Attempt {
    let started = Instant::now();
    let result = tokio::time::timeout(limit, TcpStream::connect(addr)).await;
    let elapsed = started.elapsed();
    match result {
        Ok(Ok(stream)) => {
            // Mail dialogues are small request/response lines: Nagle plus delayed ACKs would
            // add tens of milliseconds to every exchange.
            let _ = stream.set_nodelay(true);
            (
                AddressAttempt {
                    addr,
                    outcome: ConnectOutcome::Connected,
                    elapsed,
                },
                Some(stream),
            )
        }
        Ok(Err(e)) => (
            AddressAttempt {
                addr,
                outcome: classify(&e),
                elapsed,
            },
            None,
        ),
        Err(_) => (
            AddressAttempt {
                addr,
                outcome: ConnectOutcome::TimedOut,
                elapsed,
            },
            None,
        ),
    }
}

/// Names a connect error the way the advice differs: refused (nothing listens), timed out
/// (dropped by a firewall), unreachable (no route, or rejected by policy), reset.
pub fn classify(error: &io::Error) -> ConnectOutcome {
    match error.kind() {
        io::ErrorKind::ConnectionRefused => ConnectOutcome::Refused,
        io::ErrorKind::TimedOut => ConnectOutcome::TimedOut,
        io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted => ConnectOutcome::Reset,
        io::ErrorKind::NetworkUnreachable
        | io::ErrorKind::HostUnreachable
        | io::ErrorKind::AddrNotAvailable => ConnectOutcome::Unreachable,
        // A local firewall's reject with "administratively prohibited" surfaces as EACCES/EPERM.
        io::ErrorKind::PermissionDenied => ConnectOutcome::Unreachable,
        _ => ConnectOutcome::Other(error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_listening_port_connects_and_a_closed_one_is_refused() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let open = listener.local_addr().unwrap();
        let closed = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap()
        };
        let (winner, mut attempts, pending) =
            connect_any(&[closed, open], Duration::from_secs(2)).await;
        assert_eq!(winner.map(|(a, _)| a), Some(open));
        attempts.extend(pending.finish().await);
        let refused = attempts.iter().find(|a| a.addr == closed).unwrap();
        assert_eq!(refused.outcome, ConnectOutcome::Refused);
    }

    #[test]
    fn errors_are_classified() {
        assert_eq!(
            classify(&io::Error::from(io::ErrorKind::ConnectionRefused)),
            ConnectOutcome::Refused
        );
        assert_eq!(
            classify(&io::Error::from(io::ErrorKind::HostUnreachable)),
            ConnectOutcome::Unreachable
        );
        assert_eq!(
            classify(&io::Error::from(io::ErrorKind::ConnectionReset)),
            ConnectOutcome::Reset
        );
        assert!(matches!(
            classify(&io::Error::other("odd")),
            ConnectOutcome::Other(_)
        ));
    }
}
