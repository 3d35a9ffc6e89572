"""Corpus cases about files and versions: names, conditions, bytes, modes, links, git refs."""

from __future__ import annotations

from template.corpus.build import ANSWERS_JINJA, ANSWERS_TEMPLATE, Case, Commit

ANSWERS = {ANSWERS_JINJA: ANSWERS_TEMPLATE}
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) + b"{{ not_rendered }}"
VERSIONS = (
    Commit({"version.txt.jinja": "1.1 {{ name }}\n", "added.txt": "1.1\n"}, tag="1.1.0"),
    Commit({"version.txt.jinja": "2.0 {{ name }}\n", "added.txt": None}, tag="2.0.0"),
)


def _versions(name: str, **options: object) -> Case:
    return Case(
        name,
        {**ANSWERS, "copier.yml": "name: v\n", "version.txt.jinja": "1.0 {{ name }}\n"},
        later=VERSIONS,
        **options,  # type: ignore[arg-type]
    )


CASES = [
    Case(
        "nested-templated-folders",
        {
            **ANSWERS,
            "copier.yml": "pkg: app\nsub: core\n",
            "{{ pkg }}/{{ sub }}/__init__.py.jinja": "# {{ pkg }}.{{ sub }}\n",
            "{{ pkg }}/{{ sub }}/{{ sub }}_models.py.jinja": "MODEL = '{{ sub }}'\n",
            "{{ pkg }}/plain.txt": "{{ pkg }} not rendered\n",
            "src/{{ pkg }}/deep/er/x.txt": "x\n",
        },
        data={"pkg": "billing"},
    ),
    Case(
        "conditional-files-and-folders",
        {
            **ANSWERS,
            "copier.yml": "use_db: true\nci: false\ndocs: true\n",
            "{% if use_db %}migrations{% endif %}/env.py.jinja": "# migrations\n",
            "{% if use_db %}migrations{% endif %}/versions/.gitkeep": "",
            "{% if ci %}.github{% endif %}/workflows/ci.yml": "on: push\n",
            "{% if not ci %}NO_CI{% endif %}.jinja": "no ci\n",
            "{% if docs %}docs{% endif %}/index.md.jinja": "# docs\n",
            "{% if docs %}docs{% endif %}/{% if ci %}deploy.yml{% endif %}": "x\n",
            "empty-dir/.keep": "",
        },
        data={"docs": "false"},
    ),
    Case(
        "binary-and-executable",
        {
            **ANSWERS,
            "copier.yml": "name: tool\n",
            "assets/logo.png": PNG,
            "assets/{{ name }}.bin": b"\x00\x01\x02{{ name }}\xff",
            "scripts/run.sh.jinja": "#!/bin/sh\necho {{ name }}\n",
            "scripts/plain.sh": "#!/bin/sh\necho plain\n",
            "scripts/data.txt": "not executable\n",
            "latin1.txt": b"caf\xe9 {{ name }}\n",
            "big.bin": bytes(range(256)) * 4096,
        },
        executables=frozenset({"scripts/run.sh.jinja", "scripts/plain.sh"}),
    ),
    Case(
        "symlinks-preserved",
        {
            **ANSWERS,
            "copier.yml": "_preserve_symlinks: true\nname: linked\n",
            "docs/README.md.jinja": "# {{ name }}\n",
            "shared/config.toml": "x = 1\n",
        },
        symlinks={
            "README.md": "docs/README.md",
            "config.toml": "shared/config.toml",
            "shared-link": "shared",
            "{{ name }}.toml": "shared/config.toml",
        },
    ),
    Case(
        "symlinks-followed",
        {
            **ANSWERS,
            "copier.yml": "_preserve_symlinks: false\nname: linked\n",
            "docs/README.md": "# readme\n",
            "shared/config.toml.jinja": "name = '{{ name }}'\n",
        },
        symlinks={"README.md": "docs/README.md", "link.txt.jinja": "shared/config.toml.jinja"},
    ),
    _versions("versions-latest-tag"),
    _versions("versions-vcs-ref-tag", vcs_ref="1.0.0", data={"name": "old"}),
    _versions("versions-vcs-ref-head", vcs_ref="HEAD"),
    Case(
        "prereleases-skipped",
        {**ANSWERS, "copier.yml": "name: p\n", "v.txt": "1.0\n"},
        later=(Commit({"v.txt": "2.0a1\n"}, tag="2.0.0a1"),),
    ),
    Case(
        "prereleases-used",
        {**ANSWERS, "copier.yml": "name: p\n", "v.txt": "1.0\n"},
        later=(Commit({"v.txt": "2.0a1\n"}, tag="2.0.0a1"),),
        prereleases=True,
    ),
    Case(
        "untagged-head",
        {**ANSWERS, "copier.yml": "name: h\n", "h.txt.jinja": "{{ _copier_answers._commit }}\n"},
        later=(Commit({"more.txt": "after the tag\n"}),),
        vcs_ref="HEAD",
    ),
    Case(
        "no-tags",
        {**ANSWERS, "copier.yml": "name: h\n", "h.txt": "h\n"},
        tag=None,
    ),
    Case("example-service", {}, example=True),
    Case(
        "example-service-first-version",
        {},
        example=True,
        vcs_ref="1.0.0",
        data={"project_name": "Billing API", "use_db": "false", "python_version": "3.11"},
    ),
    Case(
        "example-service-middle-version",
        {},
        example=True,
        vcs_ref="1.1.0",
        data={
            "features": "[auth, metrics, cors]",
            "db_engine": "sqlite",
            "license": "Apache-2.0",
            "port": "8080",
            "secret_key": "not-recorded",
        },
    ),
    Case(
        "plain-folder-template",
        {**ANSWERS, "copier.yml": "name: f\n", "a.txt.jinja": "{{ name }}\n"},
        executables=frozenset({"a.txt.jinja"}),
        source="folder",
    ),
    Case(
        "git-file-url",
        {**ANSWERS, "copier.yml": "name: u\n", "a.txt.jinja": "{{ name }}\n"},
        later=(Commit({"a.txt.jinja": "{{ name }} 2\n"}, tag="1.1.0"),),
        source="url",
    ),
    Case(
        "pep440-tag-order-and-prefixes",
        {**ANSWERS, "copier.yml": "name: t\n", "v.txt": "1.9\n"},
        tag="v1.9.0",
        later=(
            Commit({"v.txt": "1.10\n"}, tag="v1.10.0"),
            Commit({"v.txt": "latest\n"}, tag="latest"),
            Commit({"v.txt": "not a version\n"}, tag="release-candidate"),
        ),
        annotated=True,
    ),
]
