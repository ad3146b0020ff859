//! Runs every case of `tests/data/lint_cases.yaml` through the same path as `maildoctor lint`.

use std::collections::BTreeSet;

use jiff::civil::Date;
use maildoctor::account::AccountLayer;
use maildoctor::finding::worst;
use maildoctor::lint::lint_resolved;
use maildoctor::profile::ProfileStore;
use maildoctor::resolve::resolve;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    account: AccountLayer,
    #[serde(default)]
    as_of: Option<Date>,
    expect: Vec<String>,
    #[serde(default)]
    worst: Option<String>,
}

#[test]
fn every_lint_case_gives_exactly_the_expected_findings() {
    let text = include_str!("data/lint_cases.yaml");
    let cases: Vec<Case> = maildoctor::yaml::from_str(text)
        .unwrap_or_else(|e| panic!("lint_cases.yaml:{}:{}: {}", e.line, e.column, e.message));
    let store = ProfileStore::embedded().unwrap();
    let default_day = Date::constant(2026, 11, 23);
    let mut failures = Vec::new();
    for case in &cases {
        let resolved = match resolve(case.account.clone(), &store) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{}: resolve failed: {e}", case.name));
                continue;
            }
        };
        let findings = lint_resolved(&resolved, &store, case.as_of.unwrap_or(default_day));
        let got: BTreeSet<String> = findings
            .iter()
            .map(|f| format!("{}:{}", f.protocol.map_or("*", |p| p.as_str()), f.id))
            .collect();
        let want: BTreeSet<String> = case.expect.iter().cloned().collect();
        if got != want {
            failures.push(format!(
                "{}:\n    want {want:?}\n    got  {got:?}",
                case.name
            ));
        }
        if let Some(level) = &case.worst {
            let got = worst(&findings).map_or("ok", |s| s.as_str());
            if got != level {
                failures.push(format!("{}: worst severity {got}, want {level}", case.name));
            }
        }
    }
    assert!(
        cases.len() >= 30,
        "the table shrank to {} cases",
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
