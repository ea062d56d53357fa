"""The file-system rules every reader and writer in ehplan follows.

Only regular files are read, and their size is checked before a byte is read,
so a FIFO, a device or a link to /dev/zero is refused at once instead of
hanging or eating memory. Files ehplan creates or appends to are opened
without following a link, so a link planted in a log directory cannot make it
write elsewhere. Standard library only: the audit package, at the bottom of
the layers, uses it too.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


class NotRegularFile(OSError):
    """A path that exists but is not a regular file (a directory, FIFO, device, socket)."""


class FileTooLarge(OSError):
    """A regular file larger than the reader's limit."""


def describe(mode: int) -> str:
    """What kind of file a mode says, in a word a message can use."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "a special file"


def open_regular(path: Path) -> int:
    """Open a file for reading, refusing anything but a regular file, without blocking.

    A link to a regular file is followed (playbooks may be linked in place);
    the file it reaches is what is checked. Raises NotRegularFile or OSError.
    """
    # O_NONBLOCK so that opening a FIFO returns at once instead of waiting for a writer.
    return open_checked(path, os.O_RDONLY | _NONBLOCK)


def open_checked(path: Path, flags: int) -> int:
    """``os.open`` (new files 0600, close-on-exec), then refuse all but a regular file."""
    fd = os.open(path, flags | _CLOEXEC, 0o600)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(errno.EINVAL, f"not a regular file ({describe(mode)})")
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular(path: Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    Raises NotRegularFile, FileTooLarge (before reading) or OSError. A file
    that grows while it is read is cut at ``limit`` + 1 bytes, so the caller
    still sees it is too large.
    """
    fd = open_regular(Path(path))
    try:
        size = os.fstat(fd).st_size
        if limit is not None and size > limit:
            raise FileTooLarge(errno.EFBIG, f"file too large ({size} bytes, limit {limit})")
        chunks: list[bytes] = []
        wanted = (limit + 1) if limit is not None else None
        total = 0
        while wanted is None or total < wanted:
            chunk = os.read(fd, 1 << 20 if wanted is None else min(1 << 20, wanted - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        data = b"".join(chunks)
    finally:
        os.close(fd)
    if limit is not None and len(data) > limit:
        raise FileTooLarge(errno.EFBIG, f"file too large (over {limit} bytes)")
    return data


def is_regular_file(path: Path) -> bool:
    """True for a regular file that is not itself a symbolic link."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def open_append_nofollow(path: Path, *, create: bool) -> int:
    """Open a file ehplan appends to without following a link; new files are 0600.

    With ``create`` a missing file is made; an existing one must be a regular
    file owned by nobody else's link. Raises OSError (ELOOP for a link).
    """
    return open_checked(path, os.O_WRONLY | os.O_APPEND | _NOFOLLOW | (os.O_CREAT if create else 0))


def write_private(path: Path, data: bytes) -> None:
    """Write a whole file readable and writable by its owner only (0600).

    The bytes go to a new file beside it (created exclusively, so never
    through a link), which then replaces ``path``: a link planted at ``path``
    is replaced, never followed. Raises OSError.
    """
    path = Path(path)
    scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        os.unlink(scratch)
    except FileNotFoundError:
        pass
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        os.unlink(scratch)
        raise
    os.close(fd)
    try:
        os.replace(scratch, path)
    except BaseException:
        os.unlink(scratch)
        raise


def private_dir_problem(directory: Path, what: str, option: str) -> str | None:
    """Why ``directory`` must not hold ehplan's files, or None when it is fine (or not there yet).

    A directory that the group or others may write to would let them plant
    links or files beside the runs, so it is refused rather than silently
    fixed: whoever made it so should decide (``chmod 700``).
    """
    try:
        mode = os.stat(directory).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"{what} {directory}: {exc.strerror or exc}"
    if not stat.S_ISDIR(mode):
        return f"{what} {directory} is not a directory ({describe(mode)})"
    if mode & 0o022:
        who = {0o022: "group and others", 0o020: "its group"}.get(mode & 0o022, "others")
        return (f"{what} {directory} is writable by {who} (mode {mode & 0o777:o}): "
                f"run 'chmod 700 {directory}' or choose another {option}")
    return None
