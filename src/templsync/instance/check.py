"""``check``: is an instance at its template's latest version, and if not, how far behind?

The answers file names the template (``_src_path``) and the version that made the instance
(``_commit``); the template's latest version is its highest PEP 440 tag (pre-releases when
asked), else its ``HEAD``. The instance is *behind* when the latest version is higher than the
recorded one, as Copier's ``check-update`` decides; when either has no PEP 440 version (a
template without version tags), when the latest commit has commits the recorded one lacks.

Only git objects are read: refs, tags and commit messages. Nothing is rendered and no Jinja is
imported, so a CI job can run it on every push. ``conflicts`` is the exception: it dry-runs the
update (both renders and the merge, nothing written) to list the files that would conflict.

A remote template's mirror is fetched first (``refresh``, on by default): a check that answers
from a stale mirror would say "current" about a version pushed since.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from templsync._io.sources import GitSource, ResolvedVersion
from templsync.errors import UserError
from templsync.instance.project import load_project
from templsync.template.limits import RenderLimits

if TYPE_CHECKING:
    from packaging.version import Version

__all__ = [
    "CheckOptions",
    "CheckResult",
    "ConflictsNeedTrustError",
    "NotCheckableError",
    "TemplateCommit",
    "check",
]


class ConflictsNeedTrustError(UserError):
    """``--conflicts`` on a template whose settings run code (``_migrations``, Jinja
    extensions), without ``--trust``."""


class NotCheckableError(UserError):
    """The template has no versions to compare with: a plain folder, not a git repository."""


@dataclass(frozen=True)
class CheckOptions:
    """``templsync check``'s options, with their defaults."""

    answers_file: str | None = None
    prereleases: bool = False
    """Let pre-release tags be the latest version."""
    refresh: bool = True
    """Fetch a remote template's cached mirror before looking (no effect on a local one)."""
    cache_dir: Path | None = None
    conflicts: bool = False
    """Dry-run the update to the latest version and list the files that would conflict."""
    trust: bool = False
    """For ``conflicts``: render a template that needs trust (Jinja extensions)."""
    trust_list: tuple[str, ...] = ()
    """For ``conflicts``: Copier's ``trust:`` entries from its settings file."""
    limits: RenderLimits = field(default_factory=RenderLimits)
    """For ``conflicts``: how much each render may make (unset: by trust)."""
    template: str | None = None
    """Read the template from here, not where ``_src_path`` leads (a fleet's registry)."""


@dataclass(frozen=True)
class TemplateCommit:
    """One template commit the instance does not have yet."""

    sha: str
    subject: str


@dataclass(frozen=True)
class CheckResult:
    """Where an instance stands against its template's latest version."""

    root: Path
    answers_file: str
    src_path: str
    current: ResolvedVersion
    """The version ``_commit`` names (``recorded`` is ``_commit`` as written)."""
    latest: ResolvedVersion
    commits: tuple[TemplateCommit, ...]
    """The latest version's commits the current one does not have, newest first."""
    versions: tuple[str, ...]
    """The version tags above the current version up to the latest, highest first."""
    up_to_date: bool
    conflicts: tuple[str, ...] | None = None
    """With ``conflicts``: the paths an update would leave conflicted; else None."""

    @property
    def current_version(self) -> str | None:
        """The current version as Copier prints it (PEP 440), else ``_commit`` as recorded."""
        return _shown(self.current)

    @property
    def latest_version(self) -> str | None:
        return _shown(self.latest)


def check(root: Path, options: CheckOptions = CheckOptions()) -> CheckResult:  # frozen
    """Compare the instance at ``root`` with its template; see the module's documentation.

    Raises :class:`~templsync.instance.project.NotAnInstanceError` or
    :class:`~templsync.template.answers.AnswersFileError` for a missing or invalid answers
    file, :class:`~templsync.instance.project.BaseVersionMissingError` when ``_commit`` is
    absent or unknown to the template, :class:`NotCheckableError` for a template that is not a
    git repository.
    """
    project = load_project(root, options.answers_file)
    source = project.open_template(
        cache_dir=options.cache_dir, refresh=options.refresh, location=options.template
    )
    if not isinstance(source, GitSource):
        raise NotCheckableError(
            f"the template {project.src_path!r} is a folder, not a git repository, so it has no "
            "versions to check against. Make it a git repository with version tags."
        )
    current = project.recorded_version(source)
    latest = source.resolve(prereleases=options.prereleases)
    assert current.commit is not None and latest.commit is not None  # a GitSource's always are
    commits = tuple(
        TemplateCommit(sha, subject)
        for sha, subject in source.repo.log_between(current.commit, latest.commit)
    )
    if current.version is not None and latest.version is not None:
        up_to_date = not latest.version > current.version
    else:
        up_to_date = not commits
    result = CheckResult(
        root=root,
        answers_file=project.answers_path,
        src_path=project.src_path,
        current=current,
        latest=latest,
        commits=commits,
        versions=_versions_between(source, current, latest, commits, options.prereleases),
        up_to_date=up_to_date,
    )
    if options.conflicts:
        return replace(result, conflicts=() if up_to_date else _conflicts(result, options))
    return result


def _versions_between(
    source: GitSource,
    current: ResolvedVersion,
    latest: ResolvedVersion,
    commits: tuple[TemplateCommit, ...],
    prereleases: bool,
) -> tuple[str, ...]:
    """Version tags above ``current`` up to ``latest``, one per version, highest first.

    By PEP 440 order when both versions are known; otherwise the version tags on the
    commits the instance lacks.
    """
    found: dict[Version, str] = {}
    if current.version is not None and latest.version is not None:
        for version, tag in source.versions(prereleases=prereleases):
            if current.version < version <= latest.version:
                found.setdefault(version, tag)
    elif commits:
        missing = {c.sha for c in commits}
        for version, tag in source.versions(prereleases=prereleases):
            if source.repo.resolve(tag) in missing:
                found.setdefault(version, tag)
    return tuple(found.values())


def _conflicts(result: CheckResult, options: CheckOptions) -> tuple[str, ...]:
    """The paths an update to ``result.latest`` would leave conflicted (nothing written)."""
    from templsync.instance.update import UpdateOptions, update  # noqa: PLC0415  # renders: Jinja
    from templsync.template.jinja import TrustRequiredError  # noqa: PLC0415  # loaded with Jinja

    try:
        dry_run = update(
            result.root,
            UpdateOptions(
                vcs_ref=result.latest.ref,
                answers_file=options.answers_file,
                prereleases=options.prereleases,
                defaults=True,
                pretend=True,
                quiet=True,
                skip_tasks=True,
                trust=options.trust,
                trust_list=options.trust_list,
                limits=options.limits,
                allow_dirty=True,
                cache_dir=options.cache_dir,
                template=options.template,
            ),
        )
    except TrustRequiredError as err:
        raise ConflictsNeedTrustError(
            "--conflicts dry-runs the update, and the template's "
            + " and ".join(f"`_{name}`" for name in err.features)
            + " run code from the template, so it needs trust. If you trust this template, run "
            "`templsync check --conflicts --trust` (the dry run writes nothing and runs no task "
            "or migration), or add the template to the `trust:` list of Copier's settings.yml."
        ) from err
    return tuple(sorted(c.path for c in dry_run.conflicts))


def _shown(version: ResolvedVersion) -> str | None:
    return str(version.version) if version.version is not None else version.recorded
