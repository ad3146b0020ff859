//! The dashboard's effects without a terminal: picking a profile, logging in, saving the
//! account file and exporting the report. No network: nothing here starts a probe.

use std::collections::VecDeque;

use clap::Parser;
use maildoctor::account::{Protocol, load_account_file};
use maildoctor::cli::Cli;
use maildoctor::probe::dialogue::Secret;
use maildoctor::profile::ProfileStore;
use maildoctor::tui::model::{Action, App, Msg};
use maildoctor::tui::theme::Theme;
use maildoctor::tui::{Dashboard, Saved};

fn dashboard(args: &[&str]) -> Dashboard {
    let cli = Cli::try_parse_from(
        ["maildoctor", "--as-of", "2026-11-26"]
            .into_iter()
            .chain(args.iter().copied()),
    )
    .expect("valid arguments");
    let store = ProfileStore::load(&[]).unwrap();
    let mut dashboard = maildoctor::commands::dashboard(&cli, &store).unwrap();
    dashboard.theme = Theme {
        color: false,
        ascii: true,
    };
    dashboard
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("maildoctor-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Carries out an action as the dashboard's loop does: what `perform` says goes through
/// `update`, whose action is performed in turn. Returns every action `update` asked for, or
/// `None` when one was to quit. Nothing is probed: the dashboard has no channel here.
fn carry_out(d: &mut Dashboard, app: &mut App, action: Action) -> Option<Vec<Action>> {
    let mut seen = Vec::new();
    let mut pending: VecDeque<Msg> = d.perform(action, app)?.into();
    while let Some(msg) = pending.pop_front() {
        let action = app.update(msg);
        seen.push(action.clone());
        pending.extend(d.perform(action, app)?);
    }
    Some(seen)
}

#[test]
fn picking_a_profile_fills_the_empty_panes_and_keeps_the_typed_ones() {
    let mut d = dashboard(&["alice@example.org", "--smtp", "127.0.0.1:465/starttls"]);
    let mut app = d.new_app();
    assert_eq!(app.profile, None);
    assert!(app.pane(Protocol::Imap).endpoint.is_none());
    let actions = carry_out(&mut d, &mut app, Action::PickProfile("gmail".into()))
        .expect("picking does not quit");
    let runs: Vec<_> = actions
        .iter()
        .filter_map(|a| match a {
            Action::Probe(runs) => Some(runs.len()),
            _ => None,
        })
        .collect();
    assert_eq!(runs, [3], "every pane is probed again: {actions:?}");
    assert!(
        app.status
            .as_deref()
            .unwrap()
            .contains("Comparing with profile gmail")
    );
    assert_eq!(app.profile.as_deref(), Some("gmail"));
    assert_eq!(
        app.pane(Protocol::Imap)
            .endpoint
            .as_ref()
            .unwrap()
            .to_string(),
        "imap.gmail.com:993/tls"
    );
    assert_eq!(
        app.pane(Protocol::Smtp)
            .endpoint
            .as_ref()
            .unwrap()
            .to_string(),
        "127.0.0.1:465/starttls",
        "what the user typed stays"
    );
    // Probing took the panes' endpoints into the account and ran the static rules on them.
    let ids: Vec<&str> = d
        .checkup
        .static_findings
        .iter()
        .map(|f| f.id.as_str())
        .collect();
    assert!(ids.contains(&"port-security-mismatch"), "{ids:?}");
    assert!(d.pick_profile("no-such-provider", &app).is_err());
}

#[test]
fn a_login_from_the_prompt_covers_every_protocol_with_its_user_name() {
    let mut d = dashboard(&["alice@example.org", "--smtp", "127.0.0.1:587"]);
    d.login(Secret::new("pw".into())).unwrap();
    assert_eq!(d.checkup.settings.credentials.len(), 3);
    assert!(
        d.checkup
            .settings
            .credentials
            .values()
            .all(|c| c.username == "alice@example.org" && c.secret.expose() == "pw")
    );
    assert!(
        d.login(Secret::new("a\nb".into())).is_err(),
        "line breaks refused"
    );
    let mut oauth = dashboard(&[
        "alice@example.org",
        "--smtp",
        "127.0.0.1:587",
        "--auth",
        "oauth2",
    ]);
    let why = oauth.login(Secret::new("pw".into())).unwrap_err();
    assert!(why.contains("--oauth-token-env"), "{why}");
    let mut app = oauth.new_app();
    let actions = carry_out(
        &mut oauth,
        &mut app,
        Action::Login(Secret::new("pw".into())),
    )
    .expect("a refused login does not quit");
    assert!(
        !actions.iter().any(|a| matches!(a, Action::Probe(_))),
        "nothing is probed with a refused login: {actions:?}"
    );
    assert!(!app.login);
    assert!(app.status.as_deref().unwrap().contains("OAuth2"));
    assert!(oauth.perform(Action::Quit, &app).is_none());
}

#[test]
fn the_saved_account_file_reads_back_and_the_export_writes_both_reports() {
    let dir = scratch("session");
    let mut d = dashboard(&[
        "alice@example.org",
        "--smtp",
        "127.0.0.1:465/starttls",
        "--imap",
        "127.0.0.1:143",
    ]);
    let app = d.new_app();
    d.login(Secret::new("never-written".into())).unwrap();
    let path = dir.join("alice.yaml");
    let Saved::Written(said) = d.save(&path, false) else {
        panic!("a new file is written")
    };
    assert!(said.starts_with("Saved "), "{said}");
    assert_eq!(
        d.save(&path, false),
        Saved::Exists,
        "never overwritten unasked"
    );
    assert!(matches!(d.save(&path, true), Saved::Written(_)));
    let layer = load_account_file(&path).unwrap();
    assert_eq!(layer.smtp.unwrap().port, Some(465));
    assert_eq!(layer.address.as_deref(), Some("alice@example.org"));
    let at: jiff::Timestamp = "2026-11-26T12:00:00Z".parse().unwrap();
    let said = d.export(&app, &dir, at);
    assert!(said.starts_with("Report written"), "{said}");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 3, "{names:?}");
    for name in &names {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        assert!(!text.contains("never-written"), "{name}");
    }
    let json = names
        .iter()
        .find(|n| std::path::Path::new(n).extension() == Some("json".as_ref()))
        .unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(json)).unwrap()).unwrap();
    assert_eq!(json["summary"]["worst"], "error");
    let Saved::Failed(said) = d.save(&dir.join("missing-dir/x.yaml"), false) else {
        panic!("an unwritable path is reported, not fatal")
    };
    assert!(said.starts_with("Cannot save"), "{said}");
    assert!(
        names.contains(&"maildoctor-report-20261126-120000.md".to_owned()),
        "{names:?}"
    );
    let said = d.export(&app, &dir, at);
    assert!(
        said.contains("maildoctor-report-20261126-120000-2.md")
            && said.contains("maildoctor-report-20261126-120000-2.json"),
        "a second export in the same second gets its own files: {said}"
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 5);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn only_keeps_the_other_panes_empty_even_with_a_profile() {
    let d = dashboard(&["alice@gmail.com", "--only", "smtp"]);
    let mut app = d.new_app();
    assert!(app.pane(Protocol::Smtp).endpoint.is_some());
    assert!(app.pane(Protocol::Imap).endpoint.is_none());
    assert!(app.pane(Protocol::Pop3).endpoint.is_none());
    let runs = app.start_all();
    assert_eq!(runs.len(), 1, "only SMTP is probed: {runs:?}");
    assert!(
        app.profile_endpoints.contains_key(&Protocol::Imap),
        "f can still fill IMAP on purpose"
    );
}

