"""Results that cannot be silently corrupted: every part carries its identity and a checksum;
a part that fails either is set aside in parts/quarantine/ and run again, so each corruption
below ends in tables byte-identical to an uninterrupted run."""

import errno
import json
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest

from sim.batch import Batch, BatchError, run
from sim.executors import Pool
from sim.results import parts, provenance
from sim.results.store import StoreError

from .helpers import scenario

A = scenario({"name": "int_a", "run": {"years": 0.5}})
B = scenario({"name": "int_b", "run": {"years": 0.5}, "cannibalization": {"policy": "none"}})
N, SEED = 4, 11
TABLES = ("replications.parquet", "timeseries.parquet", "summary.csv")


def threads() -> Pool:
    return Pool(ThreadPoolExecutor(2), 4, {"kind": "threads"})


def batch(out, n=N, seed=SEED, scenarios=(A, B), **kw) -> Batch:
    return Batch(list(scenarios), n, seed, out, **kw)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("reference") / "out"
    assert run(batch(out), threads()).status == "complete"
    return out


def assert_identical(reference, out) -> None:
    for name in TABLES:
        assert (out / name).read_bytes() == (reference / name).read_bytes(), name


def part(out, name="int_a", k=2):
    return out / "parts" / name / f"{k:06d}.parquet"


def flipped(path):
    data = bytearray(path.read_bytes())
    mid = len(data) // 2
    data[mid:mid + 64] = bytes(b ^ 0xFF for b in data[mid:mid + 64])
    path.write_bytes(bytes(data))


