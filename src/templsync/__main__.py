"""``python -m templsync``, and the ``templsync`` command (its console-script entry point).

The cyclic garbage collector is paused while the command line's modules load: importing makes
many objects that live as long as the process and no garbage worth a collection, yet the
collector would walk them a few dozen times (about 4 ms of a run that finds nothing to do).
:func:`~templsync.cli.main.run` then freezes what was loaded (no collection walks it again) and
turns the collector back on for the command itself.
"""

import gc

gc.disable()

from templsync.cli.main import run  # noqa: E402  # loaded with the collector paused (see above)

__all__ = ["run"]

if __name__ == "__main__":
    run()
