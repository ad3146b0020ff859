//! Reading a JSON report the way every test asserts on it.

use std::collections::BTreeSet;

use maildoctor::exit::ExitStatus;
use maildoctor::finding::FindingId;
use serde_json::Value;

/// The report's findings as `protocol:id` (`*` for the account as a whole).
pub fn ids(report: &Value) -> BTreeSet<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}:{}",
                f["protocol"].as_str().unwrap_or("*"),
                f["id"].as_str().unwrap()
            )
        })
        .collect()
}

pub fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// The exit code a run with these `protocol:id` findings must end with, from the catalogue's
/// severities: the worst finding decides.
pub fn expected_exit(want: &[&str]) -> u8 {
    let worst = want
        .iter()
        .map(|w| {
            let id = w.rsplit(':').next().unwrap_or(w);
            FindingId::from_id(id)
                .unwrap_or_else(|| panic!("{id} is not in the catalogue"))
                .default_severity()
        })
        .max();
    ExitStatus::from_worst(worst).code()
}

/// What in a report breaks the committed schema (empty when it fits).
pub fn schema_errors(report: &Value) -> Vec<String> {
    static SCHEMA: std::sync::OnceLock<jsonschema::Validator> = std::sync::OnceLock::new();
    let validator = SCHEMA.get_or_init(|| {
        let schema: Value =
            serde_json::from_str(include_str!("../../schema/report.schema.json")).unwrap();
        jsonschema::validator_for(&schema).unwrap()
    });
    validator
        .iter_errors(report)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}
