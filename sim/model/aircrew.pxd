# Declarations for the optional compiled build only (see metrics.pxd).
cimport cython

from .cqueue cimport PilotQueue as CPilotQueue, Queue as CQueue
from .metrics cimport Counter, Level


@cython.locals(total=double, h=double)
cpdef double ring_sum(list hours)


@cython.final
cdef class Pilot:
    cdef public object serial
    cdef public list months
    cdef public long month
    cdef public double rolling, total, before
    cdef public bint cadre, elite, active, flying
    cdef public long day, today
    cdef public object exit_budget
    cdef public double exit_since
    cdef public object token

    @cython.locals(month=long, months=list)
    cpdef double expire(self, double now)


@cython.final
cdef class Aircrew:
    cdef public object env, cfg
    cdef public CQueue events
    cdef public double horizon
    cdef public object max_today, intake_per_year, attrition, intake_token, next_intake
    cdef public object intake_elite, elite_credit, thresholds
    cdef public list pilots, roster
    cdef public CPilotQueue queue
    cdef public object elite_weight, cadre_size, cadre_target
    cdef public CPilotQueue cadre_queue
    cdef public object cadre_count
    cdef public list rested
    cdef public long turn
    cdef public object leave_draw
    cdef public Level count, converting
    cdef public list over
    cdef public Level proficient, hours_12m
    cdef public list deciles
    cdef public Counter departed, lost, flown

    @cython.locals(pilot=Pilot, queue=CPilotQueue)
    cpdef take(self, long day)

    @cython.locals(pilot=Pilot, queue=CPilotQueue)
    cpdef _cadre_below_target(self, long day)

    @cython.locals(p=Pilot, month=long, hours=list, n=Py_ssize_t, level=Level)
    cpdef snapshot(self, now)

    cpdef back(self, Pilot pilot, double hours, double now)
    cpdef new_day(self)
    cpdef _enqueue(self, Pilot pilot)
