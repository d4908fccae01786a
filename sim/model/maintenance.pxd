# Declarations for the optional compiled build only (see metrics.pxd).
cimport cython

from .cqueue cimport Queue as CQueue

from .fleet cimport Fleet, Tail
from .metrics cimport Counter, Level
from .parts cimport LruStock


@cython.final
cdef class Maintenance:
    cdef public object env
    cdef public CQueue events
    cdef public Fleet fleet
    cdef public list lrus, shops, tails, z
    cdef public object damage_draw
    cdef public Counter cannibalizations, fills, cann_fills
    cdef public object readying
    cdef public bint fifo
    cdef public list waiting, backorder_queue, issued, filled, donor_units, grounding
    cdef public object depot_claim_days, landing, strip
    cdef public list inverse_mtbf
    cdef public object policy
    cdef public bint auto
    cdef public object quota, monthly_quota, cann_days, damage_probability

    @cython.locals(lru=LruStock)
    cpdef on_failures(self, Tail tail, list removed)
    @cython.locals(lru=LruStock)
    cpdef refill(self, Tail tail)
    cpdef bint _claims(self, Tail tail)
    @cython.locals(tail=Tail)
    cpdef receive(self, k, reliability=*)
    @cython.locals(rate=double, units=list)
    cpdef rerate(self, Tail tail)
    @cython.locals(lru=LruStock)
    cpdef _to_repair(self, Py_ssize_t k, reliability, double now)
    @cython.locals(lru=LruStock)
    cpdef _repaired(self, tuple unit)
    cpdef _install(self, Tail tail, k, reliability, days)
    cpdef work(self, Tail tail, days, k=*)
    @cython.locals(tail=Tail)
    cpdef _job_done(self, tuple item)
    @cython.locals(tail=Tail)
    cpdef _claimant(self, Py_ssize_t k)
    @cython.locals(lru=LruStock, backorders=Level)
    cpdef _set_missing(self, Tail tail, Py_ssize_t k, long delta, double now)
    @cython.locals(k=Py_ssize_t)
    cpdef _count_donor(self, Tail tail, long sign)
    cpdef _complete(self, Tail tail, now)
    @cython.locals(tail=Tail)
    cpdef _donor(self, Py_ssize_t k, Tail recipient)
    cpdef _move(self, Tail donor, Tail recipient, Py_ssize_t k, double now)
