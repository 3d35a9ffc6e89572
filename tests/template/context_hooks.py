"""A ``copier-template-extensions`` context hook that both Copier and templsync load by name."""

from __future__ import annotations

from typing import Any

from copier_template_extensions import ContextHook


class Greeting(ContextHook):
    """Adds ``greeting`` to every template's context."""

    def hook(self, context: dict[str, Any]) -> None:
        context["greeting"] = f"hello {context.get('name', 'nobody')}"
