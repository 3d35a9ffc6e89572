"""for_each: every item once, by threads from a threshold on; the first failure stops new calls
and is raised only once every call in flight has returned."""

from __future__ import annotations

import threading
import time

import pytest

from templsync._io.threads import WORKERS, for_each


@pytest.mark.parametrize("parallel_from", [1000, 2])
def test_every_item_is_handled_once(parallel_from: int) -> None:
    seen: list[int] = []
    threads: set[int] = set()

    def handle(item: int) -> None:
        time.sleep(0.001)
        seen.append(item)
        threads.add(threading.get_ident())

    for_each(handle, range(50), parallel_from=parallel_from)

    assert sorted(seen) == list(range(50))
    if parallel_from > 50:
        assert threads == {threading.get_ident()}
    else:
        assert threading.get_ident() not in threads and len(threads) > 1


def test_a_failure_stops_new_calls_and_waits_for_those_in_flight() -> None:
    lock = threading.Lock()
    started: set[int] = set()
    finished: set[int] = set()

    def handle(item: int) -> None:
        with lock:
            started.add(item)
        if item == 5:
            raise OSError(28, "No space left on device")
        time.sleep(0.005)
        with lock:
            finished.add(item)

    with pytest.raises(OSError, match="No space"):
        for_each(handle, range(200), parallel_from=2)

    assert started - finished == {5}  # every other call had returned when it was raised
    assert len(started) <= 2 * WORKERS  # and the rest never began
