"""The command line: `python -m geo COMMAND ...` (run with --help for the list).

Exit codes: 0 done, 1 refused or invalid input (with the reasons), 2 unusable arguments,
unreadable input, a store that cannot do it (full, read-only, damaged) or an internal error
(one line on stderr; nothing written).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

import geopandas as gpd
import pandas as pd

from geo import stats
from yishi.accounts import ROLES
from yishi.services import accounts, apikeys, sessions
from yishi.services import assignment, uploads, workflow
from yishi.services import posters
from geo.errors import (InputError, PermissionDenied, Problem, StoreDamaged, StoreReadOnly,
                        ValidationError, WorkflowError, YishiError, msg)
from geo.export import FORMATS, export, to_geojson_text
from geo.ingest import DEFAULT_MAX_BYTES, SOURCE_CRS, Upload
from geo.ingest.upload import read_large_points_file
from geo.ingest.isolated import read_points_file_isolated, validate_file_isolated
from geo.joins import OUTPUT_COLUMNS, assign
from geo.words import LANGS, WITH_CODES, Term, say
from geo.schema import CATEGORIES, FOCUS_AREAS, LAYERS, METHODS, STAGES, UPLOADABLE
from yishi.services.snapshot import take_snapshot
from yishi import datasets
from yishi.citydata import Loaded, build_store_from_dir
from yishi.demo import DEMO_ACCOUNTS, build_demo_store
from yishi.storage import (Store, StoreCheck, create_store, is_server_location, open_store, public_location,
                           rows_from_frame, store_exists, store_location)

Handler = Callable[[argparse.Namespace], int]
_COMMANDS: dict[str, Handler] = {}


def command(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _COMMANDS[name] = fn
        return fn
    return register


def _store(args: argparse.Namespace) -> Store:
    return open_store(args.store)


def _print_json(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")


def cli_lang(environ: Mapping[str, str] = os.environ) -> str:
    """The one language the command line prints in: $YISHI_LANG (zh|en) if set, else zh
    when the locale (LC_ALL, LC_MESSAGES, LANG, as POSIX orders them) is Chinese, else en."""
    chosen = environ.get("YISHI_LANG", "").strip().lower()
    if chosen in LANGS:
        return chosen
    locale = environ.get("LC_ALL") or environ.get("LC_MESSAGES") or environ.get("LANG") or ""
    return "zh" if locale.lower().startswith("zh") else "en"


def _existing_file(name: str) -> Path:
    """The path of an input file, or InputError naming it (exit 2, nothing read)."""
    path = Path(name)
    if not path.is_file():
        raise InputError(msg("ingest.no_file", path=str(path)))
    return path


def _problem_text(problem: Problem, lang: str) -> str:
    """One problem (or note) as a line: where (feature, field), what, and the hint."""
    where = [say("cli_where_feature", lang, n=problem.feature) if problem.feature is not None
             else say("cli_where_file", lang)]
    if problem.field:
        where.append(say("cli_where_field", lang, field=problem.field))
    zh = lang == "zh"
    hint = problem.hint_zh if zh else problem.hint
    return (say("cli_problem_line", lang, where=("，" if zh else ", ").join(where),
                message=problem.message_zh if zh else problem.message)
            + (say("cli_problem_hint", lang, hint=hint) if hint else ""))


def _print_problems(problems: Sequence[Problem], lang: str, file: TextIO) -> None:
    for problem in problems:
        print(f"  - {_problem_text(problem, lang)}", file=file)


def _report(upload: Upload, lang: str, file: TextIO | None = None) -> None:
    """The validation report: every problem with its feature number, field and hint."""
    file = file or sys.stdout
    print(say("cli_report_counts", lang, n=upload.n_features, valid=len(upload.frame),
              problems=len(upload.problems)), file=file)
    _print_problems(upload.problems, lang, file)
    for note in upload.notes:
        print("  " + say("cli_note", lang, note=_problem_text(note, lang)), file=file)


@command("summary")
def cmd_summary(args: argparse.Namespace) -> int:
    """The published figures and counts, as text or one JSON object."""
    with _store(args) as store:
        snap = take_snapshot(store)
    figures = stats.summary(snap.layers(), snap.today)
    if args.json:
        _print_json(figures)
        return 0
    width = max(map(len, figures))
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    return 0


@command("assign")
def cmd_assign(args: argparse.Namespace) -> int:
    """Print the file's points as GeoJSON with community, compound, venue and members added.

    The points are read as an upload reads issue points: a file upload would refuse is
    refused here too, with the same report on stderr (exit 1; 2 when it cannot be read). A
    file over the upload cap (50 MB: 10^7 points) is read by GDAL from disk, with the same checks.
    ``--workers N`` assigns in chunks on N processes (the same output); the GeoJSON goes out
    a chunk of features at a time, never as one string of the whole file.
    """
    path = _existing_file(args.file)
    if Path(path).stat().st_size > DEFAULT_MAX_BYTES:  # the operator's own big file: GDAL reads it
        points = read_large_points_file(path, source_crs=args.crs)
    else:
        points = read_points_file_isolated(path, source_crs=args.crs)
    if not points.ok:
        _report(points, args.lang, file=sys.stderr)
        return 2 if uploads.unreadable(points) else 1
    with _store(args) as store:
        assigned = assign(points.frame, communities=store.load_layer("communities"),
                          compounds=store.load_layer("compounds"),
                          venues=store.load_layer("venues"), members=store.load_layer("members"),
                          workers=args.workers)
    derived = [c for c in OUTPUT_COLUMNS if c != "unassigned"]
    assigned["venue_distance_m"] = assigned["venue_distance_m"].round(1)
    given = pd.DataFrame.from_records(points.frame["properties"].tolist(), index=points.frame.index)
    given = given.drop(columns=[*derived, "geometry"], errors="ignore")  # derived ones win
    out = gpd.GeoDataFrame(given.join(assigned[derived]), geometry=assigned.geometry)
    _write_features(out, sys.stdout)
    return 0


def _write_features(frame: gpd.GeoDataFrame, file: TextIO, chunk: int = 50_000) -> None:
    """`to_geojson_text` of `frame`, byte for byte, written `chunk` features at a time.

    Each chunk is the writer's own text of those rows; its features are spliced between one
    header and one footer with the ", " that joins features within a chunk.
    """
    head = '{"type": "FeatureCollection", "features": ['
    file.write(head)
    for start in range(0, len(frame), chunk):
        text = to_geojson_text(frame.iloc[start:start + chunk])
        if not (text.startswith(head) and text.endswith("]}")):  # a writer we do not know
            raise RuntimeError(f"unexpected GeoJSON text: {text[:60]!r}")
        file.write((", " if start else "") + text[len(head):-2])
    file.write("]}\n")


def _workers(text: str) -> int:
    """--workers: a whole number of processes, at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(say("cli_bad_workers", cli_lang(), value=text))
    return value


