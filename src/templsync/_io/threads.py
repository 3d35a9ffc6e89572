"""Many small file system calls at once: the kernel runs them side by side (``open``, ``write``
and ``fsync`` release the GIL), and the file system commits concurrent fsyncs together."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

PARALLEL_FROM = 16
"""From this many items on, a pool of threads does the work; below it, one thread is faster."""
WORKERS = 16


def for_each(fn: Callable[[T], object], items: Iterable[T]) -> None:
    """``fn(item)`` for every item, by a pool of threads when there are many.

    The first exception is raised once every call already started has returned and the rest
    are cancelled, so nothing is still writing when the caller cleans up.
    """
    items = list(items)
    if len(items) < PARALLEL_FROM:
        for item in items:
            fn(item)
        return
    # Imported here: concurrent.futures (and the logging it loads) costs every command ~5 ms.
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

    pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="templsync-io")
    try:
        for _ in pool.map(fn, items):
            pass
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
