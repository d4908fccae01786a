# Declarations of the compiled build's event queue (cqueue.pyx; see its docstring).
from cpython.ref cimport PyObject


cdef struct Entry:
    double time  # the ordering key, (time, priority, eid)
    long priority
    long long eid
    PyObject* now  # the time object the entry was pushed with (a reference)
    PyObject* callback  # NULL for a SimPy event
    PyObject* value  # the callback's argument, or the SimPy event


cdef class Queue:
    cdef Entry* heap
    cdef Py_ssize_t size, capacity
    cdef long long eid
    cdef public object now

    cdef int _grow(self) except -1
    cpdef push(self, now, long priority, callback, value)
    cpdef call(self, delay, callback, value=*, long priority=*)
    cdef void _pop(self, Entry* out) noexcept
    cpdef run(self, stop, fire)


cdef struct Waiting:
    double key  # the ordering key, (key, turn)
    long long turn
    PyObject* pilot


cdef class PilotQueue:
    cdef Waiting* heap
    cdef Py_ssize_t size, capacity

    cdef int _grow(self) except -1
    cpdef push(self, double key, long long turn, pilot)
    cpdef pop(self)
    cpdef first(self)
