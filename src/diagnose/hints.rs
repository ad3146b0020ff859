//! What well-known login refusals mean, by the codes and texts servers send.

/// Whose server answered: a provider's own codes mean something only from that provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vendor {
    Microsoft,
    Google,
    Other,
}

impl Vendor {
    /// Told by the server's name or its greeting (`Microsoft ESMTP MAIL Service`, `gsmtp`).
    pub fn of(host: &str, greeting: Option<&str>) -> Vendor {
        let host = host.to_ascii_lowercase();
        let greeting = greeting.unwrap_or_default().to_ascii_lowercase();
        let under = |domains: &[&str]| {
            domains
                .iter()
                .any(|d| host == *d || host.ends_with(&format!(".{d}")))
        };
        if under(&["outlook.com", "office365.com", "hotmail.com", "live.com"])
            || greeting.contains("microsoft")
        {
            Vendor::Microsoft
        } else if under(&["gmail.com", "google.com", "googlemail.com"])
            || greeting.contains("gsmtp")
            || greeting.contains("gimap")
        {
            Vendor::Google
        } else {
            Vendor::Other
        }
    }
}

/// Whether a refused login names a problem of the server's own (RFC 3206's SYS and IN-USE
/// codes, IMAP's UNAVAILABLE), so that the credentials may well be right.
pub fn server_side_refusal(reply: &str) -> bool {
    let r = reply.to_ascii_uppercase();
    ["[SYS/TEMP]", "[SYS/PERM]", "[IN-USE]", "[UNAVAILABLE]"]
        .iter()
        .any(|code| r.contains(code))
}

/// Well-known refusal words, the vendor they are that vendor's (or any), and their meaning;
/// the first match wins, so a vendor's reading comes before the generic one.
const HINTS: &[(&str, Option<Vendor>, &str)] = &[
    (
        "5.7.139",
        Some(Vendor::Microsoft),
        "Microsoft: the sign-in was blocked — basic authentication (passwords) is off for this account or tenant, or Security defaults / Conditional Access block it. Use OAuth2, or ask the administrator to enable SMTP AUTH for the mailbox.",
    ),
    (
        "5.7.30",
        Some(Vendor::Microsoft),
        "Microsoft: \"Basic authentication is not supported for Client Submission\" — SMTP AUTH with a password is switched off; the app must use OAuth2.",
    ),
    (
        "5.7.57",
        Some(Vendor::Microsoft),
        "Microsoft: the client was not authenticated to send mail — log in before sending, and check that SMTP AUTH is enabled for the mailbox.",
    ),
    (
        "5.7.3",
        Some(Vendor::Microsoft),
        "Microsoft: authentication unsuccessful — wrong password, or SMTP AUTH disabled for the mailbox.",
    ),
    (
        "5.7.9",
        Some(Vendor::Google),
        "Google: an application-specific password is required — turn on 2-Step Verification and create an app password, or use OAuth2.",
    ),
    (
        "5.7.8",
        Some(Vendor::Google),
        "Google: user name and password not accepted — Gmail needs an app password or OAuth2.",
    ),
    (
        "5.7.8",
        None,
        "The server does not accept this user name and password (5.7.8: authentication credentials invalid): check both.",
    ),
    (
        "5.7.0",
        None,
        "The server needs authentication (or encryption) before this command.",
    ),
    (
        "[AUTHENTICATIONFAILED]",
        None,
        "IMAP: wrong user name or password, or the account may not log in with a password.",
    ),
    (
        "[AUTHORIZATIONFAILED]",
        None,
        "IMAP: the credentials are right but this user may not use this mailbox.",
    ),
    (
        "[PRIVACYREQUIRED]",
        None,
        "IMAP: the server wants an encrypted connection before login.",
    ),
    (
        "[UNAVAILABLE]",
        None,
        "IMAP: the server cannot log anyone in right now; try again later.",
    ),
    (
        "[EXPIRED]",
        None,
        "IMAP: the password has expired; change it on the provider's website.",
    ),
    (
        "[IN-USE]",
        None,
        "POP3: another app holds the mailbox open; close it and retry.",
    ),
    (
        "[SYS/TEMP]",
        None,
        "POP3: a temporary server problem; try again later.",
    ),
    (
        "[SYS/PERM]",
        None,
        "POP3: a problem on the server's side, not with the user name or password (RFC 3206 SYS/PERM).",
    ),
    ("[AUTH]", None, "POP3: wrong user name or password."),
    (
        "WEB LOGIN REQUIRED",
        None,
        "The provider wants a sign-in on its website first (a security check).",
    ),
    (
        "APPLICATION-SPECIFIC PASSWORD",
        None,
        "The provider requires an app password for mail apps.",
    ),
];

