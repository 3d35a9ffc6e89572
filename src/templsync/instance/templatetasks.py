"""A template's ``_tasks``, rendered and run in order after its files were written.

Copier's ``_execute_tasks``: each task's ``when`` and command are rendered with the session's
context plus ``_stage: task`` and ``_copier_operation``, the environment gets ``STAGE`` and
``COPIER_OPERATION``, and the first failure stops the rest.
"""

from __future__ import annotations

from collections.abc import Callable

from templsync.instance.session import Session
from templsync.instance.tasks import Command, CommandRunner, TaskError
from templsync.template.questions import cast_to_bool

__all__ = ["run_template_tasks"]


def run_template_tasks(
    run: Session,
    on_task: Callable[[Command], None] | None,
    run_task: CommandRunner,
    *,
    pretend: bool,
) -> tuple[Command, ...]:
    """Run ``run``'s tasks (none with ``skip_tasks``); with ``pretend`` only list them."""
    tasks = run.config.settings.tasks
    if run.options.skip_tasks or not tasks:
        return ()
    run.phase = "tasks"
    extra: dict[str, object] = {"_stage": "task", "_copier_operation": run.operation}
    env = {k[1:].upper(): str(v) for k, v in extra.items()}
    done: list[Command] = []
    for index, task in enumerate(tasks, start=1):
        context = run.operation_context(_stage="task")
        when = task.when
        condition = run.renderer.render(when, context) if isinstance(when, str) else when
        if not cast_to_bool(condition):
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
                f"{status}. The files were written; the tasks after it did not run.",
                command=command.args,
                returncode=status,
            )
    return tuple(done)
