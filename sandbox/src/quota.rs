//! What a workspace really holds, and the budget a program's writes are charged against.
//!
//! A byte count of regular files is easy to cheat: folders and empty files cost nothing,
//! a sparse file costs only the bytes written, a file deleted while still open vanishes from
//! the count, and a folder nested past `PATH_MAX` cannot be reached by path at all. So every
//! entry costs at least one block, a file costs the larger of its length and its allocated
//! blocks, files the process still holds open after they were deleted are counted, and the
//! walk goes folder by folder through descriptors (`openat`), never by full path.

use std::ffi::{CStr, CString, OsStr};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// What one entry (file, folder, link) costs at least: a block and its inode.
pub const ENTRY_BYTES: u64 = 4096;
/// Entries a workspace may hold whatever its byte quota: a flood of names costs the host's
/// filesystem more than their blocks say.
pub const MAX_ENTRIES: u64 = 65_536;

/// A measurement of a workspace.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Charged bytes: per entry the larger of its length, its allocated blocks and
    /// [`ENTRY_BYTES`].
    pub bytes: u64,
    /// Files, folders and links, at every depth.
    pub entries: u64,
}

impl Usage {
    fn add_entry(&mut self, length: u64, blocks: u64) {
        self.entries += 1;
        self.bytes = self
            .bytes
            .saturating_add(length.max(blocks.saturating_mul(512)).max(ENTRY_BYTES));
    }
}

/// Measures everything under `root` (not following links), plus files under it that this
/// process still holds open after they were deleted. Stops counting once `stop_after`
/// entries were seen: past any cap, the exact figure does not matter.
pub fn measure(root: &Path, stop_after: u64) -> Usage {
    let mut usage = Usage::default();
    walk(root, stop_after, &mut usage);
    add_deleted_open_files(root, &mut usage);
    usage
}

/// Depth-first through directory descriptors: only the current folder is open, and the walk
/// climbs back with `..` (the guest is paused while the host measures, so nothing moves).
fn walk(root: &Path, stop_after: u64, usage: &mut Usage) {
    let Ok(root) = CString::new(root.as_os_str().as_bytes()) else {
        return;
    };
    // SAFETY: a valid C string; the descriptor is closed below.
    let mut current = unsafe {
        libc::open(
            root.as_ptr(),
            libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC,
        )
    };
    if current < 0 {
        return;
    }
    // The subfolders still to visit at each depth.
    let mut pending: Vec<Vec<CString>> = vec![list(current, usage)];
    while let Some(level) = pending.last_mut() {
        if usage.entries >= stop_after {
            break;
        }
        match level.pop() {
            Some(name) => {
                // SAFETY: `current` is an open directory and `name` a C string.
                let child = unsafe {
                    libc::openat(
                        current,
                        name.as_ptr(),
                        libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC,
                    )
                };
                if child < 0 {
                    continue;
                }
                // SAFETY: `current` is ours to close; `child` replaces it.
                unsafe { libc::close(current) };
                current = child;
                let below = list(current, usage);
                pending.push(below);
            }
            None => {
                pending.pop();
                if pending.is_empty() {
                    break;
                }
                // SAFETY: as above; `..` of a folder we entered from its parent.
                let parent = unsafe {
                    libc::openat(
                        current,
                        c"..".as_ptr(),
                        libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC,
                    )
                };
                // SAFETY: ours to close.
                unsafe { libc::close(current) };
                if parent < 0 {
                    return;
                }
                current = parent;
            }
        }
    }
    // SAFETY: ours to close.
    unsafe { libc::close(current) };
}

/// Charges every entry of the open folder `dir` and returns the names of its subfolders.
fn list(dir: libc::c_int, usage: &mut Usage) -> Vec<CString> {
    let mut folders = Vec::new();
    // fdopendir takes ownership of its descriptor: give it a copy.
    // SAFETY: `dir` is an open descriptor.
    let copy = unsafe { libc::dup(dir) };
    if copy < 0 {
        return folders;
    }
    // SAFETY: `copy` is an open directory descriptor, owned by the stream from here on.
    let stream = unsafe { libc::fdopendir(copy) };
    if stream.is_null() {
        // SAFETY: not taken by fdopendir on failure.
        unsafe { libc::close(copy) };
        return folders;
    }
    loop {
        // SAFETY: `stream` is a valid directory stream until closedir below.
        let entry = unsafe { libc::readdir(stream) };
        if entry.is_null() {
            break;
        }
        // SAFETY: readdir returns a valid entry whose name is NUL-terminated.
        let name = unsafe { CStr::from_ptr((*entry).d_name.as_ptr()) };
        if name == c"." || name == c".." {
            continue;
        }
        // SAFETY: a zeroed stat is a valid out-parameter.
        let mut stat: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: `dir` is open, `name` NUL-terminated, `stat` writable.
        let found =
            unsafe { libc::fstatat(dir, name.as_ptr(), &mut stat, libc::AT_SYMLINK_NOFOLLOW) };
        if found != 0 {
            continue;
        }
        usage.add_entry(
            u64::try_from(stat.st_size).unwrap_or(0),
            u64::try_from(stat.st_blocks).unwrap_or(0),
        );
        if stat.st_mode & libc::S_IFMT == libc::S_IFDIR {
            folders.push(name.to_owned());
        }
    }
    // SAFETY: closes the stream and its descriptor.
    unsafe { libc::closedir(stream) };
    folders
}

