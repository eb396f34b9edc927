"""Reading the CSV files people actually export: encoding and delimiter sniffed, a byte-order mark dropped,
quoted newlines kept, repeated header names told apart, and a broken file refused with the line and the fix.

>>> table = read_csv("exports/organizations.csv")  # doctest: +SKIP
>>> table.frame.columns                            # every column as text, plus ``_line``
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer
import polars as pl

from ..errors import ImportInputError

DELIMITERS = ",;\t|"
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class CsvTable:
    """A CSV file as text columns (``_line`` is the line each row starts on), and how it was read."""

    path: Path
    frame: pl.DataFrame
    encoding: str
    delimiter: str
    encoding_note: str = ""  # which encoding was used and how sure, in words
    blank_lines: tuple[int, ...] = ()  # lines with no value at all (not in ``frame``; counted)

    @property
    def columns(self) -> list[str]:
        return [c for c in self.frame.columns if c != "_line"]


# Single-byte code pages tried when a file is not UTF-8: the Windows page of each script, Western first (the
# tie-breaker: most files that are not UTF-8 come from Excel on a Western Windows).
CODE_PAGES = ("cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1257")
# Letters beyond Latin-1 that cp1252 itself has: not unlikely in a Western text.
CP1252_EXTRA = frozenset("ŒœŠšŽžŸƒ")
IN_WORD = frozenset("’'‘ʼ·-‐\u00ad")  # punctuation that may stand between letters
WORD = re.compile(r"[^\s,;\t|\"()\[\]{}<>/.:!?]+")


def unlikely(text: str) -> tuple[int, int]:
    """How misdecoded ``text`` looks, as (strong, weak) evidence, compared in that order. Strong: controls,
    symbols between letters (``Wroc³aw``), a capital after a small letter (``ŁódŸ``), scripts mixed in a word,
    a Latin word mostly of accented letters (``Ïðèâåò``). Weak: a letter beyond Latin-1 (``Peńa``), plausible
    but rarer. ``unlikely("Peña Müller")`` is ``(0, 0)``; ``unlikely("Peńa")`` is ``(0, 1)``."""
    strong = weak = 0
    for word in {w for w in WORD.findall(text) if not w.isascii()}:
        scripts = set()
        accented = 0  # letters of Latin-1's upper half (``Ïðèâåò`` is Cyrillic read as cp1252)
        for i, c in enumerate(word):
            if c.isascii():
                if c.isalpha():
                    scripts.add("LATIN")
                continue
            category = unicodedata.category(c)
            before = word[i - 1] if i else ""
            after = word[i + 1] if i + 1 < len(word) else ""
            if category[0] == "C":
                strong += 1
            elif category[0] != "L":
                strong += c not in IN_WORD and before.isalpha() and after.isalpha()
            else:
                scripts.add(unicodedata.name(c, "?").split(" ")[0])
                accented += ord(c) <= 0xFF
                strong += c.isupper() and before.isalpha() and before.islower()
                weak += "LATIN" in unicodedata.name(c, "") and ord(c) > 0xFF and c not in CP1252_EXTRA
        letters = sum(ch.isalpha() for ch in word)
        if len(scripts) > 1 or (scripts == {"LATIN"} and letters >= 4 and accented * 5 > letters * 3):
            strong += 1
    return strong, weak


@dataclass(frozen=True)
class Decoded:
    """A file's text, the encoding it was read with, and how sure that is, in words."""

    text: str
    encoding: str
    note: str


def encoding_flag(example: str = "") -> str:
    """How the command line is told a file's encoding: ``--encoding cp1252``."""
    return f"--encoding {example}".rstrip()


def encoding_setting(example: str = "") -> str:
    """How a mapping file is told its files' encoding: ``encoding = "cp1252" under [import] in the mapping``."""
    return f'encoding = "{example or "cp1252"}" under [import] in the mapping'


