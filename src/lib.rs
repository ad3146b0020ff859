pub mod account;
pub mod yaml;
