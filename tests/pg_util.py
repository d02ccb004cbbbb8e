"""A throwaway PostgreSQL server for tests and benchmarks, from Debian's `postgresql` binaries.

``initdb`` refuses to run as root, so as root the server runs as the ``postgres`` user (made by the
Debian package) or ``nobody``. fsync is off: nothing of it outlives the session.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path


class Unavailable(Exception):
    """No PostgreSQL server can be started here; the message says why."""


def bindir() -> Path | None:
    """The folder of Debian's initdb/pg_ctl (newest version), or one on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TempServer:
    """A server in a new folder under /tmp (pytest's own temp folders are closed to the server's user)."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="deeparch-pg-"))
        self.data = self.folder / "data"
        self.bin = bindir()
        self.user = None
        if os.geteuid() == 0:
            for name in ("postgres", "nobody"):
                try:
                    self.user = pwd.getpwnam(name)
                    break
                except KeyError:
                    continue

    def _run(self, *args: str) -> None:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.user is not None:
            cmd = ["setpriv", f"--reuid={self.user.pw_uid}", f"--regid={self.user.pw_gid}", "--clear-groups", *cmd]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=self.folder)
        if p.returncode != 0:
            raise Unavailable(f"{args[0]} failed: {(p.stderr or p.stdout).strip()[-400:]}")

    def start(self) -> str:
        """Start the server; returns the URL of its admin database."""
        if self.bin is None:
            raise Unavailable("PostgreSQL is not installed (apt-get install postgresql)")
        if self.user is not None:
            os.chown(self.folder, self.user.pw_uid, self.user.pw_gid)
        self.port = free_port()
        self._run("initdb", "-D", str(self.data), "-U", "deeparch", "--auth=trust", "-E", "UTF8", "--no-sync")
        self._start_again()
        return f"postgresql://deeparch@127.0.0.1:{self.port}/postgres"

    def _start_again(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-w", "-t", "60",
                  "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -F -c max_connections=200",
                  "start")

    def crash(self) -> None:
        """Stop the server at once, as a crash or `pg_ctl stop -m immediate` does: every connection drops."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def restart(self) -> None:
        """Start it again on the same port, after ``crash``."""
        self._start_again()

    def stop(self) -> None:
        if self.data.exists():
            try:
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            except Unavailable:
                pass
        shutil.rmtree(self.folder, ignore_errors=True)


def fresh_database(admin_url: str) -> str:
    """Create an empty database on the server; returns its URL."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return admin_url.rsplit("/", 1)[0] + "/" + name
