"""The report as one self-contained HTML file: no network, no server. Charts are HTML and CSS sized to
their panel; the findings travel as JSON and a small script renders one page of cards at a time, so 50,000
rows stay a small DOM."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from jinja2 import Environment, PackageLoader, select_autoescape

from ..files import write_private
from ..labels import confidence_text, plural
from .charts import bars, timeline
from .data import ReportData

PAGE_SIZE = 20  # cards per page


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("cleanup.report"), autoescape=select_autoescape(["html", "j2"]))
    env.filters["sentence"] = lambda text: (text[:1].upper() + text[1:]) if text else text
    env.filters["n"] = lambda n: f"{n:,}"
    env.globals["plural"] = plural
    env.globals["confidence_text"] = confidence_text
    return env


def charts(data: ReportData) -> dict[str, str]:
    """The summary's charts (or the sentence that replaces a one-bar chart)."""
    total = sum(n for _, n in data.kinds)
    only = data.kinds[0][0] if data.kinds else "nothing"
    bands = [(label, n) for label, n in data.confidence if n]
    out = {
        "kinds": bars(
            data.kinds,
            caption="What the findings would change",
            sentence=f"All {total:,} findings are of one kind: {only}.",
        ),
        "confidence": bars(
            data.confidence,
            caption="How sure the tool is of each finding",
            sentence=f"The tool is {bands[0][0] if bands else 'not scoring'} for all {total:,} findings.",
        ),
    }
    if data.timeline is not None:
        out["timeline"] = timeline(
            data.timeline, caption="Notes by the month they were written", sentence=data.timeline_sentence
        )
    return out


def render_html(data: ReportData, run: dict[str, Any] | None = None) -> str:
    """The report page for ``data`` (and, after a run, :func:`.runview.run_view` of it)."""
    template = _environment().get_template("report.html.j2")
    payload = {
        "recipes": data.recipes,
        "titles": data.titles,
        "page": PAGE_SIZE,
        "after_run": run is not None,
    }
    text = orjson.dumps(payload).decode().replace("</", "<\\/")
    return template.render(data=data, run=run, charts=charts(data), payload=text)


def write_html(data: ReportData, path: str | Path, run: dict[str, Any] | None = None) -> Path:
    path = Path(path)
    write_private(path, render_html(data, run).encode("utf-8"))
    return path
