"""The batch engine through its library API: reproducibility across executors, resume,
refusal of a foreign results directory, failures, streaming assembly, precision."""

import json
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim.analysis import next_count
from sim import runner
from sim.batch import Batch, BatchError, Precision, run
from sim.executors import Pool, process_pool
from sim.results.store import StoreError

from .helpers import assert_same_results, read_results, scenario

# three LRU kinds per type: the model sums them in an order that depends on string hashing,
# so these scenarios would expose a worker whose hash seed is not pinned
A = scenario({"name": "batch_a", "run": {"years": 0.5}})
B = scenario({"name": "batch_b", "run": {"years": 0.5}, "cannibalization": {"policy": "none"}})


@pytest.fixture(scope="module")
def pool1():
    with process_pool(1) as pool:
        yield pool


@pytest.fixture(scope="module")
def pool2():
    with process_pool(2) as pool:
        yield pool


def threads(n: int = 2) -> Pool:
    """An in-process pool, so that tests can patch what a worker runs."""
    return Pool(ThreadPoolExecutor(n), 2 * n, {"kind": "threads"})


def test_one_worker_equals_two_workers(tmp_path, pool1, pool2):
    r1 = run(Batch([A, B], 6, 11, tmp_path / "one"), pool1)
    r2 = run(Batch([A, B], 6, 11, tmp_path / "two"), pool2)
    assert r1.status == r2.status == "complete" and r1.runs == r2.runs == 12
    assert_same_results(tmp_path / "one", tmp_path / "two")
    reps = read_results(tmp_path / "two")["replications"]
    # rows in scenario order as given, then replication, whatever the completion order
    assert list(dict.fromkeys(reps["scenario"])) == ["batch_a", "batch_b"]
    for name, group in reps.groupby("scenario", observed=True, sort=False):
        assert group["replication"].is_monotonic_increasing, name
    assert (tmp_path / "one" / "timeseries.parquet").read_bytes() == \
        (tmp_path / "two" / "timeseries.parquet").read_bytes()


def test_dask_local_cluster_equals_process_pool(tmp_path, pool2):
    from sim.executors import dask_cluster

    run(Batch([A], 4, 3, tmp_path / "pool"), pool2)
    with dask_cluster("local", 2) as pool:
        report = run(Batch([A], 4, 3, tmp_path / "dask"), pool)
    assert report.status == "complete"
    assert json.loads((tmp_path / "dask" / "manifest.json").read_text())["executor"]["kind"] == "dask"
    assert_same_results(tmp_path / "pool", tmp_path / "dask")


def test_resume_runs_only_missing_replications_and_equals_a_whole_run(tmp_path, pool2):
    whole, resumed = tmp_path / "whole", tmp_path / "resumed"
    run(Batch([A, B], 6, 5, whole), pool2)
    first = run(Batch([A, B], 3, 5, resumed), pool2)   # an earlier, shorter batch
    assert first.ran == 6
    (resumed / "parts" / "batch_b" / "000001.parquet").unlink()  # lost with a killed run
    again = run(Batch([A, B], 6, 5, resumed), pool2)
    assert again.ran == 7  # 3 + 3 new, and the lost one
    assert_same_results(whole, resumed)
    manifest = json.loads((resumed / "manifest.json").read_text())
    assert [s["replications_run"] for s in manifest["sessions"]] == [6, 7]
    assert manifest["replications"] == 6 and len(manifest["runs"]) == 12


def test_any_executor_will_do(tmp_path):
    with ThreadPoolExecutor(3) as executor:
        report = run(Batch([A], 3, 5, tmp_path), executor)
    assert report.status == "complete" and report.runs == 3
    assert json.loads((tmp_path / "manifest.json").read_text())["executor"]["kind"] == \
        "ThreadPoolExecutor"


def test_same_batch_again_runs_nothing(tmp_path, pool1):
    run(Batch([A], 2, 5, tmp_path / "x"), pool1)
    assert run(Batch([A], 2, 5, tmp_path / "x"), pool1).ran == 0


@pytest.mark.parametrize("change, words", [
    ({"root_seed": 6}, "--seed 5, not 6"),
    ({"scenarios": [B]}, "scenarios batch_a, not batch_b"),
    ({"scenarios": [scenario({"name": "batch_a", "run": {"years": 0.5},
                              "types": {"A": {"count": 13}}})]},
     "scenario 'batch_a' differs at types.A.count"),
])
def test_directory_of_another_batch_is_refused_unless_forced(tmp_path, pool1, change, words):
    out = tmp_path / "x"
    run(Batch([A], 2, 5, out), pool1)
    other = dict(scenarios=[A], replications=2, root_seed=5, out=out) | change
    with pytest.raises(StoreError, match="use --force") as refused:
        run(Batch(**other), pool1)
    assert words in str(refused.value) and str(out) in str(refused.value)
    assert len(read_results(out)["replications"]) > 0  # nothing was lost
    forced = run(Batch(**other, force=True), pool1)
    assert forced.ran == 2 and forced.status == "complete"


