"""A template's ``_tasks``, rendered and run in order on the files the template wrote.

Copier's ``_execute_tasks``: each task's ``when`` and command are rendered with the session's
context plus ``_stage: task`` and ``_copier_operation``, right before it runs; it runs in the
session's destination (its ``working_directory`` taken from there), the environment gets
``STAGE`` and ``COPIER_OPERATION``, and the first failure stops the rest. A copy runs them in
the folder it wrote; an update, in a scratch copy of the instance
(:mod:`templsync.instance.updatetasks`), which is why the note on a failure is the caller's.
"""

from __future__ import annotations

from collections.abc import Callable

from templsync.instance.session import Session
from templsync.instance.tasks import Command, CommandRunner, TaskError
from templsync.template.questions import cast_to_bool

__all__ = ["WRITTEN", "any_task_runs", "run_template_tasks"]

WRITTEN = "The files were written; the tasks after it did not run."
"""What a failed task's message says after its exit code, when the files are already written."""


def run_template_tasks(
    run: Session,
    on_task: Callable[[Command], None] | None,
    run_task: CommandRunner,
    *,
    pretend: bool,
    failed: str = WRITTEN,
) -> tuple[Command, ...]:
    """Run ``run``'s tasks (none with ``skip_tasks``); with ``pretend`` only list them.

    ``failed`` ends the message of the :class:`TaskError` a failing task raises.
    """
    tasks = run.config.settings.tasks
    if run.options.skip_tasks or not tasks:
        return ()
    run.phase = "tasks"
    extra: dict[str, object] = {"_stage": "task", "_copier_operation": run.operation}
    env = {k[1:].upper(): str(v) for k, v in extra.items()}
    done: list[Command] = []
    for index, task in enumerate(tasks, start=1):
        context = run.operation_context(_stage="task")
        if not _holds(run, task.when, context):
            continue
        if isinstance(task.command, str):
            args: str | tuple[str, ...] = run.renderer.render(task.command, context)
        else:
            args = tuple(run.renderer.render(str(part), context) for part in task.command)
        cwd = (run.dst / run.renderer.render(task.working_directory, context)).absolute()
        command = Command(args, cwd, env, index, len(tasks))
        if on_task is not None:
            on_task(command)
        done.append(command)
        if pretend:
            continue
        status = run_task(command)
        if status:
            raise TaskError(
                f"task {index} of {len(tasks)} ({command.shown}) failed with exit code "
                f"{status}. {failed}",
                command=command.args,
                returncode=status,
            )
    return tuple(done)


def any_task_runs(run: Session) -> bool:
    """Whether :func:`run_template_tasks` would run a task (one whose ``when`` holds now)."""
    tasks = run.config.settings.tasks
    if run.options.skip_tasks or not tasks:
        return False
    phase, run.phase = run.phase, "tasks"
    try:
        context = run.operation_context(_stage="task")
        return any(_holds(run, task.when, context) for task in tasks)
    finally:
        run.phase = phase


def _holds(run: Session, when: str | bool, context: dict[str, object]) -> bool:
    return cast_to_bool(run.renderer.render(when, context) if isinstance(when, str) else when)
