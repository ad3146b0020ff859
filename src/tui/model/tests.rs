//! The model's behaviour, message by message: no terminal, no network.

use super::*;
use crate::finding::FindingId;
use crate::probe::events::ProbeId;
use crate::probe::observation::StageStatus;

fn smtp() -> Endpoint {
    Endpoint::parse("smtp.example.org:465/starttls", Protocol::Smtp).unwrap()
}

fn app() -> App {
    let findings = vec![
        Finding::new(FindingId::HostAlias, Some(Protocol::Smtp), "alias", ""),
        Finding::new(
            FindingId::PortSecurityMismatch,
            Some(Protocol::Smtp),
            "mismatch",
            "",
        ),
    ];
    App::new(
        Some("a@example.org".into()),
        None,
        &[(Protocol::Smtp, smtp())],
        findings,
    )
}

fn started() -> (App, u64) {
    let mut app = app();
    let runs = app.start_all();
    assert_eq!(runs.len(), 1, "only configured panes start");
    (app, runs[0].1)
}

fn event(run: u64, stage: StageName) -> Msg {
    Msg::Probe {
        run,
        event: ProbeEvent::StageStarted {
            id: ProbeId {
                protocol: Protocol::Smtp,
                endpoint: smtp(),
                alternative: false,
            },
            stage,
            at: std::time::Instant::now(),
            limit: None,
        },
    }
}

fn keys(app: &mut App, keys: &[Key]) -> Action {
    let mut last = Action::None;
    for key in keys {
        last = app.update(Msg::Key(*key));
    }
    last
}

fn text(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(Msg::Key(Key::Char(c)));
    }
}

#[test]
fn static_findings_show_worst_first_before_any_probe() {
    let (app, _) = started();
    assert_eq!(app.findings[0].id, FindingId::PortSecurityMismatch);
    assert_eq!(app.verdict(), Some(Severity::Error));
    assert!(app.running());
    assert!(
        app.pane(Protocol::Imap).done(),
        "an unconfigured pane has nothing to wait for"
    );
}

#[test]
fn keys_move_focus_and_selection_and_quit() {
    let mut app = app();
    assert_eq!(app.update(Msg::Key(Key::Tab)), Action::None);
    assert_eq!(app.focus, Protocol::Imap);
    keys(&mut app, &[Key::Left, Key::BackTab]);
    assert_eq!(app.focus, Protocol::Pop3);
    keys(&mut app, &[Key::Down, Key::Down]);
    assert_eq!(app.selected, 1, "selection stops at the last finding");
    app.update(Msg::Key(Key::Up));
    assert_eq!(app.selected, 0);
    assert_eq!(app.update(Msg::Key(Key::Char('q'))), Action::Quit);
    assert_eq!(app.update(Msg::Key(Key::Ctrl('c'))), Action::Quit);
}

#[test]
fn overlays_open_scroll_and_close() {
    let mut app = app();
    keys(&mut app, &[Key::Char('t'), Key::Down]);
    assert_eq!(app.overlay, Overlay::Transcript { scroll: 1 });
    app.update(Msg::Key(Key::Esc));
    assert_eq!(app.overlay, Overlay::None);
    app.update(Msg::Key(Key::Char('?')));
    assert_eq!(app.update(Msg::Key(Key::Down)), Action::None);
    assert_eq!(app.overlay, Overlay::None, "any key closes help");
}

