//! The dashboard's view, rendered into a test terminal for fixed states at 120×40 and 80×24,
//! and compared with committed snapshots (CI runs with INSTA_UPDATE=no, so drift fails).

use std::time::Duration;

use maildoctor::account::{Endpoint, Protocol};
use maildoctor::finding::{Finding, FindingId};
use maildoctor::probe::events::{ProbeEvent, ProbeId};
use maildoctor::probe::observation::{
    CertInfo, CertVerdict, GreetingInfo, Observation, Stage, StageName, StageStatus, TlsInfo,
};
use maildoctor::probe::transcript::{Direction, TranscriptLine};
use maildoctor::probe::wire::capabilities::Capabilities;
use maildoctor::probe::wire::greeting::{ImapStatus, Speaker};
use maildoctor::tui::app::{App, Key, Msg};
use maildoctor::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Modifier;

const THEME: Theme = Theme {
    color: true,
    ascii: false,
};

fn ep(spec: &str, p: Protocol) -> Endpoint {
    Endpoint::parse(spec, p).unwrap()
}

fn endpoints(smtp: &str) -> Vec<(Protocol, Endpoint)> {
    vec![
        (Protocol::Smtp, ep(smtp, Protocol::Smtp)),
        (
            Protocol::Imap,
            ep("outlook.office365.com:993/tls", Protocol::Imap),
        ),
        (
            Protocol::Pop3,
            ep("outlook.office365.com:995/tls", Protocol::Pop3),
        ),
    ]
}

fn stage(name: StageName, status: StageStatus, ms: u64, detail: &str) -> Stage {
    Stage {
        name,
        status,
        elapsed: Duration::from_millis(ms),
        detail: detail.into(),
    }
}

fn id(protocol: Protocol, endpoint: &Endpoint) -> ProbeId {
    ProbeId {
        protocol,
        endpoint: endpoint.clone(),
        alternative: false,
    }
}

/// Feeds a finished, healthy probe of one endpoint into the app.
fn finish(app: &mut App, protocol: Protocol, endpoint: &Endpoint, stages: Vec<Stage>) {
    let mut obs = Observation::new(protocol, endpoint.clone());
    for s in &stages {
        app.update(Msg::Probe(ProbeEvent::StageFinished {
            id: id(protocol, endpoint),
            stage: s.clone(),
        }));
    }
    obs.stages = stages;
    obs.greeting = Some(GreetingInfo {
        text: "* OK ready".into(),
        speaker: Speaker::Imap {
            status: ImapStatus::Ok,
        },
        elapsed: Duration::from_millis(12),
    });
    obs.tls = Some(TlsInfo {
        via_starttls: endpoint.security == maildoctor::account::Security::Starttls,
        verdict: CertVerdict::Ok,
        certificate: Some(CertInfo {
            subject: "CN=outlook.com".into(),
            issuer: "CN=DigiCert Cloud Services CA-1".into(),
            san: vec!["outlook.office365.com".into()],
            not_before: "2026-06-01T00:00:00Z".into(),
            not_after: "2027-06-01T00:00:00Z".into(),
            days_left: 190,
        }),
        reason: None,
    });
    obs.capabilities = Some(Capabilities::from_imap_atoms(
        "IMAP4rev1 AUTH=XOAUTH2 AUTH=PLAIN",
    ));
    app.update(Msg::Probe(ProbeEvent::Transcript {
        id: id(protocol, endpoint),
        line: TranscriptLine {
            at: Duration::from_millis(30),
            direction: Direction::Received,
            text: "* OK The Microsoft Exchange IMAP4 service is ready.".into(),
        },
    }));
    app.update(Msg::Probe(ProbeEvent::Transcript {
        id: id(protocol, endpoint),
        line: TranscriptLine {
            at: Duration::from_millis(31),
            direction: Direction::Sent,
            text: "a3 LOGIN <redacted>".into(),
        },
    }));
    app.update(Msg::Probe(ProbeEvent::Finished {
        id: id(protocol, endpoint),
        observation: Box::new(obs),
    }));
}

fn tls_stages() -> Vec<Stage> {
    vec![
        stage(StageName::Resolve, StageStatus::Ok, 4, "52.97.1.2"),
        stage(StageName::Connect, StageStatus::Ok, 21, "52.97.1.2:993"),
        stage(
            StageName::Tls,
            StageStatus::Ok,
            48,
            "certificate for CN=outlook.com",
        ),
        stage(StageName::Greeting, StageStatus::Ok, 12, "* OK ready"),
        stage(
            StageName::Capabilities,
            StageStatus::Ok,
            10,
            "AUTH PLAIN XOAUTH2",
        ),
        stage(StageName::Quit, StageStatus::Ok, 9, ""),
    ]
}

fn mismatch() -> Finding {
    let mut f = Finding::new(
        FindingId::PortSecurityMismatch,
        Some(Protocol::Smtp),
        "Port 465 expects SSL/TLS, but STARTTLS is set",
        "On port 465 the server expects encryption from the first byte and waits for the client's TLS handshake. Confirmed by the server.",
    )
    .with_fix("smtp.office365.com:587 STARTTLS works from here. Use port 587 with STARTTLS, or port 465 with SSL/TLS.");
    f.suggested = Some(ep("smtp.office365.com:587/starttls", Protocol::Smtp));
    f
}

