//! What a server says back is scrubbed of every form of every secret the check sends: a
//! hostile or careless server that echoes the password (as typed, base64, inside the SASL
//! PLAIN or XOAUTH2 blob, IMAP-quoted) must not get it printed, shown or saved. Applied to
//! every line read and every certificate field, before anything else sees them, so every
//! stage detail, finding, report and screen built from server text is clean by construction.

use std::borrow::Cow;

use base64::Engine;

use super::observation::{Failure, Observation};
use super::wire::imap;
use super::wire::sasl::Mechanism;
use crate::secret::Credentials;

/// What a scrubbed secret is replaced with.
pub const REDACTED: &str = "<redacted>";

/// The forms of the secrets to remove, longest first (so a blob that contains the password
/// goes whole).
#[derive(Debug, Clone, Default)]
pub struct Scrubber {
    forms: Vec<String>,
}

impl Scrubber {
    /// Every form in which these credentials go over the wire, derived from the functions the
    /// dialogues send them with (each SASL mechanism's response, clear and base64; IMAP's
    /// quoted LOGIN argument; the password itself, as POP3's PASS sends it), and the ones a
    /// server may make of them when it echoes (base64 without padding, or URL-safe).
    pub fn new<'a>(credentials: impl IntoIterator<Item = &'a Credentials>) -> Scrubber {
        let mut forms = Vec::new();
        for creds in credentials {
            let secret = creds.secret.expose();
            if secret.is_empty() {
                continue;
            }
            let user = &creds.username;
            forms.push(secret.to_owned());
            // Inside IMAP's quotes, its escapes: the quotes themselves are left standing.
            let quoted = imap::quoted(secret);
            let inside = quoted.strip_prefix('"').and_then(|q| q.strip_suffix('"'));
            forms.push(inside.unwrap_or(&quoted).to_owned());
            for mechanism in Mechanism::ALL {
                // The response decoded, with its separators shown as a server might show them.
                forms.push(mechanism.clear(user, secret));
                let sent = mechanism.response(user, secret);
                forms.push(sent.trim_end_matches('=').to_owned());
                forms.push(sent);
            }
            forms.push(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret));
        }
        forms.retain(|f| !f.is_empty());
        forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
        forms.dedup();
        Scrubber { forms }
    }

    /// Every text of an observation that came from the server (or quotes it), scrubbed; the
    /// stage details and transcript lines were already, where they were recorded.
    pub fn observation(&self, obs: &mut Observation) {
        let mut clean = |text: &mut String| {
            if let Cow::Owned(scrubbed) = self.scrub(text) {
                *text = scrubbed;
            }
        };
        // Stage details and transcript lines are scrubbed as they are recorded.
        if let Some(greeting) = &mut obs.greeting {
            clean(&mut greeting.text);
        }
        for caps in [&mut obs.capabilities, &mut obs.capabilities_after_tls]
            .into_iter()
            .flatten()
        {
            caps.keywords = caps
                .keywords
                .iter()
                .map(|k| self.scrub(k).into_owned())
                .collect();
            caps.auth = caps
                .auth
                .iter()
                .map(|k| self.scrub(k).into_owned())
                .collect();
        }
        if let Some(auth) = &mut obs.auth {
            clean(&mut auth.reply);
            auth.alerts.iter_mut().for_each(&mut clean);
            if let Some(challenge) = &mut auth.challenge {
                clean(challenge);
            }
        }
        if let Some(access) = &mut obs.access {
            for step in &mut access.steps {
                clean(&mut step.reply);
            }
            if let Some(queued) = &mut access.queued {
                clean(queued);
            }
        }
        if let Some(tls) = &mut obs.tls {
            if let Some(reason) = &mut tls.reason {
                clean(reason);
            }
            if let Some(cert) = &mut tls.certificate {
                clean(&mut cert.subject);
                clean(&mut cert.issuer);
                cert.san.iter_mut().for_each(&mut clean);
            }
        }
        if let Some(failure) = &mut obs.failure {
            match failure {
                Failure::DnsFailure(text)
                | Failure::ConnectOther(text)
                | Failure::TlsOnPlaintextPort { greeting: text }
                | Failure::WrongProtocol { line: text, .. }
                | Failure::ServerRejected { text }
                | Failure::StarttlsFailed { reason: text }
                | Failure::TlsHandshakeFailed { reason: text }
                | Failure::TlsVersionTooOld { reason: text }
                | Failure::ProtocolViolation { reason: text }
                | Failure::Dropped { reason: text, .. } => clean(text),
                Failure::DnsNoSuchHost
                | Failure::DnsNoAddress
                | Failure::ConnectRefused
                | Failure::ConnectTimeout
                | Failure::ConnectUnreachable
                | Failure::ConnectReset
                | Failure::PlaintextOnTlsPort
                | Failure::GreetingTimeout
                | Failure::StarttlsNotOffered
                | Failure::LoginTimeout { .. } => {}
            }
        }
    }

    /// `text` with every secret form replaced by `<redacted>`.
    pub fn scrub<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let mut out = Cow::Borrowed(text);
        for form in &self.forms {
            if out.contains(form.as_str()) {
                out = Cow::Owned(out.replace(form.as_str(), REDACTED));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::wire::sasl::encode;
    use crate::secret::Secret;

    fn scrubber(secret: &str) -> Scrubber {
        let creds = Credentials {
            username: "alice@example.org".into(),
            secret: Secret::new(secret.into()),
            oauth2: false,
        };
        Scrubber::new([&creds])
    }

    #[test]
    fn every_form_of_the_secret_is_removed() {
        let secret = "pä\"ss\\wörd 1";
        let s = scrubber(secret);
        let user = "alice@example.org";
        for echoed in [
            secret.to_owned(),
            "pä\\\"ss\\\\wörd 1".to_owned(),
            encode(secret),
            Mechanism::Plain.response(user, secret),
            Mechanism::Plain
                .response(user, secret)
                .trim_end_matches('=')
                .to_owned(),
            Mechanism::XOauth2.response(user, secret),
            format!("\0{user}\0{secret}"),
        ] {
            let line = format!("535 5.7.8 you sent {echoed} and that is wrong");
            let shown = s.scrub(&line);
            assert!(!shown.contains(secret), "{line:?} -> {shown:?}");
            assert!(!shown.contains(&echoed), "{line:?} -> {shown:?}");
            assert!(shown.contains(REDACTED), "{shown}");
            assert!(shown.starts_with("535 5.7.8 you sent "), "{shown}");
        }
    }

    #[test]
    fn text_without_a_secret_is_left_alone() {
        let s = scrubber("hunter2");
        assert!(matches!(
            s.scrub("250 mail.example.org"),
            Cow::Borrowed("250 mail.example.org")
        ));
        assert_eq!(Scrubber::new([]).scrub("hunter2"), "hunter2");
    }
}
