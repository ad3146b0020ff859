//! The dashboard's view, rendered into a test terminal for fixed states at 120×40 and 80×24,
//! and compared with committed snapshots of text and styles (CI runs with `INSTA_UPDATE=no`, so
//! drift fails).

use std::time::{Duration, Instant};

use maildoctor::account::{Endpoint, Protocol};
use maildoctor::discover::gather::Progress;
use maildoctor::discover::sources::{SourceKind, Status};
use maildoctor::finding::{Finding, FindingId};
use maildoctor::probe::events::{ProbeEvent, ProbeId};
use maildoctor::probe::observation::{
    CertInfo, CertVerdict, GreetingInfo, Observation, Stage, StageName, StageStatus, TlsInfo,
};
use maildoctor::probe::observation::{Direction, TranscriptLine};
use maildoctor::probe::wire::capabilities::Capabilities;
use maildoctor::probe::wire::greeting::{ImapStatus, Speaker};
use maildoctor::tui::model::{App, Discovering, DiscoveryView, FoundServer, Key, Msg};
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

/// A dashboard as the loop starts it: every configured pane probing.
fn start(smtp: &str, findings: Vec<Finding>) -> (App, Vec<(Protocol, Endpoint)>) {
    let eps = endpoints(smtp);
    let mut app = App::new(Some("alice@outlook.com".into()), None, &eps, findings);
    app.profile = Some("outlook".into());
    app.start_all();
    (app, eps)
}

/// Sends a live event as the pane's current run.
fn send(app: &mut App, event: ProbeEvent) {
    let protocol = match &event {
        ProbeEvent::StageStarted { id, .. }
        | ProbeEvent::StageFinished { id, .. }
        | ProbeEvent::Transcript { id, .. }
        | ProbeEvent::Finished { id, .. } => id.protocol,
    };
    let run = app.pane(protocol).run;
    app.update(Msg::Probe { run, event });
}

/// The pane's run finished with this observation: its last event, then the run's end.
fn done(app: &mut App, protocol: Protocol, obs: Observation) {
    done_with(app, protocol, obs, vec![]);
}

/// The same, with the alternatives the run tried.
fn done_with(app: &mut App, protocol: Protocol, obs: Observation, alternatives: Vec<Observation>) {
    send(
        app,
        ProbeEvent::Finished {
            id: id(protocol, &obs.endpoint),
            observation: Box::new(obs),
        },
    );
    let run = app.pane(protocol).run;
    app.update(Msg::PaneDone {
        protocol,
        run,
        alternatives,
        at: Instant::now(),
    });
}

/// Sends each stage as it would finish live; returns the observation that holds them.
fn staged(
    app: &mut App,
    protocol: Protocol,
    endpoint: &Endpoint,
    stages: Vec<Stage>,
) -> Observation {
    for s in &stages {
        send(
            app,
            ProbeEvent::StageFinished {
                id: id(protocol, endpoint),
                stage: s.clone(),
            },
        );
    }
    let mut obs = Observation::new(protocol, endpoint.clone());
    obs.elapsed = stages.iter().map(|s| s.elapsed).sum();
    obs.stages = stages;
    obs
}

/// Feeds a probe that stopped at a failed stage.
fn fail(app: &mut App, protocol: Protocol, endpoint: &Endpoint, stages: Vec<Stage>) {
    let obs = staged(app, protocol, endpoint, stages);
    done(app, protocol, obs);
}

/// SMTP stopped at a failed stage; IMAP and POP3 healthy.
fn smtp_failed(smtp: &str, findings: Vec<Finding>, stages: Vec<Stage>) -> App {
    let (mut app, eps) = start(smtp, findings);
    fail(&mut app, Protocol::Smtp, &eps[0].1, stages);
    for (p, e) in &eps[1..] {
        finish(&mut app, *p, e, tls_stages());
    }
    app
}

/// Feeds a finished, healthy probe of one endpoint into the app.
fn finish(app: &mut App, protocol: Protocol, endpoint: &Endpoint, stages: Vec<Stage>) {
    finish_with(app, protocol, endpoint, stages, CertVerdict::Ok, 190);
}

