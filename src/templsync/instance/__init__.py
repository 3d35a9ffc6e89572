"""One instance of a template: copy (and, later, update, check, diff, recopy)."""

from templsync.instance.copy import CopyOptions, CopyResult, DestinationNotEmptyError, copy
from templsync.instance.tasks import Command, TaskError

__all__ = [
    "Command",
    "CopyOptions",
    "CopyResult",
    "DestinationNotEmptyError",
    "TaskError",
    "copy",
]
