"""What a git repository is in the middle of: a merge, rebase, cherry-pick, revert, bisect or am.

git leaves its marks in the git folder while such an operation waits for a person
(``MERGE_HEAD``, ``rebase-merge/``, ``rebase-apply/``, ``CHERRY_PICK_HEAD``, ``REVERT_HEAD``,
``BISECT_LOG``); libgit2 reads them as the repository's *state*. A command that writes into a
working tree in that state mixes its changes into the operation's (and a merge's conflicts into
its own), so it refuses, saying which operation it is and the git commands that finish or
abort it. ``--allow-dirty`` does not change that: the files are not merely uncommitted.
"""

from __future__ import annotations

from dataclasses import dataclass

from pygit2.enums import RepositoryState

from templsync._io.gitrepo import GitRepo
from templsync.errors import UserError

__all__ = [
    "Unfinished",
    "UnfinishedOperationError",
    "refuse_unfinished",
    "unfinished_operation",
]


class UnfinishedOperationError(UserError):
    """The repository is in the middle of a merge, rebase, cherry-pick, revert or bisect."""


@dataclass(frozen=True)
class Unfinished:
    """An operation git is in the middle of, and how a person finishes or leaves it."""

    name: str
    """"merge", "rebase", ... as a person names it."""
    mark: str
    """What git left in the git folder that says so."""
    finish: str
    """The command that carries it on (once its conflicts are resolved)."""
    abort: str
    """The command that gives it up and goes back to where it started."""


_MERGE = Unfinished("merge", "MERGE_HEAD", "git merge --continue", "git merge --abort")
_REVERT = Unfinished("revert", "REVERT_HEAD", "git revert --continue", "git revert --abort")
_PICK = Unfinished(
    "cherry-pick", "CHERRY_PICK_HEAD", "git cherry-pick --continue", "git cherry-pick --abort"
)
_REBASE = Unfinished("rebase", "rebase-merge/", "git rebase --continue", "git rebase --abort")
_APPLY = Unfinished("rebase", "rebase-apply/", "git rebase --continue", "git rebase --abort")
_AM = Unfinished("`git am`", "rebase-apply/applying", "git am --continue", "git am --abort")
_BISECT = Unfinished("bisect", "BISECT_LOG", "git bisect reset", "git bisect reset")

_STATES = {
    RepositoryState.MERGE: _MERGE,
    RepositoryState.REVERT: _REVERT,
    RepositoryState.REVERT_SEQUENCE: _REVERT,
    RepositoryState.CHERRYPICK: _PICK,
    RepositoryState.CHERRYPICK_SEQUENCE: _PICK,
    RepositoryState.BISECT: _BISECT,
    RepositoryState.REBASE: _APPLY,
    RepositoryState.REBASE_INTERACTIVE: _REBASE,
    RepositoryState.REBASE_MERGE: _REBASE,
    RepositoryState.APPLY_MAILBOX: _AM,
    RepositoryState.APPLY_MAILBOX_OR_REBASE: _APPLY,
}


def unfinished_operation(repo: GitRepo) -> Unfinished | None:
    """The operation ``repo`` is in the middle of, or None."""
    return _STATES.get(RepositoryState(repo.repo.state()))


def refuse_unfinished(repo: GitRepo, where: str, command: str) -> None:
    """Raise :class:`UnfinishedOperationError` when ``repo`` is in the middle of an operation.

    ``where`` names the working tree in the message, ``command`` what was refused ("update").
    """
    found = unfinished_operation(repo)
    if found is None:
        return
    if found is _BISECT:
        how = f"end it with `{found.finish}`"
    else:
        how = f"resolve its conflicts and run `{found.finish}`, or give it up with `{found.abort}`"
    raise UnfinishedOperationError(
        f"{where} is in the middle of a {found.name} ({found.mark} is in its git folder), so the "
        f"{command} is refused, even with --allow-dirty: its changes would mix with the "
        f"{found.name}'s. Finish or abort the {found.name} first: {how}. Then run the "
        f"{command} again."
    )
