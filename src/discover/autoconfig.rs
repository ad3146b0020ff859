//! Thunderbird's autoconfig format (`config-v1.1.xml`), as domains publish it and the ISPDB
//! serves it: the incoming and outgoing servers it claims, with the placeholders expanded for
//! the address. Pure: bytes in, claims and the problems found out.
//!
//! Lenient where the format's users are (unknown elements are ignored, a bad server section
//! is dropped alone, as the draft says) and strict where a wrong answer would mislead: an
//! unknown socketType or a placeholder left unexpanded drops that server, with the reason.
//! No DTD is accepted, so entity-expansion bombs are refused before anything is expanded.

use thiserror::Error;

use crate::account::{Address, Endpoint, Host, Protocol, Security};

/// The most a document may hold; the fetch stops reading there too.
pub const MAX_DOCUMENT: usize = 64 * 1024;

/// One server the document claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerClaim {
    pub protocol: Protocol,
    pub endpoint: Endpoint,
    /// The user name with the placeholders expanded.
    pub username: Option<String>,
    /// The `<authentication>` values, in the document's order (first usable wins).
    pub auth: Vec<String>,
}

/// What a document says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Autoconfig {
    /// `emailProvider@id`.
    pub provider: Option<String>,
    pub display_name: Option<String>,
    /// The `<domain>` entries: the domains the document says it is for.
    pub domains: Vec<String>,
    /// In the document's order; per protocol, the first is the one the document prefers.
    pub servers: Vec<ServerClaim>,
    /// Sections dropped and other things worth telling, in plain words.
    pub problems: Vec<String>,
}

/// A document that could not be used at all.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AutoconfigError {
    #[error("not well-formed XML at line {line}, column {column}: {message}")]
    Xml {
        line: u32,
        column: u32,
        message: String,
    },
    #[error("larger than {MAX_DOCUMENT} bytes")]
    TooLarge,
    #[error("no <clientConfig><emailProvider> element: not an autoconfig document")]
    NotAutoconfig,
    #[error("no usable server in it{}", problems_suffix(.0))]
    NoServers(Vec<String>),
}

fn problems_suffix(problems: &[String]) -> String {
    if problems.is_empty() {
        String::new()
    } else {
        format!(": {}", problems.join("; "))
    }
}

/// Parses a document for `address`.
pub fn parse(xml: &str, address: &Address) -> Result<Autoconfig, AutoconfigError> {
    if xml.len() > MAX_DOCUMENT {
        return Err(AutoconfigError::TooLarge);
    }
    let doc = roxmltree::Document::parse(xml).map_err(|e| {
        let pos = e.pos();
        AutoconfigError::Xml {
            line: pos.row,
            column: pos.col,
            message: crate::excerpt::excerpt_to(&e.to_string(), 200).into_owned(),
        }
    })?;
    let root = doc.root_element();
    if root.tag_name().name() != "clientConfig" {
        return Err(AutoconfigError::NotAutoconfig);
    }
    let provider = child(root, "emailProvider").ok_or(AutoconfigError::NotAutoconfig)?;
    let mut out = Autoconfig {
        provider: provider.attribute("id").map(str::to_owned),
        display_name: child_text(provider, "displayName"),
        ..Autoconfig::default()
    };
    for node in provider.children().filter(roxmltree::Node::is_element) {
        match node.tag_name().name() {
            "domain" => out
                .domains
                .extend(text(node).map(|d| d.to_ascii_lowercase())),
            "incomingServer" | "outgoingServer" => match server(node, address) {
                Ok(Some(claim)) => out.servers.push(claim),
                Ok(None) => {}
                Err(problem) => out.problems.push(problem),
            },
            _ => {}
        }
    }
    if out.servers.is_empty() {
        return Err(AutoconfigError::NoServers(out.problems));
    }
    Ok(out)
}

