//! Fetching autoconfig documents: GET only, redirects followed by hand (at most five, never
//! from https down to http, every hop kept to show), the body capped, no cookies and no
//! credentials; names resolved by the probes' resolver, so `--dns-server` answers here too,
//! and `--ca-file` trusted here too.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hickory_resolver::TokioResolver;
use thiserror::Error;

use super::autoconfig::MAX_DOCUMENT;

/// The most redirects followed.
pub const MAX_REDIRECTS: usize = 5;

/// A document fetched, with the way it took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// Every URL asked, the first one first, the one that answered last.
    pub chain: Vec<String>,
    pub body: String,
    /// Every hop was https.
    pub all_https: bool,
}

/// Why a fetch gave nothing.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FetchError {
    #[error("no answer within {} s", .0.as_secs_f32())]
    Timeout(Duration),
    #[error("{0}")]
    Connect(String),
    #[error("HTTP {0}")]
    Status(u16),
    #[error("more than {MAX_REDIRECTS} redirects")]
    TooManyRedirects,
    #[error("redirected from https to plain http ({0}): refused")]
    Downgrade(String),
    #[error("a redirect without a usable Location")]
    BadRedirect,
    #[error("larger than {MAX_DOCUMENT} bytes")]
    TooLarge,
    #[error("not UTF-8 text")]
    NotText,
}

/// The HTTP client of one discovery.
#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    timeout: Duration,
}

/// reqwest asks this for addresses; the answer comes from the resolver every probe uses.
struct ProbeDns(Arc<TokioResolver>);

impl reqwest::dns::Resolve for ProbeDns {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let resolver = Arc::clone(&self.0);
        let name = format!("{}.", name.as_str().trim_end_matches('.'));
        Box::pin(async move {
            // In words: the root of the error chain is what the user reads.
            let lookup = resolver.lookup_ip(name.as_str()).await.map_err(|e| {
                let words = if e.is_nx_domain() || e.is_no_records_found() {
                    format!("{} does not exist in DNS", name.trim_end_matches('.'))
                } else {
                    crate::probe::dns::in_words(&e)
                };
                Box::<dyn std::error::Error + Send + Sync>::from(words)
            })?;
            let addrs: Vec<SocketAddr> = lookup.iter().map(|ip| SocketAddr::new(ip, 0)).collect();
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

impl Http {
    /// `extra_ca_pem`: the certificates of `--ca-file`, trusted besides the system's.
    pub fn new(
        resolver: Arc<TokioResolver>,
        extra_ca_pem: Option<&str>,
        timeout: Duration,
    ) -> Result<Http, String> {
        let mut certs = Vec::new();
        for block in extra_ca_pem
            .map(crate::probe::tls::pem_certificates)
            .unwrap_or_default()
        {
            certs
                .push(reqwest::Certificate::from_pem(block.as_bytes()).map_err(|e| e.to_string())?);
        }
        let client = reqwest::Client::builder()
            .tls_backend_native()
            .tls_certs_merge(certs)
            .dns_resolver(Arc::new(ProbeDns(resolver)))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            // The whole fetch is bounded in `get`, so its error says so in its own words.
            .connect_timeout(timeout)
            .user_agent(concat!("maildoctor/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Http { client, timeout })
    }

    /// GETs `url`, following redirects by hand; the whole fetch, redirects included, within
    /// the timeout.
    pub async fn get(&self, url: &str) -> Result<Fetched, FetchError> {
        tokio::time::timeout(self.timeout, self.follow(url))
            .await
            .unwrap_or(Err(FetchError::Timeout(self.timeout)))
    }

    async fn follow(&self, url: &str) -> Result<Fetched, FetchError> {
        let mut chain = vec![url.to_owned()];
        let mut current =
            reqwest::Url::parse(url).map_err(|e| FetchError::Connect(e.to_string()))?;
        loop {
            let mut response = self
                .client
                .get(current.clone())
                .send()
                .await
                .map_err(|e| FetchError::Connect(describe(&e)))?;
            let status = response.status();
            if status.is_redirection() {
                if chain.len() > MAX_REDIRECTS {
                    return Err(FetchError::TooManyRedirects);
                }
                let next = response
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .and_then(|l| current.join(l).ok())
                    .ok_or(FetchError::BadRedirect)?;
                if current.scheme() == "https" && next.scheme() != "https" {
                    return Err(FetchError::Downgrade(next.to_string()));
                }
                chain.push(next.to_string());
                current = next;
                continue;
            }
            if !status.is_success() {
                return Err(FetchError::Status(status.as_u16()));
            }
            let mut body = Vec::new();
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|e| FetchError::Connect(describe(&e)))?
            {
                if body.len() + chunk.len() > MAX_DOCUMENT {
                    return Err(FetchError::TooLarge);
                }
                body.extend_from_slice(&chunk);
            }
            let body = String::from_utf8(body).map_err(|_| FetchError::NotText)?;
            let all_https = chain.iter().all(|u| u.starts_with("https://"));
            return Ok(Fetched {
                chain,
                body,
                all_https,
            });
        }
    }
}

/// What went wrong in a few words: the kind of failure and its root cause (reqwest's own
/// message repeats the URL, which the report already shows, and every layer's wrapper).
fn describe(error: &reqwest::Error) -> String {
    let mut root = None;
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        root = Some(cause.to_string());
        source = cause.source();
    }
    let root = root.unwrap_or_else(|| error.to_string());
    let words = if error.is_connect() {
        format!("cannot connect: {root}")
    } else if error.is_body() || error.is_decode() {
        format!("the answer broke off: {root}")
    } else {
        root
    };
    crate::excerpt::excerpt_to(&words, 300).into_owned()
}