#[test]
fn probe_events_fill_the_pane_live_and_old_runs_are_ignored() {
    let (mut app, run) = started();
    app.update(event(run, StageName::Connect));
    assert_eq!(app.pane(Protocol::Smtp).running, Some(StageName::Connect));
    let stage = Stage {
        name: StageName::Connect,
        status: StageStatus::Ok,
        elapsed: Duration::from_millis(3),
        detail: "127.0.0.1:465".into(),
    };
    let id = ProbeId {
        protocol: Protocol::Smtp,
        endpoint: smtp(),
        alternative: false,
    };
    app.update(Msg::Probe {
        run,
        event: ProbeEvent::StageFinished {
            id: id.clone(),
            stage,
        },
    });
    assert_eq!(app.pane(Protocol::Smtp).stages.len(), 1);
    assert_eq!(app.pane(Protocol::Smtp).running, None);
    app.update(Msg::Probe {
        run,
        event: ProbeEvent::StageStarted {
            id: ProbeId {
                alternative: true,
                ..id
            },
            stage: StageName::Tls,
            at: std::time::Instant::now(),
            limit: None,
        },
    });
    assert_eq!(
        app.pane(Protocol::Smtp).running,
        None,
        "alternatives do not take over the pane"
    );
    app.update(event(run + 7, StageName::Tls));
    assert_eq!(
        app.pane(Protocol::Smtp).running,
        None,
        "a cancelled run's late events are dropped"
    );
    let t0 = Instant::now();
    app.update(Msg::Started(t0));
    app.update(Msg::Tick(t0 + Duration::from_millis(20)));
    assert_eq!(
        app.elapsed,
        Duration::from_millis(20),
        "ticks say how long it runs"
    );
    let done = |run, ms| Msg::PaneDone {
        protocol: Protocol::Smtp,
        run,
        alternatives: vec![],
        at: t0 + Duration::from_millis(ms),
    };
    assert_eq!(
        app.update(done(run + 7, 30)),
        Action::None,
        "a cancelled run's result changes nothing"
    );
    assert!(app.running());
    assert_eq!(
        app.update(done(run, 42)),
        Action::Diagnose,
        "a finished pane asks for the findings again"
    );
    app.update(Msg::Findings(vec![]));
    assert!(!app.running());
    assert_eq!(
        app.elapsed,
        Duration::from_millis(42),
        "the run's time, when it ended"
    );
    assert_eq!(app.verdict(), None);
}

#[test]
fn apply_uses_the_suggested_endpoint_and_probes_that_pane_again() {
    let (mut app, run) = started();
    assert_eq!(app.update(Msg::Key(Key::Char('a'))), Action::None);
    assert!(app.status.is_some(), "says why nothing happened");
    let mut finding = Finding::new(
        FindingId::ConnectTimeout,
        Some(Protocol::Smtp),
        "blocked",
        "",
    );
    let working = Endpoint::parse("smtp.example.org:587/starttls", Protocol::Smtp).unwrap();
    finding.suggested = Some(working.clone());
    app.update(Msg::Findings(vec![finding]));
    let Action::Probe(runs) = app.update(Msg::Key(Key::Char('a'))) else {
        panic!("apply probes again")
    };
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].0, Protocol::Smtp);
    assert!(
        runs[0].1 > run,
        "a new run, so the old one's events are dropped"
    );
    assert_eq!(app.pane(Protocol::Smtp).endpoint, Some(working));
    assert!(app.running());
}

#[test]
fn a_wrong_setting_offers_what_the_profile_documents() {
    let mut app = app();
    assert_eq!(app.suggestion(), None, "no profile, nothing documented");
    let documented = Endpoint::parse("smtp.example.org:587/starttls", Protocol::Smtp).unwrap();
    app.profile_endpoints
        .insert(Protocol::Smtp, documented.clone());
    let offer = app.suggestion().expect("the mismatch is selected");
    assert_eq!(offer.endpoint, documented);
    assert!(!offer.works, "documented, not seen working");
    app.update(Msg::Key(Key::Down));
    assert_eq!(app.suggestion(), None, "host-alias is no wrong setting");
}

#[test]
fn edit_changes_one_pane_in_place_and_probes_only_it() {
    let mut app = app();
    app.focus = Protocol::Imap;
    app.update(Msg::Key(Key::Char('e')));
    assert!(matches!(app.overlay, Overlay::Edit(_)));
    text(&mut app, "imap.example.org");
    assert_eq!(
        app.update(Msg::Key(Key::Char('q'))),
        Action::None,
        "q is a letter here"
    );
    app.update(Msg::Key(Key::Backspace));
    let action = app.update(Msg::Key(Key::Enter));
    let Action::Probe(runs) = action else {
        panic!("Enter probes the edited pane: {action:?}")
    };
    assert_eq!(
        runs.iter().map(|r| r.0).collect::<Vec<_>>(),
        [Protocol::Imap]
    );
    assert_eq!(
        app.pane(Protocol::Imap)
            .endpoint
            .as_ref()
            .unwrap()
            .to_string(),
        "imap.example.org:993/tls"
    );
    assert_eq!(app.overlay, Overlay::None);
    app.update(Msg::Key(Key::Char('e')));
    assert_eq!(app.update(Msg::Key(Key::Esc)), Action::None);
    assert_eq!(
        app.overlay,
        Overlay::None,
        "Esc leaves the editor, not the program"
    );
}

