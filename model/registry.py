"""The parameter registry machinery: one `Param` per tunable quantity, declared once.

The declarations themselves live in `model.params`; everything else (the CLI's
``--set``, spec validation, the web page's inputs, SALib problems, EMA uncertainties and
``docs/parameters.md``) is derived from them. No default is ever typed twice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from clustersim.model.errors import ParamError

KINDS = ("float", "int", "bool")


@dataclass(frozen=True)
class Param:
    """One model parameter.

    Attributes:
        name: identifier used everywhere (CLI, specs, CSV columns).
        default: value used when nothing overrides it.
        low, high: inclusive allowed range (ignored for bools).
        unit: e.g. "fraction 0-1", "terms", "SD per term", "£ per pupil per year".
        group: the mechanism or policy it belongs to (e.g. "M3 voluntary partnering").
        meaning: one sentence a researcher can act on.
        source: IDs of docs/evidence.md ("evidence C6", "seed 003"),
            "calibrated: P1", "estimate", "design choice" or "assumption".
        kind: "float", "int" or "bool"; inferred from the default's type when omitted.
    """

    name: str
    default: Any
    low: float | None
    high: float | None
    unit: str
    group: str
    meaning: str
    source: str
    kind: str = ""

    def __post_init__(self) -> None:
        if not self.kind:
            inferred = {bool: "bool", int: "int", float: "float"}.get(type(self.default), "?")
            object.__setattr__(self, "kind", inferred)
        if self.kind not in KINDS:
            raise AssertionError(f"{self.name}: kind {self.kind!r} not in {KINDS}")
        if self.kind != "bool":
            self.check(self.default)

    @property
    def numeric(self) -> bool:
        return self.kind in ("float", "int")

    def allowed(self) -> str:
        if self.kind == "bool":
            return "true or false"
        return f"{self.kind} in [{_fmt(self.low)}, {_fmt(self.high)}]"

    def coerce(self, value: Any, on_float: str = "error") -> Any:
        """Convert a CLI string or a TOML/JSON value, then range-check it.

        An integer parameter accepts a whole float (3.0); given a fraction it refuses
        ("expected a whole number") or, with ``on_float="round"`` (for samplers such as
        SALib, which hand every parameter a float), rounds to the nearest integer.
        """
        if self.kind == "bool":
            return _to_bool(self.name, value)
        if isinstance(value, bool):
            raise ParamError(f"parameter {self.name}: got a boolean, expected {self.allowed()}")
        try:
            v: float | int = float(value)
        except (TypeError, ValueError):
            raise ParamError(
                f"parameter {self.name}: {value!r} is not a number; expected {self.allowed()}"
            ) from None
        if self.kind == "int" and math.isfinite(v):
            if not v.is_integer() and on_float != "round":
                raise ParamError(f"parameter {self.name}: {value!r} is not a whole number; "
                                 f"expected a whole number in [{_fmt(self.low)}, "
                                 f"{_fmt(self.high)}]")
            v = int(round(v))
        self.check(v)
        return v

    def check(self, v: float) -> None:
        if not math.isfinite(v) or not (self.low <= v <= self.high):
            raise ParamError(
                f"parameter {self.name}: {v!r} is out of range; expected {self.allowed()}")


def _fmt(x: float | None) -> str:
    return "" if x is None else (f"{x:g}" if isinstance(x, float) else str(x))


def _to_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "yes", "on"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "0", "no", "off"):
        return False
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise ParamError(f"parameter {name}: {value!r} is not a boolean; expected true or false")


class Registry:
    """An ordered collection of `Param`s with validation helpers."""

    def __init__(self, params: list[Param]):
        self._params: dict[str, Param] = {}
        for p in params:
            if p.name in self._params:
                raise AssertionError(f"parameter {p.name} declared twice")
            self._params[p.name] = p

    def __getitem__(self, name: str) -> Param:
        try:
            return self._params[name]
        except KeyError:
            raise ParamError(self.unknown_message(name)) from None

    def __contains__(self, name: object) -> bool:
        return name in self._params

    def __iter__(self):
        return iter(self._params.values())

    def __len__(self) -> int:
        return len(self._params)

    def names(self) -> list[str]:
        return list(self._params)

    def unknown_message(self, name: str) -> str:
        import difflib

        close = difflib.get_close_matches(name, self._params, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        return (
            f"unknown parameter {name!r}{hint} (see `clustersim params` for all "
            f"{len(self._params)} names)"
        )

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self}

    def resolve(self, overrides: dict[str, Any] | None = None,
                on_float: str = "error") -> dict[str, Any]:
        """Defaults updated with validated overrides; raises ParamError on any bad entry."""
        values = self.defaults()
        for name, value in (overrides or {}).items():
            values[name] = self[name].coerce(value, on_float)
        return values

    def parse_assignment(self, text: str) -> tuple[str, Any]:
        """Parse a CLI ``NAME=VALUE`` into a validated pair."""
        name, sep, raw = text.partition("=")
        if not sep or not name.strip():
            raise ParamError(f"--set expects NAME=VALUE, got {text!r}")
        p = self[name.strip()]
        return p.name, p.coerce(raw.strip())

    def groups(self) -> dict[str, list[Param]]:
        out: dict[str, list[Param]] = {}
        for p in self:
            out.setdefault(p.group, []).append(p)
        return out


# ------------------------------------------------------------------ the typed values
PARAMS_CLASS_FILE = "model/param_values.py"  # generated: scripts/update_params_class.py
_TYPES = {"float": "float", "int": "int", "bool": "bool"}


def params_class_source(registry: Registry) -> str:
    """The source of `model.param_values`: a frozen dataclass with one field per
    parameter, typed by its kind, its meaning as the field's docstring (so an editor
    completes and explains ``m.p.<name>``). Written by scripts/update_params_class.py;
    a test checks the file equals this text."""
    import textwrap

    lines = [
        '"""The parameter values of one run as a typed, frozen object: ``m.p`` in the model.',
        "",
        "GENERATED from the registry (model/params.py) by scripts/update_params_class.py: do",
        "not edit; tests/test_params.py checks it matches. One field per parameter, typed by",
        "its kind (float, int, or bool for a switch), in the registry's order; assigning to a",
        "field raises ``dataclasses.FrozenInstanceError``.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "from collections.abc import Mapping",
        "from dataclasses import dataclass, fields",
        "from typing import Any",
        "",
        "",
        "@dataclass(frozen=True)",
        "class Params:",
        '    """Every parameter of a run (``model.params.PARAMS``), validated."""',
        "",
    ]
    for p in registry:
        bounds = "" if p.kind == "bool" else f"; {_fmt(p.low)} to {_fmt(p.high)}"
        text = f"{p.meaning} [{p.unit}{bounds}; {p.group}]"
        if '"""' in text or "\\" in text or text.endswith('"'):
            raise AssertionError(f"{p.name}: its meaning cannot be a docstring: {text!r}")
        lines.append(f"    {p.name}: {_TYPES[p.kind]}")
        doc = textwrap.wrap(text, width=100 - 4 - 3, break_on_hyphens=False)
        if len(doc) == 1 and len(doc[0]) <= 100 - 4 - 6:
            lines.append(f'    """{doc[0]}"""')
        else:
            lines.append(f'    """{doc[0]}')
            lines += [f"    {line}" for line in doc[1:]]
            lines.append('    """')
    lines += [
        "",
        "    @classmethod",
        "    def of(cls, values: Mapping[str, Any]) -> Params:",
        '        """The parameters among ``values`` (a resolved config: other keys ignored)."""',
        "        return cls(**{f.name: values[f.name] for f in fields(cls)})",
        "",
    ]
    return "\n".join(lines)
