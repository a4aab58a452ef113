"""A run's CSV fields: the text `execute_group`'s workers write for each table, column
by column (`frame_csv`), every field as `cell` writes it: floats in full (the shortest
text that reads back to the same float), NaN and a -1 "none" code empty, text quoted
only when it must be. The merged CSVs are these texts, so reruns match bitwise."""

from __future__ import annotations

from itertools import chain
from typing import Any

from clustersim.experiments.shared.io import NONE_CODED

KEYS = ("run_id", "scenario", "point", "replicate")
FLOAT_FORMAT = "%r"  # the shortest text that reads back to the same float: reruns match bitwise


def cell(v: Any) -> str:
    """One CSV field: floats in full (repr; NaN empty), text quoted only when it must be."""
    if v is None:
        return ""
    if isinstance(v, float):  # numpy float64 included
        return "" if v != v else FLOAT_FORMAT % v
    if isinstance(v, str):
        return '"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\r\n') else v
    if type(v).__name__.startswith("float"):  # numpy float32 and kin
        return cell(float(v))
    return str(v)


def csv_line(values) -> str:
    return ",".join(map(cell, values)) + "\n"


def frame_csv(frame, keys: list) -> list[str]:
    """[header line, body text] of ``frame`` with the run's key columns in front.

    The fields are those `cell` writes, made a column at a time, each cell with the
    separator that follows it ("," or the line's end), so the body is one join of the
    cells in row order, with no text made per row: a numeric column's texts come from
    one ``repr`` of its list (the shortest round-trip text of each float, as ``%r``;
    ints as ``%d``), split, or for ints of a short range from a table of their texts;
    booleans and the few distinct texts of a text column are formatted once each. A
    numeric column equal, bit for bit, to the one of the same name last formatted for
    the same columns (a region's fixed attributes, written for each scenario of a
    replicate) reuses its texts (`_COLUMN_TEXTS`). For the rows of one run this is far
    faster than ``DataFrame.to_csv`` or formatting each field.
    """
    names = list(frame.columns)
    kinds = [dtype.kind for dtype in frame.dtypes]
    if all(k in "fiu" for k in kinds):  # all numeric: one conversion, no per-column pandas
        matrix = frame.to_numpy(dtype=float)
        arrays = [matrix[:, j] for j in range(matrix.shape[1])]
    else:
        arrays = [frame[name].to_numpy() for name in names]
    table = tuple(names)
    ends = [","] * len(names) + ["\n"]  # after the keys, then after each column
    columns = [[",".join(map(cell, keys)) + ends[0]] * len(frame)]
    for name, kind, values, end in zip(names, kinds, arrays, ends[1:], strict=True):
        if kind in "fiub":
            key = (table, name, end)
            sig = (values.dtype.str, values.tobytes())
            got = _COLUMN_TEXTS.get(key)
            if got is None or got[0] != sig:
                got = _COLUMN_TEXTS[key] = (sig, _column_cells(name, kind, values, end))
            cells = got[1]
        else:  # text and other objects: each distinct value formatted once
            seen: dict = {}
            cells = [seen[v] if v in seen else seen.setdefault(v, cell(v) + end)
                     for v in values.tolist()]
        columns.append(cells)
    body = "".join(chain.from_iterable(zip(*columns, strict=True)))
    return [csv_line([*KEYS, *frame.columns]), body]


# the texts of each numeric column last formatted, by (table's columns, name, separator):
# its dtype and bytes, and its cells (one run's columns at most: a few MiB)
_COLUMN_TEXTS: dict[tuple, tuple[tuple[str, bytes], list[str]]] = {}


def _column_cells(name: str, kind: str, values, end: str) -> list[str]:
    """A numeric or boolean column's fields, each followed by ``end``."""
    import numpy as np

    if kind == "b":
        return np.where(values, "True" + end, "False" + end).tolist()
    if name in NONE_CODED:  # -1 codes "none": an empty cell
        return _texts(values.astype(np.int64), end, none_below=0)
    if kind == "f":
        cells = _texts(values, end)
        if np.isnan(values).any():  # NaN: an empty cell
            for k in np.flatnonzero(np.isnan(values)).tolist():
                cells[k] = end
        return cells
    # "%d" also prints the float 3.0 of an int column as 3
    return _texts(values.astype(np.int64) if values.dtype.kind == "f" else values, end)


def _texts(values, end: str = "", none_below: int | None = None) -> list[str]:
    """Each number's text, as ``repr`` (floats) or ``str`` (ints) writes it, followed by
    ``end``; ints below ``none_below`` (if given) empty. Ints spanning a short range are
    looked up in a table of its texts; otherwise the texts come from one ``repr`` of
    the whole list, its ", " separators turned into ``end`` and a split."""
    import numpy as np

    n = len(values)
    if n == 0:
        return []
    if values.dtype.kind in "iu":
        lo, hi = int(values.min()), int(values.max())
        if hi - lo < n // 4 and abs(lo) < 2**62 and abs(hi) < 2**62:
            texts = np.array([end if none_below is not None and k < none_below
                              else str(k) + end for k in range(lo, hi + 1)], object)
            return texts[values.astype(np.int64) - lo].tolist()
    cells = (repr(values.tolist())[1:-1].replace(", ", end + "\0") + end).split("\0")
    if none_below is not None and (values < none_below).any():
        for k in np.flatnonzero(values < none_below).tolist():
            cells[k] = end
    return cells
