//! `clients` and `profiles`: what maildoctor knows of this machine's mail clients and of
//! the providers.

use std::io::Write;

use anyhow::{Context, Result, bail};

use crate::cli::{ClientsArgs, Format, ProfilesAction, ProfilesArgs};
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
        Format::Text => crate::report::render_clients(&listed),
        Format::Json => {
            serde_json::to_string_pretty(&crate::report::clients_dto(&listed))
                .context("cannot write JSON")?
                + "\n"
        }
        Format::Nagios | Format::Markdown => {
            bail!("--format nagios and markdown are for lint, check and discover")
        }
    };
    emit(out, &text, args.format, output)?;
    Ok(ExitStatus::Ok)
}

pub(super) fn run_profiles(
    args: &ProfilesArgs,
    store: &ProfileStore,
    out: &mut dyn Write,
    output: Output,
) -> Result<ExitStatus> {
    let text = match (&args.action, args.format) {
        (_, Format::Nagios | Format::Markdown) => {
            bail!("--format nagios and markdown are for lint, check and discover")
        }
        (None | Some(ProfilesAction::List), Format::Text) => {
            render_profile_list(store.iter_with_source())
        }
        (None | Some(ProfilesAction::List), Format::Json) => {
            let list: Vec<_> = store
                .iter_with_source()
                .map(|(p, s)| {
                    serde_json::json!({"id": p.id, "name": p.name, "domains": p.domains, "source": s.to_string()})
                })
                .collect();
            serde_json::to_string_pretty(&list)? + "\n"
        }
        (Some(ProfilesAction::Show { id }), format) => {
            let profile = store.get(id)?;
            let source = store
                .iter_with_source()
                .find(|(p, _)| p.id == *id)
                .map(|(_, s)| s.clone())
                .context("profile vanished")?;
            match format {
                Format::Text | Format::Nagios | Format::Markdown => {
                    render_profile(profile, &source)
                }
                Format::Json => serde_json::to_string_pretty(profile)? + "\n",
            }
        }
    };
    emit(out, &text, args.format, output)?;
    Ok(ExitStatus::Ok)
}