fn finish_with(
    app: &mut App,
    protocol: Protocol,
    endpoint: &Endpoint,
    stages: Vec<Stage>,
    verdict: CertVerdict,
    days_left: i64,
) {
    let mut obs = staged(app, protocol, endpoint, stages);
    obs.greeting = Some(GreetingInfo {
        text: "* OK ready".into(),
        speaker: Speaker::Imap {
            status: ImapStatus::Ok,
        },
        elapsed: Duration::from_millis(12),
    });
    obs.tls = Some(TlsInfo {
        via_starttls: endpoint.security == maildoctor::account::Security::Starttls,
        verdict,
        certificate: Some(CertInfo {
            subject: "CN=outlook.com".into(),
            issuer: "CN=DigiCert Cloud Services CA-1".into(),
            san: vec!["outlook.office365.com".into()],
            not_before: "2026-06-01T00:00:00Z".into(),
            not_after: "2027-06-01T00:00:00Z".into(),
            days_left,
        }),
        reason: None,
        version: Some("TLS 1.3".into()),
        cipher: Some("TLS_AES_256_GCM_SHA384".into()),
    });
    obs.capabilities = Some(Capabilities::from_imap_atoms(
        "IMAP4rev1 AUTH=XOAUTH2 AUTH=PLAIN",
    ));
    send(
        app,
        ProbeEvent::Transcript {
            id: id(protocol, endpoint),
            line: TranscriptLine {
                at: Duration::from_millis(30),
                direction: Direction::Received,
                text: "* OK The Microsoft Exchange IMAP4 service is ready.".into(),
            },
        },
    );
    send(
        app,
        ProbeEvent::Transcript {
            id: id(protocol, endpoint),
            line: TranscriptLine {
                at: Duration::from_millis(31),
                direction: Direction::Sent,
                text: "a3 LOGIN <redacted>".into(),
            },
        },
    );
    done(app, protocol, obs);
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
    let (mut app, eps) = start("smtp.office365.com:465/starttls", vec![mismatch()]);
    let smtp = &eps[0].1;
    send(
        &mut app,
        ProbeEvent::StageFinished {
            id: id(Protocol::Smtp, smtp),
            stage: stage(StageName::Resolve, StageStatus::Ok, 3, "52.97.1.1"),
        },
    );
    send(
        &mut app,
        ProbeEvent::StageFinished {
            id: id(Protocol::Smtp, smtp),
            stage: stage(StageName::Connect, StageStatus::Ok, 20, "52.97.1.1:465"),
        },
    );
    let started = Instant::now();
    send(
        &mut app,
        ProbeEvent::StageStarted {
            id: id(Protocol::Smtp, smtp),
            stage: StageName::Greeting,
            at: started,
            limit: Some(Duration::from_secs(10)),
        },
    );
    app.update(Msg::Started(started));
    app.update(Msg::Tick(started + Duration::from_millis(2100)));
    app
}

fn healthy() -> App {
    let (mut app, eps) = start("smtp-mail.outlook.com:587/starttls", vec![]);
    for (p, e) in &eps {
        finish(&mut app, *p, e, tls_stages());
    }
    app.elapsed = Duration::from_millis(240);
    app.update(Msg::Findings(vec![]));
    app
}

fn mismatched() -> App {
    let mut app = smtp_failed(
        "smtp.office365.com:465/starttls",
        vec![mismatch()],
        vec![
            stage(StageName::Resolve, StageStatus::Ok, 3, "52.97.1.1"),
            stage(StageName::Connect, StageStatus::Ok, 20, "52.97.1.1:465"),
            stage(
                StageName::Greeting,
                StageStatus::Failed,
                70,
                "the port expects TLS from the first byte",
            ),
        ],
    );
    let alt = Finding::new(
        FindingId::WorkingAlternative,
        Some(Protocol::Smtp),
        "smtp.office365.com:587 STARTTLS works from here",
        "maildoctor tried the standard settings.",
    );
    app.update(Msg::Findings(vec![mismatch(), alt]));
    app
}

