"""Questions of ``copier.yml`` and how an answer is cast, checked and chosen, as Copier does.

Everything here follows ``copier/_user_data.py`` (Copier 9.19.1): the type inferred from the
default, ``cast_answer``, ``parse_answer`` (choices, multiselect), ``validate_answer`` (a
rendered validator whose non-empty output is the error) and ``when``/``ask``. Templated values
are rendered through a :class:`StringRenderer`, so the Jinja environment plugs in from outside.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from types import MappingProxyType
from typing import Any, Final, Protocol

import yaml

from templsync._limits import parse_within
from templsync._yaml import LimitedLoader, safe_load
from templsync.errors import InvalidTypeError, QuestionError, TemplsyncError
from templsync.template.yamlload import TemplateConfigError


class StringRenderer(Protocol):
    """Renders one templated string with a context (the template's Jinja environment)."""

    def render(self, source: str, context: Mapping[str, object]) -> str: ...


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()
"""No value: a question without a default."""


def cast_to_bool(value: Any) -> bool:
    """Copier's ``cast_to_bool``: numbers, then YAML-style words, then Python truth."""
    try:
        return bool(float(value))
    except (TypeError, ValueError):
        pass
    try:
        lower = value.strip().lower()
    except AttributeError:
        return bool(value)
    if not lower:
        return False
    if lower in {"y", "yes", "t", "true", "on"}:
        return True
    if lower in {"n", "no", "f", "false", "off", "~", "null", "none"}:
        return False
    return bool(value)


def cast_to_str(value: Any) -> str:
    """Copier's ``cast_to_str``: strings, numbers and bytes only."""
    if isinstance(value, str):
        return str(value.value) if isinstance(value, Enum) else value
    if isinstance(value, float | int | Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray):
        return value.decode()
    raise ValueError(f"Could not convert {value} to string")


def parse_yaml_string(string: Any) -> Any:
    """Copier's ``parse_yaml_string``, within the limits of :mod:`templsync._limits` (past
    them: :class:`~templsync._limits.LimitError`, a ``ValueError`` as any answer that does not
    parse)."""
    try:
        return safe_load(string)
    except yaml.YAMLError as error:
        raise ValueError(str(error)) from error


def parse_json_string(string: Any) -> Any:
    """``json.loads`` within the limits of :mod:`templsync._limits`."""
    return parse_within(lambda: json.loads(string))


CAST_STR_TO_NATIVE: Mapping[str, Callable[[Any], Any]] = {
    "bool": cast_to_bool,
    "float": float,
    "int": int,
    "json": parse_json_string,
    "str": cast_to_str,
    "yaml": parse_yaml_string,
    "path": str,
}

_RESERVED_NAMES = frozenset({"now", "make_secret"})
_STRING_FIELDS = ("help", "placeholder", "validator", "type")
_CONDITION_FIELDS = ("multiline", "when", "ask")


@dataclass(frozen=True)
class Question:
    """One question as written in ``copier.yml`` (templated fields are kept unrendered).

    ``type`` is already inferred from the default when the file does not give one (``str``,
    ``int``, ``float``, ``bool`` by the default's Python type, ``yaml`` otherwise).
    """

    name: str
    location: str
    type: str
    default: object = MISSING
    choices: object = ()
    multiselect: bool = False
    help: str = ""
    multiline: str | bool = False
    placeholder: str = ""
    qmark: str | None = None
    secret: bool = False
    validator: str = ""
    when: str | bool = True
    ask: str | bool = True


def parse_question(
    name: str,
    body: Mapping[str, Any],
    location: str,
    template_starts: tuple[str, ...] = ("{{", "{%"),
) -> Question:
    """Build a :class:`Question` from its mapping in ``copier.yml``; unknown keys are ignored.

    ``template_starts`` are the Jinja delimiters that open an expression or a tag (``_envops``
    may change them): a ``type`` holding one is a template, checked once rendered.
    """

    def fail(what: str) -> TemplateConfigError:
        return TemplateConfigError(f"{location}: question '{name}': {what}.")

    if name in _RESERVED_NAMES:
        raise fail(f"'{name}' is reserved by Copier; rename the question")
    for key in _STRING_FIELDS:
        if key in body and not isinstance(body[key], str):
            raise fail(f"'{key}' must be a string, not {body[key]!r}")
    for key in _CONDITION_FIELDS:
        if key in body and not isinstance(body[key], str | bool):
            raise fail(f"'{key}' must be a boolean or a template string, not {body[key]!r}")
    default = body.get("default", MISSING)
    type_name = body.get("type", "")
    if type_name == "":
        inferred = type(default).__name__
        type_name = inferred if inferred in CAST_STR_TO_NATIVE else "yaml"
    elif type_name not in CAST_STR_TO_NATIVE and not any(s in type_name for s in template_starts):
        raise _unsupported_type(location, name, type_name)
    choices = body.get("choices", ())
    if not isinstance(choices, list | dict | str | tuple):
        raise fail(f"'choices' must be a list, a mapping or a template string, not {choices!r}")
    secret = bool(body.get("secret", False))
    if secret and default is MISSING:
        raise fail("Secret question requires a default value")
    qmark = body.get("qmark")
    return Question(
        name=name,
        location=location,
        type=type_name,
        default=default,
        choices=choices,
        multiselect=bool(body.get("multiselect", False)),
        help=body.get("help", ""),
        multiline=body.get("multiline", False),
        placeholder=body.get("placeholder", ""),
        qmark=None if qmark is None else str(qmark),
        secret=secret,
        validator=body.get("validator", ""),
        when=body.get("when", True),
        ask=body.get("ask", True),
    )


def _unsupported_type(location: str, name: str, type_name: object) -> InvalidTypeError:
    return InvalidTypeError(
        f'{location}: Unsupported type "{type_name}" in question "{name}"; use one of '
        f"{', '.join(sorted(CAST_STR_TO_NATIVE))}."
    )


class UnsetError(TemplsyncError):
    """A default used ``UNSET``: the question has no default (Copier's ``UnsetError``).

    A signal, never an error a caller sees: :meth:`BoundQuestion.default` catches it. It is a
    :class:`~templsync.errors.TemplsyncError` so that the renderer lets it through as it is, as
    it lets through every error of ours, instead of making it the template's render error.
    """


class _Unset:
    """``UNSET`` in a default: using it in any way means "no default", as in Copier."""

    def _unset(self, *_: object) -> Any:
        raise UnsetError("UNSET")

    __str__ = __bool__ = __iter__ = __len__ = __eq__ = __getattr__ = __getitem__ = _unset
    __hash__ = None  # type: ignore[assignment]  # unhashable like Jinja's undefined values


_UNSET = _Unset()


@dataclass(frozen=True)
class Choice:
    """A rendered choice; a non-empty ``disabled`` is the reason it cannot be picked."""

    name: str
    value: object
    disabled: str = ""


@dataclass(frozen=True)
class BoundQuestion:
    """A question bound to a renderer and the context it is asked in (Copier's ``Question``)."""

    question: Question
    renderer: StringRenderer
    context: Mapping[str, object]
    user_defaults: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    """Defaults given by the caller (Copier's ``user_defaults``), used as they are."""
    settings_defaults: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    """The ``defaults:`` of Copier's settings file: in place of the template's default."""

    @property
    def name(self) -> str:
        return self.question.name

    def fail(self, what: str, cause: BaseException | None = None) -> QuestionError:
        """The error naming this question; an :class:`InvalidTypeError` for a ``TypeError``."""
        cls = InvalidTypeError if isinstance(cause, TypeError) else QuestionError
        return cls(f"{self.question.location}: question '{self.name}': {what}")

    def render_value(self, value: object, extra: Mapping[str, object] | None = None) -> Any:
        if isinstance(value, str):
            return self.renderer.render(value, {**self.context, **(extra or {})})
        if isinstance(value, list):
            return [self.render_value(item) for item in value]
        return value

    def type_name(self) -> str:
        type_name = self.render_value(self.question.type)
        if type_name not in CAST_STR_TO_NATIVE:
            raise _unsupported_type(self.question.location, self.name, type_name)
        return str(type_name)

    def when(self) -> bool:
        return cast_to_bool(self.render_value(self.question.when))

    def ask(self) -> bool:
        return cast_to_bool(self.render_value(self.question.ask))

    def multiline(self) -> bool:
        return cast_to_bool(self.render_value(self.question.multiline))

    def cast_answer(self, answer: Any) -> Any:
        type_name = self.type_name()
        type_fn = CAST_STR_TO_NATIVE[type_name]
        if answer is None and type_name not in {"json", "yaml"}:
            raise TypeError(
                f'Invalid answer "{answer}" of type "{type(answer)}" '
                f'to question "{self.name}" of type "{type_name}"'
            )
        try:
            if self.question.multiselect and isinstance(answer, list):
                return [type_fn(item) for item in answer]
            return type_fn(answer)
        except (TypeError, AttributeError) as error:
            if type_name in {"json", "yaml"}:
                return answer
            raise TypeError(
                f'Invalid answer {answer!r} to question "{self.name}" of type "{type_name}"'
            ) from error

    def choices(self) -> tuple[Choice, ...]:
        raw: Any = self.question.choices
        if isinstance(raw, str):
            raw = parse_yaml_string(self.render_value(raw))
        if isinstance(raw, dict):
            raw = list(raw.items())
        result = []
        for choice in raw or ():
            if isinstance(choice, tuple | list):
                name, value = choice
            else:
                name = value = choice
            title = str(self.render_value(name))
            disabled = ""
            if isinstance(choice, tuple | list) and isinstance(value, dict):
                if "value" not in value:
                    raise self.fail(f"choice {title!r}: Property 'value' is required")
                if "validator" in value and not isinstance(value["validator"], str):
                    raise self.fail(f"choice {title!r}: Property 'validator' must be a string")
                disabled = str(self.render_value(value.get("validator", "")))
                value = value["value"]
            rendered = self.render_value(value)
            made = Choice(title, title if rendered is None else rendered, disabled)
            self.cast_answer(made.value)
            result.append(made)
        return tuple(result)

    def parse_answer(self, answer: Any) -> Any:
        """Cast ``answer`` to the question's type and check it against the choices."""
        if self.question.multiselect:
            if isinstance(answer, str):
                answer = parse_yaml_list(answer)
            parsed = [self._parse_one(a) for a in answer]
            cast = (self.cast_answer(c.value) for c in self.choices())
            return [c for c in cast if c in parsed]
        return self._parse_one(answer)

    def _parse_one(self, answer: Any) -> Any:
        ans = self.cast_answer(answer)
        choices = self.choices()
        if not choices:
            return ans
        choice_error = ""
        valid = []
        for choice in choices:
            cast_ans = self.cast_answer(choice.value)
            if not choice.disabled:
                valid.append(cast_ans)
            if ans == cast_ans:
                if not choice.disabled:
                    return ans
                choice_error = choice_error or choice.disabled
        detail = choice_error or f"{ans!r} is not in {valid}"
        raise ValueError(f"Invalid choice for '{self.name}': {detail}")

    def validation_error(self, answer: Any) -> str:
        """The validator's output for ``answer`` (empty when valid), as Copier renders it."""
        if not self.question.validator:
            return ""
        try:
            return str(self.render_value(self.question.validator, {self.name: answer})).strip()
        except Exception as error:  # Copier shows any rendering error as the validation message
            return str(error)

    def check(self, answer: Any) -> Any:
        """Parse and validate ``answer``; raise :class:`QuestionError` naming the question."""
        try:
            parsed = self.parse_answer(answer)
        except QuestionError:  # the question itself is at fault (its type, its choices)
            raise
        except (ValueError, TypeError, KeyError) as err:
            raise self.fail(f"invalid answer {shown(answer)}: {err}", err) from err
        if message := self.validation_error(parsed):
            raise QuestionError(f"{self.question.location}: {self.invalid(message)}")
        return parsed

    def invalid(self, message: str) -> str:
        """What Copier says of an answer its validator refuses with ``message``."""
        return f"Validation error for question '{self.name}': {message}"

    def default(self, recorded: Mapping[str, object]) -> Any:
        """Copier's ``get_default``, parsed: a recorded answer, else a user default, else the
        default (the settings file's, else the template's) rendered.

        The default is validated only when the question is asked (``when`` true) and not secret.
        """
        if self.name in recorded:
            result: Any = recorded[self.name]
        elif self.name in self.user_defaults:
            result = self.user_defaults[self.name]
        else:
            default = self.settings_defaults.get(self.name, self.question.default)
            try:
                result = self.render_value(default, {"UNSET": _UNSET})
            except UnsetError:
                return MISSING
            if result is MISSING:
                return MISSING
        try:
            parsed = self.parse_answer(result)
        except QuestionError:  # the question itself is at fault (its type, its choices)
            raise
        except (ValueError, TypeError, KeyError) as err:
            problem = f"the default {shown(result)} does not fit the question: {err}"
            raise self.fail(problem, err) from err
        if self.when() and not self.question.secret:
            message = self.validation_error(parsed)
            if message:
                raise self.fail(
                    f"the default {parsed!r} fails the question's own validator: {message}"
                )
        return parsed

    def message(self) -> str:
        """The prompt text, exactly as Copier builds it."""
        if self.question.help and (text := str(self.render_value(self.question.help))):
            return (text if text.endswith("\n") else text + "\n") + "  "
        message = self.name
        if (type_name := self.type_name()) != "str":
            message += f" ({type_name})"
        return message + "\n  "


def shown(value: object, limit: int = 100) -> str:
    """``repr(value)`` for a message, cut in the middle past ``limit`` characters (an answer can
    be a whole file's worth)."""
    text = repr(value)
    if len(text) <= limit:
        return text
    return f"{text[: limit - 30]}...({len(text) - limit + 10:,} characters)...{text[-20:]}"


def parse_yaml_list(string: str) -> list[str]:
    """Copier's ``parse_yaml_list``: the raw items of a YAML list, unquoted, not parsed."""
    node = yaml.compose(string, Loader=LimitedLoader)
    if not isinstance(node, yaml.SequenceNode):
        raise TypeError(f"Not a YAML list: {string!r}")
    items = []
    for item in node.value:
        raw = string[item.start_mark.index : item.end_mark.index].strip()
        if (
            isinstance(item, yaml.ScalarNode)
            and item.tag == "tag:yaml.org,2002:str"
            and (
                (raw.startswith('"') and raw.endswith('"'))
                or (raw.startswith("'") and raw.endswith("'"))
            )
        ):
            raw = raw[1:-1]
        items.append(raw)
    return items


# --- answering: Copier's ``Worker._ask`` without a terminal -------------------------------