def test_directory_of_another_version_is_refused(tmp_path, pool1):
    out = tmp_path / "x"
    run(Batch([A], 1, 5, out), pool1)
    manifest = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps({**manifest, "version": "0.0.1"}))
    with pytest.raises(StoreError, match="made by fleetsim 0.0.1"):
        run(Batch([A], 1, 5, out), pool1)


def test_a_foreign_directory_is_never_written_to(tmp_path, pool1):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="not a fleetsim results directory"):
        run(Batch([A], 1, 5, tmp_path, force=True), pool1)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_two_batches_cannot_share_a_directory(tmp_path, pool1):
    from sim.results import manifest
    from sim.results.store import ResultsDir

    held = ResultsDir.open(tmp_path, manifest.identity([A], 5), manifest.mismatch)
    try:
        with pytest.raises(StoreError, match="another fleetsim batch"):
            run(Batch([A], 1, 5, tmp_path), pool1)
    finally:
        held.close()


REAL_SIMULATE = runner.simulate


def failing_simulate(bad: set[int]):
    def simulate(scen, replication, root_seed):
        if replication in bad:
            raise ZeroDivisionError("no tails left")
        return REAL_SIMULATE(scen, replication, root_seed)
    return simulate


def test_failed_replications_are_recorded_and_retried_only_on_request(tmp_path, monkeypatch):
    out = tmp_path / "x"
    monkeypatch.setattr(runner, "simulate", failing_simulate({1, 3}))
    report = run(Batch([A, B], 5, 7, out), threads())
    assert report.status == "failed" and report.runs == 6 and report.ran == 10
    assert [(f["scenario"], f["replication"]) for f in report.failures] == [
        ("batch_a", 1), ("batch_a", 3), ("batch_b", 1), ("batch_b", 3)]
    assert report.failures[0]["error"].startswith("ZeroDivisionError: no tails left (at ")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "failed" and manifest["failures"] == report.failures
    reps = read_results(out)["replications"]
    assert sorted(set(reps["replication"])) == [0, 2, 4]

    monkeypatch.setattr(runner, "simulate", failing_simulate(set()))
    assert run(Batch([A, B], 5, 7, out), threads()).ran == 0  # failures stay failures
    retried = run(Batch([A, B], 5, 7, out, retry_failed=True), threads())
    assert retried.ran == 4 and retried.status == "complete" and retried.failures == []
    run(Batch([A, B], 5, 7, tmp_path / "clean"), threads())
    assert_same_results(out, tmp_path / "clean")


class BrokenExecutor(ThreadPoolExecutor):
    """Runs the first `good` tasks, then fails like a pool whose worker died."""

    def __init__(self, good: int):
        super().__init__(1)
        self.good = good

    def submit(self, fn, *args):
        self.good -= 1
        if self.good >= 0:
            return super().submit(fn, *args)
        future = Future()
        future.set_exception(RuntimeError("A process in the process pool was terminated"))
        return future


def test_broken_executor_stops_the_batch_and_keeps_finished_work(tmp_path):
    out = tmp_path / "x"
    with pytest.raises(runner.ExecutorFailure, match="terminated"):
        run(Batch([A], 6, 7, out), Pool(BrokenExecutor(3), 1))
    assert json.loads((out / "manifest.json").read_text())["status"] == "interrupted"
    assert len(list((out / "parts" / "batch_a").glob("*.parquet"))) == 3
    resumed = run(Batch([A], 6, 7, out), threads())
    assert resumed.ran == 3 and resumed.status == "complete"


def test_assembly_streams_parts_into_row_groups(tmp_path, pool2, monkeypatch):
    from sim.results import assemble

    run(Batch([A, B], 4, 9, tmp_path / "big-groups"), pool2)
    monkeypatch.setattr(assemble, "ROWS_PER_GROUP", 1)  # one row group per part
    run(Batch([A, B], 4, 9, tmp_path / "small-groups"), pool2)
    groups = pq.ParquetFile(tmp_path / "small-groups" / "timeseries.parquet").num_row_groups
    assert groups == 8
    assert_same_results(tmp_path / "big-groups", tmp_path / "small-groups")


def test_results_keep_the_columns_of_the_design(tmp_path, pool2):
    run(Batch([A], 2, 9, tmp_path), pool2)
    tables = read_results(tmp_path)
    assert list(tables["replications"].columns) == ["scenario", "replication", "stream_key",
                                                    "aircraft_type", "component", "metric",
                                                    "unit", "value"]
    assert list(tables["timeseries"].columns) == ["scenario", "replication", "aircraft_type",
                                                  "month", "component", "metric", "unit",
                                                  "value"]
    assert list(tables["summary"].columns) == ["scenario", "aircraft_type", "component",
                                               "metric", "unit", "n", "mean", "std", "ci_low",
                                               "ci_high"]
    reps = tables["replications"]
    assert (reps["stream_key"].astype(str) == "9/" + reps["replication"].astype(str)).all()
    assert tables["timeseries"]["month"].nunique() == 7  # January to July 2023
    # the summary is that of the stored replications
    reps = tables["replications"]
    mc = reps[(reps.aircraft_type == "ALL") & (reps.metric == "mc_rate")]["value"]
    row = tables["summary"].query("aircraft_type == 'ALL' and metric == 'mc_rate'").iloc[0]
    assert row["n"] == 2 and row["mean"] == pytest.approx(mc.mean(), rel=1e-12)


