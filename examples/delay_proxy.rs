//! A TCP proxy that delays every byte by a fixed time in each direction: a slow network on
//! loopback, to count the round trips of a dialogue (`scripts/roundtrips.sh`). Loopback
//! addresses only, and it exits on its own after `--for SECS`. The relaying itself is
//! `tests/common/delay.rs`, which the lab's round-trip test uses too.
//!
//! ```text
//! cargo run --example delay_proxy -- --delay-ms 50 --for 300 127.0.0.4:587=127.0.0.2:587 …
//! ```
//!
//! For each connection it prints, when the connection ends, how many times the client spoke
//! and then had to wait for the server: the round trips, counted, beside the ones the clock
//! says.

#[path = "../tests/common/delay.rs"]
mod delay;

use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::mpsc;

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
    let (done, mut relayed) = mpsc::unbounded_channel();
    for (from, to) in maps {
        let listener = TcpListener::bind(from)
            .await
            .unwrap_or_else(|e| fail(&format!("cannot listen on {from}: {e}")));
        tokio::spawn(delay::serve(listener, to, delay, done.clone()));
    }
    tokio::spawn(async move {
        while let Some(r) = relayed.recv().await {
            eprintln!(
                "delay_proxy: {}: {} round trip(s) counted (connection opened at {} ms)",
                r.target,
                r.round_trips,
                r.opened.as_millis()
            );
        }
    });
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
