"""Reading and writing the user's files safely.

Reads take regular files only: a FIFO or a device named like a config or history
file would block start-up or never end. Writes are atomic: a crash or a full disk
never leaves half a file behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

MAX_CONFIG_BYTES = 1_000_000
"""Config, theme and preset files are small; anything bigger is not one."""


class FileProblem(OSError):
    """A file this app will not read, said in words (without an errno number)."""

    def __str__(self) -> str:
        return str(self.strerror)


class NotRegularFile(FileProblem):
    """A path that is not a plain file (a FIFO, a device, a folder, a link not followed)."""


class FileTooLarge(FileProblem):
    """A file bigger than what it claims to be could hold."""


class NotText(FileProblem):
    """A file that should hold UTF-8 text and does not."""


def read_text(path: Path, limit: int) -> str:
    """``read_regular``, as UTF-8 text (``NotText`` says where it is not)."""
    data = read_regular(path, limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise NotText(errno.EILSEQ, f"it is not UTF-8 text (byte {error.start:,} is not)") from None


def read_regular(path: Path, limit: int, *, follow_symlinks: bool = True) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes.

    It is opened without blocking (a FIFO would wait for a writer forever) and
    checked once open, so it cannot be swapped between the check and the read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
        if path.is_symlink():  # said in words (and where O_NOFOLLOW is missing)
            raise _not_followed()
    try:
        fd = os.open(path, flags)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise _not_followed() from None
        raise
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(errno.EINVAL, f"it is not a regular file ({_kind(info.st_mode)})")
        if info.st_size > limit:
            raise FileTooLarge(errno.EFBIG, f"it is {info.st_size:,} bytes; the limit is {limit:,}")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(errno.EFBIG, f"it is larger than the limit of {limit:,} bytes")
    return data


def _not_followed() -> NotRegularFile:
    return NotRegularFile(errno.ELOOP, "it is a symbolic link, which is not followed")


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a folder"),
    ):
        if test(mode):
            return name
    return "something else"


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, flush it to disk, then rename it
    over ``path``; readers see the old file or the new one, never a mix. A symbolic
    link at ``path`` is refused: renaming would replace the link, not what it names."""
    if path.is_symlink():
        raise NotRegularFile(errno.ELOOP, f"{path} is a symbolic link; it was not written")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself survive a power cut (where the system allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
