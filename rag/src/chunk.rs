//! Chunking like the original: split on blank lines, gather paragraphs until about
//! [`CHUNK_CHARS`] characters, prefix every chunk with `[file name] `.

/// Target chunk length in characters.
pub const CHUNK_CHARS: usize = 400;

/// Splits `text` into chunks prefixed with `[file_name] `. Empty chunks are dropped.
pub fn chunk_text(file_name: &str, text: &str) -> Vec<String> {
    let normalised = text.replace("\r\n", "\n");
    let mut chunks = Vec::new();
    let mut current = String::new();
    for paragraph in normalised.split("\n\n") {
        let paragraph = paragraph.trim();
        if paragraph.is_empty() {
            continue;
        }
        if !current.is_empty() && current.len() + paragraph.len() + 2 > CHUNK_CHARS {
            chunks.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push_str("\n\n");
        }
        current.push_str(paragraph);
        // A single huge paragraph is cut at character boundaries near the target size.
        while current.chars().count() > CHUNK_CHARS * 2 {
            let cut = current
                .char_indices()
                .nth(CHUNK_CHARS)
                .map(|(index, _)| index)
                .unwrap_or(current.len());
            let cut = current[..cut]
                .rfind(char::is_whitespace)
                .filter(|&i| i > 0)
                .unwrap_or(cut);
            let rest = current.split_off(cut);
            chunks.push(std::mem::take(&mut current));
            current = rest.trim_start().to_owned();
        }
    }
    if !current.trim().is_empty() {
        chunks.push(current);
    }
    chunks
        .into_iter()
        .filter(|chunk| !chunk.trim().is_empty())
        .map(|chunk| format!("[{file_name}] {chunk}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_are_gathered_up_to_the_target_and_prefixed() {
        let paragraph = "word ".repeat(30); // 150 characters
        let text = [paragraph.as_str(); 5].join("\n\n");
        let chunks = chunk_text("notes.md", &text);
        assert_eq!(chunks.len(), 3, "{chunks:#?}");
        assert!(chunks.iter().all(|c| c.starts_with("[notes.md] ")));
        assert!(chunks.iter().all(|c| c.len() <= CHUNK_CHARS + 20));
    }

    #[test]
    fn one_long_paragraph_is_split_and_blank_text_gives_nothing() {
        let chunks = chunk_text("a.txt", &"x ".repeat(2000));
        assert!(chunks.len() >= 4);
        assert!(chunk_text("a.txt", "\n\n  \n\n").is_empty());
    }
}
