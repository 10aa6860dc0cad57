//! File helpers shared by the CSV export, the settings file and the app's log file: atomic
//! replacement that never widens permissions, bounded reads of regular files only, and a
//! private (owner-only) log file.
//!
//! Permissions are Unix modes; on other systems files get the directory's default ACL and only
//! the atomicity, the size limit and the file-type checks apply.

use crate::error::{Error, Result};
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Mode of files this program creates on Unix: read and write for the owner only.
pub const PRIVATE_FILE_MODE: u32 = 0o600;

/// Mode of directories this program creates for its own files on Unix (the log directory).
pub const PRIVATE_DIR_MODE: u32 = 0o700;

/// Which permissions the file written by [`write_file_atomically`] ends up with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileMode {
    /// Keep the mode of the file being replaced (its permission bits, without setuid, setgid or
    /// sticky); a new file is created owner-only (0600 on Unix). For exports: a file the user
    /// made 0600 stays 0600, one they shared (0644) stays shared.
    KeepOrPrivate,
    /// Always owner-only (0600 on Unix), whatever the replaced file had. For the app's own files.
    Private,
}

/// Creates or replaces the file at `path` with what `write` produces, atomically: `write` gets a
/// buffered, exclusively created temporary file in the same directory (named
/// `.sdesk-<random>.tmp`, short enough for any target name), which is synced and renamed over
/// `path` only when `write` succeeds. On any error the temporary file is removed and `path` is
/// untouched. The result keeps the replaced file's mode, or is 0600 when new (Unix; see
/// [`FileMode::KeepOrPrivate`]).
///
/// A device, FIFO or socket at `path` (`/dev/null`, `/dev/stdout`, a named pipe) is written in
/// place: renaming over it would replace the device node with a plain file.
pub fn write_file_atomically<T>(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<T>,
) -> Result<T> {
    write_atomically(path, FileMode::KeepOrPrivate, write)
}

/// [`write_file_atomically`] with an explicit [`FileMode`].
pub fn write_atomically<T>(
    path: &Path,
    mode: FileMode,
    write: impl FnOnce(&mut dyn Write) -> Result<T>,
) -> Result<T> {
    let mut file = AtomicFile::create(path, mode)?;
    let value = write(&mut file)?;
    file.commit()?;
    Ok(value)
}

/// The file [`write_atomically`] writes, for writers that cannot hand all their output to one
/// closure (an export that writes pages as they arrive, across `await`s): created with
/// [`AtomicFile::create`], written through [`Write`], and put in place by
/// [`AtomicFile::commit`]. Dropped without `commit` (an error, a cancellation), its temporary
/// file is removed and the target is untouched. Same rules as [`write_file_atomically`]: a
/// buffered temporary file in the target's directory, synced and given its final mode before
/// it is renamed over the target; a device, FIFO or socket is written in place.
#[derive(Debug)]
pub struct AtomicFile {
    out: BufWriter<File>,
    /// `None` when a device, FIFO or socket is written in place.
    temp: Option<PendingRename>,
}

/// Where a temporary file goes on [`AtomicFile::commit`], and with which mode.
#[derive(Debug)]
struct PendingRename {
    guard: RemoveOnDrop,
    target: PathBuf,
    mode: FileMode,
    existing: Option<fs::Metadata>,
}

impl AtomicFile {
    /// Creates the temporary file for `path` (or opens a device, FIFO or socket at `path` for
    /// writing in place).
    pub fn create(path: &Path, mode: FileMode) -> Result<Self> {
        let existing = fs::metadata(path).ok();
        if let Some(meta) = &existing {
            if !meta.is_file() && !meta.is_dir() {
                return Ok(Self {
                    out: BufWriter::new(OpenOptions::new().write(true).open(path)?),
                    temp: None,
                });
            }
        }
        if path.file_name().is_none() {
            return Err(Error::invalid("file", "the path does not name a file"));
        }
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let (tmp_path, file) = create_temp(&dir)?;
        Ok(Self {
            out: BufWriter::new(file),
            temp: Some(PendingRename {
                guard: RemoveOnDrop(Some(tmp_path)),
                target: path.to_path_buf(),
                mode,
                existing,
            }),
        })
    }

