"""The legend in the map's corner: issue colours with counts, the overdue ring, venue icons, the
open-issue shading, and the layers that could not be drawn. Every label in it goes through `escape`.
It folds under a title (closed at first on a phone-sized map, where it would cover the map)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from geo.schema import COMMUNITIES, ISSUES, VENUE_KINDS, VENUES
from ui.i18n import t
from ui.maps.elements import MapControl
from ui.maps.payload import escape, short
from ui.maps.style import OPEN_PALETTE, swatch, venue_icon_html


def legend(html_text: str, position: str = "bottomright", *, lang: str | None = None) -> MapControl:
    """A corner box showing `html_text` (built here from escaped labels); with `lang`, folded
    under the title "图例 / Legend"."""
    title = escape(t("map_legend", lang)) if lang else None
    return MapControl("legend", {"html": html_text, "position": position, "title": title})


#: The ring drawn around an overdue issue (see OVERDUE_RING in ui/js/yishi-map.js).
OVERDUE_RING = "#d50000"


def overdue_swatch() -> str:
    """A marker with its overdue ring, as the map draws it."""
    return (f'<span style="display:inline-block;width:9px;height:9px;border-radius:50%;'
            f'background:#bdbdbd;border:2px solid #212121;box-shadow:0 0 0 3px {OVERDUE_RING};'
            f'margin:0 8px 0 3px;vertical-align:-1px"></span>')


def _section(title: str, rows: list[str]) -> str:
    return (f'<details open><summary style="font-weight:bold;cursor:pointer">{escape(title)}'
            f'</summary>{"<br>".join(rows)}</details>')


def legend_html(payload: dict[str, Any], classes: list[tuple[int, int]], lang: str, color_by: str,
                venue_kinds: Sequence[str], failed: Sequence[str] = ()) -> str:
    """Legend HTML for the issue map (`payload` from `layers.issue_payload`)."""
    labels = payload["stages"] if color_by == "stage" else payload["cats"]
    field = ISSUES.get(color_by if color_by == "stage" else "category")
    issue_rows = [f"{swatch(c)}{lab} ({n})" for c, lab, n in
                  zip(payload["colors"], labels, payload["counts"]) if n]
    late = payload.get("n_od", len(payload.get("od") or ()))  # n_od: a big view's count (ui.maps.viewport)
    if late:
        issue_rows.append(f'<span class="yishi-legend-overdue">{overdue_swatch()}'
                          f'{escape(t("map_overdue", lang))} ({late})</span>')
    parts = []
    if issue_rows:
        parts.append(_section(f"{ISSUES.label(lang)} · {field.label(lang)}", issue_rows))
    kinds = [k for k in VENUE_KINDS.codes if k in venue_kinds] + sorted(set(venue_kinds) - set(VENUE_KINDS.codes))
    if kinds:
        rows = [f'<span style="display:inline-block;vertical-align:middle;margin:2px 5px 2px 0">'
                f'{venue_icon_html(k, lang, 16)}</span>{short(VENUE_KINDS.label(k, lang))}' for k in kinds]
        parts.append(_section(VENUES.label(lang), rows))
    rows = [f"{swatch(OPEN_PALETTE[min(i, len(OPEN_PALETTE) - 1)], False)}"
            f"{lo if lo == hi else f'{lo}–{hi}'}" for i, (lo, hi) in enumerate(classes)]
    parts.append(_section(f"{COMMUNITIES.label(lang)} · {t('map_open', lang)}", rows))
    if failed:
        parts.append(f'<div style="color:#b71c1c;font-weight:bold">⚠ '
                     f'{escape(t("map_failed", lang, layers=tuple(failed)))}</div>')
    return "".join(parts)
