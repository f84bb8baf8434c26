"""Reading untrusted files in a child process the parent can stop: bounded time and memory.

A hostile upload can make a reader run forever (a GeoPackage view with a recursive query,
a geometry GEOS chews on) or allocate without end; `geo.ingest.ogr` refuses the known
ones, and this bounds every other. The ordinary reader (`geo.ingest.upload`) runs in a
child process started by a multiprocessing "forkserver" that has imported the ingest
modules already, so a read starts quickly, and the parent (the multi-threaded Streamlit
server) is never forked itself. The child limits its own address space (RLIMIT_AS) and CPU
time (RLIMIT_CPU); the parent waits at most the allowed seconds for the result and kills the
child then. A child stopped, killed or out of memory is a report problem (``too_slow``,
``too_much_memory``, ``unreadable``) like any other; the `Upload` comes back pickled.

What it costs (bench/ingest.py): a one-feature file some 40-55 ms more than in-process;
10^5 fully filled points 1-3 s more on 5-7 s (the frame of 2 million values is pickled
back), and they need some 450 MB of the memory limit. The forkserver starts with the first
read (a second or two; `warm_up` starts it sooner). Children never import the parent's main
script (`_ReaderPopen`).

The limits are read from the environment in one place, `ReadLimits.from_env`:
``YISHI_READ_SECONDS`` (default 60) and ``YISHI_READ_MEMORY_MB`` (default 2048: address
space the read may take beyond what the reader holds when it starts).

Examples
--------
>>> up = read_upload_isolated(b'{"type": "FeatureCollection", "features": []}',
...                           filename="issues.geojson", layer="issues")
>>> [p.code for p in up.problems]
['no_features']
"""

from __future__ import annotations

import functools
import io
import math
import multiprocessing
import multiprocessing.context
import os
import signal
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from multiprocessing import forkserver, popen_forkserver, reduction, spawn, util
from multiprocessing.connection import Connection
from multiprocessing.context import set_spawning_popen
from pathlib import Path
from typing import Any

from geo.errors import InputError, msg
from geo.ingest import upload
from geo.ingest.report import Report
from geo.ingest.upload import (
    DEFAULT_MAX_BYTES,
    Upload,
    _check_arguments,
    _empty_upload,
    _existing,
)
from geo.schema import Layer

__all__ = ["ReadLimits", "read_points_file_isolated", "read_upload_isolated",
           "validate_file_isolated", "warm_up"]

#: Imported once by the forkserver, so that each child starts with them loaded.
_PRELOAD = ["geo.ingest.isolated", "geo.ingest.ogr", "pyogrio", "openpyxl", "geo.ingest._forkserver"]


@dataclass(frozen=True)
class ReadLimits:
    """How long and how much memory one read may take."""

    seconds: float = 60.0
    memory_mb: int = 2048

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> ReadLimits:
        """YISHI_READ_SECONDS and YISHI_READ_MEMORY_MB, or the defaults where unset.

        Raises
        ------
        InputError
            A value is not a positive number.
        """
        return cls(seconds=_positive(environ, "YISHI_READ_SECONDS", cls.seconds),
                   memory_mb=math.ceil(_positive(environ, "YISHI_READ_MEMORY_MB", cls.memory_mb)))


def _positive(environ: Mapping[str, str], name: str, default: float) -> float:
    text = environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (value > 0 and math.isfinite(value)):
        raise InputError(msg("ingest.bad_limit", name=name, value=text))
    return value


def read_upload_isolated(data: bytes, *, filename: str, layer: str, source_crs: str = "wgs84",
                         max_bytes: int = DEFAULT_MAX_BYTES,
                         limits: ReadLimits | None = None) -> Upload:
    """:func:`geo.ingest.read_upload` in a child process, within `limits` (default: from the
    environment). Raises InputError only for a wrong call, as read_upload does."""
    lay, _ = _check_arguments(layer, source_crs)
    return _isolated(upload.read_upload, (bytes(data),),
                     {"filename": filename, "layer": layer, "source_crs": source_crs,
                      "max_bytes": max_bytes}, lay, limits)


