# Declarations for the optional compiled build only (see metrics.pxd).
cimport cython


@cython.final
cdef class Calendar:
    cdef public list weight, max_effort, _cum
