//! From a path to the account: the file read the safe way (a regular file of bounded size,
//! UTF-8, wiped from memory after), the client told, includes followed without loops, and the
//! account chosen by `PATH#NAME` or the client's own default.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::files::{MAX_SETTINGS_FILE, read_text};

use super::text::shown;
use super::{
    ClientFile, ClientKind, ImportError, Imported, Invalid, fetchmail, git, mbsync, msmtp, mutt,
    offlineimap, postfix,
};

/// How deep includes may nest: git itself stops at 10.
const MAX_DEPTH: usize = 10;

/// `PATH[#ACCOUNT]`: a path that exists as given is taken whole (paths may hold `#`).
pub fn split_spec(spec: &str) -> (PathBuf, Option<String>) {
    if Path::new(spec).exists() {
        return (PathBuf::from(spec), None);
    }
    match spec.rsplit_once('#') {
        Some((path, name)) if !name.is_empty() && !name.contains('/') => {
            (PathBuf::from(path), Some(name.to_owned()))
        }
        _ => (PathBuf::from(spec), None),
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
                    why: Some(no_account_why(file.kind).into()),
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

fn no_account_why(kind: ClientKind) -> &'static str {
    match kind {
        ClientKind::Postfix => "no relayhost: Postfix delivers to each domain's MX itself",
        ClientKind::Git => "no [sendemail] section",
        _ => "no account in it",
    }
}

/// Reads a client's file whole: every account in it.
pub fn read_client_file(
    path: &Path,
    forced: Option<ClientKind>,
) -> Result<ClientFile, ImportError> {
    let shown_path = shown(path);
    let text = read(path, &shown_path)?;
    let kind = match forced {
        Some(k) => k,
        None => super::client::detect(path, &text).ok_or_else(|| ImportError::UnknownFormat {
            shown: shown_path.clone(),
        })?,
    };
    let invalid = |e: Invalid| ImportError::Invalid {
        shown: shown_path.clone(),
        line: e.line,
        message: e.message,
    };
    let mut file = match kind {
        ClientKind::Msmtp => msmtp::read(&text, &shown_path).map_err(invalid)?,
        ClientKind::Git => {
            let mut seen = BTreeSet::new();
            let entries = git_entries(path, &text, &shown_path, &mut seen, 0)?;
            git::accounts(&entries, &shown_path).map_err(invalid)?
        }
        ClientKind::Postfix => {
            let map = postfix::password_map(&text);
            let keys = map.as_ref().and_then(|m| {
                read_text(Path::new(m), MAX_SETTINGS_FILE)
                    .ok()
                    .map(Zeroizing::new)
                    .map(|t| postfix::map_keys(&t))
            });
            let with = map.as_deref().zip(keys.as_deref());
            let mut file = postfix::read(&text, &shown_path, with).map_err(invalid)?;
            if let (Some(m), None) = (&map, &keys)
                && let Some(account) = file.accounts.first_mut()
            {
                account.notes.push(format!(
                    "the password map {m} could not be read (it is normally root's alone): its keys were not compared with relayhost"
                ));
            }
            file
        }
        ClientKind::Mutt | ClientKind::Neomutt => {
            let mut seen = BTreeSet::new();
            let vars = mutt_vars(path, &text, &shown_path, &mut seen, 0)?;
            mutt::accounts(&vars, kind, &shown_path).map_err(invalid)?
        }
        ClientKind::Mbsync => mbsync::read(&text, &shown_path).map_err(invalid)?,
        ClientKind::Fetchmail => fetchmail::read(&text, &shown_path).map_err(invalid)?,
        ClientKind::Offlineimap => offlineimap::read(&text, &shown_path).map_err(invalid)?,
        other => {
            return Err(ImportError::NotYet {
                kind: other.label(),
            });
        }
    };
    file.path = path.to_path_buf();
    file.shown = shown_path;
    Ok(file)
}

/// The file's text, wiped when dropped: it may hold a password.
fn read(path: &Path, shown: &str) -> Result<Zeroizing<String>, ImportError> {
    read_text(path, MAX_SETTINGS_FILE)
        .map(Zeroizing::new)
        .map_err(|error| ImportError::Read {
            shown: shown.to_owned(),
            error,
        })
}

/// `~/x` from the home directory, a relative path from the including file's directory.
fn resolve_include(from: &Path, name: &str) -> PathBuf {
    if let Some(rest) = name.strip_prefix("~/")
        && let Some(home) = dirs::home_dir()
    {
        return home.join(rest);
    }
    let path = Path::new(name);
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        from.parent().unwrap_or(Path::new(".")).join(path)
    }
}

