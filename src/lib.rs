pub mod account;
pub mod profile;
pub mod yaml;
