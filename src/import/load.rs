//! From a path to the account: the file read the safe way (a regular file of bounded size,
//! UTF-8, wiped from memory after), the client told, includes followed without loops, and the
//! account chosen by `PATH#NAME` or the client's own default.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::files::{MAX_SETTINGS_FILE, read_text};

use super::text::shown;
use super::{
    ClientFile, ClientKind, ImportError, Imported, Invalid, aerc, fetchmail, git, himalaya, mbsync,
    msmtp, mutt, offlineimap, postfix, relays,
};

/// How deep includes may nest: git itself stops at 10.
const MAX_DEPTH: usize = 10;

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
        ClientKind::Ssmtp => "no mailhub",
        ClientKind::Dma => "no SMARTHOST: dma delivers to each domain's MX itself",
        ClientKind::Exim4 => {
            "not a smarthost or satellite configuration: Exim delivers to each domain's MX itself"
        }
        _ => "no account in it",
    }
}

/// Reads a client's file whole: every account in it.
pub fn read_client_file(
    path: &Path,
    forced: Option<ClientKind>,
) -> Result<ClientFile, ImportError> {
    let shown_path = shown(path);
    if let Some(profile) = thunderbird_profile(path, forced)? {
        let mut file = thunderbird_file(&profile)?;
        file.path = path.to_path_buf();
        return Ok(file);
    }
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
        ClientKind::Ssmtp => relays::ssmtp(&text, &shown_path).map_err(invalid)?,
        ClientKind::Aerc => aerc::read(&text, &shown_path).map_err(invalid)?,
        ClientKind::Himalaya => himalaya::read(&text, &shown_path).map_err(invalid)?,
        ClientKind::Evolution => evolution_file(path, &text, &shown_path)?,
        ClientKind::Nullmailer => relays::nullmailer(&text, &shown_path).map_err(invalid)?,
        ClientKind::Dma => relays::dma(&text, &shown_path).map_err(invalid)?,
        ClientKind::Exim4 => relays::exim4(&text, &shown_path).map_err(invalid)?,
        // A prefs file under another name, read as prefs.js is.
        ClientKind::Thunderbird => {
            let mut prefs = super::thunderbird::Prefs::new();
            super::thunderbird::prefs(&text, None, &mut prefs).map_err(invalid)?;
            super::thunderbird::accounts(&prefs, &shown_path).map_err(invalid)?
        }
    };
    file.path = path.to_path_buf();
    file.shown = shown_path;
    Ok(file)
}

/// The Thunderbird profile directory a path means: the directory itself (with prefs.js),
/// the profile profiles.ini (or a directory holding it) names, or the one prefs.js or
/// user.js is in. `None` when the path is not Thunderbird's.
fn thunderbird_profile(
    path: &Path,
    forced: Option<ClientKind>,
) -> Result<Option<PathBuf>, ImportError> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let told = forced == Some(ClientKind::Thunderbird);
    if path.is_dir() {
        if path.join("profiles.ini").is_file() {
            return thunderbird_profile(&path.join("profiles.ini"), forced);
        }
        return Ok((told || path.join("prefs.js").is_file()).then(|| path.to_path_buf()));
    }
    if forced.is_some() && !told {
        return Ok(None);
    }
    match name {
        "prefs.js" | "user.js" => Ok(path.parent().map(Path::to_path_buf)),
        "profiles.ini" => {
            let ini = read(path, &shown(path))?;
            let Some((dir, relative)) = super::thunderbird::default_profile(&ini) else {
                return Err(ImportError::NoServer {
                    shown: shown(path),
                    why: Some("profiles.ini names no default profile".into()),
                });
            };
            Ok(Some(if relative {
                path.parent().unwrap_or(Path::new(".")).join(dir)
            } else {
                PathBuf::from(dir)
            }))
        }
        _ => Ok(None),
    }
}

/// A Thunderbird profile's accounts: prefs.js, then user.js over it.
fn thunderbird_file(profile: &Path) -> Result<ClientFile, ImportError> {
    let prefs_path = profile.join("prefs.js");
    let shown_prefs = shown(&prefs_path);
    let mut prefs = super::thunderbird::Prefs::new();
    let text = read(&prefs_path, &shown_prefs)?;
    super::thunderbird::prefs(&text, None, &mut prefs).map_err(|e| ImportError::Invalid {
        shown: shown_prefs.clone(),
        line: e.line,
        message: e.message,
    })?;
    let user_path = profile.join("user.js");
    if user_path.is_file() {
        let shown_user = shown(&user_path);
        let text = read(&user_path, &shown_user)?;
        super::thunderbird::prefs(&text, Some(&shown_user), &mut prefs).map_err(|e| {
            ImportError::Invalid {
                shown: shown_user.clone(),
                line: e.line,
                message: e.message,
            }
        })?;
    }
    let mut file =
        super::thunderbird::accounts(&prefs, &shown_prefs).map_err(|e| ImportError::Invalid {
            shown: shown_prefs.clone(),
            line: e.line,
            message: e.message,
        })?;
    file.shown = shown_prefs;
    Ok(file)
}

/// An Evolution account: the mail account's source, its identity's (for the address and the
/// transport), and the transport's, each a sibling file named by its UID.
fn evolution_file(path: &Path, text: &str, shown_path: &str) -> Result<ClientFile, ImportError> {
    use super::evolution::{server, source};
    let invalid = |shown: &str| {
        let shown = shown.to_owned();
        move |e: Invalid| ImportError::Invalid {
            shown: shown.clone(),
            line: e.line,
            message: e.message,
        }
    };
    let main = source(text, None).map_err(invalid(shown_path))?;
    let sibling = |uid: &str| -> Result<Option<(String, super::evolution::Source)>, ImportError> {
        let file = path.with_file_name(format!("{uid}.source"));
        if !file.is_file() {
            return Ok(None);
        }
        let label = shown(&file);
        let text = read(&file, &label)?;
        Ok(Some((
            label.clone(),
            source(&text, Some(&label)).map_err(invalid(&label))?,
        )))
    };
    let name = main
        .get("Data Source", "DisplayName")
        .map(|(v, _)| v.clone())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| {
            path.file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("evolution")
                .to_owned()
        });
    let mut account = super::ImportedAccount::new(name, 1);
    let mut sources = vec![(shown_path.to_owned(), main.clone())];
    if let Some(uid) = main.identity()
        && let Some((label, identity)) = sibling(uid)?
    {
        account.address = identity.address().map(str::to_owned);
        if let Some(transport) = identity.transport()
            && let Some(found) = sibling(transport)?
        {
            sources.push(found);
        }
        sources.push((label, identity));
    }
    for (label, s) in &sources {
        if let Some((protocol, imported, findings)) = server(s, label).map_err(invalid(label))? {
            if account.username.is_none() {
                account.username = s.user().map(str::to_owned);
            }
            account.auth.get_or_insert(s.auth());
            account.servers.entry(protocol).or_insert(imported);
            account.findings.extend(findings);
        }
    }
    Ok(ClientFile {
        kind: ClientKind::Evolution,
        path: path.to_path_buf(),
        shown: shown_path.to_owned(),
        default: Some(account.name.clone()),
        accounts: vec![account],
    })
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
    let path = super::text::expand_home(name);
    if path.is_absolute() {
        path
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
