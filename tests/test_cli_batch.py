"""The batch engine through the command line: executors, sweeps, precision, failures,
progress, bad input, and a batch killed with SIGKILL and resumed."""

import contextlib
import io
import json
import signal
import subprocess
import sys
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from rich.console import Console
from typer.testing import CliRunner

from sim import cli_run, executors, runner
from sim.cli import app
from sim.executors import Pool

from .helpers import ROOT, assert_same_results, read_results, write_scenario

cli_runner = CliRunner()
QUICK = ["-n", "3", "--years", "0.3", "-q"]


def invoke(*args):
    return cli_runner.invoke(app, [str(a) for a in args])


def one_line_error(result, code: int = 2) -> str:
    assert result.exit_code == code, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


def test_one_worker_two_workers_and_dask_give_the_same_tables(tmp_path):
    path = write_scenario(tmp_path, "cli_workers")
    for name, options in [("w1", ["-w", 1]), ("w2", ["-w", 2]),
                          ("dask", ["--scheduler", "local", "-w", 2])]:
        result = invoke("run", path, *QUICK, "--out", tmp_path / name, *options)
        assert result.exit_code == 0, result.output
    assert_same_results(tmp_path / "w1", tmp_path / "w2")
    assert_same_results(tmp_path / "w1", tmp_path / "dask")
    executor = json.loads((tmp_path / "dask" / "manifest.json").read_text())["executor"]
    assert executor["kind"] == "dask" and executor["workers"] == 2


def test_sweep_expands_a_grid_into_named_variants_under_common_random_numbers(tmp_path):
    path = write_scenario(tmp_path, "cli_sweep")
    out = tmp_path / "out"
    result = invoke("sweep", path, "--grid", "types.A.count=8,12",
                    "--grid", "cannibalization.damage_probability=0.0,0.0", *QUICK, "-o", out)
    assert result.exit_code == 0, result.output
    variants = pd.read_csv(out / "sweep.csv")
    assert list(variants.columns) == ["scenario", "base", "types.A.count",
                                      "cannibalization.damage_probability"]
    assert list(variants["scenario"]) == ["cli_sweep/1", "cli_sweep/2", "cli_sweep/3",
                                          "cli_sweep/4"]
    assert list(variants["types.A.count"]) == [8, 8, 12, 12]
    reps = read_results(out)["replications"]
    assert list(dict.fromkeys(reps["scenario"])) == list(variants["scenario"])
    for table in ("replications", "timeseries"):  # each variant its own row group(s)
        stored = pq.ParquetFile(out / f"{table}.parquet")
        groups = [list(stored.read_row_group(g, columns=["scenario"]).to_pandas()
                       ["scenario"].unique()) for g in range(stored.num_row_groups)]
        assert groups == [[name] for name in variants["scenario"]], table
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenarios"]["cli_sweep/3"]["types"]["A"]["count"] == 12
    assert manifest["sweeps"][0]["grid"] == {"types.A.count": [8, 12],
                                             "cannibalization.damage_probability": [0.0, 0.0]}
    # variants 1 and 2 are the same world: under CRN their replications agree to the bit
    value = reps.set_index(["scenario", "replication", "aircraft_type", "metric"])["value"]
    assert value.loc["cli_sweep/1"].equals(value.loc["cli_sweep/2"])
    assert not value.loc["cli_sweep/1"].equals(value.loc["cli_sweep/3"])


def test_a_sweep_table_in_the_file_is_expanded_by_run_validate_and_sweep(tmp_path):
    path = write_scenario(tmp_path, "cli_table", extra='\n[sweep]\n"types.A.count" = [6, 9]\n'
                                                      '[sweep.flying]\nwindow_hours = [10, 12]\n')
    check = invoke("validate", path)
    assert check.exit_code == 0 and "4 sweep variants" in check.output
    shown = invoke("show", path)
    assert shown.exit_code == 0
    assert tomllib.loads(shown.output)["sweep"]["types.A.count"] == [6, 9]
    result = invoke("run", path, *QUICK, "-o", tmp_path / "run")
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert list(manifest["scenarios"]) == [f"cli_table/{i}" for i in range(1, 5)]
    assert manifest["scenarios"]["cli_table/2"]["flying"]["window_hours"] == 12
    # --grid replaces a key of the table
    result = invoke("sweep", path, "--grid", "types.A.count=7", *QUICK, "-o", tmp_path / "grid")
    assert result.exit_code == 0, result.output
    variants = pd.read_csv(tmp_path / "grid" / "sweep.csv")
    assert list(variants["types.A.count"]) == [7, 7]


@pytest.mark.parametrize("grid, words", [
    ("types.A.count", "--grid types.A.count: must read dotted.key=value1,value2,..."),
    ("types.A.count=", "--grid types.A.count=: must read"),
    ("types.A.count=1,,2", "must read"),
    ("types.A.wingspan=1,2", "types.A.wingspan: unknown key (sweep variant cli_bad/1:"),
    ("types.A.count=-1,2", "types.A.count: Input should be greater than or equal to 0"),
])
def test_malformed_grid_is_one_line_exit_2(tmp_path, grid, words):
    path = write_scenario(tmp_path, "cli_bad")
    line = one_line_error(invoke("sweep", path, "--grid", grid, *QUICK, "-o", tmp_path / "x"))
    assert words in line
    assert not (tmp_path / "x").exists()


