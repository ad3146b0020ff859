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

/// A refusal recognised by its words: what it means and what to do instead of checking the
/// password (which is right, or beside the point, in every one of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownRefusal {
    pub meaning: &'static str,
    pub fix: &'static str,
}

/// Refusals whose words only one provider sends, recognised wherever the server is (a proxy,
/// a relay, a custom domain's MX); texts a provider shares with others only from its servers.
/// Sources: Microsoft Exchange Team, 2026-01-27 (SMTP AUTH off by default from the end of
/// December 2026) and the Outlook.com notice of 2024-09-16; Google's, Yahoo's and Yandex's help
/// pages for the texts.
const KNOWN_REFUSALS: &[(&str, Option<Vendor>, KnownRefusal)] = &[
    (
        "SMTPCLIENTAUTHENTICATION IS DISABLED",
        None,
        KnownRefusal {
            meaning: "Microsoft 365: SMTP AUTH is switched off for this tenant or mailbox, so no password gets through, however right. Exchange Online switches it off by default for every existing tenant at the end of December 2026; admins can still switch it on until its removal in the second half of 2027.",
            fix: "An Exchange admin switches SMTP AUTH on for the mailbox (Set-CASMailbox -Identity ADDRESS -SmtpClientAuthenticationDisabled $false) or the organisation; or the app logs in with OAuth2, or sends through a relay connector",
        },
    ),
    (
        "BASIC AUTHENTICATION IS NOT SUPPORTED FOR CLIENT SUBMISSION",
        None,
        KnownRefusal {
            meaning: "Microsoft: passwords are switched off for sending (SMTP AUTH with basic authentication).",
            fix: "Log in with OAuth2; for Microsoft 365, an admin can switch SMTP AUTH on for the mailbox while Microsoft still allows it",
        },
    ),
    (
        "BASIC AUTHENTICATION IS DISABLED",
        None,
        KnownRefusal {
            meaning: "Microsoft: passwords (basic authentication) are switched off for this account; an app password does not help. Outlook.com has taken no passwords since 2024-09-16.",
            fix: "Log in with OAuth2 (Outlook.com and Exchange Online's IMAP and POP take nothing else)",
        },
    ),
    (
        "LOGON FAILURE: UNKNOWN USER NAME OR BAD PASSWORD",
        Some(Vendor::Microsoft),
        KnownRefusal {
            meaning: "Microsoft's POP3 says this for every password login: Outlook.com has taken no passwords since 2024-09-16, so the password is not the question; app passwords do not work either.",
            fix: "Log in with OAuth2",
        },
    ),
    (
        "USER IS AUTHENTICATED BUT NOT CONNECTED",
        None,
        KnownRefusal {
            meaning: "Exchange Online accepted the credentials but will not open the mailbox: IMAP or POP is not enabled for it, or it has no Exchange Online licence.",
            fix: "An admin enables the protocol for the mailbox (Set-CASMailbox -Identity ADDRESS -ImapEnabled $true, or -PopEnabled $true) and checks that it has a licence",
        },
    ),
    (
        "APPLICATION-SPECIFIC PASSWORD REQUIRED",
        None,
        KnownRefusal {
            meaning: "Google: this account has 2-Step Verification on, so its own password is refused in mail apps.",
            fix: "Create an app password in the Google account's security settings (it needs 2-Step Verification) and use it here, or log in with OAuth2",
        },
    ),
    (
        "INVALIDSECONDFACTOR",
        None,
        KnownRefusal {
            meaning: "Google: this account has 2-Step Verification on, so its own password is refused in mail apps.",
            fix: "Create an app password in the Google account's security settings (it needs 2-Step Verification) and use it here, or log in with OAuth2",
        },
    ),
    (
        "#AUTH005",
        None,
        KnownRefusal {
            meaning: "Yahoo/AOL: the account is locked for a while after too many failed logins; any password is refused until then.",
            fix: "Wait before trying again (an hour or so), then log in with an app password made in the account's security settings",
        },
    ),
    (
        "IMAP IS DISABLED",
        None,
        KnownRefusal {
            meaning: "Yandex: IMAP is switched off in the mailbox's settings, or the password is not an app password.",
            fix: "Switch IMAP on in the mailbox's settings (Mail clients) and log in with an app password",
        },
    ),
];

