"""Check a whole plan tree: from the cache when nothing it depends on changed, else file by file.

A warm run of a national tree must cost little more than walking it: the files' keys are taken
from the status index (hashing only what changed), the tree's key from them, and the result from
the tree entry (``run.treecache``), decoded only as far as the command needs. Only when that
fails is the tree checked file by file (``run.filewise``, which imports the models, the rules and
the worker pool: a warm run imports none of them).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from plancheck.check.result import Result
from plancheck.config import Config
from plancheck.findings import encode_finding
from plancheck.load.discover import TreeFiles, display_path, expected_id, find_root, tree_files
from plancheck.run.cache import Store
from plancheck.run.digests import DocumentDigests, catalogue_digest
from plancheck.run.planfiles import PlanFile, hash_files
from plancheck.run.statindex import StatIndex
from plancheck.run.treecache import StoredResult, TreeEntry, TreeStore, tree_key, without_results
from plancheck.run.workers import JobsError, Progress, default_workers, end_workers

if TYPE_CHECKING:
    from plancheck.load.planset import PlanSet

# the command line takes these from here: the one module that runs a tree's check
__all__ = ["JobsError", "Progress", "check_tree", "default_workers", "end_workers"]


def check_tree(
    paths: list[Path],
    config: Config,
    sources: Path | None,
    *,
    store: Store | None = None,
    workers: int = 1,
    progress: Progress | None = None,
    stat_index: bool = True,
) -> Result:
    """Load and check the tree around ``paths``: the findings ``engine.run`` would give.

    With ``stat_index`` (and a cache), files whose status the tree's ``StatIndex`` vouches for
    are not hashed; a tree extracted for one run only (``--base``) gains nothing from it.
    """
    store = store or Store(None)
    max_bytes = config.max_file_size
    index = (
        StatIndex(store, tree_root) if stat_index and store.enabled and (tree_root := _root(paths)) else None
    )
    tree = tree_files(paths)
    files = [PlanFile(f, display_path(f), expected_id(f, tree.root)) for f in tree.plan_files]
    # the whole tree's result, when nothing it depends on changed: one entry instead of one per file
    trees = _trees(store, tree.root, paths, config, sources) if stat_index else None
    if trees is None:
        from plancheck.run.filewise import check_files

        return check_files(paths, config, sources, tree, files, store, index, workers, progress)
    hash_files(files, max_bytes, index)
    catalogue_sha = catalogue_digest(tree.root, max_bytes)
    whole = _tree_key(paths, config, sources, tree, catalogue_sha, files)
    documents = DocumentDigests(sources)
    entry = trees.get(whole)
    if entry is not None and _sources_unchanged(entry, documents):
        if index is not None:
            index.save()
        result = StoredResult(entry, lambda: _stored_planset(entry, files, tree, max_bytes, sources))
        result.file_keys = {str(f.file): f.key for f in files if f.key is not None}
        result.catalogue_sha = catalogue_sha
        return result
    from plancheck.run.filewise import check_files

    return check_files(
        paths, config, sources, tree, files, store, index, workers, progress, (trees, whole, catalogue_sha)
    )


def _stored_planset(
    entry: TreeEntry, files: list[PlanFile], tree: TreeFiles, max_bytes: int, sources: Path | None
) -> PlanSet:
    from plancheck.run.filewise import stored_planset

    return stored_planset(entry, files, tree, max_bytes, sources)


def _root(paths: list[Path]) -> Path | None:
    """The plan tree's folder, as ``tree_files`` finds it (None outside a tree)."""
    return find_root(paths[0]) if paths else None


def _trees(
    store: Store, root: Path | None, paths: list[Path], config: Config, sources: Path | None
) -> TreeStore | None:
    """Where the tree entry of this check is, when there is one (see treecache)."""
    if store.root is None or not without_results(root):
        return None
    # one per configuration and sources folder too: `--base` checks a tree under two of them
    slot = [str(root), os.getcwd(), [str(p) for p in paths], list(config.judged()), str(sources)]
    return TreeStore(store.root, slot)


def _tree_key(
    paths: list[Path],
    config: Config,
    sources: Path | None,
    tree: TreeFiles,
    catalogue_sha: str,
    files: list[PlanFile],
) -> str:
    """Everything the whole tree's result depends on but the source texts (see treecache), as one key."""
    unread = [
        [encode_finding(x, "") for x in f.unread.findings] if f.unread is not None else None for f in files
    ]
    return tree_key(
        [
            str(tree.root),
            os.getcwd(),
            [str(p) for p in paths],
            list(config.judged()),
            None if sources is None else str(sources),
            catalogue_sha,
            [encode_finding(x, "") for x in tree.problems],
            [[f.shown, f.key if f.key is not None else u] for f, u in zip(files, unread, strict=True)],
        ]
    )


def _sources_unchanged(entry: TreeEntry, documents: DocumentDigests) -> bool:
    """Whether every source text the entry's result read is as it was then."""
    return all(documents.digest(name) == digest for name, digest in entry.head["documents"])
