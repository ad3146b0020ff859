//! Findings: what maildoctor found, how bad it is, and what to type instead.

use std::fmt;

use serde::Serialize;

use crate::account::Protocol;

/// How bad a finding is. Ordered so that `max()` gives the worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    /// A symbol that carries the meaning without colour.
    pub fn symbol(self) -> &'static str {
        match self {
            Severity::Info => "i",
            Severity::Warning => "!",
            Severity::Error => "✗",
        }
    }

    /// The word every face shows for it.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "INFO",
            Severity::Warning => "WARN",
            Severity::Error => "ERROR",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a finding says is wrong, which decides how the faces treat it: alternatives start at
/// once for a wrong port, the pane marks the endpoint as misconfigured, `a` offers what the
/// profile documents for a wrong setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blame {
    /// The port, its encryption mode or the server's role is wrong (seen without a network).
    Port,
    /// Another typed setting is wrong: a mistyped or retired host, a plaintext login, a
    /// setting the provider does not document.
    Setting,
    /// The server's answer proves the typed endpoint wrong (TLS on a plaintext port, …).
    Endpoint,
    /// The server, the network, the certificate or the credentials: not the typed endpoint.
    Other,
}

impl Blame {
    /// The typed settings are wrong, known before any probe.
    pub fn is_typed_setting(self) -> bool {
        matches!(self, Blame::Port | Blame::Setting)
    }

    /// The endpoint as typed is to blame, known statically or proven by the server.
    pub fn is_endpoint(self) -> bool {
        self != Blame::Other
    }
}

macro_rules! finding_ids {
    ($($variant:ident => $id:literal, $severity:ident, $blame:ident, $summary:literal;)+) => {
        /// Every kind of finding, with a stable kebab-case id that scripts can rely on.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum FindingId { $($variant),+ }

        impl FindingId {
            /// Every id, in catalogue order.
            pub const ALL: &'static [FindingId] = &[$(FindingId::$variant),+];

            /// The stable id.
            pub fn as_str(self) -> &'static str {
                match self { $(FindingId::$variant => $id),+ }
            }

            /// The severity a finding of this kind usually has.
            pub fn default_severity(self) -> Severity {
                match self { $(FindingId::$variant => Severity::$severity),+ }
            }

            /// What the finding says is to blame: the typed settings, or something else.
            pub fn blame(self) -> Blame {
                match self { $(FindingId::$variant => Blame::$blame),+ }
            }

            /// The id's kebab-case word back to the id.
            pub fn from_id(id: &str) -> Option<FindingId> {
                match id { $($id => Some(FindingId::$variant),)+ _ => None }
            }

            /// One line on what the finding means, for the catalogue in the README and `--help`.
            pub fn summary(self) -> &'static str {
                match self { $(FindingId::$variant => $summary),+ }
            }
        }
    };
}