@command("export")
def cmd_export(args: argparse.Namespace) -> int:
    """Write one layer as GeoJSON, CSV or GeoPackage (residents' personal fields left out)."""
    if args.layer not in LAYERS:
        raise InputError(msg("cli_unknown_layer", layer=args.layer, choices=list(LAYERS)))
    with _store(args) as store:
        frame = take_snapshot(store).layers()[args.layer]
    try:
        target = export(frame, fmt=args.format, path=args.output, layer_name=args.layer)
    except OSError as exc:  # a folder, a file in the way, no permission: one line, exit 2
        raise InputError(msg("cli_cannot_write", path=args.output,
                             reason=exc.strerror or str(exc))) from None
    layer = LAYERS[args.layer]
    print(say("cli_wrote", args.lang, n=len(frame), layer=Term(layer.zh, layer.name), path=target),
          file=sys.stderr)
    return 0


@command("init")
def cmd_init(args: argparse.Namespace) -> int:
    """Create a store: the demo (`--demo`), or an empty one with its first admin account.

    An existing store is left alone (and reported), so `make run` may call `init --demo`
    every time. The admin's password is read from the terminal, or from stdin when piped.
    """
    where = store_location(args.store)
    if store_exists(where):
        with open_store(where) as store:
            _reassign_once(store, args.lang)
            print(f"store: {store.location} (revision {store.revision}, as of {store.today()})")
        return 0
    if args.data:
        return _init_from_data(where, Path(args.data))
    if args.demo:
        build_demo_store(where)
        print(f"store: {public_location(where)} (the demo, as of {datasets.DEMO_AS_OF})")
        print("demo accounts (user / password / role):")
        for username, role, password in DEMO_ACCOUNTS:
            print(f"  {username:<8} {password:<18} {role}")
        return 0
    if not args.admin:
        raise InputError("an empty store needs its first account: give --admin NAME "
                         "(or --demo for the demo store)")
    password = _read_password(f"password for {args.admin}: ")
    store = create_store(where)
    try:
        with store:
            accounts.add_user(store, args.admin, password, role="admin",
                              by=workflow.operator("init", "admin"))
            print(f"store: {store.location} (empty; admin account {args.admin!r})")
    except BaseException:  # a refused name or password: leave no store without an admin
        if not is_server_location(where):
            for suffix in ("", "-wal", "-shm"):
                Path(where + suffix).unlink(missing_ok=True)
        raise
    return 0