fn probing() -> App {
    let eps = endpoints("smtp.office365.com:465/starttls");
    let mut app = App::new(
        Some("alice@outlook.com".into()),
        None,
        Some("outlook".into()),
        &eps,
        vec![mismatch()],
    );
    let smtp = &eps[0].1;
    app.update(Msg::Probe(ProbeEvent::StageFinished {
        id: id(Protocol::Smtp, smtp),
        stage: stage(StageName::Resolve, StageStatus::Ok, 3, "52.97.1.1"),
    }));
    app.update(Msg::Probe(ProbeEvent::StageFinished {
        id: id(Protocol::Smtp, smtp),
        stage: stage(StageName::Connect, StageStatus::Ok, 20, "52.97.1.1:465"),
    }));
    app.update(Msg::Probe(ProbeEvent::StageStarted {
        id: id(Protocol::Smtp, smtp),
        stage: StageName::Greeting,
    }));
    app.update(Msg::Tick(Duration::from_millis(800)));
    app
}

fn healthy() -> App {
    let eps = endpoints("smtp-mail.outlook.com:587/starttls");
    let mut app = App::new(
        Some("alice@outlook.com".into()),
        None,
        Some("outlook".into()),
        &eps,
        vec![],
    );
    for (p, e) in &eps {
        finish(&mut app, *p, e, tls_stages());
    }
    app.update(Msg::Tick(Duration::from_millis(240)));
    app.update(Msg::CheckDone(vec![]));
    app
}

fn mismatched() -> App {
    let eps = endpoints("smtp.office365.com:465/starttls");
    let mut app = App::new(
        Some("alice@outlook.com".into()),
        None,
        Some("outlook".into()),
        &eps,
        vec![mismatch()],
    );
    finish(
        &mut app,
        Protocol::Smtp,
        &eps[0].1,
        vec![
            stage(StageName::Resolve, StageStatus::Ok, 3, "52.97.1.1"),
            stage(StageName::Connect, StageStatus::Ok, 20, "52.97.1.1:465"),
            stage(
                StageName::Greeting,
                StageStatus::Failed,
                2011,
                "the port expects TLS from the first byte",
            ),
        ],
    );
    for (p, e) in &eps[1..] {
        finish(&mut app, *p, e, tls_stages());
    }
    let alt = Finding::new(
        FindingId::WorkingAlternative,
        Some(Protocol::Smtp),
        "smtp.office365.com:587 STARTTLS works from here",
        "maildoctor tried the standard settings.",
    );
    app.update(Msg::CheckDone(vec![mismatch(), alt]));
    app
}

fn render(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| maildoctor::tui::view::draw(frame, app, &THEME))
        .unwrap();
    terminal
}

macro_rules! snapshots {
    ($($name:ident => $state:expr;)+) => {$(
        #[test]
        fn $name() {
            let app = $state;
            insta::assert_snapshot!(concat!(stringify!($name), "_120x40"), render(&app, 120, 40).backend());
            insta::assert_snapshot!(concat!(stringify!($name), "_80x24"), render(&app, 80, 24).backend());
        }
    )+};
}

snapshots! {
    probing_in_progress => probing();
    all_healthy => healthy();
    port_465_set_to_starttls => mismatched();
    transcript_view => { let mut a = healthy(); a.update(Msg::Key(Key::NextPane)); a.update(Msg::Key(Key::Transcript)); a };
    help_screen => { let mut a = healthy(); a.update(Msg::Key(Key::Help)); a };
}

#[test]
fn the_misconfigured_endpoint_is_flagged_without_relying_on_colour() {
    let terminal = render(&mismatched(), 120, 40);
    let buffer = terminal.backend().buffer();
    // Row 2 holds the endpoints; the SMTP one is reversed (visible in monochrome too).
    let cell = (0..buffer.area.width)
        .map(|x| &buffer[(x, 2)])
        .find(|c| c.symbol() == "s")
        .unwrap();
    assert!(cell.modifier.contains(Modifier::REVERSED), "{cell:?}");
    let text = format!("{}", terminal.backend());
    assert!(
        text.contains("▲ port-security-mismatch"),
        "the flag names the finding:\n{text}"
    );
}

#[test]
fn no_color_draws_no_colour_at_all() {
    let app = mismatched();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let plain = Theme {
        color: false,
        ascii: true,
    };
    terminal
        .draw(|frame| maildoctor::tui::view::draw(frame, &app, &plain))
        .unwrap();
    let buffer = terminal.backend().buffer();
    assert!(
        buffer
            .content
            .iter()
            .all(|c| c.fg == ratatui::style::Color::Reset && c.bg == ratatui::style::Color::Reset)
    );
    let text = format!("{}", terminal.backend());
    assert!(text.contains("x ERROR"), "{text}");
    assert!(
        text.is_ascii() || !text.contains('✗'),
        "--ascii avoids the Unicode symbols"
    );
}

#[test]
fn any_size_renders_without_panicking() {
    let app = mismatched();
    for (w, h) in [(1, 1), (10, 5), (40, 12), (79, 23), (200, 60), (300, 8)] {
        render(&app, w, h);
    }
}
