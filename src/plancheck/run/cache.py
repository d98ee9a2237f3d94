"""Cache of each plan file's checked result, keyed by content hash.

One entry per plan file, stored as JSON (never pickle: a cache folder is not trusted to run
code) under ``<cache-dir>/v3/<key[:2]>/<key>.json``. The key combines the file's SHA-256, the id
its path gives it, the size limit and a fingerprint of plancheck's own code (its version and
the text of its modules, so an edited rule never meets an old entry). An entry holds:

- ``file``: what the file alone decides: its loader and schema findings, and a summary of the
  plan (everything but its targets and tasks) with the positions the tree-wide rules point at;
- ``results``: the findings of the plan and edge rules, keyed by a *context key* that names
  everything else they depend on: the parents' file keys, the catalogue's hash, the source
  text's hash and the code fingerprint. A few contexts are kept, the latest first.

An entry is trusted only when it is signed and well-formed (the README's "Cache threat model"):

- *signed*: the file starts with ``{"mac":"<hex>",``, an HMAC-SHA256 of the rest of the text and
  of the key, under a secret of the user who runs plancheck, kept outside every cache folder
  (``$XDG_STATE_HOME/plancheck/cache-secret``, else ``~/.local/state/...``; created 0600). An
  entry written by anyone who cannot read that secret (another user, a cache folder committed to
  the repository or restored by CI from another run) does not verify and is never read.
- *well-formed*: the entry then agrees with the schema in ``entry_problem`` (exact keys, types,
  sizes; findings of known rules, about this file only), and its records decode and validate.

Other entries are signed the same way: the report's rows and sections (``rows``), the tree's
status index (``statindex``: which files need not be hashed again) and the whole tree's result
(``treecache``: what a warm run reads when nothing changed), each with its own schema.

Anything else (unreadable, larger than ``MAX_ENTRY_BYTES``, not a regular file, not JSON,
nested deeper than plancheck writes, another key, a bad signature, a schema mismatch) is ignored
and rebuilt, never trusted. Entries are written whole to a temporary file and renamed, so two
runs at once never see half an entry; the last rename wins, and both wrote what they computed.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
import stat
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from plancheck import __version__
from plancheck.fsutil import open_atomic

MAGIC = "plancheck-cache-entry"
LAYOUT = "v3"  # v3: signed entries
KEEP_CONTEXTS = 4  # e.g. with and without --sources, before and after a catalogue edit
SECRET_NAME = "cache-secret"
_MAC_HEAD = '{"mac":"'
_MAC_HEAD_BYTES = _MAC_HEAD.encode()
_MAC_LEN = 64
HEX64 = re.compile(r"[0-9a-f]{64}")
_ENTRY_KEYS = frozenset({"magic", "key", "file", "results"})
_RECORD_KEYS = frozenset({"findings", "plan", "readable", "positions", "keys", "documents"})


def _secret_file() -> Path:
    # a relative XDG_STATE_HOME is ignored, as the XDG spec says (it put the secret in the
    # working folder, or inside the cache folder itself)
    xdg = os.environ.get("XDG_STATE_HOME", "")
    state = xdg if os.path.isabs(xdg) else os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(state) / "plancheck" / SECRET_NAME


def _read_secret(path: Path) -> bytes | None:
    """The secret in ``path``; None when it is missing, or not private to this user (never trusted)."""
    # non-blocking: a FIFO planted there would hang every run; only a regular file is read
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_mode & 0o077:
            return None
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            return None
        text = os.read(fd, 2 * _MAC_LEN).decode("ascii", "replace").strip()
    finally:
        os.close(fd)
    return bytes.fromhex(text) if HEX64.fullmatch(text) else None


@lru_cache(maxsize=1)
def secret() -> bytes:
    """This user's key for signing cache entries, created on first use.

    When it cannot be read or written, or is not private to this user, a secret of this process
    only is used: entries from other runs are then never trusted (a cache costs speed, nothing else).
    """
    path = _secret_file()
    try:
        try:
            found = _read_secret(path)
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with contextlib.suppress(FileExistsError):  # another run made it meanwhile: read theirs
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
                try:
                    os.write(fd, (secrets.token_hex(32) + "\n").encode("ascii"))
                finally:
                    os.close(fd)
            found = _read_secret(path)
        if found is not None:
            return found
    except (OSError, ValueError):
        pass
    return secrets.token_bytes(32)


def entry_problem(data: Any, key: str) -> str | None:
    """What makes ``data`` not a cache entry for ``key`` as plancheck writes one, or None.

    The schema: ``{"magic", "key", "file", "results"}`` and nothing else; ``key`` is the key it is
    read under; ``results`` maps at most KEEP_CONTEXTS context keys (64 hex digits) to JSON text;
    ``file`` is ``{"findings", "plan", "readable", "positions", "keys", "documents"}`` with
    findings of known rules about this file only, a plan summary object or null, a boolean,
    positions ``[[path...], line, column]`` with lines and columns from 1, and the names of the
    source texts the plan cites (strings). Each finding's fields (a known
    rule and severity, types, positions from 1) are checked as it is decoded
    (``records.decode_finding(..., own_file=True)``), as are the findings in the JSON text of
    results, when they are read (``pipeline``).
    """
    if not isinstance(data, dict) or set(data) != _ENTRY_KEYS:
        return "not an entry object with exactly magic, key, file and results"
    if data["magic"] != MAGIC or data["key"] != key:
        return "another format, or an entry for another key"
    results, record = data["results"], data["file"]
    if not isinstance(results, dict) or len(results) > KEEP_CONTEXTS:
        return "results is not an object of at most a few contexts"
    if not all(isinstance(k, str) and HEX64.fullmatch(k) and isinstance(v, str) for k, v in results.items()):
        return "results maps context keys to JSON text"
    if not isinstance(record, dict) or set(record) != _RECORD_KEYS:
        return "file is not an object with exactly findings, plan, readable, positions, keys and documents"
    if type(record["documents"]) is not list or not all(type(d) is str for d in record["documents"]):
        return "file.documents is a list of names"
    if not isinstance(record["readable"], bool) or not (
        record["plan"] is None or isinstance(record["plan"], dict)
    ):
        return "file.readable is a boolean and file.plan an object or null"
    for name in ("positions", "keys"):
        items = record[name]
        if type(items) is not list:
            return f"file.{name} is a list"
        # plain loops: a national tree has tens of thousands of these on every warm run
        for item in items:
            if (
                type(item) is not list
                or len(item) != 3
                or type(item[0]) is not list
                or type(item[1]) is not int
                or type(item[2]) is not int
                or item[1] < 1
                or item[2] < 1
            ):
                return f"file.{name} holds [[path...], line, column] items, lines and columns from 1"
    if type(record["findings"]) is not list:
        return "file.findings is a list"
    for item in record["findings"]:
        # the types of each field are checked as it is decoded (records.decode_finding)
        if type(item) is not list or len(item) != 10 or item[9] is not None:
            return "a finding is a list of 10 items about this entry's own file"
    return None


# An entry larger than this is neither written nor read: the largest real one is tens of
# kilobytes, and reading a planted gigabyte (or parsing it) must not cost a run its memory
MAX_ENTRY_BYTES = 16 * 1024 * 1024


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """plancheck's version, the text of every module, template and data file it runs, and the
    registry's data (it decides the jurisdiction rules)."""
    from plancheck.load.registry_data import registry_digest
    from plancheck.load.yamlio import PARSER

    package = Path(__file__).parent.parent  # plancheck itself, not only this package
    digest = hashlib.sha256(__version__.encode())
    digest.update(registry_digest().encode())
    # two installs of one plancheck may parse with libyaml or the pure-Python parser, which
    # refuse different texts: a cache shared between them must not carry one's verdict over
    digest.update(PARSER.encode())
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".j2", ".md", ".yaml") and path.is_file():
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_key(content_sha: str, plan_id: str | None, max_bytes: int) -> str:
    text = f"{code_fingerprint()}\0{content_sha}\0{plan_id}\0{max_bytes}"
    return hashlib.sha256(text.encode()).hexdigest()