def _reassign_once(store: Store, lang: str) -> None:
    """A store whose issues were written before they stored their place (schema 5) gets it
    stored once, in one audited batch; `make run` calls `init` on every start."""
    try:
        if not assignment.needs_reassign(store):
            return
        result = assignment.reassign(store, by="init")
    except StoreReadOnly:
        return  # read as it is; `python -m geo check` says what is missing
    if result is not None:
        print(say("places_reassigned", lang, n=len(result.updated), batch=result.batch_id))


@command("reassign")
def cmd_reassign(args: argparse.Namespace) -> int:
    """Store where every issue falls (community, compound) wherever the stored value is
    missing or wrong, in one audited batch that `undo` restores (exit 0)."""
    with _store(args) as store:
        result = assignment.reassign(store, by=args.by)
    if result is None:
        print(say("places_ok", args.lang))
    else:
        print(say("places_reassigned", args.lang, n=len(result.updated), batch=result.batch_id))
    return 0


def _init_from_data(where: str, directory: Path) -> int:
    """`init --data DIR`: a store from a generated directory (`python -m data.generate --scale
    city`), with the demo accounts; prints each layer's rows and seconds as it goes."""
    def show(done: Loaded) -> None:
        print(f"  {done.layer:<13} {done.rows:>9} rows   read+check {done.read_s:6.1f} s"
              f"   write {done.write_s:6.1f} s", flush=True)

    clock = time.perf_counter()
    print(f"store: {where} (building from {directory})", flush=True)
    build_store_from_dir(where, directory, report=show)
    print(f"store: {where} (built from {directory} in {time.perf_counter() - clock:.1f} s)")
    print("demo accounts (user / password / role):")
    for username, role, password in DEMO_ACCOUNTS:
        print(f"  {username:<8} {password:<18} {role}")
    return 0


def _read_password(prompt: str) -> str:
    """A password from the terminal (not echoed), or the first line of stdin when piped."""
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\n")


@command("validate")
def cmd_validate(args: argparse.Namespace) -> int:
    """Print the report for FILE; writes nothing (exit 0 valid, 1 invalid, 2 unreadable)."""
    upload = validate_file_isolated(args.file, layer=args.layer, source_crs=args.crs)
    _report(upload, args.lang)
    if uploads.unreadable(upload):
        return 2
    return 0 if upload.ok else 1


@command("import")
def cmd_import(args: argparse.Namespace) -> int:
    """Validate FILE, then commit it all or nothing; a rejected file is audited as rejected."""
    upload = validate_file_isolated(args.file, layer=args.layer, source_crs=args.crs)
    user = workflow.operator(args.by)
    with _store(args) as store:
        if not upload.ok:  # recorded as rejected; a clean file needs no preview before commit
            checked = uploads.check(store, upload, source=str(args.file), user=user)
            _report(upload, args.lang)
            print(say("cli_import_rejected", args.lang, batch=checked.rejected_batch),
                  file=sys.stderr)
            return 1
        result = uploads.commit(store, upload, source=str(args.file), user=user)
    print(say("cli_imported", args.lang, batch=result.batch_id, new=len(result.new),
              updated=len(result.updated), unchanged=len(result.unchanged)))
    return 0


@command("undo")
def cmd_undo(args: argparse.Namespace) -> int:
    """Restore what was there before a committed batch."""
    with _store(args) as store:
        result = uploads.undo(store, args.batch_id, user=workflow.operator(args.by))
    print(say("cli_undone", args.lang, batch=result.batch_id, n=len(result.updated)))
    return 0


@command("history")
def cmd_history(args: argparse.Namespace) -> int:
    """Import batches, newest first: who, when, what, how many, status."""
    with _store(args) as store:
        history = store.history()
    if args.json:
        _print_json(history.to_dict("records"))
    else:
        print(history.to_string(index=False) if len(history) else say("cli_no_batches", args.lang))
    return 0


@command("backup")
def cmd_backup(args: argparse.Namespace) -> int:
    """Copy the whole store to FILE while it stays in use, checked before it is kept; an
    existing FILE is replaced only with --force. Audited in the store when it is writable
    (a read-only store is backed up all the same, without its audit row)."""
    with _store(args) as store:
        store.backup(args.output, replace=args.force)
        try:
            store.log(by=args.by, action="backup", target=str(args.output), detail={"replace": args.force})
        except StoreReadOnly:
            print(say("cli_backup_unaudited", args.lang), file=sys.stderr)
    print(say("cli_backup_done", args.lang, path=args.output, size=Path(args.output).stat().st_size))
    return 0


