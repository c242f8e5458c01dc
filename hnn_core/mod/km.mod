TITLE km: slow, non-inactivating potassium (M) current

COMMENT
First-order activation n with voltage-dependent forward and backward rates
a = Ra (v - tha) / (1 - exp(-(v - tha)/qa)) and b = -Rb (v - tha) / (1 - exp((v - tha)/qa)),
scaled by the temperature factor tadj = q10^((celsius - temp - tshift)/10).
Conductance density in pS/um2. Steady state and time constant are tabulated over
-120..100 mV (199 intervals), as in the fitted model.
ENDCOMMENT

NEURON {
    THREADSAFE
    SUFFIX km
    USEION k READ ek WRITE ik
    RANGE gbar, gk, ninf, ntau, tadj
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (pS) = (picosiemens)
    (um) = (micron)
}

PARAMETER {
    gbar = 10 (pS/um2)
    tha = -30 (mV)
    qa = 9 (mV)
    Ra = 0.001 (/ms)
    Rb = 0.001 (/ms)
    temp = 23 (degC)
    q10 = 2.3
    tshift = 30.7 (degC)
}

STATE { n }

ASSIGNED {
    v (mV)
    celsius (degC)
    ek (mV)
    ik (mA/cm2)
    gk (pS/um2)
    ninf
    ntau (ms)
    tadj
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    gk = tadj*gbar*n
    : pS/um2 * mV = 1e-4 mA/cm2
    ik = (1e-4)*gk*(v - ek)
}

INITIAL {
    tadj = q10^((celsius - temp - tshift)/10)
    rates(v)
    n = ninf
}

DERIVATIVE states {
    rates(v)
    n' = (ninf - n)/ntau
}

PROCEDURE rates(v (mV)) {
    LOCAL a, b, q
    TABLE ninf, ntau DEPEND celsius FROM -120 TO 100 WITH 199

    q = q10^((celsius - temp - tshift)/10)
    a = Ra*(v - tha)/(1 - exp(-(v - tha)/qa))
    b = -Rb*(v - tha)/(1 - exp((v - tha)/qa))
    ntau = 1/(q*(a + b))
    ninf = a/(a + b)
}
