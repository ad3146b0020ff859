//! What an OAuth2 access token says about itself. Microsoft's tokens are JWTs whose claims
//! (audience, scopes, expiry, user) decide whether IMAP, POP and SMTP take them; Google's are
//! opaque. The claims are decoded here, locally — no signature check is needed to read them,
//! and the token goes nowhere but the mail server. Only claim names and their non-secret
//! values leave this module; the token and its signature never do.

use std::fmt::Write as _;

use base64::Engine;
use serde::Deserialize;

/// The claims that matter for mail, from a JWT's payload.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Claims {
    /// `aud`: who the token is for.
    pub audience: Vec<String>,
    /// `scp` (delegated, space-separated) and `roles` (application permissions).
    pub scopes: Vec<String>,
    /// `exp`, seconds since the epoch.
    pub expires: Option<i64>,
    /// `nbf`.
    pub not_before: Option<i64>,
    /// `upn`, `preferred_username`, `unique_name` or `email`: whom it was issued to.
    pub user: Option<String>,
    /// `tid`: the Entra ID tenant.
    pub tenant: Option<String>,
    /// `iss`.
    pub issuer: Option<String>,
}

/// The token's claims as the check read them, and the clock they are judged by (seconds
/// since the epoch). Holds no part of the token itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenFacts {
    pub claims: Result<Claims, NotAJwt>,
    pub now: i64,
}

impl TokenFacts {
    /// Reads a token's claims now.
    pub fn read(token: &str) -> TokenFacts {
        TokenFacts {
            claims: claims(token),
            now: jiff::Timestamp::now().as_second(),
        }
    }
}

/// Why a token could not be read as a JWT.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotAJwt {
    #[error("it is not three dot-separated parts (an opaque token, as Google issues)")]
    Opaque,
    #[error("its payload is not base64url")]
    Base64,
    #[error("its payload is not a JSON object of claims")]
    Json,
}

#[derive(Deserialize)]
struct Raw {
    #[serde(default)]
    aud: Audience,
    scp: Option<String>,
    #[serde(default)]
    roles: Vec<String>,
    exp: Option<serde_json::Number>,
    nbf: Option<serde_json::Number>,
    upn: Option<String>,
    preferred_username: Option<String>,
    unique_name: Option<String>,
    email: Option<String>,
    tid: Option<String>,
    iss: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
    #[default]
    None,
}

/// The claims of a JWT access token, or why it is none.
pub fn claims(token: &str) -> Result<Claims, NotAJwt> {
    let mut parts = token.trim().split('.');
    let (Some(_header), Some(payload), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(NotAJwt::Opaque);
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| NotAJwt::Base64)?;
    let raw: Raw = serde_json::from_slice(&bytes).map_err(|_| NotAJwt::Json)?;
    // Whole seconds; a fractional `exp` (some issuers write one) is cut to its second. A time
    // before 1970 or after the year 9999 is no date an issuer writes: it is left unread
    // rather than reported as "expired 292 billion years ago".
    let seconds = |n: Option<serde_json::Number>| {
        n.and_then(|n| {
            n.as_i64()
                .or_else(|| n.to_string().split('.').next()?.parse().ok())
        })
        .filter(|s| (0..=LAST_DATE).contains(s))
    };
    let mut scopes: Vec<String> = raw
        .scp
        .as_deref()
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    scopes.extend(raw.roles);
    Ok(Claims {
        audience: match raw.aud {
            Audience::One(a) => vec![a],
            Audience::Many(a) => a,
            Audience::None => Vec::new(),
        },
        scopes,
        expires: seconds(raw.exp),
        not_before: seconds(raw.nbf),
        user: raw
            .upn
            .or(raw.preferred_username)
            .or(raw.unique_name)
            .or(raw.email),
        tenant: raw.tid,
        issuer: raw.iss,
    })
}

/// The audiences Exchange Online takes for IMAP, POP and SMTP AUTH.
pub const OUTLOOK_AUDIENCES: [&str; 4] = [
    "https://outlook.office.com",
    "https://outlook.office365.com",
    // The same resources by their application id (Office 365 Exchange Online).
    "00000002-0000-0ff1-ce00-000000000000",
    "https://outlook.office365.us",
];

/// The scope a protocol needs from Exchange Online: delegated (`IMAP.AccessAsUser.All`) or,
/// for an app acting as itself, the application permission (`IMAP.AccessAsApp`).
pub fn scopes_for(protocol: crate::account::Protocol) -> [&'static str; 2] {
    match protocol {
        crate::account::Protocol::Imap => ["IMAP.AccessAsUser.All", "IMAP.AccessAsApp"],
        crate::account::Protocol::Pop3 => ["POP.AccessAsUser.All", "POP.AccessAsApp"],
        crate::account::Protocol::Smtp => ["SMTP.Send", "SMTP.SendAsApp"],
    }
}

