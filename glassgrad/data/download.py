"""Where data sets live on disk, and fetching a missing file from its mirrors, checked and atomic.

Search order for a data set's folder: an explicit ``root``, ``$GLASSGRAD_DATA``, the user cache
(``$XDG_CACHE_HOME/glassgrad`` or ``~/.cache/glassgrad``), then system folders that distribution packages
fill (Debian's ``dataset-fashion-mnist`` installs ``/usr/share/datasets/fashion-mnist``). Downloads go to
the first of root, ``$GLASSGRAD_DATA`` and the cache, written to a temporary file in the target folder,
verified against the MD5 the data set publishes, and only then renamed into place -- so an interrupted or
corrupted download never leaves a file that looks complete.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

ENV_VAR = "GLASSGRAD_DATA"
CHUNK = 1 << 20


def cache_dir() -> Path:
    """glassgrad's user cache: ``$XDG_CACHE_HOME/glassgrad``, else ``~/.cache/glassgrad``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "glassgrad"


def data_roots(root=None) -> list[Path]:
    """The user-writable roots in search order: ``root``, ``$GLASSGRAD_DATA``, the cache."""
    roots = [Path(root).expanduser()] if root is not None else []
    if os.environ.get(ENV_VAR):
        roots.append(Path(os.environ[ENV_VAR]).expanduser())
    roots.append(cache_dir())
    return roots


def local_name(folder: Path, filename: str) -> Path | None:
    """``folder/filename``, or its decompressed twin (``x.gz`` -> ``x``), whichever exists."""
    for candidate in (filename, filename.removesuffix(".gz")):
        path = folder / candidate
        if path.is_file():
            return path
    return None


def find_local(folders: list[Path], filenames: list[str]) -> list[Path] | None:
    """The files from the first folder that holds all of ``filenames``, or None."""
    for folder in folders:
        paths = [local_name(folder, name) for name in filenames]
        if all(paths):
            return paths
    return None


def md5sum(path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fetch(url: str, folder: Path, filename: str, md5: str | None, timeout: float) -> Path:
    """One attempt: stream ``url`` into a temp file beside the target, check the MD5, rename."""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{filename}.", suffix=".part")
    try:
        digest = hashlib.md5()
        request = urllib.request.Request(url, headers={"User-Agent": "glassgrad"})
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(request, timeout=timeout) as response:
            for chunk in iter(lambda: response.read(CHUNK), b""):
                digest.update(chunk)
                out.write(chunk)
        if md5 is not None and digest.hexdigest() != md5:
            raise ValueError(f"MD5 checksum mismatch: expected {md5}, got {digest.hexdigest()}")
        target = folder / filename
        os.replace(tmp, target)
        return target
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def download(mirrors: list[str], filename: str, md5: str | None, folder, timeout: float = 30.0) -> Path:
    """Fetch ``filename`` from the first mirror that serves it with the right MD5, into ``folder``.

    Raises RuntimeError listing what each mirror answered (offline, 404, checksum mismatch ...).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    failures = []
    for mirror in mirrors:
        url = mirror.rstrip("/") + "/" + filename
        try:
            return _fetch(url, folder, filename, md5, timeout)
        except urllib.error.HTTPError as e:
            failures.append(f"{url}: HTTP {e.code} {e.reason}")
        except urllib.error.URLError as e:
            failures.append(f"{url}: unreachable ({e.reason}) -- are you offline?")
        except (OSError, ValueError) as e:  # timeouts, resets, checksum mismatch
            failures.append(f"{url}: {e}")
    raise RuntimeError(f"could not download {filename} into {folder}:\n  " + "\n  ".join(failures))


__all__ = ["cache_dir", "data_roots", "find_local", "download", "md5sum", "ENV_VAR"]
