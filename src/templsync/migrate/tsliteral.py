"""Read the migration files of the older TypeScript tool: ``export const migration = {...}``.

The literal after ``export const migration =`` is read as data, never run: objects, arrays,
strings (double quotes, single quotes, or backticks without ``${}``), numbers, ``true``, ``false``,
``null`` and ``undefined`` (read as None), with comments and trailing commas wherever TypeScript
allows them and an optional ``as const``. Anything else (a call, a name used as a value, a spread,
a computed key, arithmetic, an interpolation) is a :class:`LiteralSyntaxError` saying where it is.

Keys are strings, as in JavaScript: a numeric key becomes the text JavaScript gives it (``1.0`` is
``"1"``), and of two equal keys the last wins. Escaped surrogate pairs become one character; a lone
surrogate is kept as JavaScript keeps it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal

from templsync.errors import UserError

MAX_DEPTH = 200
"""How deeply arrays and objects may nest."""

_PLAIN_DATA = "this file must hold plain data: strings, numbers, booleans, null, arrays and objects"
_LINE_BREAKS = "\n\r\u2028\u2029"
_SPACES = " \t\v\f\u00a0\ufeff"
_DIGITS = "0123456789"
_OPERATOR = re.compile(r"[-+*/%=<>!&|?~^]{1,3}")
_CONTINUES = "([.,+-*/%?&|<>=`"  # on the next line, these would continue the expression
_CONSTANTS: dict[str, object] = {"true": True, "false": False, "null": None, "undefined": None}
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_NUMBER = re.compile(
    r"0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII
)
_PLAIN_RUN = {
    '"': re.compile(r'[^"\\\n\r]+'),
    "'": re.compile(r"[^'\\\n\r]+"),
    "`": re.compile(r"[^`\\\r$]+"),
}
_QUOTED = {q: re.compile(f"{q}(?:[^{q}\\\\]|\\\\.)*{q}?", re.DOTALL) for q in "\"'`"}
_CODE_ESCAPE = re.compile(r"x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|u\{([0-9a-fA-F]+)\}")
_SURROGATE = re.compile("[\ud800-\udfff]")


class LiteralSyntaxError(UserError):
    """A migration file, or a literal in one, that is not plain data written as TypeScript."""

    def __init__(
        self, source: str, line: int, column: int, problem: str, hint: str = _PLAIN_DATA
    ) -> None:
        self.source = source
        self.line = line
        self.column = column
        self.problem = problem
        super().__init__(f"{source}:{line}:{column}: {problem}; {hint}.")


def parse_literal(text: str, *, source: str = "<literal>") -> object:
    """The value of one literal that makes up the whole of ``text``."""
    reader = _Reader(text, source)
    value = reader.value()
    if reader.more():
        raise reader.error(f"expected the end of the literal, found {reader.describe()}")
    return value


def parse_migration_module(text: str, *, source: str = "migrate.ts") -> object:
    """The value of ``export const migration`` in the text of a ``migrate.ts`` module."""
    reader = _Reader(text, source)
    reader.find_export()
    reader.skip()
    if reader.at(":"):
        reader.skip_type()
    reader.expect("=", "'=' after `export const migration`")
    value = reader.value()
    line_break = reader.skip()
    if reader.take_word("as"):
        reader.skip()
        if not reader.take_word("const"):
            raise reader.error(f"expected `const` after `as`, found {reader.describe()}")
        line_break = reader.skip()
    if reader.pos < len(text) and not reader.at(";") and (not line_break or reader.at(_CONTINUES)):
        found = reader.describe()
        raise reader.error(f"expected ';' or a new line after the literal, found {found}")
    return value


def _id_start(ch: str) -> bool:
    return ch in "$_" or ch.isidentifier()


def _id_part(ch: str) -> bool:
    return ch in "$\u200c\u200d" or f"_{ch}".isidentifier()


class _Reader:
    """A position in the text and the reading of one construct at a time from there."""

    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.pos = 0
        self.depth = 0

    def error(
        self, problem: str, pos: int | None = None, hint: str = _PLAIN_DATA
    ) -> LiteralSyntaxError:
        pos = self.pos if pos is None else pos
        line = self.text.count("\n", 0, pos) + 1
        column = pos - self.text.rfind("\n", 0, pos)
        return LiteralSyntaxError(self.source, line, column, problem, hint)

    def at(self, chars: str) -> bool:
        return self.pos < len(self.text) and self.text[self.pos] in chars

    def expect(self, char: str, expected: str) -> None:
        if not self.at(char):
            raise self.error(f"expected {expected}, found {self.describe()}")
        self.pos += 1

    def skip(self) -> bool:
        """Move past whitespace and comments; True if a line break was among them."""
        text, line_break = self.text, False
        while self.pos < len(text):
            ch = text[self.pos]
            if ch in _LINE_BREAKS:
                line_break = True
                self.pos += 1
            elif ch in _SPACES or unicodedata.category(ch) == "Zs":
                self.pos += 1
            elif text.startswith("//", self.pos):
                while self.pos < len(text) and text[self.pos] not in _LINE_BREAKS:
                    self.pos += 1
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    raise self.error("unterminated comment: expected '*/' to close this '/*'")
                line_break = line_break or any(c in _LINE_BREAKS for c in text[self.pos : end])
                self.pos = end + 2
            else:
                break
        return line_break

    def identifier(self) -> str:
        start, text = self.pos, self.text
        if start >= len(text) or not _id_start(text[start]):
            return ""
        self.pos += 1
        while self.pos < len(text) and _id_part(text[self.pos]):
            self.pos += 1
        return text[start : self.pos]

    def take_word(self, word: str) -> bool:
        start = self.pos
        if self.identifier() == word:
            return True
        self.pos = start
        return False

    def describe(self, pos: int | None = None) -> str:
        """The token at ``pos`` in words, for an error message."""
        text = self.text
        start = self.pos if pos is None else pos
        if start >= len(text):
            return "the end of the text"
        reader = _Reader(text, self.source)
        reader.pos = start
        if word := reader.identifier():
            reader.skip()
            return f"the call `{word}(`" if reader.at("(") else f"the name `{word}`"
        if text.startswith("...", start):
            return "the spread `...`"
        if (number := _NUMBER.match(text, start)) is not None:
            return f"the number `{number.group()}`"
        if (operator := _OPERATOR.match(text, start)) is not None:
            return f"the operator `{operator.group()}`"
        ch = text[start]
        if ch in "\"'`":
            return "a string"
        return f"`{ch}`" if ch.isprintable() else f"the character U+{ord(ch):04X}"

    def value(self) -> object:
        self.skip()
        if self.at("{"):
            entries: dict[str, object] = {}
            self.items("}", lambda: self.entry(entries))
            return entries
        if self.at("["):
            items: list[object] = []
            self.items("]", lambda: items.append(self.value()))
            return items
        if self.at("\"'`"):
            return self.string()
        if self.at(_DIGITS + "+-.") and not self.text.startswith("...", self.pos):
            return self.number()
        start = self.pos
        word = self.identifier()
        if word in _CONSTANTS:
            return _CONSTANTS[word]
        raise self.error(f"expected a value, found {self.describe(start)}", start)

    def items(self, close: str, read_item: Callable[[], None]) -> None:
        """Read the items of an array or object, from its opening bracket to ``close``."""
        if self.depth >= MAX_DEPTH:
            problem = f"arrays and objects nest more than {MAX_DEPTH} levels deep here"
            raise self.error(problem, hint="flatten the data")
        self.depth += 1
        self.pos += 1
        while self.more() and not self.at(close):
            read_item()
            self.skip()
            if not self.at(","):
                break
            self.pos += 1
        self.expect(close, f"',' or '{close}'")
        self.depth -= 1

    def entry(self, entries: dict[str, object]) -> None:
        key = self.key()
        self.skip()
        self.expect(":", "':' after the key")
        entries[key] = self.value()

    def key(self) -> str:
        if self.at("\"'"):
            return self.string()
        if self.at(_DIGITS + ".") and not self.text.startswith("...", self.pos):
            return _js_number_text(float(Decimal(self.number())))
        if word := self.identifier():
            return word
        found = "a computed key `[`" if self.at("[") else self.describe()
        raise self.error(f"expected a key (a name, a quoted string or a number), found {found}")

    def number(self) -> int | float:
        start, text = self.pos, self.text
        sign = -1 if self.at("-") else 1
        if self.at("+-"):
            self.pos += 1
        match = _NUMBER.match(text, self.pos)
        if match is None:
            raise self.error(f"expected a number after '{text[start]}', found {self.describe()}")
        digits, end = match.group(), match.end()
        if end < len(text) and _id_part(text[end]):
            while end < len(text) and _id_part(text[end]):
                end += 1
            raise self.error(f"found the malformed number `{text[start:end]}`", start)
        if len(digits) > 1 and digits[0] == "0" and digits[1] in _DIGITS:
            raise self.error(f"found the number `{digits}` with a leading zero (old octal)", start)
        self.pos = end
        base = {"x": 16, "o": 8, "b": 2}.get(digits[1:2].lower())
        if digits[0] == "0" and base is not None:
            return sign * int(digits[2:], base)
        if any(c in digits for c in ".eE"):
            return sign * float(digits)
        if len(digits) > 4000:
            raise self.error("found a number with more than 4000 digits", start)
        return sign * int(digits)

    def string(self) -> str:
        start, text = self.pos, self.text
        quote, plain = text[start], _PLAIN_RUN[text[start]]
        self.pos += 1
        parts: list[str] = []
        while True:
            if (run := plain.match(text, self.pos)) is not None:
                parts.append(run.group())
                self.pos = run.end()
            if self.pos >= len(text):
                raise self.error(
                    f"expected a closing {quote} for the string that starts here", start
                )
            ch = text[self.pos]
            self.pos += 1
            if ch == quote:
                break
            if ch == "\\":
                parts.append(self.escape())
            elif ch == "$" and quote == "`" and self.at("{"):
                raise self.error("found a template literal with `${...}`", self.pos - 1)
            elif ch == "\r" and quote == "`":
                self.pos += self.at("\n")
                parts.append("\n")
            elif ch in "\n\r" and quote != "`":
                raise self.error(
                    f"expected a closing {quote} for the string that starts here", start
                )
            else:
                parts.append(ch)
        result = "".join(parts)
        if _SURROGATE.search(result):
            utf16 = result.encode("utf-16-le", "surrogatepass")
            result = utf16.decode("utf-16-le", "surrogatepass")
        return result

    def escape(self) -> str:
        """The text of the escape sequence after a backslash (line continuation: nothing)."""
        text, backslash = self.text, self.pos - 1
        if self.pos >= len(text):
            return ""
        ch = text[self.pos]
        self.pos += 1
        if ch in _ESCAPES and not (ch == "0" and self.at(_DIGITS)):
            return _ESCAPES[ch]
        if ch in _DIGITS:
            raise self.error("found an octal escape (write \\xHH or \\uHHHH)", backslash)
        if ch == "\r":
            self.pos += self.at("\n")
        if ch in _LINE_BREAKS:
            return ""
        if ch not in "xu":
            return ch  # \\ \' \" \` and any other character stand for themselves
        match = _CODE_ESCAPE.match(text, self.pos - 1)
        code = int("".join(g for g in match.groups() if g), 16) if match is not None else -1
        if match is None or code > 0x10FFFF:
            expected = "\\xHH" if ch == "x" else "\\uHHHH or \\u{H...} up to 10FFFF"
            raise self.error(f"found an invalid escape: expected {expected}", backslash)
        self.pos = match.end()
        return chr(code)

    def find_export(self) -> None:
        """Move past the first ``export const migration`` outside comments and strings."""
        text = self.text
        while self.more():
            ch = text[self.pos]
            if ch in _QUOTED:
                self.skip_quoted()
            elif self.identifier() == "export":
                after = self.pos
                if self.skip_to_word("const") and self.skip_to_word("migration"):
                    return
                self.pos = after
            elif not _id_start(ch):
                self.pos += 1
        raise self.error(
            "found no `export const migration`",
            0,
            hint="the file must export its data as `export const migration = {...};`",
        )

    def more(self) -> bool:
        """Move past whitespace and comments; True if any text is left."""
        self.skip()
        return self.pos < len(self.text)

    def skip_to_word(self, word: str) -> bool:
        self.skip()
        return self.take_word(word)

    def skip_quoted(self) -> None:
        """Move past a string in code around the literal, whatever it holds."""
        match = _QUOTED[self.text[self.pos]].match(self.text, self.pos)
        self.pos = match.end() if match is not None else self.pos + 1

    def skip_type(self) -> None:
        """Move past a type annotation, up to the ``=`` that ends it."""
        depth, text = 0, self.text
        while self.more():
            ch = text[self.pos]
            if ch in _QUOTED:
                self.skip_quoted()
                continue
            if text.startswith("=>", self.pos):
                self.pos += 1
            elif ch == "=" and depth <= 0:
                return
            depth += (ch in "<([{") - (ch in ">)]}")
            self.pos += 1


def _js_number_text(value: float) -> str:
    """The text JavaScript makes of a number used as a key: ``1.0`` is ``"1"``, ``1e-7`` is
    ``"1e-7"``."""
    if value == float("inf"):
        return "Infinity"
    _, digit_tuple, exponent = Decimal(repr(value)).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    size, point = len(digits), int(exponent) + len(digits)
    if size <= point <= 21:
        return digits + "0" * (point - size)
    if 0 < point <= 21:
        return f"{digits[:point]}.{digits[point:]}"
    if -6 < point <= 0:
        return f"0.{'0' * -point}{digits}"
    mantissa = digits[0] + (f".{digits[1:]}" if size > 1 else "")
    return f"{mantissa}e{'+' if point > 0 else '-'}{abs(point - 1)}"
