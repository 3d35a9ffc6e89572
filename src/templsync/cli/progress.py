"""A progress bar on stderr that appears only once a run has taken a while: a quick run shows
nothing, a long one shows each stage of the work as a bar (``templsync.progress.Progress``)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

from templsync.cli.output import stderr
from templsync.progress import Progress, no_progress

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID

SHOW_AFTER = 0.5  # seconds: a quicker run shows no bar


class LateProgress:
    """``progress(stage, done, total)``, shown as a rich bar per stage once ``SHOW_AFTER`` passed.

    ``labels`` words each stage for a person (a stage without one shows its own name).
    """

    def __init__(self, labels: Mapping[str, str]) -> None:
        self.labels = labels
        self.started = time.monotonic()
        self.bar: RichProgress | None = None
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.bar is None:
            if time.monotonic() - self.started < SHOW_AFTER or done >= total:
                return
            from rich.progress import Progress  # only when a bar is shown

            self.bar = Progress(console=stderr().console, transient=True)
            self.bar.start()
        if stage not in self.tasks:
            self.tasks[stage] = self.bar.add_task(self.labels.get(stage, stage), total=total)
        self.bar.update(self.tasks[stage], completed=done, total=total)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


@contextmanager
def late_progress(labels: Mapping[str, str], *, show: bool = True) -> Iterator[Progress]:
    """A :class:`LateProgress` for the ``with`` block, stopped at its end however the block ends;
    when ``show`` is false (``--json``), a progress that shows nothing."""
    if not show:
        yield no_progress
        return
    bar = LateProgress(labels)
    try:
        yield bar
    finally:
        bar.stop()
