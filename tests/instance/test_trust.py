"""Trust: Copier's own ``is_trusted_repository`` is the oracle, and its settings file is read."""

from __future__ import annotations

from pathlib import Path

import pytest
from copier._settings import is_trusted_repository

from templsync.template.trust import (
    SettingsFileError,
    is_trusted,
    load_trust_list,
    settings_path,
)

TRUST = (
    "https://github.com/org/",
    "https://github.com/other/one.git",
    "gh:team/",
    "git@gitlab.com:group/",
    "~/templates/",
    "/srv/tpl/exact",
    "https://example.com/we%20ird/",
)
REPOS = (
    "https://github.com/org/service.git",
    "https://github.com/org/../evil/x.git",
    "https://github.com/organization/x.git",
    "https://github.com/other/one.git",
    "https://github.com/other/one.git/../two.git",
    "gh:team/tpl",
    "gh:teams/tpl",
    "git@gitlab.com:group/sub/tpl.git",
    "git@gitlab.com:groupie/tpl.git",
    "~/templates/a",
    "~/templates/../secrets",
    "/srv/tpl/exact",
    "/srv/tpl/exact/",
    "/srv/tpl/exactly",
    "https://example.com/we%20ird/x",
    "relative/path",
)


@pytest.mark.parametrize("repository", REPOS)
def test_the_trust_list_means_what_it_means_to_copier(repository: str) -> None:
    assert is_trusted(TRUST, repository) == is_trusted_repository(TRUST, repository)


def test_settings_path_follows_copiers_variable(tmp_path: Path) -> None:
    given = tmp_path / "s.yml"
    assert settings_path({"COPIER_SETTINGS_PATH": str(given)}) == given
    assert settings_path({}).parts[-2:] == ("copier", "settings.yml")


def test_the_trust_list_is_read_from_the_settings_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.yml"
    assert load_trust_list(path) == ()
    path.write_text("defaults:\n  name: x\ntrust:\n  - gh:org/\n  - /srv/tpl\n")
    assert load_trust_list(path) == ("gh:org/", "/srv/tpl")
    path.write_text("trust: gh:org/\n")
    with pytest.raises(SettingsFileError, match="must be a list"):
        load_trust_list(path)
    path.write_text("trust: [unclosed\n")
    with pytest.raises(SettingsFileError, match="not valid YAML"):
        load_trust_list(path)
