//! Which mail client a file belongs to: by its name where that is telling, else by what it
//! says.

use std::path::Path;

use serde::Serialize;

/// The mail clients whose settings maildoctor knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientKind {
    Msmtp,
    Postfix,
    Git,
    Mutt,
    Neomutt,
    Mbsync,
    Offlineimap,
    Fetchmail,
    Aerc,
    Himalaya,
    Thunderbird,
    Ssmtp,
    Nullmailer,
    Dma,
    Exim4,
    Evolution,
}

impl ClientKind {
    pub const ALL: [ClientKind; 16] = [
        ClientKind::Msmtp,
        ClientKind::Postfix,
        ClientKind::Git,
        ClientKind::Mutt,
        ClientKind::Neomutt,
        ClientKind::Mbsync,
        ClientKind::Offlineimap,
        ClientKind::Fetchmail,
        ClientKind::Aerc,
        ClientKind::Himalaya,
        ClientKind::Thunderbird,
        ClientKind::Ssmtp,
        ClientKind::Nullmailer,
        ClientKind::Dma,
        ClientKind::Exim4,
        ClientKind::Evolution,
    ];

    /// The word `--import-format` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            ClientKind::Msmtp => "msmtp",
            ClientKind::Postfix => "postfix",
            ClientKind::Git => "git",
            ClientKind::Mutt => "mutt",
            ClientKind::Neomutt => "neomutt",
            ClientKind::Mbsync => "mbsync",
            ClientKind::Offlineimap => "offlineimap",
            ClientKind::Fetchmail => "fetchmail",
            ClientKind::Aerc => "aerc",
            ClientKind::Himalaya => "himalaya",
            ClientKind::Thunderbird => "thunderbird",
            ClientKind::Ssmtp => "ssmtp",
            ClientKind::Nullmailer => "nullmailer",
            ClientKind::Dma => "dma",
            ClientKind::Exim4 => "exim4",
            ClientKind::Evolution => "evolution",
        }
    }

    /// The program's name as people know it.
    pub fn label(self) -> &'static str {
        match self {
            ClientKind::Msmtp => "msmtp",
            ClientKind::Postfix => "Postfix",
            ClientKind::Git => "git send-email",
            ClientKind::Mutt => "mutt",
            ClientKind::Neomutt => "NeoMutt",
            ClientKind::Mbsync => "mbsync",
            ClientKind::Offlineimap => "OfflineIMAP",
            ClientKind::Fetchmail => "fetchmail",
            ClientKind::Aerc => "aerc",
            ClientKind::Himalaya => "himalaya",
            ClientKind::Thunderbird => "Thunderbird",
            ClientKind::Ssmtp => "ssmtp",
            ClientKind::Nullmailer => "nullmailer",
            ClientKind::Dma => "dma",
            ClientKind::Exim4 => "Exim",
            ClientKind::Evolution => "Evolution",
        }
    }

    pub fn from_word(word: &str) -> Option<ClientKind> {
        ClientKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(word))
    }

    /// Every `--import-format` word, for messages.
    pub fn names() -> String {
        ClientKind::ALL
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl std::fmt::Display for ClientKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
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
    Some(match (parent.as_str(), name.as_str()) {
        (_, ".msmtprc" | "msmtprc") | ("msmtp", "config") => ClientKind::Msmtp,
        (_, "main.cf") => ClientKind::Postfix,
        (_, ".gitconfig" | "gitconfig") | ("git" | ".git", "config") => ClientKind::Git,
        (_, n) if n.starts_with("neomuttrc") || n.starts_with(".neomuttrc") => ClientKind::Neomutt,
        (_, n) if n.starts_with(".muttrc") || n.starts_with("muttrc") => ClientKind::Mutt,
        (_, ".mbsyncrc" | "isyncrc" | "mbsyncrc") => ClientKind::Mbsync,
        (_, ".offlineimaprc") | ("offlineimap", "config") => ClientKind::Offlineimap,
        (_, ".fetchmailrc" | "fetchmailrc") => ClientKind::Fetchmail,
        ("aerc", "accounts.conf") => ClientKind::Aerc,
        ("himalaya", "config.toml") => ClientKind::Himalaya,
        (_, "prefs.js" | "user.js" | "profiles.ini") => ClientKind::Thunderbird,
        (_, "ssmtp.conf") => ClientKind::Ssmtp,
        ("nullmailer", "remotes") => ClientKind::Nullmailer,
        (_, "dma.conf") => ClientKind::Dma,
        (_, "update-exim4.conf.conf") => ClientKind::Exim4,
        (_, n) if n.ends_with(".source") => ClientKind::Evolution,
        _ => return None,
    })
}

