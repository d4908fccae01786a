"""Every command of the README's console and bash blocks runs, at reduced size (2
replications, 1 year and no warm-up, 2 Morris trajectories), in the README's order, in one
scratch directory:
no example can rot. Commands that need what a test cannot have (a remote Dask cluster, a
package install) are skipped by name below, and the list of skips is checked too."""

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SKIPPED = {"--scheduler tcp://scheduler-host:8786": "needs a Dask cluster"}
SMALL = {"-n": "2", "--replications": "2", "--years": "1", "-w": "1"}
NO_WARMUP = ["--set", "run.warmup_days=0"]  # a run's cost is mostly its warm-up (4 years)


def blocks(text: str) -> list[tuple[str, list[str]]]:
    """(language, lines) of each ```console and ```bash block."""
    return [(m[1], m[2].splitlines()) for m in
            re.finditer(r"^```(console|bash)\n(.*?)^```", text, re.M | re.S)]


def commands(text: str) -> list[tuple[list[str], list[str]]]:
    """Each fleetsim command (its arguments after `fleetsim`) with the output lines that
    follow it in a console block."""
    found = []
    for language, lines in blocks(text):
        joined, i = [], 0
        while i < len(lines):
            line = lines[i]
            while line.endswith("\\") and i + 1 < len(lines):
                i += 1
                line = line[:-1] + " " + lines[i].strip()
            joined.append(line)
            i += 1
        for j, line in enumerate(joined):
            if language == "console" and not line.startswith("$ "):
                continue
            for part in line.removeprefix("$ ").split("&&"):
                words = shlex.split(part, comments=True)
                if words and Path(words[0]).name == "fleetsim":
                    output = []
                    if language == "console":
                        output = [x for x in joined[j + 1:] if not x.startswith("$ ")]
                        output = output[:next((k for k, x in enumerate(joined[j + 1:])
                                               if x.startswith("$ ")), len(output))]
                    found.append((words[1:], output))
    return found


def small(args: list[str]) -> list[str]:
    """The command at reduced size: 2 replications, 1 year without warm-up, 1 worker, and
    the fewest Morris trajectories (2: a status-quo Morris design has 108 factors)."""
    out, i = [], 0
    morris = "morris" in args
    while i < len(args):
        if args[i] in SMALL or (morris and args[i] == "--n"):
            out += [args[i], "2" if args[i] == "--n" else SMALL[args[i]]]
            i += 2
            continue
        out.append(args[i])
        i += 1
    if args and args[0] in ("run", "sweep"):
        for flag in ("-n", "--years", "-w"):
            if flag not in out and not (flag == "-n" and "--replications" in out):
                out += [flag, SMALL[flag]]
    if args and args[0] in ("run", "sweep", "explore") and "--years" in out:
        out += NO_WARMUP
    return out


def test_the_readme_has_commands_to_run():
    found = [" ".join(a) for a, _ in commands(README.read_text())]
    assert any(c.startswith("run") for c in found) and any(c.startswith("compare") for c in
                                                           found), found
    skipped = [c for c in found if any(s in c for s in SKIPPED)]
    assert len(skipped) == len(SKIPPED), skipped  # a skip that matches nothing is stale


@pytest.mark.slow
def test_every_readme_command_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for folder in ("tests", "docs", "scenarios"):  # README commands name checkout files
        (tmp_path / folder).symlink_to(ROOT / folder)
    # the README's broken.toml: a radar that is condemned more than always
    (tmp_path / "broken.toml").write_text(
        f'extends = "{ROOT / "scenarios" / "status_quo.toml"}"\n'
        '[types.MiG-29.lrus.radar]\ncondemned_fraction = 1.5\n')
    runner = CliRunner()
    ran = 0
    for args, output in commands(README.read_text()):
        line = " ".join(args)
        if any(s in line for s in SKIPPED):
            continue
        result = runner.invoke(app, small(args), env={"COLUMNS": "200"})
        errors = [x for x in output if x.startswith("error:")]
        if errors:
            assert result.exit_code == 2, (line, result.output)
            assert result.output.strip() == errors[0], (line, result.output)
        else:
            assert result.exit_code == 0, (line, result.output)
        ran += 1
    assert ran >= 6
