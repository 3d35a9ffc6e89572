"""A wall-clock alarm for renders in the main thread (``SIGALRM``).

A render checks its own time in every loop iteration and call; the alarm stops one that is
stuck in a single long step between those checks (a filter turning megabytes into YAML, a
regular expression backtracking). The rules it keeps:

- Only the main thread can receive signals, so elsewhere :meth:`MainThreadAlarm.arm` does
  nothing (the render's own checks still hold). The CLI renders in the main thread, and the
  fleet in the main threads of its worker processes.
- The handler is installed when an alarm is armed and ``SIGALRM`` has its default action
  (which ends the process); it uses the process's real-time timer (``ITIMER_REAL``), which
  nothing else in templsync uses. A program (or a test) that handles ``SIGALRM`` itself keeps
  its handler and its timer: its renders go without the alarm, their own checks still hold.
  Where the handler had to be installed again (someone put the default back), a timer set
  before is not counted on.
- Arming costs a call to the kernel only when no timer is set for this alarm: a render's
  deadline moves only later (the time between renders does not count), so a timer set for an
  earlier render goes off early, if at all; then ``ring`` says how long is left and the timer
  is set again. Disarming only notes that no render is running: a timer that goes off then
  is dropped.
- ``ring`` raises in whatever code the main thread is running when the time is up, which is
  the render's.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType

__all__ = ["MainThreadAlarm"]

_MAIN = threading.main_thread().ident
_owner: list[MainThreadAlarm] = []
"""The alarm the timer is set for (empty until one is armed); the handler's only state."""


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    if _owner:
        _owner[0].rang()


class MainThreadAlarm:
    """Calls ``ring`` in the main thread after ``seconds`` while armed (see the module's doc)."""

    def __init__(self) -> None:
        self._armed = False
        self._pending = False
        self._ring: Callable[[], float] = lambda: 0.0

    def arm(self, seconds: float, ring: Callable[[], float]) -> None:
        """From now until :meth:`disarm`, ``ring`` is called when ``seconds`` have passed;
        it raises when the time is up, or returns the seconds still left."""
        if threading.get_ident() != _MAIN or not hasattr(signal, "setitimer"):
            return  # Windows has no SIGALRM
        handler = signal.getsignal(signal.SIGALRM)
        if handler is not _on_alarm:
            if handler is not signal.SIG_DFL:
                return  # the program's own handler (or SIG_IGN, or one set from C)
            signal.signal(signal.SIGALRM, _on_alarm)
            if _owner:
                _owner[0]._pending = False  # its timer may have been cleared with the handler
        self._ring = ring
        self._armed = True
        if _owner and _owner[0] is self and self._pending:
            return
        if not _owner:
            _owner.append(self)
        else:
            _owner[0]._pending = False
            _owner[0] = self
        self._set(seconds)

    def disarm(self) -> None:
        self._armed = False

    def rang(self) -> None:
        """The timer went off (from the signal handler)."""
        self._pending = False
        if self._armed:
            self._set(self._ring())  # raises when the time is up

    def _set(self, seconds: float) -> None:
        signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
        self._pending = True
