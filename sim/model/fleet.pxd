# Declarations for the optional compiled build only (see metrics.pxd).
cimport cython

from .metrics cimport Counter, Level


@cython.final
cdef class Tail:
    cdef public object serial
    cdef public int state
    cdef public list units, missing
    cdef public Py_ssize_t n_missing, n_grounding, work, mission_work
    cdef public bint depot
    cdef public double depot_leaves, budget, rate, aging, hazard, hours, age
    cdef public bint flying
    cdef public object pilot
    cdef public double down_since, next_check
    cdef public object inspection_due, overhaul_due
    cdef public double overhauled_at, restored
    cdef public object token
    cdef public bint life_spent


cpdef int state_of(Tail tail)


@cython.final
cdef class Fleet:
    cdef public object name
    cdef public list tails, count, levels
    cdef public tuple flies
    cdef public Counter delivered, downtime_days, returns_to_fmc
    cdef public object left_flyable, back_to_flyable

    cpdef restate(self, Tail tail, double now)

    @cython.locals(old=int, flies=tuple)
    cpdef _move(self, Tail tail, int new, double now)
