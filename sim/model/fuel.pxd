# Declarations for the optional compiled build only (see metrics.pxd).
cimport cython

from .cqueue cimport Queue as CQueue
from .flying cimport Squadron
from .metrics cimport Counter, Level


@cython.final
cdef class FuelDepot:
    cdef public object env, kind, cfg
    cdef public CQueue events
    cdef public object reserve, share, cover
    cdef public bint daily_rationing
    cdef public list supplies
    cdef public object held
    cdef public Level stock
    cdef public Counter used, delivered, lost
    cdef public list squadrons

    @cython.locals(sq=Squadron)
    cpdef double available_for(self, Squadron squadron)
    cpdef draw(self, double tonnes)
    cpdef receive(self, double tonnes)
