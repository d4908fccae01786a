# Declarations for the optional compiled build only (see metrics.pxd).
cimport cython

from .cqueue cimport Queue as CQueue

from .fleet cimport Fleet, Tail
from .maintenance cimport Maintenance
from .metrics cimport Counter, Level
from .parts cimport Shop


@cython.final
cdef class Scheduled:
    cdef public object env
    cdef public CQueue events
    cdef public Fleet fleet
    cdef public object cfg
    cdef public Maintenance maintenance
    cdef public object retire, inspection, overhaul
    cdef public Shop docks, depot
    cdef public object inspection_days, overhaul_days, restores, restore
    cdef public double hold_until
    cdef public Counter inspections, overhauls
    cdef public object phase

    cpdef check(self, Tail tail)
    cpdef _arm(self, Tail tail)
    @cython.locals(tail=Tail)
    cpdef _reminder(self, tuple item)
    cpdef _ground(self, Tail tail, overhaul, days)
