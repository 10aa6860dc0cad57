//! Text from the server on a terminal.
//!
//! Names, links, descriptions and error messages come from the server and are untrusted: a
//! control character or escape sequence in them would be executed by the terminal (retitle the
//! window, clear the screen, move the cursor and print a fake "All good"). Everything `sdesk`
//! prints that could contain server text goes through [`line()`] (or [`json`] for JSON output,
//! or [`TerminalWriter`] for CSV shown on a terminal and for log lines).
//!
//! Neutralised: C0 controls (including ESC, BEL, backspace and carriage return), DEL, C1
//! controls (which some terminals treat like ESC sequences), the bidirectional-text controls
//! (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C: they can make text read differently
//! from what it is) and the Unicode line and paragraph separators. Without its ESC, an escape
//! sequence is inert text, so nothing else needs removing.

use std::borrow::Cow;
use std::io::{self, Write};

/// What takes the place of a neutralised character that is not whitespace.
pub const REPLACEMENT: char = '\u{FFFD}';

/// Whether `c` must not reach a terminal as it is (tab and line feed are handled by the
/// callers).
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// Server text for one line of output: tabs and line breaks become spaces (a value must not
/// start a line of its own, or break a tab-separated table), every other unsafe character
/// becomes U+FFFD, so that something visibly was there.
pub fn line(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match c {
                '\t' | '\n' | '\r' | '\u{2028}' | '\u{2029}' => ' ',
                c if is_unsafe(c) => REPLACEMENT,
                c => c,
            })
            .collect(),
    )
}

/// JSON text for a terminal: the same JSON value, with DEL, C1 controls and the characters of
/// [`is_unsafe`] written as `\uXXXX` escapes (serde_json escapes only the C0 controls). Such
/// characters can only occur inside JSON strings, where the escape means the same character,
/// so a program reading the output gets exactly the server's value.
pub fn json(text: &str) -> Cow<'_, str> {
    // Outside strings JSON has only ASCII whitespace; inside, C0 is already escaped.
    let needs = |c: char| is_unsafe(c) && !matches!(c, '\n' | '\t' | '\r' | ' ');
    if !text.chars().any(needs) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if needs(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Neutralises a multi-line text (CSV rows, log lines): keeps tab and line feed, and a carriage
/// return only right before a line feed (alone it would move the cursor back over the line);
/// replaces every other unsafe character.
fn multiline(text: &str, out: &mut String) {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\t' | '\n' => out.push(c),
            '\r' if chars.peek() == Some(&'\n') => out.push(c),
            c if is_unsafe(c) => out.push(REPLACEMENT),
            c => out.push(c),
        }
    }
}

/// A writer for a terminal: UTF-8 text is passed through [`multiline`] neutralisation, bytes
/// that are not UTF-8 become U+FFFD. Input may be split anywhere (inside a character, between
/// `\r` and `\n`): the undecided end is held back until the next write or [`Self::finish`].
#[derive(Debug)]
pub struct TerminalWriter<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> TerminalWriter<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            pending: Vec::new(),
        }
    }

    /// Writes what is held back (an incomplete character becomes U+FFFD, a final `\r` is
    /// dropped) and flushes; returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        let rest = std::mem::take(&mut self.pending);
        let text = String::from_utf8_lossy(&rest);
        let mut out = String::with_capacity(text.len());
        multiline(text.trim_end_matches('\r'), &mut out);
        self.inner.write_all(out.as_bytes())?;
        self.inner.flush()?;
        Ok(self.inner)
    }

    /// Writes the decidable part of `pending`.
    fn drain(&mut self) -> io::Result<()> {
        let mut out = String::with_capacity(self.pending.len());
        let mut start = 0;
        let keep_from = loop {
            match std::str::from_utf8(&self.pending[start..]) {
                Ok(text) => {
                    // A final `\r` may be the first half of `\r\n`.
                    let held = usize::from(text.ends_with('\r'));
                    multiline(&text[..text.len() - held], &mut out);
                    break self.pending.len() - held;
                }
                Err(e) => {
                    let valid = start + e.valid_up_to();
                    // The prefix was just checked; from_utf8 cannot fail on it.
                    let text = std::str::from_utf8(&self.pending[start..valid]).unwrap_or("");
                    match e.error_len() {
                        Some(bad) => {
                            // A `\r` before the bad bytes is not followed by `\n`.
                            multiline(text, &mut out);
                            out.push(REPLACEMENT);
                            start = valid + bad;
                        }
                        None => {
                            // An incomplete character at the end: wait for the rest.
                            let held = usize::from(text.ends_with('\r'));
                            multiline(&text[..text.len() - held], &mut out);
                            break valid - held;
                        }
                    }
                }
            }
        };
        self.pending.drain(..keep_from);
        self.inner.write_all(out.as_bytes())
    }
}

