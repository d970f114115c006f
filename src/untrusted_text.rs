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
/// BEL, DEL, …), bidi embeddings, overrides and isolates, zero-width or invisible
/// formatting characters that can make two different names look identical, variation
/// selectors and tag characters (invisible, yet carry text), and the Unicode line and
/// paragraph separators, which some terminals and viewers break a line on.
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
                | '\u{2028}' | '\u{2029}' // line and paragraph separators: break a line
                | '\u{FE00}'..='\u{FE0E}' // variation selectors: invisible, change a glyph
                | '\u{180B}'..='\u{180D}' | '\u{180F}' // Mongolian variation selectors
                | '\u{E0100}'..='\u{E01EF}' // variation selectors supplement
                | '\u{E0000}'..='\u{E007F}' // tag characters: invisible text ("ASCII smuggling")
        )
}

/// U+FE0F (VARIATION SELECTOR-16) asks for the emoji form of the symbol before it (`⚠️`, the
/// report's own marks); it is shown as it is only right after such a symbol. Anywhere else,
/// or repeated, it is invisible text (selectors can encode bytes), and escaped.
const EMOJI_PRESENTATION: char = '\u{FE0F}';

fn takes_emoji_presentation(c: char) -> bool {
    matches!(c, '\u{2000}'..='\u{2BFF}' | '\u{1F000}'..='\u{1FAFF}')
}

/// Whether `c`, after `previous`, must be escaped.
fn must_escape(previous: Option<char>, c: char) -> bool {
    is_disguising(c) || (c == EMOJI_PRESENTATION && !previous.is_some_and(takes_emoji_presentation))
}

fn any_to_escape(text: &str) -> bool {
    let mut previous = None;
    text.chars().any(|c| {
        let escape = must_escape(previous, c);
        previous = Some(c);
        escape
    })
}

/// `text` with every disguising character written as a visible `\u{…}` escape. Tabs and
/// newlines are escaped too, so one value stays on one line. Borrowed when there is nothing to
/// escape, which is the common case.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !any_to_escape(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut previous = None;
    for c in text.chars() {
        let escape = must_escape(previous, c);
        previous = Some(c);
        if escape {
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

/// [`visible`] applied line by line: the line breaks stay, everything else that could disguise
/// text is escaped. For whole messages and documents the tool composed itself (an error
/// message, `verify`'s report) that may quote outside text.
pub fn visible_lines(text: &str) -> Cow<'_, str> {
    if !text.split('\n').any(any_to_escape) {
        return Cow::Borrowed(text);
    }
    let lines: Vec<Cow<'_, str>> = text.split('\n').map(visible).collect();
    Cow::Owned(lines.join("\n"))
}

/// The most characters of one outside value shown in a table cell or a terminal line. Longer
/// values are elided in the middle by [`elided`] (both ends of an ARN say the most).
pub const DISPLAY_LIMIT: usize = 1_000;

/// [`visible`], and at most about `limit` characters: a longer value keeps its beginning and
/// end, with the middle replaced by `…(N characters elided)…`. Linear in the input.
pub fn elided(text: &str, limit: usize) -> Cow<'_, str> {
    let shown = visible(text);
    let count = shown.chars().count();
    if count <= limit {
        return shown;
    }
    let head = limit * 2 / 3;
    let tail = limit - head;
    let start_of_tail = shown
        .char_indices()
        .nth(count - tail)
        .map_or(shown.len(), |(index, _)| index);
    let end_of_head = shown
        .char_indices()
        .nth(head)
        .map_or(shown.len(), |(index, _)| index);
    Cow::Owned(format!(
        "{}…({} characters elided)…{}",
        &shown[..end_of_head],
        count - head - tail,
        &shown[start_of_tail..]
    ))
}

/// Cuts text at `limit` bytes (on a character boundary) and says how long it was: for
/// outside text kept in a snapshot (an AWS error message), so one hostile answer cannot
/// grow every output that quotes it.
pub fn capped(text: &str, limit: usize) -> Cow<'_, str> {
    if text.len() <= limit {
        return Cow::Borrowed(text);
    }
    let mut cut = limit;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    Cow::Owned(format!("{}… ({} bytes in all)", &text[..cut], text.len()))
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
    fn tags_variation_selectors_and_unicode_line_breaks_become_visible_escapes() {
        // U+E0041 U+E0042 are TAG LATIN CAPITAL LETTER A and B: invisible text.
        assert_eq!(visible("ok\u{E0041}\u{E0042}"), "ok\\u{e0041}\\u{e0042}");
        assert_eq!(visible("\u{E0001}\u{E007F}"), "\\u{e0001}\\u{e007f}");
        assert_eq!(visible("a\u{FE0F}b\u{E0100}"), "a\\u{fe0f}b\\u{e0100}");
        assert_eq!(visible("x\u{FE00}\u{FE0E}"), "x\\u{fe00}\\u{fe0e}");
        // The emoji form of a symbol stays; a second selector, or one after a letter, is text.
        assert_eq!(visible("\u{26A0}\u{FE0F} ok"), "\u{26A0}\u{FE0F} ok");
        assert_eq!(
            visible("\u{26A0}\u{FE0F}\u{FE0F}"),
            "\u{26A0}\u{FE0F}\\u{fe0f}"
        );
        assert_eq!(
            visible("line\u{2028}next\u{2029}"),
            "line\\u{2028}next\\u{2029}"
        );
        assert_eq!(visible_lines("a\u{2028}b\nc"), "a\\u{2028}b\nc");
    }

    #[test]
    fn quoted_cuts_long_input_and_says_how_long_it_was() {
        let long = "x".repeat(5000);
        let shown = quoted(&long, 10);
        assert_eq!(shown, "xxxxxxxxxx… (5000 characters in all)");
        assert_eq!(quoted("short\u{1b}", 20), "short\\u{1b}");
    }

    #[test]
    fn visible_lines_keeps_line_breaks_only() {
        assert_eq!(visible_lines("a\nb"), "a\nb");
        assert_eq!(visible_lines("a\u{1b}[2J\nb\r"), "a\\u{1b}[2J\nb\\u{d}");
    }

    #[test]
    fn elided_keeps_both_ends_and_counts_the_middle() {
        let long = format!("arn:{}:end", "x".repeat(10_000));
        let shown = elided(&long, 30);
        assert!(shown.starts_with("arn:xxxx"), "{shown}");
        assert!(shown.ends_with("x:end"), "{shown}");
        assert!(shown.contains("…(9978 characters elided)…"), "{shown}");
        assert_eq!(elided("short", 30), "short");
        // Escapes count towards the limit, so a value of newlines cannot grow past it.
        let newlines = "\n".repeat(100_000);
        assert!(elided(&newlines, 1000).chars().count() < 1100);
    }

    #[test]
    fn capped_cuts_on_a_character_boundary_and_records_the_length() {
        assert_eq!(capped("short", 10), "short");
        assert_eq!(capped("ééééé", 3), "é… (10 bytes in all)");
        assert_eq!(capped(&"m".repeat(5000), 4), "mmmm… (5000 bytes in all)");
    }
}
