"""OpenSSH's sshd on a free loopback port, with throwaway host and user keys, for SFTP tests.

sshd runs in the foreground (``-D``) from a generated config: key login only, for the user
running the tests, SFTP served in-process (``internal-sftp``). Run as root it needs its
privilege-separation folder, made here when missing; run as another user it serves only that
user, as a plain process.
"""

from __future__ import annotations

import getpass
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from storage.servers import Server, free_port, serve

SSHD = "/usr/sbin/sshd"


@dataclass
class Sshd:
    server: Server
    user: str
    client_key: Path

    def url(self, path: Path | str) -> str:
        return f"sftp://{self.user}@127.0.0.1:{self.server.port}{path}"

    def install_client_key(self, home: Path) -> None:
        """Put the user key where SSH clients look for it (``~/.ssh/id_ed25519``)."""
        ssh = home / ".ssh"
        ssh.mkdir(mode=0o700, exist_ok=True)
        target = ssh / "id_ed25519"
        target.write_bytes(self.client_key.read_bytes())
        target.chmod(0o600)


def _keygen(path: Path) -> None:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)],
        check=True,
        stdout=subprocess.DEVNULL,
    )


@contextmanager
def sshd(folder: Path) -> Iterator[Sshd]:
    if not Path(SSHD).exists():
        raise RuntimeError(f"{SSHD} is missing: install Debian's openssh-server (.ci/run does)")
    folder.mkdir(parents=True, exist_ok=True)
    _keygen(folder / "host_key")
    _keygen(folder / "user_key")
    (folder / "authorized_keys").write_bytes((folder / "user_key.pub").read_bytes())
    port = free_port()
    user = getpass.getuser()
    config = folder / "sshd_config"
    config.write_text(
        "\n".join(
            [
                f"Port {port}",
                "ListenAddress 127.0.0.1",
                f"HostKey {folder / 'host_key'}",
                f"PidFile {folder / 'sshd.pid'}",
                f"AuthorizedKeysFile {folder / 'authorized_keys'}",
                f"AllowUsers {user}",
                "PermitRootLogin prohibit-password",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PubkeyAuthentication yes",
                "UsePAM no",
                "StrictModes no",
                "Subsystem sftp internal-sftp",
                "LogLevel ERROR",
                "",
            ]
        )
    )
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    with serve([SSHD, "-D", "-e", "-f", str(config)], port) as server:
        yield Sshd(server, user, folder / "user_key")
