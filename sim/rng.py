"""Named random streams for one replication.

Replication k of a batch with root seed S draws every random number from streams
`SeedSequence(S, spawn_key=(k, hash(name)))`, one numpy Generator per name such as
`failures/MiG-29` or `repair/MiG-29/radar`. A stream's key comes from a stable hash of its
name, never from the order in which streams are created, so adding a mechanism to the model
leaves the other streams untouched and replication k sees the same draws in every scenario
(common random numbers). Hot paths draw through `Block`, which fills a buffer at a time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np

BLOCK_SIZE = 512


def stream_key(name: str) -> int:
    """A stable 64-bit key for a stream name (independent of Python's hash seed)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little")


class Streams:
    """The generators of one replication, created on first use and keyed by name."""

    def __init__(self, root_seed: int, replication: int):
        if root_seed < 0 or replication < 0:
            raise ValueError("root seed and replication must be non-negative")
        self.root_seed, self.replication = int(root_seed), int(replication)
        self._generators: dict[str, np.random.Generator] = {}

    def generator(self, name: str) -> np.random.Generator:
        gen = self._generators.get(name)
        if gen is None:
            seq = np.random.SeedSequence(self.root_seed,
                                         spawn_key=(self.replication, stream_key(name)))
            gen = self._generators[name] = np.random.Generator(np.random.PCG64(seq))
        return gen

    def block(self, name: str, draw: Callable[[np.random.Generator, int], np.ndarray]) -> Block:
        """A buffered stream of scalars drawn as `draw(generator, size)`; its generator is
        made on the first draw, so that streams a run never uses cost nothing."""
        return Block(lambda size: draw(self.generator(name), size))


class Block:
    """Scalars drawn a block at a time; `next()` returns the next one as a Python float."""

    __slots__ = ("_fill", "_buf", "_i")

    def __init__(self, fill: Callable[[int], np.ndarray]):
        self._fill = fill
        self._buf: list[float] = []
        self._i = 0

    def next(self) -> float:
        i = self._i
        if i >= len(self._buf):
            self._buf = self._fill(BLOCK_SIZE).tolist()
            i = 0
        self._i = i + 1
        return self._buf[i]


def uniform(gen: np.random.Generator, size: int) -> np.ndarray:
    return gen.random(size)


def exponential(gen: np.random.Generator, size: int) -> np.ndarray:
    return gen.standard_exponential(size)
