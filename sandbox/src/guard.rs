//! The WASI filesystem calls the host checks before wasmtime-wasi carries them out.
//!
//! wasmtime-wasi keeps the guest inside its preopened folder; what it does not know is
//! aucoder's policy for that folder. Here: every byte and every new name is charged to the
//! disk quota (by the growth a write really causes, so seeking far ahead and writing one byte
//! costs the hole too); stdio is exempt only while fds 0–2 still are the streams the host
//! gave (closing one and opening a file in its place does not make the file free); no
//! symbolic or hard links (host code reading the workspace must never be led elsewhere);
//! and no file aucoder takes configuration or plugins from may be created, renamed into
//! place or opened for writing ([`crate::is_control_name`]).

use crate::quota::{DiskQuota, ENTRY_BYTES};
use crate::wasm::RunState;
use wasmtime::{Caller, Linker};
use wasmtime_wasi::p1;

/// WASI errno values the guard answers with.
const ERRNO_NOSPC: i32 = 51;
const ERRNO_PERM: i32 = 63;

/// p1 `oflags` and rights bits that make an open create or change a file.
const OFLAGS_CREAT: i32 = 1;
const OFLAGS_TRUNC: i32 = 8;
const RIGHTS_FD_WRITE: i64 = 1 << 6;
const FDFLAGS_APPEND: i32 = 1;

/// The guard's per-run state.
pub(crate) struct FsGuard {
    pub(crate) disk: DiskQuota,
    /// Whether fd 0, 1, 2 still are the host's streams.
    stdio: [bool; 3],
}

impl FsGuard {
    pub(crate) fn new(disk: DiskQuota) -> Self {
        Self {
            disk,
            stdio: [true; 3],
        }
    }

    fn is_stdio(&self, fd: i32) -> bool {
        usize::try_from(fd)
            .ok()
            .and_then(|index| self.stdio.get(index).copied())
            .unwrap_or(false)
    }

    fn forget_stdio(&mut self, fd: i32) {
        if let Some(open) = usize::try_from(fd)
            .ok()
            .and_then(|index| self.stdio.get_mut(index))
        {
            *open = false;
        }
    }
}

/// A WASI function's answer when the guard refuses: its errno.
type Answer = wasmtime::Result<i32>;

/// Hands a call on to wasmtime-wasi's own implementation, once the guard has let it pass.
macro_rules! pass_on {
    ($caller:expr, $function:ident($($arg:expr),* $(,)?)) => {{
        let (memory, state) = guest_memory($caller)?;
        p1::wasi_snapshot_preview1::$function(
            &mut state.wasi,
            &mut wiggle::GuestMemory::Unshared(memory),
            $($arg),*
        )
        .await
    }};
}

