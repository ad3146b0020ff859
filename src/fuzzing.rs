//! Entry points for the fuzz targets in `fuzz/`: one per reader of outside bytes, each
//! asserting what must hold for any input, not only "no panic". Built only under
//! `--cfg fuzzing` (which `fuzz/run.sh` and cargo-fuzz set), so the parsers stay private to
//! the crate everywhere else.

use std::path::Path;

use crate::account::{Endpoint, PartialEndpoint, Protocol};
use crate::probe::scrub::{REDACTED, Scrubber};
use crate::probe::wire::{self, capabilities::Capabilities, greeting, imap, pop3, smtp, tls_hello};
use crate::secret::{Credentials, Secret};

/// The lines a server sent, as the connection reader cuts them (at LF, CR dropped), each
/// through the same text check the probes apply.
fn lines(data: &[u8]) -> Vec<String> {
    data.split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .filter_map(|line| {
            let text = wire::text_line(line).ok()?;
            // What reaches a screen holds no control character of any kind.
            assert!(
                !text.chars().any(char::is_control),
                "control character left in {text:?}"
            );
            Some(text)
        })
        .collect()
}

/// SMTP: line parser and multi-line reply builder; greeting classifier; EHLO keywords.
pub fn smtp(data: &[u8]) {
    let lines = lines(data);
    let mut builder = smtp::ReplyBuilder::default();
    for line in &lines {
        let _ = greeting::classify(line);
        match builder.push(line) {
            Ok(Some(reply)) => {
                assert!((100..=599).contains(&reply.code), "code {}", reply.code);
                let _ = (reply.is_positive(), reply.text());
                let caps = Capabilities::from_ehlo(&reply.lines);
                let _ = (caps.offers_password(), caps.offers_oauth2());
            }
            Ok(None) => {}
            Err(e) => {
                let _ = e.to_string();
                builder = smtp::ReplyBuilder::default();
            }
        }
    }
}

/// IMAP: response lines, CAPABILITY atoms, `[ALERT]` texts, and quoting for commands.
pub fn imap(data: &[u8]) {
    for line in lines(data) {
        let _ = greeting::classify(&line);
        if let Err(e) = imap::parse_line(&line) {
            let _ = e.to_string();
        }
        if let Some(caps) = imap::capabilities_in(&line) {
            let _ = (caps.offers_password(), caps.offers_oauth2());
        }
        let _ = imap::alert_in(&line);
        let _ = Capabilities::from_imap_atoms(&line);
        // A quoted string starts and ends with a quote, and every quote inside is escaped.
        let quoted = imap::quoted(&line);
        assert!(quoted.len() >= 2 && quoted.starts_with('"') && quoted.ends_with('"'));
    }
}

/// POP3: status lines, multi-line bodies, CAPA.
pub fn pop3(data: &[u8]) {
    let lines = lines(data);
    for line in &lines {
        let _ = greeting::classify(line);
        if let Err(e) = pop3::parse_status(line) {
            let _ = e.to_string();
        }
        let _ = pop3::body_line(line);
    }
    let caps = Capabilities::from_capa(&lines);
    let _ = (caps.offers_password(), caps.offers_oauth2());
}

/// The first bytes of a handshake: ServerHello or alert, and the names shown for them.
pub fn tls_hello(data: &[u8]) {
    let _ = wire::looks_like_tls(data);
    if let Some(tls) = tls_hello::parse(data) {
        let _ = (tls.version_name(), tls.cipher_name());
    }
}

