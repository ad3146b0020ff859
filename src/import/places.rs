//! Where each client keeps its settings, for the current user and the system, in the order
//! the clients themselves look.

use std::path::{Path, PathBuf};

use super::ClientKind;

/// Every place a client's settings may be, given the home and XDG config directories;
/// existing or not.
pub fn candidates(home: &Path, xdg_config: &Path) -> Vec<(ClientKind, PathBuf)> {
    let h = |p: &str| home.join(p);
    let x = |p: &str| xdg_config.join(p);
    let s = PathBuf::from;
    vec![
        (ClientKind::Msmtp, x("msmtp/config")),
        (ClientKind::Msmtp, h(".msmtprc")),
        (ClientKind::Msmtp, s("/etc/msmtprc")),
        (ClientKind::Postfix, s("/etc/postfix/main.cf")),
        (ClientKind::Git, h(".gitconfig")),
        (ClientKind::Git, x("git/config")),
        (ClientKind::Git, s("/etc/gitconfig")),
        (ClientKind::Neomutt, x("neomutt/neomuttrc")),
        (ClientKind::Neomutt, h(".neomuttrc")),
        (ClientKind::Mutt, x("mutt/muttrc")),
        (ClientKind::Mutt, h(".mutt/muttrc")),
        (ClientKind::Mutt, h(".muttrc")),
        (ClientKind::Mbsync, x("isyncrc")),
        (ClientKind::Mbsync, h(".mbsyncrc")),
        (ClientKind::Offlineimap, x("offlineimap/config")),
        (ClientKind::Offlineimap, h(".offlineimaprc")),
        (ClientKind::Fetchmail, h(".fetchmailrc")),
        (ClientKind::Aerc, x("aerc/accounts.conf")),
        (ClientKind::Himalaya, x("himalaya/config.toml")),
        (ClientKind::Thunderbird, h(".thunderbird/profiles.ini")),
        (
            ClientKind::Thunderbird,
            h(".var/app/org.mozilla.Thunderbird/.thunderbird/profiles.ini"),
        ),
        (
            ClientKind::Thunderbird,
            h("snap/thunderbird/common/.thunderbird/profiles.ini"),
        ),
        (ClientKind::Ssmtp, s("/etc/ssmtp/ssmtp.conf")),
        (ClientKind::Nullmailer, s("/etc/nullmailer/remotes")),
        (ClientKind::Dma, s("/etc/dma/dma.conf")),
        (ClientKind::Exim4, s("/etc/exim4/update-exim4.conf.conf")),
    ]
}

/// The places of this user and this system where a file exists.
pub fn found() -> Vec<(ClientKind, PathBuf)> {
    let Some(home) = dirs::home_dir() else {
        return Vec::new();
    };
    let xdg = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .unwrap_or_else(|| home.join(".config"));
    let mut out: Vec<(ClientKind, PathBuf)> = candidates(&home, &xdg)
        .into_iter()
        .filter(|(_, p)| p.is_file())
        .collect();
    // Evolution keeps one file per source.
    if let Ok(dir) = std::fs::read_dir(xdg.join("evolution/sources")) {
        let mut sources: Vec<PathBuf> = dir
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "source"))
            .collect();
        sources.sort();
        out.extend(sources.into_iter().map(|p| (ClientKind::Evolution, p)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xdg_places_come_before_the_dot_files_as_the_clients_look() {
        let places = candidates(Path::new("/home/a"), Path::new("/home/a/.config"));
        let msmtp: Vec<&PathBuf> = places
            .iter()
            .filter(|(k, _)| *k == ClientKind::Msmtp)
            .map(|(_, p)| p)
            .collect();
        assert_eq!(
            msmtp,
            [
                Path::new("/home/a/.config/msmtp/config"),
                Path::new("/home/a/.msmtprc"),
                Path::new("/etc/msmtprc")
            ]
        );
        for kind in ClientKind::ALL {
            assert!(
                kind == ClientKind::Evolution || places.iter().any(|(k, _)| *k == kind),
                "{kind} has no place"
            );
        }
    }
}
