//! The connect stage: the resolved addresses Happy-Eyeballs style (RFC 8305), each result
//! recorded; the dialogue goes on with the first address that answers while the attempts
//! still running finish in the background.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::net::TcpStream;
use tokio::task::JoinSet;

use super::observation::{AddressAttempt, ConnectOutcome};

type Attempt<S> = (AddressAttempt, Option<S>);

/// Connection attempts still running after a winner was found.
pub struct Pending<S = TcpStream>(JoinSet<Attempt<S>>);

impl<S: 'static> Pending<S> {
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

/// The most addresses one endpoint tries; a name with more gets the rest reported as not
/// tried (a name with 2,400 addresses must not exhaust the file descriptors).
pub const MAX_TRIED: usize = 8;

/// The most connection attempts in flight at once.
pub const MAX_IN_FLIGHT: usize = 4;

/// How long an attempt runs alone before the next address is tried too (RFC 8305's
/// "Connection Attempt Delay"); a failed attempt starts the next at once.
pub const STAGGER: Duration = Duration::from_millis(250);

/// The order addresses are tried in (RFC 8305 §4): IPv6 first, as RFC 6724 prefers it, then
/// the families interleaved, each in the resolver's order.
pub fn interleave(addrs: &[SocketAddr]) -> Vec<SocketAddr> {
    let (mut lead, mut other): (Vec<SocketAddr>, Vec<SocketAddr>) =
        addrs.iter().partition(|a| a.is_ipv6());
    if lead.is_empty() {
        std::mem::swap(&mut lead, &mut other);
    }
    lead.reverse();
    other.reverse();
    let mut order = Vec::with_capacity(addrs.len());
    while !lead.is_empty() || !other.is_empty() {
        order.extend(lead.pop());
        order.extend(other.pop());
    }
    order
}

/// Connects Happy-Eyeballs style: one address after another, [`STAGGER`] apart (at once after
/// a failure), at most [`MAX_IN_FLIGHT`] at a time and [`MAX_TRIED`] in all. Returns the
/// first connection (if any), the attempts finished by then (with those never started, as
/// not tried), and the ones still running, which finish in the background and are closed.
pub async fn connect_any(
    addrs: &[SocketAddr],
    limit: Duration,
) -> (
    Option<(SocketAddr, TcpStream)>,
    Vec<AddressAttempt>,
    Pending,
) {
    connect_with(addrs, limit, |addr| async move {
        let stream = TcpStream::connect(addr).await?;
        // Mail dialogues are small request/response lines: Nagle plus delayed ACKs would add
        // tens of milliseconds to every exchange.
        let _ = stream.set_nodelay(true);
        Ok(stream)
    })
    .await
}

/// [`connect_any`] with the dialling given, so the schedule is testable without sockets.
async fn connect_with<S, F>(
    addrs: &[SocketAddr],
    limit: Duration,
    dial: impl Fn(SocketAddr) -> F,
) -> (Option<(SocketAddr, S)>, Vec<AddressAttempt>, Pending<S>)
where
    S: Send + 'static,
    F: Future<Output = io::Result<S>> + Send + 'static,
{
    let order = interleave(addrs);
    let mut queue = order.into_iter().peekable();
    let mut set = JoinSet::new();
    let mut finished = Vec::new();
    let mut started = 0;
    let not_tried = |queue: &mut std::iter::Peekable<std::vec::IntoIter<SocketAddr>>| {
        queue
            .map(|addr| AddressAttempt {
                addr,
                outcome: ConnectOutcome::NotTried,
                elapsed: Duration::ZERO,
            })
            .collect::<Vec<_>>()
    };
    if let Some(first) = queue.next() {
        set.spawn(attempt(first, limit, dial(first)));
        started += 1;
    }
    while !set.is_empty() {
        let may_start = started < MAX_TRIED && set.len() < MAX_IN_FLIGHT && queue.peek().is_some();
        tokio::select! {
            joined = set.join_next() => {
                let Some(Ok((attempt, stream))) = joined else { continue };
                let addr = attempt.addr;
                finished.push(attempt);
                if let Some(stream) = stream {
                    finished.extend(not_tried(&mut queue));
                    return (Some((addr, stream)), finished, Pending(set));
                }
                // A failure: the next address at once.
                if started < MAX_TRIED && let Some(next) = queue.next() {
                    set.spawn(self::attempt(next, limit, dial(next)));
                    started += 1;
                }
            }
            () = tokio::time::sleep(STAGGER), if may_start => {
                if let Some(next) = queue.next() {
                    set.spawn(attempt(next, limit, dial(next)));
                    started += 1;
                }
            }
        }
    }
    finished.extend(not_tried(&mut queue));
    (None, finished, Pending(set))
}

