//! Shared by the integration tests: in-process fixture mail servers on 127.0.0.1:0, one per odd
//! behaviour, and a test CA (here); reading reports (`report`), the lab's address (`lab`), a
//! private tmux (`tmux`), a delaying proxy that counts round trips (`delay`).
//! The fixtures run on a background runtime so tests can call maildoctor's blocking entry point.

// Not every test uses every helper; a fixture server reads best as one story.
#![allow(dead_code, clippy::too_many_lines)]

pub mod delay;
pub mod dns;
pub mod http;
pub mod lab;
pub mod report;
pub mod tmux;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_native_tls::{TlsAcceptor, native_tls};

pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    })
}

/// A test certificate authority and the certificates it (or nobody) signs.
pub struct Pki {
    pub ca_pem: String,
    pub ca_file: PathBuf,
    issuer: rcgen::Issuer<'static, rcgen::KeyPair>,
    _dir: tempfile::TempDir,
}

/// Which certificate a TLS fixture presents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cert {
    /// For 127.0.0.1 and localhost, signed by the test CA, valid for a year.
    Good,
    Expired,
    NotYetValid,
    SelfSigned,
    /// For another name, signed by the test CA.
    WrongName,
    /// Re-signed by an antivirus program's own root, as its mail shield does.
    Intercepted,
    /// Valid for only 5 more days.
    ExpiringSoon,
}

pub fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "maildoctor test CA");
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let ca_file = dir.path().join("ca.pem");
        std::fs::write(&ca_file, cert.pem()).unwrap();
        Pki {
            ca_pem: cert.pem(),
            ca_file,
            issuer: rcgen::Issuer::new(params, key),
            _dir: dir,
        }
    })
}

fn days_from_now(days: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc() + time::Duration::days(days)
}

impl Pki {
    /// A server identity (certificate + key) of the given kind.
    pub fn identity(&self, kind: Cert) -> native_tls::Identity {
        let (cert, key) = self.pem(kind);
        native_tls::Identity::from_pkcs8(cert.as_bytes(), key.as_bytes()).unwrap()
    }

    /// A server identity for these names, signed by the test CA.
    pub fn identity_for(&self, names: &[&str]) -> native_tls::Identity {
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let mut params = rcgen::CertificateParams::new(names).unwrap();
        params.not_before = days_from_now(-1);
        params.not_after = days_from_now(365);
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        native_tls::Identity::from_pkcs8(cert.pem().as_bytes(), key.serialize_pem().as_bytes())
            .unwrap()
    }

    /// The certificate and key of the given kind, as PEM.
    pub fn pem(&self, kind: Cert) -> (String, String) {
        let names = match kind {
            Cert::WrongName => vec!["mail.other.example".to_owned()],
            _ => vec!["localhost".to_owned(), "127.0.0.1".to_owned()],
        };
        let mut params = rcgen::CertificateParams::new(names).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "fixture.test");
        let (from, to) = match kind {
            Cert::Expired => (-400, -30),
            Cert::NotYetValid => (30, 400),
            Cert::ExpiringSoon => (-300, 5),
            _ => (-1, 365),
        };
        params.not_before = days_from_now(from);
        params.not_after = days_from_now(to);
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = match kind {
            Cert::SelfSigned => params.self_signed(&key).unwrap(),
            Cert::Intercepted => {
                let mut root = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
                root.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
                root.distinguished_name
                    .push(rcgen::DnType::CommonName, "Avast Web/Mail Shield Root");
                let root_key = rcgen::KeyPair::generate().unwrap();
                let shield = rcgen::Issuer::new(root, root_key);
                params.signed_by(&key, &shield).unwrap()
            }
            _ => params.signed_by(&key, &self.issuer).unwrap(),
        };
        (cert.pem(), key.serialize_pem())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proto {
    Smtp,
    Imap,
    Pop3,
}

/// How a fixture encrypts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tls {
    None,
    /// TLS from the first byte.
    Implicit(Cert),
    /// Plaintext greeting, STARTTLS offered.
    Starttls(Cert),
    /// TLS from the first byte, but only TLS 1.1 or older.
    ImplicitOld,
}