def validate_file_isolated(path: str | Path, *, layer: str, source_crs: str = "wgs84",
                           max_bytes: int = DEFAULT_MAX_BYTES, any_layer: bool = False,
                           limits: ReadLimits | None = None) -> Upload:
    """:func:`geo.ingest.validate_file` in a child process, within `limits`. Raises
    InputError for a missing file or a wrong call, as validate_file does."""
    lay, _ = _check_arguments(layer, source_crs, any_layer=any_layer)
    path = _existing(path)
    return _isolated(upload.validate_file, (str(path),),
                     {"layer": layer, "source_crs": source_crs, "max_bytes": max_bytes,
                      "any_layer": any_layer}, lay, limits)


def read_points_file_isolated(path: str | Path, *, source_crs: str = "wgs84",
                              max_bytes: int = DEFAULT_MAX_BYTES,
                              limits: ReadLimits | None = None) -> Upload:
    """:func:`geo.ingest.read_points_file` in a child process, within `limits`."""
    lay, _ = _check_arguments("issues", source_crs)
    path = _existing(path)
    return _isolated(upload.read_points_file, (str(path),),
                     {"source_crs": source_crs, "max_bytes": max_bytes}, lay, limits, points=True)


def warm_up() -> None:
    """Start the forkserver now (it imports the readers once, about a second or two), so the
    first read does not wait for it; later calls do nothing."""
    _context()
    forkserver.ensure_running()


class _ReaderPopen(popen_forkserver.Popen):
    """Starts a forkserver child without the parent's main script.

    multiprocessing makes each child import the parent's ``__main__`` again; in the app that is
    the Streamlit page being run (Streamlit installs each page as ``__main__``), under pytest a
    test script: a reader needs none of it, and running a page there would be wrong. This is
    Python 3.11's ``popen_forkserver.Popen._launch`` with those two keys left out."""

    def _launch(self, process_obj: Any) -> None:
        prep_data = {k: v for k, v in spawn.get_preparation_data(process_obj._name).items()
                     if k not in ("init_main_from_path", "init_main_from_name")}
        buf = io.BytesIO()
        set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buf)
            reduction.dump(process_obj, buf)
        finally:
            set_spawning_popen(None)
        self.sentinel, w = forkserver.connect_to_new_process(self._fds)
        _parent_w = os.dup(w)
        self.finalizer = util.Finalize(self, util.close_fds, (_parent_w, self.sentinel))
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class NoMainProcess(multiprocessing.context.ForkServerProcess):
    """A forkserver process that does not import the parent's ``__main__`` (see `_ReaderPopen`):
    the readers here and `geo.joins`' workers start so from the Streamlit server."""

    @staticmethod
    def _Popen(process_obj: Any) -> _ReaderPopen:  # noqa: N802 - multiprocessing's name
        return _ReaderPopen(process_obj)


@functools.cache
def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" not in multiprocessing.get_all_start_methods():  # not on Windows
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(_PRELOAD)
    return ctx


def _process(ctx: multiprocessing.context.BaseContext, **kwargs: Any) -> multiprocessing.Process:
    return NoMainProcess(**kwargs) if ctx.get_start_method() == "forkserver" else ctx.Process(**kwargs)


