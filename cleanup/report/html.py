"""The dry-run report as one self-contained HTML file: no network, no server; charts are inline SVG and the
findings are paged by a small script, so 50,000 rows stay a small DOM."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import orjson
from jinja2 import Environment, PackageLoader, select_autoescape

from .data import ReportData

BAR_WIDTH = 420


def bars(series: list[tuple[str, int]], *, label: str) -> str:
    """A horizontal bar chart as inline SVG (labels left, counts right)."""
    if not series:
        return f'<p class="muted">No {html.escape(label)}.</p>'
    top = max(n for _, n in series) or 1
    row = 22
    height = row * len(series) + 8
    parts = [
        f'<svg class="chart" role="img" aria-label="{html.escape(label)}" width="{BAR_WIDTH + 260}" '
        f'height="{height}" viewBox="0 0 {BAR_WIDTH + 260} {height}">'
    ]
    for i, (name, n) in enumerate(series):
        y = i * row + 4
        width = max(1, round(BAR_WIDTH * n / top)) if n else 0
        parts.append(
            f'<text x="180" y="{y + 14}" text-anchor="end">{html.escape(str(name))[:28]}</text>'
            f'<rect x="188" y="{y}" width="{width}" height="16" rx="2"><title>{html.escape(str(name))}: {n:,}</title></rect>'
            f'<text x="{194 + width}" y="{y + 14}">{n:,}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def render_html(data: ReportData, run: dict[str, Any] | None = None) -> str:
    """The report page for ``data`` (and, after a run, its results)."""
    env = Environment(loader=PackageLoader("cleanup.report"), autoescape=select_autoescape(["html", "j2"]))
    template = env.get_template("report.html.j2")
    by_action: dict[str, int] = {}
    for _, action, _, rows, _ in data.by_recipe:
        by_action[action] = by_action.get(action, 0) + rows
    payload = orjson.dumps(data.recipes).decode().replace("</", "<\\/")
    return template.render(
        data=data,
        run=run,
        chart_actions=bars(sorted(by_action.items()), label="actions by kind"),
        chart_confidence=bars(data.confidence, label="confidence"),
        chart_months=bars(data.waves_by_month, label="duplicate notes by month created"),
        chart_tokens=bars(
            [(t or "unknown", n) for t, n in data.waves_by_token], label="duplicate notes by API token"
        ),
        recipes_json=payload,
    )


def write_html(data: ReportData, path: str | Path, run: dict[str, Any] | None = None) -> Path:
    path = Path(path)
    path.write_text(render_html(data, run), encoding="utf-8")
    return path
