"""fleetsim: tail-by-tail simulation of an air force's fleet readiness under sanctions."""

__version__ = "0.3.3"
