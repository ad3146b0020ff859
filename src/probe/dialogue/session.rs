//! The connection a dialogue runs over and why a step stops: what the protocol modules share,
//! kept apart from the dispatch in `mod.rs` so they need not reach back up to it.

use thiserror::Error;
use tokio::io::{AsyncRead, AsyncWrite};

use crate::probe::conn::{Conn, ConnError};
use crate::probe::wire::WireError;

/// Any stream a dialogue runs over: plain TCP, TLS, or a test pipe.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// A boxed stream, so STARTTLS can swap plain TCP for TLS under the same connection type.
pub type BoxStream = Box<dyn Io>;

/// The connection every dialogue uses.
pub type Session = Conn<BoxStream>;

/// Why a dialogue step stopped.
#[derive(Debug, Error)]
pub enum Stop {
    #[error(transparent)]
    Conn(#[from] ConnError),
    /// The server refused (a 4xx/5xx reply, `NO`/`BAD`, `-ERR`), with its exact words.
    #[error("the server answered: {0}")]
    Refused(String),
}

impl From<WireError> for Stop {
    fn from(e: WireError) -> Stop {
        Stop::Conn(ConnError::Wire(e))
    }
}