fn imap_host_as_smtp() -> App {
    let finding = Finding::new(
        FindingId::IncomingServerAsOutgoing,
        Some(Protocol::Smtp),
        "The SMTP server is outlook.office365.com, Outlook.com's IMAP/POP3 server",
        "Outgoing mail goes to the SMTP server; the incoming server's name was typed into the SMTP field.",
    )
    .with_fix("Set the outgoing (SMTP) server to smtp-mail.outlook.com, port 587, STARTTLS.");
    let mut app = smtp_failed(
        "outlook.office365.com:587/starttls",
        vec![finding.clone()],
        vec![
            stage(StageName::Resolve, StageStatus::Ok, 3, "52.97.1.2"),
            stage(StageName::Connect, StageStatus::Ok, 20, "52.97.1.2:587"),
            stage(
                StageName::Greeting,
                StageStatus::Ok,
                31,
                "220 Microsoft ESMTP MAIL Service ready",
            ),
            stage(
                StageName::Capabilities,
                StageStatus::Ok,
                9,
                "STARTTLS AUTH LOGIN XOAUTH2",
            ),
        ],
    );
    let mut confirmed = finding;
    confirmed.suggested = Some(ep("smtp-mail.outlook.com:587/starttls", Protocol::Smtp));
    app.update(Msg::Findings(vec![confirmed]));
    app
}

fn blocked_587() -> App {
    let mut app = smtp_failed(
        "smtp-mail.outlook.com:587/starttls",
        vec![],
        vec![
            stage(StageName::Resolve, StageStatus::Ok, 3, "52.97.1.1"),
            stage(
                StageName::Connect,
                StageStatus::Failed,
                10003,
                "52.97.1.1:587 timed out",
            ),
        ],
    );
    let mut timeout = Finding::new(
        FindingId::ConnectTimeout,
        Some(Protocol::Smtp),
        "Nothing answers on port 587 of smtp-mail.outlook.com",
        "The connection attempt got no answer at all: a firewall between here and the server drops port 587.",
    )
    .with_fix("smtp-mail.outlook.com:465 SSL/TLS works from here: use port 465 with SSL/TLS.");
    timeout.suggested = Some(ep("smtp-mail.outlook.com:465/tls", Protocol::Smtp));
    let alt = Finding::new(
        FindingId::WorkingAlternative,
        Some(Protocol::Smtp),
        "smtp-mail.outlook.com:465 SSL/TLS works from here",
        "maildoctor tried the standard settings.",
    );
    app.update(Msg::Findings(vec![timeout, alt]));
    app
}

fn cert_expired() -> App {
    let (mut app, eps) = start("smtp-mail.outlook.com:587/starttls", vec![]);
    for (p, e) in &eps {
        if *p == Protocol::Imap {
            let mut stages = tls_stages();
            stages[2] = stage(
                StageName::Tls,
                StageStatus::Failed,
                40,
                "certificate expired 12 days ago",
            );
            stages.truncate(3);
            finish_with(&mut app, *p, e, stages, CertVerdict::Expired, -12);
        } else {
            finish(&mut app, *p, e, tls_stages());
        }
    }
    let expired = Finding::new(
        FindingId::CertExpired,
        Some(Protocol::Imap),
        "The IMAP server's certificate expired 12 days ago",
        "The certificate is out of date, so no client can tell this is the real server. Only the server's operator can fix it.",
    )
    .with_fix("Tell the provider; do not accept the certificate permanently.");
    app.update(Msg::Findings(vec![expired]));
    app
}

fn editing() -> App {
    let mut app = blocked_587();
    app.update(Msg::Key(Key::Char('e')));
    app.update(Msg::Key(Key::Tab));
    for _ in 0..3 {
        app.update(Msg::Key(Key::Backspace));
    }
    for c in "465".chars() {
        app.update(Msg::Key(Key::Char(c)));
    }
    app.update(Msg::Key(Key::Tab));
    app
}

fn unconfigured_pop3() -> App {
    let mut eps = endpoints("smtp-mail.outlook.com:587/starttls");
    eps.pop();
    let mut app = App::new(Some("alice@outlook.com".into()), None, &eps, vec![]);
    app.profile = Some("outlook".into());
    app.profile_endpoints.insert(
        Protocol::Pop3,
        ep("outlook.office365.com:995/tls", Protocol::Pop3),
    );
    app.start_all();
    for (p, e) in &eps {
        finish(&mut app, *p, e, tls_stages());
    }
    app.update(Msg::Findings(vec![]));
    app.update(Msg::Key(Key::BackTab));
    app
}

