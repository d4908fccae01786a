# Declarations for the optional compiled build only (see metrics.pxd).
cimport cython

from .cqueue cimport Queue as CQueue


@cython.locals(queue=CQueue)
cpdef Call(env, delay, callback, value=*, priority=*)
