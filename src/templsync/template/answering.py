"""Answering a template's questions in order: given data, recorded answers, defaults, or a prompt.

The order and every rule follow Copier 9.19.1 (``copier/_main.py`` and ``_user_data.py``); the
person is asked only through the ``ask`` callable the CLI passes in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from types import MappingProxyType
from typing import TYPE_CHECKING

from templsync.errors import InteractiveSessionError, MissingAnswerError, QuestionError
from templsync.template.questions import (
    MISSING,
    BoundQuestion,
    Choice,
    Question,
    StringRenderer,
)

if TYPE_CHECKING:
    from templsync.template.config import TemplateConfig


@dataclass(frozen=True)
class QuestionPrompt:
    """Everything an interactive front-end needs to ask one question."""

    name: str
    message: str
    type_name: str
    default: object
    choices: tuple[Choice, ...]
    multiselect: bool
    multiline: bool
    placeholder: str
    secret: bool
    qmark: str | None
    validate: Callable[[object], str | None]
    """Return why an answer is refused (cast error, choice or validator), or None."""
    checked: tuple[bool, ...] = ()
    """For a multiselect question: which choices its default selects (compared as the
    question's type: a ``json`` choice ``"[1]"`` is the default's ``[1]``), as Copier does."""


@dataclass(frozen=True)
class Answers:
    """The outcome of answering a template's questions.

    ``values`` holds every question that got a value, in question order (``when: false``
    questions with a default included); ``context`` is what templates render with (values,
    extra ``data`` keys and recorded answers); ``remembered`` is what the answers file records,
    in Copier's order (recorded, then data, then the rest), secrets and hidden questions left out.
    """

    values: Mapping[str, object]
    context: Mapping[str, object]
    remembered: Mapping[str, object]
    secret: frozenset[str]
    hidden: frozenset[str]
    from_user: frozenset[str]
    defaulted: frozenset[str]
    kept: frozenset[str]
    refused: Mapping[str, str] = field(default_factory=dict)
    """Previous answers the questions no longer accept (type or validator), with the reason.
    As in Copier they are dropped and the question answered again (data, default or prompt)."""


_JSON_TYPES = (dict, list, str, int, float, bool, type(None))


@dataclass(frozen=True)
class Defaults:
    """Defaults from outside the template, in Copier's order: below ``data`` and recorded
    answers come ``user`` (the caller's ``user_defaults``, used as they are), then ``settings``
    (the ``defaults:`` of Copier's settings file, rendered in place of the template's default).
    """

    user: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    settings: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))


class _Answering:
    """The mutable state of one run of :func:`answer_questions` (Copier's ``AnswersMap``)."""

    def __init__(
        self,
        config: TemplateConfig,
        data: Mapping[str, object],
        previous: Mapping[str, object],
        base_context: Mapping[str, object],
        defaults: Defaults,
    ) -> None:
        self.config = config
        self.defaults = defaults
        self.names = frozenset(q.name for q in config.questions)
        self.secret = config.secret_questions
        self.init = dict(data)
        self.last = {k: v for k, v in previous.items() if not k.startswith("_")}
        self.user: dict[str, object] = {}
        self.hidden: set[str] = set()
        self.refused: dict[str, str] = {}
        self.base_context = base_context

    def combined(self) -> dict[str, object]:
        return {**self.defaults.user, **self.last, **self.init, **self.user}

    def remembered(self) -> dict[str, object]:
        combined = self.combined()
        order = dict.fromkeys([*self.last, *self.init, *self.user])
        return {
            k: combined[k]
            for k in order
            if not k.startswith("_")
            and k not in self.hidden
            and k not in self.secret
            and k in self.names
            and isinstance(combined[k], _JSON_TYPES)
        }

    def bind(self, question: Question, renderer: StringRenderer) -> BoundQuestion:
        context = {
            **self.base_context,
            **self.combined(),
            "_copier_answers": {**_metadata(self.base_context), **self.remembered()},
        }
        return BoundQuestion(
            question, renderer, context, self.defaults.user, self.defaults.settings
        )


def _metadata(context: Mapping[str, object]) -> dict[str, object]:
    return {k: context[k] for k in ("_commit", "_src_path") if context.get(k) is not None}


def answer_questions(
    config: TemplateConfig,
    renderer: StringRenderer,
    *,
    data: Mapping[str, object],
    previous: Mapping[str, object] = MappingProxyType({}),
    use_defaults: bool,
    ask: Callable[[QuestionPrompt], object] | None,
    skip_answered: bool = False,
    context: Mapping[str, object] = MappingProxyType({}),
    defaults: Defaults = Defaults(),  # frozen, immutable
    always_ask: Sequence[str] = (),
) -> Answers:
    """Answer every question in order, as Copier does.

    For each question: an answer in ``data`` wins (cast and validated); else a ``previous``
    answer is kept when ``skip_answered``, when the question says ``ask: false`` or when there is
    no ``ask`` (no terminal: a recorded answer is never asked for again); else the default
    is used when ``use_defaults``, when ``ask`` is false or when ``when`` is false; else ``ask``
    is called; without it, :class:`MissingAnswerError` names the question and the flag to pass.
    ``context`` is the rest of the render context (``_copier_conf``, ``_src_path``, ...).
    A question's default is its ``previous`` answer, else ``defaults`` (:class:`Defaults`),
    else the template's; ``defaults.user`` are also in the render context, under the answers.
    A question whose name matches a glob pattern of ``always_ask`` (Copier's ``ask``,
    ``--ask``) is asked whatever answers it: ``data``, a ``previous`` answer, ``--defaults``,
    ``ask: false``; unless ``when`` is false. Without ``ask`` such a question is an
    :class:`InteractiveSessionError`, as in Copier: it was asked for explicitly.
    """
    state = _Answering(config, data, previous, context, defaults)
    defaulted: set[str] = set()
    from_user: set[str] = set()
    for question in config.questions:
        name = question.name
        bound = state.bind(question, renderer)
        if name in state.last:
            try:
                bound.check(state.last[name])
            except QuestionError as err:
                state.refused[name] = str(err)
                del state.last[name]
        asked = bound.ask()
        when = bound.when()
        if not when:
            state.hidden.add(name)
            state.last.pop(name, None)
            if bound.default(state.init) is MISSING:
                continue
        # Asked, as in Copier, whatever would answer it otherwise; but never when `when` is
        # false (Copier's prompt skips it, and takes the default).
        forced = when and any(fnmatchcase(name, pattern) for pattern in always_ask)
        if forced:
            pass
        elif name in state.init:
            state.user[name] = bound.check(state.init[name])
            from_user.add(name)
            continue
        elif name in state.last and (skip_answered or not asked or ask is None):
            continue  # with no one to ask (no terminal), a recorded answer stands
        elif not asked or use_defaults or not when:
            value = bound.default(state.last)
            if value is MISSING:
                if not asked:
                    continue
                raise _missing(question, use_defaults=use_defaults)
            state.user[name] = value
            defaulted.add(name)
            continue
        if ask is None:
            raise _missing(question, use_defaults=use_defaults and not forced)
        # The prompt's default: the data given, else the recorded answer, ... (Copier's).
        state.user[name] = bound.check(ask(_prompt(bound, {**state.last, **state.init})))
        from_user.add(name)
    combined = state.combined()
    return Answers(
        values={q.name: combined[q.name] for q in config.questions if q.name in combined},
        context=combined,
        remembered=state.remembered(),
        secret=state.secret,
        hidden=frozenset(state.hidden),
        from_user=frozenset(from_user),
        defaulted=frozenset(defaulted),
        kept=frozenset(k for k in state.last if k in state.names and k not in state.user),
        refused=MappingProxyType(state.refused),
    )


def _missing(question: Question, *, use_defaults: bool) -> MissingAnswerError:
    """:class:`MissingAnswerError` with ``--defaults``, else :class:`InteractiveSessionError`."""
    name = question.name
    if use_defaults:
        return MissingAnswerError(
            f'{question.location}: Question "{name}" is required and has no default. '
            f"Pass it with --data {name}=VALUE."
        )
    return InteractiveSessionError(
        f"Interactive session required: Use `--defaults` and/or `--data`/`--data-file`. "
        f"{question.location}: question '{name}' needs an answer and there is no terminal to "
        f"ask. Pass it with --data {name}=VALUE (or --defaults to take every default)."
    )


def _prompt(bound: BoundQuestion, recorded: Mapping[str, object]) -> QuestionPrompt:
    def validate(answer: object) -> str | None:
        """Copier's prompt messages: ``Invalid input`` (and why), or the validator's refusal."""
        try:
            parsed = bound.parse_answer(answer)
        except QuestionError as err:
            return str(err)
        except (ValueError, TypeError, KeyError) as err:
            return f"Invalid input: {err}"
        message = bound.validation_error(parsed)
        return bound.invalid(message) if message else None

    q = bound.question
    default = bound.default(recorded)
    choices = bound.choices()
    checked = tuple(
        q.multiselect and isinstance(default, list) and bound.cast_answer(c.value) in default
        for c in choices
    )
    return QuestionPrompt(
        name=q.name,
        message=bound.message(),
        type_name=bound.type_name(),
        default=default,
        choices=choices,
        multiselect=q.multiselect,
        multiline=bound.multiline(),
        placeholder=str(bound.render_value(q.placeholder)),
        secret=q.secret,
        qmark=q.qmark,
        validate=validate,
        checked=checked,
    )
