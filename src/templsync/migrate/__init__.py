"""Migration files: a plain reference project's changes recorded as data and applied to projects.

A template keeps ``migrations/<timestamp>_<name>/migration.json`` (plus ``__files/`` for whole-file
contents); replaying them in order gives the template's files at each step. Nothing is re-exported
here, so importing one module loads only what it uses.
"""
