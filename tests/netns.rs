//! Failures loopback cannot produce, made in a network namespace the test creates and removes:
//! inside it a route says "unreachable" or "prohibit", so the kernel refuses the connect at once.
//! The addresses are documentation ranges (RFC 5737); no packet leaves the namespace, which has
//! no interface but its own loopback.

use std::process::Command;

/// A network namespace that exists for one test.
struct Netns(String);

impl Netns {
    fn new(tag: &str) -> Netns {
        let name = format!("maildoctor-{tag}-{}", std::process::id());
        let _ = Command::new("ip").args(["netns", "del", &name]).output();
        for args in [
            vec!["netns", "add", &name],
            vec!["-n", &name, "link", "set", "lo", "up"],
            vec!["-n", &name, "route", "add", "unreachable", "203.0.113.0/24"],
            vec!["-n", &name, "route", "add", "prohibit", "198.51.100.0/24"],
        ] {
            let out = Command::new("ip")
                .args(&args)
                .output()
                .expect("iproute2 is installed (apt-get install iproute2)");
            assert!(
                out.status.success(),
                "ip {args:?}: {} (this test needs root)",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Netns(name)
    }

    /// Runs `maildoctor check --format json ARGS` inside the namespace.
    fn check(&self, args: &[&str]) -> serde_json::Value {
        let out = Command::new("ip")
            .args(["netns", "exec", &self.0, env!("CARGO_BIN_EXE_maildoctor")])
            .args([
                "check",
                "--format",
                "json",
                "--no-alternatives",
                "--timeout",
                "3",
            ])
            .args(args)
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{e}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        })
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).output();
    }
}

fn ids(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
#[ignore = "needs root and iproute2: creates its own network namespace"]
fn no_route_to_the_server_is_connect_unreachable() {
    let ns = Netns::new("unreach");
    for spec in ["203.0.113.5:587/starttls", "198.51.100.7:587/starttls"] {
        let started = std::time::Instant::now();
        let report = ns.check(&["--smtp", spec]);
        assert_eq!(ids(&report), ["connect-unreachable"], "{spec}: {report:#}");
        assert_eq!(report["summary"]["exit_code"], 2);
        let stage = &report["endpoints"][0]["stages"][1];
        assert_eq!(stage["name"], "connect");
        assert_eq!(stage["status"], "failed");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(3),
            "the kernel says no at once; no timeout is waited for"
        );
    }
}