/// Settings discovered for a custom domain: the sources, the servers they name, `d` pressed.
fn discovered() -> App {
    let mut app = healthy();
    let server = |spec: &str, protocol, named_by: &str, verdict: &str, recommended| FoundServer {
        protocol,
        endpoint: ep(spec, protocol),
        named_by: named_by.into(),
        verdict: Some(verdict.into()),
        recommended,
    };
    app.discovery = Some(DiscoveryView {
        sources: [
            "Discovery for corp.example (7 questions, 412 ms)",
            "  profile     nothing      corp.example · 0 ms",
            "  MX          1 server(s)  corp.example · 12 ms",
            "              MX corp-example.mail.protection.outlook.com: Microsoft 365",
            "  SRV         nothing      _submissions._tcp.corp.example … · 9 ms",
            "  autoconfig  2 server(s)  https://autoconfig.corp.example/mail/config-v1.1.xml?emailaddress=alice%40corp.example · 88 ms",
            "  ISPDB       not asked    https://autoconfig.thunderbird.net/v1.1/corp.example",
        ]
        .map(str::to_owned)
        .to_vec(),
        servers: vec![
            server("smtp.office365.com:587/starttls", Protocol::Smtp, "MX", "works", true),
            server("smtp.office365.com:465/starttls", Protocol::Smtp, "autoconfig", "timeout", false),
            server("outlook.office365.com:993/tls", Protocol::Imap, "MX, autoconfig", "works", true),
            server("outlook.office365.com:995/tls", Protocol::Pop3, "MX", "works", true),
        ],
    });
    app.update(Msg::Key(Key::Char('d')));
    app.update(Msg::Key(Key::Down));
    app
}

/// The findings diagnose itself gives for these panes, as the dashboard works them out: the
/// scenarios below show real fix texts, not ones written for the test.
fn diagnosed(app: &mut App, alternatives: &[Observation]) {
    let (primary, _) = app.observations();
    let account = maildoctor::account::Account {
        address: Some(maildoctor::account::Address::parse("alice@outlook.com").unwrap()),
        username: None,
        auth: maildoctor::account::AuthMethod::Password,
        endpoints: app
            .panes
            .iter()
            .filter_map(|(p, pane)| pane.endpoint.clone().map(|e| (*p, e)))
            .collect(),
    };
    let findings = maildoctor::diagnose::diagnose(maildoctor::diagnose::DiagnoseInput {
        account: &account,
        primary: &primary,
        alternatives,
        static_findings: Vec::new(),
        thresholds: maildoctor::diagnose::Thresholds::default(),
        oauth: None,
    });
    app.update(Msg::Findings(findings));
}

/// The IMAP certificate expired, and OpenSSL says so at length.
fn cert_expired_long_reason() -> App {
    let (mut app, eps) = start("smtp-mail.outlook.com:587/starttls", vec![]);
    for (p, e) in &eps {
        if *p == Protocol::Imap {
            let mut stages = tls_stages();
            stages[2] = stage(
                StageName::Tls,
                StageStatus::Failed,
                40,
                "certificate has expired (error:0A000086:SSL routines:tls_post_process_server_certificate:certificate verify failed)",
            );
            stages.truncate(3);
            finish_with(&mut app, *p, e, stages, CertVerdict::Expired, -12);
        } else {
            finish(&mut app, *p, e, tls_stages());
        }
    }
    let imap = app.pane(Protocol::Imap).observation.clone().unwrap();
    let mut imap = imap;
    if let Some(tls) = &mut imap.tls {
        tls.reason = Some("error:0A000086:SSL routines:tls_post_process_server_certificate:certificate verify failed:../ssl/statem/statem_clnt.c:2124: (certificate has expired; verify error 10 at depth 0, subject CN=outlook.com, notAfter=Nov 20 23:59:59 2026 GMT)".into());
    }
    // The finished pane's observation, as if the run had seen this.
    app.panes.get_mut(&Protocol::Imap).unwrap().observation = Some(imap);
    diagnosed(&mut app, &[]);
    app
}

/// 587 dropped, and 465 and 25 dropped too: nothing works from this network.
fn nothing_works() -> App {
    let (mut app, eps) = start("smtp-mail.outlook.com:587/starttls", vec![]);
    let smtp = &eps[0].1;
    let mut obs = staged(
        &mut app,
        Protocol::Smtp,
        smtp,
        vec![
            stage(StageName::Resolve, StageStatus::Ok, 3, "52.97.1.1"),
            stage(
                StageName::Connect,
                StageStatus::Failed,
                5003,
                "52.97.1.1:587 timed out",
            ),
        ],
    );
    obs.failure = Some(maildoctor::probe::observation::Failure::ConnectTimeout);
    let alternatives: Vec<Observation> = [
        "smtp-mail.outlook.com:465/tls",
        "smtp-mail.outlook.com:25/starttls",
    ]
    .into_iter()
    .map(|spec| {
        let mut o = Observation::new(Protocol::Smtp, ep(spec, Protocol::Smtp));
        o.failure = Some(maildoctor::probe::observation::Failure::ConnectTimeout);
        o.elapsed = Duration::from_millis(5002);
        o
    })
    .collect();
    done_with(&mut app, Protocol::Smtp, obs, alternatives.clone());
    for (p, e) in &eps[1..] {
        finish(&mut app, *p, e, tls_stages());
    }
    diagnosed(&mut app, &alternatives);
    app
}

