//! Where a check's settings come from when no profile or server names them: discovery, the
//! one decision whether to run it ([`Start`]), and the account it turns into.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::account::{AccountLayer, Protocol};
use crate::profile::ProfileStore;
use crate::resolve::{Resolved, resolve};

use super::{CheckError, CheckOptions, Checkup, read_ca, shared_settings};

/// How a check of some settings begins.
#[expect(
    clippy::large_enum_variant,
    reason = "made once per run and taken apart at once: a box would buy nothing"
)]
pub enum Start {
    /// The settings are known: a profile or the servers given say where to go.
    Ready(Checkup),
    /// An address no profile knows, given without servers: its settings are discovered
    /// first.
    Discover {
        address: crate::account::Address,
        layer: AccountLayer,
        options: CheckOptions,
    },
}

impl Start {
    /// Decides, once for every face, whether these settings need discovering.
    pub fn new(
        layer: AccountLayer,
        store: &ProfileStore,
        options: CheckOptions,
    ) -> Result<Start, CheckError> {
        Ok(match needs_discovery(&layer, store) {
            Some(address) => Start::Discover {
                address,
                layer,
                options,
            },
            None => Start::Ready(Checkup::new(layer, store, options)?),
        })
    }

    /// The checkup, discovering the settings first when they need it.
    pub async fn checkup(self, store: &ProfileStore) -> Result<Checkup, CheckError> {
        match self {
            Start::Ready(checkup) => Ok(checkup),
            Start::Discover {
                address,
                layer,
                options,
            } => discover_then_checkup(address, layer, store, options, None).await,
        }
    }
}

/// The address to discover, when the settings need discovering: an address whose domain no
/// profile knows, given without any server.
pub fn needs_discovery(
    layer: &AccountLayer,
    store: &ProfileStore,
) -> Option<crate::account::Address> {
    match resolve(layer.clone(), store) {
        Err(crate::resolve::ResolveError::UnknownDomain { .. }) => {
            crate::account::Address::parse(layer.address.as_deref()?).ok()
        }
        _ => None,
    }
}

/// The address to look up beside the servers the user gave, when no profile knows its domain:
/// nothing else says whether those servers are the domain's. A special-use domain (`.test`,
/// `example.org` …) is looked up only through the user's own `--dns-server`.
pub fn discovery_beside(checkup: &Checkup) -> Option<crate::account::Address> {
    if !checkup.options.discover
        || checkup.discovery.is_some()
        || checkup.resolved.profile.is_some()
        || checkup.layer.profile.is_some()
    {
        return None;
    }
    let address = checkup.resolved.account.address.clone()?;
    if checkup.options.dns_server.is_none() && crate::discover::special_use(address.domain()) {
        return None;
    }
    Some(address)
}

/// Discovers the settings of `address` (every source, probed without credentials), then
/// builds the checkup of what discovery recommends.
pub async fn discover_then_checkup(
    address: crate::account::Address,
    layer: AccountLayer,
    store: &ProfileStore,
    options: CheckOptions,
    progress: Option<Progress>,
) -> Result<Checkup, CheckError> {
    let mut asking = asking(&options, store)?;
    asking.progress = progress;
    let discovery = crate::discover::discover(&address, &asking, true).await;
    let settings = Arc::unwrap_or_clone(asking.settings);
    Checkup::discovered(layer, discovery, store, options, settings)
}

/// Where discovery says how far it has got.
pub type Progress = tokio::sync::mpsc::UnboundedSender<crate::discover::gather::Progress>;

/// Discovers the settings of `address` with these options, to compare with servers given.
pub async fn discover_only(
    address: &crate::account::Address,
    options: &CheckOptions,
    store: &ProfileStore,
    progress: Option<Progress>,
) -> Result<crate::discover::Discovery, CheckError> {
    let mut asking = asking(options, store)?;
    asking.progress = progress;
    Ok(crate::discover::discover(address, &asking, true).await)
}

/// What discovery may ask with these options: their resolver and CA file for DNS, HTTP and
/// the probes, the ISPDB they name, each source's limit (`--timeout`, else 5 s).
pub fn asking<'a>(
    options: &CheckOptions,
    store: &'a ProfileStore,
) -> Result<crate::discover::gather::Asking<'a>, CheckError> {
    let ca = read_ca(options)?;
    let settings = Arc::new(shared_settings(options, ca.as_ref())?);
    let timeout = options.timeout.unwrap_or(crate::discover::SOURCE_TIMEOUT);
    let http = crate::discover::http::Http::new(
        Arc::clone(&settings.resolver),
        ca.as_ref().map(|(_, pem)| pem.as_str()),
        timeout,
    )
    .map_err(CheckError::Http)?;
    Ok(crate::discover::gather::Asking {
        store,
        http,
        settings,
        ispdb: options.ispdb.clone(),
        timeout,
        progress: None,
    })
}

/// The account as given, with no server and no profile.
pub(super) fn unresolved(layer: &AccountLayer) -> Result<Resolved, CheckError> {
    let address = layer
        .address
        .as_deref()
        .map(crate::account::Address::parse)
        .transpose()
        .map_err(crate::resolve::ResolveError::from)?;
    Ok(Resolved {
        account: crate::account::Account {
            address,
            username: layer.username.clone(),
            auth: layer.auth.unwrap_or(crate::account::AuthMethod::Password),
            endpoints: BTreeMap::new(),
        },
        profile: None,
    })
}

/// The settings as given, what discovery recommends filling the servers not given, and the
/// MX's provider as the profile unless one was named.
pub fn discovered_layer(
    mut layer: AccountLayer,
    discovery: &crate::discover::Discovery,
) -> AccountLayer {
    for choice in &discovery.choices {
        let slot = match choice.protocol {
            Protocol::Smtp => &mut layer.smtp,
            Protocol::Imap => &mut layer.imap,
            Protocol::Pop3 => &mut layer.pop3,
        };
        if slot.is_none() {
            *slot = Some(crate::account::PartialEndpoint {
                host: choice.endpoint.host.clone(),
                port: Some(choice.endpoint.port),
                security: Some(choice.endpoint.security),
            });
        }
    }
    if layer.profile.is_none() {
        layer.profile = discovery.profile().map(str::to_owned);
    }
    layer
}

/// The account discovery's layer resolves to, its profile chosen by the MX; with nothing
/// recommended, the account as given.
pub fn resolve_discovered(
    layer: &AccountLayer,
    discovery: &crate::discover::Discovery,
    store: &ProfileStore,
) -> Result<Resolved, CheckError> {
    if discovery.choices.is_empty() {
        return unresolved(layer);
    }
    let mut resolved = resolve(layer.clone(), store)?;
    if let Some((_, choice)) = &mut resolved.profile {
        *choice = crate::resolve::ProfileChoice::Mx;
    }
    Ok(resolved)
}
