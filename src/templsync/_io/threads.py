"""Many small file system calls at once: the kernel runs them side by side (``open``, ``write``
and ``fsync`` release the GIL), and the file system commits concurrent fsyncs together.

Rules this module keeps:

- Below ``parallel_from`` items the calls run one after the other on the calling thread.
- Otherwise up to :data:`WORKERS` plain threads take the items in turn (no
  ``concurrent.futures``: importing it, and the logging it loads, costs ~5 ms, more than a
  dozen fsyncs take on an idle disk).
- The first exception is raised once every call already started has returned; no new call
  starts after it. The same holds when the calling thread is interrupted (Ctrl-C) while it
  waits: nothing is still writing when the caller cleans up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

PARALLEL_FROM = 16
"""From this many items on, threads do the work; below it, one thread is faster."""
WORKERS = 16


def for_each(
    fn: Callable[[T], object], items: Iterable[T], *, parallel_from: int = PARALLEL_FROM
) -> None:
    """``fn(item)`` for every item, by up to :data:`WORKERS` threads from ``parallel_from``
    items on (see the module's rules)."""
    items = list(items)
    if len(items) < parallel_from:
        for item in items:
            fn(item)
        return
    import threading  # noqa: PLC0415  # only when there are many

    pending = iter(range(len(items)))
    lock = threading.Lock()
    failures: list[BaseException] = []
    stop = threading.Event()

    def work() -> None:
        while not stop.is_set():
            with lock:
                at = next(pending, -1)
            if at < 0:
                return
            try:
                fn(items[at])
            except BaseException as err:  # handed to the calling thread below
                failures.append(err)
                stop.set()
                return

    workers = [
        threading.Thread(target=work, name=f"templsync-io-{i}")
        for i in range(min(WORKERS, len(items)))
    ]
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    except BaseException:
        stop.set()
        for worker in workers:
            if worker.ident is not None:  # started
                worker.join()
        raise
    if failures:
        raise failures[0]
