"""templsync's errors become Copier's classes of the same name, and keep Copier's built-in bases."""

from __future__ import annotations

import warnings

import copier.errors
import jinja2
import pytest

from copier_suite.translate import (
    copier_class,
    copier_errors,
    copier_warnings,
    table,
    to_copier,
)
from templsync import errors


def test_the_table_is_name_for_name_but_for_the_roots() -> None:
    names = table()
    assert names["UserError"] == "UserMessageError"
    assert names["TemplsyncError"] == "CopierError"
    differing = {ours: theirs for ours, theirs in names.items() if ours != theirs}
    assert differing == {"UserError": "UserMessageError", "TemplsyncError": "CopierError"}
    for name in (
        "ForbiddenPathError",
        "UnsafeTemplateError",
        "InvalidTypeError",
        "TaskError",
        "InteractiveSessionError",
        "ExtensionNotFoundError",
        "InvalidConfigFileError",
        "DirtyLocalWarning",
        "OldTemplateWarning",
        "MissingSettingsWarning",
        "CleanupWarning",
    ):
        assert names[name] == name


def test_our_classes_named_as_copiers_are_also_its_builtin_exceptions() -> None:
    for ours, theirs in table().items():
        ours_class, theirs_class = getattr(errors, ours), getattr(copier.errors, theirs)
        for builtin in (ValueError, TypeError, UserWarning):
            if issubclass(theirs_class, builtin):
                assert issubclass(ours_class, builtin), ours


def test_an_error_without_a_copier_name_takes_its_nearest_named_base() -> None:
    assert copier_class(errors.MissingAnswerError) is copier.errors.UserMessageError
    assert copier_class(errors.UnsupportedVersionError) is copier.errors.UnsupportedVersionError
    assert copier_class(errors.ConflictsLeft) is copier.errors.CopierError


def test_a_translated_error_keeps_the_message_and_the_builtin_base() -> None:
    translated = to_copier(errors.ForbiddenPathError("../x", "it leaves the folder"))
    assert isinstance(translated, copier.errors.ForbiddenPathError)
    assert isinstance(translated, ValueError)
    assert str(translated) == '"../x" is forbidden: it leaves the folder'
    refused = to_copier(errors.QuestionError("copier.yml:1: question 'q': no"))
    assert isinstance(refused, copier.errors.UserMessageError)
    assert isinstance(refused, ValueError)
    assert str(refused) == "copier.yml:1: question 'q': no"


def test_a_task_error_is_copiers_called_process_error() -> None:
    translated = to_copier(errors.TaskError("task failed", command="false", returncode=1))
    assert isinstance(translated, copier.errors.TaskError)
    assert translated.returncode == 1
    assert translated.cmd == "false"


def test_a_jinja_error_templsync_raised_from_is_kept() -> None:
    def render() -> None:
        try:
            jinja2.Environment(undefined=jinja2.StrictUndefined).from_string("{{ x }}").render()
        except jinja2.UndefinedError as err:
            raise errors.UserError(f"cannot render: {err}") from err

    with pytest.raises(jinja2.UndefinedError, match="'x' is undefined"), copier_errors():
        render()


def test_warnings_are_given_again_as_copiers() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with copier_warnings():
            warnings.warn(errors.DirtyLocalWarning("dirty"), stacklevel=1)
            warnings.warn(errors.UnknownSettingWarning("other"), stacklevel=1)
            warnings.warn(errors.TemplateDeprecationWarning("old form"), stacklevel=1)
            warnings.warn(errors.TemplateFutureWarning("going"), stacklevel=1)
            warnings.warn("not ours", RuntimeWarning, stacklevel=1)
    assert [(w.category, str(w.message)) for w in caught] == [
        (copier.errors.DirtyLocalWarning, "dirty"),
        (UserWarning, "other"),
        (DeprecationWarning, "old form"),
        (FutureWarning, "going"),
        (RuntimeWarning, "not ours"),
    ]


def test_warnings_are_given_again_when_the_call_fails() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(copier.errors.UserMessageError), copier_errors(), copier_warnings():
            warnings.warn(errors.CleanupWarning("could not remove"), stacklevel=1)
            raise errors.UserError("failed")
    assert [w.category for w in caught] == [copier.errors.CleanupWarning]