#[test]
fn an_unconfigured_pane_fills_from_the_profile() {
    let mut app = app();
    app.focus = Protocol::Pop3;
    assert_eq!(app.update(Msg::Key(Key::Char('f'))), Action::None);
    assert!(app.status.as_deref().unwrap().contains("press e"));
    let pop = Endpoint::parse("pop.example.org:995/tls", Protocol::Pop3).unwrap();
    app.profile_endpoints.insert(Protocol::Pop3, pop.clone());
    assert!(matches!(
        app.update(Msg::Key(Key::Char('f'))),
        Action::Probe(_)
    ));
    assert_eq!(app.pane(Protocol::Pop3).endpoint, Some(pop));
}

#[test]
fn login_picker_save_and_export_ask_the_loop() {
    let mut app = app();
    app.update(Msg::Key(Key::Char('l')));
    text(&mut app, "pw");
    assert_eq!(
        app.update(Msg::Key(Key::Enter)),
        Action::Login(Secret::new("pw".into()))
    );
    assert!(app.login);
    app.profiles = vec![ProfileItem {
        id: "gmail".into(),
        name: "Gmail".into(),
        domains: vec!["gmail.com".into()],
    }];
    app.update(Msg::Key(Key::Char('p')));
    text(&mut app, "gm");
    assert_eq!(
        app.update(Msg::Key(Key::Enter)),
        Action::PickProfile("gmail".into())
    );
    app.update(Msg::Key(Key::Char('s')));
    let Overlay::Save(form) = &app.overlay else {
        panic!("s opens the save box")
    };
    assert_eq!(form.path.text, "a_example.org.maildoctor.yaml");
    assert_eq!(
        app.update(Msg::Key(Key::Enter)),
        Action::Save {
            path: PathBuf::from("a_example.org.maildoctor.yaml"),
            overwrite: false
        }
    );
    app.confirm_overwrite(std::path::Path::new("a_example.org.maildoctor.yaml"));
    assert!(
        matches!(
            app.update(Msg::Key(Key::Enter)),
            Action::Save {
                overwrite: true,
                ..
            }
        ),
        "a second Enter overwrites"
    );
    assert_eq!(app.update(Msg::Key(Key::Char('x'))), Action::Export);
    app.update(Msg::Status("saved".into()));
    assert_eq!(app.status.as_deref(), Some("saved"));
    app.update(Msg::Key(Key::Other));
    assert_eq!(app.status, None, "a key clears the last status");
}

#[test]
fn the_selection_follows_its_finding_when_others_arrive() {
    let mut app = app();
    app.update(Msg::Key(Key::Down));
    assert_eq!(app.selected_finding().unwrap().id, FindingId::HostAlias);
    let mut findings = app.findings.clone();
    findings.push(Finding::new(
        FindingId::CertExpired,
        Some(Protocol::Imap),
        "expired",
        "",
    ));
    app.update(Msg::Findings(findings));
    assert_eq!(
        app.selected_finding().unwrap().id,
        FindingId::HostAlias,
        "a new error sorted above does not change what is selected"
    );
    app.update(Msg::Findings(vec![]));
    assert_eq!(app.selected, 0);
    let mut fresh = super::tests::app();
    let mut findings = fresh.findings.clone();
    findings.push(Finding::new(
        FindingId::CertExpired,
        Some(Protocol::Imap),
        "expired",
        "",
    ));
    fresh.update(Msg::Findings(findings));
    assert_eq!(
        fresh.selected, 0,
        "untouched, the selection stays on the top finding"
    );
}

#[test]
fn rerun_clears_the_panes_and_asks_for_a_new_check() {
    let (mut app, run) = started();
    app.update(Msg::PaneDone {
        protocol: Protocol::Smtp,
        run,
        alternatives: vec![],
        at: Instant::now(),
    });
    let Action::Probe(runs) = app.update(Msg::Key(Key::Char('r'))) else {
        panic!("r probes again")
    };
    assert_eq!(runs.len(), 1);
    assert!(app.running());
    assert!(app.pane(Protocol::Smtp).endpoint.is_some());
}

fn found(spec: &str, protocol: Protocol, recommended: bool) -> FoundServer {
    FoundServer {
        protocol,
        endpoint: Endpoint::parse(spec, protocol).unwrap(),
        named_by: "SRV".into(),
        verdict: Some("works".into()),
        recommended,
    }
}

