//! A thin layer under the TLS stream that keeps the first bytes the server sent: the
//! ServerHello (plaintext in every TLS version) says which version and cipher suite were
//! chosen, and whether a failed handshake failed against a TLS server at all.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// How many of the first received bytes are kept: a ServerHello fits well within.
const KEPT: usize = 4096;

/// The bytes a [`Recorder`] kept, shared with whoever reads them after the handshake.
pub type Seen = Arc<Mutex<Vec<u8>>>;

pub struct Recorder<S> {
    inner: S,
    seen: Seen,
    /// How many bytes were kept: once [`KEPT`], reads pass through without the lock.
    kept: usize,
}

impl<S> Recorder<S> {
    pub fn new(inner: S, seen: Seen) -> Recorder<S> {
        Recorder {
            inner,
            seen,
            kept: 0,
        }
    }
}

/// A copy of the kept bytes.
pub fn first_bytes(seen: &Seen) -> Vec<u8> {
    seen.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
}

impl<S: AsyncRead + Unpin> AsyncRead for Recorder<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if self.kept < KEPT
            && let Poll::Ready(Ok(())) = &polled
        {
            let new = &buf.filled()[before..];
            let take = new.len().min(KEPT - self.kept);
            self.seen
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .extend_from_slice(&new[..take]);
            self.kept += take;
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Recorder<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, data)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
