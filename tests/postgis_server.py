"""A throwaway PostgreSQL + PostGIS cluster for the tests: started once per run, removed after.

The cluster lives in a temporary folder, answers only on a Unix socket in a temporary folder
(listen_addresses=''), and runs without fsync: it holds nothing worth keeping. A template
database with PostGIS installed makes each test's fresh database one fast
`CREATE DATABASE ... TEMPLATE`. Run as root, the server runs as the `postgres` account
(PostgreSQL refuses root). It never skips: a machine without PostgreSQL or PostGIS fails with
what to do (`make test` installs both).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

import psycopg

from yishi.storage.postgis import release_connections

TEMPLATE = "yishi_template"
INSTALL = ("PostgreSQL 15 and PostGIS 3 are needed by the tests: run `make test` (or `make postgres`)"
           ", which installs Debian's postgresql-postgis")


def bindir() -> Path:
    """Where initdb, pg_ctl and postgres are: `pg_config --bindir`, else the newest
    /usr/lib/postgresql/*/bin."""
    found: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=10)
            found.append(Path(out.stdout.strip()))
        except (OSError, subprocess.SubprocessError):
            pass
    found += sorted((Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")),
                    key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, reverse=True)
    for folder in found:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    raise RuntimeError(f"no PostgreSQL server binaries (initdb, pg_ctl) found. {INSTALL}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """One running cluster; `new_database()` gives a fresh database URL (PostGIS installed)."""

    def __init__(self) -> None:
        self.bin = bindir()
        self.root = Path(tempfile.mkdtemp(prefix="yishi-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root / "socket"
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        self.user = "postgres" if self.as_root else _current_user()
        self._made = 0

    # -- lifetime --------------------------------------------------------------
    def start(self) -> PostgresServer:
        self.socket_dir.mkdir()
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
            shutil.chown(self.socket_dir, "postgres", "postgres")
        try:
            self._run("initdb", "-D", str(self.data), "-U", self.user, "--auth=trust", "-E", "UTF8",
                      "--locale=C", "--no-sync", "--no-instructions")
            options = (f"-c listen_addresses='' -k {self.socket_dir} -p {self.port} -c fsync=off"
                       " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
            self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data),
                      "-l", str(self.root / "server.log"), "-o", options)
            self._make_template()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the cluster (immediately: nothing in it is kept) and remove its folders."""
        if (self.data / "postmaster.pid").exists():
            try:
                self._run("pg_ctl", "stop", "-m", "immediate", "-w", "-D", str(self.data))
            except RuntimeError:
                pass
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- databases ---------------------------------------------------------------
    def url(self, database: str) -> str:
        """The URL of `database` on this cluster (socket only, no password)."""
        return (f"postgresql://{self.user}@/{database}?host={quote(str(self.socket_dir), safe='/')}"
                f"&port={self.port}")

    def admin(self) -> psycopg.Connection:
        return psycopg.connect(self.url("postgres"), autocommit=True)

    def new_database(self, tag: str = "db", *, template: str = TEMPLATE) -> str:
        """A new database copied from `template` (by default PostGIS installed and no Yishi
        tables; else one `make_template` returned, e.g. the demo store); its URL."""
        self._made += 1
        name = f"{''.join(c for c in tag.lower() if c.isalnum() or c == '_')[:40]}_{self._made}"
        with self.admin() as con:
            con.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
        return self.url(name)

    def make_template(self, url: str) -> str:
        """Turn the database at `url` into a template no one connects to (a copy waits for
        none: CREATE DATABASE refuses a template in use); its name, for `new_database`."""
        name = self.database(url)
        release_connections(url)  # the ones this process kept idle (yishi.storage.postgis)
        with self.admin() as con:
            con.execute(f'ALTER DATABASE "{name}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false')
            con.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s"
                        " AND pid <> pg_backend_pid()", (name,))
        return name

    def drop_database(self, url: str) -> None:
        release_connections(url)
        with self.admin() as con:
            con.execute(f'DROP DATABASE IF EXISTS "{self.database(url)}" WITH (FORCE)')

    @staticmethod
    def database(url: str) -> str:
        """The database name in one of this cluster's URLs."""
        return url.split("?", 1)[0].rsplit("/", 1)[1]

    def _make_template(self) -> None:
        with self.admin() as con:
            con.execute(f"CREATE DATABASE {TEMPLATE}")
        try:
            with psycopg.connect(self.url(TEMPLATE), autocommit=True) as con:
                con.execute("CREATE EXTENSION postgis")
        except psycopg.Error as exc:
            raise RuntimeError(f"PostGIS is not installed in this PostgreSQL ({exc}). {INSTALL}") from exc
        with self.admin() as con:
            con.execute(f"ALTER DATABASE {TEMPLATE} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false")

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd="/")
        except (OSError, subprocess.SubprocessError) as exc:
            raise RuntimeError(f"{tool} could not run ({exc}). {INSTALL}") from exc
        if done.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{tool} failed ({done.returncode}): {done.stderr.strip()}\n{tail}")


def _current_user() -> str:
    import getpass

    return getpass.getuser()
