"""The template as it was when the instance was last made or updated.

That is the template at the answers file's ``_commit`` (or another ref), rendered with the
recorded answers, defaults for anything not recorded (secrets, hidden questions), nothing asked:
what Copier's update renders as its "old copy". ``update`` merges against it; ``diff`` shows the
instance's own changes against it. Which version that is: :meth:`Project.recorded_version`.
"""

from __future__ import annotations

from types import MappingProxyType

from templsync._io.sources import ResolvedVersion, TemplateSource
from templsync.instance.project import Project
from templsync.instance.session import Rendered, SessionOptions, open_session

__all__ = ["render_recorded"]


def render_recorded(
    project: Project,
    source: TemplateSource,
    version: ResolvedVersion,
    options: SessionOptions,
    *,
    extra_exclude: tuple[str, ...] = (),
) -> Rendered:
    """``version`` rendered with the recorded answers; ``options`` gives trust, excludes and
    the render's limits.

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
        limits=options.limits,
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
