"""Compiled Jinja templates kept on disk between runs, in templsync's cache folder.

Compiling is most of the time of a first render; a template that did not change compiles once per
machine instead of once per run. Jinja checks each entry against the checksum of its source, and
every environment writes under its own namespace (a digest of its settings), so a stale or foreign
entry is never used. Each content of a file has its own entry: an update renders two versions of a
template, and the files that differ between them would otherwise replace each other's entry on
every run and be compiled every time. The cache is best effort: a folder that cannot be written
just means compiling again. Entries are never removed (a few kilobytes per version of a file).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import jinja2
from jinja2 import Environment
from jinja2.bccache import Bucket


class DiskBytecodeCache(jinja2.FileSystemBytecodeCache):
    def __init__(self, folder: Path, namespace: str = "") -> None:
        super().__init__(os.fspath(folder), "%s.jinjac")
        self._folder = folder
        self._namespace = namespace

    def with_namespace(self, namespace: str) -> DiskBytecodeCache:
        """The same folder for an environment whose settings digest to ``namespace``."""
        return DiskBytecodeCache(self._folder, namespace)

    def get_bucket(
        self, environment: Environment, name: str, filename: str | None, source: str
    ) -> Bucket:
        """The entry of ``name`` with this ``source``: one per content, not one per name."""
        checksum = self.get_source_checksum(source)
        bucket = Bucket(environment, self.get_cache_key(f"{name}\0{checksum}", filename), checksum)
        self.load_bytecode(bucket)
        return bucket

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        key = f"{self._namespace}\0{name}\0{filename or ''}"
        return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            self._folder.mkdir(parents=True, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            return  # best effort: the next run compiles again

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:
            return  # an unreadable cache is an empty one
