TITLE cat: low-threshold (T-type) calcium current

COMMENT
m^2 h gating without temperature scaling. The current is non-specific with a fixed
reversal of 125 mV, so it does not feed the calcium pool. Steady states and time
constants are tabulated over -120..40 mV (641 intervals). The activation starts
from m = 0 rather than its steady state, as in the fitted model.
ENDCOMMENT

NEURON {
    THREADSAFE
    SUFFIX cat
    NONSPECIFIC_CURRENT i
    RANGE gbar, minf, hinf, mtau, htau
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0 (S/cm2)
    erev = 125 (mV)
}

STATE { m h }

ASSIGNED {
    v (mV)
    i (mA/cm2)
    minf
    hinf
    mtau (ms)
    htau (ms)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    i = gbar*m*m*h*(v - erev)
}

INITIAL {
    rates(v)
    m = 0
    h = hinf
}

DERIVATIVE states {
    rates(v)
    m' = (minf - m)/mtau
    h' = (hinf - h)/htau
}

PROCEDURE rates(v (mV)) {
    TABLE minf, hinf, mtau, htau FROM -120 TO 40 WITH 641

    minf = 1/(1 + exp((-v - 56)/6.2))
    mtau = 0.204 + 0.333/(exp((v + 15.8)/18.2) + exp((-v - 131)/16.7))
    hinf = 1/(1 + exp((v + 80)/4))
    if (v < -81) {
        htau = 0.333*exp((v + 466)/66.6)
    } else {
        htau = 9.32 + 0.333*exp((-v - 21)/10.5)
    }
}
