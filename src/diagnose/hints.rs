//! What well-known login refusals mean, by the codes and texts servers send.

/// Advice for a login refusal, keyed on the reply's enhanced status code or response code.
pub fn login_hint(reply: &str) -> Option<&'static str> {
    let r = reply.to_ascii_uppercase();
    let table: &[(&str, &str)] = &[
        (
            "5.7.139",
            "Microsoft: the sign-in was blocked — basic authentication (passwords) is off for this account or tenant, or Security defaults / Conditional Access block it. Use OAuth2, or ask the administrator to enable SMTP AUTH for the mailbox.",
        ),
        (
            "5.7.30",
            "Microsoft: \"Basic authentication is not supported for Client Submission\" — SMTP AUTH with a password is switched off; the app must use OAuth2.",
        ),
        (
            "5.7.57",
            "Microsoft: the client was not authenticated to send mail — log in before sending, and check that SMTP AUTH is enabled for the mailbox.",
        ),
        (
            "5.7.3",
            "Microsoft: authentication unsuccessful — wrong password, or SMTP AUTH disabled for the mailbox.",
        ),
        (
            "5.7.9",
            "Google: an application-specific password is required — turn on 2-Step Verification and create an app password, or use OAuth2.",
        ),
        (
            "5.7.8",
            "Google and others: user name and password not accepted — check both; Gmail needs an app password or OAuth2.",
        ),
        (
            "5.7.0",
            "The server needs authentication (or encryption) before this command.",
        ),
        (
            "[AUTHENTICATIONFAILED]",
            "IMAP: wrong user name or password, or the account may not log in with a password.",
        ),
        (
            "[AUTHORIZATIONFAILED]",
            "IMAP: the credentials are right but this user may not use this mailbox.",
        ),
        (
            "[PRIVACYREQUIRED]",
            "IMAP: the server wants an encrypted connection before login.",
        ),
        (
            "[UNAVAILABLE]",
            "IMAP: the server cannot log anyone in right now; try again later.",
        ),
        (
            "[EXPIRED]",
            "IMAP: the password has expired; change it on the provider's website.",
        ),
        (
            "[IN-USE]",
            "POP3: another app holds the mailbox open; close it and retry.",
        ),
        (
            "[SYS/TEMP]",
            "POP3: a temporary server problem; try again later.",
        ),
        ("[AUTH]", "POP3: wrong user name or password."),
        (
            "WEB LOGIN REQUIRED",
            "The provider wants a sign-in on its website first (a security check).",
        ),
        (
            "APPLICATION-SPECIFIC PASSWORD",
            "The provider requires an app password for mail apps.",
        ),
    ];
    table
        .iter()
        .find(|(key, _)| r.contains(key))
        .map(|(_, hint)| *hint)
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
            let hint = login_hint(reply).unwrap_or_else(|| panic!("no hint for {reply}"));
            assert!(hint.contains(want), "{reply}: {hint}");
        }
        assert_eq!(login_hint("535 nope"), None);
    }
}