def test_sweep_needs_a_grid_and_a_sweep_table_needs_arrays(tmp_path):
    path = write_scenario(tmp_path, "cli_nogrid")
    assert "nothing to sweep" in one_line_error(invoke("sweep", path, *QUICK))
    bad = write_scenario(tmp_path, "cli_badtable", extra='\n[sweep]\n"types.A.count" = 3\n')
    line = one_line_error(invoke("validate", bad))
    assert f"{bad}: sweep.types.A.count: must be a non-empty array" in line


def test_precision_runs_until_the_interval_is_narrow_enough(tmp_path):
    path = write_scenario(tmp_path, "cli_precision")
    out = tmp_path / "out"
    result = invoke("run", path, "-n", 4, "--years", 0.5, "-q", "-o", out, "--precision", 0.05,
                    "--metric", "A:removals", "--max-replications", 60)
    assert result.exit_code == 0, result.output
    assert "stopped: precision 0.05 reached" in result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["stop"]["reason"] == "precision 0.05 reached"
    assert manifest["precision"]["aircraft_type"] == "A" and 4 < manifest["replications"] < 60


@pytest.mark.parametrize("options, words", [
    (["--precision", 0], "--precision: must be above 0"),
    (["--precision", 0.05, "-n", 1], "--replications: --precision needs at least 2"),
    (["--precision", 0.05, "--max-replications", 2], "--max-replications: 2 is below"),
    (["--precision", 0.05, "--metric", "mc_ratio"], "--metric ALL:mc_ratio: scenario"),
])
def test_bad_precision_options_are_one_line_exit_2(tmp_path, options, words):
    path = write_scenario(tmp_path, "cli_badprecision")
    line = one_line_error(invoke("run", path, "--years", 0.3, "-q", "-o", tmp_path / "x",
                                 *options))
    assert words in line


