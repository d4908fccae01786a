# Declarations for the optional compiled build only (see metrics.pxd).
cimport cython


@cython.locals(entry=tuple)
cpdef _loop(env, list queue, stop)