impl<W: Write> Write for TerminalWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        self.drain()?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Log lines on standard error, neutralised like CSV on a terminal (the `tracing` formatter
/// escapes ESC and C1 itself, but not carriage returns or bidi controls). One writer per event;
/// an event is one line ending in `\n`, so nothing is held back when it is dropped.
#[derive(Debug, Clone, Copy, Default)]
pub struct SafeStderr;

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for SafeStderr {
    type Writer = TerminalWriter<io::Stderr>;

    fn make_writer(&'a self) -> Self::Writer {
        TerminalWriter::new(io::stderr())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const HOSTILE: &str =
        "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}[HAll good\r\n\u{9b}31m\u{7f}\u{8}x\u{202e}gnp.exe";

    fn assert_inert(shown: &str) {
        for c in shown.chars() {
            assert!(
                !is_unsafe(c) || c == '\n' || c == '\t',
                "{:?} (U+{:04X}) must not reach the terminal: {shown:?}",
                c,
                u32::from(c)
            );
        }
    }

    #[test]
    fn line_neutralises_escape_sequences_and_controls() {
        let shown = line(HOSTILE);
        assert_inert(&shown);
        assert!(
            !shown.contains('\n') && !shown.contains('\t'),
            "a value must stay on its line: {shown:?}"
        );
        assert!(
            shown.contains("All good") && shown.contains("[2J"),
            "the rest stays visible, so the attempt is seen: {shown:?}"
        );
        assert!(
            shown.contains(REPLACEMENT),
            "a replacement marks what was removed"
        );
    }

    #[test]
    fn line_keeps_ordinary_text_untouched() {
        for text in [
            "Jörg Müller",
            "Support, 2nd level",
            "日本語",
            "https://x/y?a=1&b=2",
        ] {
            assert!(
                matches!(line(text), Cow::Borrowed(t) if t == text),
                "ordinary text is passed through without copying: {text}"
            );
        }
        assert_eq!(
            line("a\tb\nc"),
            "a b c",
            "tabs and line breaks become spaces"
        );
    }

    #[test]
    fn bidi_controls_and_separators_are_neutralised() {
        for c in [
            '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{200e}', '\u{200f}', '\u{61c}', '\u{2028}', '\u{2029}',
        ] {
            let text = format!("a{c}b");
            assert_inert(&line(&text));
        }
    }

    #[test]
    fn json_escapes_what_serde_json_leaves_raw_and_keeps_the_value() {
        let value = serde_json::json!({ "name": HOSTILE });
        let text = serde_json::to_string_pretty(&value).unwrap();
        let shown = json(&text);
        assert_inert(&shown);
        let back: serde_json::Value = serde_json::from_str(&shown).unwrap();
        assert_eq!(
            back, value,
            "a program reading the output gets exactly the server's value"
        );
        assert!(
            matches!(json("{\n  \"a\": \"b\"\n}"), Cow::Borrowed(_)),
            "pretty JSON's own line breaks are left alone"
        );
    }

    fn through_writer(chunks: &[&[u8]]) -> String {
        let mut w = TerminalWriter::new(Vec::new());
        for chunk in chunks {
            w.write_all(chunk).unwrap();
        }
        String::from_utf8(w.finish().unwrap()).unwrap()
    }

    #[test]
    fn writer_keeps_lines_and_neutralises_the_rest() {
        let text = format!("id,name\r\n1,\"{HOSTILE}\"\r\n");
        let shown = through_writer(&[text.as_bytes()]);
        assert_inert(&shown.replace("\r\n", "\n"));
        assert!(
            shown.starts_with("id,name\r\n1,"),
            "CRLF line ends stay: {shown:?}"
        );
        assert!(
            shown.contains("All good\r\n"),
            "a CR before LF is kept: {shown:?}"
        );
        assert!(
            !shown.replace("\r\n", "").contains('\r'),
            "a lone CR is replaced: {shown:?}"
        );
    }

    #[test]
    fn writer_handles_any_split_of_the_input() {
        let text = format!("ä{HOSTILE}€\r\nend\r");
        let bytes = text.as_bytes();
        let whole = through_writer(&[bytes]);
        for cut in 0..bytes.len() {
            let (a, b) = bytes.split_at(cut);
            assert_eq!(
                through_writer(&[a, b]),
                whole,
                "splitting at byte {cut} (inside a character or a CRLF) changes nothing"
            );
        }
        assert!(
            whole.ends_with("end"),
            "a final lone CR is dropped: {whole:?}"
        );
        assert_eq!(
            through_writer(&[b"a\xffb"]),
            "a\u{fffd}b",
            "bytes that are not UTF-8 become U+FFFD"
        );
    }
}