async fn attempt<S>(
    addr: SocketAddr,
    limit: Duration,
    dial: impl Future<Output = io::Result<S>>,
) -> Attempt<S> {
    let started = Instant::now();
    let result = tokio::time::timeout(limit, dial).await;
    let elapsed = started.elapsed();
    match result {
        Ok(Ok(stream)) => (
            AddressAttempt {
                addr,
                outcome: ConnectOutcome::Connected,
                elapsed,
            },
            Some(stream),
        ),
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

    #[test]
    fn ipv6_goes_first_then_the_families_take_turns() {
        let a = |s: &str| s.parse::<SocketAddr>().unwrap();
        let order = interleave(&[
            a("[2001:db8::1]:993"),
            a("[2001:db8::2]:993"),
            a("[2001:db8::3]:993"),
            a("192.0.2.1:993"),
        ]);
        assert_eq!(
            order,
            [
                a("[2001:db8::1]:993"),
                a("192.0.2.1:993"),
                a("[2001:db8::2]:993"),
                a("[2001:db8::3]:993"),
            ]
        );
        assert_eq!(interleave(&[a("192.0.2.1:1")]), [a("192.0.2.1:1")]);
        assert_eq!(
            interleave(&[a("192.0.2.1:1"), a("192.0.2.2:1"), a("[2001:db8::1]:1")]),
            [a("[2001:db8::1]:1"), a("192.0.2.1:1"), a("192.0.2.2:1")]
        );
    }

    /// A dialler whose attempts hang until the connect limit, counting how many run at once.
    #[tokio::test(start_paused = true)]
    async fn attempts_are_staggered_capped_in_flight_and_in_all() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let dialled = Arc::new(AtomicUsize::new(0));
        let addrs: Vec<SocketAddr> = (1..=25)
            .map(|n| SocketAddr::from(([192, 0, 2, n], 993)))
            .collect();
        let (winner, attempts, pending) = {
            let (running, most, dialled) = (running.clone(), most.clone(), dialled.clone());
            connect_with::<(), _>(&addrs, Duration::from_secs(2), move |_| {
                let running = running.clone();
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                dialled.fetch_add(1, Ordering::SeqCst);
                async move {
                    // Held until the attempt's limit drops it.
                    struct Leaving(Arc<AtomicUsize>);
                    impl Drop for Leaving {
                        fn drop(&mut self) {
                            self.0.fetch_sub(1, Ordering::SeqCst);
                        }
                    }
                    let _leaving = Leaving(running);
                    std::future::pending::<io::Result<()>>().await
                }
            })
            .await
        };
        assert!(winner.is_none());
        assert!(pending.finish().await.is_empty());
        assert_eq!(
            most.load(Ordering::SeqCst),
            MAX_IN_FLIGHT,
            "never more at once"
        );
        assert_eq!(
            dialled.load(Ordering::SeqCst),
            MAX_TRIED,
            "never more in all"
        );
        let timed_out = attempts
            .iter()
            .filter(|a| a.outcome == ConnectOutcome::TimedOut)
            .count();
        let not_tried = attempts
            .iter()
            .filter(|a| a.outcome == ConnectOutcome::NotTried)
            .count();
        assert_eq!((timed_out, not_tried), (MAX_TRIED, addrs.len() - MAX_TRIED));
        assert_eq!(
            attempts.len(),
            addrs.len(),
            "every address is accounted for"
        );
    }

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
