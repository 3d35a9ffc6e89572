"""The template as it was when the instance was last made or updated.

That is the template at the answers file's ``_commit`` (or another ref), rendered with the
recorded answers, defaults for anything not recorded (secrets, hidden questions), nothing asked:
what Copier's update renders as its "old copy". ``update`` merges against it; ``diff`` shows the
instance's own changes against it.
"""

from __future__ import annotations

from types import MappingProxyType

from templsync._io.gitrepo import RefNotFoundError
from templsync._io.sources import ResolvedVersion, TemplateSource
from templsync.errors import UserError
from templsync.instance.project import Project
from templsync.instance.session import Rendered, SessionOptions, open_session

__all__ = ["BaseVersionMissingError", "recorded_version", "render_recorded"]


class BaseVersionMissingError(UserError):
    """The recorded ``_commit`` cannot be found in the template."""


def recorded_version(
    project: Project, source: TemplateSource, base_ref: str | None = None
) -> ResolvedVersion:
    """The version ``_commit`` names (or ``base_ref``), with a clear error when it is gone."""
    ref = base_ref or project.recorded.commit
    answers = project.root / project.answers_path
    if ref is None:
        raise BaseVersionMissingError(
            f"{answers} records no `_commit`, so the version this project was made from is "
            "unknown. Pass --base-ref REF (the template version it was made from), or use "
            "`templsync recopy` to render it again from scratch."
        )
    try:
        return source.resolve(ref, prereleases=True)
    except RefNotFoundError as err:
        if base_ref is not None:
            raise
        raise BaseVersionMissingError(
            f"{answers} records `_commit: {ref}`, which the template {source.src_path!r} no "
            f"longer has ({err}). Pass --base-ref REF to use another version as the base, or "
            "use `templsync recopy` to render the project again from scratch."
        ) from err


def render_recorded(
    project: Project,
    source: TemplateSource,
    version: ResolvedVersion,
    options: SessionOptions,
    *,
    extra_exclude: tuple[str, ...] = (),
) -> Rendered:
    """``version`` rendered with the recorded answers; ``options`` gives trust and excludes.

    ``extra_exclude`` is added to the template's ``_exclude`` (an update adds the new version's,
    so that a path the new version excludes is not seen as deleted by the template).
    """
    recorded_options = SessionOptions(
        data=MappingProxyType(dict(project.recorded.answers)),
        defaults=True,
        exclude=options.exclude,
        skip_if_exists=options.skip_if_exists,
        trust=options.trust,
        trust_list=options.trust_list,
        skip_tasks=True,
        answers_file=options.answers_file,
        prereleases=options.prereleases,
        quiet=True,
        cache_dir=options.cache_dir,
        overwrite=True,
    )
    session = open_session(source, version, project.root, recorded_options, operation="update")
    session.answer()
    return session.render_tree(extra_exclude=extra_exclude)
