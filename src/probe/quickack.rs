//! A TCP stream that acknowledges what it receives at once.
//!
//! Mail dialogues are small exchanges, and servers write some replies in pieces (Postfix's
//! multi-line EHLO answer after STARTTLS, for one). When the server has Nagle's algorithm on,
//! its second piece waits for our ACK of the first, and Linux delays that ACK by up to 40 ms:
//! a stall the user would read as a slow server. Setting `TCP_QUICKACK` before each read keeps
//! our ACKs immediate (the kernel drops the flag on its own, hence every read).

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// A [`TcpStream`] whose reads are acknowledged without delay.
#[derive(Debug)]
pub struct QuickAck(pub TcpStream);

impl AsyncRead for QuickAck {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        #[cfg(target_os = "linux")]
        {
            // Best effort: without it the dialogue is only slower, never wrong.
            let _ = socket2::SockRef::from(&self.0).set_tcp_quickack(true);
        }
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for QuickAck {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}
