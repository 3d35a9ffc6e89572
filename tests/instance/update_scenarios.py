"""Update scenarios: small template histories, an instance's edits, and what the update must do.

A :class:`Template` is a git repository as data: tagged versions, each a set of writes and
deletions on top of the previous one. A :class:`Scenario` copies the template's first version
into an instance (its own git repository, or a folder of a bigger one), commits the instance's
edits, updates, and says what the instance must hold afterwards. Every scenario is also run
with Copier on a twin of the instance; :class:`CopierDiff` states where Copier's result differs
from ours, and why.

The builders here make real folders and repositories; the checks live in
``test_update_scenarios.py``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from instance.helpers import ANSWERS_JINJA, git
from templsync._core.tree import Tree, blob_digest
from templsync.instance.copy import CopyOptions, copy
from templsync.instance.update import Action

# --- data ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exe:
    """An executable file's content."""

    content: str | bytes


Content = str | bytes | Exe
Files = Mapping[str, Content | None]
"""``{path: content}``; ``None`` deletes the path (or, in an expectation, says it is absent)."""

EMPTY: Files = MappingProxyType({})


@dataclass(frozen=True)
class Template:
    """A template repository: ``(tag, files)`` per version, each on top of the previous one."""

    name: str
    versions: tuple[tuple[str, Files], ...]
    answers_file: str | None = None
    """Copy (and update) this template with ``-a``: the project has several answers files."""

    @property
    def first(self) -> str:
        return self.versions[0][0]


@dataclass(frozen=True)
class CopierDiff:
    """Where Copier's result differs from ours (nothing, by default), and why."""

    why: str = ""
    files: Files = field(default_factory=dict)
    """Copier's content at each path where it differs (``None``: Copier has no file there)."""
    dirs: frozenset[str] = frozenset()
    """Folders Copier's result has and ours has not."""
    same_status: bool = True
    """Whether ``git status --porcelain`` must be the same after both updates."""


SAME = CopierDiff()


@dataclass(frozen=True)
class Scenario:
    """One update case: see the module's documentation."""

    id: str
    template: Template
    edits: Files = field(default_factory=dict)
    """The instance's changes, committed before the update."""
    copy_data: Mapping[str, object] = field(default_factory=dict)
    data: Mapping[str, object] = field(default_factory=dict)
    """``--data`` for the update."""
    vcs_ref: str | None = None
    """``--vcs-ref`` (default: the latest version)."""
    conflict: Literal["inline", "rej"] = "inline"
    pretend: bool = False
    prompt: Mapping[str, object] | None = None
    """Update without ``--defaults``: these are the answers typed at the prompt."""
    skip_answered: bool = False
    asked: tuple[str, ...] = ()
    """The questions the prompt must see, in order (with ``prompt``)."""
    subdir: str = ""
    """Monorepo: the instance is this folder of a bigger git repository."""
    others: tuple[Template, ...] = ()
    """Templates copied into the instance first, each with its own answers file."""
    expect: Files = field(default_factory=dict)
    """What some paths hold after the update (``None``: the path does not exist)."""
    actions: Mapping[str, Action | tuple[Action, str]] = field(default_factory=dict)
    """The reported change for some paths (with the path it came from, for renames)."""
    conflicts: Mapping[str, str] = field(default_factory=dict)
    """Exactly the conflicted paths, with the ``git status --porcelain`` code that an inline
    conflict leaves (``UU`` both changed, ``AA`` both added, ``UD`` deleted by the template)."""
    gone_dirs: tuple[str, ...] = ()
    """Folders that must not exist after the update."""
    answers: Mapping[str, object] = field(default_factory=dict)
    """Entries the updated answers file must hold (``_commit`` is always checked)."""
    copier: CopierDiff | None = SAME
    """Copier's result relative to ours; ``None``: Copier is not run (``--pretend``)."""


def lines(*items: str, eol: str = "\n") -> str:
    return "".join(item + eol for item in items)


# --- templates ----------------------------------------------------------------------------------