/// Files under `root` that were deleted while this process (the guest, through WASI) keeps
/// them open still take disk space.
#[cfg(target_os = "linux")]
fn add_deleted_open_files(root: &Path, usage: &mut Usage) {
    let Ok(descriptors) = std::fs::read_dir("/proc/self/fd") else {
        return;
    };
    for descriptor in descriptors.flatten() {
        let Ok(target) = std::fs::read_link(descriptor.path()) else {
            continue;
        };
        let text = target.as_os_str().as_bytes();
        let Some(original) = text.strip_suffix(b" (deleted)") else {
            continue;
        };
        if !Path::new(OsStr::from_bytes(original)).starts_with(root) {
            continue;
        }
        if let Ok(meta) = std::fs::metadata(descriptor.path()) {
            use std::os::unix::fs::MetadataExt;
            if meta.is_file() {
                usage.add_entry(meta.len(), meta.blocks());
            }
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn add_deleted_open_files(_root: &Path, _usage: &mut Usage) {}

/// Charges a program's growth of its workspace against a byte budget and an entry cap.
/// Growth is counted as it happens; when a charge would pass a limit the folder is measured
/// again, so deleted files give their room back and the limit is exact where it matters.
pub struct DiskQuota {
    root: PathBuf,
    limit: u64,
    max_entries: u64,
    estimate: Usage,
    /// A write or a new entry was refused.
    pub hit: bool,
}

impl DiskQuota {
    pub fn new(root: &Path, limit: u64) -> Self {
        let max_entries = MAX_ENTRIES.min(limit / ENTRY_BYTES).max(16);
        Self {
            root: root.to_path_buf(),
            limit,
            max_entries,
            estimate: measure(root, max_entries + 1),
            hit: false,
        }
    }

    fn over(&self, usage: Usage, bytes: u64, entries: u64) -> bool {
        usage.bytes.saturating_add(bytes) > self.limit
            || usage.entries.saturating_add(entries) > self.max_entries
    }

    /// Admits `bytes` more data and `entries` more names, or refuses (and remembers it).
    pub fn admit(&mut self, bytes: u64, entries: u64) -> bool {
        if self.over(self.estimate, bytes, entries) {
            self.estimate = measure(&self.root, self.max_entries + 1);
        }
        if self.over(self.estimate, bytes, entries) {
            self.hit = true;
            return false;
        }
        self.estimate.bytes += bytes;
        self.estimate.entries += entries;
        true
    }

    /// The most bytes a single file may reach: a write past it is refused outright, so no
    /// sparse file larger than the whole quota can appear.
    pub fn limit(&self) -> u64 {
        self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_costs_a_block_and_sparse_files_their_length() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("d")).unwrap();
        std::fs::write(dir.path().join("d/empty"), b"").unwrap();
        let sparse = std::fs::File::create(dir.path().join("sparse")).unwrap();
        sparse.set_len(10 << 20).unwrap();
        let usage = measure(dir.path(), u64::MAX);
        assert_eq!(usage.entries, 3);
        assert_eq!(usage.bytes, 2 * ENTRY_BYTES + (10 << 20));
    }

    #[test]
    fn folders_deeper_than_path_max_are_measured() {
        let dir = tempfile::tempdir().unwrap();
        let name = "x".repeat(200);
        // Built with relative steps: the full path is over 4,096 bytes.
        let mut current = std::fs::File::open(dir.path()).unwrap();
        for _ in 0..30 {
            use std::os::fd::AsRawFd;
            let c_name = CString::new(name.as_str()).unwrap();
            // SAFETY: test code with valid arguments.
            unsafe {
                assert_eq!(
                    libc::mkdirat(current.as_raw_fd(), c_name.as_ptr(), 0o755),
                    0
                );
                let next = libc::openat(current.as_raw_fd(), c_name.as_ptr(), libc::O_RDONLY);
                assert!(next >= 0);
                use std::os::fd::FromRawFd;
                current = std::fs::File::from_raw_fd(next);
            }
        }
        let usage = measure(dir.path(), u64::MAX);
        assert_eq!(usage.entries, 30);
    }

    #[test]
    fn the_entry_cap_follows_the_quota() {
        let dir = tempfile::tempdir().unwrap();
        let mut quota = DiskQuota::new(dir.path(), 1 << 20);
        // Admissions are estimates checked against the folder itself: make the files.
        let admitted = (0..1000)
            .take_while(|index| {
                let admit = quota.admit(0, 1);
                if admit {
                    std::fs::write(dir.path().join(index.to_string()), b"").unwrap();
                }
                admit
            })
            .count();
        assert_eq!(admitted as u64, (1 << 20) / ENTRY_BYTES);
        assert!(quota.hit);
    }
}
