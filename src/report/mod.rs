//! What maildoctor prints: report types (the JSON contract) and their text and JSON renderings.

mod json;
mod model;
mod text;

pub use json::to_json;
pub use model::{AccountDto, EndpointDto, FindingDto, Report, SCHEMA_VERSION, Summary};
pub use text::{render_profile, render_profile_list, render_report};
