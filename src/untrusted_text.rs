//! Text that other people control (resource names, tags, AWS error messages, files from an
//! evidence bundle) on its way to a terminal or into a message.
//!
//! Every string from outside that reaches a terminal goes through [`visible`], so account data
//! can never move the cursor, retitle the window, hide itself behind a bidi override or a
//! zero-width character, or break a line the tool did not mean to break.

use std::borrow::Cow;

/// The longest piece of outside text quoted in a one-line message.
pub const MESSAGE_QUOTE_LIMIT: usize = 200;

/// Whether a character must not reach a terminal as it is: C0/C1 controls (ESC, NUL, CR, LF,
/// BEL, DEL, …), bidi embeddings, overrides and isolates, and zero-width or invisible
/// formatting characters that can make two different names look identical.
pub fn is_disguising(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}' // zero-width space/joiners, LRM, RLM
                | '\u{202A}'..='\u{202E}' // bidi embeddings and overrides
                | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
                | '\u{2066}'..='\u{2069}' // bidi isolates
                | '\u{00AD}' // soft hyphen
                | '\u{034F}' // combining grapheme joiner
                | '\u{061C}' // Arabic letter mark
                | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' // Hangul fillers
                | '\u{180E}' // Mongolian vowel separator
                | '\u{FEFF}' // zero-width no-break space (BOM)
                | '\u{FFF9}'..='\u{FFFB}' // interlinear annotations
        )
}

/// `text` with every disguising character written as a visible `\u{…}` escape. Tabs and
/// newlines are escaped too, so one value stays on one line. Borrowed when there is nothing to
/// escape, which is the common case.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_disguising) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_disguising(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`visible`], cut to at most `limit` characters with the original length said, for quoting
/// outside input (a TOML line, a flag value) in an error message.
pub fn quoted(text: &str, limit: usize) -> String {
    let shown = visible(text);
    let count = shown.chars().count();
    if count <= limit {
        return shown.into_owned();
    }
    let cut: String = shown.chars().take(limit).collect();
    format!("{cut}… ({} characters in all)", text.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        assert!(matches!(
            visible("log-group/ok_1"),
            Cow::Borrowed("log-group/ok_1")
        ));
        assert_eq!(visible("ünïcödé 日本"), "ünïcödé 日本");
    }

    #[test]
    fn controls_become_visible_escapes() {
        assert_eq!(
            visible("a\u{1b}]0;pwned\u{7}b\r\n\0"),
            "a\\u{1b}]0;pwned\\u{7}b\\u{d}\\u{a}\\u{0}"
        );
        assert_eq!(visible("\u{9b}2J"), "\\u{9b}2J");
    }

    #[test]
    fn bidi_and_zero_width_become_visible_escapes() {
        assert_eq!(visible("abc\u{202E}fdp.exe"), "abc\\u{202e}fdp.exe");
        assert_eq!(visible("tr\u{200B}ail"), "tr\\u{200b}ail");
        assert_eq!(visible("\u{2067}x\u{2069}"), "\\u{2067}x\\u{2069}");
        assert_eq!(visible("\u{FEFF}bom"), "\\u{feff}bom");
    }

    #[test]
    fn quoted_cuts_long_input_and_says_how_long_it_was() {
        let long = "x".repeat(5000);
        let shown = quoted(&long, 10);
        assert_eq!(shown, "xxxxxxxxxx… (5000 characters in all)");
        assert_eq!(quoted("short\u{1b}", 20), "short\\u{1b}");
    }
}