/// The login refused, with a long reply from the server.
fn login_refused_long_reply() -> App {
    let (mut app, eps) = start("smtp-mail.outlook.com:587/starttls", vec![]);
    app.login = true;
    for (p, e) in &eps {
        finish(&mut app, *p, e, tls_stages());
    }
    let mut smtp = app.pane(Protocol::Smtp).observation.clone().unwrap();
    smtp.auth = Some(maildoctor::probe::observation::AuthOutcome {
        mechanism: "PLAIN".into(),
        ok: false,
        reply: "535 5.7.139 Authentication unsuccessful, the user credentials were incorrect. Contact your administrator or visit https://aka.ms/smtp_auth_disabled for more information. [PR3P191CA0052.EURP191.PROD.OUTLOOK.COM 2026-12-02T05:12:44.123Z 08DE2A8F1C2B3D4E]".into(),
        alerts: vec![],
        challenge: None,
    });
    // The finished pane's observation, as if the run had seen this.
    app.panes.get_mut(&Protocol::Smtp).unwrap().observation = Some(smtp);
    diagnosed(&mut app, &[]);
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
            // The buffer's Debug output lists the styles too: reversed, bold and coloured cells
            // carry meaning (the flagged endpoint, the selected finding, the edited field).
            insta::assert_debug_snapshot!(concat!(stringify!($name), "_120x40"), render(&app, 120, 40).backend().buffer());
            insta::assert_debug_snapshot!(concat!(stringify!($name), "_80x24"), render(&app, 80, 24).backend().buffer());
        }
    )+};
}

snapshots! {
    probing_in_progress => probing();
    all_healthy => healthy();
    port_465_set_to_starttls => mismatched();
    imap_host_used_for_smtp => imap_host_as_smtp();
    port_587_dropped_465_works => blocked_587();
    certificate_expired => cert_expired();
    editing_an_endpoint => editing();
    unconfigured_pane_offers_the_profile => unconfigured_pop3();
    transcript_view => { let mut a = healthy(); a.update(Msg::Key(Key::Tab)); a.update(Msg::Key(Key::Char('t'))); a };
    help_screen => { let mut a = healthy(); a.update(Msg::Key(Key::Char('?'))); a };
    discovery_view => discovered();
    certificate_expired_with_a_long_library_error => cert_expired_long_reason();
    nothing_works_from_this_network => nothing_works();
    login_refused_with_a_long_reply => login_refused_long_reply();
}

/// The screen's text with its rows joined and runs of spaces folded, so a wrapped sentence
/// reads as one.
fn screen_text(app: &App, width: u16, height: u16) -> String {
    let terminal = render(app, width, height);
    let buffer = terminal.backend().buffer();
    let mut text = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            text.push_str(buffer[(x, y)].symbol());
        }
        text.push(' ');
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_selected_findings_whole_fix_is_on_screen_at_80x24() {
    for (name, app) in [
        ("465 set to STARTTLS", mismatched()),
        ("expired certificate", cert_expired_long_reason()),
        ("nothing works", nothing_works()),
        ("login refused", login_refused_long_reply()),
        ("587 dropped", blocked_587()),
    ] {
        let finding = app.selected_finding().expect(name).clone();
        let fix = finding.client_fix.or(finding.fix).expect(name);
        let fix = fix.split_whitespace().collect::<Vec<_>>().join(" ");
        for (w, h) in [(80, 24), (120, 40)] {
            let text = screen_text(&app, w, h);
            assert!(
                text.contains(&fix),
                "{name} at {w}x{h}: fix {fix:?} not in {text}"
            );
        }
    }
}

