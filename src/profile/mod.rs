//! Provider profiles: the known-good settings of real providers, embedded in the binary and
//! overridable by the user's own files.

mod index;
mod model;
mod store;

pub use index::{HostIndex, HostKnowledge};
pub use model::{
    AuthOffer, HostAlias, LegacyHost, Note, NoteEffect, PortException, Profile, ProfileFile,
    UsernameForm,
};
#[cfg(fuzzing)]
pub(crate) use store::parse_profile;
pub use store::{ProfileError, ProfileSource, ProfileStore, user_profiles_dir};
