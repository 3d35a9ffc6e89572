"""Build a corpus case as a real git template, copy it with Copier and with ``templsync copy``.

A :class:`Case` is a template as data: its files (``copier.yml`` among them, written as text so
multi-document files and ``!include`` tags stay as they are), executables, symlinks, empty
folders, and the git history it is committed with (each :class:`Commit` overlays files on the
previous one and may tag it). ``data`` is passed as strings to both tools, as ``-d KEY=VALUE``
passes them on a command line. The two copies are compared as :func:`describe` (files) and
:func:`describe_folders` (every folder, empty ones included) show them.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from templsync._core.tree import Tree
from templsync._io import read_tree
from templsync.cli.main import main as templsync_main

ANSWERS_JINJA = "{{ _copier_conf.answers_file }}.jinja"
# The answers file template every Copier template carries, as Copier's docs give it.
ANSWERS_TEMPLATE = (
    "# Changes here will be overwritten by Copier; NEVER EDIT MANUALLY\n"
    "{{ _copier_answers|to_nice_yaml -}}\n"
)
ROOT = Path(__file__).resolve().parents[3]
EXAMPLE_SCRIPT = ROOT / "examples" / "make_template_repo.py"


@dataclass(frozen=True)
class Commit:
    """Files written over the previous commit (``None`` removes a file), then an optional tag."""

    files: Mapping[str, str | bytes | None]
    tag: str | None = None


@dataclass(frozen=True)
class Case:
    """One corpus template and the copy made from it."""

    name: str
    files: Mapping[str, str | bytes]
    data: Mapping[str, str] = field(default_factory=dict)
    executables: frozenset[str] = frozenset()
    symlinks: Mapping[str, str] = field(default_factory=dict)
    tag: str | None = "1.0.0"  # the first commit's tag
    later: Sequence[Commit] = ()
    vcs_ref: str | None = None
    prereleases: bool = False
    existing: Mapping[str, str] = field(default_factory=dict)  # in DST first: copied with overwrite
    example: bool = False  # the bundled example service template instead of ``files``
    answers_file: str = ".copier-answers.yml"  # where both tools record the answers ("": none)
    exclude: tuple[str, ...] = ()  # --exclude
    skip: tuple[str, ...] = ()  # --skip
    answers_option: str | None = None  # --answers-file
    skip_tasks: bool = False  # --skip-tasks
    pretend: bool = False  # --pretend
    source: str = "repo"  # "repo": a git repository's path; "url": git+file://; "folder": no git
    annotated: bool = False  # tags made with ``git tag -a``
    data_file: str | None = None  # YAML given with --data-file (Copier's CLI: --data wins over it)
    uncommitted: Mapping[str, str] = field(default_factory=dict)  # written after the commits
    folders: tuple[str, ...] = ()  # empty folders (a git repository does not keep them)
    # Copier walks the template in the file system's order, and a case whose result depends on
    # it (two files rendering to one path) is compared with Copier walking names in order.
    walk_in_name_order: bool = False

    def __str__(self) -> str:
        return self.name


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def _write(root: Path, path: str, content: str | bytes | None, case: Case) -> None:
    target = root / path
    if content is None:
        target.unlink()
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content.encode() if isinstance(content, str) else content)
    target.chmod(0o755 if path in case.executables else 0o644)


def build_template(root: Path, case: Case) -> Path:
    """Write ``case`` under ``root`` as a git repository with its commits and tags."""
    if case.example:
        subprocess.run(
            [sys.executable, str(EXAMPLE_SCRIPT), str(root)],
            check=True,
            capture_output=True,
        )
        return root
    root.mkdir(parents=True)
    for path, text in case.files.items():
        _write(root, path, text, case)
    for path, target in case.symlinks.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).symlink_to(target)
    for folder in case.folders:
        (root / folder).mkdir(parents=True, exist_ok=True)
    if case.source == "folder":
        return root
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first")
    if case.tag:
        _tag(root, case.tag, case)
    for number, commit in enumerate(case.later, start=2):
        for path, content in commit.files.items():
            _write(root, path, content, case)
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", f"commit {number}")
        if commit.tag:
            _tag(root, commit.tag, case)
    for path, text in case.uncommitted.items():
        _write(root, path, text, case)
    return root


def _tag(root: Path, tag: str, case: Case) -> None:
    git(root, "tag", *(["-a", "-m", f"release {tag}"] if case.annotated else []), tag)


def source_spelling(src: Path, case: Case) -> str:
    """How both tools are given the template."""
    return f"git+file://{src}" if case.source == "url" else str(src)


def _prepare(dst: Path, case: Case) -> None:
    if case.data_file is not None:
        dst.parent.mkdir(parents=True, exist_ok=True)
        (dst.parent / "data.yml").write_text(case.data_file)
    for path, text in case.existing.items():
        (dst / path).parent.mkdir(parents=True, exist_ok=True)
        (dst / path).write_text(text)


def copy_with_copier(src: Path, dst: Path, case: Case) -> Tree:
    import copier

    _prepare(dst, case)
    # Copier's command line loads --data-file with yaml.safe_load, then lets --data win.
    from_file = yaml.safe_load(case.data_file) if case.data_file is not None else {}
    walk = _walk_in_name_order() if case.walk_in_name_order else contextlib.nullcontext()
    with warnings.catch_warnings(), walk:
        warnings.simplefilter("ignore")
        copier.run_copy(
            source_spelling(src, case),
            str(dst),
            data={**from_file, **case.data},
            defaults=True,
            unsafe=True,
            quiet=True,
            overwrite=bool(case.existing),
            vcs_ref=case.vcs_ref,
            use_prereleases=case.prereleases,
            exclude=list(case.exclude),
            skip_if_exists=list(case.skip),
            answers_file=case.answers_option,
            skip_tasks=case.skip_tasks,
            pretend=case.pretend,
        )
    return read_tree(dst) if dst.exists() else Tree()


def templsync_argv(src: Path, dst: Path, case: Case) -> list[str]:
    argv = ["copy", source_spelling(src, case), str(dst), "--defaults", "--trust", "--quiet"]
    for key, value in case.data.items():
        argv += ["-d", f"{key}={value}"]
    if case.vcs_ref:
        argv += ["--vcs-ref", case.vcs_ref]
    if case.prereleases:
        argv.append("--prereleases")
    if case.existing:
        argv.append("--overwrite")
    for pattern in case.exclude:
        argv += ["--exclude", pattern]
    for pattern in case.skip:
        argv += ["--skip", pattern]
    if case.answers_option:
        argv += ["--answers-file", case.answers_option]
    if case.skip_tasks:
        argv.append("--skip-tasks")
    if case.pretend:
        argv.append("--pretend")
    if case.data_file is not None:
        argv += ["--data-file", str(dst.parent / "data.yml")]
    return argv


def copy_with_templsync(src: Path, dst: Path, case: Case) -> tuple[int, Tree]:
    _prepare(dst, case)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = templsync_main(templsync_argv(src, dst, case))
    return code, read_tree(dst) if dst.exists() else Tree()


@contextlib.contextmanager
def _walk_in_name_order() -> Iterator[None]:
    """Copier's template walk (``scantree``, depth first) made to meet names in order."""
    from unittest import mock

    def scantree(path: str, follow_symlinks: bool) -> Iterator[os.DirEntry[str]]:
        with os.scandir(path) as it:
            entries = sorted(it, key=lambda entry: entry.name)
        for entry in entries:
            yield entry
            if entry.is_dir(follow_symlinks=follow_symlinks):
                yield from scantree(entry.path, follow_symlinks)

    with mock.patch("copier._main.scantree", scantree):
        yield


def describe_folders(root: Path) -> list[str]:
    """Every folder under ``root``, empty ones included (not links to folders), relative, sorted."""
    found = []
    for folder, names, _files in os.walk(root):
        for name in names:
            path = Path(folder, name)
            if not path.is_symlink():  # os.walk lists links to folders among the folders
                found.append(path.relative_to(root).as_posix())
    return sorted(found)


def describe(tree: Tree) -> dict[str, tuple[str, bytes]]:
    """A tree as ``{path: (mode, content)}``, so a failing comparison shows what differs."""
    return {p: (e.mode.label, e.content()) for p, e in sorted(tree.items())}