#[test]
fn evidence_comes_after_the_fix_and_scrolls_into_view() {
    let mut app = cert_expired_long_reason();
    let text = screen_text(&app, 80, 24);
    let fix_at = text.find("Fix:").expect(&text);
    assert!(
        text.find("TLS library:").is_none_or(|e| e > fix_at),
        "{text}"
    );
    assert!(
        text.contains("PgDn more"),
        "the details say they scroll: {text}"
    );
    for _ in 0..10 {
        app.update(Msg::Key(Key::PageDown));
        let _ = render(&app, 80, 24);
    }
    let text = screen_text(&app, 80, 24);
    assert!(
        text.contains("certificate has expired; verify error 10"),
        "{text}"
    );
    assert!(text.contains("PgUp back"), "{text}");
}

#[test]
fn selecting_a_finding_focuses_its_pane() {
    let mut app = cert_expired_long_reason();
    assert_eq!(
        app.focus,
        Protocol::Imap,
        "the screen opens on the worst finding's pane"
    );
    app.update(Msg::Key(Key::Tab));
    assert_eq!(app.focus, Protocol::Pop3);
    app.update(Msg::Key(Key::Down));
    assert_eq!(app.focus, Protocol::Smtp, "the second finding is SMTP's");
    app.update(Msg::Key(Key::Up));
    assert_eq!(
        app.focus,
        Protocol::Imap,
        "the expired certificate is IMAP's"
    );
    app.update(Msg::Key(Key::Tab));
    app.update(Msg::Findings(app.findings.clone()));
    assert_eq!(
        app.focus,
        Protocol::Pop3,
        "once chosen, findings arriving keep the focus"
    );
}

#[test]
fn no_row_is_cut_without_a_mark() {
    // Long enough that every line must give way somewhere at 80 columns.
    let mut app = mismatched();
    app.address =
        Some("a.very.long.address.for.testing.cuts@subdomain.example-provider.co.uk".into());
    for (w, h) in [(80, 24), (60, 20), (120, 40)] {
        let terminal = render(&app, w, h);
        let buffer = terminal.backend().buffer();
        let header: String = (0..w).map(|x| buffer[(x, 0)].symbol().to_owned()).collect();
        assert!(
            header.trim_end().ends_with(" s"),
            "the header keeps its end: {header}"
        );
        if w < 100 {
            assert!(header.contains('…'), "the cut address is marked: {header}");
        }
        let footer: String = (0..w)
            .map(|x| buffer[(x, h - 1)].symbol().to_owned())
            .collect();
        assert!(footer.trim_end().ends_with("? help"), "{footer}");
        let screen = screen_text(&app, w, h);
        assert!(
            !screen.contains(":46 ") && !screen.contains(":4…"),
            "{screen}"
        );
    }
}

#[test]
fn the_footer_says_which_discovery_sources_have_answered() {
    let mut app = probing();
    app.discovering = Some(Discovering {
        beside: true,
        heard: Vec::new(),
    });
    for heard in [
        Progress::Source {
            kind: SourceKind::Srv,
            status: Status::Answered,
        },
        Progress::Source {
            kind: SourceKind::AutoconfigHttps,
            status: Status::Nothing,
        },
        Progress::Source {
            kind: SourceKind::Ispdb,
            status: Status::TimedOut,
        },
        Progress::Source {
            kind: SourceKind::Profile,
            status: Status::Skipped,
        },
    ] {
        app.update(Msg::Discovering(heard));
    }
    let text = format!("{}", render(&app, 120, 40).backend());
    assert!(
        text.contains(
            "Comparing with what alice@outlook.com's domain publishes: SRV✓ autoconfig- ISPDB✗ …"
        ),
        "{text}"
    );
    app.update(Msg::Discovering(Progress::Probing { endpoints: 4 }));
    let text = format!("{}", render(&app, 120, 40).backend());
    assert!(text.contains("ISPDB✗ · probing 4 server(s)…"), "{text}");
    app.update(Msg::DiscoveryDone(DiscoveryView::default()));
    let text = format!("{}", render(&app, 120, 40).backend());
    assert!(!text.contains("Comparing with"), "{text}");
    assert!(text.contains("d sources"), "{text}");
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
    assert!(text.is_ascii(), "--ascii draws nothing but ASCII:\n{text}");
}