/// A problem the claims show for this protocol and login, judged at `now` (seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Expired `ago` seconds ago (negative: expires in that many seconds, soon).
    Expired {
        ago: i64,
    },
    ExpiresSoon {
        left: i64,
    },
    NotYetValid {
        in_seconds: i64,
    },
    WrongAudience {
        audience: Vec<String>,
    },
    MissingScope {
        needed: &'static str,
        has: Vec<String>,
    },
    OtherUser {
        token_user: String,
        login: String,
    },
}

/// Seconds of validity below which a token is said to expire soon: a check takes seconds, a
/// cron job that fetches the token once may run for longer.
pub const SOON: i64 = 300;

/// What is wrong with a Microsoft token for `protocol`, logged in as `login`. Tokens for other
/// issuers are judged on time and user only: their audiences and scopes are their own.
pub fn problems(
    claims: &Claims,
    protocol: crate::account::Protocol,
    login: Option<&str>,
    now: i64,
) -> Vec<Problem> {
    let mut out = Vec::new();
    if let Some(exp) = claims.expires {
        if exp <= now {
            out.push(Problem::Expired {
                ago: now.saturating_sub(exp),
            });
        } else if exp.saturating_sub(now) < SOON {
            out.push(Problem::ExpiresSoon {
                left: exp.saturating_sub(now),
            });
        }
    }
    if let Some(nbf) = claims.not_before
        && nbf > now + 60
    {
        out.push(Problem::NotYetValid {
            in_seconds: nbf - now,
        });
    }
    let microsoft =
        claims.issuer.as_deref().is_some_and(|i| {
            i.contains("sts.windows.net") || i.contains("login.microsoftonline.com")
        }) || claims
            .audience
            .iter()
            .any(|a| a.contains("outlook.office") || a.contains("graph.microsoft"));
    if microsoft {
        let for_exchange = claims.audience.iter().any(|a| {
            OUTLOOK_AUDIENCES
                .iter()
                .any(|o| a.trim_end_matches('/').eq_ignore_ascii_case(o))
        });
        if for_exchange {
            let needed = scopes_for(protocol);
            let has = |scope: &str| {
                claims.scopes.iter().any(|s| {
                    s.rsplit('/')
                        .next()
                        .unwrap_or(s)
                        .eq_ignore_ascii_case(scope)
                })
            };
            if !needed.iter().any(|n| has(n)) {
                out.push(Problem::MissingScope {
                    needed: needed[0],
                    has: claims.scopes.clone(),
                });
            }
        } else {
            out.push(Problem::WrongAudience {
                audience: claims.audience.clone(),
            });
        }
    }
    if let (Some(token_user), Some(login)) = (&claims.user, login)
        && !token_user.eq_ignore_ascii_case(login)
    {
        out.push(Problem::OtherUser {
            token_user: token_user.clone(),
            login: login.to_owned(),
        });
    }
    out
}

/// The error details Google and Microsoft send, base64 JSON, in the challenge after a failed
/// XOAUTH2 (`{"status":"401","schemes":"Bearer","scope":"https://mail.google.com/"}`), in
/// words. `None` when the challenge is not such a document.
pub fn xoauth2_error(challenge: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Detail {
        status: Option<String>,
        scope: Option<String>,
        schemes: Option<String>,
    }
    let text = challenge.trim();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .or_else(|_| {
            base64::engine::general_purpose::STANDARD_NO_PAD.decode(text.trim_end_matches('='))
        })
        .ok()?;
    let detail: Detail = serde_json::from_slice(&bytes).ok()?;
    let mut words = match detail.status.as_deref() {
        Some("400") => {
            "status 400: the request was malformed (often the user name does not match the token)"
                .to_owned()
        }
        Some("401") => {
            "status 401: the token is not valid (expired, revoked, or for another service)"
                .to_owned()
        }
        Some("403") => {
            "status 403: the token is valid but does not allow this (a missing scope)".to_owned()
        }
        Some(other) => format!("status {other}"),
        None => "no status".to_owned(),
    };
    if let Some(scope) = detail.scope {
        let _ = write!(words, "; the server wants a token with scope {scope}");
    }
    if let Some(schemes) = detail.schemes {
        let _ = write!(words, " (scheme {schemes})");
    }
    Some(words)
}

