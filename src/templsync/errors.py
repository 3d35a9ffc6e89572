"""The one exception tree of templsync.

Every error templsync raises on purpose derives from :class:`TemplsyncError`.

- :class:`UserError` and its subclasses are problems the person running templsync can fix: the
  message says what went wrong, where (file, line, path) and what to do. The CLI prints the message
  and exits with code 1.
- :class:`ConflictsLeft` is not a failure of templsync: the work finished but left conflicts in
  files for a person to resolve. The CLI exits with code 2.
- Anything else that escapes is a bug: the CLI prints one line, writes the traceback to a log file
  and prints that file's path.

A refusal that Copier also makes has the class name Copier 9 gives it (``copier.errors``):
``ForbiddenPathError``, ``UnsafeTemplateError``, ``InvalidTypeError``, ``TaskError``,
``InteractiveSessionError``, ``ExtensionNotFoundError``, ``InvalidConfigFileError``, ... so a
caller tells them apart by class, and someone who used Copier's API finds the names they know.
Where Copier's class is also a built-in exception (``ConfigFileError`` and ``PathError`` are
also a ``ValueError``, ``InvalidTypeError`` a ``TypeError``), so is ours; so is a refused answer
(:class:`QuestionError`), which Copier raises as a ``ValueError``. Every one is a
:class:`UserError`: the CLI exits with code 1 (Copier's own CLI exits 4 for an unsafe template).

The warnings are defined here too, under :class:`TemplsyncWarning`, with Copier's names for the
ones Copier gives (``DirtyLocalWarning``, ``OldTemplateWarning``, ``MissingSettingsWarning``,
``CleanupWarning``; a ``DeprecationWarning`` or ``FutureWarning`` of Copier's is one of ours that
is also that class). Each is given once, by :func:`templsync._warned.give`: a Python warning, also
carried by the result of the operation that gave it; the CLI prints them as ``warning:`` lines.

Third-party exceptions are translated at the adapter boundary with ``raise ... from err``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


class TemplsyncError(Exception):
    """Root of every error templsync raises on purpose."""


class UserError(TemplsyncError):
    """A problem the user can fix; the message is written for a person."""


class InvalidPathError(UserError):
    """A path that is absolute, contains ``..``, or would leave the root."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(
            f"invalid path {path!r}: {reason}. Paths must be relative to the project root "
            "and stay inside it."
        )


class SymlinkError(UserError):
    """A symlink that leaves the root or forms a loop.

    ``link`` and ``target`` name a link that leaves the root and where it points (None for a
    loop), so a caller can say what the root is.
    """

    def __init__(self, message: str, *, link: str | None = None, target: str | None = None):
        self.link = link
        self.target = target
        super().__init__(message)


class ReadError(UserError):
    """A file or folder could not be read."""


class ChangedDuringRunError(UserError):
    """The files on disk changed between reading them and writing the result."""


class WriteError(UserError):
    """A file could not be written; the folder was left as it was."""


class JournalError(UserError):
    """An interrupted run left a journal that could not be finished or rolled back."""


class PathError(UserError, ValueError):
    """A path that is not valid where it is used (Copier's ``PathError``)."""


class ForbiddenPathError(PathError):
    """A path the template renders, reads or links to leads outside the folder it must stay in.

    The message starts as Copier's does (``"<path>" is forbidden``), then says ``why``.
    """

    def __init__(self, path: str, why: str) -> None:
        self.path = path
        self.why = why
        super().__init__(f'"{path}" is forbidden: {why}')


class SymlinkOutsideError(SymlinkError, ForbiddenPathError):
    """A symlink (``link``) that points outside the root (to ``target``, as it is written):
    Copier's ``ForbiddenPathError``. The message names ``path``: where the link leads when
    that is known (Copier names that), else the link."""

    def __init__(
        self, link: str, why: str, *, target: str | None = None, path: str | None = None
    ) -> None:
        self.link = link
        self.path = path or link
        self.target = target
        self.why = why
        UserError.__init__(self, f'"{self.path}" is forbidden: {why}')


class ConfigFileError(UserError, ValueError):
    """The template's ``copier.yml`` cannot be used (Copier's ``ConfigFileError``)."""


class InvalidConfigFileError(ConfigFileError):
    """``copier.yml`` (or a file it includes) is invalid; the message names the file and line."""


class MultipleConfigFilesError(InvalidConfigFileError):
    """Both ``copier.yml`` and ``copier.yaml`` are at the template's root."""


class UnsupportedVersionError(InvalidConfigFileError):
    """``_min_copier_version`` asks for a newer Copier than templsync follows."""


class ExtensionNotFoundError(ConfigFileError):
    """A Jinja extension of ``_jinja_extensions`` cannot be imported."""


class SettingsError(UserError):
    """Copier's user settings file (``settings.yml``) cannot be read."""


