//! The server's first TLS message, read off the wire: the ServerHello is plaintext in every
//! TLS version, and says which version and cipher suite were chosen. The TLS library does not
//! tell them; the bytes do. A server that answers a ClientHello with a ServerHello (or an
//! alert) speaks TLS, whatever fails after.

/// What the server's first TLS records say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerTls {
    /// A ServerHello: the version chosen (TLS 1.3's from its supported_versions extension)
    /// and the cipher suite.
    Hello { version: u16, cipher: u16 },
    /// A TLS alert before any hello: the server speaks TLS and refused this client.
    Alert { description: u8 },
}

impl ServerTls {
    /// "TLS 1.3", "TLS 1.2", …
    pub fn version_name(&self) -> Option<String> {
        match self {
            ServerTls::Hello { version, .. } => Some(version_name(*version)),
            ServerTls::Alert { .. } => None,
        }
    }

    /// The IANA name of the cipher suite, or its number.
    pub fn cipher_name(&self) -> Option<String> {
        match self {
            ServerTls::Hello { cipher, .. } => Some(cipher_name(*cipher)),
            ServerTls::Alert { .. } => None,
        }
    }
}

/// Reads the first record of what a server sent during a handshake; `None` when it is not
/// TLS (a plaintext greeting, nothing at all) or too short to tell.
pub fn parse(bytes: &[u8]) -> Option<ServerTls> {
    let (&kind, rest) = bytes.split_first()?;
    let [major, _minor, len_hi, len_lo, body @ ..] = rest else {
        return None;
    };
    if *major != 3 {
        return None;
    }
    let length = usize::from(u16::from_be_bytes([*len_hi, *len_lo]));
    let record = body.get(..length.min(body.len()))?;
    match kind {
        0x15 => Some(ServerTls::Alert {
            description: *record.get(1)?,
        }),
        0x16 => server_hello(record),
        _ => None,
    }
}

fn server_hello(record: &[u8]) -> Option<ServerTls> {
    // Handshake header: type 2 (ServerHello), 3-byte length.
    let (&2, rest) = record.split_first()? else {
        return None;
    };
    let hello = rest.get(3..)?;
    let legacy_version = u16::from_be_bytes([*hello.first()?, *hello.get(1)?]);
    // 2 version bytes, 32 random bytes, then the session id with its length.
    let session_len = usize::from(*hello.get(34)?);
    let at = 35 + session_len;
    let cipher = u16::from_be_bytes([*hello.get(at)?, *hello.get(at + 1)?]);
    // The cipher suite, one compression byte, then the extensions with their length.
    let mut version = legacy_version;
    if let Some(ext_len) = hello.get(at + 3..at + 5) {
        let ext_len = usize::from(u16::from_be_bytes([ext_len[0], ext_len[1]]));
        let mut exts = hello.get(at + 5..)?;
        exts = exts.get(..ext_len.min(exts.len()))?;
        while let [t0, t1, l0, l1, data @ ..] = exts {
            let kind = u16::from_be_bytes([*t0, *t1]);
            let len = usize::from(u16::from_be_bytes([*l0, *l1]));
            let Some(value) = data.get(..len) else { break };
            // supported_versions (RFC 8446 §4.2.1): the version really chosen.
            if kind == 0x002b && len == 2 {
                version = u16::from_be_bytes([value[0], value[1]]);
            }
            exts = &data[len..];
        }
    }
    Some(ServerTls::Hello { version, cipher })
}

/// The name of a TLS protocol version number.
pub fn version_name(version: u16) -> String {
    match version {
        0x0300 => "SSL 3.0".into(),
        0x0301 => "TLS 1.0".into(),
        0x0302 => "TLS 1.1".into(),
        0x0303 => "TLS 1.2".into(),
        0x0304 => "TLS 1.3".into(),
        other => format!("0x{other:04x}"),
    }
}

/// The IANA name of the cipher suites mail servers choose; others by number.
pub fn cipher_name(cipher: u16) -> String {
    let name = match cipher {
        0x1301 => "TLS_AES_128_GCM_SHA256",
        0x1302 => "TLS_AES_256_GCM_SHA384",
        0x1303 => "TLS_CHACHA20_POLY1305_SHA256",
        0xc02b => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        0xc02c => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        0xc02f => "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        0xc030 => "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        0xcca8 => "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        0xcca9 => "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        0x009e => "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
        0x009f => "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
        0xc013 => "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        0xc014 => "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        0x002f => "TLS_RSA_WITH_AES_128_CBC_SHA",
        0x0035 => "TLS_RSA_WITH_AES_256_CBC_SHA",
        other => return format!("0x{other:04x}"),
    };
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ServerHello record as a server sends it.
    fn hello(legacy: u16, cipher: u16, extensions: &[u8]) -> Vec<u8> {
        let mut body = Vec::new();
        body.extend(legacy.to_be_bytes());
        body.extend([7u8; 32]);
        body.push(32);
        body.extend([9u8; 32]);
        body.extend(cipher.to_be_bytes());
        body.push(0);
        let ext_len = u16::try_from(extensions.len()).unwrap();
        body.extend(ext_len.to_be_bytes());
        body.extend(extensions);
        let mut handshake = vec![2, 0];
        handshake.extend(u16::try_from(body.len()).unwrap().to_be_bytes());
        handshake.extend(body);
        let mut record = vec![0x16, 3, 3];
        record.extend(u16::try_from(handshake.len()).unwrap().to_be_bytes());
        record.extend(handshake);
        record
    }

    #[test]
    fn tls_1_3_is_read_from_supported_versions() {
        let record = hello(0x0303, 0x1302, &[0x00, 0x2b, 0x00, 0x02, 0x03, 0x04]);
        let tls = parse(&record).unwrap();
        assert_eq!(tls.version_name().as_deref(), Some("TLS 1.3"));
        assert_eq!(tls.cipher_name().as_deref(), Some("TLS_AES_256_GCM_SHA384"));
    }

    #[test]
    fn tls_1_2_and_1_0_from_the_legacy_version() {
        let tls = parse(&hello(0x0303, 0xc030, &[])).unwrap();
        assert_eq!(tls.version_name().as_deref(), Some("TLS 1.2"));
        assert_eq!(
            tls.cipher_name().as_deref(),
            Some("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")
        );
        let old = parse(&hello(0x0301, 0x0035, &[])).unwrap();
        assert_eq!(old.version_name().as_deref(), Some("TLS 1.0"));
    }

    #[test]
    fn alerts_plaintext_and_garbage() {
        assert_eq!(
            parse(&[0x15, 3, 3, 0, 2, 2, 40]),
            Some(ServerTls::Alert { description: 40 })
        );
        assert_eq!(parse(b"220 mail.example.org ESMTP\r\n"), None);
        assert_eq!(parse(&[]), None);
        assert_eq!(parse(&[0x16, 3, 3, 0, 5, 2, 0]), None, "cut short");
        for cut in 0..hello(0x0303, 0x1301, &[0, 0x2b, 0, 2, 3, 4]).len() {
            // Never a panic on a cut record.
            let _ = parse(&hello(0x0303, 0x1301, &[0, 0x2b, 0, 2, 3, 4])[..cut]);
        }
    }
}