pub(crate) fn build_linker(engine: &wasmtime::Engine) -> wasmtime::Result<Linker<RunState>> {
    let mut linker = Linker::new(engine);
    p1::add_to_linker_async(&mut linker, |state: &mut RunState| &mut state.wasi)?;
    linker.allow_shadowing(true);
    const MODULE: &str = "wasi_snapshot_preview1";

    // WASI's own proc_exit turns a status of 126 or more into an anonymous error, which
    // would read as an interpreter trap; a program's `sys.exit(126)` is its own exit code.
    linker.func_wrap(MODULE, "proc_exit", |status: i32| -> wasmtime::Result<()> {
        Err(wasmtime_wasi::I32Exit(status).into())
    })?;

    linker.func_wrap_async(
        MODULE,
        "fd_write",
        |mut caller: Caller<'_, RunState>, (fd, iovs, iovs_len, nwritten): (i32, i32, i32, i32)| {
            Box::new(async move {
                if !caller.data().guard.is_stdio(fd) {
                    let bytes = iovec_total(&mut caller, iovs, iovs_len)?;
                    let growth = growth(&mut caller, fd, None, bytes).await;
                    if !caller.data_mut().guard.disk.admit(growth, 0) {
                        return Ok(ERRNO_NOSPC);
                    }
                }
                pass_on!(&mut caller, fd_write(fd, iovs, iovs_len, nwritten))
            })
        },
    )?;
    linker.func_wrap_async(
        MODULE,
        "fd_pwrite",
        |mut caller: Caller<'_, RunState>,
         (fd, iovs, iovs_len, offset, nwritten): (i32, i32, i32, i64, i32)| {
            Box::new(async move {
                let bytes = iovec_total(&mut caller, iovs, iovs_len)?;
                let at = u64::try_from(offset).unwrap_or(0);
                let growth = growth(&mut caller, fd, Some(at), bytes).await;
                if !caller.data_mut().guard.disk.admit(growth, 0) {
                    return Ok(ERRNO_NOSPC);
                }
                pass_on!(&mut caller, fd_pwrite(fd, iovs, iovs_len, offset, nwritten))
            })
        },
    )?;
    linker.func_wrap_async(
        MODULE,
        "fd_filestat_set_size",
        |mut caller: Caller<'_, RunState>, (fd, size): (i32, i64)| {
            Box::new(async move {
                // Extending a file by truncate() costs its new length, holes included.
                let size = u64::try_from(size).unwrap_or(0);
                let current = file_facts(&mut caller, fd)
                    .await
                    .map_or(0, |facts| facts.size);
                if !caller
                    .data_mut()
                    .guard
                    .disk
                    .admit(size.saturating_sub(current), 0)
                {
                    return Ok(ERRNO_NOSPC);
                }
                pass_on!(&mut caller, fd_filestat_set_size(fd, size as i64))
            })
        },
    )?;
    linker.func_wrap_async(
        MODULE,
        "fd_close",
        |mut caller: Caller<'_, RunState>, (fd,): (i32,)| {
            Box::new(async move {
                caller.data_mut().guard.forget_stdio(fd);
                pass_on!(&mut caller, fd_close(fd))
            })
        },
    )?;
    linker.func_wrap_async(
        MODULE,
        "fd_renumber",
        |mut caller: Caller<'_, RunState>, (from, to): (i32, i32)| {
            Box::new(async move {
                // Whatever lands on 0-2, or leaves them, is no longer the host's stream.
                caller.data_mut().guard.forget_stdio(from);
                caller.data_mut().guard.forget_stdio(to);
                pass_on!(&mut caller, fd_renumber(from, to))
            })
        },
    )?;
    linker.func_wrap_async(
        MODULE,
        "path_open",
        |mut caller: Caller<'_, RunState>, args: (i32, i32, i32, i32, i32, i64, i64, i32, i32)| {
            Box::new(async move {
                let (_, _, path, path_len, oflags, rights_base, _, fdflags, _) = args;
                let changes = oflags & (OFLAGS_CREAT | OFLAGS_TRUNC) != 0
                    || rights_base & RIGHTS_FD_WRITE != 0
                    || fdflags & FDFLAGS_APPEND != 0;
                if changes && names_control_file(&mut caller, path, path_len)? {
                    return Ok(ERRNO_PERM);
                }
                if oflags & OFLAGS_CREAT != 0 && !caller.data_mut().guard.disk.admit(ENTRY_BYTES, 1)
                {
                    return Ok(ERRNO_NOSPC);
                }
                let (dirfd, dirflags, _, _, _, _, rights_inheriting, _, opened) = args;
                pass_on!(
                    &mut caller,
                    path_open(
                        dirfd,
                        dirflags,
                        path,
                        path_len,
                        oflags,
                        rights_base,
                        rights_inheriting,
                        fdflags,
                        opened
                    )
                )
            })
        },
    )?;
    linker.func_wrap_async(
        MODULE,
        "path_create_directory",
        |mut caller: Caller<'_, RunState>, (dirfd, path, path_len): (i32, i32, i32)| {
            Box::new(async move {
                if names_control_file(&mut caller, path, path_len)? {
                    return Ok(ERRNO_PERM);
                }
                if !caller.data_mut().guard.disk.admit(ENTRY_BYTES, 1) {
                    return Ok(ERRNO_NOSPC);
                }
                pass_on!(&mut caller, path_create_directory(dirfd, path, path_len))
            })
        },
    )?;
    linker.func_wrap_async(
        MODULE,
        "path_rename",
        |mut caller: Caller<'_, RunState>,
         (from_fd, from, from_len, to_fd, to, to_len): (i32, i32, i32, i32, i32, i32)| {
            Box::new(async move {
                if names_control_file(&mut caller, to, to_len)? {
                    return Ok(ERRNO_PERM);
                }
                pass_on!(
                    &mut caller,
                    path_rename(from_fd, from, from_len, to_fd, to, to_len)
                )
            })
        },
    )?;
    // Links are refused outright: a symbolic link would lead host code that reads the
    // workspace elsewhere, a hard link would let two names share one charge.
    linker.func_wrap_async(
        MODULE,
        "path_symlink",
        |_caller: Caller<'_, RunState>, _args: (i32, i32, i32, i32, i32)| {
            Box::new(async move { Answer::Ok(ERRNO_PERM) })
        },
    )?;
    linker.func_wrap_async(
        MODULE,
        "path_link",
        |_caller: Caller<'_, RunState>, _args: (i32, i32, i32, i32, i32, i32, i32)| {
            Box::new(async move { Answer::Ok(ERRNO_PERM) })
        },
    )?;
    Ok(linker)
}

