"""A runnable FastAPI-style service (standard library only) for the templatize tests."""

from __future__ import annotations

from pathlib import Path

from instance.helpers import git
from testing.trees import build_tree

VALUES = {"project_slug": "orders_api", "resource": "orders", "project_name": "Orders API"}
OTHER_VALUES = {
    "project_slug": "billing_api",
    "resource": "invoices",
    "project_name": "Billing API",
}

SERVICE = {
    "orders_api/__init__.py": "",
    "orders_api/app.py": (
        "class App:\n"
        "    def __init__(self, title: str) -> None:\n"
        "        self.title = title\n"
        "        self.routes: dict[str, object] = {}\n\n"
        "    def include(self, prefix: str, handlers: dict[str, object]) -> None:\n"
        "        for path, handler in handlers.items():\n"
        "            self.routes[prefix + path] = handler\n"
    ),
    "orders_api/main.py": (
        "from orders_api.app import App\n"
        "from orders_api.routers import orders\n\n"
        'app = App(title="Orders API")\n'
        'app.include("/orders", orders.ROUTES)\n'
    ),
    "orders_api/routers/__init__.py": "",
    "orders_api/routers/orders.py": (
        '"""The orders routes; reorders are orders placed again."""\n\n\n'
        "def list_orders() -> list[str]:\n"
        '    return ["orders-1"]\n\n\n'
        "def count_reorders() -> int:\n"
        "    return 0\n\n\n"
        'ROUTES = {"": list_orders, "/reorders": count_reorders}\n'
    ),
    "tests/__init__.py": "",
    "tests/test_orders.py": (
        "from orders_api.main import app\n\n\n"
        "def test_the_routes_answer() -> None:\n"
        '    assert app.routes["/orders"]() == ["orders-1"]\n'
        '    assert app.routes["/orders/reorders"]() == 0\n'
        '    assert app.title.endswith(" API")\n'
    ),
    "pyproject.toml": '[project]\nname = "orders-api"\nversion = "0.1.0"\n',
    "README.md": (
        "# Orders API\n\n"
        "Run `uvicorn orders_api.main:app`. Set ORDERS_API_URL.\n"
        "Messages are templates: `{{ customer }}`, {% if vip %}...{% endif %} {# note #}.\n"
    ),
    "Dockerfile": 'FROM python:3.12\nCOPY . /srv/orders-api\nCMD ["python", "-m", "orders_api"]\n',
    "scripts/serve.sh": "#!/bin/sh\nexec python -m orders_api\n",
}


def make_service(root: Path) -> Path:
    """The service in a git repository, one commit; ``scripts/serve.sh`` is executable."""
    build_tree(root, SERVICE)
    (root / "scripts" / "serve.sh").chmod(0o755)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "service")
    return root


def var_flags(values: dict[str, str]) -> list[str]:
    return [flag for name, value in values.items() for flag in ("--var", f"{name}={value}")]
