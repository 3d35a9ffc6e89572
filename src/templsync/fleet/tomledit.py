"""Edits of a TOML document that keep its comments where a person put them.

tomlkit keeps every comment, but it files a comment block written above a ``[[table]]`` header
under the table (or top-level keys) before it. Its plain operations then put a new key below the
comments meant for the next table, and deleting a table leaves its comments to the one above.
These edits know that a block of comments ends a container: a key is added above it, a removed
table takes the comments right above its header with it and hands its own trailing block to
the container before it, and new tables go above the comments that end the file.
"""

from __future__ import annotations

from tomlkit import TOMLDocument, nl
from tomlkit.container import Container
from tomlkit.items import AoT, Comment, Item, Key, Null, Table, Whitespace


def trailing_start(container: Container) -> int:
    """Where the block of comments and blank lines that ends ``container`` begins."""
    body = container.body
    i = len(body)
    while i > 0 and body[i - 1][0] is None:
        i -= 1
    return i


def set_key(container: Container, key: str, value: object) -> None:
    """Set ``key`` (None removes it); a key that holds an equal value is left as written."""
    current = container.get(key)
    if value is None:
        if key in container:
            del container[key]
        return
    if current is not None and _same(current, value):
        return
    if key in container:
        container[key] = value
        return
    end = _keys_end(container)
    if end >= len(container.body):
        container[key] = value
    else:
        container._insert_at(end, key, value)  # tomlkit has no public insert


def append_table(doc: TOMLDocument, name: str, table: Table) -> None:
    """Add ``table`` as the last ``[[name]]``, one blank line below what comes before it."""
    existing = doc.get(name)
    if not isinstance(existing, AoT) or not existing.body:
        if name in doc:
            del doc[name]
        _end_with_blank_line(doc)
        array = AoT([], parsed=True)  # blank lines are placed here, not by tomlkit
        array.append(table)
        doc.append(name, array)
        return
    last = existing.body[-1].value
    closing = _detach_trailing(last)
    _end_with_blank_line(last)
    existing.append(table)
    for item in closing:
        table.value.add(item)


def remove_table(doc: TOMLDocument, name: str, index: int) -> TOMLDocument:
    """Remove the ``index``-th ``[[name]]`` table with the comment lines right above its header.

    The comments that end the table (those above the next header, or the end of the file) stay.
    Returns the document, which is a new one when the first table was removed.
    """
    array = doc[name]
    assert isinstance(array, AoT)
    tables = array.body
    removed = tables[index].value
    kept_block = _trivia(removed.body[trailing_start(removed) :])
    if index > 0:
        before = tables[index - 1].value
        _drop_attached_comments(before, len(before.body))
        del array[index]
        for item in _after(before.body, kept_block):
            before.add(item)
        return doc
    position = next(
        i for i, (key, _item) in enumerate(doc.body) if key is not None and key.key == name
    )
    _drop_attached_comments(doc, position)
    del array[index]
    if not array.body:
        del doc[name]
        for item in _after(doc.body, kept_block):
            doc.add(item)
        return doc
    return _rebuilt(doc, position, _after(doc.body[:position], kept_block))


def _same(current: object, value: object) -> bool:
    plain = current.unwrap() if isinstance(current, Item) else current
    return type(plain) is type(value) and plain == value


def _keys_end(container: Container) -> int:
    """Where a new key goes: after the last key-value, above a comment block and the tables."""
    body = container.body
    first_table = next(
        (i for i, (key, item) in enumerate(body) if key and isinstance(item, Table | AoT)),
        len(body),
    )
    end = first_table
    while end > 0 and body[end - 1][0] is None:
        end -= 1
    return end if end > 0 else first_table


def _detach_trailing(container: Container) -> list[Item]:
    """Take the trailing block off ``container`` when it holds a comment (else leave it)."""
    start = trailing_start(container)
    items = _trivia(container.body[start:])
    if not any(isinstance(item, Comment) for item in items):
        return []
    for i in range(start, len(container.body)):
        container.body[i] = (None, Null())
    while items and isinstance(items[0], Whitespace):
        items.pop(0)
    return [nl(), *items]


def _trivia(body: list[tuple[Key | None, Item]]) -> list[Item]:
    """The comments and blank lines of ``body`` (no key-values, nothing removed)."""
    return [item for key, item in body if key is None and not isinstance(item, Null)]


def _after(body: list[tuple[Key | None, Item]], block: list[Item]) -> list[Item]:
    """``block`` without its leading blank lines when ``body`` already ends with one."""
    kept = [item for _key, item in body if not isinstance(item, Null)]
    if kept and isinstance(kept[-1], Whitespace):
        while block and isinstance(block[0], Whitespace):
            block = block[1:]
    return block


def _drop_attached_comments(container: Container, end: int) -> None:
    """Blank the comment lines directly above ``end`` (no blank line between them and it)."""
    body = container.body
    i = end
    while i > 0 and body[i - 1][0] is None and isinstance(body[i - 1][1], Comment | Null):
        i -= 1
        body[i] = (None, Null())


def _end_with_blank_line(container: Container) -> None:
    text = container.as_string()
    if text and not text.endswith("\n\n"):
        if not text.endswith("\n"):
            container.add(nl())
        container.add(nl())


def _rebuilt(doc: TOMLDocument, position: int, inserted: list[Item]) -> TOMLDocument:
    """``doc`` with ``inserted`` trivia placed before the item at ``position``."""
    new = TOMLDocument(parsed=True)
    for i, (key, item) in enumerate(doc.body):
        if i == position:
            for extra in inserted:
                new._raw_append(None, extra)  # trivia has no public insert
        if not isinstance(item, Null):
            new._raw_append(key if isinstance(key, Key) else None, item)
    return new