/// A well-behaved mail server with knobs for the odd cases.
#[derive(Debug, Clone)]
pub struct MailServer {
    pub proto: Proto,
    pub tls: Tls,
    /// The greeting line, instead of the protocol's usual one.
    pub greeting: Option<&'static str>,
    /// The greeting as raw bytes (8-bit banners), instead of either.
    pub greeting_bytes: Option<&'static [u8]>,
    pub greeting_delay: Duration,
    /// Reply to STARTTLS with this refusal instead of going ahead.
    pub refuse_starttls: Option<&'static str>,
    /// SASL mechanisms offered after TLS (or always, without TLS).
    pub auth: &'static str,
    /// Offer login methods before STARTTLS too (what a careless server does).
    pub auth_before_tls: bool,
    /// IMAP: list no login method before STARTTLS and leave out LOGINDISABLED all the same
    /// (servers that refuse LOGIN there without saying so).
    pub no_logindisabled: bool,
    /// The password that logs in; any other is refused.
    pub password: &'static str,
    /// The refusal text for a bad login.
    pub refusal: &'static str,
    /// Understands EHLO; a very old SMTP server knows only HELO.
    pub ehlo: bool,
    /// Hostile: every reply ends with what the client sent, and its last word base64-decoded.
    pub echo: bool,
    /// How long it thinks before it answers a login (slow servers, penalty delays).
    pub login_delay: Duration,
    /// SMTP: this reply to AUTH, whatever was sent (a server that answers 250).
    pub auth_reply: Option<&'static str>,
    /// This reply to any login before encryption, though login is advertised there
    /// (nodemailer's smtp-server: "538 5.7.11 Must issue a STARTTLS command first").
    pub refuse_auth_before_tls: Option<&'static str>,
    /// IMAP: an `* OK [ALERT] …` line sent with the answer to a login.
    pub login_alert: Option<&'static str>,
    /// SMTP: the reply to MAIL FROM, instead of `250 2.1.0 Ok`.
    pub mail_from_reply: Option<&'static str>,
    /// SMTP: the reply to RCPT TO, instead of `250 2.1.5 Ok`.
    pub rcpt_reply: Option<&'static str>,
    /// SMTP: a failed XOAUTH2 is first answered with this challenge (base64 JSON details).
    pub xoauth2_challenge: Option<&'static str>,
    /// IMAP: the completion of EXAMINE INBOX after the tag, instead of 3 messages and OK.
    pub examine_reply: Option<&'static str>,
    /// POP3: the reply to STAT, instead of `+OK 3 4567`.
    pub stat_reply: Option<&'static str>,
    /// Every line the clients sent, in order: what a test may say was never sent.
    pub seen: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl MailServer {
    pub fn new(proto: Proto, tls: Tls) -> MailServer {
        MailServer {
            proto,
            tls,
            greeting: None,
            greeting_bytes: None,
            greeting_delay: Duration::ZERO,
            refuse_starttls: None,
            auth_before_tls: false,
            no_logindisabled: false,
            auth: "PLAIN LOGIN",
            password: "correct horse",
            ehlo: true,
            echo: false,
            login_delay: Duration::ZERO,
            auth_reply: None,
            refuse_auth_before_tls: None,
            login_alert: None,
            mail_from_reply: None,
            rcpt_reply: None,
            xoauth2_challenge: None,
            examine_reply: None,
            stat_reply: None,
            seen: std::sync::Arc::default(),
            refusal: match proto {
                Proto::Smtp => "535 5.7.8 Authentication credentials invalid",
                Proto::Imap => "NO [AUTHENTICATIONFAILED] Authentication failed.",
                Proto::Pop3 => "-ERR [AUTH] Authentication failed.",
            },
        }
    }
}

/// Raw behaviours for hostile or broken servers.
#[derive(Debug, Clone)]
// Built once per fixture: boxing the mail server would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Behaviour {
    Mail(MailServer),
    /// Accepts and never says anything.
    Silent,
    /// Accepts and closes at once.
    CloseAtOnce,
    /// Sends these bytes, then stays open and silent.
    Send(&'static [u8]),
    /// Sends an endless line.
    Flood,
    /// Sends this line again and again, one every so often, forever: a reply that never ends
    /// although every line comes in time.
    Drip(&'static str, Duration),
    /// A broken TLS server: whatever the client sends first, it answers with this TLS alert
    /// (40 handshake failure, 70 protocol version) and closes.
    TlsAlert(u8),
}

/// Starts a fixture; it serves every connection until the test process ends.
pub fn serve(behaviour: Behaviour) -> SocketAddr {
    let rt = runtime();
    let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    rt.spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let behaviour = behaviour.clone();
            tokio::spawn(async move {
                let _ = stream.set_nodelay(true);
                handle(stream, behaviour).await;
            });
        }
    });
    addr
}

