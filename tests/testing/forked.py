"""Calls run in a forked child with changed powers: as the ``nobody`` user, under a file size
limit (writes past it fail, or kill the child). Each returns what happened as text: ``"ok"``,
``"<ExceptionType>: <message>"`` or ``"killed by <SIGNAL>"``."""

from __future__ import annotations

import os
import resource
import signal
import traceback
from collections.abc import Callable

NOBODY = 65534


def call_forked(fn: Callable[[], object], setup: Callable[[], None]) -> str:
    """Run ``setup()`` then ``fn()`` in a forked child; return what happened as text.

    The result is ``"ok"``, ``"<ExceptionType>: <message>"``, or ``"killed by <SIGNAL>"`` when
    a signal ended the child. The child never returns into pytest: it ends with ``os._exit``.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read_end)
            setup()
            os.write(write_end, _outcome(fn).encode())
        except BaseException:
            os.write(write_end, traceback.format_exc().encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        result = pipe.read().decode()
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return result


def call_unprivileged(fn: Callable[[], object]) -> str:
    """Run ``fn`` without the power to ignore file permissions; return what happened as text.

    When the tests run as root (root reads any file whatever its mode), ``fn`` runs in a forked
    child that switched to the ``nobody`` user first, so permissions apply for real.
    """
    if os.geteuid() != 0:
        return _outcome(fn)

    def become_nobody() -> None:
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)

    return call_forked(fn, become_nobody)


def call_with_file_size_limit(fn: Callable[[], object], limit: int) -> str:
    """Run ``fn`` where no file can grow past ``limit`` bytes (writes fail with EFBIG, as on a
    full disk); return what happened as text."""

    def limit_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return call_forked(fn, limit_files)


def call_killed_at_file_size(fn: Callable[[], object], limit: int) -> str:
    """Run ``fn`` in a child that the kernel kills (``SIGXFSZ``) the moment a write would take
    a file past ``limit`` bytes: a crash at an exact point, ``"killed by SIGXFSZ"`` then."""

    def limit_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core file left behind
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return call_forked(fn, limit_files)


def _outcome(fn: Callable[[], object]) -> str:
    try:
        fn()
    except Exception as err:
        return f"{type(err).__name__}: {err}"
    return "ok"