A = lines("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa")
A2 = A.replace("beta\n", "BETA from the template\n")
B = lines("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
GUIDE = lines("# Guide", "", "Install it.", "", "Configure it.", "", "Run it.", "", "Done.")
FAQ = lines("# FAQ", "", "Q: why?", "A: because.", "", "Q: how?", "A: like this.")
MOVE = lines(*(f"moving line {i}" for i in range(1, 9)))
OLD = lines("an obsolete file", "nobody edits it", "and the template drops it")
GONE = lines("a file the template drops", "line two", "line three", "line four")
STABLE = lines("never changes", "in the template", "at all")
RUN = lines("#!/bin/sh", "set -e", "echo start", "echo run", "echo stop")
LOGO = bytes(range(256)) * 4
LOGO2 = bytes(reversed(range(256))) * 4
CRLF = lines("one", "two", "three", "four", "five", "six", "seven", eol="\r\n")
CRLF2 = CRLF.replace("three\r\n", "THREE\r\n")
README = lines("# {{ name }}", "", "Intro line.", "", "## Usage", "", "Run it.", "", "## License")
README2 = README.replace("Intro line.", "Intro line, improved.")
CORE = lines(
    '"""The {{ name }} package."""',
    "",
    'NAME = "{{ name }}"',
    "",
    "",
    "def main() -> None:",
    "    print(NAME)",
    "",
    "",
    "def helper() -> int:",
    "    return 1",
)
CORE2 = CORE.replace("return 1", "return 2")


def rendered(text: str, name: str = "app") -> str:
    return text.replace("{{ name }}", name)


BASIC = Template(
    "basic",
    (
        (
            "v1",
            {
                **ANSWERS_JINJA,
                "copier.yml": "name:\n  type: str\n  default: app\n",
                "README.md.jinja": README,
                "a.txt": A,
                "b.txt": B,
                "docs/guide.md": GUIDE,
                "docs/faq.md": FAQ,
                "notes/move.txt": MOVE,
                "old.txt": OLD,
                "gone.txt": GONE,
                "stable.txt": STABLE,
                "run.sh": RUN,
                "logo.bin": LOGO,
                "crlf.txt": CRLF,
                "{{ name }}/__init__.py": "# the package\n",
                "{{ name }}/core.py.jinja": CORE,
            },
        ),
        (
            "v2",
            {
                "README.md.jinja": README2,
                "a.txt": A2,
                "docs/guide.md": None,
                "docs/faq.md": None,
                "manual/guide.md": GUIDE,
                "manual/faq.md": FAQ,
                "notes/move.txt": None,
                "notes/moved.txt": MOVE,
                "old.txt": None,
                "gone.txt": None,
                "run.sh": Exe(RUN),
                "logo.bin": LOGO2,
                "crlf.txt": CRLF2,
                "new.txt": "new in v2\n",
                "{{ name }}/core.py.jinja": CORE2,
            },
        ),
    ),
)
"""Every kind of template change at once: edits, a file and a folder moved, files deleted, a
mode, a binary file, CRLF text, a new file, and a folder named by an answer."""

BASIC_V2: Files = {
    "README.md": rendered(README2),
    "a.txt": A2,
    "b.txt": B,
    "docs/guide.md": None,
    "docs/faq.md": None,
    "manual/guide.md": GUIDE,
    "manual/faq.md": FAQ,
    "notes/move.txt": None,
    "notes/moved.txt": MOVE,
    "old.txt": None,
    "gone.txt": None,
    "stable.txt": STABLE,
    "run.sh": Exe(RUN),
    "logo.bin": LOGO2,
    "crlf.txt": CRLF2,
    "new.txt": "new in v2\n",
    "app/__init__.py": "# the package\n",
    "app/core.py": rendered(CORE2),
}
"""The untouched instance after updating BASIC to v2 (the answers file aside)."""


def basic_v2(changes: Files = EMPTY) -> Files:
    """BASIC_V2 with some paths replaced."""
    return {**BASIC_V2, **changes}


QUESTIONS = Template(
    "questions",
    (
        (
            "v1",
            {
                **ANSWERS_JINJA,
                "copier.yml": "name:\n  type: str\n  default: app\n",
                "README.md.jinja": README,
                "setup.cfg.jinja": lines("[metadata]", "name = {{ name }}", "version = 1"),
            },
        ),
        (
            "v2",
            {
                "copier.yml": (
                    "name:\n  type: str\n  default: app\n"
                    "license:\n  type: str\n  help: The license\n  default: MIT\n"
                ),
                "LICENSE.jinja": "{{ license }} license for {{ name }}\n",
                "setup.cfg.jinja": lines(
                    "[metadata]", "name = {{ name }}", "version = 1", "license = {{ license }}"
                ),
            },
        ),
        (
            "v3",
            {
                "copier.yml": (
                    "name:\n  type: str\n  default: app\n"
                    "license:\n  type: str\n  help: The license\n  default: MIT\n"
                    "year:\n  type: int\n  default: 2024\n"
                ),
                "LICENSE.jinja": "{{ license }} license for {{ name }}, {{ year }}\n",
            },
        ),
    ),
)
"""Questions added in v2 (``license``) and v3 (``year``), used in new and changed files."""

SUBDIR = Template(
    "subdir",
    (
        (
            "v1",
            {
                "copier.yml": "_subdirectory: template\nname:\n  default: app\n",
                "README.md": "The template's own readme, never copied.\n",
                "template/{{ _copier_conf.answers_file }}.jinja": ANSWERS_JINJA[
                    "{{ _copier_conf.answers_file }}.jinja"
                ],
                "template/a.txt": A,
                "template/{{ name }}.cfg.jinja": lines("[{{ name }}]", "x = 1", "y = 2", "z = 3"),
            },
        ),
        (
            "v2",
            {
                "README.md": "The template's own readme, changed.\n",
                "template/a.txt": A2,
                "template/added.txt": "added in v2\n",
                "template/{{ name }}.cfg.jinja": lines("[{{ name }}]", "x = 10", "y = 2", "z = 3"),
            },
        ),
    ),
)
"""A template whose files live in ``template/`` (``_subdirectory``)."""

SKIP = Template(
    "skip",
    (
        (
            "v1",
            {
                **ANSWERS_JINJA,
                "copier.yml": "_skip_if_exists: [local.cfg, 'conf/*.ini']\n",
                "local.cfg": lines("[local]", "debug = false", "port = 8000"),
                "conf/app.ini": lines("[app]", "level = info"),
                "a.txt": A,
            },
        ),
        (
            "v2",
            {
                "local.cfg": lines("[local]", "debug = false", "port = 9000", "host = 0"),
                "conf/app.ini": lines("[app]", "level = warning"),
                "a.txt": A2,
            },
        ),
    ),
)
"""``_skip_if_exists`` files the template changes."""

EXCLUDE = Template(
    "exclude",
    (
        (
            "v1",
            {
                **ANSWERS_JINJA,
                "copier.yml": "name:\n  default: app\n",
                "ci.yml": lines("jobs:", "  test: pytest", "  lint: ruff"),
                "scripts/dev.sh": RUN,
                "a.txt": A,
            },
        ),
        (
            "v2",
            {
                # Copier's default excludes (.git among them), then the new ones
                "copier.yml": (
                    "_exclude: [copier.yml, copier.yaml, '~*', '*.py[co]', __pycache__, .git,"
                    " .DS_Store, .svn, ci.yml, scripts]\nname:\n  default: app\n"
                ),
                "ci.yml": lines("jobs:", "  test: pytest -x", "  lint: ruff"),
                "a.txt": A2,
            },
        ),
    ),
)
"""v2 excludes files v1 copied: the instance keeps them as they are."""

OTHER = Template(
    "other",
    (
        ("v1", {**ANSWERS_JINJA, "copier.yml": "tool:\n  default: lint\n", "lint.cfg": B}),
        ("v2", {"lint.cfg": B.replace("one", "ONE")}),
    ),
    answers_file=".copier-answers.lint.yml",
)
"""A second template in the same project, with its own answers file."""

MAIN = Template(
    "main",
    (
        ("v1", {**ANSWERS_JINJA, "copier.yml": "name:\n  default: app\n", "a.txt": A}),
        ("v2", {"a.txt": A2, "b.txt": B}),
    ),
    answers_file=".copier-answers.main.yml",
)

CONFIG_JS = "module.exports = {\n  port: 8000,\n}"
NOTES = lines("# Notes", "", "- keep it short")
NARROW = Template(
    "narrow",
    (
        (
            "v1",
            {
                **ANSWERS_JINJA,
                "copier.yml": "name:\n  default: app\n",
                "config.js": CONFIG_JS,
                "notes.md": NOTES,
            },
        ),
        ("v2", {"config.js": CONFIG_JS + "\n", "notes.md": NOTES + "\n"}),
    ),
)
"""Two changes an instance is likely to have made too: v2 gives config.js its final newline and
ends notes.md with an empty line."""

TEMPLATES = (BASIC, QUESTIONS, SUBDIR, SKIP, EXCLUDE, OTHER, MAIN, NARROW)

# --- scenarios ----------------------------------------------------------------------------------

EDITED_A = A.replace("iota\n", "iota, ours\n")
CONFLICTED_A = A.replace("beta\n", "beta, ours\n")
A_MARKERS = A.replace(
    "beta\n",
    lines(
        "<<<<<<< before updating",
        "beta, ours",
        "=======",
        "BETA from the template",
        ">>>>>>> after updating",
    ),
)
EDITED_B = B.replace("nine\n", "nine, ours\n")
EDITED_GUIDE = GUIDE.replace("Configure it.", "Configure it: see ours.cfg.")
EDITED_MOVE = MOVE.replace("moving line 7", "moving line 7, ours")
EDITED_CORE = CORE.replace("print(NAME)", 'print(NAME, "ours")')
NO_RENAMES = (
    "Copier does not follow the template's renames: it writes the new path as the template "
    "has it and deletes the old one, edits and all, so the instance's edit is lost"
)
NOT_RECREATED = (
    "Copier keeps the instance's deletion only for the path it deleted: the template's new "
    "path for that file is created again"
)

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "untouched",
        BASIC,
        expect=basic_v2(),
        actions={
            "README.md": "update",
            "a.txt": "update",
            "manual/guide.md": ("rename", "docs/guide.md"),
            "notes/moved.txt": ("rename", "notes/move.txt"),
            "old.txt": "delete",
            "gone.txt": "delete",
            "run.sh": "update",
            "logo.bin": "update",
            "new.txt": "add",
            ".copier-answers.yml": "update",
        },
        gone_dirs=("docs",),
        answers={"_commit": "v2", "name": "app"},
    ),
    Scenario(
        "same-file-different-lines",
        BASIC,
        edits={"a.txt": EDITED_A},
        expect={"a.txt": A2.replace("iota\n", "iota, ours\n")},
        actions={"a.txt": "merge"},
    ),
    Scenario(
        "same-lines-conflict",
        BASIC,
        edits={"a.txt": CONFLICTED_A},
        expect={"a.txt": A_MARKERS, "a.txt.rej": None, "b.txt": B},
        actions={"a.txt": "conflict"},
        conflicts={"a.txt": "UU"},
    ),
    Scenario(
        "same-lines-conflict-rej",
        BASIC,
        edits={"a.txt": CONFLICTED_A},
        conflict="rej",
        expect={
            "a.txt": CONFLICTED_A,
            "a.txt.rej": lines(
                "--- a.txt",
                "+++ a.txt",
                "@@ -1,5 +1,5 @@",
                " alpha",
                "-beta",
                "+BETA from the template",
                " gamma",
                " delta",
                " epsilon",
            ),
        },
        actions={"a.txt": "conflict"},
        conflicts={"a.txt": "UU"},
        copier=CopierDiff(
            "Copier's .rej is `git apply --reject`'s: a hunk of the instance's own change "
            "(base -> instance) that did not apply to the new version, whose lines the file "
            "keeps; ours is the template's change (base -> new) that did not apply to the "
            "instance's file, which the file keeps as the instance had it",
            files={
                "a.txt": A2,
                "a.txt.rej": lines(
                    "diff a/a.txt b/a.txt\t(rejected hunks)",
                    "@@ -1,5 +1,5 @@",
                    " alpha",
                    "-beta",
                    "+beta, ours",
                    " gamma",
                    " delta",
                    " epsilon",
                ),
            },
            same_status=False,
        ),
    ),
    Scenario(
        "different-files",
        BASIC,
        edits={"b.txt": EDITED_B},
        expect=basic_v2({"b.txt": EDITED_B}),
        actions={"a.txt": "update"},
    ),
    Scenario(
        "template-renames-edited-file",
        BASIC,
        edits={"notes/move.txt": EDITED_MOVE},
        expect={"notes/move.txt": None, "notes/moved.txt": EDITED_MOVE},
        actions={"notes/moved.txt": ("rename", "notes/move.txt")},
        copier=CopierDiff(NO_RENAMES, files={"notes/moved.txt": MOVE}),
    ),
    Scenario(
        "template-renames-folder-with-edits",
        BASIC,
        edits={"docs/guide.md": EDITED_GUIDE},
        expect={
            "docs/guide.md": None,
            "docs/faq.md": None,
            "manual/guide.md": EDITED_GUIDE,
            "manual/faq.md": FAQ,
        },
        actions={
            "manual/guide.md": ("rename", "docs/guide.md"),
            "manual/faq.md": ("rename", "docs/faq.md"),
        },
        gone_dirs=("docs",),
        copier=CopierDiff(NO_RENAMES, files={"manual/guide.md": GUIDE}),
    ),
    Scenario(
        "template-renames-folder-holding-own-file",
        BASIC,
        edits={"docs/guide.md": EDITED_GUIDE, "docs/mine.md": "the instance's own page\n"},
        expect={
            "manual/guide.md": EDITED_GUIDE,
            "docs/guide.md": None,
            "docs/mine.md": "the instance's own page\n",
        },
        copier=CopierDiff(NO_RENAMES, files={"manual/guide.md": GUIDE}),
    ),
    Scenario(
        "template-deletes-unchanged-file",
        BASIC,
        edits={"b.txt": EDITED_B},
        expect={"old.txt": None},
        actions={"old.txt": "delete"},
    ),
    Scenario(
        "template-deletes-edited-file",
        BASIC,
        edits={"gone.txt": GONE + "a line of ours\n"},
        expect={"gone.txt": GONE + "a line of ours\n", "a.txt": A2},
        actions={"gone.txt": "conflict"},
        conflicts={"gone.txt": "UD"},
        copier=CopierDiff(
            "Copier deletes a file the template dropped even when the instance edited it: "
            "the edit is lost and nothing says so; ours keeps the file as a modify/delete "
            "conflict",
            files={"gone.txt": None},
            same_status=False,
        ),
    ),
    Scenario(
        "instance-deleted-file-template-changed",
        BASIC,
        edits={"a.txt": None},
        expect={"a.txt": None, "README.md": rendered(README2)},
        actions={"a.txt": "kept-deleted"},
    ),
    Scenario(
        "instance-deleted-file-template-moved",
        BASIC,
        edits={"notes/move.txt": None},
        expect={"notes/move.txt": None, "notes/moved.txt": None},
        actions={"notes/move.txt": ("kept-deleted", "notes/moved.txt")},
        copier=CopierDiff(
            NOT_RECREATED,
            files={"notes/moved.txt": MOVE},
            dirs=frozenset({"notes"}),
            same_status=False,
        ),
    ),
    Scenario(
        "instance-deleted-unchanged-file",
        BASIC,
        edits={"stable.txt": None},
        expect=basic_v2({"stable.txt": None}),
    ),
    Scenario(
        "instance-renamed-file-template-changed",
        BASIC,
        edits={"a.txt": None, "lib/a.txt": A},
        expect={"a.txt": None, "lib/a.txt": A2},
        actions={"lib/a.txt": "update"},
        copier=CopierDiff(
            "Copier does not follow the instance's renames either: a.txt counts as deleted, "
            "so the template's change to it is dropped and lib/a.txt keeps the old text",
            files={"lib/a.txt": A},
            same_status=False,
        ),
    ),
    Scenario(
        "mode-change-with-edit",
        BASIC,
        edits={"run.sh": RUN.replace("echo stop", "echo stop # ours")},
        expect={"run.sh": Exe(RUN.replace("echo stop", "echo stop # ours"))},
        actions={"run.sh": "merge"},
    ),
    Scenario(
        "instance-makes-file-executable",
        BASIC,
        edits={"b.txt": Exe(B)},
        expect={"b.txt": Exe(B), "run.sh": Exe(RUN)},
    ),
    Scenario(
        "binary-changed-by-both",
        BASIC,
        edits={"logo.bin": LOGO + b"ours"},
        expect={"logo.bin": LOGO + b"ours", "logo.bin.rej": None},
        actions={"logo.bin": "conflict"},
        conflicts={"logo.bin": "UU"},
        copier=CopierDiff(
            "Copier writes the template's new binary file over the instance's changed one "
            "and reports nothing; ours keeps the instance's file as a conflict, the "
            "template's version in the index (stage 3)",
            files={"logo.bin": LOGO2},
            same_status=False,
        ),
    ),
    Scenario(
        "crlf-lines-preserved",
        BASIC,
        edits={"crlf.txt": CRLF.replace("six\r\n", "six, ours\r\n")},
        expect={"crlf.txt": CRLF2.replace("six\r\n", "six, ours\r\n")},
        actions={"crlf.txt": "merge"},
    ),
    Scenario(
        "instance-converted-to-crlf",
        BASIC,
        edits={"a.txt": A.replace("\n", "\r\n")},
        # every line differs from the base, so the whole file conflicts (as in git and Copier)
        expect={
            "a.txt": "<<<<<<< before updating\n"
            + A.replace("\n", "\r\n")
            + "=======\n"
            + A2
            + ">>>>>>> after updating\n"
        },
        conflicts={"a.txt": "UU"},
    ),
    Scenario(
        "own-files-kept",
        BASIC,
        edits={"notes/mine.md": "ours\n", "mine/tool.py": "print('ours')\n"},
        expect=basic_v2({"notes/mine.md": "ours\n", "mine/tool.py": "print('ours')\n"}),
    ),
    Scenario(
        "both-add-same-path",
        BASIC,
        edits={"new.txt": "the instance's new file\n"},
        expect={
            "new.txt": lines(
                "<<<<<<< before updating",
                "the instance's new file",
                "=======",
                "new in v2",
                ">>>>>>> after updating",
            )
        },
        actions={"new.txt": "conflict"},
        conflicts={"new.txt": "AA"},
        copier=CopierDiff(
            "the same markers; Copier records an empty file as the base (stage 1), so git "
            "shows UU (both modified) where ours shows AA (both added)",
            same_status=False,
        ),
    ),
    Scenario(
        "both-add-same-file",
        BASIC,
        edits={"new.txt": "new in v2\n"},
        expect=basic_v2(),
    ),
    Scenario(
        "conflict-narrowed-as-git-does",
        NARROW,
        edits={
            "config.js": CONFIG_JS + "\nmodule.exports.host = 'localhost';\n",
            "notes.md": NOTES + "\n- ours\n",
        },
        # The lines both sides added ("}" with its newline, the empty line) stay out of the
        # conflict, as in `git merge-file`, which Copier's update runs.
        expect={
            "config.js": CONFIG_JS
            + "\n"
            + lines(
                "<<<<<<< before updating",
                "module.exports.host = 'localhost';",
                "=======",
                ">>>>>>> after updating",
            ),
            "notes.md": NOTES
            + "\n"
            + lines("<<<<<<< before updating", "- ours", "=======", ">>>>>>> after updating"),
        },
        actions={"config.js": "conflict", "notes.md": "conflict"},
        conflicts={"config.js": "UU", "notes.md": "UU"},
    ),
    Scenario(
        "pretend-writes-nothing",
        BASIC,
        edits={"a.txt": CONFLICTED_A},
        pretend=True,
        expect={"a.txt": A_MARKERS, "old.txt": None},
        actions={"a.txt": "conflict", "old.txt": "delete", "new.txt": "add"},
        conflicts={"a.txt": "UU"},
        copier=None,
    ),
    Scenario(
        "templated-folder-moves-with-edits",
        BASIC,
        edits={"app/core.py": rendered(EDITED_CORE)},
        data={"name": "svc"},
        expect={
            "app/core.py": None,
            "app/__init__.py": None,
            "svc/core.py": rendered(EDITED_CORE.replace("return 1", "return 2"), "svc"),
            "svc/__init__.py": "# the package\n",
            "README.md": rendered(README2, "svc"),
        },
        actions={"svc/core.py": ("rename", "app/core.py")},
        gone_dirs=("app",),
        answers={"name": "svc"},
        copier=CopierDiff(
            "Copier renders svc/ from the template and removes app/, the instance's edit of "
            "app/core.py with it",
            files={"svc/core.py": rendered(CORE2, "svc")},
        ),
    ),
    Scenario(
        "templated-folder-holding-own-file",
        BASIC,
        edits={"app/extra.py": "EXTRA = 1\n"},
        data={"name": "svc"},
        expect={
            "app/core.py": None,
            "app/extra.py": "EXTRA = 1\n",
            "svc/core.py": rendered(CORE2, "svc"),
        },
    ),
    Scenario(
        # Copier 9.19.1 removes the old folder too when nothing in it is the instance's own
        "templated-folder-moves-untouched",
        BASIC,
        data={"name": "svc"},
        expect={
            "app/core.py": None,
            "svc/core.py": rendered(CORE2, "svc"),
            "svc/__init__.py": "# the package\n",
        },
        gone_dirs=("app",),
        answers={"name": "svc"},
    ),
    Scenario(
        "monorepo",
        BASIC,
        subdir="services/api",
        edits={"b.txt": EDITED_B},
        expect=basic_v2({"b.txt": EDITED_B}),
        answers={"_commit": "v2"},
    ),
    Scenario(
        "monorepo-conflict",
        BASIC,
        subdir="services/api",
        edits={"a.txt": CONFLICTED_A},
        expect={"a.txt": A_MARKERS},
        conflicts={"a.txt": "UU"},
    ),
    Scenario(
        "new-question-default",
        QUESTIONS,
        vcs_ref="v2",
        edits={"README.md": rendered(README) + "ours\n"},
        expect={
            "LICENSE": "MIT license for app\n",
            "setup.cfg": lines("[metadata]", "name = app", "version = 1", "license = MIT"),
            "README.md": rendered(README) + "ours\n",
        },
        answers={"_commit": "v2", "name": "app", "license": "MIT"},
    ),
    Scenario(
        "new-question-data",
        QUESTIONS,
        vcs_ref="v2",
        data={"license": "BSD"},
        edits={"setup.cfg": lines("[metadata]", "name = our-app", "version = 1")},
        expect={
            "LICENSE": "BSD license for app\n",
            "setup.cfg": lines("[metadata]", "name = our-app", "version = 1", "license = BSD"),
        },
        answers={"license": "BSD"},
    ),
    Scenario(
        "changed-answer-rerenders-edited-file",
        QUESTIONS,
        vcs_ref="v2",
        copy_data={"name": "first"},
        data={"name": "second"},
        edits={"README.md": rendered(README, "first") + "ours\n"},
        expect={
            "README.md": rendered(README, "second") + "ours\n",
            "LICENSE": "MIT license for second\n",
        },
        answers={"name": "second", "license": "MIT"},
    ),
    Scenario(
        "skip-answered-asks-only-new-questions",
        QUESTIONS,
        copy_data={"name": "first"},
        prompt={"license": "GPL", "year": 2030, "name": "never asked"},
        skip_answered=True,
        asked=("license", "year"),
        expect={"LICENSE": "GPL license for first, 2030\n"},
        answers={"_commit": "v3", "name": "first", "license": "GPL", "year": 2030},
    ),
    Scenario(
        "prompt-shows-every-question",
        QUESTIONS,
        copy_data={"name": "first"},
        prompt={"name": "renamed", "license": "GPL", "year": 2031},
        asked=("name", "license", "year"),
        expect={"LICENSE": "GPL license for renamed, 2031\n"},
        answers={"_commit": "v3", "name": "renamed"},
    ),
    Scenario(
        "latest-of-three-versions",
        QUESTIONS,
        expect={"LICENSE": "MIT license for app, 2024\n"},
        answers={"_commit": "v3", "license": "MIT", "year": 2024},
    ),
    Scenario(
        "subdirectory-template",
        SUBDIR,
        edits={"a.txt": EDITED_A, "app.cfg": lines("[app]", "x = 1", "y = 2", "z = 30")},
        expect={
            "a.txt": A2.replace("iota\n", "iota, ours\n"),
            "app.cfg": lines("[app]", "x = 10", "y = 2", "z = 30"),
            "added.txt": "added in v2\n",
            "README.md": None,
            "template/a.txt": None,
        },
        actions={"a.txt": "merge", "app.cfg": "merge", "added.txt": "add"},
    ),
    Scenario(
        "skip-if-exists-kept",
        SKIP,
        edits={
            "local.cfg": lines("[local]", "debug = true", "port = 8000"),
            "a.txt": EDITED_A,
        },
        expect={
            "local.cfg": lines("[local]", "debug = true", "port = 8000"),
            "conf/app.ini": lines("[app]", "level = info"),
            "a.txt": A2.replace("iota\n", "iota, ours\n"),
        },
    ),
    Scenario(
        "skip-if-exists-recreated",
        SKIP,
        edits={"local.cfg": None, "conf/app.ini": None},
        expect={
            "local.cfg": lines("[local]", "debug = false", "port = 9000", "host = 0"),
            "conf/app.ini": lines("[app]", "level = warning"),
        },
        actions={"local.cfg": "add", "conf/app.ini": "add"},
    ),
    Scenario(
        "exclude-added-keeps-files",
        EXCLUDE,
        edits={"ci.yml": lines("jobs:", "  test: pytest", "  lint: ruff", "  docs: mkdocs")},
        expect={
            "ci.yml": lines("jobs:", "  test: pytest", "  lint: ruff", "  docs: mkdocs"),
            "scripts/dev.sh": RUN,
            "a.txt": A2,
        },
    ),
    Scenario(
        "several-answers-files",
        MAIN,
        others=(OTHER,),
        edits={"a.txt": EDITED_A, "lint.cfg": EDITED_B},
        expect={
            "a.txt": A2.replace("iota\n", "iota, ours\n"),
            "b.txt": B,
            "lint.cfg": EDITED_B,
            ".copier-answers.yml": None,
        },
        answers={"_commit": "v2", "name": "app"},
    ),
)


