"""A Streamlit server for a benchmark: started from the repository root (its config and
static/), healthy before it is used, stopped afterwards."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(script: str, env: dict[str, str], log: Path | None = None) -> Iterator[tuple[str, int]]:
    """`streamlit run script` from the repository root (its config, its static/) until healthy:
    (its URL, its pid)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(log or os.devnull, "w") as out:
        server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
                                   "--server.address", "127.0.0.1", "--server.headless", "true"],
                                  cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)
        try:
            for _ in range(240):
                if server.poll() is not None:
                    raise RuntimeError(f"streamlit run {script} exited ({server.returncode}): see {log}")
                try:
                    urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                    break
                except OSError:
                    time.sleep(0.5)
            else:
                raise RuntimeError(f"streamlit run {script} was not healthy within 2 minutes: see {log}")
            yield url, server.pid
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
