"""`templsync sync` against SFTP: Debian's OpenSSH server on a loopback port, throwaway keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.helpers import files, folders, run_json
from storage.sftp import Sshd
from testing.trees import build_tree


def test_a_folder_and_an_sftp_folder_stay_in_sync(
    sftp: Sshd, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local, served, state = tmp_path / "local", tmp_path / "served", tmp_path / "state"
    build_tree(local, {"a.txt": "a", "sub/dir/b.txt": "b", "name with space.txt": "s"})
    build_tree(served, {"from-server.txt": "srv"})
    url = sftp.url(served)
    code, result = run_json(capsys, "sync", local, url, "--state-dir", state)
    assert code == 0
    assert result["pulled"] == ["from-server.txt"]
    assert files(served) == files(local)
    # No change: nothing moves.
    code, result = run_json(capsys, "sync", local, url, "--state-dir", state)
    assert (code, result["pushed"], result["pulled"]) == (0, [], [])
    # A deletion on the local side removes the file and its emptied folders on the server.
    (local / "sub/dir/b.txt").unlink()
    (served / "a.txt").write_text("edited on the server")
    code, result = run_json(capsys, "sync", local, url, "--state-dir", state)
    assert code == 0
    assert result["deleted_remote"] == ["sub/dir/b.txt"] and result["pulled"] == ["a.txt"]
    assert files(served) == files(local)
    assert "sub" not in folders(served)
    assert not [p for p in served.iterdir() if p.name.startswith(".templsync-")]