def test_missing_dask_extra_is_one_line_exit_2(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    path = write_scenario(tmp_path, "cli_nodask")
    line = one_line_error(invoke("run", path, *QUICK, "--scheduler", "local", "-o", tmp_path / "x"))
    assert "--scheduler" in line and "pip install 'fleetsim[dask]'" in line
    assert not (tmp_path / "x").exists()


def test_unreachable_scheduler_is_one_line_exit_2(tmp_path, monkeypatch):
    monkeypatch.setattr(executors, "CONNECT_TIMEOUT_S", 1)
    path = write_scenario(tmp_path, "cli_noscheduler")
    line = one_line_error(invoke("run", path, *QUICK, "--scheduler", "tcp://127.0.0.1:9",
                                 "-o", tmp_path / "x"))
    assert "--scheduler tcp://127.0.0.1:9: cannot reach the scheduler" in line
    line = one_line_error(invoke("run", path, *QUICK, "--scheduler", "tcp://127.0.0.1:9",
                                 "-w", 2, "-o", tmp_path / "x"))
    assert line.startswith("Error: --workers") or "error: --workers" in line


@contextlib.contextmanager
def threads(opts):
    yield Pool(ThreadPoolExecutor(2), 4, {"kind": "threads"})


@contextlib.contextmanager
def one_thread():
    yield Pool(ThreadPoolExecutor(1), 1, {"kind": "threads"})


def test_failures_exit_1_with_a_summary_and_retry_failed_reruns_them(tmp_path, monkeypatch):
    real = runner.simulate

    def simulate(scen, replication, root_seed):
        if replication == 1:
            raise ValueError("negative stock\nof radars")
        return real(scen, replication, root_seed)

    monkeypatch.setattr(cli_run, "_pool", threads)
    monkeypatch.setattr(runner, "simulate", simulate)
    path = write_scenario(tmp_path, "cli_fail")
    out = tmp_path / "out"
    result = invoke("run", path, *QUICK, "-o", out)
    assert result.exit_code == 1
    assert "failed: cli_fail replication 1: ValueError: negative stock of radars (at " in result.output
    assert "1 replications failed" in result.output and "--retry-failed" in result.output
    assert json.loads((out / "manifest.json").read_text())["failures"][0]["replication"] == 1
    assert len(read_results(out)["replications"].replication.unique()) == 2

    monkeypatch.setattr(runner, "simulate", real)
    again = invoke("run", path, *QUICK, "-o", out, "--retry-failed")
    assert again.exit_code == 0 and "(1 run now)" in again.output
    assert len(read_results(out)["replications"].replication.unique()) == 3


def test_ctrl_c_keeps_finished_replications_and_exits_130(tmp_path, monkeypatch):
    real = runner.simulate

    def simulate(scen, replication, root_seed):
        if replication == 2:
            raise KeyboardInterrupt
        return real(scen, replication, root_seed)

    monkeypatch.setattr(cli_run, "_pool", lambda opts: one_thread())
    monkeypatch.setattr(runner, "simulate", simulate)
    path = write_scenario(tmp_path, "cli_ctrlc")
    out = tmp_path / "out"
    line = one_line_error(invoke("run", path, "-n", 4, "--years", 0.3, "-q", "-o", out), 130)
    assert "interrupted" in line and "resume" in line
    assert json.loads((out / "manifest.json").read_text())["status"] == "interrupted"
    assert len(list((out / "parts" / "cli_ctrlc").glob("*.parquet"))) == 2
    monkeypatch.setattr(runner, "simulate", real)
    result = invoke("run", path, "-n", 4, "--years", 0.3, "-q", "-o", out)
    assert result.exit_code == 0 and "(2 run now)" in result.output


def test_progress_bars_on_a_terminal_only(tmp_path, monkeypatch):
    path = write_scenario(tmp_path, "cli_progress")
    plain = invoke("run", path, "-n", 3, "--years", 0.3, "-o", tmp_path / "plain", "-w", 1)
    assert plain.exit_code == 0 and "/s" not in plain.output and "3/3" not in plain.output
    assert "Whole fleet" in plain.output  # the table is still printed
    screen = io.StringIO()
    monkeypatch.setattr(cli_run, "err", Console(file=screen, force_terminal=True, width=120))
    result = invoke("run", path, "-n", 3, "--years", 0.3, "-o", tmp_path / "tty", "-w", 1)
    assert result.exit_code == 0
    bars = screen.getvalue()
    assert "cli_progress" in bars and "3/3" in bars and "/s" in bars
    screen.truncate(0)
    quiet = invoke("run", path, "-n", 3, "--years", 0.3, "-o", tmp_path / "quiet", "-w", 1, "-q")
    assert quiet.exit_code == 0 and screen.getvalue() == "" and "Whole fleet" not in quiet.output


# ---- a batch killed with SIGKILL midway, then resumed

def descendants(pid: int) -> set[int]:
    """Every process below `pid` (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_batch_killed_with_sigkill_resumes_to_the_uninterrupted_result(tmp_path):
    path = write_scenario(tmp_path, "cli_sigkill", {"run": {"years": 2.0}})
    killed, whole = tmp_path / "killed", tmp_path / "whole"
    command = [sys.executable, "-m", "sim", "run", str(path), "-n", "240", "-w", "2", "-q"]
    proc = subprocess.Popen(command + ["-o", str(killed)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    parts = killed / "parts" / "cli_sigkill"
    deadline = time.monotonic() + 120
    while len(list(parts.glob("*.parquet"))) < 30 and time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read()
        time.sleep(0.01)
    workers = descendants(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = sorted(parts.glob("*.parquet"))
    assert 30 <= len(done) < 240, "the batch should have been killed midway"
    assert json.loads((killed / "manifest.json").read_text())["status"] == "running"
    for part in done:  # a visible part is always a whole part
        assert pq.read_table(part).num_rows > 0
    deadline = time.monotonic() + 15  # the workers do not outlive their batch
    while any(alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert workers and not any(alive(p) for p in workers)

    resumed = subprocess.run(command + ["-o", str(killed)], cwd=ROOT, capture_output=True,
                             text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert f"({240 - len(done)} run now)" in resumed.stdout
    assert not [p for p in killed.rglob(".*") if p.name != ".lock"]  # no temporary files left
    whole_run = subprocess.run(command + ["-o", str(whole)], cwd=ROOT, capture_output=True,
                               text=True)
    assert whole_run.returncode == 0, whole_run.stderr
    assert_same_results(killed, whole)


# ---- a scheduler and workers started apart, as on a real cluster

def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_batch_on_a_separately_started_dask_scheduler_and_workers(tmp_path):
    dask = Path(sys.executable).with_name("dask")
    if not dask.exists():
        pytest.fail(f"{dask}: the dask command of the dask extra is missing")
    address = f"tcp://127.0.0.1:{free_port()}"
    started = [subprocess.Popen([str(dask), "scheduler", "--host", "127.0.0.1", "--port",
                                 address.rsplit(":", 1)[1], "--dashboard-address", ":0"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        started.append(subprocess.Popen([str(dask), "worker", address, "--nworkers", "2",
                                         "--nthreads", "1", "--dashboard-address", ":0"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        from distributed import Client
        with Client(address, timeout=60) as client:  # both workers in before the batch starts
            client.wait_for_workers(2, timeout=60)
        path = write_scenario(tmp_path, "cli_cluster")
        result = invoke("run", path, *QUICK, "--scheduler", address, "-o", tmp_path / "cluster")
        assert result.exit_code == 0, result.output
        assert invoke("run", path, *QUICK, "-w", 2, "-o", tmp_path / "pool").exit_code == 0
        assert_same_results(tmp_path / "cluster", tmp_path / "pool")
        executor = json.loads((tmp_path / "cluster" / "manifest.json").read_text())["executor"]
        assert executor == {"kind": "dask", "scheduler": address, "workers": 2, "threads": 2}
    finally:
        for proc in reversed(started):
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