def test_precision_stops_when_the_interval_is_narrow_enough(tmp_path, pool1, pool2):
    wanted = Precision(0.05, "removals", max_replications=60)
    r2 = run(Batch([A, B], 4, 21, tmp_path / "two", precision=wanted), pool2)
    assert r2.stop["reason"] == "precision 0.05 reached" and 4 < r2.replications < 60
    summary = read_results(tmp_path / "two")["summary"]
    rows = summary.query("aircraft_type == 'ALL' and metric == 'removals'")
    half = (rows["ci_high"] - rows["ci_low"]) / 2
    assert (half <= 0.05 * rows["mean"]).all() and (rows["n"] == r2.replications).all()
    # where it stops depends on the values alone: not on the workers
    r1 = run(Batch([A, B], 4, 21, tmp_path / "one", precision=wanted), pool1)
    assert r1.replications == r2.replications
    assert_same_results(tmp_path / "one", tmp_path / "two")
    manifest = json.loads((tmp_path / "one" / "manifest.json").read_text())
    assert manifest["stop"]["reason"] == "precision 0.05 reached"
    assert manifest["precision"]["metric"] == "removals"


def test_precision_gives_up_at_the_maximum(tmp_path, pool2):
    wanted = Precision(1e-6, "mc_rate", "A", max_replications=7)
    report = run(Batch([A], 3, 21, tmp_path, precision=wanted), pool2)
    assert report.replications == 7 and "--max-replications 7 reached" in report.stop["reason"]


def test_precision_on_an_unknown_metric_names_it(tmp_path, pool2):
    with pytest.raises(BatchError, match="--metric ALL:mc_ratio"):
        run(Batch([A], 3, 21, tmp_path, precision=Precision(0.01, "mc_ratio")), pool2)
    assert len(list((tmp_path / "parts" / "batch_a").glob("*.parquet"))) == 3


def test_manifest_answers_the_stress_des_checklist(tmp_path, pool2):
    run(Batch([A], 2, 9, tmp_path), pool2)
    m = json.loads((tmp_path / "manifest.json").read_text())
    assert m["versions"]["fleetsim"] and m["versions"]["numpy"] and m["versions"]["simpy"]
    assert m["environment"]["cpus"] >= 1 and m["root_seed"] == 9 and "SeedSequence" in m["seeding"]
    assert m["replications"] == 2 and m["horizon_days"]["batch_a"] == 0.5 * 365.25
    assert m["warmup_days"]["batch_a"] == 0.0
    assert m["scenarios"]["batch_a"]["types"]["A"]["count"] == 12  # resolved, defaults included
    assert m["wall_seconds"] > 0 and m["executor"]["workers"] == 2
    assert [(r["replication"], r["events"] > 0, r["wall_seconds"] > 0) for r in m["runs"]] == [
        (0, True, True), (1, True, True)]
    assert m["events"]["total"] == sum(r["events"] for r in m["runs"])
    assert m["stop"]["rule"] == "fixed" and m["status"] == "complete"


def test_next_count_is_the_confidence_interval_method():
    from sim.analysis import relative_half_width

    x = 10 + np.random.default_rng(1).standard_normal(10)
    relative = relative_half_width(x)
    assert 0.04 < relative < 0.05
    assert next_count(x, 0.05, 100) == 10  # precise enough already
    assert next_count(x, 0.04, 100) == int(np.ceil(10 * (relative / 0.04) ** 2))  # the estimate
    assert next_count(x, 0.001, 100) == 20  # at most doubling on an early estimate
    assert next_count(x, 0.001, 15) == 15  # never beyond the maximum
    assert next_count(np.zeros(5), 0.01, 100) == 5  # no spread at all: done


def test_streamed_summary_equals_the_t_interval():
    from sim.analysis import Summary, t_interval

    rng = np.random.default_rng(2)
    values = rng.gamma(2.0, 3.0, size=(9, 3))
    values[4, 2] = np.nan  # an undefined ratio in one replication
    summary = Summary()
    for row in values:
        summary.add("s", ["T", "T", "ALL"], ["a", "b", "a"], row)
    frame = summary.frame()
    for i in range(3):
        mean, std, low, high = t_interval(values[:, i])
        got = frame.iloc[i]
        assert got["n"] == np.sum(~np.isnan(values[:, i]))
        assert got[["mean", "std", "ci_low", "ci_high"]].tolist() == pytest.approx(
            [mean, std, low, high], rel=1e-12)
    assert isinstance(frame, pd.DataFrame) and list(frame["aircraft_type"]) == ["T", "T", "ALL"]
