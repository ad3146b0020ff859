//! Report types for what the probes saw (`maildoctor check`).

use serde::Serialize;

use crate::account::Protocol;
use crate::probe::observation::Direction;
use crate::probe::observation::{ConnectOutcome, Observation, StageName, StageStatus};

#[derive(Debug, Clone, Serialize)]
pub struct ProbeDto {
    pub elapsed_ms: u64,
    pub stages: Vec<StageDto>,
    pub addresses: Vec<AddressDto>,
    pub greeting: Option<String>,
    /// Keywords, after TLS when there was an upgrade.
    pub capabilities: Vec<String>,
    pub capabilities_before_tls: Option<Vec<String>>,
    pub auth_mechanisms: Vec<String>,
    pub tls: Option<TlsDto>,
    /// The failure that stopped the dialogue, as a kebab-case word.
    pub failure: Option<String>,
    pub login: Option<LoginDto>,
    pub transcript: Vec<TranscriptLineDto>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StageDto {
    pub name: StageName,
    pub status: StageStatus,
    pub elapsed_ms: u64,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AddressDto {
    pub address: String,
    pub result: String,
    pub elapsed_ms: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TlsDto {
    /// The TLS version the server chose, read from its ServerHello.
    pub version: Option<String>,
    /// The cipher suite it chose.
    pub cipher: Option<String>,
    pub via_starttls: bool,
    pub verdict: String,
    pub reason: Option<String>,
    pub certificate: Option<CertificateDto>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CertificateDto {
    pub subject: String,
    pub issuer: String,
    pub san: Vec<String>,
    pub not_before: String,
    pub not_after: String,
    pub days_left: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct LoginDto {
    pub mechanism: String,
    pub ok: bool,
    pub reply: String,
    /// IMAP `[ALERT]` texts sent with the answer.
    pub alerts: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TranscriptLineDto {
    pub at_ms: u64,
    pub direction: Direction,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AlternativeDto {
    pub protocol: Protocol,
    pub spec: String,
    pub works: bool,
    pub failure: Option<String>,
    pub elapsed_ms: u64,
}

pub(super) fn ms(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl ProbeDto {
    pub fn from_observation(obs: &Observation) -> ProbeDto {
        let caps = obs.effective_capabilities();
        ProbeDto {
            elapsed_ms: ms(obs.elapsed),
            stages: obs
                .stages
                .iter()
                .map(|s| StageDto {
                    name: s.name,
                    status: s.status,
                    elapsed_ms: ms(s.elapsed),
                    detail: s.detail.clone(),
                })
                .collect(),
            addresses: obs
                .addresses
                .iter()
                .map(|a| AddressDto {
                    address: a.addr.to_string(),
                    result: match &a.outcome {
                        ConnectOutcome::Other(reason) => format!("error: {reason}"),
                        other => other.as_str().to_owned(),
                    },
                    elapsed_ms: ms(a.elapsed),
                })
                .collect(),
            greeting: obs.greeting.as_ref().map(|g| g.text.clone()),
            capabilities: caps
                .map(|c| c.keywords.iter().cloned().collect())
                .unwrap_or_default(),
            capabilities_before_tls: obs
                .capabilities_after_tls
                .as_ref()
                .and(obs.capabilities.as_ref())
                .map(|c| c.keywords.iter().cloned().collect()),
            auth_mechanisms: caps
                .map(|c| c.auth.iter().cloned().collect())
                .unwrap_or_default(),
            tls: obs.tls.as_ref().map(|t| TlsDto {
                version: t.version.clone(),
                cipher: t.cipher.clone(),
                via_starttls: t.via_starttls,
                verdict: t.verdict.as_str().to_owned(),
                reason: t.reason.clone(),
                certificate: t.certificate.as_ref().map(|c| CertificateDto {
                    subject: c.subject.clone(),
                    issuer: c.issuer.clone(),
                    san: c.san.clone(),
                    not_before: c.not_before.clone(),
                    not_after: c.not_after.clone(),
                    days_left: c.days_left,
                }),
            }),
            failure: obs.failure.as_ref().map(|f| f.word().to_owned()),
            login: obs.auth.as_ref().map(|a| LoginDto {
                mechanism: a.mechanism.clone(),
                ok: a.ok,
                reply: a.reply.clone(),
                alerts: a.alerts.clone(),
            }),
            transcript: obs
                .transcript
                .iter()
                .map(|l| TranscriptLineDto {
                    at_ms: ms(l.at),
                    direction: l.direction,
                    text: l.text.clone(),
                })
                .collect(),
        }
    }
}
