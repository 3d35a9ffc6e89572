"""The Jinja environment templates render in, configured as Copier 9 configures it.

Copier's defaults: ``keep_trailing_newline=True`` unless ``_envops`` says otherwise, the Ansible
core filters (``to_nice_yaml``, ``b64encode``, ...; from ``jinja2-ansible-filters`` when it is
installed), the ``{% yield %}`` tag for path names, a ``to_json`` that also serializes paths and
mappings, and a ``pathjoin`` global. ``_envops.undefined`` may name ``jinja2.Undefined`` or
``jinja2.StrictUndefined``.

Every template renders in Jinja's sandbox, as in Copier, metered against its render's limits;
an untrusted one may not call the filters that read this machine
(:mod:`templsync.template.sandbox`, :mod:`templsync.template.limits`); the environment renders
through :class:`templsync.template.renderer.JinjaRenderer`. ``_jinja_extensions`` import code,
so they need trust (they load as :mod:`templsync.template.extensions` says).
Template files are served from a :class:`Tree` in memory by :class:`TreeLoader`, so
``{% include %}`` and ``{% import %}`` see the template's own files; extensions written for
Jinja's ``FileSystemLoader`` also find the template version as a folder on disk in the loader's
``searchpath``, made only when one asks for it.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import hashlib
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath
from typing import Any, Protocol

import jinja2
from jinja2 import nodes
from jinja2.bccache import Bucket
from jinja2.ext import Extension
from jinja2.parser import Parser

from templsync._core.tree import Tree
from templsync.errors import (
    ConfigFileError,
    ExtensionNotFoundError,
    MultipleYieldTagsError,
    UnsafeTemplateError,
    UserError,
)
from templsync.template.extensions import load_extensions
from templsync.template.limits import Alarm, Meter, RenderLimits
from templsync.template.links import resolve
from templsync.template.sandbox import (
    CODE_VERSION,
    GuardedSandbox,
    guard_filters,
    refuse_host_access,
)

ANSIBLE_FILTERS = "jinja2_ansible_filters.AnsibleCoreFiltersExtension"
_UNDEFINED_CLASSES: Mapping[str, type[jinja2.Undefined]] = {
    "jinja2.Undefined": jinja2.Undefined,
    "jinja2.StrictUndefined": jinja2.StrictUndefined,
}


TrustRequiredError = UnsafeTemplateError
"""A template setting runs code, and the template was not trusted."""

JinjaSetupError = ConfigFileError
"""``_envops`` (or Copier's default extensions) cannot be used to build the Jinja environment (a
``_jinja_extensions`` entry that cannot be loaded is an
:class:`~templsync.template.extensions.ExtensionLoadError`, Copier's ``ExtensionNotFoundError``)."""


class TemplateRenderError(UserError):
    """A template failed to compile or render; names the template file and line."""

    def __init__(self, name: str, line: int | None, message: str) -> None:
        self.name = name
        self.line = line
        where = f"{name}, line {line}" if line is not None else name
        super().__init__(f"cannot render the template {where}: {message}")


class BinaryTemplateError(TemplateRenderError):
    """A template file that is not UTF-8 text."""


class YieldExtension(Extension):
    """Copier's ``{% yield item from items %}...{% endyield %}`` tag, for path names.

    Rendering a name with the tag records the loop variable and the iterable; the path renderer
    then renders the name once per item. The record lives on this (per-environment) instance.
    """

    tags = frozenset({"yield"})  # type: ignore[assignment]  # Extension declares a mutable set

    def __init__(self, environment: jinja2.Environment) -> None:
        super().__init__(environment)
        self.yield_name: str | None = None
        self.yield_iterable: Iterable[object] | None = None

    def reset(self) -> None:
        self.yield_name = None
        self.yield_iterable = None

    def parse(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        target = parser.parse_assign_target(name_only=True)
        assert isinstance(target, nodes.Name)  # name_only=True parses a plain name
        parser.stream.expect("name:from")
        iterable = parser.parse_expression()
        body = parser.parse_statements(("name:endyield",), drop_needle=True)
        call = self.call_method("_yield_support", [nodes.Const(target.name), iterable])
        return nodes.CallBlock(call, [], [], body, lineno=lineno)

    def _yield_support(
        self, name: str, iterable: Iterable[object], caller: Callable[[], str]
    ) -> str:
        if self.yield_name is not None or self.yield_iterable is not None:
            raise MultipleYieldTagsError(
                "a path name may hold only one yield tag; found a second one for "
                f"{name!r} after {self.yield_name!r}."
            )
        self.yield_name = name
        self.yield_iterable = iterable
        try:
            return caller()
        except jinja2.UndefinedError:
            return ""


def make_environment(
    *,
    envops: Mapping[str, object],
    extensions: Sequence[str],
    trusted: bool,
    source: Tree | None = None,
    bytecode_cache: NamespacedCache | None = None,
    folder: Callable[[], Path] | None = None,
    limits: RenderLimits | None = None,
    alarm: Alarm | None = None,
) -> GuardedSandbox:
    """A Jinja environment as Copier builds it for a template, metered against ``limits``.

    ``envops`` and ``extensions`` are the template's ``_envops`` and ``_jinja_extensions``;
    ``source`` (the whole template Tree) backs ``{% include %}``, ``{% import %}`` and
    ``get_template``. ``bytecode_cache`` keeps compiled templates between runs (an adapter
    from ``_io``; without it they are kept in memory for this environment only). ``folder``
    gives the template version as a folder on disk (an adapter from ``_io``), called the first
    time an extension reads the loader's ``searchpath``. ``limits`` are the render's (unset
    ones take the defaults for the template's trust); ``alarm`` (an adapter from ``_io``) stops
    a render stuck in one long step.
    Raises :class:`~templsync.errors.UnsafeTemplateError` for extensions without trust,
    :class:`~templsync.template.extensions.ExtensionLoadError` (Copier's
    ``ExtensionNotFoundError``) for an extension that cannot be loaded, and
    :class:`~templsync.errors.ConfigFileError` for an unknown ``undefined`` class.
    """
    if extensions and not trusted:
        raise UnsafeTemplateError("jinja_extensions")
    options: dict[str, Any] = dict(envops)
    options.setdefault("keep_trailing_newline", True)
    undefined = options.get("undefined")
    if undefined is not None:
        if undefined not in _UNDEFINED_CLASSES:
            raise ConfigFileError(
                f"Unsupported envops.undefined value specified: {undefined}. Set "
                '`_envops.undefined` to "jinja2.Undefined" or "jinja2.StrictUndefined".'
            )
        options["undefined"] = _UNDEFINED_CLASSES[str(undefined)]
    defaults: list[str | type[Extension]] = [ANSIBLE_FILTERS, YieldExtension]
    files = source or Tree()
    loader = TreeLoader(files, folder)
    try:
        env = GuardedSandbox(
            loader=loader,
            bytecode_cache=(
                bytecode_cache.with_namespace(
                    _fingerprint(envops, extensions, trusted=trusted, source=files)
                )
                if bytecode_cache is not None
                else MemoryBytecodeCache()
            ),
            extensions=defaults,
            **options,
        )
    except ModuleNotFoundError as err:
        raise ExtensionNotFoundError(
            f"cannot load Copier's default Jinja extensions: the Python module {err.name!r} is "
            "not installed. Install it alongside templsync."
        ) from err
    except TypeError as err:
        raise ConfigFileError(f"invalid `_envops`: {err}") from err
    if extensions:
        load_extensions(env, extensions, files, loader.shown)
    to_json = env.filters.get("to_json")
    if to_json is not None:
        env.filters["to_json"] = partial(to_json, default=_jsonable)
    env.globals["pathjoin"] = _pathjoin
    if not trusted:
        refuse_host_access(env)
    env.meter = Meter(limits or RenderLimits(), trusted=trusted, alarm=alarm)
    guard_filters(env)
    return env


def _jsonable(value: object) -> object:
    """``to_json``'s fallback for values ``json`` cannot encode (Copier uses pydantic's)."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_PATH_TYPES: Mapping[str, type[PurePath]] = {
    "posix": PurePosixPath,
    "windows": PureWindowsPath,
    "native": PurePath,
}


def _pathjoin(*path: str, mode: str = "posix") -> str:
    return str(_PATH_TYPES[mode](*path))


class NamespacedCache(Protocol):
    """A bytecode cache shared by environments, each under its own namespace."""

    def with_namespace(self, namespace: str) -> jinja2.BytecodeCache: ...


def _fingerprint(
    envops: Mapping[str, object], extensions: Sequence[str], *, trusted: bool, source: Tree
) -> str:
    """What the compiled code of a template depends on besides its source.

    With extensions, that includes the template's own Python files: an extension loaded from
    the template may change how templates compile, and its code changes with the version.
    """
    settings = repr((sorted((k, repr(v)) for k, v in envops.items()), list(extensions), trusted))
    code = (
        sorted((p, e.digest) for p, e in source.items() if p.endswith(".py")) if extensions else []
    )
    text = f"{jinja2.__version__}\0{CODE_VERSION}\0{sys.version}\0{settings}\0{code}"
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


class MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled template files kept in memory for the life of one environment.

    Jinja checks each entry against its source's checksum, so a file whose content changed is
    compiled again; rendering two versions of a template (an update) compiles what they share once.
    """

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self._store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()


class TreeLoader(jinja2.BaseLoader):
    """Serves template files from a Tree, following symlinks inside it as the disk would.

    ``searchpath`` is what Jinja's ``FileSystemLoader`` has: the template's folder on disk, for
    extensions that read files or import modules of the template. ``folder`` gives it, called
    once, the first time someone asks; template files are still served from the Tree.
    """

    def __init__(self, tree: Tree, folder: Callable[[], Path] | None = None) -> None:
        self.tree = tree
        self._folder = folder
        self._made: Path | None = None

    @property
    def searchpath(self) -> list[str]:
        if self._made is None:
            if self._folder is None:
                raise AttributeError(
                    "the template's folder on disk is not available to Jinja extensions here"
                )
            self._made = self._folder().absolute()
        return [os.fspath(self._made)]

    def shown(self, filename: str) -> str:
        """``filename`` relative to the template's folder when it is in there, else as it is."""
        if self._made is not None:
            path = Path(filename)
            if path.is_relative_to(self._made):
                return path.relative_to(self._made).as_posix()
        return filename

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        entry = self.tree.get(resolve(self.tree, template))
        if entry is None or entry.is_symlink:
            raise jinja2.TemplateNotFound(template)
        try:
            text = entry.content().decode("utf-8")
        except UnicodeDecodeError as err:
            raise BinaryTemplateError(
                template, None, f"the file is not UTF-8 text ({err.reason})"
            ) from err
        return text, template, _always_fresh

    def list_templates(self) -> list[str]:
        return sorted(self.tree)


def _always_fresh() -> bool:
    return True