class UnsafeTemplateError(UserError):
    """Template settings that run code (``_tasks``, ``_migrations``, ``_jinja_extensions``),
    and the template is not trusted. ``features`` are the settings' names without the ``_``."""

    def __init__(self, features: str | Iterable[str]) -> None:
        names = [features] if isinstance(features, str) else list(features)
        self.features = tuple(sorted({f.lstrip("_") for f in names}))
        settings = " and ".join(f"`_{f}`" for f in self.features)
        plural = len(self.features) > 1
        super().__init__(
            f"Template uses potentially unsafe feature{'s' if plural else ''}: "
            f"{', '.join(self.features)}. The template's {settings} setting"
            f"{'s run' if plural else ' runs'} code from the template, so it needs trust. If you "
            "trust this template, run again with `--trust` (or add it to the `trust:` list of "
            "Copier's settings.yml)."
        )


class QuestionError(UserError, ValueError):
    """An answer or a default that does not fit its question; the message names the question."""


class InvalidTypeError(QuestionError, TypeError):
    """An answer or a default of a type the question cannot take (``None`` for an ``int``)."""


class MissingAnswerError(QuestionError):
    """A question needs an answer and none is given: ``--defaults`` and it has no default."""


class InteractiveSessionError(MissingAnswerError):
    """A question must be asked, and there is no terminal to ask it at."""


class YieldTagInFileError(UserError):
    """A ``{% yield %}`` tag in a file's content (it is allowed in path names only)."""


class MultipleYieldTagsError(UserError):
    """A path name with more than one ``{% yield %}`` tag."""


class TaskError(UserError):
    """A template task or migration could not be started, or exited with a non-zero status.

    ``command`` and ``returncode`` say which and how (``returncode`` is None when it could not
    start), as Copier's ``TaskError`` does.
    """

    def __init__(
        self, message: str, *, command: str | Sequence[str] = "", returncode: int | None = None
    ) -> None:
        self.command = command
        self.returncode = returncode
        super().__init__(message)


class ConflictsLeft(TemplsyncError):
    """The work finished but left conflicts in files for a person to resolve."""

    def __init__(self, paths: Sequence[str]) -> None:
        self.paths = tuple(paths)
        listed = "\n".join(f"  {p}" for p in self.paths)
        super().__init__(f"{len(self.paths)} file(s) left with conflicts:\n{listed}")


class TemplsyncWarning(UserWarning):
    """Root of every warning templsync gives: something a person should know; the work was done.

    Given by :func:`templsync._warned.give`: a Python warning, also carried by the result of the
    operation that gave it (``CopyResult.warnings`` ...). Copier's ``CopierWarning``.
    """


class DirtyLocalWarning(TemplsyncWarning):
    """A local template repository read at ``HEAD`` had uncommitted changes, which were used."""


class OldTemplateWarning(TemplsyncWarning):
    """``_min_copier_version`` is of an older major version of Copier than templsync follows."""


class MissingSettingsWarning(TemplsyncWarning):
    """``COPIER_SETTINGS_PATH`` names a settings file that does not exist."""


class CleanupWarning(TemplsyncWarning):
    """A copy that failed could not remove the destination it made."""


class UnknownSettingWarning(TemplsyncWarning):
    """``copier.yml`` has a ``_`` setting Copier does not know; it is ignored."""


class TemplateElsewhereWarning(TemplsyncWarning):
    """A relative ``_src_path`` was found from a folder above the instance, or from here."""


class StaleLockWarning(TemplsyncWarning):
    """A storage sync's lock left by a run that died was taken over."""


class TemplateDeprecationWarning(TemplsyncWarning, DeprecationWarning):
    """The template uses a form Copier deprecates (it still works): Copier's
    ``DeprecationWarning``."""


class TemplateFutureWarning(TemplsyncWarning, FutureWarning):
    """The template uses something Copier will remove (``now()``, ``make_secret()``): Copier's
    ``FutureWarning``."""


__all__ = [
    "ChangedDuringRunError",
    "CleanupWarning",
    "ConfigFileError",
    "ConflictsLeft",
    "DirtyLocalWarning",
    "ExtensionNotFoundError",
    "ForbiddenPathError",
    "InteractiveSessionError",
    "InvalidConfigFileError",
    "InvalidPathError",
    "InvalidTypeError",
    "JournalError",
    "MissingAnswerError",
    "MissingSettingsWarning",
    "MultipleConfigFilesError",
    "MultipleYieldTagsError",
    "OldTemplateWarning",
    "PathError",
    "QuestionError",
    "ReadError",
    "SettingsError",
    "StaleLockWarning",
    "SymlinkError",
    "SymlinkOutsideError",
    "TaskError",
    "TemplateDeprecationWarning",
    "TemplateElsewhereWarning",
    "TemplateFutureWarning",
    "TemplsyncError",
    "TemplsyncWarning",
    "UnknownSettingWarning",
    "UnsafeTemplateError",
    "UnsupportedVersionError",
    "UserError",
    "WriteError",
    "YieldTagInFileError",
]
