# Declarations for the optional compiled build only (see metrics.pxd).
cimport cython

from .cqueue cimport Queue as CQueue

from .fleet cimport Tail
from .maintenance cimport Maintenance


@cython.final
cdef class FlightFailures:
    cdef public Maintenance maintenance
    cdef public object exp_draw, pick_draw
    cdef public list inverse_mtbf

    @cython.locals(removed=list)
    cpdef on_overshoot(self, Tail tail, overshoot)
    @cython.locals(units=list)
    cpdef _pop_unit(self, Tail tail)


@cython.final
cdef class CalendarFailures:
    cdef public object env
    cdef public CQueue events
    cdef public Maintenance maintenance
    cdef public object k
    cdef public list tails
    cdef public object z, first, max_tails, aging, top_aging, gaps, pick, token, scale

    @cython.locals(tail=Tail, units=list)
    cpdef _candidate(self, token)
