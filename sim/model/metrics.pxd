# Declarations for the optional compiled build only (python -m sim.build_compiled): Cython
# reads this file beside metrics.py; Python ignores it. The attributes are those of the
# classes' __slots__, with C doubles where the values are always floats (IEEE doubles, as
# Python floats are: the arithmetic is the interpreter's).
cimport cython


@cython.final
cdef class Level:
    cdef public double value, area, last
    cpdef add(self, double now, double delta)
    cpdef set(self, double now, double value)
    cpdef double integral(self, double now)


@cython.final
cdef class Counter:
    cdef public double n


@cython.final
cdef class Ledger:
    cdef public list level_keys, levels, counter_keys, counters, times
    cdef public list _level_rows, _counter_rows

    @cython.locals(lv=Level, c=Counter)
    cpdef snapshot(self, now)