/// `HOST[:PORT][/SECURITY]`: what parses comes back unchanged from its written form.
pub fn endpoint_spec(data: &[u8]) {
    let Ok(spec) = std::str::from_utf8(data) else {
        return;
    };
    match PartialEndpoint::parse(spec) {
        Ok(partial) => {
            for protocol in [Protocol::Smtp, Protocol::Imap, Protocol::Pop3] {
                let endpoint = partial.clone().complete(protocol);
                let written = endpoint.to_string();
                let again = Endpoint::parse(&written, protocol)
                    .unwrap_or_else(|e| panic!("{written:?} does not read back: {e}"));
                assert_eq!(again, endpoint, "{spec:?} written as {written:?}");
                let _ = endpoint.describe();
            }
        }
        // Errors quote a bounded part of the input, however long it is.
        Err(e) => assert!(
            e.to_string().len() < 2_000,
            "error of {} bytes",
            e.to_string().len()
        ),
    }
}

/// Account files: parse errors carry a position and a bounded message.
pub fn account_yaml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = crate::account::parse_account_yaml(text, Path::new("fuzz.yaml")) {
        assert!(
            e.to_string().len() < 2_000,
            "error of {} bytes",
            e.to_string().len()
        );
    }
}

/// Profile files, through the same path a user's profile directory takes.
pub fn profile_yaml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = crate::profile::parse_profile(text, "fuzz.yaml", "fuzz.yaml") {
        assert!(
            e.to_string().len() < 2_000,
            "error of {} bytes",
            e.to_string().len()
        );
    }
}

/// The scrubber: whatever a server wraps around an echoed secret, none of the secret's forms
/// survive. The first line of the input is the secret, the rest the server's text.
pub fn scrub(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (secret, echoed) = text.split_once('\n').unwrap_or((text, ""));
    // A secret made of the placeholder's own letters could be rebuilt by the placeholder.
    if secret.is_empty() || secret.chars().any(|c| REDACTED.contains(c)) {
        return;
    }
    let creds = Credentials {
        username: "user@example.org".to_owned(),
        secret: Secret::new(secret.to_owned()),
        oauth2: false,
    };
    let scrubber = Scrubber::new([&creds]);
    for server_text in [echoed.to_owned(), format!("{echoed}{secret}{echoed}")] {
        let clean = scrubber.scrub(&server_text);
        assert!(!clean.contains(secret), "{secret:?} left in {clean:?}");
    }
}

/// Autoconfig XML: whatever a domain or the ISPDB serves, a claim never carries a placeholder
/// left unexpanded, and every claimed endpoint reads back from its written form.
pub fn autoconfig(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let address = crate::account::Address::parse("alice@example.org").unwrap();
    if let Ok(doc) = crate::discover::autoconfig::parse(text, &address) {
        for server in &doc.servers {
            let written = server.endpoint.to_string();
            assert!(!written.contains('%'), "{written}");
            assert!(server.username.as_ref().is_none_or(|u| !u.contains('%')));
            let again = Endpoint::parse(&written, server.protocol)
                .unwrap_or_else(|e| panic!("{written:?} does not read back: {e}"));
            assert_eq!(again, server.endpoint);
        }
    }
}

/// SRV records as any DNS server may send them: the endpoints come out in priority order,
/// at most a few per label, never with port 0 or the root as host.
pub fn srv(data: &[u8]) {
    use crate::discover::srv::{MAX_PER_LABEL, SrvAnswer, SrvRecord, answer};
    let records: Vec<SrvRecord> = data
        .chunks(8)
        .map(|c| {
            let n = |i: usize| {
                u16::from_be_bytes([*c.get(i).unwrap_or(&0), *c.get(i + 1).unwrap_or(&0)])
            };
            let target = String::from_utf8_lossy(c.get(6..).unwrap_or_default());
            SrvRecord::new(n(0), n(2), n(4), &format!("{target}.example.org"))
        })
        .collect();
    if let Some(SrvAnswer::Offered(endpoints)) = answer(crate::account::Security::Tls, &records) {
        assert!(!endpoints.is_empty() && endpoints.len() <= MAX_PER_LABEL);
        let priority = |e: &Endpoint| {
            records
                .iter()
                .filter(|r| {
                    r.port == e.port
                        && crate::account::Host::parse(&r.target).ok().as_ref() == Some(&e.host)
                })
                .map(|r| r.priority)
                .min()
                .unwrap()
        };
        for pair in endpoints.windows(2) {
            assert!(priority(&pair[0]) <= priority(&pair[1]), "{endpoints:?}");
        }
        assert!(endpoints.iter().all(|e| e.port != 0));
    }
}

