//! `clients` and `profiles`: what maildoctor knows of this machine's mail clients and of
//! the providers.

use std::io::Write;

use anyhow::{Context, Result};

use crate::cli::{ClientsArgs, ListFormat, ProfilesAction, ProfilesArgs};
use crate::exit::ExitStatus;
use crate::profile::ProfileStore;
use crate::report::{render_profile, render_profile_list};

use super::{Output, emit};

pub(super) fn run_clients(
    args: &ClientsArgs,
    out: &mut dyn Write,
    output: Output,
) -> Result<ExitStatus> {
    let listed = crate::import::list(&crate::import::places::found());
    let text = match args.format {
        ListFormat::Text => crate::report::render_clients(&listed),
        ListFormat::Json => {
            serde_json::to_string_pretty(&crate::report::clients_dto(&listed))
                .context("cannot write JSON")?
                + "\n"
        }
    };
    emit(out, &text, args.format.into(), output)?;
    Ok(ExitStatus::Ok)
}

pub(super) fn run_profiles(
    args: &ProfilesArgs,
    store: &ProfileStore,
    out: &mut dyn Write,
    output: Output,
) -> Result<ExitStatus> {
    let text = match (&args.action, args.format) {
        (None | Some(ProfilesAction::List), ListFormat::Text) => {
            render_profile_list(store.iter_with_source())
        }
        (None | Some(ProfilesAction::List), ListFormat::Json) => {
            serde_json::to_string_pretty(&crate::report::profile_list(store.iter_with_source()))?
                + "\n"
        }
        (Some(ProfilesAction::Show { id }), format) => {
            let profile = store.get(id)?;
            let source = store
                .iter_with_source()
                .find(|(p, _)| p.id == *id)
                .map(|(_, s)| s.clone())
                .context("profile vanished")?;
            match format {
                ListFormat::Text => render_profile(profile, &source),
                ListFormat::Json => serde_json::to_string_pretty(profile)? + "\n",
            }
        }
    };
    emit(out, &text, args.format.into(), output)?;
    Ok(ExitStatus::Ok)
}
