"""``update`` on every scenario of ``update_scenarios.py``, with Copier 9.19.1 as the oracle.

Each scenario's instance is updated by us and, from a twin of its repository (same history,
index and files), by ``copier.run_update``. Both results must be the same tree (paths, bytes,
modes, folders; ``.git`` aside), the same answers file and the same ``git status``, except where
the scenario states how and why Copier's result differs.

One difference holds for every scenario with a conflict: Copier's update returns normally (its
CLI exits 0) and only the files say that something is left to resolve; ours reports the
conflicts in the result (and the CLI exits 2).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest
import yaml

from instance.helpers import git
from instance.update_scenarios import (
    A2,
    BASIC,
    EDITED_B,
    SCENARIOS,
    Digests,
    FolderState,
    Scenario,
    TemplateStore,
    expected_digest,
    expected_entry,
    folder_digests,
    folder_state,
    make_instance,
    tree_digests,
    twin,
)
from templsync.instance.project import DEFAULT_ANSWERS_FILE
from templsync.instance.update import UpdateOptions, UpdateResult, update
from templsync.template.answering import QuestionPrompt

UNMERGED = {"DD", "AU", "UD", "UA", "DU", "AA", "UU"}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> TemplateStore:
    """The scenarios' template repositories, shared by the module's tests."""
    return TemplateStore(tmp_path_factory.mktemp("templates"))


def options_for(scenario: Scenario) -> UpdateOptions:
    return UpdateOptions(
        vcs_ref=scenario.vcs_ref,
        data=scenario.data,
        defaults=scenario.prompt is None,
        skip_answered=scenario.skip_answered,
        answers_file=scenario.template.answers_file,
        conflict=scenario.conflict,
        pretend=scenario.pretend,
    )


def run_ours(scenario: Scenario, dst: Path) -> tuple[UpdateResult, list[str]]:
    asked: list[str] = []

    def ask(prompt: QuestionPrompt) -> object:
        assert scenario.prompt is not None
        asked.append(prompt.name)
        return scenario.prompt[prompt.name]

    result = update(dst, options_for(scenario), ask=ask if scenario.prompt is not None else None)
    return result, asked


def run_copier(scenario: Scenario, dst: Path) -> None:
    import copier

    typed = {k: v for k, v in (scenario.prompt or {}).items() if k in scenario.asked}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copier.run_update(
            str(dst),
            data={**scenario.data, **typed},
            defaults=True,
            overwrite=True,
            unsafe=True,
            quiet=True,
            vcs_ref=scenario.vcs_ref,
            answers_file=scenario.template.answers_file,
            skip_answered=scenario.skip_answered,
            conflict=scenario.conflict,
        )


def unmerged(top: Path, subdir: str) -> dict[str, str]:
    """``git status``'s unmerged paths (relative to the instance) and their codes."""
    prefix = f"{subdir}/" if subdir else ""
    found: dict[str, str] = {}
    for line in git(top, "status", "--porcelain").splitlines():
        code, path = line[:2], line[3:]
        if code in UNMERGED:
            assert path.startswith(prefix)
            found[path[len(prefix) :]] = code
    return found


def check_files(scenario: Scenario, files: Digests) -> None:
    for path, content in scenario.expect.items():
        if content is None:
            assert path not in files, f"{path} should not exist"
        else:
            assert files.get(path) == expected_digest(content), path


def check_result(scenario: Scenario, result: UpdateResult, asked: list[str]) -> None:
    changes = {c.path: c for c in result.changes}
    for path, want in scenario.actions.items():
        action, origin = want if isinstance(want, tuple) else (want, None)
        assert path in changes, f"{path}: no change reported in {result.changes}"
        assert changes[path].action == action, changes[path]
        assert changes[path].from_path == origin, changes[path]
    assert {c.path for c in result.conflicts} == set(scenario.conflicts)
    assert result.clean is not bool(scenario.conflicts)
    assert asked == list(scenario.asked)
    check_files(scenario, tree_digests(result.after))
    latest = scenario.template.versions[-1][0]
    assert result.to_version.recorded == (scenario.vcs_ref or latest)


def check_answers(scenario: Scenario, dst: Path) -> None:
    answers = yaml.safe_load(
        (dst / (scenario.template.answers_file or DEFAULT_ANSWERS_FILE)).read_text()
    )
    latest = scenario.template.versions[-1][0]
    assert answers["_commit"] == (scenario.vcs_ref or latest)
    for key, value in scenario.answers.items():
        assert answers[key] == value, key