#[test]
fn d_shows_how_the_settings_were_found_only_when_they_were_discovered() {
    let mut app = app();
    app.update(Msg::Key(Key::Char('d')));
    assert_eq!(app.overlay, Overlay::None);
    assert!(
        app.status
            .as_deref()
            .is_some_and(|s| s.contains("Nothing was discovered"))
    );
    app.discovering = Some(Discovering::default());
    app.update(Msg::Key(Key::Char('d')));
    assert_eq!(app.overlay, Overlay::None);
    assert!(
        app.status
            .as_deref()
            .is_some_and(|s| s.contains("still asking"))
    );
    let view = DiscoveryView {
        sources: vec!["Discovery for example.org".into()],
        servers: vec![
            found("smtp.example.org:465/tls", Protocol::Smtp, true),
            found("mail.example.org:587/starttls", Protocol::Smtp, false),
            found("imap.example.org:993/tls", Protocol::Imap, true),
        ],
    };
    assert_eq!(app.update(Msg::DiscoveryDone(view)), Action::Diagnose);
    assert_eq!(app.discovering, None);
    app.update(Msg::Key(Key::Char('d')));
    assert_eq!(app.overlay, Overlay::Discovery { selected: 0 });
    keys(&mut app, &[Key::Down, Key::Down, Key::Down, Key::Up]);
    assert_eq!(
        app.overlay,
        Overlay::Discovery { selected: 1 },
        "the selection stays on the list"
    );
    app.update(Msg::Key(Key::Esc));
    assert_eq!(app.overlay, Overlay::None);
}

#[test]
fn a_server_discovery_found_is_put_in_its_pane_and_probed() {
    let mut app = app();
    app.discovery = Some(DiscoveryView {
        sources: Vec::new(),
        servers: vec![
            found("smtp.example.org:465/tls", Protocol::Smtp, true),
            found("imap.example.org:993/tls", Protocol::Imap, true),
        ],
    });
    let action = keys(&mut app, &[Key::Char('d'), Key::Down, Key::Enter]);
    let Action::Probe(runs) = action else {
        panic!("{action:?}");
    };
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].0, Protocol::Imap);
    assert_eq!(app.overlay, Overlay::None);
    assert_eq!(app.focus, Protocol::Imap);
    assert_eq!(
        app.pane(Protocol::Imap)
            .endpoint
            .as_ref()
            .map(ToString::to_string),
        Some("imap.example.org:993/tls".into())
    );
    // Opened again from the IMAP pane, the view starts on the server that pane uses.
    app.update(Msg::Key(Key::Char('d')));
    assert_eq!(app.overlay, Overlay::Discovery { selected: 1 });
}

#[test]
fn discovery_progress_is_kept_until_discovery_answers() {
    let mut app = app();
    app.update(Msg::Discovering(Progress::Probing { endpoints: 3 }));
    assert_eq!(app.discovering, None, "nothing asked, nothing kept");
    app.discovering = Some(Discovering::default());
    let heard = Progress::Source {
        kind: crate::discover::sources::SourceKind::Srv,
        status: crate::discover::sources::Status::Answered,
    };
    app.update(Msg::Discovering(heard.clone()));
    assert_eq!(app.discovering.as_ref().unwrap().heard, [heard]);
}

#[test]
fn a_clients_account_is_chosen_with_enter() {
    let mut app = App::new(None, None, &[], Vec::new());
    app.clients = vec![
        ClientItem {
            label: "msmtp · ~/.msmtprc · home: SMTP a:25 STARTTLS".into(),
            import: "/h/.msmtprc#home".into(),
        },
        ClientItem {
            label: "msmtp · ~/.msmtprc · work: SMTP b:465 SSL/TLS".into(),
            import: "/h/.msmtprc#work".into(),
        },
    ];
    app.overlay = Overlay::Clients { selected: 0 };
    keys(&mut app, &[Key::Down, Key::Down]);
    assert_eq!(app.overlay, Overlay::Clients { selected: 1 });
    assert_eq!(
        app.update(Msg::Key(Key::Enter)),
        Action::Import("/h/.msmtprc#work".into())
    );
    assert_eq!(app.overlay, Overlay::None);
    app.overlay = Overlay::Clients { selected: 0 };
    assert_eq!(app.update(Msg::Key(Key::Char('q'))), Action::Quit);
}

#[test]
fn the_fill_key_speaks_of_an_imap_server() {
    let mut app = app();
    app.update(Msg::Key(Key::Tab));
    app.update(Msg::Key(Key::Char('f')));
    assert_eq!(
        app.status.as_deref(),
        Some("No profile gives an IMAP server here: press e to type one, or p to pick a profile.")
    );
}
