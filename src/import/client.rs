//! What maildoctor knows of a mail client's settings, as one descriptor per client format
//! kept in that client's own file (its names, where it looks, how its files are told apart,
//! how they are read, how a fix is spelt in them), and which client a file belongs to: by its
//! name where that is telling, else by what it says. The registry of every descriptor is
//! [`CLIENTS`].

use std::path::{Path, PathBuf};

use serde::{Serialize, Serializer};

use super::fix::{Change, Spelt};
use super::{CLIENTS, ClientFile, ImportError, Invalid};

/// Why a file has no account, for most clients.
pub const NO_ACCOUNT: &str = "no account in it";

/// One mail client's format: everything the import does differently for it.
pub struct Client {
    /// The word `--import-format` takes and the JSON report says (`msmtp`).
    pub name: &'static str,
    /// The program's name as people know it (`git send-email`).
    pub label: &'static str,
    /// Where it looks for its settings, in the order it looks.
    pub places: &'static [Place],
    /// Whether a file's name (and its directory's, both in lower case) says it is this
    /// client's: `("msmtp", "config")`, `("", ".msmtprc")`.
    pub named: fn(dir: &str, file: &str) -> bool,
    /// Whether a line is one only this client writes: each is a vote when the name does not
    /// tell. `None` for a client whose lines look like another's.
    pub says: Option<fn(&Line) -> bool>,
    /// For settings that are more than one file (a Thunderbird profile): the whole of them
    /// when `path` is such a place, tried before the file is read as text.
    pub open: Option<Open>,
    /// Reads the file, and the files it includes.
    pub read: fn(&Input) -> Result<ClientFile, ImportError>,
    /// Why a file of this client may have no account, in words.
    pub no_account: &'static str,
    /// The target endpoint in the client's own settings.
    pub spell: fn(&Change) -> Vec<Spelt>,
    /// Whether a fix names the account: not where the file is the one account (Postfix, mutt).
    pub fix_names_account: bool,
    /// What to mind when making the fix, after it (Thunderbird rewrites its file on quitting).
    pub fix_caveat: Option<&'static str>,
}

/// Opens settings that are more than one file: `None` when `path` is not such a place. The
/// client the import was told to read as, if any, comes with it.
pub type Open = fn(&Path, Option<ClientKind>) -> Result<Option<ClientFile>, ImportError>;

impl Client {
    /// The handle the accounts read from this client's files carry.
    pub fn kind(&'static self) -> ClientKind {
        ClientKind(self)
    }
}

/// A place a client looks for its settings.
pub enum Place {
    /// Under the XDG config directory (`~/.config`).
    Config(&'static str),
    /// Under the home directory.
    Home(&'static str),
    /// A path of the system's.
    System(&'static str),
    /// Every file with this extension in a directory under the XDG config directory, in the
    /// order of their names (Evolution keeps one file per source).
    ConfigFiles {
        dir: &'static str,
        extension: &'static str,
    },
}

impl Place {
    /// The path, given the home and XDG config directories; `None` for a directory of files.
    pub fn path(&self, home: &Path, xdg_config: &Path) -> Option<PathBuf> {
        match self {
            Place::Config(p) => Some(xdg_config.join(p)),
            Place::Home(p) => Some(home.join(p)),
            Place::System(p) => Some(PathBuf::from(p)),
            Place::ConfigFiles { .. } => None,
        }
    }
}

/// A client's file as its reader gets it.
pub struct Input<'a> {
    pub path: &'a Path,
    /// The file's text (wiped from memory by the caller once read).
    pub text: &'a str,
    /// The path as people write it (`~/.msmtprc`).
    pub shown: &'a str,
    /// The client it is read as.
    pub kind: ClientKind,
}

impl Input<'_> {
    /// A reader's refusal, said of this file.
    pub fn invalid(&self, e: Invalid) -> ImportError {
        e.in_file(self.shown)
    }
}

/// A line of a file whose client is not known yet, as [`Client::says`] reads it.
pub struct Line<'a> {
    /// Trimmed.
    pub text: &'a str,
    /// Its first word.
    pub first: &'a str,
    /// Its text in lower case.
    pub lower: String,
}