/// 9999-12-31T23:59:59Z, the last second a JWT date can sensibly name.
const LAST_DATE: i64 = 253_402_300_799;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::Protocol;

    #[test]
    fn an_expiry_no_issuer_writes_says_nothing_false() {
        for exp in [
            i64::MIN.to_string(),
            i64::MAX.to_string(),
            "-1".into(),
            "1e300".into(),
        ] {
            let token = jwt(&format!(
                r#"{{"aud":"https://outlook.office.com","exp":{exp}}}"#
            ));
            let c = claims(&token).unwrap();
            assert_eq!(c.expires, None, "{exp}");
            assert!(
                !problems(&c, Protocol::Imap, None, NOW)
                    .iter()
                    .any(|p| matches!(p, Problem::Expired { .. } | Problem::ExpiresSoon { .. })),
                "{exp}"
            );
        }
    }

    fn jwt(payload: &str) -> String {
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!(
            "{}.{}.c2lnbmF0dXJl",
            b64(r#"{"alg":"RS256","typ":"JWT"}"#),
            b64(payload)
        )
    }

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn the_claims_are_read_and_judged() {
        let good = jwt(&format!(
            r#"{{"aud":"https://outlook.office.com","iss":"https://sts.windows.net/t/","scp":"IMAP.AccessAsUser.All SMTP.Send","exp":{},"upn":"alice@contoso.com","tid":"t"}}"#,
            NOW + 3600
        ));
        let c = claims(&good).unwrap();
        assert_eq!(c.user.as_deref(), Some("alice@contoso.com"));
        assert_eq!(c.scopes, ["IMAP.AccessAsUser.All", "SMTP.Send"]);
        assert!(problems(&c, Protocol::Imap, Some("alice@contoso.com"), NOW).is_empty());
        assert!(problems(&c, Protocol::Smtp, Some("Alice@Contoso.com"), NOW).is_empty());
        assert_eq!(
            problems(&c, Protocol::Pop3, Some("alice@contoso.com"), NOW),
            [Problem::MissingScope {
                needed: "POP.AccessAsUser.All",
                has: c.scopes.clone()
            }]
        );
        assert_eq!(
            problems(&c, Protocol::Imap, Some("bob@contoso.com"), NOW),
            [Problem::OtherUser {
                token_user: "alice@contoso.com".into(),
                login: "bob@contoso.com".into()
            }]
        );
        assert_eq!(
            problems(&c, Protocol::Imap, None, NOW + 3700),
            [Problem::Expired { ago: 100 }]
        );
        assert_eq!(
            problems(&c, Protocol::Imap, None, NOW + 3500),
            [Problem::ExpiresSoon { left: 100 }]
        );
    }

    #[test]
    fn a_graph_token_is_the_wrong_audience() {
        let graph = jwt(&format!(
            r#"{{"aud":["https://graph.microsoft.com"],"scp":"Mail.Send","exp":{},"preferred_username":"alice@contoso.com"}}"#,
            NOW + 60_000
        ));
        let c = claims(&graph).unwrap();
        assert_eq!(
            problems(&c, Protocol::Smtp, Some("alice@contoso.com"), NOW),
            [Problem::WrongAudience {
                audience: vec!["https://graph.microsoft.com".into()]
            }]
        );
        // Full scope URIs count by their last part; an app's roles count too.
        let app = jwt(
            r#"{"aud":"https://outlook.office365.com","roles":["https://outlook.office365.com/SMTP.SendAsApp"]}"#,
        );
        assert!(problems(&claims(&app).unwrap(), Protocol::Smtp, None, NOW).is_empty());
    }

    #[test]
    fn what_is_not_a_jwt_says_so() {
        assert_eq!(claims("ya29.a0AfH6SMBopaque"), Err(NotAJwt::Opaque));
        assert_eq!(claims("a.b.c.d"), Err(NotAJwt::Opaque));
        assert_eq!(claims("a.!!!.c"), Err(NotAJwt::Base64));
        assert_eq!(claims(&jwt("[1,2]")), Err(NotAJwt::Json));
        assert_eq!(claims(&jwt("not json")), Err(NotAJwt::Json));
        // A Google-issued JWT (an ID token by mistake): time and user only.
        let google = jwt(&format!(
            r#"{{"aud":"1234.apps.googleusercontent.com","iss":"https://accounts.google.com","exp":{}}}"#,
            NOW + 100_000
        ));
        assert!(problems(&claims(&google).unwrap(), Protocol::Imap, None, NOW).is_empty());
    }

    #[test]
    fn xoauth2_errors_are_put_in_words() {
        let google = base64::engine::general_purpose::STANDARD
            .encode(r#"{"status":"401","schemes":"Bearer","scope":"https://mail.google.com/"}"#);
        let words = xoauth2_error(&google).unwrap();
        assert!(
            words.starts_with("status 401: the token is not valid"),
            "{words}"
        );
        assert!(words.contains("scope https://mail.google.com/"), "{words}");
        assert_eq!(xoauth2_error("not base64 at all"), None);
        assert_eq!(xoauth2_error(""), None);
    }
}
