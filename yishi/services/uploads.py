"""An upload's whole life in one place, for the upload page and the command line alike.

read and check the file (geo.ingest, in a child process with time and memory limits) ->
preview it against the store (new / updated / unchanged) -> a refused file is recorded as
rejected, so the audit shows every attempt -> commit all or nothing -> undo a batch (`undo_upload`
also says how many rows it removed and restored). Every write needs the ``upload``
permission (staff);
the command line acts as the operator (`workflow.operator`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo.errors import InputError, PermissionDenied, ValidationError, msg
from geo.ingest import DEFAULT_MAX_BYTES, UNREADABLE_CODES, Upload
from geo.ingest.isolated import read_upload_isolated
from geo.schema import get_layer
from yishi.accounts import User, within
from yishi.services import assignment, regions
from yishi.services.accounts import acting
from yishi.storage import BatchResult, Row, Store, rows_from_frame

PERMISSION = "upload"


@dataclass(frozen=True)
class Checked:
    """A read upload beside the store: what committing it would change.

    ``preview`` is None when no feature is valid; ``rejected_batch`` is the audit batch
    that records a refused file (None when the file is fine).
    """

    upload: Upload
    source: str
    preview: BatchResult | None
    rejected_batch: int | None = None
    #: Issues whose stored community or compound a commit changes (a communities or compounds
    #: upload; `yishi.services.assignment`): written in the same batch.
    moved: int = 0

    @property
    def ok(self) -> bool:
        return self.upload.ok

    @property
    def changes(self) -> int:
        """How many rows a commit would add or change."""
        return 0 if self.preview is None else len(self.preview.new) + len(self.preview.updated)


def read(data: bytes, *, filename: str, layer: str, source_crs: str = "wgs84",
         max_bytes: int = DEFAULT_MAX_BYTES) -> Upload:
    """Read and check an uploaded file for `layer`, every problem in the report.

    The file is untrusted: it is read in a child process within the limits of
    `geo.ingest.isolated` (YISHI_READ_SECONDS, YISHI_READ_MEMORY_MB), so a file that would
    hang or exhaust the server is refused like any bad file. Raises InputError only for a
    wrong call (an unknown layer or coordinate system).
    """
    return read_upload_isolated(data, filename=filename, layer=layer, source_crs=source_crs,
                                max_bytes=max_bytes)


def unreadable(upload: Upload) -> bool:
    """True when the file as a whole could not be read (not GeoJSON, truncated, too large...)."""
    return any(p.feature is None and p.code in UNREADABLE_CODES for p in upload.problems)


def check(store: Store, upload: Upload, *, source: str, user: User) -> Checked:
    """Preview `upload` against the store; a refused file is recorded as rejected (audited)."""
    acting(store, user, PERMISSION)
    preview, moved = None, []
    if len(upload.frame):
        rows, moved = _rows(store, upload)
        preview = store.preview(upload.layer, rows)
    rejected = None
    if not upload.ok:  # nothing else is written for a refused file
        rejected = store.record_rejected(upload.layer, by=user.username, source=source,
                                         n_rejected=max(len(upload.rejected), 1),
                                         problems=[p.to_dict() for p in upload.problems])
    return Checked(upload, source, preview, rejected, len(moved))


def commit(store: Store, upload: Upload, *, source: str, user: User) -> BatchResult:
    """Write every row of a clean upload as one batch, or nothing (ValidationError if not clean)."""
    actor = acting(store, user, PERMISSION)
    if not upload.ok:
        raise ValidationError(upload.problems)
    rows, moved = _rows(store, upload)
    outside = [row for row in rows if not within(actor, row.get("subdistrict_id"))]
    if outside and "subdistrict_id" in get_layer(upload.layer).field_names:
        id_field = get_layer(upload.layer).id_field
        raise PermissionDenied(msg("denied_region_rows", n=len(outside), region=actor.region_id,
                                   ids=[str(row[id_field]) for row in outside[:5]]))
    return store.write_batch(upload.layer, rows, by=user.username, source=source,
                             extra={"issues": moved} if moved else None, extra_updatable=("issues",))


def _rows(store: Store, upload: Upload) -> tuple[list[Row], list[Row]]:
    """The store rows of an upload, each placed in its subdistrict (see `regions.with_subdistricts`),
    issues with where they fall; and the issue rows a communities or compounds upload moves
    (`yishi.services.assignment`)."""
    frame = regions.with_subdistricts(store, upload.layer, upload.frame)
    if upload.layer == "issues":
        frame = assignment.with_places(store, frame)
    moved = assignment.reassigned(store, upload.layer, frame)
    return rows_from_frame(get_layer(upload.layer), frame), moved


def undo(store: Store, batch_id: int, *, user: User) -> BatchResult:
    """Restore what was there before a committed batch."""
    acting(store, user, PERMISSION)
    return store.undo(batch_id, by=user.username)


@dataclass(frozen=True)
class Undone:
    """What undoing an upload did: the rows it had added are removed, the rows it had changed
    are back as they were before it."""

    batch_id: int
    removed: int
    restored: int


def undo_upload(store: Store, batch_id: int, *, user: User) -> Undone:
    """Undo a committed upload, saying how many rows went and how many came back.

    Raises InputError when `batch_id` is not a committed upload (or later batches changed the
    same rows, as `Store.undo` refuses)."""
    acting(store, user, PERMISSION)
    batches = uploads_history(store)
    row = batches[batches["batch_id"] == batch_id]
    if row.empty:
        raise InputError(msg("batch_missing", batch=batch_id))
    result = store.undo(batch_id, by=user.username)
    added = int(row["n_new"].iloc[0] or 0)
    removed = min(added, len(result.updated))
    return Undone(batch_id, removed, len(result.updated) - removed)


def uploads_history(store: Store) -> pd.DataFrame:
    """The uploads of the batch log, newest first: imported, refused and undone files (issue
    work, the demo build and other writes are in the audit trail, not here)."""
    history = store.history()
    return history[history["action"] == "import"].reset_index(drop=True)


def undoable(history: pd.DataFrame) -> list[int]:
    """The batches an undo may restore: committed imports."""
    mask = (history["status"] == "committed") & (history["action"] == "import")
    return [int(b) for b in history.loc[mask, "batch_id"]]
