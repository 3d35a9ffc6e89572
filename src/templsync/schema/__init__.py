"""Schema sync: Pydantic schemas generated from ORM models, kept in sync with hand edits kept.

An ORM adapter (:mod:`.tortoise`, :mod:`.sqlalchemy`, which covers SQLModel) turns model classes
into plain values (:mod:`.model`); :mod:`.render` turns those values into the source of a
Python module; :mod:`.sync` merges that source into the file on disk three ways (base = the last
generated text, kept in the state folder) and writes through the one writer. Nothing is
re-exported here, and no module of this package imports Pydantic, an ORM or watchfiles at import
time: ``import templsync`` and the other commands never load them.
"""
