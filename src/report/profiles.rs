//! `profiles --format json`: the profile list's contract, apart from the profile model.

/// One profile in `profiles --format json`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProfileListItem {
    pub id: String,
    pub name: String,
    pub domains: Vec<String>,
    /// "built-in", or the file that overrides it.
    pub source: String,
}

/// `profiles --format json`: every profile, where it comes from.
pub fn profile_list<'a>(
    profiles: impl Iterator<
        Item = (
            &'a crate::profile::Profile,
            &'a crate::profile::ProfileSource,
        ),
    >,
) -> Vec<ProfileListItem> {
    profiles
        .map(|(p, s)| ProfileListItem {
            id: p.id.clone(),
            name: p.name.clone(),
            domains: p.domains.clone(),
            source: s.to_string(),
        })
        .collect()
}