def _isolated(reader: Callable[..., Upload], args: tuple, kwargs: dict[str, Any], lay: Layer,
              limits: ReadLimits | None, *, points: bool = False) -> Upload:
    """Run `reader` in a child within `limits`; whatever stops it is a report problem."""
    limits = limits or ReadLimits.from_env()
    ctx = _context()
    receive, send = ctx.Pipe(duplex=False)
    child = _process(ctx, target=_child, args=(send, reader, args, kwargs, limits), daemon=True,
                     name="yishi-reader")
    try:
        child.start()
    except OSError:  # no process could be started (out of processes or memory)
        send.close()
        receive.close()
        return _refused(lay, points, "unreadable", fmt=msg("ingest.file"),
                        detail=msg("ingest.no_reader"), detail_zh=msg("ingest.no_reader"))
    send.close()  # the child holds the only writing end: its death ends the pipe
    outcome: tuple[str, Any] | None = _TIMEOUT
    try:
        outcome = _wait(receive, limits.seconds)
    finally:
        receive.close()
        child.join(timeout=0 if outcome is _TIMEOUT else 5)  # a child that answered is leaving
        if child.is_alive():
            child.kill()
            child.join()
    if outcome is _TIMEOUT:
        return _refused(lay, points, "too_slow", seconds=limits.seconds)
    if outcome is None:  # it died without an answer
        code = child.exitcode
        if code == -getattr(signal, "SIGXCPU", 0):  # its CPU time ran out before our clock did
            return _refused(lay, points, "too_slow", seconds=limits.seconds)
        if code == -getattr(signal, "SIGKILL", 0):  # the kernel's out-of-memory killer
            return _refused(lay, points, "too_much_memory")
        how = f"signal {-code}" if code is not None and code < 0 else f"exit {code}"
        return _refused(lay, points, "unreadable", fmt=msg("ingest.file"),
                        detail=msg("ingest.reader_died", how=how),
                        detail_zh=msg("ingest.reader_died", how=how))
    kind, value = outcome
    if kind == "ok":
        return value
    if kind == "memory":
        return _refused(lay, points, "too_much_memory")
    if isinstance(value, InputError):
        raise value
    detail = msg("ingest.unexpected", kind=str(value))
    return _refused(lay, points, "unreadable", fmt=msg("ingest.file"), detail=detail,
                    detail_zh=detail)


_TIMEOUT = ("timeout", None)


def _wait(receive: Connection, seconds: float) -> tuple[str, Any] | None:
    """The child's answer; _TIMEOUT when it gave none within `seconds`; None when it died
    without one."""
    try:
        if not receive.poll(seconds):
            return _TIMEOUT
        return receive.recv()
    except (EOFError, OSError):
        return None


def _refused(lay: Layer, points: bool, code: str, **params: Any) -> Upload:
    report = Report(lay)
    report.add(code, **params)
    return _empty_upload(lay, report, 0, "", points=points)


# --- in the child -------------------------------------------------------------------------


def _child(send: Connection, reader: Callable[..., Upload], args: tuple, kwargs: dict[str, Any],
           limits: ReadLimits) -> None:
    """Limit this process, run the reader, send back ("ok", upload), ("memory", None) or
    ("error", InputError | the name of an unexpected exception)."""
    try:
        _limit(limits)
        answer: tuple[str, Any] = ("ok", reader(*args, **kwargs))
    except MemoryError:
        answer = ("memory", None)
    except InputError as err:
        answer = ("error", err)
    except BaseException as err:  # noqa: BLE001 - reported as a problem by the parent
        answer = ("error", type(err).__name__)
    try:
        send.send(answer)
    except MemoryError:  # pickling the answer did not fit
        send.send(("memory", None))
    finally:
        send.close()


def _limit(limits: ReadLimits) -> None:
    """Cap this process's address space at what it holds now plus `memory_mb`, its CPU time
    at `seconds` (rounded up, plus one: the parent's clock stops it first), and write no
    core file when it is stopped."""
    try:
        import resource
    except ImportError:  # not on Windows
        return
    cap = _address_space() + limits.memory_mb * 2**20
    cpu = math.ceil(limits.seconds) + 1
    for which, value in ((resource.RLIMIT_AS, cap), (resource.RLIMIT_CPU, cpu),
                         (resource.RLIMIT_CORE, 0)):
        _, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        try:
            resource.setrlimit(which, (value, value if which != resource.RLIMIT_CPU else value + 1))
        except (ValueError, OSError):  # a platform that does not enforce this limit
            pass


def _address_space() -> int:
    """The bytes of address space this process holds (Linux), else 0."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0
