//! The dashboard's output in 16-colour codes only. crossterm writes even the 16 basic colours
//! as 256-colour sequences (`ESC[38;5;1m`), which the Linux console, many serial and old SSH
//! terminals and `TERM=linux` cannot show; the dashboard only uses the 16, so each such
//! sequence is rewritten to its classic form (`ESC[31m`) on the way out.

use std::io::{self, Write};

/// A writer that holds a frame's bytes and rewrites its colour codes when flushed (crossterm
/// flushes after each whole frame or command, so no sequence is ever split).
pub struct SixteenColours<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> SixteenColours<W> {
    pub fn new(inner: W) -> SixteenColours<W> {
        SixteenColours {
            inner,
            pending: Vec::with_capacity(16 * 1024),
        }
    }
}

impl<W: Write> Write for SixteenColours<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let out = rewrite(&self.pending);
        self.pending.clear();
        self.inner.write_all(&out)?;
        self.inner.flush()
    }
}

/// `bytes` with every SGR sequence's 256-colour items (`38;5;N`, `48;5;N`, `58;5;N`) in
/// 16-colour form: `30+N`/`90+N-8` for the foreground, `40+N`/`100+N-8` for the background;
/// a colour past the 16 (never drawn here) becomes the default, an underline colour is
/// dropped. Everything else passes unchanged.
pub fn rewrite(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == 0x1b && bytes.get(i + 1) == Some(&b'[') {
            let start = i + 2;
            let end = bytes[start..]
                .iter()
                .position(|b| !(b.is_ascii_digit() || *b == b';'))
                .map(|n| start + n);
            if let Some(end) = end
                && bytes[end] == b'm'
            {
                out.extend_from_slice(b"\x1b[");
                out.extend_from_slice(sgr(&bytes[start..end]).as_bytes());
                out.push(b'm');
                i = end + 1;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

fn sgr(params: &[u8]) -> String {
    let text = String::from_utf8_lossy(params);
    let items: Vec<&str> = text.split(';').collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < items.len() {
        let item = items[i];
        if matches!(item, "38" | "48" | "58") && items.get(i + 1) == Some(&"5") {
            let n: Option<u8> = items.get(i + 2).and_then(|n| n.parse().ok());
            i += 3;
            match (item, n) {
                ("58", _) => {}
                ("38", Some(n @ 0..=7)) => out.push((30 + n).to_string()),
                ("38", Some(n @ 8..=15)) => out.push((90 + n - 8).to_string()),
                ("48", Some(n @ 0..=7)) => out.push((40 + n).to_string()),
                ("48", Some(n @ 8..=15)) => out.push((100 + n - 8).to_string()),
                ("38", _) => out.push("39".into()),
                _ => out.push("49".into()),
            }
            continue;
        }
        out.push(item.to_owned());
        i += 1;
    }
    if out.is_empty() {
        // Only an underline colour: a no-op reset of nothing would be wrong, so keep a
        // harmless "default underline colour".
        return "59".to_owned();
    }
    out.join(";")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_codes_become_the_sixteen() {
        let cases: [(&[u8], &[u8]); 7] = [
            (b"\x1b[38;5;1mred", b"\x1b[31mred"),
            (b"\x1b[38;5;9m", b"\x1b[91m"),
            (b"\x1b[48;5;4m", b"\x1b[44m"),
            (b"\x1b[48;5;12m", b"\x1b[104m"),
            (b"\x1b[1;38;5;2;48;5;0m", b"\x1b[1;32;40m"),
            (b"\x1b[38;5;200m", b"\x1b[39m"),
            (b"\x1b[2J\x1b[1;1H\x1b[0m", b"\x1b[2J\x1b[1;1H\x1b[0m"),
        ];
        for (given, wanted) in cases {
            assert_eq!(
                String::from_utf8_lossy(&rewrite(given)),
                String::from_utf8_lossy(wanted)
            );
        }
    }

    #[test]
    fn the_writer_rewrites_what_crossterm_writes_in_pieces() {
        let mut w = SixteenColours::new(Vec::new());
        for piece in ["\x1b[", "38;", "5;", "3", "m", "✓ ok"] {
            w.write_all(piece.as_bytes()).unwrap();
        }
        w.flush().unwrap();
        assert_eq!(String::from_utf8(w.inner).unwrap(), "\x1b[33m✓ ok");
    }
}
