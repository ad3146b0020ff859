//! Finding an address's settings when no profile knows its domain: what DNS (MX, SRV), the
//! domain's own autoconfig file, the ISPDB and guessing claim, each kept with its source so
//! the sources can be shown side by side and the one that is wrong named.

pub mod autoconfig;
pub mod dns;
pub mod mx;
pub mod srv;
