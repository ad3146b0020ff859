//! JSON rendering of reports.

use super::model::Report;

/// The report as pretty-printed JSON, one document.
pub fn to_json(report: &Report) -> String {
    // Serialising plain structs of strings and numbers cannot fail.
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
