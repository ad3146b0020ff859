//! The probe engine: real SMTP, IMAP and POP3 dialogues, every stage under its own limit.

pub(crate) mod conn;
pub(crate) mod connect;
pub mod dialogue;
pub mod dns;
pub(crate) mod endpoint;
pub mod engine;
pub mod events;
pub mod limit;
pub mod observation;
pub(crate) mod quickack;
pub(crate) mod record;
pub mod scrub;
pub mod settings;
pub mod tls;
pub(crate) mod transcript;
pub mod trust;
pub mod wire;
