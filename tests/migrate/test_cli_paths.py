"""Entry paths: the fast check for already-normal paths agrees with ``normalize_path``."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from templsync._core.tree import normalize_path
from templsync.errors import InvalidPathError
from templsync.migrate.codec import _PLAIN_PATH

PARTS = st.sampled_from(["a", "b.c", ".", "..", "", ".env", "é", "x:y", "C:", "\0", "a b"])


@given(st.lists(PARTS, min_size=1, max_size=5), st.booleans())
def test_a_path_taken_as_plain_is_normal(parts: list[str], absolute: bool) -> None:
    path = ("/" if absolute else "") + "/".join(parts)
    if _PLAIN_PATH.match(path):
        try:
            assert normalize_path(path) == path
        except InvalidPathError as err:  # pragma: no cover - a failure of the law
            raise AssertionError(f"{path!r} taken as plain but {err}") from err
