TITLE ar: anomalous rectifier (h-like) current

COMMENT
A single first-order activation m, opened by hyperpolarisation, with a fixed
reversal potential of -35 mV; non-specific current, no temperature scaling.
Tabulated over -120..40 mV (641 intervals). m starts at 0.25, as in the fitted model.
ENDCOMMENT

NEURON {
    THREADSAFE
    SUFFIX ar
    NONSPECIFIC_CURRENT i
    RANGE gbar, minf, mtau
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gbar = 1e-6 (S/cm2)
    erev = -35 (mV)
}

STATE { m }

ASSIGNED {
    v (mV)
    i (mA/cm2)
    minf
    mtau (ms)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    i = gbar*m*(v - erev)
}

INITIAL {
    m = 0.25
}

DERIVATIVE states {
    rates(v)
    m' = (minf - m)/mtau
}

PROCEDURE rates(v (mV)) {
    TABLE minf, mtau FROM -120 TO 40 WITH 641

    minf = 1/(1 + exp((v + 75)/5.5))
    mtau = 1/(exp(-14.6 - 0.086*v) + exp(-1.87 + 0.07*v))
}
