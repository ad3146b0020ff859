//! Exit codes, as monitoring systems (Nagios and its heirs) read them.

use crate::finding::Severity;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// No warnings or errors (info findings allowed).
    Ok,
    /// The worst finding is a warning.
    Warning,
    /// The worst finding is an error.
    Error,
    /// maildoctor could not do its job: bad arguments, unreadable file, unknown profile.
    Failure,
}

impl ExitStatus {
    pub fn from_worst(worst: Option<Severity>) -> ExitStatus {
        match worst {
            None | Some(Severity::Info) => ExitStatus::Ok,
            Some(Severity::Warning) => ExitStatus::Warning,
            Some(Severity::Error) => ExitStatus::Error,
        }
    }

    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Ok => 0,
            ExitStatus::Warning => 1,
            ExitStatus::Error => 2,
            ExitStatus::Failure => 3,
        }
    }
}
