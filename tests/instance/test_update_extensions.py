"""``update`` of a template whose Jinja extensions live in the template and change between versions.

An update renders two versions in one process. Each must run its own extension code: the old
version's for the base, the new version's for the result. Were the new version rendered with
the old code (a module reused from ``sys.modules``, or compiled templates reused from the
cache), the template's change would vanish from the three-way merge. Copier 9.19.1, updating
a twin of the same instance, is the oracle.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from instance.helpers import ANSWERS_JINJA, git, tagged_repo
from instance.update_scenarios import commit_all, folder_state, twin
from templsync._io.gitmirror import default_cache_dir
from templsync._io.templatefolder import versions_dir
from templsync.instance.copy import CopyOptions, copy
from templsync.instance.update import UpdateOptions, update

COPIER_YML = (
    "_jinja_extensions:\n"
    "  - copier_template_extensions.TemplateExtensionLoader\n"
    "  - extensions/context.py:ContextUpdater\n"
    "  - extensions/stamp.py:Stamp\n"
    "_exclude: [copier.yml, extensions, .git]\n"
    "name: loud\n"
)
CONTEXT = """\
from copier_template_extensions import ContextHook


class ContextUpdater(ContextHook):
    def hook(self, context):
        context["shout"] = str(context.get("name", "")).upper()
"""
# An extension that changes how templates compile: a cached compiled template is only right
# for the extension code that compiled it.
STAMP = """\
from jinja2.ext import Extension


class Stamp(Extension):
    def preprocess(self, source, name, filename=None):
        return source.replace("@@release@@", "one")
"""


def make_template(root: Path) -> Path:
    return tagged_repo(
        root,
        {
            "v1": {
                **ANSWERS_JINJA,
                "copier.yml": COPIER_YML,
                "extensions/context.py": CONTEXT,
                "extensions/stamp.py": STAMP,
                "shout.txt.jinja": "{{ shout }}\nmiddle line\nlast line\n",
                "stamp.txt.jinja": "release @@release@@\n",
            },
            "v2": {
                "extensions/context.py": CONTEXT.replace(".upper()", ' + "!"'),
                "extensions/stamp.py": STAMP.replace('"one"', '"two"'),
            },
        },
    )


def test_each_version_runs_its_own_extension_code(tmp_path: Path) -> None:
    template = make_template(tmp_path / "template")
    ours = tmp_path / "ours"
    copy(str(template), ours, CopyOptions(vcs_ref="v1", defaults=True, trust=True))
    assert (ours / "shout.txt").read_text() == "LOUD\nmiddle line\nlast line\n"
    assert (ours / "stamp.txt").read_text() == "release one\n"
    git(ours, "init", "-q")
    commit_all(ours, "made from the template")
    (ours / "shout.txt").write_text("LOUD\nmiddle line\nlast line, ours\n")
    commit_all(ours, "the instance's change")
    theirs = twin(ours, tmp_path / "theirs")

    result = update(ours, UpdateOptions(defaults=True, trust=True))
    import copier

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copier.run_update(str(theirs), defaults=True, overwrite=True, unsafe=True, quiet=True)

    assert result.conflicts == ()
    assert (ours / "shout.txt").read_text() == "loud!\nmiddle line\nlast line, ours\n"
    assert (ours / "stamp.txt").read_text() == "release two\n"
    assert folder_state(ours) == folder_state(theirs)
    # Both versions were made into folders of the cache once, one per commit.
    made = sorted(p.name for p in versions_dir(default_cache_dir()).iterdir())
    assert made == sorted([git(template, "rev-parse", "v1"), git(template, "rev-parse", "v2")])