finding_ids! {
    PortSecurityMismatch => "port-security-mismatch", Error, Port,
        "A well-known port is set with the other encryption mode (465/993/995 need SSL/TLS; 587/143/110 need STARTTLS).";
    IncomingServerAsOutgoing => "incoming-server-as-outgoing", Error, Port,
        "The outgoing (SMTP) server is set to an incoming server's host or port.";
    OutgoingServerAsIncoming => "outgoing-server-as-incoming", Error, Port,
        "An incoming (IMAP/POP3) server is set to the outgoing server's host or port.";
    ImapPop3Swap => "imap-pop3-swap", Error, Port,
        "IMAP is set to a POP3 host or port, or the reverse.";
    Port25ForSubmission => "port-25-for-submission", Warning, Port,
        "SMTP on port 25: meant for server-to-server relay and often blocked by ISPs.";
    PlaintextCredentials => "plaintext-credentials", Error, Setting,
        "A password would be sent without encryption.";
    ProfileMismatch => "profile-mismatch", Warning, Setting,
        "Host, port or encryption differ from every setting the provider documents.";
    HostTypo => "host-typo", Error, Setting,
        "The host is one or two keystrokes away from a known provider host.";
    LegacyHost => "legacy-host", Warning, Setting,
        "The host is a retired name of the provider; use the current one.";
    HostAlias => "host-alias", Info, Other,
        "The host is an alias of the documented name; it may work, but the documented one is safer.";
    UsernameForm => "username-form", Error, Other,
        "The provider needs the full address (or only the part before '@') as the user name.";
    PasswordAuthUnsupported => "password-auth-unsupported", Error, Other,
        "The provider no longer accepts passwords for this protocol; OAuth2 sign-in is needed.";
    AuthPolicyNotice => "auth-policy-notice", Info, Other,
        "A dated change in the provider's login policy affects this account.";
    AppPasswordRequired => "app-password-required", Info, Other,
        "The provider refuses the account password here; create an app password (or use OAuth2).";
    DnsNoSuchHost => "dns-no-such-host", Error, Other,
        "The server name does not exist in DNS (a typo, or a retired name).";
    DnsNoAddress => "dns-no-address", Error, Other,
        "The name exists but has no address (for the address family allowed).";
    DnsFailure => "dns-failure", Error, Other,
        "The DNS resolver failed or did not answer; the name could not be looked up.";
    DnsNotWorking => "dns-not-working", Error, Other,
        "No name could be looked up from here, a provider's real server names included: this machine's DNS or network is at fault, not the settings.";
    ConnectRefused => "connect-refused", Error, Other,
        "The server answered that nothing listens on this port: wrong port, or the service is down.";
    ConnectTimeout => "connect-timeout", Error, Other,
        "No answer at all: a firewall, the ISP or the network drops the connection.";
    ConnectUnreachable => "connect-unreachable", Error, Other,
        "There is no route to the server, or a firewall rejects the connection.";
    ConnectReset => "connect-reset", Error, Other,
        "The connection was reset as it opened: a firewall or an overloaded server.";
    Ipv6Broken => "ipv6-broken", Warning, Other,
        "The server's IPv6 addresses fail while IPv4 works: apps that prefer IPv6 may hang.";
    TlsOnPlaintextPort => "tls-on-plaintext-port", Error, Endpoint,
        "SSL/TLS is set, but the server greets in plaintext on this port: use STARTTLS here, or the SSL/TLS port.";
    PlaintextOnTlsPort => "plaintext-on-tls-port", Error, Endpoint,
        "STARTTLS or no encryption is set, but this port expects SSL/TLS from the first byte.";
    WrongProtocol => "wrong-protocol", Error, Endpoint,
        "Another kind of server answered (IMAP on the SMTP line, a web server, SSH…): wrong host or port.";
    GreetingTimeout => "greeting-timeout", Error, Other,
        "The connection opened but the server never said hello.";
    SlowGreeting => "slow-greeting", Warning, Other,
        "The greeting took more than 5 seconds: a tarpit, an overloaded server, or an antivirus proxy.";
    EndpointSlow => "endpoint-slow", Warning, Other,
        "The whole check of an endpoint took longer than --warn-time (an error past --crit-time).";
    ServerRejected => "server-rejected", Error, Other,
        "The server refused service in its greeting (421/554, * BYE, -ERR).";
    StarttlsNotOffered => "starttls-not-offered", Error, Other,
        "STARTTLS is set, but the server does not offer it.";
    StarttlsFailed => "starttls-failed", Error, Other,
        "The server refused STARTTLS, or the TLS handshake after it failed.";
    TlsHandshakeFailed => "tls-handshake-failed", Error, Other,
        "The TLS handshake failed.";
    TlsVersionTooOld => "tls-version-too-old", Error, Other,
        "The server only speaks TLS 1.1 or older, which current apps refuse.";
    CertExpired => "cert-expired", Error, Other,
        "The server's certificate has expired.";
    CertNotYetValid => "cert-not-yet-valid", Error, Other,
        "The server's certificate is not valid yet (or this computer's clock is wrong).";
    CertSelfSigned => "cert-self-signed", Error, Other,
        "The server's certificate is self-signed: no authority vouches for it.";
    CertUntrusted => "cert-untrusted", Error, Other,
        "The server's certificate is issued by an authority this computer does not trust (or an intermediate is missing).";
    CertNameMismatch => "cert-name-mismatch", Error, Other,
        "The certificate is for another name than the server name typed.";
    TlsIntercepted => "tls-intercepted", Error, Other,
        "An antivirus program or the network inspects the encrypted connection with a certificate of its own, not trusted here.";
    CertExpiringSoon => "cert-expiring-soon", Warning, Other,
        "The server's certificate expires in less than 14 days.";
    AuthNotOffered => "auth-not-offered", Error, Other,
        "The server offers no way to log in, even after encryption.";
    AuthMechanismUnsupported => "auth-mechanism-unsupported", Error, Other,
        "The server's or the provider's login methods do not include the account's (password, OAuth2, NTLM/SPA, CRAM-MD5, Kerberos).";
    LoginDisabled => "login-disabled", Error, Other,
        "The server refuses password logins on an unencrypted connection.";
    PlaintextAuthOffered => "plaintext-auth-offered", Warning, Other,
        "The server offers password login before encryption; an app set wrongly would send it in the clear.";
    LoginFailed => "login-failed", Error, Other,
        "The server refused the login; its exact reply and what it usually means are shown.";
    LoginTimeout => "login-timeout", Error, Other,
        "The server took the login but never answered it: no verdict on the password.";
    LoginOk => "login-ok", Info, Other,
        "The login worked.";
    OauthTokenExpired => "oauth-token-expired", Error, Other,
        "The OAuth2 token's expiry (exp) has passed, or comes within minutes (a warning then), by this machine's clock.";
    OauthTokenWrongAudience => "oauth-token-wrong-audience", Error, Other,
        "The OAuth2 token is for another service (aud: Microsoft Graph, say) than IMAP, POP and SMTP (https://outlook.office.com).";
    OauthTokenMissingScope => "oauth-token-missing-scope", Error, Other,
        "The OAuth2 token lacks the scope this protocol needs (IMAP.AccessAsUser.All, POP.AccessAsUser.All, SMTP.Send).";
    OauthTokenOtherUser => "oauth-token-other-user", Error, Other,
        "The OAuth2 token was issued to another user (upn, preferred_username) than the one logging in.";
    ServerAlert => "server-alert", Warning, Other,
        "The server sent an IMAP [ALERT] with its answer to the login: a message it says the user must see.";
    SenderRejected => "sender-rejected", Error, Other,
        "After the login, the server refuses MAIL FROM: this login may not send as that address (5.7.60 SendAsDenied, Postfix's sender-login check).";
    RecipientRejected => "recipient-rejected", Error, Other,
        "After the login, the server refuses the recipient (RCPT TO): no such user, or a policy; its words say which.";
    RelayDenied => "relay-denied", Error, Other,
        "After the login, the server still will not pass mail on to another domain (554/5.7.1 relay access denied).";
    MessageSizeLimit => "message-size-limit", Info, Other,
        "The largest message the server takes, from its EHLO SIZE.";
    TestMessage => "test-message", Info, Other,
        "--send-test sent a short test message: the server's queue id, or why it refused it.";
    MailboxUnavailable => "mailbox-unavailable", Error, Other,
        "The login worked but the mailbox cannot be opened (EXAMINE INBOX or STAT refused): IMAP/POP turned off for it, locked by another client, or missing.";
    ProtocolViolation => "protocol-violation", Error, Other,
        "The server sent a malformed reply, an endless line, or binary garbage.";
    ConnectionDropped => "connection-dropped", Error, Other,
        "The server closed the connection or stopped answering in the middle of the dialogue.";
    WorkingAlternative => "working-alternative", Info, Other,
        "Another port or encryption mode on the same server works from here.";
    MailHostedBy => "mail-hosted-by", Info, Other,
        "The domain's MX says which provider handles its mail; its settings are used.";
    SecurityGateway => "security-gateway", Info, Other,
        "The domain's MX is a filtering service (Mimecast, Proofpoint…): the mailbox provider is hidden behind it.";
    ForwardingOnly => "forwarding-only", Warning, Other,
        "The domain's mail is only forwarded (Cloudflare Email Routing, a registrar's forwarding): there is no mailbox to log in to.";
    DiscoveryConflict => "discovery-conflict", Warning, Other,
        "The sources disagree about a server; the one that works from here is named.";
    AutoconfigInsecure => "autoconfig-insecure", Warning, Other,
        "The settings came only over plain http, or an https lookup was redirected elsewhere: anyone on the way could have changed them.";
    AutoconfigInvalid => "autoconfig-invalid", Warning, Other,
        "An autoconfig document is broken (not XML, an unknown socketType, a placeholder that does not expand); what could not be read was left out.";
    SrvTargetElsewhere => "srv-target-elsewhere", Warning, Other,
        "A DNS SRV record points outside the address's domain; without DNSSEC it needs confirming.";
    LoginWithheldUnconfirmed => "login-withheld-unconfirmed", Warning, Other,
        "Discovery found this server only through a source anyone could have written (plain http, a guess, SRV or autoconfig pointing elsewhere): it was probed, and no password went to it.";
    AutoconfigServerElsewhere => "autoconfig-server-elsewhere", Warning, Other,
        "An autoconfig document the domain serves names a server of another organisation than the domain's or its MX's, and no curated source agrees.";
    DiffersFromDiscovered => "differs-from-discovered", Warning, Other,
        "The server given is not the one the domain's sources name; the discovered one is offered when it works from here.";
    ClientPasswordStored => "client-password-stored", Info, Other,
        "The imported client's file holds the password in plain text; maildoctor never reads it.";
    ClientPasswordCommand => "client-password-command", Info, Other,
        "The imported client runs a command for the password (named by its program only); maildoctor never runs it.";
    ClientAuthOff => "client-auth-off", Warning, Other,
        "The imported client is set not to log in (msmtp `user` without `auth`, Postfix without smtp_sasl_auth_enable).";
    ClientValueIgnored => "client-value-ignored", Warning, Other,
        "The imported client does not understand a value and silently does something else (git's smtpEncryption = SSL means plaintext).";
    ClientTlsOptional => "client-tls-optional", Warning, Other,
        "The imported client uses STARTTLS only when offered: whoever strips the offer gets the password.";
    ClientOptionVersion => "client-option-version", Warning, Other,
        "An option of the imported client that only some of its versions know (mbsync's TLSType, UseIMAPS).";
    ClientIpCertificate => "client-ip-certificate", Warning, Other,
        "The imported client checks a certificate's names only, so a server given by IP address fails its check (mbsync 1.4).";
    ClientTlsVersionPinned => "client-tls-version-pinned", Warning, Other,
        "The imported client allows exactly one old TLS version (fetchmail's sslproto TLS1), which current servers refuse.";
    CertificateCheckOff => "certificate-check-off", Warning, Other,
        "The imported client does not check the server's certificate.";
    RelayhostMxLookup => "relayhost-mx-lookup", Warning, Other,
        "Postfix's relayhost without brackets: Postfix relays to the MX of that name, not to it.";
    SaslPasswdKeyMismatch => "sasl-passwd-key-mismatch", Error, Other,
        "Postfix's password map has no key written as relayhost is, so Postfix does not log in.";
    NoMailSettingsFound => "no-mail-settings-found", Error, Other,
        "No source publishes settings for the domain and no usual server name answers.";
}

