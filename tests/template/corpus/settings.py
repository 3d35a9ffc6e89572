"""Corpus cases about ``_`` settings: paths, suffixes, answers file, Jinja, messages, tasks."""

from __future__ import annotations

from template.corpus.build import ANSWERS_JINJA, ANSWERS_TEMPLATE, Case, Commit

ANSWERS = {ANSWERS_JINJA: ANSWERS_TEMPLATE}
EXTENSION = """\
from copier_template_extensions import ContextHook


class ContextUpdater(ContextHook):
    def hook(self, context):
        context["shout"] = str(context.get("name", "")).upper()
"""
EXTENSION_2 = EXTENSION.replace(".upper()", ' + "!"')
# As pawamoy's templates have it: the package's old name, and two extensions from one file.
CONTEXT_AND_FILTER = """\
import re

from copier_templates_extensions import ContextHook
from jinja2.ext import Extension


class ContextUpdater(ContextHook):
    def hook(self, context):
        context["module"] = re.sub(r"\\W+", "_", str(context.get("project", ""))).lower()


class SlugExtension(Extension):
    def __init__(self, environment):
        super().__init__(environment)
        environment.filters["slug"] = lambda text: re.sub(r"\\W+", "-", text).strip("-").lower()
"""

CASES = [
    Case(
        "subdirectory",
        {
            "copier.yml": "_subdirectory: template\nname: sub\n",
            "README.md": "about the template, not copied\n",
            f"template/{ANSWERS_JINJA}": ANSWERS_TEMPLATE,
            "template/{{ name }}.txt.jinja": "{{ name }}\n",
            "template/docs/index.md": "plain\n",
            "template/copier.yml": "not: excluded inside the subdirectory\n",
        },
    ),
    Case(
        "subdirectory-templated",
        {
            "copier.yml": (
                "flavor:\n  type: str\n  choices: [api, cli]\n  default: api\n"
                "_subdirectory: '{{ flavor }}'\n"
            ),
            f"api/{ANSWERS_JINJA}": ANSWERS_TEMPLATE,
            "api/main.py.jinja": "# {{ flavor }} app\n",
            f"cli/{ANSWERS_JINJA}": ANSWERS_TEMPLATE,
            "cli/cli.py": "# cli\n",
        },
        data={"flavor": "cli"},
    ),
    Case(
        "exclude-with-negation",
        {
            **ANSWERS,
            "copier.yml": (
                "_exclude:\n  - copier.yml\n  - '*.md'\n  - '!README.md'\n  - .git\n"
                "  - 'build/'\n  - '{{ skip_name }}'\n  - '~*'\n"
                "skip_name: private.txt\n"
            ),
            "README.md": "kept\n",
            "NOTES.md": "excluded\n",
            "docs/guide.md": "excluded\n",
            "build/out.txt": "excluded\n",
            "private.txt": "excluded by a templated pattern\n",
            "~backup.txt": "excluded\n",
            "src/app.py": "kept\n",
            "__pycache__/x.txt": "kept: the defaults are replaced\n",
        },
    ),
    Case(
        "skip-if-exists-with-overwrite",
        {
            **ANSWERS,
            "copier.yml": (
                "_skip_if_exists:\n  - .env\n  - 'config/*.local.toml'\n  - '{{ name }}.txt'\n"
                "name: keep\n"
            ),
            ".env.jinja": "NAME={{ name }}\n",
            "config/app.local.toml": "local = false\n",
            "config/app.toml": "shared = true\n",
            "{{ name }}.txt": "from template\n",
            "new.txt": "new\n",
        },
        existing={
            ".env": "NAME=mine\n",
            "config/app.local.toml": "local = true\n",
            "config/app.toml": "shared = false\n",
            "keep.txt": "mine\n",
            "unrelated.txt": "untouched\n",
        },
    ),
    Case(
        "templates-suffix-custom",
        {
            ANSWERS_JINJA.replace(".jinja", ".tmpl"): ANSWERS_TEMPLATE,
            "copier.yml": "_templates_suffix: .tmpl\nname: x\n",
            "a.txt.tmpl": "{{ name }}\n",
            "b.txt.jinja": "{{ name }} stays raw\n",
            "c.txt": "{{ name }} raw\n",
            "{{ name }}.cfg.tmpl": "[{{ name }}]\n",
        },
    ),
    Case(
        "templates-suffix-empty",
        {
            "{{ _copier_conf.answers_file }}": ANSWERS_TEMPLATE,
            "copier.yml": "_templates_suffix: ''\nname: x\n",
            "a.txt": "{{ name }}\n",
            "b.txt.jinja": "{{ name }} keeps its suffix\n",
            "raw.txt": "{% raw %}{{ kept }}{% endraw %}\n",
        },
    ),
    Case(
        "answers-file-templated",
        {
            ANSWERS_JINJA: ANSWERS_TEMPLATE,
            "copier.yml": "_answers_file: '.answers/{{ name }}.yml'\nname: api\n",
            "where.txt.jinja": "{{ _copier_conf.answers_file }}\n",
        },
        answers_file=".answers/api.yml",
    ),
    Case(
        "envops-custom-delimiters",
        {
            **{
                ANSWERS_JINJA.replace("{{", "[[").replace("}}", "]]"): (
                    "# Changes here will be overwritten by Copier; NEVER EDIT MANUALLY\n"
                    "[[ _copier_answers|to_nice_yaml -]]\n"
                )
            },
            "copier.yml": (
                "_envops:\n  block_start_string: '[%'\n  block_end_string: '%]'\n"
                "  variable_start_string: '[['\n  variable_end_string: ']]'\n"
                "  comment_start_string: '[#'\n  comment_end_string: '#]'\n"
                "  keep_trailing_newline: false\n  trim_blocks: true\n"
                "name: x\nitems: [1, 2]\n"
            ),
            "[[ name ]].txt.jinja": (
                "[# a comment #]\n[% for i in items %]\n[[ i ]] {{ raw }}\n[% endfor %]\n"
            ),
        },
    ),
    Case(
        "jinja-time-extension",
        {
            **ANSWERS,
            "copier.yml": "_jinja_extensions: [jinja2_time.TimeExtension]\nname: x\n",
            "LICENSE.jinja": "Copyright {% now 'utc', '%Y' %} {{ name }}\n",
        },
    ),
    Case(
        "context-hook-extension",
        {
            **ANSWERS,
            "copier.yml": "_jinja_extensions: [template.context_hooks.Greeting]\nname: Ada\n",
            "hello.txt.jinja": "{{ greeting }}\n",
        },
    ),
    Case(
        "template-extension-loader",
        {
            **ANSWERS,
            "copier.yml": (
                "_jinja_extensions:\n"
                "  - copier_template_extensions.TemplateExtensionLoader\n"
                "  - extensions/context.py:ContextUpdater\n"
                "_exclude: [copier.yml, extensions, .git]\n"
                "name: loud\n"
            ),
            "extensions/context.py": EXTENSION,
            "shout.txt.jinja": "{{ shout }}\n",
        },
    ),
    Case(
        "context-hook-by-path-in-subdirectory",
        {
            "copier.yml": (
                "_subdirectory: project\n"
                "_jinja_extensions:\n"
                "  - copier_templates_extensions.TemplateExtensionLoader\n"
                "  - extensions/context.py:ContextUpdater\n"
                "  - extensions/context.py:SlugExtension\n"
                "project: My Fine Project\n"
            ),
            "extensions/context.py": CONTEXT_AND_FILTER,
            f"project/{ANSWERS_JINJA}": ANSWERS_TEMPLATE,
            "project/src/{{ module }}/__init__.py.jinja": '"""{{ project | slug }}"""\n',
        },
    ),
    Case(
        "template-extension-of-an-older-version",
        {
            **ANSWERS,
            "copier.yml": (
                "_jinja_extensions:\n"
                "  - copier_template_extensions.TemplateExtensionLoader\n"
                "  - extensions/context.py:ContextUpdater\n"
                "_exclude: [copier.yml, extensions, .git]\n"
                "name: loud\n"
            ),
            "extensions/context.py": EXTENSION,
            "shout.txt.jinja": "{{ shout }}\n",
        },
        later=[Commit({"extensions/context.py": EXTENSION_2}, tag="2.0.0")],
        vcs_ref="1.0.0",
        source="url",
    ),
    Case(
        "template-extension-in-a-folder",
        {
            **ANSWERS,
            "copier.yml": (
                "_jinja_extensions:\n"
                "  - copier_template_extensions.TemplateExtensionLoader\n"
                "  - extensions/context.py:ContextUpdater\n"
                "name: plain\n"
            ),
            "extensions/context.py": EXTENSION,
            "shout.txt.jinja": "{{ shout }}\n",
        },
        source="folder",
    ),
    Case(
        "messages-and-min-version",
        {
            **ANSWERS,
            "copier.yml": (
                "_min_copier_version: '9.0.0'\n"
                "_message_before_copy: 'Copying {{ name }}'\n"
                "_message_after_copy: |\n  Done: cd {{ _copier_conf.dst_path }}\n"
                "_migrations: []\n"
                "name: x\n"
            ),
            "a.txt.jinja": "{{ name }}\n",
        },
    ),
    Case(
        "multi-document-and-include",
        {
            **ANSWERS,
            "copier.yml": (
                "_exclude: [copier.yml, includes, .git]\n"
                "---\n"
                "!include includes/questions.yml\n"
                "---\n"
                "!include 'includes/more-*.yml'\n"
                "---\n"
                "last:\n  type: str\n  default: '{{ first }}-{{ second }}'\n"
            ),
            "includes/questions.yml": "first: one\n",
            "includes/more-a.yml": "second:\n  type: str\n  default: two\n",
            "out.txt.jinja": "{{ first }} {{ second }} {{ last }}\n",
        },
    ),
    Case(
        "external-data",
        {
            **ANSWERS,
            "copier.yml": (
                "_external_data:\n  parent: .parent-answers.yml\n  shared: '{{ shared_file }}'\n"
                "shared_file: shared.yml\n"
                "name:\n  type: str\n  default: '{{ _external_data.parent.name }}-child'\n"
            ),
            "child.txt.jinja": "{{ name }} {{ _external_data.shared.region }}\n",
        },
        existing={".parent-answers.yml": "name: parent\n", "shared.yml": "region: eu\n"},
    ),
    Case(
        "tasks-with-trust",
        {
            **ANSWERS,
            "copier.yml": (
                "_tasks:\n  - 'echo {{ name }} > task-output.txt'\n"
                "  - command: [touch, from-list.txt]\n"
                "  - command: touch skipped.txt\n    when: false\n"
                "name: tasked\n"
            ),
            "a.txt": "a\n",
        },
    ),
    Case(
        "envops-autoescape-and-lstrip",
        {
            **ANSWERS,
            "copier.yml": (
                "_envops:\n  autoescape: true\n  lstrip_blocks: true\n  trim_blocks: true\n"
                "title: '<b>Tom & Jerry</b>'\n"
            ),
            "page.html.jinja": (
                "<h1>{{ title }}</h1>\n    {% if true %}\n"
                "<p>{{ title | safe }}</p>\n    {% endif %}\n"
            ),
        },
    ),
    Case(
        "operation-in-excludes-and-tasks",
        {
            **ANSWERS,
            "copier.yml": (
                "_exclude:\n  - copier.yml\n  - .git\n"
                "  - \"{% if _copier_operation == 'copy' %}update-only.txt{% endif %}\"\n"
                "_tasks:\n"
                "  - 'echo {{ _copier_operation }} {{ _copier_phase }} {{ name }} > op.txt'\n"
                "  - command: 'echo {{ _stage | default(\"none\") }} > stage.txt'\n"
                "name: x\n"
            ),
            "update-only.txt": "only on update\n",
            "always.txt.jinja": "{{ _copier_phase }}\n",
        },
    ),
]