# --- builders -----------------------------------------------------------------------------------


def write_files(root: Path, files: Files) -> None:
    """Write (or, for ``None``, delete) each path under ``root``; executables get mode 755."""
    for rel, content in files.items():
        path = root / rel
        if content is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.content if isinstance(content, Exe) else content
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        path.chmod(0o755 if isinstance(content, Exe) else 0o644)
    for folder in sorted({(root / rel).parent for rel in files}, reverse=True):
        empty = folder
        while empty != root and empty.exists() and not any(empty.iterdir()):
            empty.rmdir()
            empty = empty.parent


def build_template(root: Path, template: Template) -> Path:
    """The template's repository at ``root``: one commit and one tag per version."""
    root.mkdir(parents=True)
    git(root, "init", "-q")
    for tag, files in template.versions:
        write_files(root, files)
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", f"version {tag}")
        git(root, "tag", tag)
    return root


@dataclass
class TemplateStore:
    """Template repositories built once per test module, on first use."""

    root: Path
    built: dict[str, Path] = field(default_factory=dict)

    def path(self, template: Template) -> Path:
        if template.name not in self.built:
            self.built[template.name] = build_template(self.root / template.name, template)
        return self.built[template.name]


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)


def make_instance(store: TemplateStore, scenario: Scenario, top: Path) -> Path:
    """The instance, copied at the template's first version, then edited: both committed.

    ``top`` is the git repository; the instance is ``top / scenario.subdir``.
    """
    dst = top / scenario.subdir if scenario.subdir else top
    if scenario.subdir:
        write_files(top, {"README.md": "a monorepo\n", "libs/shared.py": "SHARED = 1\n"})
    for other in scenario.others:
        copy_at_first_version(store, other, dst, {})
    copy_at_first_version(store, scenario.template, dst, scenario.copy_data)
    git(top, "init", "-q")
    commit_all(top, "made from the template")
    write_files(dst, scenario.edits)
    commit_all(top, "the instance's changes")
    return dst