/// Each file once on the way down: a file that includes itself, directly or not, is named.
fn enter(
    path: &Path,
    seen: &mut BTreeSet<PathBuf>,
    depth: usize,
    shown: &str,
    line: usize,
) -> Result<(), ImportError> {
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    if depth > MAX_DEPTH || !seen.insert(canonical) {
        return Err(ImportError::Invalid {
            shown: shown.to_owned(),
            line,
            message: format!(
                "{} is included again while it is being read (an include loop)",
                super::text::shown(path)
            ),
        });
    }
    Ok(())
}

fn git_entries(
    path: &Path,
    text: &str,
    shown_path: &str,
    seen: &mut BTreeSet<PathBuf>,
    depth: usize,
) -> Result<Vec<git::Entry>, ImportError> {
    enter(path, seen, depth, shown_path, 1)?;
    let (entries, includes) = git::entries(text).map_err(|e| ImportError::Invalid {
        shown: shown_path.to_owned(),
        line: e.line,
        message: e.message,
    })?;
    let mut out = Vec::new();
    let mut rest = entries.into_iter().peekable();
    for (name, line) in includes {
        while let Some(e) = rest.next_if(|e| e.setting.line < line) {
            out.push(e);
        }
        let target = resolve_include(path, &name);
        // git skips an include that does not exist; so does the reader.
        let Ok(included) = read_text(&target, MAX_SETTINGS_FILE).map(Zeroizing::new) else {
            continue;
        };
        let label = super::text::shown(&target);
        let mut sub =
            git_entries(&target, &included, shown_path, seen, depth + 1).map_err(|e| match e {
                ImportError::Invalid {
                    message, line: l, ..
                } if !message.contains("include loop") => ImportError::Invalid {
                    shown: label.clone(),
                    line: l,
                    message,
                },
                ImportError::Invalid { message, .. } => ImportError::Invalid {
                    shown: shown_path.to_owned(),
                    line,
                    message,
                },
                other => other,
            })?;
        for e in &mut sub {
            e.setting.file.get_or_insert_with(|| label.clone());
        }
        out.extend(sub);
    }
    out.extend(rest);
    seen.remove(&path.canonicalize().unwrap_or_else(|_| path.to_path_buf()));
    Ok(out)
}

fn mutt_vars(
    path: &Path,
    text: &str,
    shown_path: &str,
    seen: &mut BTreeSet<PathBuf>,
    depth: usize,
) -> Result<Vec<mutt::Var>, ImportError> {
    enter(path, seen, depth, shown_path, 1)?;
    let (vars, sources) = mutt::vars(text).map_err(|e| ImportError::Invalid {
        shown: shown_path.to_owned(),
        line: e.line,
        message: e.message,
    })?;
    let mut out = Vec::new();
    let mut rest = vars.into_iter().peekable();
    for (name, line) in sources {
        while let Some(v) = rest.next_if(|v| v.setting.line < line) {
            out.push(v);
        }
        let target = resolve_include(path, &name);
        let label = super::text::shown(&target);
        let included = read(&target, &label)?;
        let mut sub =
            mutt_vars(&target, &included, &label, seen, depth + 1).map_err(|e| match e {
                ImportError::Invalid { message, .. } if message.contains("include loop") => {
                    ImportError::Invalid {
                        shown: shown_path.to_owned(),
                        line,
                        message,
                    }
                }
                other => other,
            })?;
        for v in &mut sub {
            v.setting.file.get_or_insert_with(|| label.clone());
        }
        out.extend(sub);
    }
    out.extend(rest);
    seen.remove(&path.canonicalize().unwrap_or_else(|_| path.to_path_buf()));
    Ok(out)
}
