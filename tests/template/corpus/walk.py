"""Corpus cases about Copier's walk of a template: links, excluded folders, folders made.

- links in ``_subdirectory`` that point elsewhere in the template (folders and files outside
  the subdirectory, chains of links, a link to a file or folder ``_exclude`` drops), from a git
  repository and from a plain folder;
- a vendored template's answers-file template in an excluded folder (Copier matches ``_exclude``
  against the answers file's path only), with and without one at the template's root;
- the folders a copy makes: one whose files all render to empty names, one reached through a
  link, a folder name with a yield or the templates suffix, folders an ``_exclude`` pattern drops
  (or, ending in ``/``, keeps), and empty folders of a folder source.
"""

from __future__ import annotations

from template.corpus.build import ANSWERS_JINJA, ANSWERS_TEMPLATE, Case

_OUTSIDE_SUBDIRECTORY = {
    "copier.yml": "_subdirectory: template\n_exclude: [hidden, copier.yml]\nname: linked\n",
    ".devcontainer/devcontainer.json": '{"name": "dev"}\n',
    ".devcontainer/scripts/setup.sh": "#!/bin/sh\n",
    ".devcontainer/{% if false %}never{% endif %}.txt": "never\n",
    ".github/workflows/ci.yml": "on: push\n",
    "shared/b.txt": "shared b\n",
    "shared/name.txt.jinja": "{{ name }}\n",
    f"template/{ANSWERS_JINJA}": ANSWERS_TEMPLATE,
    "template/hidden/secret.txt": "dropped, yet copied through a link\n",
    "template/keep.txt": "keep\n",
}
_LINKS = {
    "template/.devcontainer": "../.devcontainer",  # a folder outside the subdirectory
    "template/.github/workflows/ci.yml": "../../../.github/workflows/ci.yml",
    "template/a.txt": "b.txt",  # a chain: a.txt -> b.txt -> ../shared/b.txt
    "template/b.txt": "../shared/b.txt",
    "template/shared": "../shared",
    "template/name.txt.jinja": "../shared/name.txt.jinja",  # rendered: the link's name says so
    "template/raw.txt": "../shared/name.txt.jinja",  # copied as it is
    "template/config.yml": "../copier.yml",
    "template/secret.txt": "hidden/secret.txt",  # its target is excluded, the link is not
    "template/hidden-link": "hidden",
}
_VENDORED = "vendor/other-template"
_VENDORED_ANSWERS = "# the vendored template's own answers file\n{{ _copier_answers }}\n"

CASES = [
    Case("subdirectory-links-outside", _OUTSIDE_SUBDIRECTORY, symlinks=_LINKS),
    Case(
        "subdirectory-links-outside-folder-source",
        _OUTSIDE_SUBDIRECTORY,
        symlinks=_LINKS,
        source="folder",
    ),
    Case(
        "answers-template-in-excluded-folder",
        {
            ANSWERS_JINJA: ANSWERS_TEMPLATE,
            "copier.yml": "_exclude: [vendor, copier.yml, .git]\nname: v\n",
            f"{_VENDORED}/{ANSWERS_JINJA}": _VENDORED_ANSWERS,
            f"{_VENDORED}/copier.yml": "other: question\n",
            "a.txt.jinja": "{{ name }}\n",
        },
        walk_in_name_order=True,
    ),
    Case(
        "answers-template-in-kept-folder",
        {
            ANSWERS_JINJA: ANSWERS_TEMPLATE,
            "copier.yml": "name: v\n",
            f"{_VENDORED}/{ANSWERS_JINJA}": _VENDORED_ANSWERS,
            "a.txt.jinja": "{{ name }}\n",
        },
        walk_in_name_order=True,
    ),
    Case(
        "answers-template-only-in-excluded-folder",
        {
            "copier.yml": "_exclude: [vendor, copier.yml, .git]\nname: v\n",
            f"{_VENDORED}/{ANSWERS_JINJA}": _VENDORED_ANSWERS,
            "a.txt.jinja": "{{ name }}\n",
        },
    ),
    Case(
        "empty-folders",
        {
            ANSWERS_JINJA: ANSWERS_TEMPLATE,
            "copier.yml": (
                "_exclude: [copier.yml, .git, 'kept-empty/', dropped, 'docs/*']\n"
                "x: false\npages: [intro, usage]\n"
            ),
            "src/{% if x %}x.py{% endif %}": "x\n",
            "deep/a/{% if x %}b{% endif %}/c.txt": "c\n",
            "{% if x %}gone{% endif %}/in/z.txt": "z\n",
            "{% yield p from pages %}{{ p }}{% endyield %}/{% if x %}page.md{% endif %}": "",
            "kept-empty/v.txt": "the folder is made, its files are excluded\n",
            "dropped/d.txt": "d\n",
            "docs/t.txt": "t\n",
            "docs/sub/s.txt": "s\n",
            "tpl.jinja/in.txt": "in\n",
            "a.txt": "a\n",
        },
        symlinks={"linked": "deep"},
    ),
    Case(
        "empty-folders-folder-source",
        {
            ANSWERS_JINJA: ANSWERS_TEMPLATE,
            "copier.yml": "_exclude: [copier.yml, dropped]\nx: false\n",
            "src/{% if x %}x.py{% endif %}": "x\n",
            "a.txt": "a\n",
        },
        folders=(
            "empty",
            "empty2/inner",
            "{{ 'named' }}",
            "dropped/empty",
            "{% if x %}never{% endif %}/e",
            "src/empty",
        ),
        symlinks={"to-empty": "empty2"},
        source="folder",
    ),
]
