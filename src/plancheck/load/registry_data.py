"""The official registry of administrative units (the ``vietnam-provinces`` package) as its raw
data, and the hash of it that the cache's code fingerprint holds: read without the models that
``load.admin`` builds from it."""

from __future__ import annotations

import hashlib
import importlib.util
from functools import lru_cache
from pathlib import Path

REGISTRY_PACKAGE = "vietnam-provinces"


@lru_cache(maxsize=1)
def registry_bytes() -> bytes:
    # The package's JSON data is read without importing the package: its modules build enums
    # and lookup tables of 3,400 units, several times the cost of this file, in every process.
    spec = importlib.util.find_spec("vietnam_provinces")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the {REGISTRY_PACKAGE} package is not installed")
    folder = Path(next(iter(spec.submodule_search_locations)))
    return (folder / "data" / "nested-divisions.json").read_bytes()


def registry_digest() -> str:
    """A hash of the registry's data (part of the cache's code fingerprint)."""
    return hashlib.sha256(registry_bytes()).hexdigest()
