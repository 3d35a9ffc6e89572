"""Templates, settings and cache of an app, kept in sync with a storage root through the
storage-sync engine: ``await sync.templates()``, ``await sync.settings()``,
``await sync.cache()`` (see :mod:`templsync.storage.api` and ``docs/storage-app.md``).

Modules: ``config`` (where the storage root, the cache and the app's folders are), ``results``
(what each call returns), ``cache`` and ``rediscache`` (the cache behind a small protocol),
``jinja`` (Jinja's bytecode cache and a template loader over that cache), ``templates``,
``settings`` and ``cacheops`` (one per call). Every file a call changes is written by the
engine's :func:`~templsync.storage.run.sync_paths`; nothing here writes a file.
"""
