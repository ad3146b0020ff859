//! The probe engine: real SMTP, IMAP and POP3 dialogues (in progress; see issue 3).

pub mod conn;
pub mod transcript;
pub mod wire;