def decode(
    path: Path, raw: bytes, encoding: str | None = None, how: Callable[[str], str] = encoding_flag
) -> Decoded:
    """The bytes as text: a byte-order mark or ``encoding`` decides, else UTF-8 when the bytes are valid UTF-8,
    else the code page whose reading looks least misdecoded (:func:`unlikely`), Western first on a tie.
    A mixed file (UTF-8 and another encoding) or one that reads badly in every code page is refused, asking
    for the encoding the way ``how`` says it is given (``--encoding``, or a mapping's setting)."""
    for bom, name in BOMS:
        if raw.startswith(bom):
            encoding = encoding or name
            break
    if encoding:
        try:
            return Decoded(
                raw.decode(encoding), encoding, f"read as {encoding} (as given, or by its byte-order mark)"
            )
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            raise ImportInputError(
                [
                    f"{path.name}: line {line} is not valid {encoding} (byte {error.start}); "
                    f"give the file's real encoding: {how('cp1252')} (cp1252 is Excel on Windows)"
                ]
            ) from None
        except LookupError:
            raise ImportInputError(
                [f"{path.name}: unknown encoding {encoding!r}; give one Python knows, e.g. {how('cp1252')}"]
            ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        bad_line = raw[: error.start].count(b"\n") + 1
    else:
        return Decoded(text, "utf-8", "read as utf-8 (certain: every byte is valid UTF-8)")
    utf8 = UTF8_LETTER.search(raw)
    if utf8 is not None:
        line = raw[: utf8.start()].count(b"\n") + 1
        raise ImportInputError(
            [
                f"{path.name}: mixed encodings: line {line} is UTF-8 but line {bad_line} is not; save the "
                f"file again in one encoding (UTF-8), or give the one most of it is in: {how('cp1252')}"
            ]
        )
    scored: list[tuple[tuple[int, int], str, str]] = []
    guess = charset_normalizer.from_bytes(raw).best()
    candidates = [*CODE_PAGES]
    if (
        guess is not None
        and guess.encoding
        and codecs.lookup(guess.encoding).name not in {codecs.lookup(c).name for c in CODE_PAGES}
    ):
        candidates.append(guess.encoding)
    for candidate in candidates:
        try:
            text = raw.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
        scored.append((unlikely(text), candidate, text))
    if not scored:
        raise ImportInputError(
            [f"{path.name}: the text encoding could not be recognised; give it: {how('cp1252')}"]
        )
    scored.sort(key=lambda item: item[0])  # stable: the order of CODE_PAGES breaks ties
    score, used, text = scored[0]
    if score[0]:
        raise ImportInputError(
            [
                f"{path.name}: the encoding is doubtful: even as {used} it reads oddly ({_sample(text)}); "
                f"give the file's encoding: {how('cp1252')} (or cp1250, utf-8...)"
            ]
        )
    other = next(((s, c, t) for s, c, t in scored[1:] if t != text), None)
    if other is None or other[0][0]:
        sure = "likely: other code pages read with unlikely characters"
    else:
        sure = "probably: its letters are the commoner ones"
    note = f"read as {used} ({sure}"
    if other is not None:
        note += f"; as {other[1]} it would read {_sample(other[2], text)}"
    return Decoded(text, used, note + f"); if that is wrong, give {how(other[1] if other else '')}")


UTF8_LETTER = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")


def _sample(text: str, against: str | None = None) -> str:
    """The first word that reads oddly (or differs from ``against``), quoted."""
    words = WORD.findall(text)
    if against is not None:
        theirs = WORD.findall(against)
        for word, mine in zip(words, theirs, strict=False):
            if word != mine:
                return repr(word)
    for word in words:
        if not word.isascii() and unlikely(word)[0]:
            return repr(word)
    return "its non-ASCII letters"


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


def read_csv(
    path: str | Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    how: Callable[[str], str] = encoding_flag,
) -> CsvTable:
    """Read a CSV file into text columns; raises :class:`ImportInputError` naming each problem."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ImportInputError([f"{path}: cannot be read ({error.strerror})"]) from None
    if not raw.strip():
        raise ImportInputError([f"{path.name}: the file is empty"])
    decoded = decode(path, raw, encoding, how)
    text, used = decoded.text, decoded.encoding
    text = text.removeprefix("\ufeff")
    delimiter = delimiter or _sniff(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    problems: list[str] = []
    rows: list[list[str]] = []
    lines: list[int] = []
    blank: list[int] = []
    try:
        header = next(reader)
        start = reader.line_num + 1
        for record in reader:
            if not any(cell.strip() for cell in record):
                blank.append(start)
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
    return CsvTable(path, frame, used, delimiter, decoded.note, tuple(blank))
