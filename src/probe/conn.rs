//! The thin I/O layer: read one line with a deadline and a size cap, write one command,
//! keep the transcript. Works over plain TCP and TLS alike.

use std::time::{Duration, Instant};

use thiserror::Error;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::limit::secs;
use super::observation::Direction;
use super::transcript::{Transcript, redact_command};
use super::wire::{MAX_LINE, MAX_REPLY, WireError, looks_like_tls, text_line};

/// Why reading or writing a line failed.
#[derive(Debug, Error)]
pub enum ConnError {
    #[error("no answer within {}", secs(*.0))]
    Timeout(Duration),
    /// The server kept answering, but too slowly to finish the step within its limit.
    #[error("the server kept sending but did not finish within {}", secs(*.0))]
    StageTimeout(Duration),
    #[error("the server closed the connection")]
    Closed,
    #[error("the server answered with TLS, not text")]
    TlsBytes,
    #[error(transparent)]
    Wire(#[from] WireError),
    #[error("connection error: {0}")]
    Io(#[from] std::io::Error),
}

/// Whether a line may be shown as sent, or carries a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// Recorded after [`redact_command`] (which hides AUTH/LOGIN/PASS arguments).
    Command,
    /// Recorded as `<redacted>` only (SASL continuation lines: a base64 password).
    Secret,
}

/// A line-oriented connection.
pub struct Conn<S> {
    stream: S,
    buf: Vec<u8>,
    pub transcript: Transcript,
    /// IMAP command tags used so far: each command gets a fresh one, STARTTLS or not.
    tags: u32,
    /// The end of the current stage and its limit: reads never wait past it, so a server
    /// that drips a reply line by line cannot stretch a stage.
    stage: Option<(Instant, Duration)>,
    /// Whether the server sent anything since the stage began: a stage cut short while it
    /// did was too slow; one in which it said nothing got no answer.
    stage_heard: bool,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Conn<S> {
    pub fn new(stream: S, transcript: Transcript) -> Conn<S> {
        Conn {
            stream,
            buf: Vec::with_capacity(1024),
            transcript,
            tags: 0,
            stage: None,
            stage_heard: false,
        }
    }

    /// Bounds everything read from now on by `limit` in total, until the next call.
    pub fn bound_stage(&mut self, limit: Duration) {
        self.stage = Some((Instant::now() + limit, limit));
        self.stage_heard = false;
    }

    /// A tag no command on this connection has used (`a1`, `a2`, …).
    pub fn next_tag(&mut self) -> String {
        self.tags += 1;
        format!("a{}", self.tags)
    }

    /// How many tags this connection has used.
    pub fn tags_used(&self) -> u32 {
        self.tags
    }

    /// The same connection after a STARTTLS upgrade goes on counting where it was.
    pub fn continue_tags(&mut self, used: u32) {
        self.tags = used;
    }

    /// Gives back the stream (for a STARTTLS upgrade). Bytes the server sent ahead of the
    /// handshake would be a protocol violation, so they are dropped with the buffer; the
    /// transcript lives on in its shared log.
    pub fn into_stream(self) -> S {
        self.stream
    }

    /// Reads one line (CRLF or LF ended), failing on a deadline, on more than `MAX_LINE`
    /// bytes, on binary data, or on TLS bytes where text was expected.
    pub async fn read_line(&mut self, limit: Duration) -> Result<String, ConnError> {
        let stage_left = self
            .stage
            .map(|(end, stage)| (end.saturating_duration_since(Instant::now()), stage));
        let (wait, cut_by_stage) = match stage_left {
            Some((left, stage)) if left < limit => (left, Some(stage)),
            _ => (limit, None),
        };
        if let Ok(result) = tokio::time::timeout(wait, self.read_line_inner()).await {
            return result;
        }
        match cut_by_stage {
            Some(stage) if !self.stage_heard => {
                self.transcript.push(
                    Direction::Note,
                    format!("no answer within {} ms", stage.as_millis()),
                );
                Err(ConnError::Timeout(stage))
            }
            Some(stage) => {
                self.transcript.push(
                    Direction::Note,
                    format!("the step took longer than {} ms", stage.as_millis()),
                );
                Err(ConnError::StageTimeout(stage))
            }
            None => {
                self.transcript.push(
                    Direction::Note,
                    format!("no answer within {} ms", limit.as_millis()),
                );
                Err(ConnError::Timeout(limit))
            }
        }
    }

    async fn read_line_inner(&mut self) -> Result<String, ConnError> {
        loop {
            if let Some(end) = self.buf.iter().position(|&b| b == b'\n') {
                let mut raw: Vec<u8> = self.buf.drain(..=end).collect();
                raw.pop();
                if raw.last() == Some(&b'\r') {
                    raw.pop();
                }
                let line = text_line(&raw).inspect_err(|_| {
                    self.transcript.push(
                        Direction::Note,
                        format!("received {} bytes that are not text", raw.len()),
                    );
                })?;
                self.transcript.push(Direction::Received, line.clone());
                return Ok(line);
            }
            if looks_like_tls(&self.buf) {
                self.transcript.push(
                    Direction::Note,
                    "received a TLS record where text was expected",
                );
                return Err(ConnError::TlsBytes);
            }
            if self.buf.len() > MAX_LINE {
                self.transcript.push(
                    Direction::Note,
                    format!("line longer than {MAX_LINE} bytes"),
                );
                return Err(WireError::LineTooLong.into());
            }
            let mut chunk = [0u8; 4096];
            let n = self.stream.read(&mut chunk).await?;
            if n == 0 {
                self.transcript
                    .push(Direction::Note, "connection closed by the server");
                return Err(ConnError::Closed);
            }
            self.buf.extend_from_slice(&chunk[..n]);
            self.stage_heard = true;
        }
    }

    /// Reads one line of a multi-line reply, counting it against the reply's `MAX_REPLY`
    /// budget in `size` (start each reply at 0), so no server can flood a probe.
    pub async fn read_reply_line(
        &mut self,
        limit: Duration,
        size: &mut usize,
    ) -> Result<String, ConnError> {
        let line = self.read_line(limit).await?;
        *size += line.len() + 2;
        if *size > MAX_REPLY {
            self.transcript.push(
                Direction::Note,
                format!("reply longer than {MAX_REPLY} bytes"),
            );
            return Err(WireError::ReplyTooLong.into());
        }
        Ok(line)
    }

    /// Sends several commands in one write (SMTP PIPELINING, RFC 2920): one round trip for
    /// all their replies. Each is recorded as a command.
    pub async fn send_all(&mut self, lines: &[&str], limit: Duration) -> Result<(), ConnError> {
        let mut bytes = Vec::new();
        for line in lines {
            self.transcript.push(Direction::Sent, redact_command(line));
            bytes.extend_from_slice(line.as_bytes());
            bytes.extend_from_slice(b"\r\n");
        }
        self.write(&bytes, limit).await
    }

    /// Sends one line with CRLF, recording it as `shown` allows.
    pub async fn send(
        &mut self,
        line: &str,
        shown: Shown,
        limit: Duration,
    ) -> Result<(), ConnError> {
        let record = match shown {
            Shown::Command => redact_command(line),
            Shown::Secret => "<redacted>".to_owned(),
        };
        self.transcript.push(Direction::Sent, record);
        let mut bytes = Vec::with_capacity(line.len() + 2);
        bytes.extend_from_slice(line.as_bytes());
        bytes.extend_from_slice(b"\r\n");
        self.write(&bytes, limit).await
    }

    /// Writes and flushes, within `limit`.
    async fn write(&mut self, bytes: &[u8], limit: Duration) -> Result<(), ConnError> {
        let write = async {
            self.stream.write_all(bytes).await?;
            self.stream.flush().await
        };
        match tokio::time::timeout(limit, write).await {
            Ok(result) => result.map_err(ConnError::from),
            Err(_) => Err(ConnError::Timeout(limit)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    /// A connection whose server sends `bytes`, then stays open and silent like a stuck server.
    fn conn(bytes: &'static [u8]) -> Conn<tokio::io::DuplexStream> {
        let (client, mut server) = tokio::io::duplex(1 << 20);
        tokio::spawn(async move {
            let _ = server.write_all(bytes).await;
            tokio::time::sleep(Duration::from_secs(3600)).await;
        });
        Conn::new(client, Transcript::new(Instant::now()))
    }

    const SHORT: Duration = Duration::from_millis(200);

    #[tokio::test]
    async fn lines_are_split_and_recorded() {
        let mut c = conn(b"220 hello\r\n250-a\n250 b\r\n");
        assert_eq!(c.read_line(SHORT).await.unwrap(), "220 hello");
        assert_eq!(c.read_line(SHORT).await.unwrap(), "250-a");
        assert_eq!(c.read_line(SHORT).await.unwrap(), "250 b");
        assert_eq!(c.transcript.lines().len(), 3);
    }

    #[tokio::test]
    async fn silence_times_out() {
        let mut c = conn(b"220 partial line without end");
        let started = Instant::now();
        assert!(matches!(
            c.read_line(SHORT).await,
            Err(ConnError::Timeout(_))
        ));
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[tokio::test]
    async fn floods_binary_and_tls_are_refused() {
        static FLOOD: [u8; 20_000] = [b'a'; 20_000];
        assert!(matches!(
            conn(&FLOOD).read_line(SHORT).await,
            Err(ConnError::Wire(WireError::LineTooLong))
        ));
        assert!(matches!(
            conn(b"\x00\x01\x02garbage\r\n").read_line(SHORT).await,
            Err(ConnError::Wire(WireError::Binary))
        ));
        assert!(matches!(
            conn(&[0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46])
                .read_line(SHORT)
                .await,
            Err(ConnError::TlsBytes)
        ));
    }

    #[tokio::test]
    async fn secrets_are_redacted_in_the_transcript() {
        let (client, _server) = tokio::io::duplex(1024);
        let mut c = Conn::new(client, Transcript::new(Instant::now()));
        c.send("PASS hunter2", Shown::Command, SHORT).await.unwrap();
        c.send("aHVudGVyMg==", Shown::Secret, SHORT).await.unwrap();
        let lines = c.transcript.lines();
        let shown: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(shown, ["PASS <redacted>", "<redacted>"]);
    }
}