/// Every client settings reader: no panic on any text, and a
/// password written where each format keeps one never shows in what the reader returns.
pub fn client_config(data: &[u8]) {
    use crate::import::{
        aerc, client, dma, evolution, exim4, fetchmail, git, himalaya, mbsync, msmtp, mutt,
        nullmailer, offlineimap, postfix, ssmtp, thunderbird,
    };
    const SECRET: &str = "FuzzSecret4711";
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if text.contains(SECRET) {
        return;
    }
    let _ = client::detect(Path::new("settings"), text);
    let check = |what: &str, shown: String| {
        assert!(!shown.contains(SECRET), "{what} kept the password: {shown}");
    };
    // The password's lines come first: nothing in the text can make them part of a value.
    let with = |lines: &str| format!("{lines}\n{text}");
    if let Ok(file) = msmtp::read(&with(&format!("password {SECRET}")), "f") {
        check("msmtp", format!("{file:?}"));
    }
    if let Ok((entries, _)) = git::entries(&with(&format!("[sendemail]\nsmtpPass = {SECRET}"))) {
        check("git", format!("{entries:?}"));
        if let Ok(file) = git::accounts(&entries, "f") {
            check("git", format!("{file:?}"));
        }
    }
    if let Ok(file) = postfix::read(text, "f", Some(("map", &[]))) {
        let _ = format!("{file:?}");
    }
    let _ = postfix::map_keys(text);
    if let Ok((vars, _)) = mutt::vars(&with(&format!(
        "set imap_pass = \"{SECRET}\"\nset smtp_url = \"smtp://u:{SECRET}@h/\""
    ))) {
        check("mutt", format!("{vars:?}"));
        if let Ok(file) = mutt::accounts(&vars, mutt::MUTT.kind(), "f") {
            check("mutt", format!("{file:?}"));
        }
    }
    if let Ok(file) = mbsync::read(&with(&format!("IMAPAccount a\nHost h\nPass {SECRET}")), "f") {
        check("mbsync", format!("{file:?}"));
    }
    if let Ok(file) = fetchmail::read(&with(&format!("poll h user u password \"{SECRET}\"")), "f") {
        check("fetchmail", format!("{file:?}"));
    }
    let ini = format!(
        "[general]\naccounts = A\n[Account A]\nremoterepository = R\n[Repository R]\nremotehost = h\nremotepass = {SECRET}"
    );
    if let Ok(file) = offlineimap::read(&with(&ini), "f") {
        check("offlineimap", format!("{file:?}"));
    }
    if let Ok(file) = ssmtp::read(&with(&format!("AuthPass={SECRET}")), "f") {
        check("ssmtp", format!("{file:?}"));
    }
    if let Ok(file) = nullmailer::read(&with(&format!("h smtp --pass={SECRET}")), "f") {
        check("nullmailer", format!("{file:?}"));
    }
    let _ = (dma::read(text, "f"), exim4::read(text, "f"));
    if let Ok(file) = aerc::read(&with(&format!("[a]\nsource = imaps://u:{SECRET}@h")), "f") {
        check("aerc", format!("{file:?}"));
    }
    if let Ok(file) = himalaya::read(text, "f") {
        let _ = format!("{file:?}");
    }
    let mut prefs = thunderbird::Prefs::new();
    if thunderbird::prefs(text, None, &mut prefs).is_ok() {
        let _ = thunderbird::accounts(&prefs, "f");
    }
    let _ = thunderbird::default_profile(text);
    if let Ok(source) = evolution::source(text, None) {
        let _ = evolution::server(&source, "f");
    }
}