def truncated(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def emptied(path):
    path.write_bytes(b"")


def other_replication(path):
    shutil.copy(path.with_name("000001.parquet"), path)


def other_scenario(path):
    shutil.copy(path.parent.parent / "int_b" / path.name, path)


def footer_flipped(path):
    """A byte of the record in the footer: 'replication": 2' -> 3 keeps a valid file."""
    data = path.read_bytes()
    at = data.rindex(b'"wall_seconds": ')
    path.write_bytes(data[:at] + data[at:].replace(b": 0", b": 9", 1))


@pytest.mark.parametrize("corrupt, words", [
    (flipped, "checksum"), (truncated, "not a whole Parquet file"),
    (emptied, "not a whole Parquet file"), (other_replication, "made for replication 1, not 2"),
    (other_scenario, "made for scenario int_b, not int_a"), (footer_flipped, "checksum"),
])
def test_a_corrupt_part_is_set_aside_and_run_again(tmp_path, reference, corrupt, words):
    out = tmp_path / "out"
    run(batch(out), threads())
    corrupt(part(out))
    report = run(batch(out), threads())
    assert report.status == "complete" and report.ran == 1
    assert len(report.quarantined) == 1 and words in report.quarantined[0]
    assert_identical(reference, out)
    log = (out / "parts" / "quarantine" / "quarantine.log").read_text()
    assert words in log and "int_a 000002.parquet" in log
    assert (out / "parts" / "quarantine" / "int_a@000002.parquet").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["quarantined"] == report.quarantined


def test_a_part_from_another_seed_is_set_aside(tmp_path, reference):
    out, other = tmp_path / "out", tmp_path / "other"
    run(batch(out), threads())
    run(batch(other, seed=12), threads())
    shutil.copy(part(other), part(out))
    report = run(batch(out), threads())
    assert report.ran == 1 and "made for root_seed 12, not 11" in report.quarantined[0]
    assert_identical(reference, out)


def test_a_part_from_another_code_revision_is_set_aside(tmp_path, reference, monkeypatch):
    out, other = tmp_path / "out", tmp_path / "other"
    run(batch(out), threads())
    with monkeypatch.context() as m:
        m.setattr(provenance, "code_hash", lambda: "f" * 64)
        run(batch(other), threads())
    shutil.copy(part(other), part(out))
    report = run(batch(out), threads())
    assert report.ran == 1 and "made for code ffffffffffff" in report.quarantined[0]
    assert_identical(reference, out)


def test_a_directory_of_other_code_is_refused_unless_forced(tmp_path, reference, monkeypatch):
    out = tmp_path / "out"
    run(batch(out), threads())
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["code"] == provenance.code_hash() and manifest["revision"]
    assert set(manifest["scenario_sha256"]) == {"int_a", "int_b"}
    monkeypatch.setattr(provenance, "code_hash", lambda: "e" * 64)
    with pytest.raises(StoreError, match="made by other code"):
        run(batch(out), threads())
    assert run(batch(out, force=True), threads()).ran == 2 * N


def test_a_killed_batch_of_another_seed_and_policy_without_its_manifest_mixes_nothing(
        tmp_path, reference):
    """The issue's case: a seed-12 batch with policy none, killed, its manifest deleted,
    'resumed' as the seed-11 batch: no part of the first enters a table."""
    out = tmp_path / "out"
    none = [s.model_copy(update={"cannibalization": B.cannibalization}) for s in (A, B)]
    run(batch(out, n=3, seed=12, scenarios=none), threads())
    (out / "manifest.json").unlink()
    for name in ("replications.parquet", "timeseries.parquet", "summary.csv"):
        (out / name).unlink()
    report = run(batch(out), threads())
    assert report.ran == 2 * N and len(report.quarantined) == 6
    assert_identical(reference, out)


@pytest.mark.parametrize("record", ["{not json", json.dumps(["a list"]),
                                    json.dumps({"error": "x", "identity": {}})])
def test_a_malformed_or_foreign_failure_record_is_set_aside(tmp_path, reference, record):
    out = tmp_path / "out"
    run(batch(out), threads())
    part(out).unlink()
    part(out).with_name("000002.failed.json").write_text(record)
    report = run(batch(out), threads())
    assert report.status == "complete" and report.ran == 1 and len(report.quarantined) == 1
    assert_identical(reference, out)
    report = run(batch(out, retry_failed=True), threads())  # nothing left to trip on
    assert report.status == "complete" and report.quarantined == []


def test_a_part_corrupted_during_the_batch_is_caught_at_assembly(tmp_path, reference):
    out = tmp_path / "out"

    class Corrupter:
        done = 0

        def planned(self, scenario, total, done):
            pass

        def finished(self, outcome):
            Corrupter.done += 1
            if Corrupter.done == 2 * N:  # the last one: corrupt an earlier part
                flipped(part(out, "int_b", 0))

    report = run(batch(out), threads(), Corrupter())
    assert report.status == "complete" and report.ran == 2 * N + 1
    assert "int_b 000000.parquet" in report.quarantined[0]
    assert_identical(reference, out)


def test_a_full_disk_stops_with_one_line_and_the_rerun_resumes(tmp_path, reference,
                                                               monkeypatch):
    from sim.results import store

    out = tmp_path / "out"
    real, saved = store.atomic_write, []

    def full(path, data):
        if path.suffix == ".parquet" and len(saved) >= 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, data)
        if path.suffix == ".parquet":
            saved.append(path)

    with monkeypatch.context() as m:
        m.setattr(store, "atomic_write", full)
        with pytest.raises(BatchError, match="No space left on device.*3 finished replications"
                                              " are kept.*run the same command"):
            run(batch(out), threads())
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] in ("running", "interrupted")
    assert not list(out.glob("parts/*/.*tmp*"))
    report = run(batch(out), threads())
    assert report.status == "complete" and report.ran == 2 * N - 3
    assert_identical(reference, out)


def test_a_seed_outside_the_int64_range_is_refused_before_anything_runs(tmp_path):
    with pytest.raises(BatchError, match="--seed"):
        run(batch(tmp_path / "out", seed=2**63), threads())
    assert not (tmp_path / "out").exists()


def test_a_part_checks_its_own_bytes(tmp_path, reference):
    data = part(reference).read_bytes()
    record = parts.check(data, parts.identity(A, 2, SEED))
    assert record["replication"] == 2 and record["identity"]["code"] == provenance.code_hash()
    for i in range(0, len(data), max(1, len(data) // 97)):  # any single flipped byte
        bad = data[:i] + bytes([data[i] ^ 1]) + data[i + 1:]
        with pytest.raises(parts.Corrupt):
            parts.check(bad)
