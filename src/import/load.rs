//! From a path to the account: the file read the safe way (a regular file of bounded size,
//! UTF-8, wiped from memory after), the client told, and the account chosen by `PATH#NAME` or
//! the client's own default. What differs per client is its descriptor's ([`super::client`]).

use std::path::{Path, PathBuf};

use super::client::Input;
use super::open::read;
use super::text::shown;
use super::{CLIENTS, ClientFile, ClientKind, ImportError, Imported};

/// `PATH[#ACCOUNT]`: a path that exists as given is taken whole (paths may hold `#`).
pub fn split_spec(spec: &str) -> (PathBuf, Option<String>) {
    // A leading `~/` as the README and `clients` write it: quoted (for the `#`), no shell
    // expands it.
    let path = super::text::expand_home(spec);
    if path.exists() {
        return (path, None);
    }
    match spec.rsplit_once('#') {
        Some((path, name)) if !name.is_empty() && !name.contains('/') => {
            (super::text::expand_home(path), Some(name.to_owned()))
        }
        _ => (path, None),
    }
}

/// Imports the account `spec` names (`PATH[#ACCOUNT]`), as the client `forced` reads it, or
/// as the client the file looks like.
pub fn import(spec: &str, forced: Option<ClientKind>) -> Result<Imported, ImportError> {
    let (path, wanted) = split_spec(spec);
    let file = read_client_file(&path, forced)?;
    let names: Vec<String> = file.accounts.iter().map(|a| a.name.clone()).collect();
    let chosen = match &wanted {
        Some(name) => file
            .accounts
            .iter()
            .find(|a| a.name == *name)
            .ok_or_else(|| ImportError::NoSuchAccount {
                shown: file.shown.clone(),
                wanted: name.clone(),
                found: names.clone(),
            })?,
        None => match (&file.default, file.accounts.as_slice()) {
            (_, []) => {
                return Err(ImportError::NoServer {
                    shown: file.shown.clone(),
                    why: Some(file.kind.client().no_account.into()),
                });
            }
            (Some(d), accounts) => accounts.iter().find(|a| a.name == *d).ok_or_else(|| {
                ImportError::NoSuchAccount {
                    shown: file.shown.clone(),
                    wanted: d.clone(),
                    found: names.clone(),
                }
            })?,
            (None, [only]) => only,
            (None, _) => {
                return Err(ImportError::WhichAccount {
                    shown: file.shown.clone(),
                    found: names,
                });
            }
        },
    };
    if chosen.servers.is_empty() {
        return Err(ImportError::NoServer {
            shown: format!("{} (account {})", file.shown, chosen.name),
            why: chosen.notes.first().cloned(),
        });
    }
    Ok(Imported {
        kind: file.kind,
        path: file.path.clone(),
        shown: file.shown.clone(),
        account: chosen.clone(),
    })
}

/// Reads a client's file whole: every account in it.
pub fn read_client_file(
    path: &Path,
    forced: Option<ClientKind>,
) -> Result<ClientFile, ImportError> {
    let shown_path = shown(path);
    for open in CLIENTS.iter().filter_map(|c| c.open) {
        if let Some(mut file) = open(path, forced)? {
            file.path = path.to_path_buf();
            return Ok(file);
        }
    }
    let text = read(path, &shown_path)?;
    let kind = match forced {
        Some(k) => k,
        None => super::client::detect(path, &text).ok_or_else(|| ImportError::UnknownFormat {
            shown: shown_path.clone(),
        })?,
    };
    let mut file = (kind.client().read)(&Input {
        path,
        text: &text,
        shown: &shown_path,
        kind,
    })?;
    file.path = path.to_path_buf();
    file.shown = shown_path;
    Ok(file)
}
