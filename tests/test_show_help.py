"""`fleetsim show` round-trips every shipped scenario; `--help` shows every default."""

import re

import pytest
import typer
from typer.testing import CliRunner

from sim.cli import app
from sim.scenario import load
from sim.sweep import expand

from .helpers import SCENARIOS

runner = CliRunner()


@pytest.mark.parametrize("path", sorted(SCENARIOS.rglob("*.toml")),
                         ids=lambda p: str(p.relative_to(SCENARIOS)))
def test_show_round_trips_every_shipped_scenario(path, tmp_path):
    result = runner.invoke(app, ["show", str(path)])
    assert result.exit_code == 0, result.output
    again = tmp_path / path.name
    again.write_text(result.stdout)
    expanded = expand(path)
    assert load(again) == expanded.base
    if expanded.sweep:  # the [sweep] table comes back as the same variants
        assert expand(again).scenarios == expanded.scenarios


def _commands():
    group = typer.main.get_command(app)
    return [(name, cmd) for name, cmd in group.commands.items()]


def _option_blocks(help_text: str) -> dict[str, str]:
    """Each option's row of a plain (click) help page, by its first long name, with its
    continuation lines joined."""
    blocks, current = {}, None
    for line in help_text.splitlines():
        if line.startswith("  -"):
            names = re.findall(r"--[\w-]+", line[2:].split("  ")[0])
            current = names[0] if names else None
            if current:
                blocks[current] = line
        elif current and line.startswith("    "):
            blocks[current] += " " + line.strip()
        else:
            current = None
    return {k: " ".join(v.split()) for k, v in blocks.items()}


@pytest.mark.parametrize("name, command", _commands(), ids=lambda x: x if isinstance(x, str)
                         else "")
def test_help_shows_every_default_and_bracket(name, command):
    result = runner.invoke(app, [name, "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    blocks = _option_blocks(result.output)
    options = [p for p in command.params if p.param_type_name == "option" and p.name != "help"]
    assert len(blocks) >= len(options) and (options or name == "list"), result.output
    for option in options:
        long = next(o for o in option.opts if o.startswith("--"))
        assert long in blocks, (long, result.output)
        assert "[default:" in blocks[long], f"{name} {long}: no default in {blocks[long]!r}"
    # brackets of the help texts survive (no rich markup eats them)
    for param in command.params:
        for bracket in re.findall(r"\[[^\]]*\]", param.help or ""):
            assert " ".join(bracket.split()) in " ".join(result.output.split()), bracket
