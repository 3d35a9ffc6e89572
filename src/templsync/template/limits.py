"""How much one render of a template may make: text, files and time.

The rules this module keeps:

- A render is one template version rendered for one destination (one session: its questions'
  strings, its path names, its files, its tasks' commands). Its limits hold for all of that
  together; an update renders two versions, each with its own.
- Text is what Jinja makes. It is counted as it is made (chunk by chunk, buffer by buffer), so
  a render that grows past the limit stops while it grows, and no single value a template makes
  may be larger than the limit (:mod:`templsync.template.sizes` estimates a value's size before
  the operations that can make it much larger run). Files copied as they are do not count.
- Files are the paths a render makes: files, links and folders.
- Time is the wall-clock time spent rendering (not the time a person takes to answer a
  question), checked in every loop iteration, call and filter a template runs, and, where an
  :class:`Alarm` is given, also by a timer that stops one long step between those checks.
- A trusted template has limits too, higher: trust means it may run code on purpose, and the
  limits are there to stop a template's mistake, not its author.
- Every limit can be raised for one run (``--max-render-bytes``, ``--max-files``,
  ``--render-timeout``, or their environment variables); the message says which one was hit,
  where, and how to raise it.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Protocol

from templsync.errors import UserError

__all__ = [
    "PAST_CAP",
    "TRUSTED",
    "UNTRUSTED",
    "Alarm",
    "Meter",
    "RenderLimitError",
    "RenderLimits",
    "RenderStopped",
    "format_size",
]

_MIB = 1024 * 1024
PAST_CAP = sys.maxsize
"""The size of a value measured only until it was past the limit (a container's text: its
measuring stops there, :func:`templsync.template.sizes.text_size`)."""


@dataclass(frozen=True)
class RenderLimits:
    """The limits of one render; a field left None takes the default for the template's trust."""

    max_bytes: int | None = None
    """The text a render may make (file contents, path names, strings), in bytes."""
    max_files: int | None = None
    """The files, links and folders a render may make."""
    timeout: float | None = None
    """The seconds a render may take."""

    def resolved(self, *, trusted: bool) -> RenderLimits:
        """These limits, each unset one taken from :data:`TRUSTED` or :data:`UNTRUSTED`."""
        defaults = TRUSTED if trusted else UNTRUSTED
        return replace(
            self,
            **{
                f.name: getattr(defaults, f.name)
                for f in fields(self)
                if getattr(self, f.name) is None
            },
        )


UNTRUSTED = RenderLimits(max_bytes=64 * _MIB, max_files=20_000, timeout=60.0)
TRUSTED = RenderLimits(max_bytes=1024 * _MIB, max_files=200_000, timeout=600.0)


class RenderStopped(UserError):
    """A render stopped on purpose, inside a template; the renderer adds where.

    ``what`` says what the template did, ``advice`` what the person can do about it. Raised
    where the template's code runs, which does not know the template's name; the renderer
    catches it and raises :meth:`at` the template file (and line).
    """

    def __init__(self, what: str, advice: str, where: str | None = None) -> None:
        self.what = what
        self.advice = advice
        self.where = where
        super().__init__(self._message())

    def _message(self) -> str:
        return f"{self.where or 'the template'} {self.what}. {self.advice}"

    def at(self, where: str) -> RenderStopped:
        """The same error, saying where it happened (once: the innermost place wins)."""
        if self.where is not None:
            return self
        located = type(self).__new__(type(self))  # a copy: __init__ takes other arguments
        located.__dict__.update(self.__dict__)
        located.where = where
        located.args = (located._message(),)
        return located


class RenderLimitError(RenderStopped):
    """A render made too much text, too many files, or took too long."""

    def __init__(self, what: str, *, limit: str, flag: str, example: str, trusted: bool) -> None:
        self.flag = flag
        kind = "a trusted" if trusted else "an untrusted"
        env = "TEMPLSYNC_" + flag.removeprefix("--").replace("-", "_").upper()
        super().__init__(
            f"{what}, past the limit of {limit} for {kind} template; rendering stopped there",
            f"If the template is meant to do that, run again with a higher limit: "
            f"`{flag} {example}` (or set {env}).",
        )


def format_size(size: float) -> str:
    """``size`` bytes for a person: ``64 MiB``, ``1.5 GiB``, ``900 bytes``."""
    for unit, scale in (("GiB", 1024**3), ("MiB", _MIB), ("KiB", 1024)):
        if size >= scale:
            value = size / scale
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size:.0f} bytes"