/// An IMAP server on implicit TLS 1.3 that requires a client certificate: the client's
/// handshake completes, then the server reads the client's empty Certificate and sends the
/// certificate_required alert. OpenSSL directly, on a thread of its own (native-tls cannot ask
/// for client certificates).
pub fn serve_client_cert_required() -> SocketAddr {
    use openssl::ssl::{SslAcceptor, SslMethod, SslVerifyMode, SslVersion};
    let (cert, key) = pki().pem(Cert::Good);
    let mut builder = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls()).unwrap();
    builder
        .set_certificate(&openssl::x509::X509::from_pem(cert.as_bytes()).unwrap())
        .unwrap();
    builder
        .set_private_key(&openssl::pkey::PKey::private_key_from_pem(key.as_bytes()).unwrap())
        .unwrap();
    builder
        .set_min_proto_version(Some(SslVersion::TLS1_3))
        .unwrap();
    builder.set_verify(SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT);
    let acceptor = builder.build();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let acceptor = acceptor.clone();
            std::thread::spawn(move || {
                // The alert goes out when the handshake fails; nothing else to do.
                let _ = acceptor.accept(stream);
            });
        }
    });
    addr
}

/// A port that drops connection attempts, like a firewall: a listener that never accepts,
/// with its one-slot accept queue already full, so the kernel ignores further SYNs.
pub fn blackhole() -> SocketAddr {
    let rt = runtime();
    rt.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let listener = socket.listen(1).unwrap();
        let addr = listener.local_addr().unwrap();
        // Fill the queue; keep everything open for the life of the test process.
        let mut held = Vec::new();
        for _ in 0..4 {
            if let Ok(Ok(s)) =
                tokio::time::timeout(Duration::from_millis(200), TcpStream::connect(addr)).await
            {
                held.push(s);
            }
        }
        Box::leak(Box::new((listener, held)));
        addr
    })
}

/// A port on which nothing listens.
pub fn closed_port() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap()
}

async fn handle(mut stream: TcpStream, behaviour: Behaviour) {
    match behaviour {
        Behaviour::Silent => tokio::time::sleep(Duration::from_secs(120)).await,
        Behaviour::CloseAtOnce => {}
        Behaviour::Send(bytes) => {
            let _ = stream.write_all(bytes).await;
            tokio::time::sleep(Duration::from_secs(120)).await;
        }
        Behaviour::Drip(line, every) => {
            for _ in 0..1200 {
                if stream
                    .write_all(format!("{line}\r\n").as_bytes())
                    .await
                    .is_err()
                {
                    return;
                }
                tokio::time::sleep(every).await;
            }
        }
        Behaviour::TlsAlert(description) => {
            let mut first = [0u8; 512];
            if tokio::io::AsyncReadExt::read(&mut stream, &mut first)
                .await
                .unwrap_or(0)
                > 0
            {
                let _ = stream.write_all(&[0x15, 3, 3, 0, 2, 2, description]).await;
            }
        }
        Behaviour::Flood => {
            let chunk = vec![b'A'; 16 * 1024];
            for _ in 0..64 {
                if stream.write_all(&chunk).await.is_err() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_secs(120)).await;
        }
        Behaviour::Mail(server) => match server.tls {
            Tls::ImplicitOld => {
                let old = native_tls::TlsAcceptor::builder(pki().identity(Cert::Good))
                    .min_protocol_version(Some(native_tls::Protocol::Tlsv10))
                    .max_protocol_version(Some(native_tls::Protocol::Tlsv11))
                    .build()
                    .unwrap();
                if let Ok(tls) = TlsAcceptor::from(old).accept(stream).await {
                    let _ = dialogue(tls, &server, true).await;
                }
            }
            Tls::Implicit(cert) => {
                let acceptor = acceptor(cert);
                if let Ok(tls) = acceptor.accept(stream).await {
                    let _ = dialogue(tls, &server, true).await;
                }
            }
            _ => {
                let _ = dialogue_plain(stream, &server).await;
            }
        },
    }
}

