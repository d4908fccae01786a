# cython: language_level=3
"""The compiled build's queue of future events (python -m sim.build_compiled; Python never
imports this file: the pure package uses `sim.model.events.HeapQueue`).

The same queue as `HeapQueue`, kept as a binary heap of C structs, (time, priority, eid,
callback, value), instead of a list of tuples, so that ordering two entries is three C
comparisons rather than the interpreter's comparison of tuples. Every entry has its own
eid, so (time, priority, eid) orders the entries totally and any heap pops them in the one
order SimPy's does: the results are bit-identical (tests/test_compiled.py). The entry keeps
the time object it was given, so the clock holds exactly what the pure queue would set it
to.
"""

from cpython.ref cimport PyObject, Py_INCREF, Py_XDECREF
from libc.stdlib cimport free, realloc


cdef inline bint _before(Entry* a, Entry* b) noexcept nogil:
    """Whether `a` runs before `b`: earlier, then more urgent, then scheduled first."""
    if a.time != b.time:
        return a.time < b.time
    if a.priority != b.priority:
        return a.priority < b.priority
    return a.eid < b.eid


cdef class Queue:
    """The environment's future events: `push` and the loop `run`, as `HeapQueue`'s."""

    def __cinit__(self):
        self.heap = NULL
        self.size = 0
        self.capacity = 0
        self.eid = 0
        self.now = 0  # the clock: the time object of the entry running

    def __dealloc__(self):
        cdef Py_ssize_t i
        for i in range(self.size):
            Py_XDECREF(self.heap[i].now)
            Py_XDECREF(self.heap[i].callback)
            Py_XDECREF(self.heap[i].value)
        free(self.heap)

    def __len__(self):
        return self.size

    @property
    def scheduled(self):
        """Entries ever pushed (the eids drawn)."""
        return self.eid

    cdef int _grow(self) except -1:
        cdef Py_ssize_t capacity = self.capacity * 2 if self.capacity else 1024
        cdef Entry* heap = <Entry*> realloc(self.heap, capacity * sizeof(Entry))
        if heap == NULL:
            raise MemoryError("event queue")
        self.heap, self.capacity = heap, capacity
        return 0

    cpdef push(self, now, long priority, callback, value):
        """Schedule `callback(value)` at `now` (a SimPy event: `callback` None, the event
        as `value`)."""
        cdef double time = now  # the ordering key; `now` itself goes to the clock
        cdef Py_ssize_t i, parent
        cdef Entry entry
        if self.size == self.capacity:
            self._grow()
        entry.time, entry.priority, entry.eid = time, priority, self.eid
        self.eid += 1
        Py_INCREF(now)
        entry.now = <PyObject*> now
        if callback is None:
            entry.callback = NULL
        else:
            Py_INCREF(callback)
            entry.callback = <PyObject*> callback
        Py_INCREF(value)
        entry.value = <PyObject*> value
        i = self.size
        self.size += 1
        while i > 0:  # sift the new entry up from the bottom
            parent = (i - 1) >> 1
            if _before(&entry, &self.heap[parent]):
                self.heap[i] = self.heap[parent]
                i = parent
            else:
                break
        self.heap[i] = entry

    cpdef call(self, delay, callback, value=None, long priority=1):
        """Run `callback(value)` after `delay` (at `priority`, ACTIVITY by default)."""
        self.push(self.now + delay, priority, callback, value)

    cdef void _pop(self, Entry* out) noexcept:
        """Move the first entry (and its references) to `out`; the queue is not empty."""
        cdef Py_ssize_t i = 0, child, n
        cdef Entry last
        out[0] = self.heap[0]
        self.size -= 1
        n = self.size
        if n == 0:
            return
        last = self.heap[n]
        while True:  # sift the last entry down from the root
            child = 2 * i + 1
            if child >= n:
                break
            if child + 1 < n and _before(&self.heap[child + 1], &self.heap[child]):
                child += 1
            if _before(&self.heap[child], &last):
                self.heap[i] = self.heap[child]
                i = child
            else:
                break
        self.heap[i] = last

    def first_time(self):
        """The time of the next entry (the queue is not empty)."""
        if self.size == 0:
            raise IndexError("empty event queue")
        return <object> self.heap[0].now

    def pop(self):
        """The next entry as (time, callback, value); IndexError when empty."""
        cdef Entry entry
        if self.size == 0:
            raise IndexError("empty event queue")
        self._pop(&entry)
        now, value = <object> entry.now, <object> entry.value
        Py_XDECREF(entry.now)
        Py_XDECREF(entry.value)
        if entry.callback == NULL:
            return now, None, value
        callback = <object> entry.callback
        Py_XDECREF(entry.callback)
        return now, callback, value

    cpdef run(self, stop, fire):
        """Run every entry up to `stop` (a SimPy event: `fire(event)`), setting the clock
        to each entry's time."""
        cdef Entry entry
        while self.size:
            self._pop(&entry)
            now, value = <object> entry.now, <object> entry.value
            Py_XDECREF(entry.now)
            Py_XDECREF(entry.value)
            self.now = now
            if entry.callback != NULL:
                callback = <object> entry.callback
                Py_XDECREF(entry.callback)
                callback(value)
            elif value is stop:
                stop.callbacks = None
                return
            else:
                fire(value)


