"""fleetsim for notebooks: `fleetsim.run(...)` returns Results with DataFrames.

    import fleetsim
    res = fleetsim.run("status_quo", "russian_transfer", replications=10)
    res.summary, res.replications, res.timeseries, res.compare(baseline="status_quo")

The implementation is in `sim.api`; the command line is `fleetsim` (sim.cli).
"""

from sim import __version__
from sim.api import NameClash, Results, YearsError, load, run

__all__ = ["NameClash", "Results", "YearsError", "load", "run", "__version__"]
