//! A TCP proxy that delays every byte by a fixed time in each direction: a slow network on
//! loopback, to count the round trips of a dialogue. It is not rate-limited, only late, like a
//! long link. Shared by `examples/delay_proxy` (for `scripts/roundtrips.sh`) and the lab's
//! round-trip test.
//!
//! For each connection it counts how many times the client spoke and then had to wait for the
//! server (a direction change from client to server and back): the round trips, counted,
//! beside the ones the clock says. A reply the client does not wait for (to QUIT) still counts,
//! as the server still sends it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::Instant;

const CLIENT: u8 = 1;
const SERVER: u8 = 2;

/// One relayed connection, when it has ended.
#[derive(Debug, Clone, Copy)]
pub struct Relayed {
    pub target: SocketAddr,
    /// When the client connected, from the proxy's start: tells the connections apart.
    pub opened: Duration,
    pub round_trips: usize,
}

/// Relays every connection `listener` accepts to `to`, `delay` late each way, and sends each
/// one's count to `done` when it ends. Only loopback targets.
pub async fn serve(
    listener: TcpListener,
    to: SocketAddr,
    delay: Duration,
    done: mpsc::UnboundedSender<Relayed>,
) {
    assert!(to.ip().is_loopback(), "loopback targets only");
    let start = Instant::now();
    while let Ok((client, _)) = listener.accept().await {
        let done = done.clone();
        let opened = start.elapsed();
        tokio::spawn(async move {
            if let Some(round_trips) = relay(client, to, delay).await {
                let _ = done.send(Relayed {
                    target: to,
                    opened,
                    round_trips,
                });
            }
        });
    }
}

/// Relays one connection until both sides are done; its round trips, or `None` when the
/// target does not accept.
pub async fn relay(client: TcpStream, to: SocketAddr, delay: Duration) -> Option<usize> {
    let server = TcpStream::connect(to).await.ok()?;
    let _ = (client.set_nodelay(true), server.set_nodelay(true));
    let last = Arc::new(AtomicU8::new(0));
    let turns = Arc::new(AtomicUsize::new(0));
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let up = pump(
        client_read,
        server_write,
        delay,
        CLIENT,
        Arc::clone(&last),
        Arc::clone(&turns),
    );
    let down = pump(
        server_read,
        client_write,
        delay,
        SERVER,
        last,
        Arc::clone(&turns),
    );
    tokio::join!(up, down);
    Some(turns.load(Ordering::SeqCst))
}

/// Copies one direction, each chunk `delay` late. A client chunk after a server one (or the
/// first) opens a round trip, which the server's next chunk closes.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    delay: Duration,
    side: u8,
    last: Arc<AtomicU8>,
    turns: Arc<AtomicUsize>,
) {
    let (tx, mut rx) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let writer = tokio::spawn(async move {
        while let Some((due, bytes)) = rx.recv().await {
            tokio::time::sleep_until(due).await;
            if to.write_all(&bytes).await.is_err() {
                return;
            }
        }
        tokio::time::sleep(delay).await;
        let _ = to.shutdown().await;
    });
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if side == SERVER && last.swap(SERVER, Ordering::SeqCst) == CLIENT {
                    turns.fetch_add(1, Ordering::SeqCst);
                }
                if side == CLIENT {
                    last.store(CLIENT, Ordering::SeqCst);
                }
                if tx
                    .send((Instant::now() + delay, buf[..n].to_vec()))
                    .is_err()
                {
                    break;
                }
            }
        }
    }
    drop(tx);
    let _ = writer.await;
}