cdef inline bint _sooner(Waiting* a, Waiting* b) noexcept nogil:
    """Whether pilot entry `a` flies before `b`: the lower key, then the earlier turn."""
    if a.key != b.key:
        return a.key < b.key
    return a.turn < b.turn


cdef class PilotQueue:
    """Pilots waiting to fly by (key, turn), as `sim.model.aircrew.PilotHeapQueue`'s."""

    def __cinit__(self, entries=None):
        self.heap = NULL
        self.size = 0
        self.capacity = 0

    def __init__(self, entries=None):
        if entries is not None:
            for key, turn, pilot in entries:
                self.push(key, turn, pilot)

    def __dealloc__(self):
        cdef Py_ssize_t i
        for i in range(self.size):
            Py_XDECREF(self.heap[i].pilot)
        free(self.heap)

    def __len__(self):
        return self.size

    cdef int _grow(self) except -1:
        cdef Py_ssize_t capacity = self.capacity * 2 if self.capacity else 64
        cdef Waiting* heap = <Waiting*> realloc(self.heap, capacity * sizeof(Waiting))
        if heap == NULL:
            raise MemoryError("pilot queue")
        self.heap, self.capacity = heap, capacity
        return 0

    cpdef push(self, double key, long long turn, pilot):
        cdef Py_ssize_t i, parent
        cdef Waiting entry
        if self.size == self.capacity:
            self._grow()
        entry.key, entry.turn = key, turn
        Py_INCREF(pilot)
        entry.pilot = <PyObject*> pilot
        i = self.size
        self.size += 1
        while i > 0:
            parent = (i - 1) >> 1
            if _sooner(&entry, &self.heap[parent]):
                self.heap[i] = self.heap[parent]
                i = parent
            else:
                break
        self.heap[i] = entry

    cpdef pop(self):
        """The next pilot, out of the queue (IndexError when empty)."""
        cdef Py_ssize_t i = 0, child, n
        cdef Waiting last
        if self.size == 0:
            raise IndexError("empty pilot queue")
        pilot = <object> self.heap[0].pilot
        Py_XDECREF(self.heap[0].pilot)
        self.size -= 1
        n = self.size
        if n:
            last = self.heap[n]
            while True:
                child = 2 * i + 1
                if child >= n:
                    break
                if child + 1 < n and _sooner(&self.heap[child + 1], &self.heap[child]):
                    child += 1
                if _sooner(&self.heap[child], &last):
                    self.heap[i] = self.heap[child]
                    i = child
                else:
                    break
            self.heap[i] = last
        return pilot

    cpdef first(self):
        """The next pilot, left in the queue (IndexError when empty)."""
        if self.size == 0:
            raise IndexError("empty pilot queue")
        return <object> self.heap[0].pilot

    def entries(self):
        """Every (key, turn, pilot) in the queue, in no particular order."""
        cdef Py_ssize_t i
        return [(self.heap[i].key, self.heap[i].turn, <object> self.heap[i].pilot)
                for i in range(self.size)]
