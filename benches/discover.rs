//! How long `discover` takes on loopback fixtures (a benchmark, not a test): every source
//! answering, one source tarpitting, nothing published; and how many endpoints the guess
//! matrix probes for a typical domain. `cargo bench --bench discover`. Only loopback is
//! contacted: the fixtures' DNS server answers every name.

#[path = "../tests/common/mod.rs"]
#[allow(unused_imports)]
mod common;

use std::time::{Duration, Instant};

use clap::Parser;
use common::dns::{a, serve_zone, srv};
use common::http::{Reply, Site, autoconfig, serve_site};
use common::{Behaviour, Cert, MailServer, Proto, Tls, pki, serve};

const RUNS: usize = 15;

fn discover(args: &[&str]) -> (Duration, serde_json::Value) {
    let mut argv = vec!["maildoctor", "discover"];
    argv.extend(args);
    argv.extend(["--format", "json"]);
    let cli = maildoctor::cli::Cli::try_parse_from(&argv).unwrap();
    let mut out = Vec::new();
    let started = Instant::now();
    maildoctor::commands::run_with_profiles(&cli, &mut out, None).unwrap();
    (started.elapsed(), serde_json::from_slice(&out).unwrap())
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn measure(name: &str, args: &[&str]) -> serde_json::Value {
    let mut times = Vec::new();
    let mut last = serde_json::Value::Null;
    for _ in 0..RUNS {
        let (t, report) = discover(args);
        times.push(t);
        last = report;
    }
    let min = *times.iter().min().unwrap();
    let probed = last["discovery"]["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| !c["verdict"].is_null())
        .count();
    println!(
        "{name:<44} median {:>7.1} ms   min {:>7.1} ms   endpoints probed {probed}",
        median(times).as_secs_f64() * 1000.0,
        min.as_secs_f64() * 1000.0
    );
    last
}

fn main() {
    let imap = serve(Behaviour::Mail(MailServer::new(
        Proto::Imap,
        Tls::Implicit(Cert::Good),
    )));
    let smtp = serve(Behaviour::Mail(MailServer::new(
        Proto::Smtp,
        Tls::Implicit(Cert::Good),
    )));
    let doc = autoconfig(
        "corp.test",
        &[
            ("imap", "localhost", imap.port(), "SSL"),
            ("smtp", "localhost", smtp.port(), "SSL"),
        ],
    );
    let (ispdb, _) = serve_site(
        "127.0.0.1:0",
        Site {
            routes: vec![
                ("/v1.1/corp.test".into(), Reply::Xml(doc)),
                (
                    "/v1.1/slow.test".into(),
                    Reply::Trickle(Duration::from_millis(100)),
                ),
            ],
        },
        None,
    );
    let dns = serve_zone(vec![
        srv("_imaps._tcp.corp.test", 0, imap.port(), "localhost."),
        srv("_submissions._tcp.corp.test", 0, smtp.port(), "localhost."),
        srv("_imaps._tcp.slow.test", 0, imap.port(), "localhost."),
        srv("_submissions._tcp.slow.test", 0, smtp.port(), "localhost."),
        a("ispdb.test", std::net::Ipv4Addr::LOCALHOST),
    ])
    .to_string();
    let url = format!("http://ispdb.test:{}/v1.1/", ispdb.port());
    let ca = pki().ca_file.display().to_string();
    let base = [
        "--dns-server",
        dns.as_str(),
        "--ispdb-url",
        url.as_str(),
        "--ca-file",
        ca.as_str(),
        "--timeout",
        "2",
    ];
    println!("discover on loopback fixtures, {RUNS} runs each, per-source limit 2 s");
    let with = |address: &'static str| {
        let mut v = vec![address];
        v.extend(base);
        v
    };
    measure(
        "every source answers (SRV + ISPDB), probed",
        &with("bob@corp.test"),
    );
    let mut gather_only = with("bob@corp.test");
    gather_only.push("--no-probe");
    measure("every source answers, --no-probe", &gather_only);
    measure("the ISPDB tarpits (trickles bytes)", &with("bob@slow.test"));
    // Every usual name resolves (to 127.0.0.1, where nothing listens on the mail ports).
    measure(
        "nothing published: the guess matrix",
        &with("bob@nothing.test"),
    );
}