def copy_at_first_version(
    store: TemplateStore, template: Template, dst: Path, data: Mapping[str, object]
) -> None:
    options = CopyOptions(
        vcs_ref=template.first,
        defaults=True,
        data=data,
        answers_file=template.answers_file,
        overwrite=True,
    )
    copy(str(store.path(template)), dst, options)


def twin(top: Path, other: Path) -> Path:
    """A copy of the repository at ``top`` (history, index and files) at ``other``."""
    shutil.copytree(top, other, symlinks=True)
    return other


@dataclass(frozen=True)
class FolderState:
    """A folder's files (mode label and bytes) and its folders, ``.git`` left out."""

    files: Mapping[str, tuple[str, bytes]]
    dirs: frozenset[str]


def folder_state(root: Path) -> FolderState:
    files: dict[str, tuple[str, bytes]] = {}
    dirs: set[str] = set()
    for current, subdirs, names in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d != ".git")
        rel = Path(current).relative_to(root)
        dirs.update((rel / d).as_posix() for d in subdirs)
        for name in names:
            path = Path(current) / name
            mode = "executable" if os.access(path, os.X_OK) else "file"
            files[(rel / name).as_posix()] = (mode, path.read_bytes())
    return FolderState(dict(sorted(files.items())), frozenset(dirs))


def expected_entry(content: Content) -> tuple[str, bytes]:
    data = content.content if isinstance(content, Exe) else content
    return (
        "executable" if isinstance(content, Exe) else "file",
        data.encode() if isinstance(data, str) else data,
    )


Digests = Mapping[str, tuple[str, str]]
"""``{path: (mode label, git blob id)}``: a tree compared without reading its files."""


def tree_digests(tree: Tree) -> Digests:
    return {p: (e.mode.label, e.digest) for p, e in sorted(tree.items())}


def folder_digests(state: FolderState) -> Digests:
    return {p: (mode, blob_digest(data)) for p, (mode, data) in state.files.items()}


def expected_digest(content: Content) -> tuple[str, str]:
    mode, data = expected_entry(content)
    return mode, blob_digest(data)
