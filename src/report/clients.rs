//! `maildoctor clients`: every mail client's settings found in the standard places, each
//! account with its servers and the `--import` argument that selects it.

use std::fmt::Write as _;

use serde::Serialize;

use crate::import::Listed;

#[derive(Debug, Serialize)]
pub struct ClientsDto {
    pub schema_version: u32,
    pub files: Vec<FileDto>,
}

#[derive(Debug, Serialize)]
pub struct FileDto {
    pub client: crate::import::ClientKind,
    pub path: String,
    /// Why the file could not be read, if it could not.
    pub error: Option<String>,
    pub accounts: Vec<AccountDto>,
}

#[derive(Debug, Serialize)]
pub struct AccountDto {
    pub name: String,
    pub line: usize,
    pub default: bool,
    /// `protocol` and `spec` of each server the client is set to use.
    pub servers: Vec<ServerDto>,
    pub import: String,
}

#[derive(Debug, Serialize)]
pub struct ServerDto {
    pub protocol: crate::account::Protocol,
    pub spec: String,
}

pub fn clients_dto(listed: &[Listed]) -> ClientsDto {
    ClientsDto {
        schema_version: super::model::SCHEMA_VERSION,
        files: listed
            .iter()
            .map(|l| FileDto {
                client: l.kind,
                path: l.shown.clone(),
                error: l.accounts.as_ref().err().cloned(),
                accounts: l
                    .accounts
                    .iter()
                    .flatten()
                    .map(|a| AccountDto {
                        name: a.name.clone(),
                        line: a.line,
                        default: a.default,
                        servers: a
                            .servers
                            .iter()
                            .map(|(p, e)| ServerDto {
                                protocol: *p,
                                spec: e.to_string(),
                            })
                            .collect(),
                        import: a.import.clone(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// One block per file: each account on a line with what it configures, then the argument
/// that checks it.
pub fn render_clients(listed: &[Listed]) -> String {
    let mut out = String::new();
    if listed.is_empty() {
        out.push_str(
            "No mail client settings found in the usual places (see README: \"Importing\").\n",
        );
        return out;
    }
    for l in listed {
        let _ = writeln!(out, "{} · {}", l.kind.label(), l.shown);
        match &l.accounts {
            Err(e) => {
                let _ = writeln!(out, "  cannot be read: {e}");
            }
            Ok(accounts) if accounts.is_empty() => out.push_str("  no account with a server\n"),
            Ok(accounts) => {
                for a in accounts {
                    let servers: Vec<String> = a
                        .servers
                        .iter()
                        .map(|(p, e)| format!("{} {}", p.label(), e.describe()))
                        .collect();
                    let servers = if servers.is_empty() {
                        "no server".to_owned()
                    } else {
                        servers.join(", ")
                    };
                    let default = if a.default { " (default)" } else { "" };
                    let _ = writeln!(
                        out,
                        "  line {:<4} {}{default}: {servers}\n             maildoctor check --import '{}'",
                        a.line, a.name, a.import
                    );
                }
            }
        }
    }
    out
}