pub(crate) fn guest_memory<'a>(
    caller: &'a mut Caller<'_, RunState>,
) -> wasmtime::Result<(&'a mut [u8], &'a mut RunState)> {
    let memory = caller
        .get_export("memory")
        .and_then(|export| export.into_memory())
        .ok_or_else(|| wasmtime::format_err!("the interpreter exports no memory"))?;
    Ok(memory.data_and_store_mut(caller))
}

/// Whether the path the guest passed names a control file (see [`crate::is_control_name`]).
fn names_control_file(
    caller: &mut Caller<'_, RunState>,
    path: i32,
    path_len: i32,
) -> wasmtime::Result<bool> {
    let (memory, _) = guest_memory(caller)?;
    let start = path as u32 as usize;
    let Some(bytes) = start
        .checked_add(path_len as u32 as usize)
        .and_then(|end| memory.get(start..end))
    else {
        // Out of bounds: wasmtime-wasi reports the fault itself.
        return Ok(false);
    };
    Ok(crate::is_control_name(&String::from_utf8_lossy(bytes)))
}

/// The number of bytes a WASI `ciovec` array asks to write.
fn iovec_total(
    caller: &mut Caller<'_, RunState>,
    iovs: i32,
    iovs_len: i32,
) -> wasmtime::Result<u64> {
    let (memory, _) = guest_memory(caller)?;
    let mut total = 0u64;
    for index in 0..iovs_len.max(0) as usize {
        // Each ciovec is { buf: u32, buf_len: u32 }, little-endian.
        let at = (iovs as u32 as usize)
            .checked_add(index * 8 + 4)
            .ok_or_else(|| wasmtime::format_err!("iovec out of bounds"))?;
        let len = memory
            .get(at..at + 4)
            .ok_or_else(|| wasmtime::format_err!("iovec out of bounds"))?;
        total += u64::from(u32::from_le_bytes([len[0], len[1], len[2], len[3]]));
    }
    Ok(total)
}

/// What the guard needs to know of an open file.
struct FileFacts {
    size: u64,
    position: u64,
    append: bool,
}

/// Asks wasmtime-wasi about `fd` through a scratch memory of the host's own, so nothing of
/// the guest's memory is touched. `None` for what is not a file (a pipe, a folder).
async fn file_facts(caller: &mut Caller<'_, RunState>, fd: i32) -> Option<FileFacts> {
    let wasi = &mut caller.data_mut().wasi;
    let mut scratch = [0u8; 64];
    let mut memory = wiggle::GuestMemory::Unshared(&mut scratch);
    // fdstat: fs_filetype u8 at 0, fs_flags u16 at 2.
    let ok = p1::wasi_snapshot_preview1::fd_fdstat_get(wasi, &mut memory, fd, 0).await;
    if !matches!(ok, Ok(0)) {
        return None;
    }
    let append = i32::from(u16::from_le_bytes([scratch[2], scratch[3]])) & FDFLAGS_APPEND != 0;
    const REGULAR_FILE: u8 = 4;
    if scratch[0] != REGULAR_FILE {
        return None;
    }
    let mut memory = wiggle::GuestMemory::Unshared(&mut scratch);
    // filestat: size u64 at 32.
    let ok = p1::wasi_snapshot_preview1::fd_filestat_get(wasi, &mut memory, fd, 0).await;
    if !matches!(ok, Ok(0)) {
        return None;
    }
    let size = u64::from_le_bytes(scratch[32..40].try_into().ok()?);
    let mut memory = wiggle::GuestMemory::Unshared(&mut scratch);
    let position = match p1::wasi_snapshot_preview1::fd_tell(wasi, &mut memory, fd, 0) {
        Ok(0) => u64::from_le_bytes(scratch[0..8].try_into().ok()?),
        _ => size,
    };
    Some(FileFacts {
        size,
        position,
        append,
    })
}

/// The bytes a write of `bytes` at `offset` (or the file's position) adds to the file: its
/// new end past the old one, the hole before it included.
async fn growth(
    caller: &mut Caller<'_, RunState>,
    fd: i32,
    offset: Option<u64>,
    bytes: u64,
) -> u64 {
    let Some(facts) = file_facts(caller, fd).await else {
        return bytes;
    };
    if facts.append && offset.is_none() {
        return bytes;
    }
    let at = offset.unwrap_or(facts.position);
    at.saturating_add(bytes)
        .max(facts.size)
        .saturating_sub(facts.size)
}