    /// Flushes the file and, unless it is written in place, gives it its final mode, syncs it
    /// to disk and renames it over the target. On an error the temporary file is removed and
    /// the target is untouched.
    pub fn commit(self) -> Result<()> {
        let Some(temp) = self.temp else {
            let mut out = self.out;
            out.flush()?;
            return Ok(());
        };
        let file = self
            .out
            .into_inner()
            .map_err(|e| Error::Io(e.into_error()))?;
        set_final_mode(&file, temp.mode, temp.existing.as_ref())?;
        file.sync_all()?;
        drop(file);
        if let Some(tmp) = &temp.guard.0 {
            fs::rename(tmp, &temp.target)?;
        }
        temp.guard.disarm();
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.out.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Seeking, for writers that go back to patch what they wrote (an XLSX file is a ZIP archive,
/// whose writer fills in each entry's sizes afterwards). Flushes the buffer first (`BufWriter`'s
/// rule). A device, FIFO or socket written in place cannot seek and reports the system's error.
impl Seek for AtomicFile {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.out.seek(pos)
    }
}

/// Gives the finished temporary file its final permissions (before the rename, so the target
/// name never points at a file with wider permissions than intended).
#[cfg(unix)]
fn set_final_mode(file: &File, mode: FileMode, existing: Option<&fs::Metadata>) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let bits = match (mode, existing) {
        (FileMode::KeepOrPrivate, Some(meta)) if meta.is_file() => {
            meta.permissions().mode() & 0o777
        }
        _ => PRIVATE_FILE_MODE,
    };
    file.set_permissions(fs::Permissions::from_mode(bits))?;
    Ok(())
}

#[cfg(not(unix))]
fn set_final_mode(_file: &File, _mode: FileMode, _existing: Option<&fs::Metadata>) -> Result<()> {
    Ok(())
}

/// A new, exclusively created (`O_EXCL`) temporary file in `dir`, 0600 on Unix from the start.
/// The name is `.sdesk-` + 16 hex digits + `.tmp` (27 bytes), independent of the target's name:
/// a target name near the file system's 255-byte limit must still be writable.
fn create_temp(dir: &Path) -> Result<(PathBuf, File)> {
    use rand::Rng;
    let mut last_err = None;
    for _ in 0..16 {
        let tmp = dir.join(format!(
            ".sdesk-{:016x}.tmp",
            rand::thread_rng().gen::<u64>()
        ));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(PRIVATE_FILE_MODE);
        }
        match options.open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last_err = Some(e),
            Err(e) => return Err(Error::Io(e)),
        }
    }
    Err(Error::Io(last_err.unwrap_or_else(|| {
        io::Error::other("could not create a temporary file")
    })))
}

/// Removes the temporary file unless disarmed.
#[derive(Debug)]
struct RemoveOnDrop(Option<PathBuf>);

impl RemoveOnDrop {
    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = fs::remove_file(p);
        }
    }
}

/// Reads a whole regular file of at most `limit` bytes.
///
/// Symbolic links are followed (a link to a regular file is fine). Anything else — a
/// directory, a device such as `/dev/zero`, a FIFO, a socket — is refused before it is read,
/// and on Unix the file is opened with `O_NONBLOCK`, so a FIFO swapped in after the check
/// cannot block the caller either. A file longer than `limit` is refused after reading at most
/// `limit + 1` bytes.
///
/// # Errors
/// The [`io::Error`] of opening or reading (`NotFound` for a missing file, which callers may
/// treat as "no file"); `InvalidInput` for a file that is not a regular file; `InvalidData`
/// for one larger than `limit`. The message says which.
pub fn read_regular_file(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    ensure_regular(&fs::metadata(path)?)?;
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    ensure_regular(&meta)?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len().min(limit)).unwrap_or(0));
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("the file is larger than {limit} bytes"),
        ));
    }
    Ok(bytes)
}

