"""Load ``copier.yml`` as Copier does: multi-document, ``!include`` with globs, merged settings.

Copier (``copier/_template.py``, ``load_template_config``) reads every document of the file,
drops empty ones, flattens lists (an ``!include`` yields the list of the included documents),
then merges: four list settings are concatenated across documents, every other key takes the
value of the last document that sets it, and keys keep the order in which they first appear.

Here the files come from a :class:`~templsync._core.tree.Tree`, so nothing touches the disk, and
the line of every top-level key is kept so errors can say where a question is defined. An
``!include`` pattern is taken relative to the template's root, ``..`` resolved: one that leaves
the template is an error naming it (:class:`ForbiddenIncludeError`; Copier refuses it only when
a file outside matches, which a Tree cannot know, so we refuse the pattern itself). Every file is
read within :mod:`templsync._limits` (nesting, aliases); an ``!include`` of a file that is being
included already (a cycle) and includes nested more than ``MAX_INCLUDE_DEPTH`` deep are refused,
where Copier would recurse until Python stops it.

Files are parsed by libyaml (PyYAML's C parser, ten times faster than its Python one on a
questionnaire of a few hundred lines) where PyYAML has it and the file is small enough for it
(:func:`templsync._yaml.fast_documents_ok`), and what it built is checked against the same limits
(:func:`templsync._yaml.within_limits`). A file libyaml refuses, or whose values pass a limit, is
parsed again by the Python parser (which Copier uses) within the limits, so an error reads as
Copier's and PyYAML's would.
"""

from __future__ import annotations

import fnmatch
import io
import posixpath
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from templsync._core.tree import Tree
from templsync._limits import MAX_INCLUDE_DEPTH, LimitError, parse_within
from templsync._yaml import LimitedLoader, fast_documents_ok, within_limits
from templsync.errors import ForbiddenPathError, InvalidConfigFileError

_LIBYAML = hasattr(yaml, "CSafeLoader")  # PyYAML built without libyaml has no C parser
_LoaderClass = type[yaml.SafeLoader] | type[yaml.CSafeLoader]
MERGED_LIST_SETTINGS = ("_exclude", "_jinja_extensions", "_secret_questions", "_skip_if_exists")


TemplateConfigError = InvalidConfigFileError
"""``copier.yml`` (or a file it includes) is invalid: Copier's ``InvalidConfigFileError``."""


class ForbiddenIncludeError(ForbiddenPathError, TemplateConfigError):
    """An ``!include`` names a path outside the template: Copier's ``ForbiddenPathError``."""


@dataclass(frozen=True)
class Location:
    """Where a top-level key of the configuration is defined (``line`` counts from 1)."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class LoadedYaml:
    """The merged configuration mapping and where each top-level key was defined."""

    data: Mapping[str, Any]
    locations: Mapping[str, Location]


class _NamedBytes(io.BytesIO):
    """Bytes with a ``name``, so PyYAML's marks name the file."""

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name


def load_config_yaml(tree: Tree, path: str) -> LoadedYaml:
    """Load and merge the configuration file ``path`` of ``tree`` (which must contain it)."""
    locations: dict[str, Location] = {}
    including = [path]  # the files being read, the one whose !include runs last

    class _Recording(yaml.constructor.SafeConstructor):
        """Records the line of each top-level key (a mixin of the two loaders below)."""

        _root: yaml.Node | None = None

        def construct_document(self, node: yaml.Node) -> Any:
            self._root = node
            return super().construct_document(node)

        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
            if node is self._root:
                for key_node, _ in node.value:
                    if isinstance(key_node, yaml.ScalarNode):
                        locations[str(key_node.value)] = Location(
                            str(key_node.start_mark.name), key_node.start_mark.line + 1
                        )
            return super().construct_mapping(node, deep=deep)

    class _Loader(_Recording, LimitedLoader):
        """A loader class of its own, so ``!include`` is not added to PyYAML's SafeLoader."""

    loaders: tuple[_LoaderClass, ...] = (_Loader,)
    if _LIBYAML:

        class _FastLoader(_Recording, yaml.CSafeLoader):
            """The same loader on libyaml's parser."""

        loaders = (_FastLoader, _Loader)

    def _include(loader: yaml.SafeLoader | yaml.CSafeLoader, node: yaml.Node) -> list[Any]:
        if not isinstance(node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                None, None, "!include takes a path or glob pattern", node.start_mark
            )
        pattern = str(loader.construct_scalar(node))
        if pattern.startswith("/"):
            raise yaml.constructor.ConstructorError(
                None, None, "YAML include file path must be a relative path", node.start_mark
            )
        inside = posixpath.normpath(pattern)
        if inside == ".." or inside.startswith("../"):
            mark = node.start_mark
            raise ForbiddenIncludeError(
                inside,
                f"{mark.name}:{mark.line + 1}: `!include {pattern}` names a path outside the "
                "template. An included file must be inside the template's folder: move it there.",
            )
        pattern = inside
        data: list[Any] = []
        for included in glob_tree(tree, pattern):
            _enter(including, included, node.start_mark)
            data.extend(_flatten(filter(None, _load_all(tree, included, loaders))))
            including.pop()
        return data

    for loader in loaders:
        loader.add_constructor("!include", _include)
    try:
        documents = _flatten(filter(None, parse_within(lambda: _load_all(tree, path, loaders))))
    except LimitError as err:  # too deep for Python, across includes
        raise TemplateConfigError(f"{' -> '.join(including)} {err}. Flatten it.") from None
    for position, document in enumerate(documents):
        if not isinstance(document, dict):
            raise TemplateConfigError(
                f"{path}: document {position + 1} is a {type(document).__name__}, not a mapping "
                "of questions and settings."
            )
    return LoadedYaml(_merge(documents, locations, path), locations)


