"""What a command loads: the modules a fresh interpreter holds after running it, for the tests
that keep start-up light (each command imports only what it uses)."""

from __future__ import annotations

import subprocess
import sys


def modules_loaded_by(argv: list[str]) -> set[str]:
    """The modules a fresh interpreter holds after running ``templsync argv`` (exit code 0)."""
    code = (
        "import sys\n"
        "from templsync.cli.main import main\n"
        f"code = main({argv!r})\n"
        "sys.stderr.write('\\n'.join(sys.modules))\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(done.stderr.split())


def within(module: str, names: tuple[str, ...]) -> bool:
    """Whether ``module`` is one of ``names`` or inside one of them."""
    return any(module == name or module.startswith(f"{name}.") for name in names)