def context_key(key: str, parents: list[str | None], catalogue_sha: str, source_sha: str) -> str:
    """What the rule findings of the plan with file key ``key`` depend on, as one hash."""
    text = json.dumps([code_fingerprint(), key, parents, catalogue_sha, source_sha])
    return hashlib.sha256(text.encode()).hexdigest()


class Store:
    """The entries under one cache folder; ``Store(None)`` reads and writes nothing."""

    def __init__(self, root: Path | None) -> None:
        self.root = root

    @property
    def enabled(self) -> bool:
        return self.root is not None

    def path(self, key: str) -> Path:
        assert self.root is not None
        return self.root / LAYOUT / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        """The entry for ``key`` when it is signed with this user's secret and well-formed."""
        if self.root is None:
            return None
        data = read_signed(self.path(key), key)
        return data if entry_problem(data, key) is None else None

    def put(self, key: str, record: dict[str, Any], results: dict[str, Any]) -> None:
        if self.root is None:
            return
        write_signed(self.path(key), key, {"magic": MAGIC, "key": key, "file": record, "results": results})


class RecordError(ValueError):
    """A record that is not what this version of plancheck writes."""


def _linked_folder(path: Path) -> bool:
    """Whether the layout folder or the key folder of the entry at ``path`` (``<root>/<layout>/
    <xx>/<key>.json``) is a symbolic link, or cannot be looked at: entries are then neither read
    nor written, as a link planted in the cache folder points anywhere."""
    for folder in (path.parent, path.parent.parent):
        try:
            if stat.S_ISLNK(os.lstat(folder).st_mode):
                return True
        except FileNotFoundError:
            continue  # not made yet: write_atomic makes real folders
        except (OSError, ValueError):  # ValueError: a name with a NUL byte
            return True
    return False