fn acceptor(cert: Cert) -> TlsAcceptor {
    TlsAcceptor::from(native_tls::TlsAcceptor::new(pki().identity(cert)).unwrap())
}

async fn greet<S: AsyncWrite + Unpin>(stream: &mut S, server: &MailServer) -> std::io::Result<()> {
    tokio::time::sleep(server.greeting_delay).await;
    if let Some(bytes) = server.greeting_bytes {
        stream.write_all(bytes).await?;
        return stream.write_all(b"\r\n").await;
    }
    let line = server.greeting.unwrap_or(match server.proto {
        Proto::Smtp => "220 fixture.test ESMTP ready",
        Proto::Imap => "* OK fixture IMAP ready",
        Proto::Pop3 => "+OK fixture POP3 ready",
    });
    stream.write_all(format!("{line}\r\n").as_bytes()).await
}

/// The plaintext part; on STARTTLS, continues over TLS.
async fn dialogue_plain(stream: TcpStream, server: &MailServer) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream);
    greet(reader.get_mut(), server).await?;
    let offers_starttls = matches!(server.tls, Tls::Starttls(_));
    let mut line = String::new();
    let mut pending = None;
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_owned();
        let upper = cmd.to_ascii_uppercase();
        let is_starttls = upper == "STARTTLS" || upper == "STLS" || upper.ends_with(" STARTTLS");
        if is_starttls && offers_starttls {
            if let Some(refusal) = server.refuse_starttls {
                reader
                    .get_mut()
                    .write_all(format!("{refusal}\r\n").as_bytes())
                    .await?;
                continue;
            }
            let go = match server.proto {
                Proto::Smtp => "220 2.0.0 Ready to start TLS".to_owned(),
                Proto::Imap => format!("{} OK Begin TLS negotiation now", tag(&cmd)),
                Proto::Pop3 => "+OK Begin TLS negotiation".to_owned(),
            };
            reader
                .get_mut()
                .write_all(format!("{go}\r\n").as_bytes())
                .await?;
            let Tls::Starttls(cert) = server.tls else {
                unreachable!()
            };
            let tls = acceptor(cert)
                .accept(reader.into_inner())
                .await
                .map_err(std::io::Error::other)?;
            return dialogue_after_greeting(BufReader::new(tls), server, true).await;
        }
        if !answer(
            reader.get_mut(),
            server,
            &cmd,
            false,
            offers_starttls,
            &mut pending,
        )
        .await?
        {
            return Ok(());
        }
    }
}

async fn dialogue<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    server: &MailServer,
    encrypted: bool,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream);
    greet(reader.get_mut(), server).await?;
    dialogue_after_greeting(reader, server, encrypted).await
}

async fn dialogue_after_greeting<S: AsyncRead + AsyncWrite + Unpin>(
    mut reader: BufReader<S>,
    server: &MailServer,
    encrypted: bool,
) -> std::io::Result<()> {
    let mut line = String::new();
    let mut pending = None;
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_owned();
        if !answer(
            reader.get_mut(),
            server,
            &cmd,
            encrypted,
            false,
            &mut pending,
        )
        .await?
        {
            return Ok(());
        }
    }
}

fn tag(cmd: &str) -> &str {
    cmd.split(' ').next().unwrap_or("*")
}

