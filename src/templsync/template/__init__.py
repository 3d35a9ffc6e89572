"""Copier-compatible templates: copier.yml, questions, the answers file, and rendering to a Tree."""
