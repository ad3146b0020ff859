//! Loading profiles: the embedded set, then the user's config dir, then `--profiles-dir`.
//! A later source replaces an earlier profile with the same id and adds new ones.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::model::{Profile, ProfileFile};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_profiles.rs"));
}

/// Where a profile came from, for `profiles` listings and error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileSource {
    Embedded(&'static str),
    File(PathBuf),
}

impl fmt::Display for ProfileSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProfileSource::Embedded(name) => write!(f, "built-in profiles/{name}"),
            ProfileSource::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// A profile that could not be loaded.
#[derive(Debug, Error)]
pub enum ProfileError {
    #[error("{source_name}:{line}:{column}: {message}")]
    Invalid {
        source_name: String,
        line: u64,
        column: u64,
        message: String,
    },
    #[error(
        "{source_name}: the profile's id \"{id}\" must match its file name (expected \"{expected}\")"
    )]
    IdMismatch {
        source_name: String,
        id: String,
        expected: String,
    },
    #[error("cannot read profiles from {}: {error}", path.display())]
    Read {
        path: PathBuf,
        error: crate::files::ReadError,
    },
    #[error(
        "unknown profile \"{id}\"; run `maildoctor profiles` to list the {count} known ids, or add profiles/{id}.yaml to your profiles directory"
    )]
    Unknown { id: String, count: usize },
}

/// The profiles in force, by id, each with where it came from.
#[derive(Debug, Clone, Default)]
pub struct ProfileStore {
    profiles: BTreeMap<String, (Profile, ProfileSource)>,
}

impl ProfileStore {
    /// Only the profiles built into the binary.
    pub fn embedded() -> Result<ProfileStore, ProfileError> {
        let mut store = ProfileStore::default();
        for (name, text) in embedded::EMBEDDED {
            let profile = parse_profile(text, name, &ProfileSource::Embedded(name).to_string())?;
            store.insert(profile, ProfileSource::Embedded(name));
        }
        Ok(store)
    }

    /// The embedded profiles overlaid by each directory in turn (missing directories are skipped).
    pub fn load(dirs: &[PathBuf]) -> Result<ProfileStore, ProfileError> {
        let mut store = ProfileStore::embedded()?;
        for dir in dirs {
            store.overlay_dir(dir)?;
        }
        Ok(store)
    }

    /// Adds or replaces profiles from every `*.yaml` file in a directory.
    pub fn overlay_dir(&mut self, dir: &Path) -> Result<(), ProfileError> {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => {
                return Err(ProfileError::Read {
                    path: dir.to_owned(),
                    error: crate::files::ReadError::Io(e),
                });
            }
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect();
        paths.sort();
        for path in paths {
            let text = crate::files::read_text(&path, crate::files::MAX_SETTINGS_FILE).map_err(
                |error| ProfileError::Read {
                    path: path.clone(),
                    error,
                },
            )?;
            let file_name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            let profile = parse_profile(&text, file_name, &path.display().to_string())?;
            self.insert(profile, ProfileSource::File(path));
        }
        Ok(())
    }

    fn insert(&mut self, profile: Profile, source: ProfileSource) {
        self.profiles.insert(profile.id.clone(), (profile, source));
    }

    /// All profiles, ordered by id.
    pub fn iter(&self) -> impl Iterator<Item = &Profile> {
        self.profiles.values().map(|(p, _)| p)
    }

    /// All profiles with where each came from.
    pub fn iter_with_source(&self) -> impl Iterator<Item = (&Profile, &ProfileSource)> {
        self.profiles.values().map(|(p, s)| (p, s))
    }

    pub fn len(&self) -> usize {
        self.profiles.len()
    }

    pub fn is_empty(&self) -> bool {
        self.profiles.is_empty()
    }

    /// The profile with this id, or an error that says how to find the right one.
    pub fn get(&self, id: &str) -> Result<&Profile, ProfileError> {
        self.profiles
            .get(id)
            .map(|(p, _)| p)
            .ok_or_else(|| ProfileError::Unknown {
                id: id.to_owned(),
                count: self.profiles.len(),
            })
    }