/// Answers one command; `false` ends the session. `pending` holds the tag of a SASL exchange
/// whose client response comes on the next line (after the server's `+`).
async fn answer<S: AsyncWrite + Unpin>(
    out: &mut S,
    server: &MailServer,
    cmd: &str,
    encrypted: bool,
    offers_starttls: bool,
    pending: &mut Option<String>,
) -> std::io::Result<bool> {
    server.seen.lock().unwrap().push(cmd.to_owned());
    let upper = cmd.to_ascii_uppercase();
    // A message after DATA: its lines get no reply; the lone dot ends it.
    if pending.as_deref() == Some("DATA") {
        if cmd == "." {
            pending.take();
            out.write_all(b"250 2.0.0 Ok: queued as 4FIXT1\r\n").await?;
        }
        return Ok(true);
    }
    let password_ok = |payload: &str| payload.contains(server.password);
    let decoded = |b64: &str| {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(b64.trim())
            .ok()
            .map(|v| String::from_utf8_lossy(&v).into_owned())
            .unwrap_or_default()
    };
    // Login methods are offered only once the connection is encrypted, like Postfix and Dovecot.
    let auth = if encrypted || server.auth_before_tls || !matches!(server.tls, Tls::Starttls(_)) {
        server.auth
    } else {
        ""
    };
    // What an echoing server adds to its reply's last line: the command as sent, and its
    // last word decoded (NULs and ^As as spaces: still text).
    let echo = |reply: String| {
        if !server.echo {
            return reply;
        }
        let last = cmd.rsplit(' ').next().unwrap_or_default();
        let shown = decoded(last).replace(['\0', '\x01'], " ");
        format!("{reply} (you sent: {cmd}; that is: {shown})")
    };
    let rest_upper = upper.split_once(' ').map_or("", |(_, r)| r);
    let is_login = pending.is_some()
        || upper.starts_with("AUTH ")
        || upper.starts_with("PASS ")
        || rest_upper.starts_with("LOGIN ")
        || rest_upper.starts_with("AUTHENTICATE ");
    let is_user = server.proto == Proto::Pop3 && upper.starts_with("USER ");
    if let (true, false, Some(refusal)) = (
        is_login || is_user,
        encrypted,
        server.refuse_auth_before_tls,
    ) {
        pending.take();
        out.write_all(format!("{refusal}\r\n").as_bytes()).await?;
        return Ok(true);
    }
    if is_login {
        if let (false, Some(refusal)) = (encrypted, server.refuse_auth_before_tls) {
            pending.take();
            out.write_all(format!("{refusal}\r\n").as_bytes()).await?;
            return Ok(true);
        }
        tokio::time::sleep(server.login_delay).await;
        if let (Proto::Smtp, Some(reply)) = (server.proto, server.auth_reply) {
            out.write_all(format!("{reply}\r\n").as_bytes()).await?;
            return Ok(true);
        }
    }
    if let Some(t) = pending.take() {
        let ok = password_ok(&decoded(cmd));
        let reply = match (server.proto, ok) {
            (Proto::Smtp, true) => "235 2.7.0 Authentication successful".to_owned(),
            (Proto::Imap, true) => format!("{t} OK Logged in."),
            (Proto::Imap, false) => format!("{t} {}", server.refusal),
            (Proto::Pop3, true) => "+OK Logged in.".to_owned(),
            (_, false) => server.refusal.to_owned(),
        };
        out.write_all(format!("{}\r\n", echo(reply)).as_bytes())
            .await?;
        return Ok(true);
    }
    let reply: String = match server.proto {
        Proto::Smtp => {
            if upper.starts_with("EHLO") && !server.ehlo {
                "502 5.5.1 Error: command not implemented".to_owned()
            } else if upper.starts_with("EHLO") {
                let mut lines = vec![
                    "250-fixture.test".to_owned(),
                    "250-PIPELINING".to_owned(),
                    "250-SIZE 10240000".to_owned(),
                ];
                if offers_starttls {
                    lines.push("250-STARTTLS".to_owned());
                }
                if !auth.is_empty() {
                    lines.push(format!("250-AUTH {auth}"));
                }
                lines.push("250 8BITMIME".to_owned());
                lines.join("\r\n")
            } else if upper.starts_with("HELO") {
                "250 fixture.test".to_owned()
            } else if upper == "AUTH PLAIN" {
                // No initial response: it comes after our 334.
                *pending = Some(String::new());
                "334 ".to_owned()
            } else if upper.starts_with("AUTH PLAIN ") {
                if password_ok(&decoded(&cmd[11..])) {
                    "235 2.7.0 Authentication successful".to_owned()
                } else {
                    server.refusal.to_owned()
                }
            } else if upper.starts_with("AUTH XOAUTH2 ") {
                if password_ok(&decoded(&cmd[13..])) {
                    "235 2.7.0 Authentication successful".to_owned()
                } else if let Some(challenge) = server.xoauth2_challenge {
                    // The client's empty answer comes next, and is refused.
                    *pending = Some(String::new());
                    format!("334 {challenge}")
                } else {
                    server.refusal.to_owned()
                }
            } else if upper.starts_with("MAIL FROM:") {
                server.mail_from_reply.unwrap_or("250 2.1.0 Ok").to_owned()
            } else if upper.starts_with("RCPT TO:") {
                server.rcpt_reply.unwrap_or("250 2.1.5 Ok").to_owned()
            } else if upper == "RSET" {
                "250 2.0.0 Ok".to_owned()
            } else if upper == "DATA" {
                *pending = Some("DATA".into());
                "354 End data with <CR><LF>.<CR><LF>".to_owned()
            } else if upper == "QUIT" {
                out.write_all(b"221 2.0.0 Bye\r\n").await?;
                return Ok(false);
            } else {
                "502 5.5.2 Error: command not recognized".to_owned()
            }
        }
        Proto::Imap => {
            let t = tag(cmd);
            let rest = upper.split_once(' ').map_or("", |(_, r)| r);
            if rest == "CAPABILITY" {
                let mut caps = "IMAP4rev1 IDLE".to_owned();
                if offers_starttls {
                    caps.push_str(" STARTTLS");
                    if !server.auth_before_tls && !server.no_logindisabled {
                        caps.push_str(" LOGINDISABLED");
                    }
                }
                for mech in auth.split_whitespace() {
                    caps.push_str(" AUTH=");
                    caps.push_str(mech);
                }
                format!("* CAPABILITY {caps}\r\n{t} OK Capability completed.")
            } else if rest.starts_with("LOGIN ") {
                let alert = server
                    .login_alert
                    .map(|a| format!("* OK [ALERT] {a}\r\n"))
                    .unwrap_or_default();
                if password_ok(cmd) {
                    format!("{alert}{t} OK Logged in.")
                } else {
                    format!("{alert}{t} {}", server.refusal)
                }
            } else if rest.starts_with("AUTHENTICATE ") && rest.split(' ').count() == 2 {
                // No SASL-IR here: the response comes after our "+".
                *pending = Some(t.to_owned());
                "+ ".to_owned()
            } else if rest.starts_with("AUTHENTICATE PLAIN ") {
                let payload = cmd.rsplit(' ').next().unwrap_or_default();
                if password_ok(&decoded(payload)) {
                    format!("{t} OK Logged in.")
                } else {
                    format!("{t} {}", server.refusal)
                }
            } else if rest == "EXAMINE INBOX" {
                match server.examine_reply {
                    Some(reply) => format!("{t} {reply}"),
                    None => format!(
                        "* 3 EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 1] UIDs valid\r\n{t} OK [READ-ONLY] Examine completed."
                    ),
                }
            } else if rest == "LOGOUT" {
                out.write_all(
                    format!("* BYE Logging out\r\n{t} OK Logout completed.\r\n").as_bytes(),
                )
                .await?;
                return Ok(false);
            } else {
                format!("{t} BAD Error in IMAP command")
            }
        }
        Proto::Pop3 => {
            if upper == "CAPA" {
                let mut lines = vec!["+OK".to_owned(), "TOP".to_owned(), "UIDL".to_owned()];
                if offers_starttls {
                    lines.push("STLS".to_owned());
                }
                if !auth.is_empty() {
                    lines.push("USER".to_owned());
                    lines.push(format!("SASL {auth}"));
                }
                lines.push(".".to_owned());
                lines.join("\r\n")
            } else if upper.starts_with("AUTH ") && upper.split(' ').count() == 2 {
                *pending = Some(String::new());
                "+ ".to_owned()
            } else if upper.starts_with("AUTH ") {
                let payload = cmd.rsplit(' ').next().unwrap_or_default();
                if password_ok(&decoded(payload)) {
                    "+OK Logged in.".to_owned()
                } else {
                    server.refusal.to_owned()
                }
            } else if upper.starts_with("USER ") {
                "+OK".to_owned()
            } else if upper.starts_with("PASS ") {
                if password_ok(cmd) {
                    "+OK Logged in.".to_owned()
                } else {
                    server.refusal.to_owned()
                }
            } else if upper == "STAT" {
                server.stat_reply.unwrap_or("+OK 3 4567").to_owned()
            } else if upper == "QUIT" {
                out.write_all(b"+OK Logging out.\r\n").await?;
                return Ok(false);
            } else {
                "-ERR Unknown command".to_owned()
            }
        }
    };
    out.write_all(format!("{}\r\n", echo(reply)).as_bytes())
        .await?;
    Ok(true)
}
