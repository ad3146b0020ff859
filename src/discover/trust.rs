//! Which discovered server may be sent a password. Discovery asks sources of every kind, and
//! some can be written by anyone on the way or by whoever runs a look-alike name: a server
//! that only such a source names is probed, never logged in to, until the user confirms it.

use crate::account::{Endpoint, Protocol};

use super::gather::Gathered;
use super::recommend::{organisation, own_organisations};
use super::sources::SourceKind;

/// Why no trusted source names this server for this protocol, or `None` when one does: a
/// profile (the domain's or its MX's), the ISPDB over https, or the domain's own https
/// autoconfig or SRV records naming a server of the domain's organisation (or its MX's).
pub fn unconfirmed(gathered: &Gathered, protocol: Protocol, endpoint: &Endpoint) -> Option<String> {
    let own = own_organisations(gathered);
    let inside = endpoint
        .host
        .name()
        .and_then(organisation)
        .is_some_and(|org| own.contains(&org));
    let naming: Vec<_> = gathered
        .reports
        .iter()
        .filter(|r| {
            r.claims
                .iter()
                .any(|c| c.protocol == protocol && c.endpoint == *endpoint)
        })
        .collect();
    let trusted = naming.iter().any(|r| match r.kind {
        SourceKind::Profile | SourceKind::Mx => true,
        SourceKind::Ispdb | SourceKind::MxDerived => r.query.starts_with("https://"),
        SourceKind::AutoconfigHttps | SourceKind::Srv => inside,
        SourceKind::AutoconfigHttp | SourceKind::Guess => false,
    });
    if trusted {
        return None;
    }
    let mut why: Vec<String> = naming
        .iter()
        .map(|r| match r.kind {
            SourceKind::AutoconfigHttp => {
                "a plain-http autoconfig, which anyone on the way could have written".to_owned()
            }
            SourceKind::Guess => "a guess at a usual name".to_owned(),
            SourceKind::Srv => format!(
                "SRV records pointing outside {}'s organisation",
                gathered.domain
            ),
            SourceKind::AutoconfigHttps => format!(
                "an autoconfig naming a server outside {}'s organisation",
                gathered.domain
            ),
            _ => format!("{} over plain http", r.kind.label()),
        })
        .collect();
    why.dedup();
    if why.is_empty() {
        why.push("no source that says whose it is".to_owned());
    }
    Some(why.join(", and "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::sources::{Claim, SourceReport};

    fn gathered(reports: Vec<(SourceKind, &str, &str)>) -> Gathered {
        Gathered {
            domain: "example.org".into(),
            mx: None,
            reports: reports
                .into_iter()
                .map(|(kind, query, spec)| {
                    let mut r = SourceReport::new(kind, query);
                    r.claims.push(Claim {
                        protocol: Protocol::Imap,
                        endpoint: Endpoint::parse(spec, Protocol::Imap).unwrap(),
                        username: None,
                        auth: Vec::new(),
                    });
                    r
                })
                .collect(),
        }
    }

    #[test]
    fn only_a_trusted_source_confirms_a_server_for_the_password() {
        let imap = |spec: &str| Endpoint::parse(spec, Protocol::Imap).unwrap();
        for (source, query, spec, confirmed) in [
            (
                SourceKind::Profile,
                "example.org",
                "imap.example.org:993/tls",
                true,
            ),
            (
                SourceKind::Ispdb,
                "https://ispdb/example.org",
                "imap.other.net:993/tls",
                true,
            ),
            (
                SourceKind::Ispdb,
                "http://ispdb/example.org",
                "imap.other.net:993/tls",
                false,
            ),
            (
                SourceKind::AutoconfigHttps,
                "https://autoconfig.example.org/",
                "mail.example.org:993/tls",
                true,
            ),
            (
                SourceKind::AutoconfigHttps,
                "https://autoconfig.example.org/",
                "mail.evil.net:993/tls",
                false,
            ),
            (
                SourceKind::AutoconfigHttp,
                "http://autoconfig.example.org/",
                "mail.example.org:993/tls",
                false,
            ),
            (
                SourceKind::Srv,
                "_imaps._tcp.example.org",
                "mail.example.org:993/tls",
                true,
            ),
            (
                SourceKind::Srv,
                "_imaps._tcp.example.org",
                "mail.elsewhere.net:993/tls",
                false,
            ),
            (
                SourceKind::Guess,
                "imap.example.org",
                "imap.example.org:993/tls",
                false,
            ),
        ] {
            let g = gathered(vec![(source, query, spec)]);
            assert_eq!(
                unconfirmed(&g, Protocol::Imap, &imap(spec)).is_none(),
                confirmed,
                "{source:?} {query} {spec}"
            );
        }
        // A guess that a trusted source names too is confirmed by it.
        let g = gathered(vec![
            (
                SourceKind::Guess,
                "imap.example.org",
                "imap.example.org:993/tls",
            ),
            (
                SourceKind::Srv,
                "_imaps._tcp.example.org",
                "imap.example.org:993/tls",
            ),
        ]);
        assert!(unconfirmed(&g, Protocol::Imap, &imap("imap.example.org:993/tls")).is_none());
    }
}