fn ensure_regular(meta: &fs::Metadata) -> io::Result<()> {
    if meta.is_file() {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file (a directory, device, FIFO or socket)",
        ))
    }
}

/// Creates `dir` and its missing parents (0700 on Unix).
pub fn create_private_dir_all(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(PRIVATE_DIR_MODE);
    }
    builder.create(dir)
}

/// Prepares the log file `dir/<stem>.log` for a logger that opens it with create + append
/// (tauri-plugin-log), so that it is private from its first byte: `dir` is created 0700, or
/// narrowed to 0700 when it is wider; the file is created empty with 0600, or narrowed to 0600
/// when it exists with wider permissions; rotated siblings `<stem>_*.log` (regular files, not
/// links) are narrowed to 0600 too. A path that exists but is not a regular file (a link to
/// `/dev/null`, say) is left alone. Returns the log file's path. Modes apply on Unix only;
/// elsewhere the directory and file are just created.
///
/// A file the logger creates later (after a rotation in a long session) gets the process's
/// default mode, but sits in the 0700 directory, and is narrowed at the next start.
///
/// # Errors
/// Creating the directory or file, or narrowing their modes, failed (for instance a directory
/// owned by another user): the caller should then not log to the file.
pub fn prepare_private_log_file(dir: &Path, stem: &str) -> io::Result<PathBuf> {
    create_private_dir_all(dir)?;
    narrow_mode(dir, fs::metadata(dir)?, PRIVATE_DIR_MODE)?;
    let path = dir.join(format!("{stem}.log"));
    match fs::metadata(&path) {
        Ok(meta) if !meta.is_file() => return Ok(path),
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(PRIVATE_FILE_MODE);
    }
    let file = options.open(&path)?;
    let meta = file.metadata()?;
    if meta.is_file() {
        narrow_mode_of(&file, &meta)?;
    }
    drop(file);
    if let Ok(entries) = fs::read_dir(dir) {
        let prefix = format!("{stem}_");
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let rotated = name.starts_with(&prefix) && name.ends_with(".log");
            if rotated && entry.file_type().is_ok_and(|t| t.is_file()) {
                // Best effort: an old rotated file we cannot narrow does not stop logging.
                if let Ok(meta) = entry.metadata() {
                    let _ = narrow_mode(&entry.path(), meta, PRIVATE_FILE_MODE);
                }
            }
        }
    }
    Ok(path)
}

