"""Corpus cases at the edges: YAML quoting of answers, odd names and bytes, command-line options."""

from __future__ import annotations

from template.corpus.build import ANSWERS_JINJA, ANSWERS_TEMPLATE, Case

ANSWERS = {ANSWERS_JINJA: ANSWERS_TEMPLATE}

CASES = [
    Case(
        "answers-yaml-quoting",
        {
            **ANSWERS,
            "copier.yml": (
                "version_str:\n  type: str\n  default: '1.0'\n"
                "looks_bool:\n  type: str\n  default: 'yes'\n"
                "looks_null:\n  type: str\n  default: 'null'\n"
                "number_str:\n  type: str\n  default: '0123'\n"
                "colon: 'a: b'\n"
                "hash_str: '# not a comment'\n"
                "unicode: 'Grüße, 世界 ✓'\n"
                "long_text:\n  type: str\n  default: '" + "word " * 30 + "end'\n"
                "multi:\n  type: str\n  multiline: true\n  default: |\n    first\n    second\n"
                "empty:\n  type: str\n  default: ''\n"
                "spaces: '  padded  '\n"
            ),
            "values.txt.jinja": "{{ version_str }}|{{ looks_bool }}|{{ unicode }}|{{ empty }}\n",
        },
    ),
    Case(
        "data-casts-from-strings",
        {
            **ANSWERS,
            "copier.yml": (
                "flag_yes: false\nflag_on: false\nflag_one: false\nflag_no: true\n"
                "count: 0\nratio: 0.0\nname: x\ncode:\n  type: str\n  default: a\n"
                "mapping:\n  type: yaml\n  default: {}\n"
                "listing:\n  type: json\n  default: '[]'\n"
            ),
            "out.txt.jinja": (
                "{{ flag_yes }} {{ flag_on }} {{ flag_one }} {{ flag_no }} {{ count * 2 }} "
                "{{ ratio }} {{ code }} {{ mapping.a }} {{ listing | length }}\n"
            ),
        },
        data={
            "flag_yes": "yes",
            "flag_on": "on",
            "flag_one": "1",
            "flag_no": "n",
            "count": "21",
            "ratio": "1e-3",
            "code": "123",
            "mapping": "{a: [1, 2]}",
            "listing": "[1, 2, 3]",
        },
    ),
    Case(
        "data-for-an-unknown-name",
        {**ANSWERS, "copier.yml": "name: x\n", "out.txt.jinja": "{{ name }} {{ extra }}\n"},
        data={"extra": "given on the command line"},
    ),
    Case(
        "context-variables",
        {
            **ANSWERS,
            "copier.yml": "name: x\n",
            "ctx.txt.jinja": (
                "{{ _copier_conf.answers_file }}|{{ _copier_conf.sep }}|{{ _copier_conf.os }}\n"
                "{{ _copier_operation }}|{{ _copier_phase }}|{{ _folder_name }}\n"
                "{{ _copier_conf.vcs_ref_hash | length }}|{{ _copier_answers._commit }}\n"
                "{{ _copier_python is string }}|{{ _copier_conf.src_path is string }}\n"
            ),
        },
    ),
    Case(
        "names-with-spaces-and-unicode",
        {
            **ANSWERS,
            "copier.yml": "title: Über Projekt\n",
            "docs/{{ title }}.md.jinja": "# {{ title }}\n",
            "with space/file name.txt": "ok\n",
            "ünï/cödé.txt": "ok\n",
        },
    ),
    Case(
        "line-endings-and-whitespace",
        {
            **ANSWERS,
            "copier.yml": "name: x\n",
            "crlf.txt.jinja": "one {{ name }}\r\ntwo\r\n",
            "crlf-raw.txt": "one\r\ntwo\r\n",
            "no-newline.txt.jinja": "{{ name }}",
            "blank.txt.jinja": "{% if false %}x{% endif %}",
            "bom.txt.jinja": "\ufeff{{ name }}\n",
            "tabs.txt.jinja": "\t{{ name }}\t\n\n\n",
        },
    ),
    Case(
        "copier-yaml-spelling",
        {**ANSWERS, "copier.yaml": "name: spelled-yaml\n", "a.txt.jinja": "{{ name }}\n"},
    ),
    Case(
        "exclude-folder-and-reinclude",
        {
            **ANSWERS,
            "copier.yml": (
                "_exclude:\n  - copier.yml\n  - .git\n  - 'docs/*'\n  - '!docs/keep.md'\n"
                "  - 'tmp/'\n  - '!tmp/back.txt'\n  - '**/*.log'\n  - '/root-only.txt'\n"
            ),
            "docs/keep.md": "kept\n",
            "docs/drop.md": "dropped\n",
            "tmp/back.txt": "unlike git, Copier brings back a file below an excluded folder\n",
            "deep/x/app.log": "dropped\n",
            "root-only.txt": "dropped\n",
            "deep/root-only.txt": "kept\n",
        },
    ),
    Case(
        "cli-exclude-skip-and-answers-file",
        {
            **ANSWERS,
            "copier.yml": "name: x\n",
            "a.txt": "a\n",
            "b.log": "b\n",
            "notes/c.txt": "c\n",
            "keep.txt.jinja": "{{ name }} from template\n",
        },
        existing={"keep.txt": "mine\n"},
        exclude=("*.log", "notes"),
        skip=("keep.txt",),
        answers_option=".my-answers.yml",
        answers_file=".my-answers.yml",
    ),
    Case(
        "skip-tasks",
        {
            **ANSWERS,
            "copier.yml": "_tasks: ['touch should-not-exist.txt']\nname: x\n",
            "a.txt": "a\n",
        },
        skip_tasks=True,
    ),
    Case(
        "overwrite-identical-and-changed",
        {
            **ANSWERS,
            "copier.yml": "name: x\n",
            "same.txt": "same\n",
            "changed.txt.jinja": "{{ name }}\n",
            "scripts/run.sh": "#!/bin/sh\n",
        },
        executables=frozenset({"scripts/run.sh"}),
        existing={"same.txt": "same\n", "changed.txt": "old\n", "scripts/run.sh": "old\n"},
    ),
    Case(
        "include-and-macros",
        {
            **ANSWERS,
            "copier.yml": "_exclude: [copier.yml, .git, 'partials']\nname: x\nitems: [a, b]\n",
            "partials/header.j2": "# {{ name }} header\n",
            "partials/macros.j2": "{% macro li(x) %}- {{ x }}{% endmacro %}",
            "page.md.jinja": (
                "{% include 'partials/header.j2' %}"
                "{% from 'partials/macros.j2' import li %}"
                "{% for i in items %}{{ li(i) }}\n{% endfor %}"
            ),
        },
    ),
    Case(
        "symlinks-templated-names-and-targets",
        {
            **ANSWERS,
            "copier.yml": "_preserve_symlinks: true\nname: target\n",
            "target.txt": "t\n",
            "folder/inner.txt": "i\n",
        },
        symlinks={
            "{{ name }}-link.jinja": "{{ name }}.txt",
            "to-folder": "folder",
            "deep/up.txt": "../target.txt",
        },
    ),
    Case(
        "symlink-to-folder-followed",
        {**ANSWERS, "copier.yml": "name: x\n", "folder/inner.txt.jinja": "{{ name }}\n"},
        symlinks={"alias": "folder"},
    ),
    Case(
        "name-rendering-a-subpath",
        {
            **ANSWERS,
            "copier.yml": "module: 'pkg/sub'\nempty: ''\n",
            "{{ module }}.py.jinja": "# {{ module }}\n",
            "{{ empty }}{{ module }}/x.txt": "x\n",
        },
    ),
    Case(
        "data-values-with-equals-and-spaces",
        {**ANSWERS, "copier.yml": "url: x\nphrase: y\n", "o.txt.jinja": "{{ url }}|{{ phrase }}\n"},
        data={"url": "postgres://u:p@h/db?sslmode=require&a=b", "phrase": " two  spaces "},
    ),
    Case(
        "dirty-working-copy-at-head",
        {**ANSWERS, "copier.yml": "name: x\n", "a.txt": "committed\n"},
        uncommitted={"a.txt": "changed, not committed\n", "new.txt": "untracked\n"},
        vcs_ref="HEAD",
    ),
    Case(
        "dirty-working-copy-latest-tag",
        {**ANSWERS, "copier.yml": "name: x\n", "a.txt": "committed\n"},
        uncommitted={"a.txt": "changed, not committed\n"},
    ),
    Case(
        "answers-file-option-over-templated-setting",
        {
            **ANSWERS,
            "copier.yml": "_answers_file: '.answers/{{ name }}.yml'\nname: api\n",
            "where.txt.jinja": "{{ _copier_conf.answers_file }}\n",
        },
        answers_option=".other-answers.yml",
        answers_file=".other-answers.yml",
    ),
    Case(
        "subdirectory-keeps-default-excludes-off",
        {
            "copier.yml": "_subdirectory: tpl\nname: s\n",
            f"tpl/{ANSWERS_JINJA}": ANSWERS_TEMPLATE,
            "tpl/~draft.txt": "copied: a subdirectory drops the default excludes\n",
            "tpl/.DS_Store": "x",
            "tpl/{{ name }}/copier.yaml": "also copied\n",
        },
    ),
    Case(
        "pretend-writes-nothing",
        {
            **ANSWERS,
            "copier.yml": "_tasks: ['touch task-ran.txt']\nname: x\n",
            "a.txt.jinja": "{{ name }}\n",
        },
        existing={"a.txt": "mine\n"},
        pretend=True,
    ),
    Case(
        "data-file-and-data",
        {
            **ANSWERS,
            "copier.yml": (
                "name: x\nport: 1\ndebug: false\ntags:\n  type: yaml\n  default: []\nregion: eu\n"
            ),
            "o.txt.jinja": "{{ name }} {{ port + 1 }} {{ debug }} {{ tags | join('+') }}\n",
            "region.txt.jinja": "{{ region }}\n",
        },
        data_file="name: from-file\nport: 8080\ndebug: true\ntags: [a, b]\nregion: us\n",
        data={"region": "ap"},
    ),
    Case(
        "answers-key-order-and-odd-values",
        {
            **ANSWERS,
            "copier.yml": (
                "API_URL: https://api.example.com\n"
                "Name: Upper\n"
                "zeta: last\n"
                "released:\n  type: str\n  default: '2024-01-01'\n"
                "version_int:\n  type: str\n  default: 1\n"
                "nothing:\n  type: str\n  multiselect: true\n  choices: [a, b]\n  default: []\n"
                "nested:\n  type: yaml\n  default: {b: [1, {c: d}], a: ~}\n"
                "octal:\n  type: str\n  default: '0o17'\n"
                "tilde: '~'\n"
            ),
            "o.txt.jinja": "{{ version_int }} {{ nested.b[1].c }} {{ released }}\n",
        },
        data={"zeta": "- dash first", "Name": "multi\nline"},
    ),
    Case(  # with --trust (as every case), the filters that read this machine work as in Copier
        "host-filters-trusted",
        {
            **ANSWERS,
            "copier.yml": "root: /\n",
            "host.txt.jinja": (
                "{{ '~' | expanduser }}|{{ '$HOME/x' | expandvars }}|{{ root | realpath }}|"
                "{{ '/a/b' | relpath('/a') }}|{{ '/no-such-folder-here/*' | fileglob }}\n"
            ),
        },
    ),
]
