//! Text out of the files a corpus may hold: plain text and code as they are, PDF through
//! `pdf-extract`, DOCX by reading the paragraphs of `word/document.xml`.

use std::io::Read;
use std::path::Path;

const TEXT_EXTENSIONS: &[&str] = &[
    "txt", "md", "rst", "py", "c", "h", "cpp", "hpp", "cc", "rs", "js", "ts", "java", "go", "json",
    "toml", "yaml", "yml",
];

/// Whether the file's extension is one the corpus reads.
pub fn is_supported(path: &Path) -> bool {
    let Some(extension) = path.extension().and_then(|e| e.to_str()) else {
        return false;
    };
    let extension = extension.to_ascii_lowercase();
    TEXT_EXTENSIONS.contains(&extension.as_str()) || extension == "pdf" || extension == "docx"
}

/// The text of a file's bytes, by its extension. Unreadable documents give an error message
/// (the file is then skipped with a warning, not the whole corpus).
pub fn extract_text(path: &Path, bytes: &[u8]) -> Result<String, String> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    match extension.as_str() {
        "pdf" => {
            // The PDF parser may panic on malformed input; one bad file must not stop indexing.
            let owned = bytes.to_vec();
            std::panic::catch_unwind(move || pdf_extract::extract_text_from_mem(&owned))
                .map_err(|_| "the PDF parser failed on this file".to_owned())?
                .map_err(|error| format!("not a readable PDF: {error}"))
        }
        "docx" => docx_text(bytes),
        _ => Ok(String::from_utf8_lossy(bytes).into_owned()),
    }
}

/// Paragraph text of a DOCX: `<w:t>` runs joined, `</w:p>` as a blank line.
fn docx_text(bytes: &[u8]) -> Result<String, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|error| format!("not a DOCX (zip) file: {error}"))?;
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .map_err(|error| format!("no word/document.xml: {error}"))?
        .read_to_string(&mut xml)
        .map_err(|error| format!("reading word/document.xml: {error}"))?;
    let mut text = String::new();
    let mut rest = xml.as_str();
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let tag = &rest[open + 1..open + close];
        let after = &rest[open + close + 1..];
        if tag == "/w:p" {
            text.push_str("\n\n");
        } else if tag == "w:tab/" {
            text.push('\t');
        } else if tag == "w:br/" {
            text.push('\n');
        } else if (tag == "w:t" || tag.starts_with("w:t ")) && !tag.ends_with('/') {
            if let Some(end) = after.find("</w:t>") {
                text.push_str(&unescape(&after[..end]));
                rest = &after[end + "</w:t>".len()..];
                continue;
            }
        }
        rest = after;
    }
    Ok(text)
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn docx_paragraphs_come_out_as_blank_line_separated_text() {
        let mut buffer = std::io::Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut buffer);
            zip.start_file(
                "word/document.xml",
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
            zip.write_all(br#"<w:document><w:body><w:p><w:r><w:t>Hello &amp; welcome</w:t></w:r></w:p><w:p><w:r><w:t xml:space="preserve">Second </w:t><w:t>para</w:t></w:r></w:p></w:body></w:document>"#).unwrap();
            zip.finish().unwrap();
        }
        let text = extract_text(Path::new("a.docx"), buffer.get_ref()).unwrap();
        assert_eq!(text, "Hello & welcome\n\nSecond para\n\n");
    }

    /// A one-page PDF with "Hello PDF world" in Helvetica, xref offsets computed.
    fn tiny_pdf() -> Vec<u8> {
        let content = "BT /F1 24 Tf 72 700 Td (Hello PDF world) Tj ET";
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
            format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
        ];
        let mut pdf = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (index, object) in objects.iter().enumerate() {
            offsets.push(pdf.len());
            pdf.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", index + 1).as_bytes());
        }
        let xref = pdf.len();
        pdf.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
        );
        for offset in offsets {
            pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
        }
        pdf.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .as_bytes(),
        );
        pdf
    }

    #[test]
    fn pdf_text_is_extracted() {
        let text = extract_text(Path::new("doc.pdf"), &tiny_pdf()).unwrap();
        assert!(text.contains("Hello PDF world"), "{text:?}");
    }

    #[test]
    fn broken_documents_are_errors_not_panics() {
        assert!(extract_text(Path::new("x.pdf"), b"%PDF-1.4 garbage").is_err());
        assert!(extract_text(Path::new("x.docx"), b"not a zip").is_err());
        assert!(is_supported(Path::new("a/B.MD")) && !is_supported(Path::new("a.exe")));
    }
}