@command("check")
def cmd_check(args: argparse.Namespace) -> int:
    """Check the whole store (integrity_check), with its schema version and rows per layer:
    exit 0 intact, 2 damaged (one line per problem on stderr, then what to do)."""
    where = store_location(args.store)
    try:
        with open_store(where, verify=False) as store:  # the check below is the full one
            report = store.check()
            # issues whose stored community/compound is not where they fall (`geo reassign`)
            misplaced = len(assignment.stale(store)) if report.ok else None
    except StoreDamaged as exc:  # not even a database: nothing else can be read
        report = StoreCheck(public_location(where), (str(exc.__cause__ or exc),), None, {}, False)
        misplaced = None
    if args.json:
        _print_json({"store": report.location, "ok": report.ok, "problems": list(report.problems),
                     "schema_version": report.schema_version, "counts": dict(report.counts),
                     "read_only": report.read_only, "issues_misplaced": misplaced})
        return 0 if report.ok else 2
    print(say("cli_check_store", args.lang, where=report.location))
    if report.schema_version is not None:
        print(say("cli_check_schema", args.lang, version=report.schema_version)
              + (" " + say("cli_check_read_only", args.lang) if report.read_only else ""))
    for name, n in report.counts.items():
        layer = LAYERS[name]
        print(say("cli_check_rows", args.lang, layer=Term(layer.zh, layer.name), n=n))
    if report.ok:
        print(say("places_stale", args.lang, n=misplaced) if misplaced else say("places_ok", args.lang))
        print(say("cli_check_ok", args.lang))
        return 0
    for problem in report.problems:
        print(say("cli_check_problem", args.lang, problem=problem), file=sys.stderr)
    found = say("cli_check_n_problems", args.lang, n=len(report.problems))
    print(say("cli_error", args.lang, detail=say("store_damaged", args.lang, where=report.location, detail=found)),
          file=sys.stderr)
    return 2


#: The settings a migration carries over (the protocol has no listing of meta keys; revision
#: and schema_version are each store's own).
MIGRATED_META = ("as_of", "demo", "built_from")


def _plain_records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """A frame's rows as dicts of plain Python values (None for missing), as a store takes them."""
    return [{k: (None if pd.isna(v) else v.item() if hasattr(v, "item") else v) for k, v in row.items()}
            for row in frame.astype(object).to_dict("records")]


def _store_figures(store: Store) -> tuple[dict[str, int], dict[str, object]]:
    """Rows per layer (private rows included) and the published figures `summary` prints."""
    counts = {name: int(store.summarise(name)["n"].sum()) for name in LAYERS}
    counts["accounts"] = len(store.load_users())
    counts["api_keys"] = len(store.list_api_keys())
    snap = take_snapshot(store)
    return counts, stats.summary(snap.layers(), snap.today)


@command("migrate")
def cmd_migrate(args: argparse.Namespace) -> int:
    """Copy a store into a new one (SQLite <-> PostGIS): settings, every layer (one batch per
    layer by "migrate", private fields included), accounts and API keys; then verify that rows
    per layer and the published figures are equal on both, printing both (exit 1 if not)."""
    with open_store(args.source) as source:
        target = create_store(args.target)
        try:
            with target:
                for key in MIGRATED_META:
                    value = source.meta(key)
                    if value is not None:
                        target.set_meta(key, value, by="migrate")
                for name, layer in LAYERS.items():
                    frame = source.load_layer(name, include_private=True)
                    if len(frame):
                        target.write_batch(name, rows_from_frame(layer, frame), by="migrate",
                                           action="migrate", source=source.location)
                for user in _plain_records(source.load_users()):
                    target.put_user(user, by="migrate", action="migrate")
                for key in _plain_records(source.list_api_keys()):
                    target.add_api_key(key, by="migrate")
                before, after = _store_figures(source), _store_figures(target)
                where = target.location
        except BaseException:  # a half-made copy is no store: a new file goes, a database is said
            if not is_server_location(args.target):
                for suffix in ("", "-wal", "-shm"):
                    Path(str(args.target) + suffix).unlink(missing_ok=True)
            else:
                print(say("migrate_partial", args.lang, where=target.location), file=sys.stderr)
            raise
    print(say("migrate_copied", args.lang, source=source.location, target=where))
    differ: list[str] = []
    width = max(len(key) for part in before for key in part)
    for old, new in zip(before, after):
        for key in old:
            same = json.dumps(old[key], default=str) == json.dumps(new.get(key), default=str)  # NaN == NaN
            if not same:
                differ.append(key)
            print(f"  {key:<{width}}  {old[key]!s:>12}  {new.get(key)!s:>12}{'' if same else '  ≠'}")
    if differ:
        print(say("migrate_differs", args.lang, keys=differ), file=sys.stderr)
        return 1
    print(say("migrate_verified", args.lang))
    return 0


