//! maildoctor: finds out why a mail account cannot send or receive.
//!
//! The settings model ([`account`]) and provider knowledge ([`profile`]) feed pure rules
//! ([`lint`]) that produce [`finding`]s; [`report`] renders them; [`commands`] wires the commands.

pub mod account;
pub mod check;
pub mod cli;
pub mod commands;
pub mod diagnose;
pub mod discover;
pub mod excerpt;
pub mod exit;
pub mod files;
pub mod finding;
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing;
pub mod glyphs;
pub mod import;
pub mod install;
pub mod lint;
pub mod oauth;
pub mod probe;
pub mod profile;
pub mod report;
pub mod resolve;
pub mod secret;
pub mod terminal;
pub mod tui;
pub mod yaml;
