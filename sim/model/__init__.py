"""The simulation model: SimPy and numpy only, no I/O, no pandas, no clock."""
