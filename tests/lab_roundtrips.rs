//! The round trips of each kind of check, counted by a delaying proxy in front of the real lab
//! (tests/lab/start.sh): the number is deterministic where the time is not, so a round trip
//! that creeps back in fails here. `scripts/roundtrips.sh` measures the same in time, beside
//! the stock tools.
//!
//! The proxy counts a round trip each time the client spoke and the server answered, on each
//! connection; the reply to QUIT/LOGOUT, which maildoctor does not wait for, is counted too, as
//! the server still sends it.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::delay::{Relayed, serve};
use common::lab;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// Starts a proxy 20 ms late each way in front of the lab's `port`; its address and what it
/// relayed.
fn proxy(port: u16) -> (SocketAddr, mpsc::UnboundedReceiver<Relayed>) {
    let target: SocketAddr = format!("{}:{port}", lab::addr()).parse().unwrap();
    let (done, relayed) = mpsc::unbounded_channel();
    let listener = common::runtime()
        .block_on(TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    common::runtime().spawn(serve(listener, target, Duration::from_millis(20), done));
    (addr, relayed)
}

/// The round trips of each connection one check made, in the order they were opened.
fn counted(
    protocol: &str,
    port: u16,
    security: &str,
    login: bool,
    connections: usize,
) -> Vec<usize> {
    let (addr, mut relayed) = proxy(port);
    let endpoint = format!("{addr}/{security}");
    let (report, _) = lab::check(
        login.then_some("lab-password"),
        &[
            "--only",
            protocol,
            &format!("--{protocol}"),
            &endpoint,
            "--tls-name",
            "mail.lab.test",
            "--no-alternatives",
            "--no-discover",
        ],
    );
    let mut seen: Vec<Relayed> = common::runtime().block_on(async {
        let mut seen = Vec::new();
        while seen.len() < connections {
            match tokio::time::timeout(Duration::from_secs(5), relayed.recv()).await {
                Ok(Some(r)) => seen.push(r),
                _ => break,
            }
        }
        seen
    });
    assert_eq!(seen.len(), connections, "{protocol} {port}: {report:#}");
    seen.sort_by_key(|r| r.opened);
    seen.iter().map(|r| r.round_trips).collect()
}

/// One kind of check and the round trips each of its connections takes, without and with a
/// login: the main connection's first, then any beside it.
struct Case {
    protocol: &'static str,
    port: u16,
    security: &'static str,
    plain: &'static [usize],
    login: &'static [usize],
}

impl Case {
    /// As the README's table names it: "IMAP 143 STARTTLS".
    fn name(&self) -> String {
        let security = if self.security == "tls" {
            "SSL/TLS"
        } else {
            "STARTTLS"
        };
        format!("{} {} {security}", self.protocol.to_uppercase(), self.port)
    }
}

const fn case(
    protocol: &'static str,
    port: u16,
    security: &'static str,
    plain: &'static [usize],
    login: &'static [usize],
) -> Case {
    Case {
        protocol,
        port,
        security,
        plain,
        login,
    }
}

/// Round trips as the README's table shows them: "4 + 2 beside".
fn shown(counts: &[usize]) -> String {
    match counts {
        [main] => main.to_string(),
        [main, beside] => format!("{main} + {beside} beside"),
        other => format!("{other:?}"),
    }
}

#[test]
#[ignore = "needs the Postfix/Dovecot lab (tests/lab/start.sh)"]
fn each_check_takes_the_round_trips_it_needs_and_no_more() {
    // With a login, one more for the login and one for what the account may do (MAIL FROM,
    // RCPT TO and RSET in one, EXAMINE INBOX, STAT).
    let table = [
        case("smtp", 587, "starttls", &[5], &[7]),
        case("smtp", 465, "tls", &[4], &[6]),
        case("imap", 993, "tls", &[3], &[5]),
        // The lab's Dovecot takes passwords before STARTTLS on 143 and 110: a second
        // connection asks so beside the main one (its own round trips, not the check's).
        case("imap", 143, "starttls", &[4, 2], &[6, 2]),
        case("pop3", 995, "tls", &[4], &[6]),
        case("pop3", 110, "starttls", &[5, 2], &[7, 2]),
    ];
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let mut wrong = Vec::new();
    let mut rows = Vec::new();
    for c in &table {
        let mut got = Vec::new();
        for (login, expected) in [(false, c.plain), (true, c.login)] {
            let counts = counted(c.protocol, c.port, c.security, login, expected.len());
            if counts != expected {
                wrong.push(format!(
                    "{}{}: {counts:?}, expected {expected:?}",
                    c.name(),
                    if login { " with login" } else { "" },
                ));
            }
            got.push(shown(&counts));
        }
        rows.push(format!("| {} | {} | {} |", c.name(), got[0], got[1]));
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The README's table is what was counted here.
    for row in rows {
        assert!(readme.contains(&row), "README.md lacks the row {row}");
    }
}