#[test]
fn only_keeps_the_other_servers_in_the_account_for_the_rules_and_the_saved_file() {
    let dir = scratch("only");
    let mut d = dashboard(&[
        "alice@example.org",
        "--smtp",
        "127.0.0.1:587",
        "--imap",
        "127.0.0.1:143/tls",
        "--only",
        "smtp",
    ]);
    let mut app = d.new_app();
    assert!(
        app.pane(Protocol::Imap).endpoint.is_none(),
        "IMAP not shown"
    );
    let first = app.start_all();
    carry_out(&mut d, &mut app, Action::Probe(first)).expect("probing does not quit");
    let imap_mismatch =
        d.checkup.static_findings.iter().any(|f| {
            f.protocol == Some(Protocol::Imap) && f.id.as_str() == "port-security-mismatch"
        });
    assert!(
        imap_mismatch,
        "the IMAP server given is still linted, as `check --only smtp` does"
    );
    carry_out(&mut d, &mut app, Action::PickProfile("gmail".into())).unwrap();
    assert_eq!(
        d.checkup
            .resolved
            .account
            .endpoint(Protocol::Imap)
            .map(ToString::to_string)
            .as_deref(),
        Some("127.0.0.1:143/tls"),
        "picking a profile keeps the IMAP server given"
    );
    let path = dir.join("only.yaml");
    assert!(matches!(d.save(&path, false), Saved::Written(_)));
    let saved = load_account_file(&path).unwrap();
    assert_eq!(
        saved.imap.map(|e| e.port),
        Some(Some(143)),
        "the saved file keeps it"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_export_of_an_imported_account_names_the_client_file_as_check_does() {
    let dir = scratch("export-source");
    let msmtprc = dir.join("msmtprc");
    std::fs::write(
        &msmtprc,
        "account work\nhost 127.0.0.1\nport 465\ntls on\ntls_starttls on\nfrom alice@example.org\nuser alice@example.org\n",
    )
    .unwrap();
    let spec = format!("{}#work", msmtprc.display());
    let d = dashboard(&["--import", &spec]);
    let app = d.new_app();
    let at: jiff::Timestamp = "2026-11-26T12:00:00Z".parse().unwrap();
    let said = d.export(&app, &dir, at);
    assert!(said.starts_with("Report written"), "{said}");
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("maildoctor-report-20261126-120000.json")).unwrap(),
    )
    .unwrap();
    let source = &json["account"]["source"];
    assert_eq!(source["format"], "msmtp", "{json:#}");
    assert_eq!(source["account"], "work", "{json:#}");
    // The client's own words for the fix, as `check --import` gives them.
    let findings = json["findings"].as_array().unwrap();
    assert!(
        findings.iter().any(|f| f["client_fix"].is_string()),
        "{findings:#?}"
    );
    let markdown =
        std::fs::read_to_string(dir.join("maildoctor-report-20261126-120000.md")).unwrap();
    assert!(markdown.contains("msmtp"), "{markdown}");
    let _ = std::fs::remove_dir_all(&dir);
}
