"""Where an app's templates, settings and cache are: the storage root, the cache, the folders.

Rules this module keeps:

- One configuration per process, replaced whole by :func:`configure` (each argument left out
  keeps its current value); the calls read it when they start, so a run never sees half of a
  change.
- The storage root is ``configure(root=...)``, else ``TEMPLSYNC_STORAGE_ROOT`` read at the
  moment of the call; a ``storage_bucket`` is a folder or prefix under it. Neither set is a
  :class:`UserError` naming both.
- The cache is an in-process :class:`~templsync.storage.appsync.cache.MemoryCache` unless
  ``configure(cache=...)`` gives one, or a ``redis://`` URL (also read from
  ``TEMPLSYNC_CACHE_URL``). Keys are ``{app}:{namespace}:{key}``.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from templsync.errors import UserError
from templsync.storage.appsync.cache import Cache, MemoryCache, open_cache
from templsync.storage.locations import folder_of

if TYPE_CHECKING:
    import jinja2

ROOT_ENV = "TEMPLSYNC_STORAGE_ROOT"
CACHE_ENV = "TEMPLSYNC_CACHE_URL"
TEMPLATE_PATTERNS = ("*.html", "*.jinja", "*.j2")
SETTINGS_PATTERNS = ("*.yml", "*.yaml")

ReloadHook = Callable[[tuple[str, ...]], Awaitable[object] | object]
"""Called after a settings sync changed local files, with the names of the adapters affected."""

PathLike = str | os.PathLike[str]
"""A folder as ``str``, :class:`~pathlib.Path` or ``anyio.Path`` (any ``os.PathLike``)."""


class NoStorageRootError(UserError):
    """Neither ``configure(root=...)`` nor ``TEMPLSYNC_STORAGE_ROOT`` says where the storage is."""


@dataclass(frozen=True)
class StorageConfig:
    """Where an app's files and cache are. ``root`` None: ``TEMPLSYNC_STORAGE_ROOT``; ``cache``
    None: ``TEMPLSYNC_CACHE_URL``, else the process's in-process cache."""

    root: str | None = None
    cache: Cache | None = None
    app: str = "templsync"
    template_paths: tuple[Path, ...] = (Path("templates"),)
    template_patterns: tuple[str, ...] = TEMPLATE_PATTERNS
    settings_path: Path = Path("settings")
    state_dir: Path | None = None
    environment: jinja2.Environment | None = field(default=None, repr=False)
    reload: ReloadHook | None = field(default=None, repr=False)

    def storage_root(self) -> str:
        root = self.root or os.environ.get(ROOT_ENV)
        if not root:
            raise NoStorageRootError(
                "no storage root is set: call templsync.storage.configure(root=URL) or set "
                f"{ROOT_ENV} (a folder, s3://bucket/prefix, sftp://host/path, or any fsspec URL)."
            )
        return root

    def bucket(self, name: str) -> str:
        """The location of ``name`` under the storage root."""
        if not name or name.startswith("/") or ".." in name.split("/"):
            raise UserError(
                f"storage_bucket {name!r} must be a relative name under the storage root, such "
                "as 'templates'."
            )
        root = self.storage_root()
        folder = folder_of(root)
        if folder is not None:
            return str(folder / name)
        return f"{root.rstrip('/')}/{name.strip('/')}"

    def the_cache(self) -> Cache:
        if self.cache is not None:
            return self.cache
        url = os.environ.get(CACHE_ENV)
        if url:
            return _opened(url)
        return _MEMORY


_MEMORY = MemoryCache()
_OPENED: dict[str, Cache] = {}
_current = StorageConfig()


def _opened(url: str) -> Cache:
    if url not in _OPENED:
        _OPENED[url] = open_cache(url)
    return _OPENED[url]


def configure(
    *,
    root: PathLike | None = None,
    cache: Cache | str | None = None,
    app: str | None = None,
    template_paths: Sequence[PathLike] | None = None,
    template_patterns: Sequence[str] | None = None,
    settings_path: PathLike | None = None,
    state_dir: PathLike | None = None,
    environment: jinja2.Environment | None = None,
    reload: ReloadHook | None = None,
) -> StorageConfig:
    """Set where the storage root, the cache and the app's folders are; return the new whole.

    ``root``: a folder or any fsspec URL (``s3://bucket/prefix``); ``cache``: a
    :class:`Cache`, a ``redis://`` URL or ``memory://``; ``app``: the first part of every cache
    key; ``environment``: the app's Jinja environment, whose settings warming compiles with;
    ``reload``: called (and awaited when it returns an awaitable) after a settings sync changed
    local files.
    """
    global _current  # noqa: PLW0603  # the one process-wide configuration, replaced whole
    changes: dict[str, object] = {}
    if root is not None:
        changes["root"] = os.fspath(root)
    if cache is not None:
        changes["cache"] = _opened(cache) if isinstance(cache, str) else cache
    if app is not None:
        if not app or ":" in app:
            raise UserError(
                f"app {app!r}: give a non-empty name without ':' (keys are app:ns:key)."
            )
        changes["app"] = app
    if template_paths is not None:
        changes["template_paths"] = tuple(Path(os.fspath(p)) for p in template_paths)
    if template_patterns is not None:
        changes["template_patterns"] = tuple(template_patterns)
    if settings_path is not None:
        changes["settings_path"] = Path(os.fspath(settings_path))
    if state_dir is not None:
        changes["state_dir"] = Path(os.fspath(state_dir))
    if environment is not None:
        changes["environment"] = environment
    if reload is not None:
        changes["reload"] = reload
    _current = replace(_current, **changes)  # type: ignore[arg-type]  # keys are fields above
    return _current


def current() -> StorageConfig:
    """The configuration in force."""
    return _current


def install(config: StorageConfig) -> None:
    """Put ``config`` in force as it is (tests restore the one they found)."""
    global _current  # noqa: PLW0603  # see configure
    _current = config