/// Sets `path`'s permission bits to `bits` when group or others have any access.
#[cfg(unix)]
fn narrow_mode(path: &Path, meta: fs::Metadata, bits: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    if meta.permissions().mode() & 0o077 != 0 {
        fs::set_permissions(path, fs::Permissions::from_mode(bits))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn narrow_mode(_path: &Path, _meta: fs::Metadata, _bits: u32) -> io::Result<()> {
    Ok(())
}

/// [`narrow_mode`] to 0600 through an open handle.
#[cfg(unix)]
fn narrow_mode_of(file: &File, meta: &fs::Metadata) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    if meta.permissions().mode() & 0o077 != 0 {
        file.set_permissions(fs::Permissions::from_mode(PRIVATE_FILE_MODE))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn narrow_mode_of(_file: &File, _meta: &fs::Metadata) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_write_leaves_no_temp_file_and_keeps_the_target() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        fs::write(&target, "old").unwrap();
        let r: Result<()> = write_file_atomically(&target, |w| {
            w.write_all(b"partial")?;
            Err(Error::Cancelled)
        });
        assert!(
            matches!(r, Err(Error::Cancelled)),
            "the writer's error is returned"
        );
        assert_eq!(
            fs::read_to_string(&target).unwrap(),
            "old",
            "target untouched"
        );
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "the temporary file was removed: {left:?}");
    }

    #[test]
    fn an_atomic_file_dropped_without_commit_leaves_the_target_alone() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        fs::write(&target, "old").unwrap();
        let mut file = AtomicFile::create(&target, FileMode::KeepOrPrivate).unwrap();
        file.write_all(&[b'x'; 100_000]).unwrap();
        file.flush().unwrap();
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            2,
            "written to a file of its own"
        );
        drop(file);
        assert_eq!(
            fs::read_to_string(&target).unwrap(),
            "old",
            "target untouched"
        );
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "the temporary file was removed: {left:?}");

        let mut file = AtomicFile::create(&target, FileMode::KeepOrPrivate).unwrap();
        file.write_all(b"new, ").unwrap();
        file.write_all(b"in parts").unwrap();
        file.commit().unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "new, in parts");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn the_temporary_file_has_a_short_name_of_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join(format!("{}.csv", "n".repeat(246)));
        let seen = write_file_atomically(&target, |_| {
            let names: Vec<String> = fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            Ok(names)
        })
        .expect("a temporary name derived from a 250-byte target name exceeds 255 bytes");
        assert_eq!(seen.len(), 1, "one temporary file while writing: {seen:?}");
        let name = &seen[0];
        assert!(
            name.starts_with(".sdesk-") && name.ends_with(".tmp") && name.len() == 27,
            "the temporary name must not grow with the target's name (a 250-byte target name \
             plus a suffix exceeds the 255-byte limit): {name:?}"
        );
        assert!(target.is_file(), "the long-named target was written");
    }

    #[cfg(unix)]
    /// The permission bits in octal, as `ls -l` users read them (`"600"`).
    fn mode(path: &Path) -> String {
        use std::os::unix::fs::PermissionsExt;
        format!(
            "{:o}",
            fs::metadata(path).unwrap().permissions().mode() & 0o7777
        )
    }

    #[cfg(unix)]
    fn set_mode(path: &Path, bits: u32) {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(bits)).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn replacing_keeps_the_mode_and_new_files_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("new.csv");
        write_file_atomically(&new, |w| Ok(w.write_all(b"x")?)).unwrap();
        assert_eq!(
            mode(&new),
            "600",
            "a new file is owner-only, whatever the umask allows"
        );

        for bits in [0o600, 0o640, 0o644, 0o400] {
            let path = dir.path().join(format!("kept-{bits:o}.csv"));
            fs::write(&path, "old").unwrap();
            set_mode(&path, bits);
            write_file_atomically(&path, |w| Ok(w.write_all(b"new")?)).unwrap();
            assert_eq!(
                mode(&path),
                format!("{bits:o}"),
                "replacing a {bits:o} file must keep its mode (a 0600 file must not become 0644)"
            );
            assert_eq!(
                fs::read_to_string(&path).unwrap(),
                "new",
                "content replaced"
            );
        }

        let setuid = dir.path().join("setuid.csv");
        fs::write(&setuid, "old").unwrap();
        set_mode(&setuid, 0o4755);
        write_file_atomically(&setuid, |w| Ok(w.write_all(b"new")?)).unwrap();
        assert_eq!(
            mode(&setuid),
            "755",
            "setuid is not carried over to exported data"
        );

        let private = dir.path().join("private.json");
        fs::write(&private, "old").unwrap();
        set_mode(&private, 0o644);
        write_atomically(&private, FileMode::Private, |w| Ok(w.write_all(b"{}")?)).unwrap();
        assert_eq!(
            mode(&private),
            "600",
            "FileMode::Private narrows a wider file"
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_temporary_file_is_private_while_it_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        let tmp_mode = write_file_atomically(&target, |_| {
            let entry = fs::read_dir(dir.path()).unwrap().next().unwrap().unwrap();
            Ok(mode(&entry.path()))
        })
        .unwrap();
        assert_eq!(
            tmp_mode, "600",
            "the half-written data must not be readable by others either"
        );
    }

    #[test]
    fn reading_is_limited_to_regular_files_of_bounded_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        fs::write(&path, vec![b'x'; 100]).unwrap();
        assert_eq!(
            read_regular_file(&path, 100).unwrap().len(),
            100,
            "a file of exactly the limit is read whole"
        );
        let err = read_regular_file(&path, 99).unwrap_err();
        assert_eq!(
            err.kind(),
            io::ErrorKind::InvalidData,
            "one byte over the limit is refused: {err}"
        );
        let err = read_regular_file(dir.path(), 100).unwrap_err();
        assert_eq!(
            err.kind(),
            io::ErrorKind::InvalidInput,
            "a directory is not read: {err}"
        );
        let err = read_regular_file(&dir.path().join("missing"), 100).unwrap_err();
        assert_eq!(
            err.kind(),
            io::ErrorKind::NotFound,
            "a missing file stays NotFound, so callers can fall back to defaults"
        );
    }

    #[cfg(unix)]
    #[test]
    fn reading_refuses_devices_and_fifos_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let zero = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        let err = read_regular_file(&zero, 1 << 20).unwrap_err();
        assert_eq!(
            err.kind(),
            io::ErrorKind::InvalidInput,
            "a link to /dev/zero is refused, not read: {err}"
        );

        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success(), "mkfifo failed");
        let (tx, rx) = std::sync::mpsc::channel();
        let path = fifo.clone();
        std::thread::spawn(move || tx.send(read_regular_file(&path, 1 << 20).map(drop)));
        let result = rx
            .recv_timeout(std::time::Duration::from_secs(5))
            .expect("reading a FIFO with no writer must not block");
        let err = result.unwrap_err();
        assert_eq!(
            err.kind(),
            io::ErrorKind::InvalidInput,
            "a FIFO is refused: {err}"
        );
    }

    #[test]
    fn the_log_file_is_prepared_without_losing_content() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("a").join("logs");
        let path = prepare_private_log_file(&logs, "app").unwrap();
        assert_eq!(
            path,
            logs.join("app.log"),
            "the path a create+append logger opens"
        );
        assert!(path.is_file(), "the file exists before the logger opens it");
        fs::write(&path, "kept\n").unwrap();
        prepare_private_log_file(&logs, "app").unwrap();
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "kept\n",
            "preparing an existing log never truncates it"
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_log_directory_and_files_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("logs");
        let path = prepare_private_log_file(&logs, "app").unwrap();
        assert_eq!(mode(&logs), "700", "a new log directory is owner-only");
        assert_eq!(mode(&path), "600", "a new log file is owner-only");

        set_mode(&logs, 0o755);
        set_mode(&path, 0o644);
        let rotated = logs.join("app_2026-01-01_00-00-00.log");
        fs::write(&rotated, "old").unwrap();
        set_mode(&rotated, 0o644);
        let other = logs.join("other.log");
        fs::write(&other, "x").unwrap();
        set_mode(&other, 0o644);
        prepare_private_log_file(&logs, "app").unwrap();
        assert_eq!(mode(&logs), "700", "a wide log directory is narrowed");
        assert_eq!(
            mode(&path),
            "600",
            "a wide log file (older version) is narrowed"
        );
        assert_eq!(mode(&rotated), "600", "rotated log files are narrowed too");
        assert_eq!(
            mode(&other),
            "644",
            "files that are not ours are left alone"
        );

        let linked = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink("/dev/null", linked.path().join("app.log")).unwrap();
        let path = prepare_private_log_file(linked.path(), "app").unwrap();
        assert!(
            fs::symlink_metadata(&path)
                .unwrap()
                .file_type()
                .is_symlink(),
            "a log file the user linked to /dev/null is left as it is"
        );
    }
}
