"""Where an instance's ``_src_path`` leads: the template's location, or what is wrong with it.

Copier records ``_src_path`` exactly as it was given to ``copier copy``: a URL, an absolute
path, or a path relative to the folder the copy ran in, which is not always the instance's
(``copier copy ../../tmpl services/api`` run at a monorepo's ``tools/`` records
``../../tmpl``). So a relative ``_src_path`` is looked for, in this order:

1. from the instance's folder;
2. from each folder above it, up to the top of the git repository holding it;
3. from the current folder.

The first place where something exists wins; when it is not the first, a
:class:`~templsync.errors.TemplateElsewhereWarning` says which was used (the command prints
it), so a wrong guess can be seen. A ``_src_path`` that is not text, is empty, leads nowhere
or to a plain file (not a git bundle) is an error naming the answers file and saying which
it is.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from templsync._io.sources import SourceNotFoundError, is_bundle
from templsync._io.vcsurl import expand_url
from templsync.template.answers import AnswersFileError

__all__ = [
    "TemplateLocation",
    "TemplateNotFoundError",
    "checked_src_path",
    "locate_template",
]


class TemplateNotFoundError(SourceNotFoundError):
    """``_src_path`` leads to nothing, or to a plain file."""


@dataclass(frozen=True)
class TemplateLocation:
    """Where the template is read from, and what to say about how it was found."""

    spec: str
    """The spelling :func:`~templsync._io.sources.resolve_source` is given."""
    note: str | None = None
    """Set when a relative ``_src_path`` was not found from the instance's own folder."""


def checked_src_path(value: object, answers: Path) -> str:
    """``_src_path`` as YAML read it from ``answers``, when it can name a template."""
    if value is None:
        raise AnswersFileError(
            f"{answers}: the answers file has no `_src_path`, so the template this project "
            "came from is unknown. Add `_src_path: <template>` to it (the template's folder, "
            "git repository or URL)."
        )
    if not isinstance(value, str):
        scalar = isinstance(value, int | float | dt.date)
        shown = str(value).lower() if isinstance(value, bool) else str(value)
        quote = f" If it is a folder's name, quote it: `_src_path: '{shown}'`." if scalar else ""
        raise AnswersFileError(
            f"{answers}: `_src_path` is {_kind(value)}, not the template's location. It "
            "should be the template's folder, git repository or URL (`_src_path: "
            f"gh:org/template`).{quote}"
        )
    if not value.strip():
        raise AnswersFileError(
            f"{answers}: `_src_path` is empty, so the template this project came from is "
            "unknown. Set it to the template's folder, git repository or URL."
        )
    return value


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, dt.date):
        return f"a date ({value.isoformat()})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


def locate_template(
    src: str, answers: Path, root: Path, top: Path | None, cwd: Path
) -> TemplateLocation:
    """Where ``src`` (the ``_src_path`` of ``answers``, in the instance folder ``root``, in the
    git repository whose top is ``top``, if any) leads; see the module's documentation."""
    if expand_url(src) is not None and not _exists(Path(src)):
        return TemplateLocation(src)  # a remote: the source adapter fetches it
    path = Path(src).expanduser()
    if path.is_absolute():
        if not _exists(path):
            raise TemplateNotFoundError(
                f"{answers}: `_src_path: {src}`: the template {path} does not exist (nothing "
                "is there). Put the template there, or fix `_src_path` to where it is."
            )
        return TemplateLocation(_checked_file(src, path, answers))
    bases = _bases(root, top, cwd)
    for n, (base, label) in enumerate(bases):
        candidate = base / path
        if _exists(candidate):
            spec = _checked_file(src, candidate, answers)
            if n == 0:
                return TemplateLocation(spec)
            return TemplateLocation(
                spec,
                f"`_src_path: {src}` ({answers}) is not found from the project's folder; the "
                f"template was read from {os.path.normpath(candidate)}, relative to {label} "
                f"({base}). Copier "
                "records the path as given, relative to where `copier copy` ran.",
            )
    tried = ", ".join(f"{label} ({base})" for base, label in bases)
    raise TemplateNotFoundError(
        f"{answers}: `_src_path: {src}`: the template does not exist, from any of the folders "
        f"it could be relative to: {tried}. Fix `_src_path` to the template's location (a "
        "path relative to the project, an absolute path or a URL), or run the command from "
        "the folder the copy was made in."
    )


def _bases(root: Path, top: Path | None, cwd: Path) -> list[tuple[Path, str]]:
    """The folders a relative ``_src_path`` may be relative to, in order, each with its name."""
    here = root.absolute()
    bases = [(here, "the project's folder")]
    real = here.resolve()
    if top is not None and real != top and real.is_relative_to(top):
        for parent in real.parents:
            name = "the repository's top" if parent == top else "a folder above the project"
            bases.append((parent, name))
            if parent == top:
                break
    if cwd.resolve() not in {b.resolve() for b, _ in bases}:
        bases.append((cwd, "the current folder"))
    return bases


def _checked_file(src: str, path: Path, answers: Path) -> str:
    """``path`` as a source spelling; a plain file that is not a git bundle is an error."""
    if path.is_file() and not is_bundle(path):
        raise TemplateNotFoundError(
            f"{answers}: `_src_path: {src}` leads to {path}, a plain file, not a template. "
            "It should be the template's folder, git repository (or git bundle) or URL."
        )
    return str(path.absolute())


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:
        return False
