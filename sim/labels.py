"""Display labels of scenarios: a sweep variant is shown by its parameter values
(`MiG-29.count=18, policy=none`) rather than by its name (`status_quo/3`).

A swept key is shortened to the fewest trailing parts that tell it apart from the other
swept keys, keeping the aircraft type of a `types.<T>....` key (`types.MiG-29.count` ->
`MiG-29.count`, `cannibalization.policy` -> `policy`). Labels come from the manifest's
`sweeps` (or the `sweep` descriptions of `sim.sweep.Expanded`); a scenario that is no
variant keeps its name, and so does any variant whose label would not be unique.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def short_keys(keys: Iterable[str]) -> dict[str, str]:
    """Each dotted key's shortest unambiguous trailing part."""
    keys = list(keys)
    short = {}
    for key in keys:
        parts = key.split(".")
        least = 2 if parts[0] == "types" and len(parts) > 2 else 1
        for n in range(least, len(parts) + 1):
            tail = ".".join(parts[-n:])
            if not any(other != key and (other == tail or other.endswith("." + tail))
                       for other in keys):
                break
        short[key] = tail
    return short


def _value(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def variant_labels(sweeps: Iterable[Mapping]) -> dict[str, str]:
    """{variant name: label} of sweep descriptions (base, grid, variants); with several
    sweeps, each label starts with its base scenario's name."""
    sweeps = list(sweeps)
    labels = {}
    for sweep in sweeps:
        short = short_keys(sweep.get("grid") or {})
        prefix = f"{sweep['base']}: " if len(sweeps) > 1 else ""
        for name, values in sweep.get("variants", {}).items():
            labels[name] = prefix + ", ".join(f"{short.get(k, k)}={_value(v)}"
                                              for k, v in values.items())
    return labels


def labels(names: Iterable[str], manifest: Mapping | None = None,
           renamed: Mapping[str, str] | None = None) -> dict[str, str]:
    """{shown name: display label} for the scenarios `names` of a results directory.

    `renamed` maps stored names to the names shown (a scenario met again in another
    directory is shown as `<dir>:<name>`); such names keep their prefix on the label."""
    variants = variant_labels((manifest or {}).get("sweeps") or [])
    shown_to_stored = {v: k for k, v in (renamed or {}).items()}
    out = {}
    for name in names:
        stored = shown_to_stored.get(name, name)
        label = variants.get(stored, name)
        if stored != name and label != name:
            label = f"{name.rpartition(':')[0]}:{label}"
        out[name] = label
    seen: dict[str, int] = {}
    for label in out.values():
        seen[label] = seen.get(label, 0) + 1
    return {n: (lab if seen[lab] == 1 else n) for n, lab in out.items()}