def read_signed(path: Path, key: str, limit: int = MAX_ENTRY_BYTES, starts: bytes = b"") -> Any:
    """The JSON data of the entry at ``path`` when it is signed for ``key`` and at most ``limit``
    bytes long; None otherwise. ``starts``: what the entry's text holds right after its signature
    (its first fields, the key among them), looked at before the rest is read: an entry of tens of
    megabytes for another key is then not read at all."""
    body = read_signed_body(path, key, limit, starts)
    if body is None:
        return None
    try:
        return json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None


def read_signed_body(
    path: Path, key: str, limit: int = MAX_ENTRY_BYTES, starts: bytes = b""
) -> bytearray | None:
    """The signed text of the entry at ``path`` (from its opening ``{``, the signature left out),
    verified for ``key``, as ``read_signed`` reads it; None when it is not one."""
    if _linked_folder(path):
        return None
    try:
        # non-blocking, then only a regular file is read: a FIFO planted as an entry would
        # otherwise block the run forever, and a device would be read to the limit; never
        # through a link (it points out of the cache folder)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
                return None
            # read into one buffer, checked and parsed in place: a tree's entry is tens of
            # megabytes, and each copy of it (as text, as the body, encoded again) cost time
            head = len(_MAC_HEAD) + _MAC_LEN + 2
            first = handle.read(head + len(starts)) if starts else b""
            if starts and first[head:] != starts:
                return None  # not this key's entry: it would not verify
            raw = bytearray(info.st_size + 1)
            raw[: len(first)] = first
            with memoryview(raw) as view:  # released before the buffer is cut to size
                size = len(first) + handle.readinto(view[len(first) :])
    except (OSError, ValueError):
        return None
    if size > info.st_size:
        return None  # it grew while it was read: not what was written whole
    del raw[size:]
    start = len(_MAC_HEAD) + _MAC_LEN  # the '",' after the signature; the body is '{' + the rest
    if not raw.startswith(_MAC_HEAD_BYTES) or raw[start : start + 2] != b'",':
        return None
    digest = hmac.new(secret(), f"{key}\0{{".encode(), hashlib.sha256)
    digest.update(memoryview(raw)[start + 2 :])
    if not hmac.compare_digest(bytes(raw[len(_MAC_HEAD) : start]), digest.hexdigest().encode()):
        return None
    raw[start + 1] = ord("{")
    del raw[: start + 1]  # from the front of a bytearray: no copy
    return raw


