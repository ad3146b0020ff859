//! Building the effective account: flags over the account file over the provider profile.
//! Pure, so every layering rule is tested without a file system or network.

use std::collections::BTreeMap;

use thiserror::Error;

use crate::account::{Account, AccountLayer, Address, AddressError, AuthMethod, Protocol};
use crate::profile::{AuthOffer, Profile, ProfileError, ProfileStore};

/// Why the settings could not be turned into an account.
#[derive(Debug, Error)]
pub enum ResolveError {
    #[error(transparent)]
    Address(#[from] AddressError),
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error(
        "nothing to check: give an address of a known provider (see `maildoctor profiles`), --profile ID, --account FILE, or the servers with --smtp/--imap/--pop3"
    )]
    Nothing,
    #[error(
        "no built-in profile knows \"{domain}\": `maildoctor discover` or `maildoctor check` looks its settings up (MX, SRV, autoconfig, ISPDB); lint stays offline, so give the servers with --smtp/--imap/--pop3, an account file, or --profile ID"
    )]
    UnknownDomain { domain: String },
}

/// How the profile in use was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileChoice {
    /// Named with `--profile` or in the account file.
    Given,
    /// Found by the address's domain.
    AddressDomain,
    /// Found because the configured servers are that provider's.
    ServerHosts,
    /// Found through the domain's MX, by discovery.
    Mx,
}

impl ProfileChoice {
    pub fn as_str(self) -> &'static str {
        match self {
            ProfileChoice::Given => "given",
            ProfileChoice::AddressDomain => "address-domain",
            ProfileChoice::ServerHosts => "server-hosts",
            ProfileChoice::Mx => "mx",
        }
    }
}

/// The account to check and the profile to compare it with.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub account: Account,
    pub profile: Option<(Profile, ProfileChoice)>,
}

impl Resolved {
    pub fn profile(&self) -> Option<&Profile> {
        self.profile.as_ref().map(|(p, _)| p)
    }
}

/// Applies the layers and fills what is still missing from the provider's profile.
pub fn resolve(layer: AccountLayer, store: &ProfileStore) -> Result<Resolved, ResolveError> {
    let address = layer.address.as_deref().map(Address::parse).transpose()?;
    let profile = choose_profile(&layer, address.as_ref(), store)?;

    let mut endpoints = BTreeMap::new();
    for protocol in Protocol::ALL {
        let endpoint = match layer.endpoint(protocol) {
            Some(given) => Some(given.clone().complete(protocol)),
            None => profile
                .as_ref()
                .and_then(|(p, _)| p.endpoints(protocol).first().cloned()),
        };
        if let Some(endpoint) = endpoint {
            endpoints.insert(protocol, endpoint);
        }
    }
    if endpoints.is_empty() {
        return Err(match address {
            Some(a) if profile.is_none() => ResolveError::UnknownDomain {
                domain: a.domain().to_owned(),
            },
            _ => ResolveError::Nothing,
        });
    }
    let auth =
        layer.auth.unwrap_or_else(
            || match profile.as_ref().and_then(|(p, _)| p.auth.first()) {
                Some(AuthOffer::Oauth2) => AuthMethod::Oauth2,
                _ => AuthMethod::Password,
            },
        );
    let account = Account {
        address,
        username: layer.username,
        auth,
        endpoints,
    };
    Ok(Resolved { account, profile })
}

fn choose_profile(
    layer: &AccountLayer,
    address: Option<&Address>,
    store: &ProfileStore,
) -> Result<Option<(Profile, ProfileChoice)>, ProfileError> {
    if let Some(id) = &layer.profile {
        return Ok(Some((store.get(id)?.clone(), ProfileChoice::Given)));
    }
    if let Some(profile) = address.and_then(|a| store.for_domain(a.domain())) {
        return Ok(Some((profile.clone(), ProfileChoice::AddressDomain)));
    }
    Ok(profile_by_hosts(layer, store).map(|p| (p.clone(), ProfileChoice::ServerHosts)))
}

