"""The results directory of a batch: parts as replications finish, then the final tables.

<out>/manifest.json          what was run (versions, resolved scenarios, seed, replications,
                             horizon, warm-up, sweep, stopping rule) and what it cost (wall
                             time and events of each replication), failures, status
<out>/replications.parquet   scenario, replication, stream_key, aircraft_type, component,
                             metric, unit, value
<out>/timeseries.parquet     scenario, replication, aircraft_type, month, component, metric,
                             unit, value
<out>/summary.csv            scenario, aircraft_type, component, metric, unit, n, mean, std,
                             ci_low, ci_high
<out>/sweep.csv              scenario and the value of each swept key (sweeps only)
<out>/parts/<scenario>/      one Parquet file per finished replication, one JSON file per
                             failed one; the final tables are assembled from them

`parts` encodes one replication (in the worker), `store` owns the directory (lock, resume,
atomic writes), `assemble` streams the parts into the final tables, `manifest` says what
the batch was. This package imports no pandas at the top so that workers stay light.
"""
