//! Cutting text to a size for prompts without splitting a UTF-8 character.

/// At most the first `max_chars` bytes of `text`, cut at a character boundary.
pub fn head(text: &str, max_chars: usize) -> &str {
    if text.len() <= max_chars {
        return text;
    }
    let mut end = max_chars;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// At most the last `max_chars` bytes of `text`, cut at a character boundary.
pub fn tail(text: &str, max_chars: usize) -> &str {
    if text.len() <= max_chars {
        return text;
    }
    let mut start = text.len() - max_chars;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_at_character_boundaries() {
        assert_eq!(head("héllo", 2), "h");
        assert_eq!(tail("héllo", 4), "llo");
        assert_eq!(head("abc", 10), "abc");
        assert_eq!(tail("abc", 2), "bc");
    }
}