def _load_all(tree: Tree, path: str, loaders: Sequence[_LoaderClass]) -> list[Any]:
    """Every document of ``path``, by the first of ``loaders`` that parses it within the limits.

    Only the last loader's error is reported: the others (libyaml's) are only faster.
    """
    data = tree[path].content()
    *faster, last = loaders
    if fast_documents_ok(data):
        for loader in faster:
            try:
                documents = list(
                    yaml.load_all(_NamedBytes(data, path), Loader=loader)
                )  # a SafeLoader
            except yaml.YAMLError:
                continue  # parsed again by the last loader, whose error is the one reported
            if within_limits(documents):
                return documents
    try:
        return list(yaml.load_all(_NamedBytes(data, path), Loader=last))
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"{mark.name}:{mark.line + 1}" if mark is not None else path
        problem = err.problem or err.context or "invalid YAML"
        raise TemplateConfigError(
            f"{where}: invalid YAML: {problem}. Fix the file so it parses as YAML."
        ) from err
    except yaml.YAMLError as err:
        raise TemplateConfigError(f"{path}: invalid YAML: {err}") from err
    except LimitError as err:
        raise TemplateConfigError(f"{path} {err}. Fix the file.") from err


def _enter(including: list[str], included: str, mark: yaml.Mark) -> None:
    """Start reading ``included`` for an ``!include`` at ``mark``: no cycle, not too deep."""
    where = f"{mark.name}:{mark.line + 1}"
    if included in including:
        cycle = " -> ".join([*including[including.index(included) :], included])
        raise TemplateConfigError(
            f"{where}: !include makes a cycle ({cycle}): a file cannot include itself, "
            "directly or through other files. Remove one of the includes."
        )
    if len(including) > MAX_INCLUDE_DEPTH:
        raise TemplateConfigError(
            f"{where}: !include is nested more than {MAX_INCLUDE_DEPTH} files deep "
            f"({' -> '.join([*including, included])}). Include fewer levels."
        )
    including.append(included)


def _flatten(items: Any) -> list[Any]:
    """``funcy.lflatten``: lists and tuples are opened recursively, anything else is kept."""
    result: list[Any] = []
    for item in items:
        if isinstance(item, list | tuple):
            result.extend(_flatten(item))
        else:
            result.append(item)
    return result


def _merge(
    documents: list[dict[str, Any]], locations: Mapping[str, Location], path: str
) -> dict[str, Any]:
    merged_lists: dict[str, list[Any]] = {}
    for option in MERGED_LIST_SETTINGS:
        for document in documents:
            if option in document:
                if not isinstance(document[option], list):
                    where = locations.get(option, path)
                    raise TemplateConfigError(
                        f"{where}: setting '{option}' must be a list of strings, "
                        f"not {document[option]!r}."
                    )
                merged_lists.setdefault(option, []).extend(document[option])
    result: dict[str, Any] = {}
    for document in documents:
        for key in document:
            result.setdefault(key, None)
    for document in documents:
        result.update(document)
    result.update(merged_lists)
    return result


def glob_tree(tree: Tree, pattern: str) -> Iterator[str]:
    """The files of ``tree`` matching ``pattern`` as :meth:`pathlib.Path.glob` matches, sorted."""
    parts = [p for p in pattern.split("/") if p not in ("", ".")]
    for path in sorted(tree):
        if _match_parts(parts, path.split("/")):
            yield path


def _match_parts(pattern: list[str], parts: list[str]) -> bool:
    if not pattern:
        return not parts
    head = pattern[0]
    if head == "**":
        return any(_match_parts(pattern[1:], parts[i:]) for i in range(len(parts) + 1))
    if not parts:
        return False
    return fnmatch.fnmatchcase(parts[0], head) and _match_parts(pattern[1:], parts[1:])
