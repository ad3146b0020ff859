//! Text made to fit a width without a silent cut: whole words and a `…`, or wrapped lines.
//! A host:port is one word, so it is shown whole or not at all — a cut port number is a
//! wrong fact.

use unicode_width::UnicodeWidthStr;

/// Columns `text` takes on a terminal.
pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// `text` as it fits in `room` columns: unchanged when it fits, else the words that fit and
/// `…`. A first word too wide is cut by characters, unless it names a host and port.
pub fn ellipsize(text: &str, room: usize) -> String {
    if width(text) <= room {
        return text.to_owned();
    }
    if room == 0 {
        return String::new();
    }
    let budget = room - 1;
    let mut out = String::new();
    for word in text.split(' ') {
        let next = if out.is_empty() {
            word.to_owned()
        } else {
            format!("{out} {word}")
        };
        if width(&next) > budget {
            break;
        }
        out = next;
    }
    if out.trim().is_empty() {
        let first = text.split(' ').next().unwrap_or_default();
        if names_a_port(first) {
            return "…".to_owned();
        }
        out = cut(first, budget);
    }
    format!("{}…", out.trim_end())
}

/// The first characters of `text` that fit in `room` columns.
fn cut(text: &str, room: usize) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let mut next = out.clone();
        next.push(c);
        if width(&next) > room {
            break;
        }
        out = next;
    }
    out
}

/// `host:port` (or `[v6]:port`, `host:port/security`): a word whose cut would lie.
fn names_a_port(word: &str) -> bool {
    let word = word.split('/').next().unwrap_or_default();
    word.rsplit_once(':').is_some_and(|(host, port)| {
        !host.is_empty() && !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())
    })
}

/// `text` wrapped at spaces only (a host name or `SSL/TLS` never splits), first line
/// prefixed by `first`, the next ones by `rest`.
pub fn wrap(text: &str, room: usize, first: &str, rest: &str) -> Vec<String> {
    let options = textwrap::Options::new(room.max(8))
        .initial_indent(first)
        .subsequent_indent(rest)
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .wrap_algorithm(textwrap::WrapAlgorithm::FirstFit)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .break_words(true);
    textwrap::wrap(text, options)
        .into_iter()
        .map(std::borrow::Cow::into_owned)
        .collect()
}

/// Items joined by `sep`, as many as fit in `room` from the front, then `last` (always
/// shown: the key that explains the rest).
pub fn join_fitting(items: &[String], sep: &str, last: &str, room: usize) -> String {
    let mut out = String::new();
    for item in items {
        let next = if out.is_empty() {
            item.clone()
        } else {
            format!("{out}{sep}{item}")
        };
        if width(&next) + width(sep) + width(last) > room {
            break;
        }
        out = next;
    }
    if out.is_empty() {
        last.to_owned()
    } else {
        format!("{out}{sep}{last}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_is_marked_and_never_splits_a_port() {
        assert_eq!(ellipsize("short", 10), "short");
        assert_eq!(
            ellipsize("the port expects TLS from the first byte", 16),
            "the port…"
        );
        assert_eq!(ellipsize("127.0.0.1:20465", 14), "…");
        assert_eq!(
            ellipsize("connected to 127.0.0.1:20465", 20),
            "connected to…"
        );
        assert_eq!(ellipsize("abcdefghij", 5), "abcd…");
        for room in 0..30 {
            let shown = ellipsize("reached [::1]:20465/starttls after 3 s", room);
            assert!(width(&shown) <= room, "{room}: {shown}");
            assert!(
                !shown.contains("2046") || shown.contains("20465"),
                "{shown}"
            );
        }
    }

    #[test]
    fn wrapping_keeps_hosts_whole_and_items_fit() {
        let lines = wrap(
            "use smtp.example-host.org:587 with SSL/TLS now",
            30,
            "Fix: ",
            "  ",
        );
        assert!(lines.iter().all(|l| width(l) <= 30), "{lines:?}");
        assert!(
            lines
                .iter()
                .any(|l| l.contains("smtp.example-host.org:587")),
            "{lines:?}"
        );
        let items: Vec<String> = ["q quit", "e edit", "Tab pane", "t transcript"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            join_fitting(&items, " · ", "? help", 24),
            "q quit · e edit · ? help"
        );
        assert_eq!(join_fitting(&items, " · ", "? help", 3), "? help");
    }
}
