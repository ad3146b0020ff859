//! A TCP proxy that delays every byte by a fixed time in each direction: a slow network on
//! loopback, to count the round trips of a dialogue (`scripts/roundtrips.sh`). It is not
//! rate-limited, only late, like a long link. Loopback addresses only, and it exits on its own
//! after `--for SECS`.
//!
//! ```text
//! cargo run --example delay_proxy -- --delay-ms 50 --for 300 127.0.0.4:587=127.0.0.2:587 …
//! ```
//!
//! For each connection it prints, when the connection ends, how many times the client spoke
//! and then had to wait for the server (a direction change from client to server and back):
//! the round trips, counted, beside the ones the clock says.

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

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut delay = Duration::from_millis(50);
    let mut lifetime = Duration::from_secs(300);
    let mut maps: Vec<(SocketAddr, SocketAddr)> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--delay-ms" => delay = Duration::from_millis(number(args.next())),
            "--for" => lifetime = Duration::from_secs(number(args.next())),
            map => {
                let (from, to) = map
                    .split_once('=')
                    .unwrap_or_else(|| fail(&format!("not LISTEN=TARGET: {map}")));
                let (from, to): (SocketAddr, SocketAddr) = (
                    from.parse()
                        .unwrap_or_else(|_| fail(&format!("not an address: {from}"))),
                    to.parse()
                        .unwrap_or_else(|_| fail(&format!("not an address: {to}"))),
                );
                if !from.ip().is_loopback() || !to.ip().is_loopback() {
                    fail("loopback addresses only");
                }
                maps.push((from, to));
            }
        }
    }
    if maps.is_empty() {
        fail("usage: delay_proxy [--delay-ms 50] [--for 300] LISTEN=TARGET …");
    }
    for (from, to) in maps {
        let listener = TcpListener::bind(from)
            .await
            .unwrap_or_else(|e| fail(&format!("cannot listen on {from}: {e}")));
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(relay(client, to, delay));
            }
        });
    }
    eprintln!(
        "delay_proxy: {} ms each way, for {} s",
        delay.as_millis(),
        lifetime.as_secs()
    );
    tokio::time::sleep(lifetime).await;
}

fn number(text: Option<String>) -> u64 {
    text.and_then(|t| t.parse().ok())
        .unwrap_or_else(|| fail("a number is missing"))
}

fn fail(why: &str) -> ! {
    eprintln!("delay_proxy: {why}");
    std::process::exit(2);
}

async fn relay(client: TcpStream, to: SocketAddr, delay: Duration) {
    let Ok(server) = TcpStream::connect(to).await else {
        return;
    };
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
    let _ = tokio::join!(up, down);
    eprintln!(
        "delay_proxy: {to}: {} round trip(s) counted",
        turns.load(Ordering::SeqCst)
    );
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
