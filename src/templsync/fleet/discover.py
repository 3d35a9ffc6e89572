"""Find the instances of a template under folders, and add the missing ones to its fleet.

Every ``.copier-answers*.yml`` under the roots is read; its ``_src_path`` says which template
made the instance, spelled as the copy was run: a path relative to the folder the copy ran from
(the instance's folder, its parent, or higher up in a monorepo), an absolute path, or a URL in
any of its forms (``gh:org/repo``, ``git@github.com:org/repo.git``, ``https://...``). Each
spelling is turned into an identity (the real path of a local template, plus the URLs of its
git remotes; or the normalized URL) and compared with the template's.

Nothing is written here: :func:`discover` returns the fleet with the new entries, and the
caller saves it. Answers files that cannot be read are listed with the reason; those of other
templates are only counted.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from pathlib import Path
from urllib.parse import unquote, urlsplit

from templsync._io.gitrepo import GitRepoError, open_repo
from templsync._io.vcsurl import expand_url, strip_credentials
from templsync.errors import UserError
from templsync.fleet.registry import (
    DEFAULT_ANSWERS_FILE,
    REGISTRY_FILE,
    Fleet,
    FleetEntry,
    is_remote,
    load_fleet,
    new_fleet,
    resolve_location,
)
from templsync.template.answers import AnswersFileError, read_answers

ANSWERS_PATTERNS = (".copier-answers*.yml", ".copier-answers*.yaml")
SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__", "site-packages"})
"""Folders never searched, besides hidden ones (``.git``, ``.venv``, caches) and virtualenvs."""
_MAX_UPS = 3
"""A location more than this many ``..`` away from the registry is written as an absolute path."""
_CASELESS_HOSTS = frozenset({"github.com", "gitlab.com", "bitbucket.org"})


@dataclass(frozen=True)
class DiscoverResult:
    """What a search found: the fleet with the new entries, and what was left out and why."""

    fleet: Fleet
    added: tuple[FleetEntry, ...]
    existing: tuple[FleetEntry, ...]
    """Entries of the registry that were found again (left as they are)."""
    skipped: tuple[tuple[Path, str], ...]
    """Answers files (or roots) that could not be read, with the reason."""
    other_templates: int = 0
    """Answers files of other templates: not listed, only counted."""

    def onto_registry(self) -> Fleet:
        """The registry as it is on disk now (a search can take long, and the file may have
        been edited meanwhile) with the entries this search added that it still lacks."""
        fresh = load_fleet(self.fleet.path)
        names = {e.name for e in fresh.entries}
        return fresh.with_entries(e for e in self.added if e.name not in names)


@dataclass(frozen=True)
class Identity:
    """Who a template is: the real paths of its local folder and its normalized URLs."""

    paths: frozenset[str] = frozenset()
    urls: frozenset[str] = frozenset()

    def same_as(self, other: Identity) -> bool:
        return bool(self.paths & other.paths or self.urls & other.urls)


@dataclass
class _Identities:
    """Identities of local folders, each worked out once (reading a repository's remotes)."""

    known: dict[Path, Identity] = field(default_factory=dict)

    def of_folder(self, path: Path) -> Identity:
        real = path.resolve()
        if real not in self.known:
            self.known[real] = Identity(frozenset({str(real)}), frozenset(_remote_urls(real)))
        return self.known[real]

    def of_spelling(self, spelling: str, bases: Iterable[Path]) -> Identity | None:
        """The template ``spelling`` names, a relative path tried against each of ``bases`` in
        turn (the first that exists wins); None when it names nothing that exists."""
        local = _file_url_path(spelling)
        if local is None and is_remote(spelling):
            return Identity(urls=frozenset({url_key(spelling)}))
        path = Path(local or spelling).expanduser()
        candidates = [path] if path.is_absolute() else [base / path for base in bases]
        for candidate in candidates:
            if candidate.exists():
                return self.of_folder(candidate)
        return None


def discover(
    fleet_or_template: Fleet | Path | str,
    roots: Sequence[Path],
    *,
    name: str | None = None,
) -> DiscoverResult:
    """Search ``roots`` for instances of the fleet's template; the fleet with those not yet in it.

    ``fleet_or_template`` is a fleet, or a template (a folder, or a URL) with no registry yet:
    then the fleet is a new one whose registry goes in the template's folder (for a URL, the
    current folder). New instances are named after their folders (``name`` names the one
    instance found; it is an error when more are added). Entries already in the fleet are
    recognized by their folder and answers file, and never changed.
    """
    fleet = _as_fleet(fleet_or_template)
    identities = _Identities()
    base = fleet.path.parent.resolve()
    template = identities.of_spelling(fleet.template, [base])
    if template is None:
        raise UserError(
            f"the template {fleet.template!r} of {fleet.path} does not exist. Fix `template` "
            "in the registry."
        )
    skipped: list[tuple[Path, str]] = []
    found, others = _instances_of(template, roots, identities, skipped)
    known = _known_entries(fleet, base)
    existing: list[FleetEntry] = []
    new: list[Path] = []
    for answers in found:
        entry = known.get((answers.parent.resolve(), answers.name))
        if entry is None:
            new.append(answers)
        elif entry not in existing:
            existing.append(entry)
    added = _new_entries(new, base, {e.name for e in fleet.entries})
    if name is not None:
        added = _rename(added, name, fleet)
    return DiscoverResult(
        fleet=fleet.with_entries(added),
        added=tuple(added),
        existing=tuple(existing),
        skipped=tuple(skipped),
        other_templates=others,
    )


def instance_problem(fleet: Fleet, folder: Path, answers_file: str | None = None) -> str | None:
    """Why ``folder`` is not an instance of the fleet's template, or None when it is one: no
    such folder, no answers file, an answers file that cannot be read or names no template, or
    one of another template."""
    answers_name = answers_file or DEFAULT_ANSWERS_FILE
    if not folder.is_dir():
        return "no such folder"
    answers = folder / answers_name
    if not answers.is_file():
        return f"no {answers_name} in it (--answers-file names another one)"
    skipped: list[tuple[Path, str]] = []
    recorded = _src_path(answers, skipped)
    if recorded is None:
        return f"{answers_name}: {skipped[0][1]}"
    identities = _Identities()
    template = identities.of_spelling(fleet.template, [fleet.path.parent.resolve()])
    if template is None:
        return f"the fleet's template {fleet.template!r} does not exist"
    here = folder.absolute()
    identity = identities.of_spelling(recorded, [here, *here.parents])
    if identity is None or not identity.same_as(template):
        return f"{answers_name} records another template: _src_path is {recorded!r}"
    return None


def url_key(url: str) -> str:
    """``url`` reduced to ``host/path``: the scheme, user, port, ``.git`` and case of the host
    (and of the path, on hosts that ignore it) dropped, so every spelling of a repo is equal."""
    expanded = strip_credentials(expand_url(url) or url)
    scp = re.fullmatch(r"(?:[^@/:]+@)?([^/:]+):(?!//)(.*)", expanded)
    if scp and "://" not in expanded:
        host, path = scp.group(1), scp.group(2)
    else:
        parts = urlsplit(expanded)
        host, path = parts.hostname or "", parts.path
    host = host.lower()
    path = path.strip("/").removesuffix(".git").rstrip("/")
    if host in _CASELESS_HOSTS:
        path = path.lower()
    return f"{host}/{path}"


def _as_fleet(fleet_or_template: Fleet | Path | str) -> Fleet:
    if isinstance(fleet_or_template, Fleet):
        return fleet_or_template
    spelling = str(fleet_or_template)
    if is_remote(spelling) and _file_url_path(spelling) is None:
        return new_fleet(Path.cwd() / REGISTRY_FILE, spelling)
    folder = Path(_file_url_path(spelling) or spelling).expanduser().resolve()
    return new_fleet(folder / REGISTRY_FILE, ".")


def _search(roots: Sequence[Path], skipped: list[tuple[Path, str]]) -> Iterator[Path]:
    """Every answers file under ``roots`` once, in path order."""
    seen: set[Path] = set()
    for root in roots:
        if root.is_file():
            found: Iterable[Path] = [root] if _is_answers_file(root.name) else []
        elif root.is_dir():
            found = _walk(root, skipped)
        else:
            skipped.append((root, "no such folder"))
            continue
        for path in found:
            real = path.resolve()
            if real not in seen:
                seen.add(real)
                yield path


def _walk(root: Path, skipped: list[tuple[Path, str]]) -> Iterator[Path]:
    def unreadable(err: OSError) -> None:
        skipped.append((Path(err.filename or root), f"cannot read the folder: {err.strerror}"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not _skip_folder(here / d))
        for filename in sorted(filenames):
            if _is_answers_file(filename):
                yield here / filename


def _skip_folder(path: Path) -> bool:
    name = path.name
    return name.startswith(".") or name in SKIPPED_FOLDERS or (path / "pyvenv.cfg").is_file()


def _is_answers_file(name: str) -> bool:
    return any(fnmatchcase(name, pattern) for pattern in ANSWERS_PATTERNS)


def _src_path(answers: Path, skipped: list[tuple[Path, str]]) -> str | None:
    try:
        recorded = read_answers(answers.read_bytes(), str(answers))
    except OSError as err:
        skipped.append((answers, f"cannot read it: {err.strerror}"))
        return None
    except AnswersFileError as err:
        skipped.append((answers, _reason(str(err), str(answers))))
        return None
    if recorded.src_path is None or not recorded.src_path.strip():
        skipped.append((answers, "it has no _src_path, so the template that made it is unknown"))
        return None
    return recorded.src_path


def _reason(message: str, path: str) -> str:
    """An answers file error without its path (shown beside it): ``line N: ...``."""
    rest = message.removeprefix(path)
    line = re.match(r":(\d+): ", rest)
    if line:
        return f"line {line.group(1)}: {rest[line.end() :]}"
    return rest.removeprefix(": ")


def _instances_of(
    template: Identity,
    roots: Sequence[Path],
    identities: _Identities,
    skipped: list[tuple[Path, str]],
) -> tuple[list[Path], int]:
    """The answers files under ``roots`` made from ``template``, and how many were not."""
    found: list[Path] = []
    others = 0
    for answers in _search(roots, skipped):
        recorded = _src_path(answers, skipped)
        if recorded is None:
            continue
        folder = answers.parent.absolute()
        identity = identities.of_spelling(recorded, [folder, *folder.parents])
        if identity is not None and identity.same_as(template):
            found.append(answers)
        else:
            others += 1
    return found, others


def _new_entries(found: list[Path], base: Path, taken: set[str]) -> list[FleetEntry]:
    """Entries for new answers files, named after their folders: a folder name that two of them
    share (or an entry already has) gets the parent folder's name in front."""
    shared = Counter(answers.parent.name for answers in found)
    added: list[FleetEntry] = []
    for answers in found:
        folder = answers.parent
        name = _unique_name(folder, answers.name, taken, qualify=shared[folder.name] > 1)
        taken.add(name)
        added.append(
            FleetEntry(
                name=name,
                location=spell_location(folder.resolve(), base),
                answers_file=None if answers.name == DEFAULT_ANSWERS_FILE else answers.name,
            )
        )
    return added


def _known_entries(fleet: Fleet, base: Path) -> dict[tuple[Path, str], FleetEntry]:
    known: dict[tuple[Path, str], FleetEntry] = {}
    for entry in fleet.entries:
        if not is_remote(entry.location):
            known[(resolve_location(base, entry.location), entry.answers_path)] = entry
    return known


def _unique_name(folder: Path, answers_name: str, taken: set[str], *, qualify: bool) -> str:
    """The folder's name (unless ``qualify``); else its parent's and its own; else with the
    answers file's suffix or a number."""
    plain = folder.name or "instance"
    qualified = f"{folder.parent.name}-{plain}" if folder.parent.name else plain
    candidates = [qualified, plain] if qualify else [plain, qualified]
    suffix = answers_name.removeprefix(".copier-answers").rsplit(".", 1)[0].strip(".-_")
    if suffix:
        candidates.append(f"{plain}-{suffix}")
    for candidate in candidates:
        if candidate not in taken:
            return candidate
    number = 2
    while f"{candidates[0]}-{number}" in taken:
        number += 1
    return f"{candidates[0]}-{number}"


def spell_location(folder: Path, base: Path) -> str:
    """How the registry in ``base`` writes the folder ``folder``: relative, unless it is more
    than a few folders up."""
    relative = Path(os.path.relpath(folder, base))
    if relative.parts[: _MAX_UPS + 1] == ("..",) * (_MAX_UPS + 1):
        return folder.as_posix()
    return relative.as_posix()


def _rename(added: list[FleetEntry], name: str, fleet: Fleet) -> list[FleetEntry]:
    if len(added) != 1:
        found = ", ".join(e.location for e in added) or "none"
        raise UserError(
            f"--name names one new instance, but {len(added)} were found ({found}). Search a "
            "narrower root, or leave --name out to name each after its folder."
        )
    if any(e.name == name for e in fleet.entries):
        raise UserError(
            f"{fleet.path}: an instance is already named {name!r}. Pick another --name."
        )
    return [replace(added[0], name=name)]


def _file_url_path(spelling: str) -> str | None:
    """The local path of a ``file://`` URL, else None."""
    if not spelling.startswith("file://"):
        return None
    return unquote(urlsplit(spelling).path)


def _remote_urls(folder: Path) -> set[str]:
    """The normalized URLs of the git remotes of the repository whose top folder is ``folder``."""
    if not (folder / ".git").exists() and not (folder / "HEAD").is_file():
        return set()
    try:
        remotes = open_repo(folder).repo.remotes
        urls = [remote.url for remote in remotes]
    except GitRepoError:
        return set()
    return {url_key(url) for url in urls if url and is_remote(url) and not _file_url_path(url)}
