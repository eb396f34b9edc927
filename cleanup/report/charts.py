"""Charts as plain HTML and CSS: they take the width of their panel (no fixed pixel size, no sideways
scroll), every count is text beside its bar (never clipped), bars carry a pattern as well as a colour, each
chart has a table behind a "show the numbers" toggle, and a series of one bar is said in a sentence instead.

>>> bars([("delete copies of notes", 2850), ("merge companies", 199)], caption="What will change")  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

MIN_BARS = 2


def _numbers(header: tuple[str, ...], rows: list[tuple[object, ...]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{v:,}</td>' if isinstance(v, int) else f"<td>{escape(str(v))}</td>" for v in row
        )
        + "</tr>"
        for row in rows
    )
    return f'<details class="numbers"><summary>Show the numbers</summary><table><tr>{head}</tr>{body}</table></details>'


def bars(series: list[tuple[str, int]], *, caption: str, sentence: str, unit: str = "rows") -> str:
    """Horizontal bars (label, bar, count), or ``sentence`` when there are fewer than two bars."""
    series = [(label, n) for label, n in series if n]
    if len(series) < MIN_BARS:
        return f'<p class="chart-sentence">{escape(sentence)}</p>'
    top = max(n for _, n in series) or 1
    rows = "".join(
        f'<div class="bar-row"><span class="bar-label">{escape(label)}</span>'
        f'<span class="bar-track"><span class="bar kind-{i % 4}" style="width:{max(1.0, 100 * n / top):.1f}%"></span></span>'
        f'<span class="bar-n">{n:,}</span></div>'
        for i, (label, n) in enumerate(series)
    )
    alt = "; ".join(f"{label}: {n:,}" for label, n in series)
    return (
        f'<figure class="chart bars" role="group" aria-label="{escape(caption)}: {escape(alt)}">{rows}'
        f"{_numbers(('', unit), list(series))}</figure>"
    )


@dataclass
class Timeline:
    """Notes per month: the originals kept, and the copies (or re-dated notes) by who wrote them."""

    months: list[str]  # 'YYYY-MM', every month from the first to the last
    originals: list[int]
    copies: dict[str, list[int]] = field(default_factory=dict)  # writer → per month


def timeline(data: Timeline, *, caption: str, sentence: str) -> str:
    """Stacked columns per month (originals plain, copies striped), year ticks, a legend and the numbers."""
    if not data.months:
        return f'<p class="chart-sentence">{escape(sentence)}</p>'
    writers = list(data.copies)
    totals = [data.originals[i] + sum(data.copies[w][i] for w in writers) for i in range(len(data.months))]
    top = max(totals) or 1
    columns = []
    for i, month in enumerate(data.months):
        parts = [
            f'<span class="seg copy kind-{1 + j % 3}" style="height:{100 * data.copies[w][i] / top:.2f}%" '
            f'title="{escape(month)}: {data.copies[w][i]:,} by {escape(w)}"></span>'
            for j, w in enumerate(writers)
            if data.copies[w][i]
        ]
        if data.originals[i]:
            parts.append(
                f'<span class="seg original" style="height:{100 * data.originals[i] / top:.2f}%" '
                f'title="{escape(month)}: {data.originals[i]:,} originals"></span>'
            )
        tick = f'<span class="tick">{month[:4]}</span>' if month.endswith("-01") or i == 0 else ""
        columns.append(f'<span class="col">{"".join(parts)}{tick}</span>')
    legend = '<span class="key"><span class="swatch original"></span>originals (kept)</span>' + "".join(
        f'<span class="key"><span class="swatch copy kind-{1 + j % 3}"></span>{escape(w)}</span>'
        for j, w in enumerate(writers)
    )
    rows = [
        (month, data.originals[i], *(data.copies[w][i] for w in writers))
        for i, month in enumerate(data.months)
        if totals[i]
    ]
    return (
        f'<figure class="chart timeline" role="group" aria-label="{escape(caption)}">'
        f'<p class="chart-sentence">{escape(sentence)}</p>'
        f'<div class="cols" aria-hidden="true"><span class="top">{top:,}</span>{"".join(columns)}</div>'
        f'<div class="legend">{legend}</div>'
        f"{_numbers(('month', 'originals', *writers), rows)}</figure>"
    )
