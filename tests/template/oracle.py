"""Copier as the oracle: write a fixture template to disk, copy it with Copier, render it with us.

A :class:`Fixture` is a small template as data: files (text or bytes), executables, symlinks,
empty folders, ``copier.yml`` settings and questions (each question's default is the answer both
tools use). :func:`rendered_folders` and :func:`folders_of` give the folders each tool makes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from copier._template import DEFAULT_EXCLUDE as COPIER_DEFAULT_EXCLUDE

from templsync._core.ignore import IgnoreRules
from templsync._core.tree import FileEntry, Mode, Tree, parent_dirs
from templsync._io.local import read_tree
from templsync.template.jinja import make_environment
from templsync.template.render import RenderedTree, render_patterns, render_template
from templsync.template.renderer import JinjaRenderer

ANSWERS_FILE = ".copier-answers.yml"


@dataclass(frozen=True)
class Fixture:
    """A template as data. ``answers`` become questions whose defaults are these answers."""

    files: Mapping[str, str | bytes]
    answers: Mapping[str, object] = field(default_factory=dict)
    settings: Mapping[str, object] = field(default_factory=dict)
    executables: frozenset[str] = frozenset()
    symlinks: Mapping[str, str] = field(default_factory=dict)
    git: bool = False  # a git repository costs Copier a clone (~0.25 s); a folder is copied as is
    folders: tuple[str, ...] = ()  # empty folders (git keeps none)

    def copier_yml(self) -> str:
        doc: dict[str, object] = {f"_{k}": v for k, v in self.settings.items()}
        for name, value in self.answers.items():
            doc[name] = {"default": value}
        return yaml.safe_dump(doc, sort_keys=False)

    def tree(self) -> Tree:
        """The template as we read it: files, copier.yml, links."""
        entries: dict[str, FileEntry] = {
            "copier.yml": FileEntry.from_bytes(self.copier_yml().encode())
        }
        for path, content in self.files.items():
            data = content.encode() if isinstance(content, str) else content
            mode = Mode.EXECUTABLE if path in self.executables else Mode.REGULAR
            entries[path] = FileEntry.from_bytes(data, mode)
        for path, target in self.symlinks.items():
            entries[path] = FileEntry.symlink(target)
        return Tree(entries)


def write_template(root: Path, fixture: Fixture) -> Path:
    """Write ``fixture`` under ``root`` (with ``fixture.git``: a repository, one tagged commit)."""
    root.mkdir(parents=True, exist_ok=True)
    for path, entry in fixture.tree().items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if entry.is_symlink:
            target.symlink_to(entry.content().decode())
        else:
            target.write_bytes(entry.content())
            target.chmod(0o755 if entry.mode is Mode.EXECUTABLE else 0o644)
    for folder in fixture.folders:
        (root / folder).mkdir(parents=True, exist_ok=True)
    if not fixture.git:
        return root
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "v1"], ["tag", "v1.0.0"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    return root


def run_copier(template: Path, dst: Path) -> Tree:
    """Copy ``template`` into ``dst`` with Copier (defaults, trusted) and read the result.

    A template that is a git repository is copied at HEAD (Copier clones it first).
    """
    import copier

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copier.run_copy(
            str(template),
            str(dst),
            defaults=True,
            unsafe=True,
            quiet=True,
            vcs_ref="HEAD" if (template / ".git").exists() else None,
        )
    return read_tree(dst)


def context_for(fixture: Fixture, dst: Path, template: Path | None = None) -> dict[str, object]:
    """The context Copier renders with, as far as the fixtures use it.

    With the ``template`` folder Copier copied, ``_copier_answers`` is what Copier records.
    """
    recorded: dict[str, object] = {}
    if template is not None:
        if fixture.git:
            recorded["_commit"] = "v1.0.0"
        recorded["_src_path"] = str(template)
    return {
        **fixture.answers,
        "_copier_answers": {**recorded, **fixture.answers},
        "_copier_conf": {"answers_file": ANSWERS_FILE, "sep": os.sep, "dst_path": str(dst)},
        "_folder_name": dst.name,
        "_copier_python": sys.executable,
    }


def render_ours(
    fixture: Fixture, dst: Path, *, trusted: bool = True, template: Path | None = None
) -> RenderedTree:
    """Render ``fixture`` with templsync, configured from its settings as Copier reads them."""
    settings = fixture.settings
    extensions = settings.get("jinja_extensions", [])
    envops = settings.get("envops", {})
    assert isinstance(extensions, list)
    assert isinstance(envops, dict)
    tree = fixture.tree()
    env = make_environment(envops=envops, extensions=extensions, trusted=trusted, source=tree)
    context = context_for(fixture, dst, template)
    subdirectory = str(settings.get("subdirectory", ""))
    patterns = settings.get("exclude", [] if subdirectory else list(COPIER_DEFAULT_EXCLUDE))
    assert isinstance(patterns, list)
    exclude = IgnoreRules(render_patterns(JinjaRenderer(env), patterns, context))
    suffix = settings.get("templates_suffix", ".jinja")
    assert isinstance(suffix, str)
    return render_template(
        tree,
        context,
        env=env,
        templates_suffix=suffix,
        exclude=exclude,
        preserve_symlinks=bool(settings.get("preserve_symlinks", False)),
        subdirectory=subdirectory,
        empty_folders=fixture.folders,
    )


def rendered_folders(rendered: RenderedTree) -> list[str]:
    """Every folder a copy of ``rendered`` has: its files' folders and its empty ones."""
    found = set(rendered.folders)
    found.update(d for p in rendered.tree for d in parent_dirs(p))
    return sorted(found)


def folders_of(root: Path) -> list[str]:
    """Every folder under ``root`` (not links to folders), relative, sorted."""
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
