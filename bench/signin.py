"""Benchmark of sign-in timing: an unknown user name must cost what a wrong password costs.

Not a test: it prints figures. Run from the repository root:

    .venv/bin/python -m bench.signin [--rounds 30]

On a temporary store with one account, made with the production argon2 hasher, times
`yishi.services.accounts.authenticate` for

- unknown: a user name that does not exist (checked against a dummy hash);
- wrong: the account's name with a wrong password (checked against its hash, counted).

Rounds interleave the two, in alternating order, so a busy machine slows both alike. The
account's failure count is reset between rounds (untimed): a throttled attempt skips the
hash and would make "wrong" look cheap. Prints both medians and their ratio; the target is
a ratio within 10% of 1, so response times do not tell which names exist.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from yishi import accounts as model
from yishi.services import accounts, workflow
from yishi.services.accounts import SignInRefused, authenticate
from yishi.storage import Store, create_store

TARGET = 0.10
NAME = "bench-known"
PASSWORD = "a long bench passphrase 议事"


def _refused_seconds(call: Callable[[], object]) -> float:
    """Wall time of one refused sign-in (anything but a refusal is a broken benchmark)."""
    start = time.perf_counter()
    try:
        call()
    except SignInRefused:
        return time.perf_counter() - start
    raise AssertionError("the sign-in was not refused")


def _reset(store: Store) -> None:
    store.put_user({"username": NAME, "failed_count": 0, "locked_until": None}, by="bench",
                   action="bench_reset")


def run(store: Store, rounds: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"unknown": [], "wrong": []}
    calls = {"unknown": lambda k: authenticate(store, f"bench-nobody-{k}", "wrong password 1"),
             "wrong": lambda k: authenticate(store, NAME, "wrong password 1")}
    for k in range(rounds):
        order = ("unknown", "wrong") if k % 2 == 0 else ("wrong", "unknown")
        for name in order:
            _reset(store)
            times[name].append(_refused_seconds(lambda: calls[name](k)))
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args(argv)
    hasher = model.hasher
    print(f"argon2id: time_cost={hasher.time_cost}, memory_cost={hasher.memory_cost} KiB, "
          f"parallelism={hasher.parallelism}; {args.rounds} rounds each, interleaved")
    with tempfile.TemporaryDirectory() as tmp, create_store(Path(tmp) / "bench.sqlite") as store:
        accounts.add_user(store, NAME, PASSWORD, role="staff",
                          by=workflow.operator("bench", "admin"))
        for name in ("unknown", "wrong"):  # warm-up: the dummy hash, caches, the first write
            _refused_seconds(lambda: authenticate(store, NAME if name == "wrong" else "nobody", "x"))
        _reset(store)
        times = run(store, args.rounds)
    unknown, wrong = statistics.median(times["unknown"]), statistics.median(times["wrong"])
    ratio = unknown / wrong
    met = abs(ratio - 1) <= TARGET
    print(f"median unknown user:   {unknown * 1000:8.1f} ms")
    print(f"median wrong password: {wrong * 1000:8.1f} ms")
    print(f"ratio unknown / wrong: {ratio:8.3f} (target within {TARGET:.0%} of 1: "
          f"{'MET' if met else 'NOT MET'})")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
