//! Which characters the output may use. Symbols carry meaning (✓ ✗ ▲), so where they cannot
//! be shown — `--ascii`, or a locale that is not UTF-8 (`LANG=C`, cron, a serial console) —
//! each becomes an ASCII stand-in rather than a `?` or mojibake.

/// Whether the locale the environment names takes UTF-8: the first of `LC_ALL`, `LC_CTYPE`
/// and `LANG` that is set and not empty decides, as for every C program (POSIX locale rules);
/// none set is the "C" locale, which is ASCII.
pub fn utf8_locale(lc_all: Option<&str>, lc_ctype: Option<&str>, lang: Option<&str>) -> bool {
    let chosen = [lc_all, lc_ctype, lang]
        .into_iter()
        .flatten()
        .find(|v| !v.is_empty());
    chosen.is_some_and(|locale| {
        let codeset = locale.rsplit_once('.').map_or("", |(_, c)| c);
        let codeset = codeset
            .split('@')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        codeset == "utf-8" || codeset == "utf8"
    })
}

/// Whether output must be ASCII: asked for, or the locale cannot show UTF-8.
pub fn ascii_wanted(asked: bool) -> bool {
    let var = |name| std::env::var(name).ok();
    asked
        || !utf8_locale(
            var("LC_ALL").as_deref(),
            var("LC_CTYPE").as_deref(),
            var("LANG").as_deref(),
        )
}

/// The ASCII stand-in for one symbol (a terminal cell or a character of text).
pub fn ascii_of(symbol: &str) -> &'static str {
    match symbol {
        "┌" | "┐" | "└" | "┘" | "├" | "┤" | "┬" | "┴" | "┼" => "+",
        "─" | "—" | "–" => "-",
        "│" | "·" => "|",
        "▶" | "›" | "→" => ">",
        "‹" | "←" => "<",
        "▲" | "↑" => "^",
        "↓" => "v",
        "…" => ".",
        "✓" => "+",
        "✗" => "x",
        "⚠" => "!",
        "“" | "”" | "„" => "\"",
        "‘" | "’" => "'",
        _ => "?",
    }
}

/// `text` in ASCII: every other character replaced by its stand-in.
pub fn to_ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut buf = [0u8; 4];
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            out.push_str(ascii_of(c.encode_utf8(&mut buf)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_locale_decides_like_a_c_program() {
        assert!(utf8_locale(None, None, Some("en_US.UTF-8")));
        assert!(utf8_locale(None, None, Some("C.utf8")));
        assert!(utf8_locale(None, None, Some("de_DE.UTF-8@euro")));
        assert!(!utf8_locale(None, None, Some("C")));
        assert!(
            !utf8_locale(None, None, None),
            "nothing set is the C locale"
        );
        assert!(
            !utf8_locale(Some("C"), None, Some("en_US.UTF-8")),
            "LC_ALL wins"
        );
        assert!(
            utf8_locale(Some(""), Some("C.UTF-8"), Some("C")),
            "empty is unset"
        );
        assert!(!utf8_locale(None, None, Some("en_US.ISO-8859-1")));
    }

    #[test]
    fn symbols_keep_their_meaning_in_ascii() {
        assert_eq!(
            to_ascii("✓ OK · ✗ ERROR — ▲ 587…"),
            "+ OK | x ERROR - ^ 587."
        );
        assert_eq!(to_ascii("plain"), "plain");
        assert_eq!(to_ascii("日本"), "??");
    }
}
