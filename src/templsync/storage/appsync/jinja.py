"""Jinja over the app's cache: a bytecode cache and a template loader that a sync invalidates.

An app gives its environment ``loader=CachedLoader("templates")`` and
``bytecode_cache=CacheBytecodeCache()``; ``sync.templates()`` then removes the entries of every
template it changed, and the next render reads the new file, with no restart.

Rules this module keeps:

- Keys are ``{app}:templates:{name}`` (the template's source) and ``{app}:bccache:{name}``
  (its compiled bytecode), ``name`` being the template's Jinja name. Both read the cache and app
  in force (``configure``) at each call unless given their own.
- A cached template is up to date exactly as long as its entry still holds the same source:
  removing the entry (a sync, ``sync.cache("invalidate")``) makes Jinja load it again.
- An app never fails for its cache: when the cache does not answer, templates come straight
  from their files and bytecode is compiled again. Warming (:func:`warm`) is the exception: it
  lets :class:`CacheUnreachable` through, so its caller can report it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import jinja2
import jinja2.bccache

from templsync._core.ignore import IgnoreRules
from templsync.storage.appsync.cache import Cache, CacheUnreachable, MemoryCache, key_of
from templsync.storage.appsync.config import PathLike, StorageConfig, current


class CacheBytecodeCache(jinja2.BytecodeCache):
    """Jinja bytecode in the app's cache under ``{app}:bccache:{name}``."""

    def __init__(
        self, cache: Cache | None = None, app: str | None = None, *, quiet: bool = True
    ) -> None:
        self._cache = cache
        self._app = app
        self._quiet = quiet

    def _where(self) -> tuple[Cache, str]:
        config = current()
        return self._cache or config.the_cache(), self._app or config.app

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return name

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        cache, app = self._where()
        try:
            data = cache.get(key_of(app, "bccache", bucket.key))
        except CacheUnreachable:
            if not self._quiet:
                raise
            return
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        cache, app = self._where()
        try:
            cache.set(key_of(app, "bccache", bucket.key), bucket.bytecode_to_string())
        except CacheUnreachable:
            if not self._quiet:
                raise


class CachedLoader(jinja2.BaseLoader):
    """Jinja's ``FileSystemLoader`` behind the app's cache (``{app}:templates:{name}``)."""

    def __init__(
        self,
        searchpath: PathLike | Sequence[PathLike],
        *,
        cache: Cache | None = None,
        app: str | None = None,
        encoding: str = "utf-8",
    ) -> None:
        paths = [searchpath] if isinstance(searchpath, (str, os.PathLike)) else searchpath
        self.searchpath = [Path(os.fspath(p)) for p in paths]
        self._files = jinja2.FileSystemLoader(self.searchpath, encoding=encoding)
        self._cache = cache
        self._app = app

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        config = current()
        cache, app = self._cache or config.the_cache(), self._app or config.app
        key = key_of(app, "templates", template)
        filename: str | None
        try:
            cached = cache.get(key)
            if cached is None:
                source, filename, _ = self._files.get_source(environment, template)
                cached = source.encode()
                cache.set(key, cached)
            else:
                source, filename = cached.decode(), self._filename(template)
        except CacheUnreachable:
            return self._files.get_source(environment, template)
        held = cached

        def uptodate() -> bool:
            try:
                return cache.get(key) == held
            except CacheUnreachable:
                return False

        return source, filename, uptodate

    def list_templates(self) -> list[str]:
        return self._files.list_templates()

    def _filename(self, template: str) -> str | None:
        for folder in self.searchpath:
            path = folder / template
            if path.is_file():
                return str(path)
        return None


def template_names(folders: Sequence[Path], patterns: Sequence[str]) -> list[str]:
    """The Jinja names of the files under ``folders`` matching ``patterns``, sorted."""
    if not any(f.is_dir() for f in folders):
        return []
    rules = IgnoreRules.of(["*", "!*/", *(f"!{p}" for p in patterns)])
    names = jinja2.FileSystemLoader(list(folders)).list_templates()
    return [n for n in names if not rules.ignores(n)]


def warm(
    config: StorageConfig, names: Sequence[str], namespaces: Sequence[str]
) -> tuple[list[str], list[str]]:
    """Put each template's source (``templates``) and bytecode (``bccache``) in the cache, for
    the namespaces asked; the keys written, and the templates that do not compile.

    Every template is compiled here (into a staging cache), then all keys are written at once:
    one round trip per batch instead of three per template."""
    app = config.app
    staged = MemoryCache()
    base = config.environment or jinja2.Environment()  # noqa: S701  # compiled, never rendered
    env = base.overlay(
        loader=jinja2.FileSystemLoader(list(config.template_paths)),
        bytecode_cache=CacheBytecodeCache(staged, app, quiet=False),
        cache_size=0,
    )
    items: list[tuple[str, bytes]] = []
    errors: list[str] = []
    for name in names:
        try:
            source, _, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]  # set above
            env.get_template(name)
        except jinja2.TemplateSyntaxError as err:
            errors.append(f"{name}:{err.lineno}: {err.message}")
            continue
        except jinja2.TemplateNotFound:
            errors.append(f"{name}: not found in {', '.join(map(str, config.template_paths))}")
            continue
        if "templates" in namespaces:
            items.append((key_of(app, "templates", name), source.encode()))
        if "bccache" in namespaces:
            code = staged.get(key_of(app, "bccache", name))
            assert code is not None  # get_template compiled it into ``staged``
            items.append((key_of(app, "bccache", name), code))
    config.the_cache().set_many(items)
    return [key for key, _ in items], errors