/// The profile that documents most of the configured hosts, if exactly one does best.
fn profile_by_hosts<'a>(layer: &AccountLayer, store: &'a ProfileStore) -> Option<&'a Profile> {
    let hosts: Vec<String> = Protocol::ALL
        .into_iter()
        .filter_map(|p| {
            layer
                .endpoint(p)
                .and_then(|e| e.host.name().map(str::to_owned))
        })
        .collect();
    let mut scored: Vec<(usize, &Profile)> = store
        .iter()
        .map(|profile| {
            let documented = hosts
                .iter()
                .filter(|h| {
                    Protocol::ALL.iter().any(|p| {
                        profile
                            .endpoints(*p)
                            .iter()
                            .any(|e| e.host.name() == Some(h.as_str()))
                    })
                })
                .count();
            (documented, profile)
        })
        .filter(|(score, _)| *score > 0)
        .collect();
    // Most documented hosts first; on a tie, the profile for custom domains (Microsoft 365,
    // Google Workspace) wins, since an address whose domain no profile knows cannot be a
    // consumer account of the same provider.
    scored.sort_by_key(|(score, p)| (std::cmp::Reverse(*score), !p.domains.is_empty()));
    let key = |(score, p): &(usize, &Profile)| (*score, p.domains.is_empty());
    match scored.as_slice() {
        [first, rest @ ..] if rest.first().is_none_or(|next| key(next) != key(first)) => {
            Some(first.1)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::PartialEndpoint;

    fn store() -> ProfileStore {
        ProfileStore::embedded().unwrap()
    }

    fn layer(address: &str) -> AccountLayer {
        AccountLayer {
            address: Some(address.into()),
            ..Default::default()
        }
    }

    #[test]
    fn an_address_alone_takes_the_providers_settings() {
        let r = resolve(layer("alice@hotmail.com"), &store()).unwrap();
        let (profile, choice) = r.profile.as_ref().unwrap();
        assert_eq!(
            (profile.id.as_str(), *choice),
            ("outlook", ProfileChoice::AddressDomain)
        );
        assert_eq!(
            r.account.endpoint(Protocol::Smtp).unwrap().to_string(),
            "smtp-mail.outlook.com:587/starttls"
        );
        assert_eq!(
            r.account.endpoint(Protocol::Pop3).unwrap().to_string(),
            "outlook.office365.com:995/tls"
        );
        assert_eq!(
            r.account.auth,
            AuthMethod::Oauth2,
            "Outlook.com offers only OAuth2"
        );
    }

    #[test]
    fn flags_replace_the_profile_endpoint_of_their_protocol_only() {
        let mut l = layer("alice@hotmail.com");
        l.smtp = Some(PartialEndpoint::parse("smtp.office365.com:465/starttls").unwrap());
        let r = resolve(l, &store()).unwrap();
        assert_eq!(
            r.account.endpoint(Protocol::Smtp).unwrap().to_string(),
            "smtp.office365.com:465/starttls"
        );
        assert_eq!(
            r.account.endpoint(Protocol::Imap).unwrap().to_string(),
            "outlook.office365.com:993/tls"
        );
    }

    #[test]
    fn a_custom_domain_is_matched_by_its_servers() {
        let mut l = layer("bob@contoso.example");
        l.smtp = Some(PartialEndpoint::parse("smtp.office365.com").unwrap());
        l.imap = Some(PartialEndpoint::parse("outlook.office365.com").unwrap());
        let r = resolve(l, &store()).unwrap();
        let (profile, choice) = r.profile.unwrap();
        assert_eq!(
            (profile.id.as_str(), choice),
            ("microsoft365", ProfileChoice::ServerHosts)
        );
    }

    #[test]
    fn a_tie_between_consumer_and_business_profiles_goes_to_business() {
        let mut l = layer("ivy@startup.example");
        l.smtp = Some(PartialEndpoint::parse("smtp.gmail.com").unwrap());
        let (profile, _) = resolve(l, &store()).unwrap().profile.unwrap();
        assert_eq!(profile.id, "google-workspace");
    }

    #[test]
    fn an_unknown_domain_without_servers_is_an_error_that_says_what_to_do() {
        let err = resolve(layer("bob@nowhere.example"), &store())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("\"nowhere.example\"") && err.contains("--smtp"),
            "{err}"
        );
        let err = resolve(AccountLayer::default(), &store())
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("nothing to check"), "{err}");
    }

    #[test]
    fn a_bad_address_or_profile_is_an_error() {
        assert!(matches!(
            resolve(layer("bob"), &store()),
            Err(ResolveError::Address(_))
        ));
        let l = AccountLayer {
            profile: Some("nope".into()),
            ..Default::default()
        };
        assert!(matches!(
            resolve(l, &store()),
            Err(ResolveError::Profile(ProfileError::Unknown { .. }))
        ));
    }
}
