//! A small HTTP(S) server for discovery tests: autoconfig documents, an ISPDB, and the
//! hostile answers (huge, endless redirects, trickling, wrong certificate name). Plain HTTP
//! on 127.0.0.1:0, or any address and port given (443 needs root).

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_native_tls::native_tls;

/// What one path answers.
#[derive(Debug, Clone)]
pub enum Reply {
    /// 200 with this body (as `text/xml`).
    Xml(String),
    /// A redirect to this location (absolute or relative).
    Redirect(String),
    /// Any status, empty body.
    Status(u16),
    /// 200 with this many bytes of body.
    Huge(usize),
    /// 200, then one byte of body every this often, forever.
    Trickle(Duration),
}

/// Routes by path prefix (query strings included in what is matched, so `/x?emailaddress=`
/// matches `/x`); the first match answers, anything else is a 404. Every request line is
/// recorded.
#[derive(Debug, Clone, Default)]
pub struct Site {
    pub routes: Vec<(String, Reply)>,
}

/// The request lines the server saw, in order.
pub type Log = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

/// Serves `site` on `addr` (port 0 for any), with TLS when an identity is given.
pub fn serve_site(addr: &str, site: Site, tls: Option<native_tls::Identity>) -> (SocketAddr, Log) {
    let rt = super::runtime();
    let listener = rt.block_on(TcpListener::bind(addr)).unwrap();
    let bound = listener.local_addr().unwrap();
    let log: Log = Log::default();
    let acceptor = tls
        .map(|id| tokio_native_tls::TlsAcceptor::from(native_tls::TlsAcceptor::new(id).unwrap()));
    let seen = log.clone();
    rt.spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let (site, seen, acceptor) = (site.clone(), seen.clone(), acceptor.clone());
            tokio::spawn(async move {
                match acceptor {
                    Some(acceptor) => {
                        if let Ok(tls) = acceptor.accept(stream).await {
                            answer(tls, &site, &seen).await;
                        }
                    }
                    None => answer(stream, &site, &seen).await,
                }
            });
        }
    });
    (bound, log)
}

async fn answer<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S, site: &Site, log: &Log) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 {
        match stream.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let line = text.lines().next().unwrap_or_default().to_owned();
    log.lock().unwrap().push(line.clone());
    let path = line.split(' ').nth(1).unwrap_or("/");
    let reply = site
        .routes
        .iter()
        .find(|(prefix, _)| path.starts_with(prefix.as_str()))
        .map_or(Reply::Status(404), |(_, r)| r.clone());
    let _ = match reply {
        Reply::Xml(body) => {
            respond(
                &mut stream,
                "200 OK",
                &[("Content-Type", "text/xml")],
                body.as_bytes(),
            )
            .await
        }
        Reply::Redirect(to) => respond(&mut stream, "302 Found", &[("Location", &to)], b"").await,
        Reply::Status(code) => respond(&mut stream, &format!("{code} Whatever"), &[], b"").await,
        Reply::Huge(size) => {
            respond(
                &mut stream,
                "200 OK",
                &[("Content-Type", "text/xml")],
                &vec![b'x'; size],
            )
            .await
        }
        Reply::Trickle(every) => {
            let headers =
                "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 1000000\r\n\r\n";
            let _ = stream.write_all(headers.as_bytes()).await;
            loop {
                tokio::time::sleep(every).await;
                if stream.write_all(b"<").await.is_err() || stream.flush().await.is_err() {
                    break;
                }
            }
            Ok(())
        }
    };
    let _ = stream.shutdown().await;
}

async fn respond<S: AsyncWrite + Unpin>(
    stream: &mut S,
    status: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body).await?;
    stream.flush().await
}

/// An autoconfig document naming these servers: `(type, host, port, socketType)`.
pub fn autoconfig(domain: &str, servers: &[(&str, &str, u16, &str)]) -> String {
    let mut body = String::new();
    for (kind, host, port, socket) in servers {
        let element = if *kind == "smtp" {
            "outgoingServer"
        } else {
            "incomingServer"
        };
        let _ = writeln!(
            body,
            "<{element} type=\"{kind}\"><hostname>{host}</hostname><port>{port}</port><socketType>{socket}</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></{element}>"
        );
    }
    format!(
        "<?xml version=\"1.0\"?>\n<clientConfig version=\"1.1\"><emailProvider id=\"{domain}\"><domain>{domain}</domain>\n{body}</emailProvider></clientConfig>\n"
    )
}
