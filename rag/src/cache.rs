//! The on-disk cache of chunks and vectors, one file per (file name, content) pair, so an
//! unchanged file is never re-embedded and a changed one only re-embeds itself.
//!
//! Format (little-endian): `AURAG001`, u32 dimensions, u32 chunk count, then per chunk a u32
//! byte length and the UTF-8 text, then all vectors as f32.

use crate::embed::DIMENSIONS;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"AURAG001";

/// Chunks of one file with their vectors.
pub(crate) struct CachedFile {
    pub chunks: Vec<String>,
    pub vectors: Vec<f32>,
}

/// The cache key: the file name is part of every chunk's text, so it is part of the key.
pub(crate) fn key(file_name: &str, content: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(file_name.as_bytes());
    hasher.update([0]);
    hasher.update(content);
    hex::encode(hasher.finalize())
}

pub(crate) fn path(cache_dir: &Path, key: &str) -> PathBuf {
    cache_dir.join(format!("{key}.bin"))
}

pub(crate) fn load(path: &Path) -> Option<CachedFile> {
    let bytes = std::fs::read(path).ok()?;
    let mut reader = Reader {
        bytes: &bytes,
        at: 0,
    };
    if reader.take(8)? != MAGIC || reader.u32()? as usize != DIMENSIONS {
        return None;
    }
    let count = reader.u32()? as usize;
    let mut chunks = Vec::with_capacity(count);
    for _ in 0..count {
        let length = reader.u32()? as usize;
        chunks.push(String::from_utf8(reader.take(length)?.to_vec()).ok()?);
    }
    let raw = reader.take(count * DIMENSIONS * 4)?;
    let vectors = raw
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    (reader.at == bytes.len()).then_some(CachedFile { chunks, vectors })
}

pub(crate) fn store(path: &Path, file: &CachedFile) -> std::io::Result<()> {
    let mut bytes = Vec::with_capacity(16 + file.vectors.len() * 4);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&(DIMENSIONS as u32).to_le_bytes());
    bytes.extend_from_slice(&(file.chunks.len() as u32).to_le_bytes());
    for chunk in &file.chunks {
        bytes.extend_from_slice(&(chunk.len() as u32).to_le_bytes());
        bytes.extend_from_slice(chunk.as_bytes());
    }
    for value in &file.vectors {
        bytes.extend_from_slice(&value.to_le_bytes());
    }
    aucoder_paths::write_atomically(path, &bytes)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, length: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(length)?;
        let slice = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(slice)
    }

    fn u32(&mut self) -> Option<u32> {
        let b = self.take(4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_damage() {
        let dir = tempfile::tempdir().unwrap();
        let file = CachedFile {
            chunks: vec!["[a.md] one".into(), "[a.md] two".into()],
            vectors: (0..2 * DIMENSIONS).map(|i| i as f32).collect(),
        };
        let path = path(dir.path(), &key("a.md", b"content"));
        store(&path, &file).unwrap();
        let loaded = load(&path).unwrap();
        assert_eq!(loaded.chunks, file.chunks);
        assert_eq!(loaded.vectors, file.vectors);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 3]).unwrap();
        assert!(load(&path).is_none());
        assert_ne!(key("a.md", b"x"), key("b.md", b"x"));
    }
}