#[test]
fn any_size_renders_without_panicking() {
    let mut picker = healthy();
    picker.update(Msg::Key(Key::Char('p')));
    let mut password = healthy();
    password.update(Msg::Key(Key::Char('l')));
    let mut save = healthy();
    save.update(Msg::Key(Key::Char('s')));
    for app in [
        mismatched(),
        editing(),
        unconfigured_pop3(),
        picker,
        password,
        save,
    ] {
        for (w, h) in [(1, 1), (10, 5), (40, 12), (79, 23), (200, 60), (300, 8)] {
            render(&app, w, h);
        }
    }
}

#[test]
fn a_suggested_fix_says_which_key_applies_it() {
    let text = format!("{}", render(&blocked_587(), 80, 24).backend());
    assert!(
        text.contains("Press a to use smtp-mail.outlook.com:465 SSL/TLS"),
        "{text}"
    );
    assert!(
        text.contains("a apply fix"),
        "the footer lists the key:\n{text}"
    );
}

#[test]
fn the_password_prompt_shows_nothing_typed() {
    let mut app = healthy();
    app.update(Msg::Key(Key::Char('l')));
    for c in "s3cret-pw".chars() {
        app.update(Msg::Key(Key::Char(c)));
    }
    let text = format!("{}", render(&app, 80, 24).backend());
    assert!(text.contains("Password for alice@outlook.com"), "{text}");
    assert!(text.contains("(typed, not shown)"), "{text}");
    assert!(
        !text.contains("s3cret") && !text.contains("*********"),
        "{text}"
    );
}

#[test]
fn the_profile_picker_filters_as_you_type() {
    let mut app = healthy();
    app.profiles = maildoctor::profile::ProfileStore::load(&[])
        .unwrap()
        .iter()
        .map(maildoctor::tui::forms::ProfileItem::from)
        .collect();
    app.update(Msg::Key(Key::Char('p')));
    for c in "gmx".chars() {
        app.update(Msg::Key(Key::Char(c)));
    }
    let text = format!("{}", render(&app, 80, 24).backend());
    assert!(text.contains("Filter: gmx"), "{text}");
    assert!(text.contains("gmx.net"), "{text}");
    assert!(!text.contains("gmail"), "filtered out:\n{text}");
}

#[test]
fn before_any_probe_a_wrong_setting_offers_the_documented_endpoint() {
    let finding = Finding::new(
        FindingId::IncomingServerAsOutgoing,
        Some(Protocol::Smtp),
        "The SMTP server is outlook.office365.com, an IMAP/POP3 server",
        "The incoming server's name was typed into the SMTP field.",
    );
    let (mut app, _) = start("outlook.office365.com:587/starttls", vec![finding]);
    app.profile_endpoints.insert(
        Protocol::Smtp,
        ep("smtp-mail.outlook.com:587/starttls", Protocol::Smtp),
    );
    let text = format!("{}", render(&app, 120, 40).backend());
    assert!(
        text.contains("Press a to use smtp-mail.outlook.com:587 STARTTLS for SMTP: profile outlook documents it."),
        "{text}"
    );
    assert!(text.contains("[a]"), "{text}");
}

#[test]
fn nothing_checked_gets_no_verdict_while_discovery_runs_or_before_a_choice() {
    // The dashboard opened on an address whose settings are being looked up.
    let mut app = App::new(Some("alice@custom.example".into()), None, &[], vec![]);
    app.discovering = Some(maildoctor::tui::model::Discovering {
        beside: false,
        heard: vec![],
    });
    app.start_all();
    let text = screen_text(&app, 80, 24);
    assert!(text.contains("finding the settings"), "{text}");
    assert!(!text.contains("OK"), "no verdict while looking: {text}");
    assert!(!text.contains("No problems found"), "{text}");
    // The chooser: nothing configured, nothing found.
    app.discovering = None;
    let text = screen_text(&app, 80, 24);
    assert!(text.contains("nothing checked yet"), "{text}");
    assert!(!text.contains("OK"), "no verdict before a choice: {text}");
    assert!(!text.contains("No problems found"), "{text}");
    // Discovery found nothing: its error is the verdict, as `check` says it.
    let nothing = Finding::new(
        maildoctor::finding::FindingId::NoMailSettingsFound,
        None,
        "No mail settings found for custom.example",
        "Nothing names a server.",
    );
    app.update(Msg::Findings(vec![nothing]));
    let text = screen_text(&app, 80, 24);
    assert!(text.contains("ERROR"), "{text}");
    assert!(text.contains("No mail settings found"), "{text}");
}
