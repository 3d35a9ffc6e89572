"""``python -m templsync``."""

from templsync.cli.main import run

if __name__ == "__main__":
    run()
