"""Writing the fleet registry back: the text of a :class:`Fleet` edited into the file a person
wrote (its comments, layout and entry order kept, by tomlkit), landed through the one writer only
if the file still holds what was read."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import TYPE_CHECKING

from templsync._core.plan import make_plan
from templsync._core.tree import FileEntry, Mode, Tree
from templsync._limits import LimitError, parse_within
from templsync.errors import ReadError
from templsync.fleet.registry import (
    ENTRY_KEYS,
    Fleet,
    FleetEntry,
    FleetFileError,
    LastUpdate,
    parse_reason,
)

if TYPE_CHECKING:
    import tomlkit.items
    from tomlkit.container import Container

__all__ = ["render_fleet", "replace_registry", "save_fleet"]

_HEADER = (
    "templsync fleet registry: the template and the instances made from it.\n"
    "Edit it by hand, or with `templsync fleet discover`, `fleet add` and `fleet remove`."
)


def save_fleet(fleet: Fleet, *, previous: Path | None = None) -> None:
    """Write ``fleet`` to ``fleet.path`` atomically, through the one writer.

    The registry read from ``previous`` (default: ``fleet.path``, when it exists) is edited in
    place: its comments, layout and entry order stay, entries no longer in ``fleet`` are removed
    with the comment lines above them, values that changed are rewritten, and new entries are
    added at the end. A file that changed on disk while it was being written is not overwritten.
    """
    target = fleet.path.resolve() if fleet.path.is_symlink() else fleet.path
    old = _read_existing(target)
    source = old if previous is None else (_read_existing(previous) or (b"", Mode.REGULAR))
    source_path = target if previous is None else previous
    text = None if source is None else source[0].decode("utf-8")
    new = render_fleet(fleet, text, source_path).encode("utf-8")
    if old is None or old[0] != new:
        replace_registry(target, old, new)


def replace_registry(target: Path, old: tuple[bytes, Mode] | None, new: bytes) -> None:
    """Write ``new`` at ``target`` through the one writer, if the file still holds ``old`` (None:
    there is no file); otherwise raise ``ChangedDuringRunError`` and write nothing."""
    from templsync._io.apply import apply_plan  # noqa: PLC0415  # writing only: status reads

    mode = old[1] if old is not None else Mode.REGULAR
    current = Tree() if old is None else Tree({target.name: FileEntry.from_bytes(old[0], mode)})
    target.parent.mkdir(parents=True, exist_ok=True)
    apply_plan(
        target.parent, make_plan(current, Tree({target.name: FileEntry.from_bytes(new, mode)}))
    )


def render_fleet(fleet: Fleet, previous: str | None, source: Path | None = None) -> str:
    """The registry text of ``fleet``, written into the text ``previous`` when there is one."""
    # tomlkit keeps comments and layout; it is imported here so that reading does without it.
    import tomlkit  # noqa: PLC0415  # see above
    from tomlkit.exceptions import ParseError  # noqa: PLC0415  # see above
    from tomlkit.items import AoT  # noqa: PLC0415  # see above

    from templsync.fleet import tomledit  # noqa: PLC0415  # imports tomlkit

    if previous is None or not previous.strip():
        doc = tomlkit.document()
        for line in _HEADER.splitlines():
            doc.add(tomlkit.comment(line))
        doc.add(tomlkit.nl())
    else:
        try:
            doc = parse_within(lambda: tomlkit.parse(previous), check=False)
        except LimitError as err:
            raise FleetFileError(f"{source or fleet.path} {err}. Fix the file.") from err
        except ParseError as err:
            raise FleetFileError(
                f"{source or fleet.path}:{err.line}: not valid TOML: {parse_reason(err)}. "
                "Fix the file."
            ) from err
    tomledit.set_key(doc, "template", fleet.template)
    tomledit.set_key(doc, "test_command", fleet.test_command)
    array = doc.get("instance")
    if array is not None and not isinstance(array, AoT):
        del doc["instance"]  # an inline array: rewritten as [[instance]] tables
        array = None
    wanted = {e.name: e for e in fleet.entries}
    if isinstance(array, AoT):
        for index in reversed(range(len(array.body))):
            name = array.body[index].get("name")
            entry = wanted.pop(str(name), None) if name is not None else None
            if entry is None:
                doc = tomledit.remove_table(doc, "instance", index)
                array = doc.get("instance")
                if not isinstance(array, AoT):
                    break
                continue
            for key in ENTRY_KEYS[1:]:
                _set_entry_key(array.body[index].value, key, getattr(entry, key))
    for entry in fleet.entries:
        if entry.name in wanted:
            tomledit.append_table(doc, "instance", _table(entry))
    return tomlkit.dumps(doc).rstrip("\n") + "\n"


def _table(entry: FleetEntry) -> tomlkit.items.Table:
    import tomlkit  # noqa: PLC0415  # writing only, as in render_fleet

    table = tomlkit.table()
    for key in ENTRY_KEYS:
        value = getattr(entry, key)
        if value is not None:
            table[key] = _inline(value) if isinstance(value, LastUpdate) else value
    return table


def _set_entry_key(table: Container, key: str, value: object) -> None:
    """``set_key``, with a :class:`LastUpdate` written as an inline table (kept when equal)."""
    from templsync.fleet import tomledit  # noqa: PLC0415  # writing only, as in render_fleet

    if not isinstance(value, LastUpdate):
        tomledit.set_key(table, key, value)
        return
    current = table.get(key)
    if current is not None and current.unwrap() == value.as_dict():
        return
    tomledit.set_key(table, key, _inline(value))


def _inline(value: LastUpdate) -> tomlkit.items.InlineTable:
    import tomlkit  # noqa: PLC0415  # writing only, as in render_fleet

    inline = tomlkit.inline_table()
    inline.update(value.as_dict())
    return inline


def _read_existing(path: Path) -> tuple[bytes, Mode] | None:
    try:
        st = path.stat()
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as err:
        raise ReadError(f"cannot read the fleet registry {str(path)!r}: {err.strerror}") from err
    return data, Mode.EXECUTABLE if st.st_mode & stat.S_IXUSR else Mode.REGULAR