def _password(args: argparse.Namespace) -> str:
    """The new password: from standard input with --password-stdin, else asked twice."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise InputError(msg("cli_passwords_differ"))
    return first


@command("users")
def cmd_users(args: argparse.Namespace) -> int:
    """Accounts: add, list, disable, enable, passwd, role, region; the operator acts as an admin."""
    admin = workflow.operator(args.by, "admin") if args.users_command != "list" else None
    with _store(args) as store:
        if args.users_command == "list":
            print(accounts.list_users(store).to_string(index=False))
        elif args.users_command == "add":
            accounts.add_user(store, args.name, _password(args), role=args.role, by=admin,
                              community_id=args.community, member_id=args.member,
                              region_id=_region(args.region))
            print(f"added {args.name} ({args.role})")
        elif args.users_command == "region":
            accounts.set_region(store, args.name, _region(args.region), by=admin)
            print(f"{args.name} works in {args.region}")
        elif args.users_command in ("disable", "enable"):
            accounts.set_disabled(store, args.name, args.users_command == "disable", by=admin)
            print(f"{args.users_command}d {args.name}")
        elif args.users_command == "passwd":
            accounts.set_password(store, args.name, _password(args), by=admin)
            print(f"password changed for {args.name}")
        elif args.users_command == "role":
            accounts.set_role(store, args.name, args.role, by=admin, community_id=args.community)
            print(f"{args.name} is now {args.role}")
    return 0


def _region(value: str | None) -> str | None:
    """A --region value as stored: None for the whole store."""
    return None if value in (None, "", "all") else value


@command("sessions")
def cmd_sessions(args: argparse.Namespace) -> int:
    """Signed-in browsers: list them, or revoke one (by the id the list shows) or a user's."""
    with _store(args) as store:
        if args.sessions_command == "list":
            listing = sessions.listing(store)
            if args.json:
                print(json.dumps(listing.to_dict("records"), ensure_ascii=False))
            else:
                print(listing.to_string(index=False) if len(listing) else say("cli_no_sessions", args.lang))
            return 0
        if bool(args.user) == bool(args.id):
            raise InputError(msg("cli_revoke_what"))
        ended = sessions.revoke(store, by=args.by, username=args.user, session_id=args.id)
        print(say("cli_sessions_ended", args.lang, n=ended))
        return 0 if ended else 1


@command("apikeys")
def cmd_apikeys(args: argparse.Namespace) -> int:
    """Open311 API keys: add (the key is printed this once), list (no hashes), revoke."""
    with _store(args) as store:
        if args.apikeys_command == "add":
            issued = apikeys.issue(store, args.name, by=args.by)
            print(say("apikey_added", args.lang, key_id=issued.key_id, name=issued.name), file=sys.stderr)
            print(issued.key)
        elif args.apikeys_command == "list":
            keys = apikeys.listing(store)
            print(keys.to_string(index=False) if len(keys) else say("apikey_none", args.lang))
        else:
            apikeys.revoke(store, args.key_id, by=args.by)
            print(say("apikey_revoked", args.lang, key_id=args.key_id))
    return 0


# --- issue workflow: show, new, advance, comment, evaluate --------------------------------


def _refusals(fn: Handler) -> Handler:
    """A refused workflow step or a role that may not: every reason on stderr, exit 1."""
    def run(args: argparse.Namespace) -> int:
        try:
            return fn(args)
        except (WorkflowError, PermissionDenied) as exc:
            print(say("cli_refused", args.lang, detail=exc.text(args.lang + WITH_CODES)), file=sys.stderr)
            return 1
    run.__doc__ = fn.__doc__
    return run


def _settings(pairs: Sequence[str] | None) -> dict[str, str]:
    """--set FIELD=VALUE pairs as a dict (text values; the workflow checks and converts them)."""
    values: dict[str, str] = {}
    for pair in pairs or ():
        field, sep, value = pair.partition("=")
        field = field.strip()
        if not sep or not field:
            raise InputError(msg("cli_set_format", pair=pair))
        if field in values:
            raise InputError(msg("cli_set_twice", field=field))
        values[field] = value
    return values


