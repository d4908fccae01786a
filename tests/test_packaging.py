"""Packaging: the version is the changelog's newest, and a wheel installed into a fresh
environment, away from any checkout, lists and runs the shipped scenarios."""

import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

import sim

ROOT = Path(__file__).resolve().parent.parent


def test_the_version_is_the_newest_changelog_entry():
    entries = re.findall(r"^## (\S+)", (ROOT / "CHANGELOG.md").read_text(), flags=re.M)
    assert entries and entries[0] == sim.__version__
    assert len(set(entries)) == len(entries)  # every release once


def _run(*cmd, cwd, env=None):
    done = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, f"{cmd}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
    return done.stdout


@pytest.mark.slow
def test_the_wheel_installs_and_runs_shipped_scenarios_outside_a_checkout(tmp_path):
    pytest.importorskip("setuptools", minversion="77")
    dist = tmp_path / "dist"
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", dist, ROOT, cwd=tmp_path)
    wheel, = dist.glob("fleetsim-*.whl")
    assert f"fleetsim-{sim.__version__}-" in wheel.name
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    # the dependencies come from this environment's site-packages (a .pth line adds the
    # directory but does not run its .pth files, so the editable install of the checkout
    # stays out); fleetsim itself comes from the wheel
    bin_ = venv / "bin"
    site, = (venv / "lib").glob("python*/site-packages")
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run(sys.executable, "-m", "pip", "--python", bin_ / "python", "install", "--no-index",
         "--no-deps", "-q", wheel, cwd=tmp_path)
    env = {**os.environ, "PATH": f"{bin_}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    where = _run(bin_ / "python", "-c", "import sim, fleetsim; print(sim.__file__)",
                 cwd=tmp_path, env=env)
    assert Path(where.strip()).is_relative_to(venv)
    listing = _run(bin_ / "fleetsim", "list", cwd=tmp_path, env=env)
    assert "status_quo" in listing and "russian_transfer" in listing
    out = _run(bin_ / "fleetsim", "run", "status_quo", "-n", "1", "--years", "0.3", "-w", "1",
               "-q", "--set", "run.warmup_days=0", "--out", tmp_path / "res", cwd=tmp_path,
               env=env)
    assert "1 replications, 1 finished" in out
    assert (tmp_path / "res" / "summary.csv").exists()
    assert _run(bin_ / "fleetsim", "--version", cwd=tmp_path, env=env).strip() \
        == f"fleetsim {sim.__version__}"
