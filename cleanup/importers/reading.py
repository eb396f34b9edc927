"""Reading the CSV files people actually export: encoding and delimiter sniffed, a byte-order mark dropped,
quoted newlines kept, repeated header names told apart, and a broken file refused with the line and the fix.

>>> table = read_csv("exports/organizations.csv")  # doctest: +SKIP
>>> table.frame.columns                            # every column as text, plus ``_line``
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer
import polars as pl

DELIMITERS = ",;\t|"
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class ImportInputError(ValueError):
    """Input an import cannot use as it stands: every problem names the file, where, and the fix."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:40]
        more = f"\n  ... and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        super().__init__(
            "the import input has problems; nothing was written:\n  " + "\n  ".join(shown) + more
        )


@dataclass(frozen=True)
class CsvTable:
    """A CSV file as text columns (``_line`` is the line each row starts on), and how it was read."""

    path: Path
    frame: pl.DataFrame
    encoding: str
    delimiter: str

    @property
    def columns(self) -> list[str]:
        return [c for c in self.frame.columns if c != "_line"]


def _decode(path: Path, raw: bytes, encoding: str | None) -> tuple[str, str]:
    for bom, name in BOMS:
        if raw.startswith(bom):
            encoding = encoding or name
            break
    candidates = [encoding] if encoding else ["utf-8"]
    for candidate in candidates:
        try:
            return raw.decode(candidate), candidate
        except UnicodeDecodeError as error:
            if encoding:
                line = raw[: error.start].count(b"\n") + 1
                raise ImportInputError(
                    [
                        f"{path.name}: line {line} is not valid {encoding} (byte {error.start}); "
                        "give the file's real encoding with --encoding (e.g. cp1252 for Excel on Windows)"
                    ]
                ) from None
        except LookupError:
            raise ImportInputError([f"{path.name}: unknown encoding {encoding!r}"]) from None
    guess = charset_normalizer.from_bytes(raw).best()
    if guess is None or guess.encoding is None:
        raise ImportInputError(
            [f"{path.name}: the text encoding could not be recognised; give it with --encoding (e.g. cp1252)"]
        )
    return str(guess), guess.encoding


def _sniff(text: str) -> str:
    sample = text[:65536]
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        header = sample.splitlines()[0] if sample else ""
        counts = {d: header.count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def unique_headers(names: list[str]) -> list[str]:
    """Header names made unique: a repeated name gets `` (2)``, `` (3)``... (Affinity repeats some)."""
    seen: dict[str, int] = {}
    out = []
    for raw in names:
        name = raw.strip()
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def read_csv(path: str | Path, *, encoding: str | None = None, delimiter: str | None = None) -> CsvTable:
    """Read a CSV file into text columns; raises :class:`ImportInputError` naming each problem."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ImportInputError([f"{path}: cannot be read ({error.strerror})"]) from None
    if not raw.strip():
        raise ImportInputError([f"{path.name}: the file is empty"])
    text, used = _decode(path, raw, encoding)
    text = text.removeprefix("\ufeff")
    delimiter = delimiter or _sniff(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    problems: list[str] = []
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        header = next(reader)
        start = reader.line_num + 1
        for record in reader:
            if not any(cell.strip() for cell in record):
                start = reader.line_num + 1
                continue
            if len(record) != len(header):
                problems.append(
                    f"{path.name}: line {start} has {len(record)} fields where the header has {len(header)}"
                    + (" (the file may be cut short)" if len(record) < len(header) else "")
                    + "; fix the row or quote values that contain the delimiter"
                )
            else:
                rows.append(record)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as error:
        why = str(error)
        if "unexpected end of data" in why or "EOF" in why:
            why = "the file ends inside a quoted value (it may be cut short)"
        problems.append(
            f"{path.name}: line {reader.line_num}: {why}; fix the quoting or export the file again"
        )
    if problems:
        raise ImportInputError(problems)
    names = unique_headers(header)
    if not any(names):
        raise ImportInputError([f"{path.name}: the first line is not a header"])
    columns = {name: [row[i] for row in rows] for i, name in enumerate(names)}
    frame = pl.DataFrame(
        {**columns, "_line": lines},
        schema={**dict.fromkeys(names, pl.String), "_line": pl.Int64},
    )
    return CsvTable(path, frame, used, delimiter)