/// One server section; `Ok(None)` for a kind maildoctor does not check (JMAP, EWS, NNTP…).
fn server(node: roxmltree::Node, address: &Address) -> Result<Option<ServerClaim>, String> {
    let kind = node.attribute("type").unwrap_or_default();
    let protocol = match (node.tag_name().name(), kind.to_ascii_lowercase().as_str()) {
        ("incomingServer", "imap") => Protocol::Imap,
        ("incomingServer", "pop3") => Protocol::Pop3,
        ("outgoingServer", "smtp") => Protocol::Smtp,
        _ => return Ok(None),
    };
    let label = protocol.label();
    let host_text =
        child_text(node, "hostname").ok_or(format!("a {label} server without <hostname>"))?;
    let host_text = expand(&host_text, address)
        .map_err(|p| format!("{label} hostname \"{host_text}\": {p}"))?;
    let host = Host::parse(&host_text).map_err(|e| {
        format!(
            "{label} hostname \"{}\": {e}",
            crate::excerpt::excerpt(&host_text)
        )
    })?;
    let port_text =
        child_text(node, "port").ok_or(format!("{label} server {host} without <port>"))?;
    let port = port_text
        .parse::<u16>()
        .ok()
        .filter(|p| *p != 0)
        .ok_or(format!(
            "{label} server {host}: port \"{}\" is not a number from 1 to 65535",
            crate::excerpt::excerpt(&port_text)
        ))?;
    // socketType may repeat; the first one known wins (as in Thunderbird).
    let sockets: Vec<String> = children_text(node, "socketType");
    let security = sockets.iter().find_map(|s| socket_type(s)).ok_or_else(|| {
        match sockets.first() {
            Some(s) => format!(
                "{label} server {host}:{port}: unknown socketType \"{}\" (SSL, STARTTLS or plain)",
                crate::excerpt::excerpt(s)
            ),
            None => format!("{label} server {host}:{port} without <socketType>"),
        }
    })?;
    let username = match child_text(node, "username") {
        Some(u) => {
            Some(expand(&u, address).map_err(|p| format!("{label} user name \"{u}\": {p}"))?)
        }
        None => None,
    };
    Ok(Some(ServerClaim {
        protocol,
        endpoint: Endpoint {
            host,
            port,
            security,
        },
        username,
        auth: children_text(node, "authentication"),
    }))
}

fn socket_type(word: &str) -> Option<Security> {
    match word.to_ascii_uppercase().as_str() {
        "SSL" | "TLS" => Some(Security::Tls),
        "STARTTLS" => Some(Security::Starttls),
        "PLAIN" => Some(Security::Plain),
        _ => None,
    }
}

/// Replaces every placeholder the format defines; one it does not (or a stray `%`, like the
/// ISPDB's own `%EMAILADDRESS` without its closing `%`) is an error, never a guess.
pub fn expand(template: &str, address: &Address) -> Result<String, String> {
    let full = address.to_string();
    let expanded = template
        .replace("%EMAILADDRESS%", &full)
        .replace("%EMAILLOCALPART%", address.local_part())
        .replace("%EMAILDOMAIN%", address.domain());
    if expanded.contains('%') {
        return Err("has a placeholder that does not expand".to_owned());
    }
    Ok(expanded)
}

fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