impl fmt::Display for FindingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for FindingId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One thing maildoctor found about an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub id: FindingId,
    pub severity: Severity,
    /// The protocol it concerns; `None` for the account as a whole.
    pub protocol: Option<Protocol>,
    /// One line.
    pub title: String,
    /// What it means, for someone who is not a mail expert.
    pub explanation: String,
    /// What to type instead, when known.
    pub fix: Option<String>,
    /// An endpoint that works from here (found by probing), ready to apply.
    pub suggested: Option<crate::account::Endpoint>,
    /// The fix in the words and place of the client the settings were imported from.
    pub client_fix: Option<String>,
    /// What the server or the TLS library said, word for word: shown last, after the fix and
    /// the explanation, because it is for whoever fixes the server, not for the user.
    pub evidence: Option<String>,
}

impl Finding {
    /// A finding with its id's usual severity.
    pub fn new(
        id: FindingId,
        protocol: Option<Protocol>,
        title: impl Into<String>,
        explanation: impl Into<String>,
    ) -> Finding {
        Finding {
            id,
            suggested: None,
            severity: id.default_severity(),
            protocol,
            title: title.into(),
            explanation: explanation.into(),
            fix: None,
            client_fix: None,
            evidence: None,
        }
    }

    /// The server's or the library's own words, kept out of the explanation.
    #[must_use]
    pub fn with_evidence(mut self, evidence: impl Into<String>) -> Finding {
        self.evidence = Some(evidence.into());
        self
    }

