"""Helpers for the copier.yml and answers tests: a Jinja renderer and Copier as the oracle."""