    /// The profile that hosts addresses at this domain.
    pub fn for_domain(&self, domain: &str) -> Option<&Profile> {
        let domain = domain.to_ascii_lowercase();
        self.iter().find(|p| p.domains.contains(&domain))
    }

    /// The profile whose mail exchanger this is (for custom domains hosted by a provider).
    pub fn for_mx(&self, mx_host: &str) -> Option<&Profile> {
        self.iter().find(|p| p.matches_mx(mx_host))
    }
}

/// Parses one profile file; its id must match the file name so overrides are predictable.
pub(crate) fn parse_profile(
    text: &str,
    file_name: &str,
    source_name: &str,
) -> Result<Profile, ProfileError> {
    let file: ProfileFile = crate::yaml::from_str(text).map_err(|e| ProfileError::Invalid {
        source_name: source_name.to_owned(),
        line: e.line,
        column: e.column,
        message: e.message,
    })?;
    let expected = file_name.trim_end_matches(".yaml").trim_end_matches(".yml");
    if file.id != expected {
        return Err(ProfileError::IdMismatch {
            source_name: source_name.to_owned(),
            id: file.id,
            expected: expected.to_owned(),
        });
    }
    Profile::from_file(file).map_err(|message| ProfileError::Invalid {
        source_name: source_name.to_owned(),
        line: 0,
        column: 0,
        message,
    })
}

/// `$XDG_CONFIG_HOME/maildoctor/profiles` (or the platform's config dir).
pub fn user_profiles_dir() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("maildoctor").join("profiles"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_profiles_load() {
        let store = ProfileStore::embedded().unwrap();
        assert!(store.get("outlook").is_ok());
        assert_eq!(store.for_domain("Hotmail.com").unwrap().id, "outlook");
        assert_eq!(
            store
                .for_mx("contoso-com.mail.protection.outlook.com.")
                .unwrap()
                .id,
            "microsoft365"
        );
        assert_eq!(
            store.for_mx("contoso-com.o-v1.mx.microsoft").unwrap().id,
            "microsoft365"
        );
        assert!(store.for_mx("mx.example.net").is_none());
    }

    #[test]
    fn unknown_profile_says_how_to_find_one() {
        let store = ProfileStore::embedded().unwrap();
        let err = store.get("hotmial").unwrap_err().to_string();
        assert!(
            err.contains("\"hotmial\"") && err.contains("maildoctor profiles"),
            "{err}"
        );
    }

    #[test]
    fn a_user_directory_overrides_by_id_and_adds_new_ones() {
        let dir = tempfile::tempdir().unwrap();
        let outlook = include_str!("../../profiles/outlook.yaml")
            .replace("name: Outlook.com (Hotmail, Live, MSN)", "name: My Outlook");
        std::fs::write(dir.path().join("outlook.yaml"), outlook).unwrap();
        std::fs::write(
            dir.path().join("corp.yaml"),
            "id: corp\nname: Corp\ndomains: [corp.example]\nsmtp: [mail.corp.example:587/starttls]\nauth: [password]\ndocs: https://intranet.corp.example/mail\nlast_checked: 2026-11-01\n",
        )
        .unwrap();
        let store = ProfileStore::load(&[dir.path().to_owned()]).unwrap();
        assert_eq!(store.get("outlook").unwrap().name, "My Outlook");
        assert_eq!(store.for_domain("corp.example").unwrap().id, "corp");
    }

    #[test]
    fn a_broken_user_profile_is_reported_with_its_position() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("corp.yaml"),
            "id: corp\nname: Corp\nauth: [passwrd]\n",
        )
        .unwrap();
        let err = ProfileStore::load(&[dir.path().to_owned()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("corp.yaml:3:"), "{err}");
        assert!(err.contains("passwrd"), "{err}");
    }

    #[test]
    fn a_profile_named_differently_from_its_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("corp.yaml"),
            "id: other\nname: Corp\nauth: [password]\ndocs: x\nlast_checked: 2026-11-01\n",
        )
        .unwrap();
        let err = ProfileStore::load(&[dir.path().to_owned()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("must match its file name"), "{err}");
    }
}
