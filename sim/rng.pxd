# Declarations for the optional compiled build only (python -m sim.build_compiled): Cython
# reads this file beside rng.py; Python ignores it.
cimport cython


@cython.final
cdef class Block:
    cdef public object _fill
    cdef public list _buf
    cdef public Py_ssize_t _i

    @cython.locals(i=Py_ssize_t)
    cpdef next(self)