def expected_of_copier(scenario: Scenario, ours: FolderState) -> FolderState:
    assert scenario.copier is not None
    files = dict(ours.files)
    for path, content in scenario.copier.files.items():
        if content is None:
            files.pop(path, None)
        else:
            files[path] = expected_entry(content)
    return FolderState(dict(sorted(files.items())), ours.dirs | scenario.copier.dirs)


def differences(expected: FolderState, found: FolderState) -> dict[str, object]:
    """The paths where two folder states differ, with both sides (None: missing)."""
    paths = expected.files.keys() | found.files.keys()
    diff: dict[str, object] = {
        p: (expected.files.get(p), found.files.get(p))
        for p in sorted(paths)
        if expected.files.get(p) != found.files.get(p)
    }
    for folder in sorted(expected.dirs ^ found.dirs):
        diff[folder + "/"] = (folder in expected.dirs, folder in found.dirs)
    return diff


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_update_scenario(scenario: Scenario, store: TemplateStore, tmp_path: Path) -> None:
    top = tmp_path / "ours"
    dst = make_instance(store, scenario, top)
    twin_top = twin(top, tmp_path / "copier") if scenario.copier is not None else None
    before = folder_state(top)
    index_before = (top / ".git" / "index").read_bytes()

    result, asked = run_ours(scenario, dst)

    check_result(scenario, result, asked)
    state = folder_state(dst)
    if scenario.pretend:
        assert folder_state(top) == before
        assert (top / ".git" / "index").read_bytes() == index_before
        return
    # the result's trees name files on disk: they are compared by digest, not read again
    assert folder_digests(state) == tree_digests(result.after)
    for path, content in scenario.expect.items():
        assert state.files.get(path) == (None if content is None else expected_entry(content))
    for folder in scenario.gone_dirs:
        assert folder not in state.dirs
    check_answers(scenario, dst)
    expected_unmerged = scenario.conflicts if scenario.conflict == "inline" else {}
    assert unmerged(top, scenario.subdir) == expected_unmerged

    if twin_top is None or scenario.copier is None:
        return
    copier_dst = twin_top / scenario.subdir if scenario.subdir else twin_top
    run_copier(scenario, copier_dst)  # returns normally, conflicts or not
    why = scenario.copier.why or "Copier's update gives the same result"
    found = differences(expected_of_copier(scenario, state), folder_state(copier_dst))
    assert not found, f"{why}; differing from that (expected, Copier's): {found}"
    if scenario.copier.same_status:
        assert git(twin_top, "status", "--porcelain") == git(top, "status", "--porcelain"), why


def test_the_set_covers_at_least_thirty_cases() -> None:
    assert len(SCENARIOS) >= 30
    assert len({s.id for s in SCENARIOS}) == len(SCENARIOS)


def test_a_relative_src_path_is_found_from_the_instance(
    store: TemplateStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``_src_path: ../basic`` names the template from the instance's folder, wherever the
    update runs; Copier resolves it against the current folder and cannot find the template."""
    import copier

    scenario = Scenario("relative", BASIC, edits={"b.txt": EDITED_B})
    template = store.path(BASIC)
    top = make_instance(store, scenario, tmp_path / "ours")
    answers = top / DEFAULT_ANSWERS_FILE
    relative = os.path.relpath(template, top)
    answers.write_text(answers.read_text().replace(str(template), relative))
    git(top, "commit", "-qam", "template named from here")
    copier_top = twin(top, tmp_path / "copier")
    before_copier = folder_state(copier_top)
    elsewhere = tmp_path / "somewhere" / "else"  # not as deep as the instance
    elsewhere.mkdir(parents=True)
    monkeypatch.chdir(elsewhere)

    result = update(top, UpdateOptions(defaults=True))

    assert result.to_version.recorded == "v2"
    state = folder_state(top)
    assert state.files["b.txt"] == expected_entry(EDITED_B)
    assert state.files["a.txt"] == expected_entry(A2)
    assert f"_src_path: {relative}\n" in (top / DEFAULT_ANSWERS_FILE).read_text()
    # Copier looks for ../../templates0/basic from the current folder, where there is none
    with warnings.catch_warnings(), pytest.raises(ValueError, match="must be a directory"):
        warnings.simplefilter("ignore")
        copier.run_update(str(copier_top), defaults=True, overwrite=True, quiet=True)
    assert folder_state(copier_top) == before_copier