def write_signed(path: Path, key: str, entry: dict[str, Any], limit: int = MAX_ENTRY_BYTES) -> None:
    """Write ``entry`` (a JSON object) to ``path``, signed for ``key``; silently not at all when
    it is too large to be read back or the folder cannot be written (a cache costs only speed)."""
    try:
        body = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:
        return  # a lone surrogate (a YAML "\ud800" escape) has no UTF-8: such a plan is not cached
    if len(_MAC_HEAD) + _MAC_LEN + 1 + len(body) > limit:
        return  # it would never be read back: computing it again is the cost
    digest = hmac.new(secret(), f"{key}\0".encode(), hashlib.sha256)
    digest.update(body)
    if _linked_folder(path):
        return
    with contextlib.suppress(OSError):
        if not stat.S_ISREG(os.lstat(path).st_mode):
            # a FIFO, device or link planted in the cache: open_atomic would write through
            # it (and block on a FIFO); the entry is replaced instead
            os.unlink(path)
    # written whole to a temporary file and renamed, as every entry (see fsutil)
    with contextlib.suppress(OSError), open_atomic(path, durable=False) as handle:
        handle.write(f'{_MAC_HEAD}{digest.hexdigest()}",'.encode())
        handle.write(memoryview(body)[1:])


class _TooLarge(Exception):
    """An entry written piece by piece passed its limit: the temporary file is dropped."""


def write_signed_pieces(path: Path, key: str, pieces: Iterable[str], limit: int) -> None:
    """Write the JSON object whose text is the concatenation of ``pieces`` (the first starting
    with ``{``), signed for ``key``, as ``write_signed`` would write it whole: for an entry of tens
    of megabytes (a tree's), whose text would otherwise be held at once, twice over."""
    if _linked_folder(path):
        return
    with contextlib.suppress(OSError):
        if not stat.S_ISREG(os.lstat(path).st_mode):
            os.unlink(path)  # as in write_signed: never written through
    digest = hmac.new(secret(), f"{key}\0".encode(), hashlib.sha256)
    head = len(_MAC_HEAD) + _MAC_LEN + 2
    with (
        contextlib.suppress(OSError, UnicodeEncodeError, _TooLarge),
        open_atomic(path, durable=False) as handle,
    ):
        handle.write(b" " * head)  # the signature, known at the end, is written over it
        size = head - 1
        first = True
        for piece in pieces:
            data = piece.encode("utf-8")
            digest.update(data)
            size += len(data)
            if size > limit:
                raise _TooLarge  # it would never be read back
            handle.write(memoryview(data)[1:] if first else data)
            first = False
        handle.seek(0)
        handle.write(f'{_MAC_HEAD}{digest.hexdigest()}",'.encode())


def merge_results(old: dict[str, Any] | None, context: str, findings: str) -> dict[str, Any]:
    """``old`` with ``context`` set to ``findings`` first, keeping the latest few contexts."""
    merged: dict[str, Any] = {context: findings}
    for other, value in (old or {}).items():
        if len(merged) >= KEEP_CONTEXTS:
            break
        merged.setdefault(other, value)
    return merged
