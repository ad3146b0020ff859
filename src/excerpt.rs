//! Quoting what a user or a server gave in a message, bounded: an 8 MB value must not make an
//! 8 MB error.

use std::borrow::Cow;

/// The most characters of a value a message quotes.
pub const MAX_QUOTED: usize = 80;

/// `text` as a message quotes it: whole when short, else its start, an ellipsis and its size.
pub fn excerpt(text: &str) -> Cow<'_, str> {
    excerpt_to(text, MAX_QUOTED)
}

/// The same, for a whole message of at most about `max` characters.
pub fn excerpt_to(text: &str, max: usize) -> Cow<'_, str> {
    let count = text.chars().count();
    if count <= max {
        return Cow::Borrowed(text);
    }
    let start: String = text.chars().take(max.saturating_sub(20)).collect();
    Cow::Owned(format!("{start}… ({count} characters)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_cut_with_their_size() {
        assert_eq!(excerpt("smtp.example.com:587"), "smtp.example.com:587");
        let long = "a".repeat(128 * 1024);
        let shown = excerpt(&long);
        assert!(shown.chars().count() < 100, "{shown}");
        assert!(shown.ends_with("… (131072 characters)"), "{shown}");
    }
}
