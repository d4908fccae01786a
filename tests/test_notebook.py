"""The example notebook (docs/api_example.ipynb) runs from top to bottom, at reduced
replications and horizon, and its comparison names both scenarios."""

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "api_example.ipynb"


@pytest.mark.slow
def test_the_example_notebook_runs(monkeypatch, tmp_path):
    monkeypatch.setenv("FLEETSIM_NB_REPLICATIONS", "2")
    monkeypatch.setenv("FLEETSIM_NB_YEARS", "0.5")  # after the 4-year warm-up
    monkeypatch.setenv("FLEETSIM_NB_WORKERS", "2")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "russian_transfer" in text and "status_quo" in text
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the monthly plot
