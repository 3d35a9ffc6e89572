"""Questions: casting and choices against Copier's own ``Question``, and the answering order."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from template.fixtures_config.oracle import SandboxRenderer, make_template
from templsync._core.tree import Tree
from templsync.errors import InteractiveSessionError, MissingAnswerError, QuestionError
from templsync.template.answering import QuestionPrompt, answer_questions
from templsync.template.config import TemplateConfig, load_config
from templsync.template.questions import (
    MISSING,
    BoundQuestion,
    parse_question,
)

CHOICES_EXTENDED = {
    "type": "str",
    "choices": {
        "Alpha": "a",
        "Beta": {"value": "b", "validator": "{% if not pro %}needs pro{% endif %}"},
        "Gamma": {"value": "g"},
    },
}

CAST_CASES: list[tuple[dict[str, Any], object]] = [
    *(({"type": "str"}, a) for a in ("abc", 12, 1.5, True, None, [1], "")),
    *(({"type": "int"}, a) for a in ("3", 3.7, "x", True, None, " 4 ")),
    *(({"type": "float"}, a) for a in ("1.5", 2, "x", "1e3", None)),
    *(
        ({"type": "bool"}, a)
        for a in ("yes", "no", "0", "1", "", "maybe", 0, 2, "off", "null", "TRUE", None, "nan")
    ),
    *(({"type": "json"}, a) for a in ('{"a": 1}', {"a": 1}, "[1, 2]", "bad", None, 5, "null")),
    *(({"type": "yaml"}, a) for a in ("a: 1", "[1, 2]", {"a": 1}, None, "yes", "- a\n- b", 7)),
    *(({"type": "path"}, a) for a in ("a/b", 5)),
    *(({}, a) for a in ("12", "x: [1]", 3)),  # no default: Copier infers yaml
    *(({"default": 1}, a) for a in ("12", "x")),
    *(({"type": "str", "choices": ["a", "b"]}, a) for a in ("a", "z")),
    *(({"type": "int", "choices": [1, 2]}, a) for a in ("2", 3)),
    *(({"type": "str", "choices": [["One", "1"], ["Two", "2"]]}, a) for a in ("1", "One")),
    *((CHOICES_EXTENDED, a) for a in ("a", "b", "g", "Alpha")),
    *(
        ({"type": "str", "multiselect": True, "choices": ["a", "b", "c"]}, a)
        for a in ("[c, a]", ["b", "a"], ["z"], "[]", "[\"a\", 'b']", "a")
    ),
    *(({"type": "str", "choices": "{{ options }}"}, a) for a in ("x", "q")),
    *(({"type": "{{ kind }}"}, a) for a in ("5", "x")),
]

CONTEXT: Mapping[str, object] = {"pro": False, "options": "[x, y]", "kind": "int"}


def copier_parse(body: Mapping[str, Any], answer: object) -> tuple[str, object]:
    from copier._jinja_ext import SandboxedEnvironment
    from copier._user_data import AnswersMap
    from copier._user_data import Question as CopierQuestion

    question = CopierQuestion(
        var_name="q",
        answers=AnswersMap(),
        context=CONTEXT,
        jinja_env=SandboxedEnvironment(),
        **body,
    )
    try:
        return "ok", question.parse_answer(answer)
    except Exception as err:  # every failure counts as a refusal, as in the prompt's validation
        return "error", type(err).__name__


def our_parse(body: Mapping[str, Any], answer: object) -> tuple[str, object]:
    bound = BoundQuestion(parse_question("q", body, "copier.yml:1"), SandboxRenderer(), CONTEXT)
    try:
        return "ok", bound.parse_answer(answer)
    except (ValueError, TypeError, KeyError, QuestionError):
        return "error", None


@pytest.mark.parametrize(("body", "answer"), CAST_CASES, ids=repr)
def test_parse_answer_as_copier(body: dict[str, Any], answer: object) -> None:
    expected = copier_parse(body, answer)
    got = our_parse(body, answer)
    assert got[0] == expected[0], expected
    if got[0] == "ok":
        assert got[1] == expected[1]
        assert type(got[1]) is type(expected[1])


def test_disabled_choice_says_why() -> None:
    bound = BoundQuestion(
        parse_question("q", CHOICES_EXTENDED, "copier.yml:1"), SandboxRenderer(), CONTEXT
    )
    with pytest.raises(QuestionError, match=r"question 'q': invalid answer 'b': .*needs pro"):
        bound.check("b")


@pytest.mark.parametrize(
    ("body", "inferred"),
    [
        ({"default": "x"}, "str"),
        ({"default": 1}, "int"),
        ({"default": 1.5}, "float"),
        ({"default": True}, "bool"),
        ({"default": None}, "yaml"),
        ({"default": [1]}, "yaml"),
        ({}, "yaml"),
    ],
)
def test_type_is_inferred_from_the_default(body: dict[str, Any], inferred: str) -> None:
    assert parse_question("q", body, "here").type == inferred


def config(text: str) -> TemplateConfig:
    return load_config(Tree.from_texts({"copier.yml": text}))


def answer(
    text: str,
    *,
    data: Mapping[str, object] | None = None,
    previous: Mapping[str, object] | None = None,
    use_defaults: bool = True,
    ask: Any = None,
    skip_answered: bool = False,
    always_ask: tuple[str, ...] = (),
) -> Any:
    return answer_questions(
        config(text),
        SandboxRenderer(),
        data=data or {},
        previous=previous or {},
        use_defaults=use_defaults,
        ask=ask,
        skip_answered=skip_answered,
        always_ask=always_ask,
    )


def test_defaults_use_earlier_answers_and_data_wins() -> None:
    text = 'name: {type: str}\nslug: {default: "{{ name|lower }}-x"}\n'
    answers = answer(text, data={"name": "Demo", "other": 1})
    assert dict(answers.values) == {"name": "Demo", "slug": "demo-x"}
    assert answers.from_user == {"name"}
    assert answers.defaulted == {"slug"}
    assert answers.context["other"] == 1  # data that is not a question still reaches templates
    assert "other" not in answers.remembered


def test_missing_answer_without_a_terminal_names_question_and_flags() -> None:
    with pytest.raises(InteractiveSessionError) as info:
        answer("a: 1\nname: {type: str, help: Your name}\n", data={"a": 2}, use_defaults=False)
    assert str(info.value) == (
        "Interactive session required: Use `--defaults` and/or `--data`/`--data-file`. "
        "copier.yml:2: question 'name' needs an answer and there is no terminal to ask. Pass it "
        "with --data name=VALUE (or --defaults to take every default)."
    )
    assert isinstance(info.value, MissingAnswerError)


def test_missing_default_with_defaults_names_the_data_flag(tmp_path: Path) -> None:
    import copier

    text = "name: {type: str}\n"
    with pytest.raises(
        MissingAnswerError, match=r'"name" is required and has no default\. Pass it with --data'
    ):
        answer(text)
    src = make_template(tmp_path / "tpl", text)
    with pytest.raises(ValueError, match='Question "name" is required'):
        copier.run_copy(str(src), tmp_path / "dst", defaults=True, quiet=True)


def test_default_failing_its_validator_is_an_error_as_in_copier(tmp_path: Path) -> None:
    import copier

    text = 'port: {type: int, default: 80, validator: "{% if port < 1024 %}too low{% endif %}"}\n'
    with pytest.raises(QuestionError) as info:
        answer(text)
    assert str(info.value) == (
        "copier.yml:1: question 'port': the default 80 fails the question's own validator: too low"
    )
    src = make_template(tmp_path / "tpl", text)
    with pytest.raises(ValueError, match="Validation error for question 'port': too low"):
        copier.run_copy(str(src), tmp_path / "dst", defaults=True, quiet=True)


def test_data_failing_the_validator_is_an_error() -> None:
    text = 'port: {type: int, default: 8000, validator: "{% if port < 1024 %}low{% endif %}"}\n'
    with pytest.raises(QuestionError, match=r"Validation error for question 'port': low$"):
        answer(text, data={"port": "22"})
    with pytest.raises(QuestionError, match=r"question 'port': invalid answer 'abc'"):
        answer(text, data={"port": "abc"})


def test_when_false_is_not_asked_and_keeps_its_default_unvalidated() -> None:
    text = (
        "ci: {type: bool, default: false}\n"
        "provider: {type: str, when: '{{ ci }}', default: gh, validator: 'never'}\n"
        "nodefault: {type: str, when: false}\n"
    )
    asked: list[str] = []

    def ask(prompt: QuestionPrompt) -> object:
        asked.append(prompt.name)
        return False

    answers = answer(text, use_defaults=False, ask=ask)
    assert asked == ["ci"]
    assert dict(answers.values) == {"ci": False, "provider": "gh"}
    assert answers.hidden == {"provider", "nodefault"}
    assert answers.remembered == {"ci": False}


def test_ask_false_takes_the_default_without_asking() -> None:
    text = "a: {type: int, default: 3, ask: false}\nb: {type: str, ask: false}\n"
    answers = answer(text, use_defaults=False, ask=lambda p: pytest.fail(p.name))
    assert dict(answers.values) == {"a": 3}


def test_ask_gets_a_prompt_and_its_answer_is_checked() -> None:
    text = (
        "lang:\n  type: str\n  help: Which language?\n  choices: {Python: py, Go: go}\n"
        "  default: go\n"
        "n: {type: int, placeholder: '{{ lang }}!', validator: '{% if n > 9 %}big{% endif %}'}\n"
    )
    prompts: list[QuestionPrompt] = []

    def ask(prompt: QuestionPrompt) -> object:
        prompts.append(prompt)
        return "py" if prompt.name == "lang" else "5"

    answers = answer(text, use_defaults=False, ask=ask)
    assert dict(answers.values) == {"lang": "py", "n": 5}
    assert answers.from_user == {"lang", "n"}
    lang, n = prompts
    assert lang.message == "Which language?\n  "
    assert lang.default == "go"
    assert [(c.name, c.value) for c in lang.choices] == [("Python", "py"), ("Go", "go")]
    assert n.message == "n (int)\n  "
    assert n.default is MISSING
    assert n.placeholder == "py!"
    assert n.validate("12") is not None
    assert "big" in str(n.validate("12"))
    assert n.validate("3") is None
    with pytest.raises(QuestionError):
        answer(text, use_defaults=False, ask=lambda p: "nope")
    assert n.validate("x") == "Invalid input: invalid literal for int() with base 10: 'x'"
    assert n.validate("12") == "Validation error for question 'n': big"


def test_a_multiselect_prompt_checks_the_choices_its_default_holds() -> None:
    text = (
        "q: {type: json, multiselect: true, choices: ['[1]', '[2]', '[3]'], default: [[2], [3]]}\n"
    )
    prompts: list[QuestionPrompt] = []

    def ask(prompt: QuestionPrompt) -> object:
        prompts.append(prompt)
        return ["[1]"]

    answers = answer(text, use_defaults=False, ask=ask)
    assert prompts[0].checked == (False, True, True)
    assert answers.values["q"] == [[1]]


def test_always_ask_asks_the_matching_questions_whatever_answers_them() -> None:
    """Copier's ``ask`` (``--ask``, glob patterns; its test_prompt.py *_with_ask tests): data,
    a recorded answer, --defaults, --skip-answered and ``ask: false`` all give way; the prompt
    offers the data, else the recorded answer, else the default."""
    text = (
        "can_it_fly: {type: bool, default: false}\n"
        "what_does_it_eat: {type: str, default: cheese, ask: false}\n"
        "name: {type: str, default: Tom}\n"
        "age: {type: int, default: 3}\n"
    )
    offered: dict[str, object] = {}

    def ask(prompt: QuestionPrompt) -> object:
        offered[prompt.name] = prompt.default
        return {"can_it_fly": "yes", "what_does_it_eat": "milk"}[prompt.name]

    for patterns in (("*it*",), ("what_does_it_eat", "can_it_fly")):
        offered.clear()
        answers = answer(
            text,
            data={"what_does_it_eat": "fish", "name": "Jerry"},
            previous={"can_it_fly": True, "age": 5},
            skip_answered=True,
            ask=ask,
            always_ask=patterns,
        )
        assert offered == {"can_it_fly": True, "what_does_it_eat": "fish"}
        assert dict(answers.values) == {
            "can_it_fly": True,
            "what_does_it_eat": "milk",
            "name": "Jerry",
            "age": 5,
        }
        assert answers.from_user == {"can_it_fly", "what_does_it_eat", "name"}
    with pytest.raises(InteractiveSessionError, match="'name'"):
        answer(text, data={"name": "Jerry"}, always_ask=("name",))  # no prompt to ask at
    # A question whose `when` is false is never asked (Copier's prompt skips it).
    hidden = answer("q: {default: d, when: false}\n", ask=ask, always_ask=("q",))
    assert dict(hidden.values) == {"q": "d"}
    assert hidden.hidden == {"q"}


def test_previous_answers_are_defaults_and_kept_when_skipped() -> None:
    text = "a: {type: int, default: 1}\nb: {type: str, default: x, choices: [x, y]}\n"
    answers = answer(text, previous={"a": 7, "b": "y", "_commit": "v1"})
    assert dict(answers.values) == {"a": 7, "b": "y"}
    kept = answer(text, previous={"a": 7, "b": "y"}, use_defaults=False, skip_answered=True)
    assert kept.kept == {"a", "b"}
    assert kept.remembered == {"a": 7, "b": "y"}
    # a recorded answer that no longer fits (b: z) is dropped and the default used
    with pytest.raises(MissingAnswerError, match="'b'"):
        answer(text, previous={"a": 7, "b": "z"}, use_defaults=False, skip_answered=True)
    assert answer(text, previous={"b": "z"}).values["b"] == "x"


def test_secret_default_is_not_validated_but_data_is() -> None:
    text = (
        "pw: {type: str, secret: true, default: '', validator: '{% if not pw %}empty{% endif %}'}\n"
    )
    assert answer(text).values == {"pw": ""}
    with pytest.raises(QuestionError, match="empty"):
        answer(text, data={"pw": ""})