/// Which client a file belongs to: a handle on the client's descriptor, compared and
/// serialised by its name (`"msmtp"`, as the JSON report's `format` says).
#[derive(Clone, Copy)]
pub struct ClientKind(&'static Client);

impl ClientKind {
    /// Every client, in the registry's order.
    pub fn all() -> impl Iterator<Item = ClientKind> {
        CLIENTS.iter().map(|c| c.kind())
    }

    /// What maildoctor knows of it.
    pub fn client(self) -> &'static Client {
        self.0
    }

    /// The word `--import-format` takes.
    pub fn as_str(self) -> &'static str {
        self.0.name
    }

    /// The program's name as people know it.
    pub fn label(self) -> &'static str {
        self.0.label
    }

    pub fn from_word(word: &str) -> Option<ClientKind> {
        ClientKind::all().find(|k| k.as_str().eq_ignore_ascii_case(word))
    }

    /// Every `--import-format` word, for messages.
    pub fn names() -> String {
        ClientKind::all()
            .map(ClientKind::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl PartialEq for ClientKind {
    fn eq(&self, other: &ClientKind) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for ClientKind {}

impl std::fmt::Debug for ClientKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for ClientKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ClientKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// The client a file belongs to, from its name, else its content.
pub fn detect(path: &Path, text: &str) -> Option<ClientKind> {
    by_name(path).or_else(|| by_content(text))
}

fn by_name(path: &Path) -> Option<ClientKind> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let parent = path
        .parent()
        .and_then(Path::file_name)
        .and_then(|p| p.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    ClientKind::all().find(|k| (k.client().named)(&parent, &name))
}

fn by_content(text: &str) -> Option<ClientKind> {
    let mut votes: Vec<ClientKind> = Vec::new();
    for line in text.lines().take(2000) {
        let text = line.trim();
        let line = Line {
            text,
            first: text.split_whitespace().next().unwrap_or_default(),
            lower: text.to_ascii_lowercase(),
        };
        let says = |k: &ClientKind| k.client().says.is_some_and(|says| says(&line));
        if let Some(kind) = ClientKind::all().find(says) {
            votes.push(kind);
        }
    }
    // The most telling kind wins; a tie goes to the first seen.
    let mut best: Option<(ClientKind, usize)> = None;
    for kind in &votes {
        let n = votes.iter().filter(|k| *k == kind).count();
        if best.is_none_or(|(_, m)| n > m) {
            best = Some((*kind, n));
        }
    }
    best.map(|(k, _)| k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{fetchmail, git, mbsync, msmtp, mutt, postfix};

    #[test]
    fn the_client_is_told_by_the_file_name_then_by_what_it_says() {
        for (path, text, want) in [
            ("/home/a/.msmtprc", "", Some(msmtp::CLIENT.kind())),
            (
                "/home/a/.config/msmtp/config",
                "",
                Some(msmtp::CLIENT.kind()),
            ),
            ("/etc/postfix/main.cf", "", Some(postfix::CLIENT.kind())),
            ("/home/a/.gitconfig", "", Some(git::CLIENT.kind())),
            ("/repo/.git/config", "", Some(git::CLIENT.kind())),
            ("/home/a/.muttrc", "", Some(mutt::MUTT.kind())),
            (
                "/home/a/.config/neomutt/neomuttrc",
                "",
                Some(mutt::NEOMUTT.kind()),
            ),
            ("/home/a/.mbsyncrc", "", Some(mbsync::CLIENT.kind())),
            (
                "/tmp/x",
                "defaults\ntls on\ntls_starttls off\n",
                Some(msmtp::CLIENT.kind()),
            ),
            (
                "/tmp/x",
                "[sendemail]\n\tsmtpServer = a\n",
                Some(git::CLIENT.kind()),
            ),
            (
                "/tmp/x",
                "relayhost = [smtp.example.com]:587\n",
                Some(postfix::CLIENT.kind()),
            ),
            (
                "/tmp/x",
                "set smtp_url = \"smtps://a@b\"\n",
                Some(mutt::MUTT.kind()),
            ),
            (
                "/tmp/x",
                "IMAPAccount work\nHost imap.example.com\n",
                Some(mbsync::CLIENT.kind()),
            ),
            (
                "/tmp/x",
                "poll imap.example.com proto imap\n",
                Some(fetchmail::CLIENT.kind()),
            ),
            ("/tmp/x", "hello = world\n", None),
        ] {
            assert_eq!(detect(Path::new(path), text), want, "{path}: {text:?}");
        }
    }

    /// The names in the JSON Schema's `format` enum: whichever value of `format` is an enum.
    fn schema_formats(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                if let Some(serde_json::Value::Array(names)) =
                    map.get("format").and_then(|f| f.get("enum"))
                {
                    out.extend(names.iter().filter_map(|n| n.as_str().map(str::to_owned)));
                }
                map.values().for_each(|v| schema_formats(v, out));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| schema_formats(v, out)),
            _ => {}
        }
    }

    #[test]
    fn the_report_schema_names_every_client() {
        let schema: serde_json::Value =
            serde_json::from_str(include_str!("../../schema/report.schema.json")).unwrap();
        let mut listed = Vec::new();
        schema_formats(&schema, &mut listed);
        listed.sort();
        let mut names: Vec<String> = ClientKind::all().map(|k| k.as_str().to_owned()).collect();
        names.sort();
        assert_eq!(
            listed, names,
            "schema/report.schema.json's source format enum"
        );
    }

    #[test]
    fn every_client_has_its_own_name() {
        for kind in ClientKind::all() {
            assert_eq!(ClientKind::from_word(kind.as_str()), Some(kind));
            assert_eq!(ClientKind::all().filter(|k| *k == kind).count(), 1);
        }
    }
}
