TITLE kca: calcium-activated potassium current

COMMENT
First-order activation n with forward rate Ra * cai (the model's calcium exponent
is 1) and backward rate Rb, scaled by tadj = q10^((celsius - temp - tshift)/10).
No voltage dependence, so no table. Conductance density in pS/um2.
ENDCOMMENT

NEURON {
    THREADSAFE
    SUFFIX kca
    USEION k READ ek WRITE ik
    USEION ca READ cai
    RANGE gbar, gk, ninf, ntau, tadj
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (mM) = (milli/liter)
    (pS) = (picosiemens)
    (um) = (micron)
}

PARAMETER {
    gbar = 10 (pS/um2)
    Ra = 0.01 (/ms)
    Rb = 0.02 (/ms)
    temp = 23 (degC)
    q10 = 2.3
    tshift = 30.7 (degC)
}

STATE { n }

ASSIGNED {
    v (mV)
    celsius (degC)
    ek (mV)
    cai (mM)
    ik (mA/cm2)
    gk (pS/um2)
    ninf
    ntau (ms)
    tadj
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    gk = tadj*gbar*n
    ik = (1e-4)*gk*(v - ek)
}

INITIAL {
    tadj = q10^((celsius - temp - tshift)/10)
    rates(cai)
    n = ninf
}

DERIVATIVE states {
    rates(cai)
    n' = (ninf - n)/ntau
}

PROCEDURE rates(c (mM)) {
    LOCAL a, b
    a = Ra*c
    b = Rb
    ntau = 1/(tadj*(a + b))
    ninf = a/(a + b)
}
