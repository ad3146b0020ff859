//! What all profiles together know about host names: which protocol a host serves, whether it
//! is an alias or a retired name, and which known host a typed name is closest to.

use std::collections::{BTreeMap, BTreeSet};

use crate::account::Protocol;

use super::model::Profile;
use super::store::ProfileStore;

/// Everything the profiles say about one host name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostKnowledge {
    /// Protocols the host serves, as a documented endpoint, an alias or a retired name.
    pub protocols: BTreeSet<Protocol>,
    /// Ids of the profiles that mention it.
    pub profiles: BTreeSet<String>,
    /// Whether some profile lists it as a documented endpoint host.
    pub documented: bool,
    /// The documented host it stands for, when it is only an alias.
    pub alias_of: Option<String>,
    /// The current host, when it is a retired name.
    pub replaced_by: Option<String>,
}

/// Every host name the profiles mention.
#[derive(Debug, Clone, Default)]
pub struct HostIndex {
    hosts: BTreeMap<String, HostKnowledge>,
}

impl HostIndex {
    /// Indexes every endpoint host, alias and legacy host of every profile.
    pub fn build(store: &ProfileStore) -> HostIndex {
        let mut index = HostIndex::default();
        for profile in store.iter() {
            index.add_profile(profile);
        }
        index
    }

    fn add_profile(&mut self, profile: &Profile) {
        let protocols_of = |host: &str| -> BTreeSet<Protocol> {
            Protocol::ALL
                .into_iter()
                .filter(|p| {
                    profile
                        .endpoints(*p)
                        .iter()
                        .any(|e| e.host.name() == Some(host))
                })
                .collect()
        };
        for (protocol, endpoints) in &profile.endpoints {
            for name in endpoints.iter().filter_map(|e| e.host.name()) {
                let entry = self.entry(name, &profile.id);
                entry.protocols.insert(*protocol);
                entry.documented = true;
                entry.alias_of = None;
            }
        }
        for alias in &profile.aliases {
            let protocols = protocols_of(&alias.of);
            let entry = self.entry(&alias.host, &profile.id);
            entry.protocols.extend(protocols);
            if !entry.documented {
                entry.alias_of = Some(alias.of.clone());
            }
        }
        for legacy in &profile.legacy_hosts {
            let protocols = protocols_of(&legacy.replacement);
            let entry = self.entry(&legacy.host, &profile.id);
            entry.protocols.extend(protocols);
            entry.replaced_by = Some(legacy.replacement.clone());
        }
    }

    fn entry(&mut self, host: &str, profile_id: &str) -> &mut HostKnowledge {
        let entry = self.hosts.entry(host.to_owned()).or_default();
        entry.profiles.insert(profile_id.to_owned());
        entry
    }

    /// What is known about a host, if anything.
    pub fn get(&self, host: &str) -> Option<&HostKnowledge> {
        self.hosts.get(host)
    }

    /// Whether the host is known to serve this protocol and no other kind
    /// (a host like posteo.de that serves everything belongs to no single role).
    pub fn serves_only(&self, host: &str, protocols: &[Protocol]) -> bool {
        self.get(host).is_some_and(|k| {
            !k.protocols.is_empty() && k.protocols.iter().all(|p| protocols.contains(p))
        })
    }

    /// Whether the host is known to serve this protocol.
    pub fn serves(&self, host: &str, protocol: Protocol) -> bool {
        self.get(host)
            .is_some_and(|k| k.protocols.contains(&protocol))
    }

    /// The known host a typed name most likely meant, when the name is unknown but only a
    /// keystroke or two away from a known one. Differences confined to the top-level domain
    /// between two real TLDs (`imap.gmx.ch` / `imap.gmx.com`) are not typos: both can exist.
    pub fn likely_typo_of(&self, host: &str) -> Option<&str> {
        if self.hosts.contains_key(host) {
            return None;
        }
        let allowed = if host.len() >= 12 { 2 } else { 1 };
        self.hosts
            .keys()
            .map(|known| (strsim::damerau_levenshtein(host, known), known))
            .filter(|(distance, known)| {
                *distance > 0 && *distance <= allowed && !differs_only_in_real_tld(host, known)
            })
            .min_by_key(|(distance, known)| (*distance, known.len()))
            .map(|(_, known)| known.as_str())
    }
}

/// Top-level domains common in mail settings; a change between two of them is not a typo.
const REAL_TLDS: &[&str] = &[
    "com", "net", "org", "de", "eu", "in", "jp", "fr", "it", "ru", "uk", "ch", "at", "nl", "be",
    "es", "pl", "cz", "se", "no", "dk", "fi", "ca", "au", "nz", "br", "cn", "us", "io", "me", "co",
    "info", "biz", "ie", "pt", "gr", "tr", "kr", "mx", "ar", "za", "sk", "hu", "ro", "bg", "ua",
    "by", "kz", "il", "sg", "hk", "tw", "my", "ph", "th", "vn", "id", "lt", "lv", "ee", "si", "hr",
    "rs", "lu", "li", "is", "email", "mail", "online", "cloud",
];

fn differs_only_in_real_tld(a: &str, b: &str) -> bool {
    let (Some((a_rest, a_tld)), Some((b_rest, b_tld))) = (a.rsplit_once('.'), b.rsplit_once('.'))
    else {
        return false;
    };
    a_rest == b_rest && REAL_TLDS.contains(&a_tld) && REAL_TLDS.contains(&b_tld)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> HostIndex {
        HostIndex::build(&ProfileStore::embedded().unwrap())
    }

    #[test]
    fn typos_point_at_the_known_host() {
        let index = index();
        assert_eq!(
            index.likely_typo_of("smtp.office365.con"),
            Some("smtp.office365.com")
        );
        assert_eq!(
            index.likely_typo_of("smtp.ofice365.com"),
            Some("smtp.office365.com")
        );
        assert_eq!(
            index.likely_typo_of("outlok.office365.com"),
            Some("outlook.office365.com")
        );
        assert_eq!(index.likely_typo_of("smtp.office365.com"), None);
        assert_eq!(index.likely_typo_of("mail.example.org"), None);
        assert_eq!(index.likely_typo_of("smtp.office365.de"), None);
    }

    #[test]
    fn aliases_and_retired_names_carry_their_protocols() {
        let index = index();
        let alias = index.get("imap.office365.com").unwrap();
        assert_eq!(alias.alias_of.as_deref(), Some("outlook.office365.com"));
        assert!(alias.protocols.contains(&Protocol::Imap));
        // Documented by Microsoft 365, only an alias for Outlook.com: documented wins.
        assert_eq!(index.get("smtp.office365.com").unwrap().alias_of, None);
        assert_eq!(
            index.get("smtp.live.com").unwrap().replaced_by.as_deref(),
            Some("smtp-mail.outlook.com")
        );
        assert!(index.serves_only("smtp.live.com", &[Protocol::Smtp]));
        assert!(!index.serves_only("outlook.office365.com", &[Protocol::Smtp]));
    }
}
