"""Corpus cases about questions: every type, choices, multiselect, secrets, validators, ``when``."""

from __future__ import annotations

from template.corpus.build import ANSWERS_JINJA, ANSWERS_TEMPLATE, Case

ANSWERS = {ANSWERS_JINJA: ANSWERS_TEMPLATE}

CASES = [
    Case(
        "types-inferred-and-explicit",
        {
            **ANSWERS,
            "copier.yml": (
                "name: demo\n"
                "port: 8000\n"
                "ratio: 0.5\n"
                "debug: false\n"
                "title:\n  type: str\n  default: A {{ name }} service\n"
                "workers:\n  type: int\n  default: 2\n"
                "scale:\n  type: float\n  default: 1\n"
                "strict:\n  type: bool\n  default: yes\n"
            ),
            "settings.py.jinja": (
                "NAME = {{ name | tojson }}\nPORT = {{ port }}\nRATIO = {{ ratio }}\n"
                "DEBUG = {{ debug }}\nTITLE = {{ title | tojson }}\nWORKERS = {{ workers + 1 }}\n"
                "SCALE = {{ scale }}\nSTRICT = {{ strict }}\n"
            ),
        },
        data={"port": "9000", "debug": "true", "workers": "4", "scale": "2.5"},
    ),
    Case(
        "types-json-yaml-path",
        {
            **ANSWERS,
            "copier.yml": (
                'labels:\n  type: json\n  default: \'{"team": "core"}\'\n'
                "matrix:\n  type: yaml\n  default: |\n    python: ['3.11', '3.12']\n"
                "docs_dir:\n  type: path\n  default: docs/site\n"
                "extra:\n  type: yaml\n  default: null\n"
            ),
            "out.txt.jinja": (
                "{{ labels.team }} {{ matrix.python | join(',') }} {{ docs_dir }} {{ extra }}\n"
                "{{ labels | to_nice_yaml }}"
            ),
        },
        data={"extra": "[1, two, {three: 3}]", "labels": '{"team": "web", "tier": 2}'},
    ),
    Case(
        "choices-list-dict-templated",
        {
            **ANSWERS,
            "copier.yml": (
                "python:\n  type: str\n  choices: ['3.10', '3.11', '3.12']\n  default: '3.11'\n"
                "license:\n  type: str\n  choices:\n    MIT License: MIT\n"
                "    Apache 2.0: Apache-2.0\n    None: none\n  default: MIT\n"
                "level:\n  type: int\n  choices:\n    low: 1\n    high: 3\n  default: 1\n"
                "base_image:\n  type: str\n"
                "  choices:\n    - python:{{ python }}-slim\n    - python:{{ python }}-alpine\n"
                "  default: python:{{ python }}-slim\n"
            ),
            "Dockerfile.jinja": "FROM {{ base_image }}\n# {{ license }} {{ level * 10 }}\n",
        },
        data={"python": "3.12", "level": "3"},
    ),
    Case(
        "choices-with-validators",
        {
            **ANSWERS,
            "copier.yml": (
                "db:\n  type: str\n  default: postgres\n"
                "orm:\n  type: str\n  choices:\n"
                "    SQLAlchemy:\n      value: sqlalchemy\n"
                "      validator: \"{% if db == 'none' %}needs a database{% endif %}\"\n"
                "    None:\n      value: none\n  default: sqlalchemy\n"
            ),
            "orm.txt.jinja": "{{ orm }} on {{ db }}\n",
        },
    ),
    Case(
        "multiselect",
        {
            **ANSWERS,
            "copier.yml": (
                "features:\n  type: str\n  multiselect: true\n"
                "  choices: [auth, db, cache, queue]\n  default: [auth, cache]\n"
                "ports:\n  type: int\n  multiselect: true\n"
                "  choices:\n    http: 80\n    https: 443\n    admin: 8080\n  default: [443]\n"
            ),
            "features.txt.jinja": (
                "{% for f in features %}- {{ f }}\n{% endfor %}{{ ports | sum }}\n"
                "{% if 'db' in features %}with db{% endif %}\n"
            ),
            "{% if 'queue' in features %}worker.py{% endif %}.jinja": "QUEUE = True\n",
        },
        data={"features": "[auth, db, queue]"},
    ),
    Case(
        "secret-questions",
        {
            **ANSWERS,
            "copier.yml": (
                "_secret_questions: [api_token]\n"
                "user: admin\n"
                "password:\n  type: str\n  secret: true\n  default: s3cret\n"
                "api_token:\n  type: str\n  default: tok-{{ user }}\n"
            ),
            ".env.jinja": "USER={{ user }}\nPASSWORD={{ password }}\nTOKEN={{ api_token }}\n",
        },
        data={"password": "from-cli"},
    ),
    Case(
        "when-and-templated-defaults",
        {
            **ANSWERS,
            "copier.yml": (
                "project_name: My Service\n"
                "project_slug:\n  type: str\n"
                "  default: \"{{ project_name | lower | replace(' ', '_') }}\"\n"
                "use_db: false\n"
                "db_name:\n  type: str\n  default: '{{ project_slug }}_db'\n"
                "  when: '{{ use_db }}'\n"
                "db_port:\n  type: int\n  default: 5432\n  when: false\n"
                "cache:\n  type: bool\n  default: true\n  when: '{{ not use_db }}'\n"
            ),
            "config.txt.jinja": (
                "{{ project_slug }} {{ db_name }} {{ db_port }} {{ cache }}\n"
                "{{ _copier_answers | to_nice_yaml }}"
            ),
        },
        data={"project_name": "Billing API"},
    ),
    Case(
        "validators-pass",
        {
            **ANSWERS,
            "copier.yml": (
                "package:\n  type: str\n  default: my_pkg\n"
                "  validator: \"{% if not (package | regex_search('^[a-z_]+$')) %}"
                'lowercase only{% endif %}"\n'
                "replicas:\n  type: int\n  default: 3\n"
                "  validator: '{% if replicas < 1 %}at least one{% endif %}'\n"
                "help_text:\n  type: str\n  help: A help line\n  placeholder: type here\n"
                "  multiline: true\n  default: |\n    line one\n    line two\n"
            ),
            "{{ package }}/__init__.py.jinja": (
                "REPLICAS = {{ replicas }}\nHELP = {{ help_text | tojson }}\n"
            ),
        },
        data={"package": "billing_core"},
    ),
    Case(
        "ansible-filters-and-context",
        {
            **ANSWERS,
            "copier.yml": "name: Demo App\nitems: [b, a]\n",
            "ctx.txt.jinja": (
                "{{ name | regex_replace(' ', '-') | lower }}\n"
                "{{ items | to_nice_json }}\n{{ {'k': items} | to_yaml }}"
                "{{ _copier_conf.answers_file }} {{ _copier_conf.sep }} {{ _folder_name }}\n"
                "{{ _copier_answers._commit }} {{ 'a/b' | basename }}\n"
            ),
        },
    ),
    Case(
        "questions-with-templated-fields",
        {
            **ANSWERS,
            "copier.yml": (
                "numeric: true\n"
                "size:\n  type: \"{{ 'int' if numeric else 'str' }}\"\n  default: '42'\n"
                "envs:\n  type: yaml\n  default: [dev, prod]\n"
                "target:\n  type: str\n  choices: '{{ envs }}'\n  default: prod\n"
                "pick:\n  type: str\n  multiselect: true\n"
                "  choices: [x, y]\n  default: [y]\n"
                "hidden:\n  type: str\n  default: 'from {{ target }}'\n  when: false\n"
                "shown:\n  type: str\n  default: '{{ hidden }} and {{ size + 1 }}'\n"
                "  validator: '{% if target not in shown %}mismatch{% endif %}'\n"
            ),
            "o.txt.jinja": "{{ size }} {{ target }} {{ pick }} {{ shown }}\n",
        },
    ),
    Case(
        # Copier's test_skipped_question_with_unset_default_value: UNSET means no default, and a
        # question `when` hides is then left out, its validator never run.
        "unset-default-of-a-skipped-question",
        {
            **ANSWERS,
            "copier.yml": (
                "q:\n  type: str\n  default: '{{ UNSET }}'\n  when: false\n"
                "  validator: '{% if not q %}Invalid{% endif %}'\n"
                "after:\n  type: str\n  default: \"{{ q | default('<undefined>') }}\"\n"
            ),
            "output.txt.jinja": "{{ q | default('<undefined>') }} {{ after }}\n",
        },
    ),
    Case(
        "no-answers-file-template",
        {"copier.yml": "name: x\n", "a.txt.jinja": "{{ name }}\n"},
        answers_file="",
    ),
]
