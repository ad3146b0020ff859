//! The transcript of a dialogue: every line sent and received, with its time offset.
//! Secrets are redacted where the line is made, so no later output can leak them.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::events::{EventSink, ProbeEvent};
use super::observation::{Direction, TranscriptLine};
use super::scrub::Scrubber;

/// Lines in the order they happened, timed from the start of the endpoint's probe.
/// Each line is also sent to the event sink as it happens, for live views. Clones share the
/// same lines, so a dialogue cut off by a time limit still leaves its transcript behind.
#[derive(Debug, Clone)]
pub struct Transcript {
    start: Instant,
    lines: Arc<Mutex<Vec<TranscriptLine>>>,
    sink: Option<EventSink>,
    /// Every secret the check sends, to scrub from what the server says.
    scrubber: Arc<Scrubber>,
}

impl Transcript {
    pub fn new(start: Instant) -> Transcript {
        Transcript {
            start,
            lines: Arc::default(),
            sink: None,
            scrubber: Arc::default(),
        }
    }

    /// A transcript that writes into `log` and streams its lines to `sink` too.
    pub fn streaming(
        start: Instant,
        sink: EventSink,
        log: Arc<Mutex<Vec<TranscriptLine>>>,
        scrubber: Arc<Scrubber>,
    ) -> Transcript {
        Transcript {
            start,
            lines: log,
            sink: Some(sink),
            scrubber,
        }
    }

    /// A transcript for a connection that runs beside the main one: same clock and scrubber,
    /// lines of its own (neither shared nor streamed), so they can be told as one block with
    /// [`Transcript::append`] instead of interleaved with the main dialogue's.
    pub fn aside(&self) -> Transcript {
        Transcript {
            start: self.start,
            lines: Arc::default(),
            sink: None,
            scrubber: Arc::clone(&self.scrubber),
        }
    }

    /// Adds lines recorded elsewhere (by an [`aside`](Transcript::aside) transcript), keeping
    /// their times.
    pub fn append(&mut self, lines: Vec<TranscriptLine>) {
        for line in lines {
            self.record(line);
        }
    }

    /// Records a line, scrubbed of every secret the check sends (a server may echo them).
    pub fn push(&mut self, direction: Direction, text: impl Into<String>) {
        let text = text.into();
        let line = TranscriptLine {
            at: self.start.elapsed(),
            direction,
            text: self.scrubber.scrub(&text).into_owned(),
        };
        self.record(line);
    }

    /// Streams a finished line to the sink, if any, and keeps it.
    fn record(&mut self, line: TranscriptLine) {
        if let Some(sink) = &self.sink {
            sink.send(|id| ProbeEvent::Transcript {
                id,
                line: line.clone(),
            });
        }
        self.lines
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(line);
    }

    /// A copy of the lines so far.
    pub fn lines(&self) -> Vec<TranscriptLine> {
        self.lines
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

/// The form of a command line that may be shown: credentials replaced by `<redacted>`.
/// Applies to what a probe sends: SMTP `AUTH` and its base64 continuations, IMAP `LOGIN` and
/// `AUTHENTICATE`, POP3 `PASS` and `AUTH`.
pub fn redact_command(line: &str) -> String {
    let mut words = line.split(' ');
    let first = words.next().unwrap_or_default();
    let upper_first = first.to_ascii_uppercase();
    match upper_first.as_str() {
        // A mechanism alone carries no secret (the response follows the server's "+"); the
        // transcript must say truthfully whether anything rode on the line.
        "AUTH" => match (words.next(), words.next()) {
            (Some(mechanism), Some(_)) => format!("AUTH {mechanism} <redacted>"),
            (Some(mechanism), None) => format!("AUTH {mechanism}"),
            (None, _) => line.to_owned(),
        },
        "PASS" => "PASS <redacted>".to_owned(),
        _ => {
            // IMAP: "TAG LOGIN user pass" / "TAG AUTHENTICATE MECH payload"
            let second = words.next().map(str::to_ascii_uppercase);
            match second.as_deref() {
                Some("LOGIN") => format!("{first} LOGIN <redacted>"),
                Some("AUTHENTICATE") => match (words.next(), words.next()) {
                    (Some(mechanism), Some(_)) => {
                        format!("{first} AUTHENTICATE {mechanism} <redacted>")
                    }
                    (Some(mechanism), None) => format!("{first} AUTHENTICATE {mechanism}"),
                    (None, _) => line.to_owned(),
                },
                _ => line.to_owned(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_survive_redaction() {
        let secret = "hunter2";
        for line in [
            "AUTH PLAIN AGFsaWNlAGh1bnRlcjI=",
            "PASS hunter2",
            "a3 LOGIN \"alice\" \"hunter2\"",
            "a3 login alice hunter2",
            "a4 AUTHENTICATE PLAIN AGFsaWNlAGh1bnRlcjI=",
            "AUTH XOAUTH2 dXNlcj1hbGljZQFhdXRoPUJlYXJlciBodW50ZXIyAQE=",
        ] {
            let shown = redact_command(line);
            assert!(
                !shown.contains(secret)
                    && !shown.contains("AGFsaWNl")
                    && !shown.contains("dXNlcj1"),
                "{line} -> {shown}"
            );
            assert!(shown.contains("<redacted>"), "{shown}");
        }
        assert_eq!(
            redact_command("EHLO maildoctor.invalid"),
            "EHLO maildoctor.invalid"
        );
        assert_eq!(redact_command("a1 CAPABILITY"), "a1 CAPABILITY");
        // Nothing rides on a mechanism-only line, and the transcript says so.
        assert_eq!(redact_command("AUTH XOAUTH2"), "AUTH XOAUTH2");
        assert_eq!(
            redact_command("a3 AUTHENTICATE XOAUTH2"),
            "a3 AUTHENTICATE XOAUTH2"
        );
    }
}
