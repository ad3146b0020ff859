//! Where each client keeps its settings, for the current user and the system, in the order
//! the clients themselves look: each client's [`Place`]s, in the registry's order.

use std::path::{Path, PathBuf};

use super::ClientKind;
use super::client::Place;

/// Every place a client's settings may be, given the home and XDG config directories;
/// existing or not. Directories of files (Evolution's sources) are not among them.
pub fn candidates(home: &Path, xdg_config: &Path) -> Vec<(ClientKind, PathBuf)> {
    ClientKind::all()
        .flat_map(|kind| {
            kind.client()
                .places
                .iter()
                .filter_map(move |place| Some((kind, place.path(home, xdg_config)?)))
        })
        .collect()
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
    let mut out = Vec::new();
    for kind in ClientKind::all() {
        for place in kind.client().places {
            match (place, place.path(&home, &xdg)) {
                (_, Some(path)) => {
                    if path.is_file() {
                        out.push((kind, path));
                    }
                }
                (Place::ConfigFiles { dir, extension }, None) => {
                    out.extend(files_in(&xdg.join(dir), extension).map(|p| (kind, p)));
                }
                (_, None) => {}
            }
        }
    }
    out
}

/// The files of a directory with this extension, in the order of their names.
fn files_in(dir: &Path, extension: &str) -> impl Iterator<Item = PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == extension))
        .collect();
    files.sort();
    files.into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{evolution, msmtp};

    #[test]
    fn xdg_places_come_before_the_dot_files_as_the_clients_look() {
        let places = candidates(Path::new("/home/a"), Path::new("/home/a/.config"));
        let msmtp: Vec<&PathBuf> = places
            .iter()
            .filter(|(k, _)| *k == msmtp::CLIENT.kind())
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
        for kind in ClientKind::all() {
            assert!(
                kind == evolution::CLIENT.kind() || places.iter().any(|(k, _)| *k == kind),
                "{kind} has no place"
            );
        }
    }
}