    #[must_use]
    pub fn with_fix(mut self, fix: impl Into<String>) -> Finding {
        self.fix = Some(fix.into());
        self
    }

    /// An endpoint the finding offers to switch to.
    #[must_use]
    pub fn suggesting(mut self, endpoint: crate::account::Endpoint) -> Finding {
        self.suggested = Some(endpoint);
        self
    }

    #[must_use]
    pub fn with_severity(mut self, severity: Severity) -> Finding {
        self.severity = severity;
        self
    }
}

/// Worst first; then outgoing before incoming, then by id, so output is stable.
pub fn sort_worst_first(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.protocol.cmp(&b.protocol))
            .then(a.id.cmp(&b.id))
    });
}

/// The worst severity among findings, if any.
pub fn worst(findings: &[Finding]) -> Option<Severity> {
    findings.iter().map(|f| f.severity).max()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case() {
        let mut seen = std::collections::BTreeSet::new();
        for id in FindingId::ALL {
            let s = id.as_str();
            assert!(
                s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{s}"
            );
            assert!(seen.insert(s), "duplicate id {s}");
        }
    }

    #[test]
    fn sorting_puts_errors_first() {
        let mut list = vec![
            Finding::new(FindingId::HostAlias, Some(Protocol::Imap), "a", ""),
            Finding::new(FindingId::HostTypo, Some(Protocol::Pop3), "b", ""),
            Finding::new(
                FindingId::Port25ForSubmission,
                Some(Protocol::Smtp),
                "c",
                "",
            ),
            Finding::new(
                FindingId::PortSecurityMismatch,
                Some(Protocol::Smtp),
                "d",
                "",
            ),
        ];
        sort_worst_first(&mut list);
        let titles: Vec<_> = list.iter().map(|f| f.title.as_str()).collect();
        assert_eq!(titles, ["d", "b", "c", "a"]);
        assert_eq!(worst(&list), Some(Severity::Error));
    }
}