fn text(node: roxmltree::Node) -> Option<String> {
    let t = node.text()?.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

fn child_text(node: roxmltree::Node, name: &str) -> Option<String> {
    child(node, name).and_then(text)
}

fn children_text(node: roxmltree::Node, name: &str) -> Vec<String> {
    node.children()
        .filter(|c| c.is_element() && c.tag_name().name() == name)
        .filter_map(text)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alice() -> Address {
        Address::parse("alice@example.org").unwrap()
    }

    fn doc(servers: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="example.org">
    <domain>example.org</domain>
    <displayName>Example Mail</displayName>
    {servers}
  </emailProvider>
</clientConfig>"#
        )
    }

    fn specs(result: &Autoconfig) -> Vec<String> {
        result
            .servers
            .iter()
            .map(|s| format!("{} {}", s.protocol.as_str(), s.endpoint))
            .collect()
    }

    #[test]
    fn a_typical_document_gives_its_servers_in_order() {
        let xml = doc(r#"
    <incomingServer type="imap">
      <hostname>imap.%EMAILDOMAIN%</hostname><port>993</port><socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username><authentication>OAuth2</authentication>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="pop3">
      <hostname>pop.example.org</hostname><port>110</port><socketType>STARTTLS</socketType>
      <username>%EMAILLOCALPART%</username><authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="jmap"><hostname>jmap.example.org</hostname></incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.example.org</hostname><port>587</port><socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication>
    </outgoingServer>
    <documentation url="https://example.org/help"><descr lang="en">Help</descr></documentation>"#);
        let got = parse(&xml, &alice()).unwrap();
        assert_eq!(got.provider.as_deref(), Some("example.org"));
        assert_eq!(got.display_name.as_deref(), Some("Example Mail"));
        assert_eq!(got.domains, ["example.org"]);
        assert_eq!(
            specs(&got),
            [
                "imap imap.example.org:993/tls",
                "pop3 pop.example.org:110/starttls",
                "smtp smtp.example.org:587/starttls"
            ]
        );
        assert_eq!(
            got.servers[0].username.as_deref(),
            Some("alice@example.org")
        );
        assert_eq!(got.servers[1].username.as_deref(), Some("alice"));
        assert_eq!(got.servers[0].auth, ["OAuth2", "password-cleartext"]);
        assert!(got.problems.is_empty(), "{:?}", got.problems);
    }

    /// What real documents get wrong, each dropping only its own server, with the reason.
    #[test]
    fn broken_server_sections_are_dropped_alone_with_the_reason() {
        for (section, problem) in [
            (
                "<incomingServer type=\"imap\"><hostname>imap.example.org</hostname><port>993</port><socketType>TLSv1.3</socketType></incomingServer>",
                "unknown socketType \"TLSv1.3\"",
            ),
            (
                "<incomingServer type=\"imap\"><hostname>imap.example.org</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS</username></incomingServer>",
                "placeholder that does not expand",
            ),
            (
                "<incomingServer type=\"imap\"><hostname>%CUSTOMER%.example.org</hostname><port>993</port><socketType>SSL</socketType></incomingServer>",
                "placeholder that does not expand",
            ),
            (
                "<incomingServer type=\"imap\"><hostname>imap.example.org</hostname><port>99300</port><socketType>SSL</socketType></incomingServer>",
                "not a number from 1 to 65535",
            ),
            (
                "<incomingServer type=\"imap\"><port>993</port><socketType>SSL</socketType></incomingServer>",
                "without <hostname>",
            ),
        ] {
            let xml = doc(&format!(
                "{section}<outgoingServer type=\"smtp\"><hostname>smtp.example.org</hostname><port>465</port><socketType>SSL</socketType></outgoingServer>"
            ));
            let got = parse(&xml, &alice()).unwrap();
            assert_eq!(specs(&got), ["smtp smtp.example.org:465/tls"], "{section}");
            assert!(
                got.problems.iter().any(|p| p.contains(problem)),
                "{section}: {:?}",
                got.problems
            );
        }
    }

    #[test]
    fn the_first_known_socket_type_wins_and_plain_is_kept_as_plain() {
        let xml = doc(
            "<outgoingServer type=\"smtp\"><hostname>smtp.example.org</hostname><port>25</port><socketType>magic</socketType><socketType>plain</socketType></outgoingServer>",
        );
        assert_eq!(
            specs(&parse(&xml, &alice()).unwrap()),
            ["smtp smtp.example.org:25/plain"]
        );
    }

    #[test]
    fn documents_that_cannot_be_used_say_why() {
        let bomb = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<clientConfig><emailProvider id="x"><domain>&lol2;</domain></emailProvider></clientConfig>"#;
        let refused = parse(bomb, &alice());
        assert!(
            matches!(&refused, Err(AutoconfigError::Xml { message, .. }) if message.contains("DTD")),
            "{refused:?}"
        );
        assert!(matches!(
            parse("<clientConfig><emailProvider>", &alice()),
            Err(AutoconfigError::Xml { .. })
        ));
        assert_eq!(
            parse("<html><body>404</body></html>", &alice()),
            Err(AutoconfigError::NotAutoconfig)
        );
        assert!(matches!(
            parse(&doc(""), &alice()),
            Err(AutoconfigError::NoServers(p)) if p.is_empty()
        ));
        let huge = format!("<clientConfig>{}</clientConfig>", " ".repeat(MAX_DOCUMENT));
        assert_eq!(parse(&huge, &alice()), Err(AutoconfigError::TooLarge));
    }
}