def _size_arg(size: int) -> str:
    """``size`` as ``--max-render-bytes`` takes it (``256M``)."""
    for suffix, scale in (("G", 1024**3), ("M", _MIB), ("K", 1024)):
        if size >= scale and size % scale == 0:
            return f"{size // scale}{suffix}"
    return str(size)


class Alarm(Protocol):
    """Calls ``ring`` after ``seconds`` wherever the render is, while armed (an adapter:
    :class:`templsync._io.alarm.MainThreadAlarm`). ``ring`` raises when the time is up, or
    returns the seconds left (a timer set for an earlier render may go off early)."""

    def arm(self, seconds: float, ring: Callable[[], float]) -> None: ...

    def disarm(self) -> None: ...


class Meter:
    """What one render has made so far and how long it has run, against its limits.

    Not shared between threads: a session renders in one thread at a time. ``clock`` gives
    seconds (an adapter, so tests pass their own); ``alarm``, when given, stops a render that
    is stuck in one long step between the render's own checks of the time.
    """

    def __init__(
        self,
        limits: RenderLimits,
        *,
        trusted: bool,
        clock: Callable[[], float] = time.monotonic,
        alarm: Alarm | None = None,
    ) -> None:
        resolved = limits.resolved(trusted=trusted)
        assert resolved.max_bytes is not None and resolved.max_files is not None
        assert resolved.timeout is not None  # resolved() fills every field
        self.limits = resolved
        self.trusted = trusted
        self.max_bytes: int = resolved.max_bytes
        self.max_files: int = resolved.max_files
        self.timeout: float = resolved.timeout
        self.output = 0
        """Bytes of text made so far."""
        self.files = 0
        self._clock = clock
        self._alarm = alarm
        self._spent = 0.0
        self._since = 0.0
        self._depth = 0
        self.deadline = math.inf
        """When the running render must stop (``clock``'s time); infinite between renders."""

    def start(self) -> None:
        """A render starts (renders may nest: a string rendered while a file renders)."""
        if self._depth == 0:
            self._since = self._clock()
            self.deadline = self._since + self.timeout - self._spent
            if self._alarm is not None:
                self._alarm.arm(self.deadline - self._since, self._time_left)
        self._depth += 1

    def stop(self) -> None:
        """The render :meth:`start` began has ended, one way or another."""
        self._depth -= 1
        if self._depth == 0:
            if self._alarm is not None:
                self._alarm.disarm()
            self._spent += self._clock() - self._since
            self.deadline = math.inf

    def tick(self) -> None:
        """Stop the render if its time is up (called in loops, calls and filters)."""
        if self._clock() > self.deadline:
            self._time_is_up()

    def _time_left(self) -> float:
        """The seconds the running render has left; past its deadline, the error."""
        left = self.deadline - self._clock()
        if left <= 0:
            self._time_is_up()
        return left

    def _time_is_up(self) -> None:
        raise RenderLimitError(
            f"ran for more than {self.timeout:g} seconds",
            limit=f"{self.timeout:g} seconds",
            flag="--render-timeout",
            example=f"{self.timeout * 4:g}",
            trusted=self.trusted,
        )

    def add_output(self, size: int) -> None:
        """``size`` more bytes of text were made."""
        self.output += size
        if self.output > self.max_bytes:
            raise self._too_much(f"renders more than {format_size(self.max_bytes)} of text")

    def check_value(self, size: int, how: str) -> None:
        """A value of about ``size`` bytes is about to be (or was just) made ``how``."""
        if size > self.max_bytes:
            about = "more than " if size >= PAST_CAP else "about "
            shown = format_size(self.max_bytes if size >= PAST_CAP else size)
            raise self._too_much(f"makes a value of {about}{shown} {how}")

    def room(self) -> int:
        """Bytes of text the render may still make."""
        return self.max_bytes - self.output

    def add_file(self, path: str) -> None:
        """The render makes one more path (file, link or folder): ``path``."""
        self.files += 1
        if self.files > self.max_files:
            raise self.too_many_files(
                f"makes more than {self.max_files:,} files and folders (the last: {path!r})"
            )

    def too_many_files(self, what: str) -> RenderLimitError:
        """The error for a render that makes more paths than it may: it ``what``."""
        return RenderLimitError(
            what,
            limit=f"{self.max_files:,}",
            flag="--max-files",
            example=str(self.max_files * 4),
            trusted=self.trusted,
        )

    def _too_much(self, what: str) -> RenderLimitError:
        return RenderLimitError(
            what,
            limit=format_size(self.max_bytes),
            flag="--max-render-bytes",
            example=_size_arg(self.max_bytes * 4),
            trusted=self.trusted,
        )