/// The refusal these words are, when they are a known one.
pub fn known_refusal(reply: &str, vendor: Vendor) -> Option<KnownRefusal> {
    let r = reply.to_ascii_uppercase();
    KNOWN_REFUSALS
        .iter()
        .filter(|(_, only, _)| only.is_none_or(|v| v == vendor))
        .find(|(text, _, _)| r.contains(text))
        .map(|(_, _, known)| *known)
}

/// The reply's basic code (`535` of `535-5.7.0 …`), which says the class of answer before any
/// enhanced code does.
fn basic_code(reply: &str) -> Option<&str> {
    reply
        .get(..3)
        .filter(|c| c.bytes().all(|b| b.is_ascii_digit()))
}

/// Advice for a login refusal, keyed on the reply's enhanced status code or response code; a
/// provider's advice only for that provider's servers, the code's general meaning for the
/// rest, and no password advice for a refused OAuth2 token.
pub fn login_hint(reply: &str, vendor: Vendor, oauth2: bool) -> Option<&'static str> {
    let r = reply.to_ascii_uppercase();
    let hint = HINTS
        .iter()
        .filter(|(_, only, _)| only.is_none_or(|v| v == vendor))
        // 5.7.0 is "authentication needed" only in a 530; a 535 is a refused login.
        .filter(|(key, _, _)| !(*key == "5.7.0" && basic_code(reply) == Some("535")))
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

    #[test]
    fn the_refusals_of_2026_are_known_by_their_words_with_their_way_out() {
        for (reply, vendor, meaning, fix) in [
            (
                "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled",
                Vendor::Other,
                "end of December 2026",
                "Set-CASMailbox",
            ),
            (
                "535 5.7.139 Authentication unsuccessful, basic authentication is disabled.",
                Vendor::Microsoft,
                "app password does not help",
                "OAuth2",
            ),
            (
                "a1 NO Basic authentication is disabled.",
                Vendor::Other,
                "2024-09-16",
                "OAuth2",
            ),
            (
                "550 5.7.30 Basic authentication is not supported for Client Submission.",
                Vendor::Other,
                "switched off for sending",
                "OAuth2",
            ),
            (
                "-ERR Logon failure: unknown user name or bad password.",
                Vendor::Microsoft,
                "2024-09-16",
                "OAuth2",
            ),
            (
                "a1 BAD User is authenticated but not connected.",
                Vendor::Other,
                "licence",
                "-ImapEnabled",
            ),
            (
                "a1 NO [ALERT] Application-specific password required: https://support.google.com/accounts/answer/185833 (Failure)",
                Vendor::Other,
                "2-Step",
                "app password",
            ),
            (
                "534-5.7.9 Please log in with an application-specific password. InvalidSecondFactor",
                Vendor::Google,
                "2-Step",
                "app password",
            ),
            (
                "535 5.7.0 (#AUTH005) Too many bad auth attempts.",
                Vendor::Other,
                "locked",
                "Wait",
            ),
            (
                "a1 NO [AUTHENTICATIONFAILED] LOGIN Invalid credentials or IMAP is disabled",
                Vendor::Other,
                "Yandex",
                "Switch IMAP on",
            ),
        ] {
            let known = known_refusal(reply, vendor).unwrap_or_else(|| panic!("unknown: {reply}"));
            assert!(
                known.meaning.contains(meaning),
                "{reply}: {}",
                known.meaning
            );
            assert!(known.fix.contains(fix), "{reply}: {}", known.fix);
        }
        // Words other servers use too are Microsoft's only from Microsoft.
        assert_eq!(
            known_refusal(
                "-ERR Logon failure: unknown user name or bad password.",
                Vendor::Other
            ),
            None
        );
    }

    #[test]
    fn a_535_is_a_refused_login_whatever_its_enhanced_code() {
        let hint = login_hint("535 5.7.0 Authentication failed", Vendor::Other, false);
        assert!(
            hint.is_none_or(|h| !h.contains("needs authentication")),
            "{hint:?}"
        );
        let hint = login_hint(
            "530 5.7.0 Must issue a STARTTLS command first",
            Vendor::Other,
            false,
        );
        assert!(
            hint.is_some_and(|h| h.contains("needs authentication")),
            "{hint:?}"
        );
    }
}