def _print_place(record: dict) -> None:
    """Where an issue falls: community, compound, nearest venue, linked members."""
    if record["unassigned"]:
        print("community: none: the point is outside every community (unassigned)")
    else:
        print(f"community: {record['community_id']} {record['community_name'] or ''}".rstrip())
    compound = record["compound_id"]
    print(f"compound:  {compound} {record['compound_name'] or ''}".rstrip() if compound
          else "compound:  none")
    if record["venue_id"]:
        print(f"venue:     {record['venue_id']} {record['venue_name'] or ''}, "
              f"{record['venue_distance_m']} m away")
    else:
        print("venue:     none")
    members = ", ".join(f"{m['member_id']} {m['name'] or ''}".rstrip() for m in record["members"])
    print(f"members:   {members or 'none linked'}")


@command("show")
def cmd_show(args: argparse.Namespace) -> int:
    """One issue's public record, where it falls, and its timeline."""
    with _store(args) as store:
        record = workflow.issue_record(store, args.issue_id)
    if args.json:
        _print_json(record)
        return 0
    print(f"{record['issue_id']}  {record['title']}")
    print(f"stage:     {record['stage']} {STAGES.label(record['stage'])}")
    print(f"category:  {record['category']} {CATEGORIES.label(record['category'])}"
          f"   focus: {record['focus']} {FOCUS_AREAS.label(record['focus'])}")
    if record["method"]:
        print(f"method:    {record['method']} {METHODS.label(record['method'])}")
    print(f"location:  {record['lon']}, {record['lat']}")
    skip = {"issue_id", "title", "stage", "category", "focus", "method"}
    for name in LAYERS["issues"].public_fields:
        if name not in skip and record.get(name) is not None:
            print(f"{name}: {record[name]}")
    _print_place(record)
    print("timeline:")
    for e in record["timeline"]:
        move = e["to_stage"] if e["from_stage"] in (None, e["to_stage"]) else \
            f"{e['from_stage']} -> {e['to_stage']}"
        print(f"  {e['at']}  {e['event_id']:<12} {e['kind'] or 'stage':<10} {move:<28} "
              f"{e['by'] or ''}  {e['note'] or ''}".rstrip())
    return 0


@command("new")
@_refusals
def cmd_new(args: argparse.Namespace) -> int:
    """Record a new issue at stage collected and print where it falls."""
    values = _settings(args.set)
    with _store(args) as store:
        issue_id = workflow.create_issue(
            store, lon=args.lon, lat=args.lat, title=args.title, category=args.category,
            focus=args.focus, values=values, by=args.by, user=workflow.operator(args.by))
        record = workflow.issue_record(store, issue_id)
    if args.json:
        _print_json({"issue_id": issue_id, **{k: record[k] for k in (
            "stage", "reported_on", "lon", "lat", "community_id", "community_name", "compound_id",
            "compound_name", "venue_id", "venue_name", "venue_distance_m", "members",
            "unassigned")}})
        return 0
    print(f"{issue_id}: new issue at stage collected, reported on {record['reported_on']}")
    _print_place(record)
    return 0


@command("advance")
@_refusals
def cmd_advance(args: argparse.Namespace) -> int:
    """Move an issue to its next stage (or record another meeting, or close it)."""
    values = _settings(args.set)
    with _store(args) as store:
        before = store.get_row("issues", args.issue_id)
        row = workflow.advance(store, args.issue_id, args.to, values, by=args.by,
                               user=workflow.operator(args.by))
        last = workflow.timeline(store, args.issue_id).iloc[-1]
    if args.json:
        row.pop("geom", None)
        _print_json({k: row[k] for k in LAYERS["issues"].public_fields})
        return 0
    assert before is not None
    what = "meeting recorded" if before["stage"] == row["stage"] else \
        f"{before['stage']} -> {row['stage']} ({STAGES.label(row['stage'])})"
    print(f"{args.issue_id}: {what}; event {last['event_id']}"
          + (f" ({last['note']})" if last["note"] else ""))
    return 0


@command("comment")
@_refusals
def cmd_comment(args: argparse.Namespace) -> int:
    """Add a supervision note 督办意见 to an issue's timeline."""
    with _store(args) as store:
        event_id = workflow.comment(store, args.issue_id, args.note, by=args.by,
                                    user=workflow.operator(args.by))
    print(f"{args.issue_id}: note added ({event_id})")
    return 0


@command("evaluate")
@_refusals
def cmd_evaluate(args: argparse.Namespace) -> int:
    """Record residents' satisfaction 群众评价 (1-5) with a done issue."""
    with _store(args) as store:
        row = workflow.evaluate(store, args.issue_id, args.satisfaction, by=args.by,
                                user=workflow.operator(args.by))
    print(f"{args.issue_id}: satisfaction {row['satisfaction']:g} recorded")
    return 0


