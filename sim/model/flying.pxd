# Declarations for the optional compiled build only (see metrics.pxd).
cimport cython

from .aircrew cimport Aircrew, Pilot
from .cqueue cimport Queue as CQueue
from .failures cimport FlightFailures
from .fleet cimport Fleet, Tail
from .fuel cimport FuelDepot
from .maintenance cimport Maintenance
from .metrics cimport Counter, Level
from .planning cimport Calendar
from .scheduled cimport Scheduled


@cython.final
cdef class Squadron:
    cdef public object env
    cdef public CQueue events
    cdef public Fleet fleet
    cdef public object cfg
    cdef public Maintenance maintenance
    cdef public FlightFailures failures
    cdef public Scheduled scheduled
    cdef public Aircrew crew
    cdef public FuelDepot depot
    cdef public double sortie_hours, cycle
    cdef public object cycles_per_day
    cdef public double window, window_end, pending
    cdef public double daily, per_tail, per_pilot
    cdef public Calendar calendar
    cdef public bint budget
    cdef public double burn, min_share, plan_rate, demand_rate
    cdef public object aging
    cdef public double age0, hazard_scale, fuel_per_sortie, fuel_ration
    cdef public object accidents
    cdef public double accident_scale, accident_budget, accident_age
    cdef public object risk, type_risk
    cdef public double pilot_loss
    cdef public object accident_draw, loss_draw
    cdef public Counter sorties, flight_hours, fuel_used
    cdef public list lost
    cdef public long blocked
    cdef public Counter losses
    cdef public object pool
    cdef public long day
    cdef public double due, due_at
    cdef public Counter planned, demanded
    cdef public bint max_effort
    cdef public object cann_cfg
    cdef public list surge_rows
    cdef public object dawn
    cdef public dict programme_hours
    cdef public object programme
    cdef public long airborne
    cdef public object cap, max_operating, reserve
    cdef public Level reserve_level
    cdef public tuple flies

    cpdef double sorties_due(self, double now)
    cpdef double _programme_today(self, now)
    cpdef _day(self, _value=*)
    cpdef _age(self, now)

    @cython.locals(crew=Aircrew, day=long, tail=Tail, launched=Py_ssize_t, due=long,
                   cycle=double, fuel=double, lands=double)
    cpdef dispatch(self)

    @cython.locals(hours=double, now=double, budget=double, pilot=Pilot, hazard=double,
                   i=Py_ssize_t, h=double, x=double, y=double, k=double, xs=tuple, ys=tuple,
                   slopes=tuple, state=int)
    cpdef _land(self, Tail tail)

    cpdef _stand(self, Tail tail, double now)
    cpdef bint _promote(self, double now)
