# Declarations for the optional compiled build only (see metrics.pxd).
cimport cython

from .cqueue cimport Queue as CQueue

from .metrics cimport Counter, Level


@cython.final
cdef class LruStock:
    cdef public object kind, cfg, z, mtbf, rr_days, condemned_fraction
    cdef public list shelf
    cdef public Level stock, backorders, in_repair, on_order, ready
    cdef public object reorder
    cdef public Counter removals, shelf_fills, condemned, resupplied, repaired
    cdef public Counter repair_turnaround
    cdef public object repair_time, condemn_draw

    cpdef take(self, now)
    cpdef put(self, now, reliability)


@cython.final
cdef class Shop:
    cdef public object env, servers, capacity
    cdef public CQueue events
    cdef public Level busy, waiting
    cdef public object queue, on_start

    cpdef submit(self, duration, done, item=*)
    cpdef _start(self, duration, done, item)
    cpdef _finish(self, tuple job)