@command("posters")
def cmd_posters(args: argparse.Namespace) -> int:
    """Write the venues' QR posters (one community's, or every venue's) into a folder; an
    unknown community, size or format is refused (exit 2) before anything is written."""
    with _store(args) as store:
        infos = posters.poster_infos(store, args.community)
    if not infos:
        print(say("poster_no_venues", args.lang), file=sys.stderr)
        return 0
    folder = Path(args.output)
    files = posters.posters(infos, size=args.size, formats=args.format)  # refuses a missing font
    written = 0
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in files:
            (folder / name).write_bytes(data)
            written += 1
            print(say("poster_wrote", args.lang, path=folder / name))
    except OSError as exc:  # a file where the folder should be, no permission, a full disk
        raise InputError(msg("cli_cannot_write", path=str(folder),
                             reason=exc.strerror or str(exc))) from None
    print(say("poster_wrote_n", args.lang, n=written, folder=folder), file=sys.stderr)
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse, saying its refusal line in the command line's language (the detail is argparse's)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, say("cli_usage_error", cli_lang(), prog=self.prog, detail=message) + "\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m geo", description="Yishi Map command line")
    parser.add_argument("--store", help="store file (default: $YISHI_STORE or var/yishi.sqlite)")
    common = _Parser(add_help=False)
    common.add_argument("--store", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, **kw: object) -> argparse.ArgumentParser:
        """A subcommand that also takes --store after its name."""
        return sub.add_parser(name, parents=[common], **kw)

    p = add("summary", help="published figures and counts")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    crs_help = "coordinate system of the file (wgs84 also means CGCS2000)"
    p = add("assign", help="assign GeoJSON points to community, compound, venue, members")
    p.add_argument("file")
    p.add_argument("--crs", default="wgs84", choices=SOURCE_CRS, help=crs_help)
    p.add_argument("--workers", type=_workers, default=1,
                   help="processes to assign with, in chunks (default 1); pays from ~10^6 points")

    p = add("export", help="export a layer")
    p.add_argument("--layer", required=True)
    p.add_argument("--format", required=True, choices=FORMATS)
    p.add_argument("-o", "--output", required=True)

    p = add("init", help="create a store: the demo (--demo) or an empty one with an admin")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--demo", action="store_true",
                       help="build the demo store from data/ and print its accounts")
    group.add_argument("--data", metavar="DIR",
                       help="build a store from a generated folder (python -m data.generate "
                            "--scale city) with the demo accounts")
    group.add_argument("--admin", metavar="NAME",
                       help="the first admin account of an empty store (password from stdin)")

    for name, text in (("validate", "validate an upload file; writes nothing"),
                       ("import", "validate, then import a file all or nothing")):
        p = add(name, help=text)
        p.add_argument("file")
        p.add_argument("--layer", required=True, choices=UPLOADABLE)
        p.add_argument("--crs", default="wgs84", choices=SOURCE_CRS, help=crs_help)
        if name == "import":
            p.add_argument("--by", default=_whoami(), help="who imports (for the audit trail)")

    p = add("undo", help="undo a committed import batch")
    p.add_argument("batch_id", type=int)
    p.add_argument("--by", default=_whoami())

    p = add("history", help="import batches: who, when, counts, status")
    p.add_argument("--json", action="store_true")

    p = add("backup", help="copy the whole store to a file (online), checked before it is kept")
    p.add_argument("-o", "--output", required=True, help="the backup file (refused if it exists)")
    p.add_argument("--force", action="store_true", help="replace an existing backup file")
    p.add_argument("--by", default=_whoami(), help="who backs up (for the audit trail)")

    p = add("check", help="check the whole store: integrity, schema version, rows per layer")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = add("reassign", help="store where every issue falls (community, compound) where it is "
                             "missing or wrong, in one audited batch")
    p.add_argument("--by", default=_whoami(), help="who reassigns (for the audit trail)")

    p = add("migrate", help="copy a store into a new one (e.g. SQLite to PostGIS), then verify it")
    p.add_argument("--from", dest="source", required=True, metavar="LOC", help="the store to copy")
    p.add_argument("--to", dest="target", required=True, metavar="LOC",
                   help="the new store: a file, or an empty postgresql:// database")

    p = add("users", help="accounts")
    users = p.add_subparsers(dest="users_command", required=True)
    users.add_parser("list")
    for name in ("add", "disable", "enable", "passwd", "role", "region"):
        q = users.add_parser(name)
        q.add_argument("name")
        q.add_argument("--by", default=_whoami())
        if name in ("add", "region"):
            q.add_argument("--region", required=name == "region",
                           help="region code (NBS: city, district or subdistrict) the account works in;"
                                " 'all' for the whole store")
        if name in ("add", "role"):
            q.add_argument("--role", required=True, choices=ROLES)
            q.add_argument("--community", help="linked community id (members)")
        if name == "add":
            q.add_argument("--member", help="member id of the account holder")
        if name in ("add", "passwd"):
            q.add_argument("--password-stdin", action="store_true",
                           help="read the password from standard input")

    p = add("sessions", help="signed-in browsers: list, revoke")
    kinds = p.add_subparsers(dest="sessions_command", required=True)
    kinds.add_parser("list").add_argument("--json", action="store_true", help="print JSON records")
    q = kinds.add_parser("revoke", help="end one session (--id) or all of a user's (--user)")
    q.add_argument("--id", help="the session id `sessions list` shows (at least 6 characters)")
    q.add_argument("--user", help="end every session of this user")
    q.add_argument("--by", default=_whoami(), help="who revokes (for the audit trail)")

    p = add("apikeys", help="Open311 API keys: add NAME, list, revoke KEY_ID")
    kinds = p.add_subparsers(dest="apikeys_command", required=True)
    q = kinds.add_parser("add", help="issue a key to a client system; the key is printed once")
    q.add_argument("name", help="who holds the key (named in the audit trail)")
    q.add_argument("--by", default=_whoami(), help="who issues it (for the audit trail)")
    kinds.add_parser("list", help="every key: id, name, issued, revoked (never the key)")
    q = kinds.add_parser("revoke", help="refuse a key from now on")
    q.add_argument("key_id", help="the id `apikeys list` shows, e.g. K001")
    q.add_argument("--by", default=_whoami(), help="who revokes (for the audit trail)")

    p = add("show", help="one issue: public record, community, venue, members, timeline")
    p.add_argument("issue_id")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    set_help = "a field for the step, e.g. --set due_on=2022-07-31 (repeatable)"
    p = add("new", help="record a new issue at stage collected")
    p.add_argument("--lon", required=True, type=float, help="longitude, WGS84")
    p.add_argument("--lat", required=True, type=float, help="latitude, WGS84")
    p.add_argument("--title", required=True)
    p.add_argument("--category", required=True, help=f"one of: {', '.join(CATEGORIES.codes)}")
    p.add_argument("--focus", help=f"one of: {', '.join(FOCUS_AREAS.codes)} (default from category)")
    p.add_argument("--set", action="extend", nargs="+", metavar="FIELD=VALUE",
                   help="description, residents_affected, reporter_name, reporter_phone, note")
    p.add_argument("--by", default=_whoami(), help="who records it (for the audit trail)")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = add("advance", help="move an issue to its next stage (checked; all or nothing)")
    p.add_argument("issue_id")
    p.add_argument("--to", required=True, choices=STAGES.codes,
                   help="the next stage; 'meeting' again records another meeting; 'closed' ends it")
    p.add_argument("--set", action="extend", nargs="+", metavar="FIELD=VALUE", help=set_help)
    p.add_argument("--by", default=_whoami(), help="who does it (for the audit trail)")
    p.add_argument("--json", action="store_true", help="print the issue as one JSON object")

    p = add("comment", help="add a supervision note to an issue")
    p.add_argument("issue_id")
    p.add_argument("--note", required=True)
    p.add_argument("--by", default=_whoami())

    p = add("evaluate", help="record residents' satisfaction (1-5) with a done issue")
    p.add_argument("issue_id")
    p.add_argument("--satisfaction", required=True, type=float)
    p.add_argument("--by", default=_whoami())

    p = add("posters", help="QR posters of the venues (scan to report there), as PNG/SVG files")
    p.add_argument("--community", help="one community's venues (default: every venue)")
    p.add_argument("-o", "--output", required=True, help="the folder to write into (made if missing)")
    p.add_argument("--size", default="A4", choices=("A4", "A5", "both"), help="paper (default A4)")
    p.add_argument("--format", default="both", choices=("png", "svg", "both"),
                   help="file format (default both)")
    return parser


def _whoami() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; refusals and errors go to stderr in one language (`cli_lang`)."""
    args = build_parser().parse_args(argv)
    lang = args.lang = cli_lang()
    try:
        return _COMMANDS[args.command](args)
    except ValidationError as exc:
        print(say("cli_problems", lang, n=len(exc.problems)), file=sys.stderr)
        _print_problems(exc.problems, lang, sys.stderr)
        return 1
    except YishiError as exc:  # unusable input, a busy store, a refused undo: one line
        print(say("cli_error", lang, detail=exc.text(lang + WITH_CODES)), file=sys.stderr)
        return 2
    except KeyError as exc:
        print(say("cli_error", lang, detail=exc.args[0] if exc.args else exc), file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - a bug: one line, never a traceback with paths and values
        print(say("cli_internal_error", lang, kind=type(exc).__name__, detail=exc), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
