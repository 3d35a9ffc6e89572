"""Copier's settings file, read as Copier reads it (``copier.load_settings`` is the oracle)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import yaml

from templsync.errors import MissingSettingsWarning
from templsync.template.usersettings import SettingsFileError, load_settings, user_settings


def copiers(path: Path) -> tuple[dict[str, object], set[str]]:
    from copier import load_settings as copier_load_settings

    settings = copier_load_settings(path)
    return dict(settings.defaults), set(settings.trust)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16-le", "utf-16-be"])
def test_defaults_and_trust_are_read_in_any_encoding_copier_reads(
    tmp_path: Path, encoding: str
) -> None:
    path = tmp_path / "settings.yml"
    text = yaml.dump(
        {"defaults": {"foo": "こんにちは", "n": 3}, "trust": ["gh:org/"]}, allow_unicode=True
    )
    path.write_bytes(("\ufeff" + text if encoding.startswith("utf-16") else text).encode(encoding))

    settings = load_settings(path)

    assert (dict(settings.defaults), set(settings.trust)) == copiers(path)
    assert settings.defaults == {"foo": "こんにちは", "n": 3}


@pytest.mark.parametrize(
    "content",
    ["defaults: should be a mapping\n", "trust: gh:org/\n", "defaults: [unclosed\n", "- a\n"],
)
def test_a_settings_file_copier_refuses_is_an_error_naming_it(tmp_path: Path, content: str) -> None:
    path = tmp_path / "settings.yml"
    path.write_text(content)
    from copier.errors import SettingsError

    with pytest.raises(SettingsError):
        copiers(path)
    with pytest.raises(SettingsFileError, match=str(path)):
        load_settings(path)


def test_a_settings_file_named_by_the_variable_but_missing_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    missing = tmp_path / "nowhere.yml"
    with pytest.warns(MissingSettingsWarning, match=f"Settings file not found at {missing}"):
        settings = user_settings({"COPIER_SETTINGS_PATH": str(missing)})
    assert settings.defaults == {} and settings.trust == ()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert user_settings({}).trust == ()  # the default file, missing: no warning
