//! The probe engine: real SMTP, IMAP and POP3 dialogues, every stage under its own limit.

pub mod conn;
pub mod connect;
pub mod dialogue;
pub mod dns;
pub mod endpoint;
pub mod engine;
pub mod events;
pub mod observation;
pub mod quickack;
pub mod settings;
pub mod tls;
pub mod transcript;
pub mod trust;
pub mod wire;
