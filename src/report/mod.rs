//! What maildoctor prints: report types (the JSON contract) and their text and JSON renderings.

mod clients;
mod discovery;
mod json;
mod markdown;
mod model;
mod nagios;
mod probe;
mod text;

pub use clients::{clients_dto, render_clients};
pub use discovery::{render_discovery, render_sources};
pub use json::to_json;
pub use markdown::render_markdown;
pub use model::{Made, Report};
pub use nagios::render_nagios;
pub use text::{render_findings, render_profile, render_profile_list, render_report};