/// Advice for a login refusal, keyed on the reply's enhanced status code or response code; a
/// provider's advice only for that provider's servers, the code's general meaning for the
/// rest, and no password advice for a refused OAuth2 token.
pub fn login_hint(reply: &str, vendor: Vendor, oauth2: bool) -> Option<&'static str> {
    let r = reply.to_ascii_uppercase();
    let hint = HINTS
        .iter()
        .filter(|(_, only, _)| only.is_none_or(|v| v == vendor))
        .find(|(key, _, _)| r.contains(key))
        .map(|(_, _, hint)| *hint)?;
    // No password was sent: advice about passwords would send the user the wrong way.
    if oauth2 && hint.contains("password") {
        return Some(
            "The token was refused: it may have expired, be for another account, or lack the scope this protocol needs.",
        );
    }
    Some(hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_refusals_get_a_hint() {
        let cases = [
            (
                "535 5.7.139 Authentication unsuccessful, the user credentials were incorrect.",
                "Microsoft",
            ),
            (
                "550 5.7.30 Basic authentication is not supported for Client Submission.",
                "OAuth2",
            ),
            (
                "534-5.7.9 Application-specific password required.",
                "2-Step",
            ),
            (
                "535-5.7.8 Username and Password not accepted.",
                "not accepted",
            ),
            (
                "a3 NO [AUTHENTICATIONFAILED] Authentication failed.",
                "wrong user name",
            ),
            ("-ERR [AUTH] Authentication failed.", "POP3"),
        ];
        for (reply, want) in cases {
            let vendor = if want == "2-Step" || reply.contains("5.7.8") {
                Vendor::Google
            } else {
                Vendor::Microsoft
            };
            let hint =
                login_hint(reply, vendor, false).unwrap_or_else(|| panic!("no hint for {reply}"));
            assert!(hint.contains(want), "{reply}: {hint}");
        }
        assert_eq!(login_hint("535 nope", Vendor::Other, false), None);
    }

    #[test]
    fn a_providers_advice_only_for_its_servers_and_no_password_advice_for_a_token() {
        let postfix = "535 5.7.8 Error: authentication failed: authentication failure";
        let hint = login_hint(postfix, Vendor::Other, false).unwrap();
        assert!(
            !hint.contains("Gmail") && !hint.contains("Google"),
            "{hint}"
        );
        assert!(hint.contains("credentials invalid"), "{hint}");
        let token = login_hint(postfix, Vendor::Other, true).unwrap();
        assert!(!token.contains("password"), "{token}");
        assert_eq!(
            login_hint(
                "535 5.7.139 Authentication unsuccessful",
                Vendor::Other,
                false
            ),
            None,
            "Microsoft's code means nothing sure from another server"
        );
        assert_eq!(
            Vendor::of("smtp.gmail.com", None),
            Vendor::Google,
            "by host"
        );
        assert_eq!(
            Vendor::of(
                "mail.example.org",
                Some("220 BN8PR Microsoft ESMTP MAIL Service ready")
            ),
            Vendor::Microsoft,
            "by greeting"
        );
        assert_eq!(Vendor::of("notgmail.com", None), Vendor::Other);
    }
}
