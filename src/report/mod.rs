//! What maildoctor prints: report types (the JSON contract) and their text and JSON renderings.

mod json;
mod markdown;
mod model;
mod probe;
mod text;

pub use json::to_json;
pub use markdown::render_markdown;
pub use model::Report;
pub use text::{render_profile, render_profile_list, render_report};