fn by_content(text: &str) -> Option<ClientKind> {
    let mut votes: Vec<ClientKind> = Vec::new();
    for line in text.lines().take(2000) {
        let line = line.trim();
        let first = line.split_whitespace().next().unwrap_or_default();
        let lower = line.to_ascii_lowercase();
        let kind = if lower.starts_with("[sendemail") {
            ClientKind::Git
        } else if lower.starts_with("relayhost") && line.contains('=') {
            ClientKind::Postfix
        } else if matches!(first, "tls_starttls" | "passwordeval" | "tls_trust_file")
            || (first == "account" && !line.contains('='))
        {
            ClientKind::Msmtp
        } else if lower.starts_with("set ")
            && ["smtp_url", "folder", "spoolfile", "spool_file", "imap_user"]
                .iter()
                .any(|v| lower[4..].trim_start().starts_with(v))
        {
            ClientKind::Mutt
        } else if first == "IMAPAccount" || first == "IMAPStore" {
            ClientKind::Mbsync
        } else if lower.starts_with("poll ") || lower.starts_with("skip ") {
            ClientKind::Fetchmail
        } else if lower.starts_with("[repository ") {
            ClientKind::Offlineimap
        } else if line.starts_with("user_pref(") {
            ClientKind::Thunderbird
        } else if lower.starts_with("mailhub=") {
            ClientKind::Ssmtp
        } else if lower.starts_with("dc_smarthost") {
            ClientKind::Exim4
        } else if first == "SMARTHOST" {
            ClientKind::Dma
        } else if line.starts_with("[Mail Account]") || line.starts_with("[Mail Transport]") {
            ClientKind::Evolution
        } else {
            continue;
        };
        votes.push(kind);
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

    #[test]
    fn the_client_is_told_by_the_file_name_then_by_what_it_says() {
        for (path, text, want) in [
            ("/home/a/.msmtprc", "", Some(ClientKind::Msmtp)),
            ("/home/a/.config/msmtp/config", "", Some(ClientKind::Msmtp)),
            ("/etc/postfix/main.cf", "", Some(ClientKind::Postfix)),
            ("/home/a/.gitconfig", "", Some(ClientKind::Git)),
            ("/repo/.git/config", "", Some(ClientKind::Git)),
            ("/home/a/.muttrc", "", Some(ClientKind::Mutt)),
            (
                "/home/a/.config/neomutt/neomuttrc",
                "",
                Some(ClientKind::Neomutt),
            ),
            ("/home/a/.mbsyncrc", "", Some(ClientKind::Mbsync)),
            (
                "/tmp/x",
                "defaults\ntls on\ntls_starttls off\n",
                Some(ClientKind::Msmtp),
            ),
            (
                "/tmp/x",
                "[sendemail]\n\tsmtpServer = a\n",
                Some(ClientKind::Git),
            ),
            (
                "/tmp/x",
                "relayhost = [smtp.example.com]:587\n",
                Some(ClientKind::Postfix),
            ),
            (
                "/tmp/x",
                "set smtp_url = \"smtps://a@b\"\n",
                Some(ClientKind::Mutt),
            ),
            (
                "/tmp/x",
                "IMAPAccount work\nHost imap.example.com\n",
                Some(ClientKind::Mbsync),
            ),
            (
                "/tmp/x",
                "poll imap.example.com proto imap\n",
                Some(ClientKind::Fetchmail),
            ),
            ("/tmp/x", "hello = world\n", None),
        ] {
            assert_eq!(detect(Path::new(path), text), want, "{path}: {text:?}");
        }
    }
}
