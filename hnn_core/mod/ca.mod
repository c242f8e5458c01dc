TITLE ca: high-voltage-activated calcium current

COMMENT
m^2 h gating with the temperature factor tadj = q10^((celsius - temp - tshift)/10);
conductance density in pS/um2. The current is carried by the ca ion and driven by
eca, which the calcium pool (cad) keeps at the Nernst potential of its concentration.
Steady states and time constants are tabulated over -120..100 mV (199 intervals).
ENDCOMMENT

NEURON {
    THREADSAFE
    SUFFIX ca
    USEION ca READ eca WRITE ica
    RANGE gbar, gca, minf, hinf, mtau, htau, tadj
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (pS) = (picosiemens)
    (um) = (micron)
}

PARAMETER {
    gbar = 0.1 (pS/um2)
    vshift = 0 (mV)
    temp = 23 (degC)
    q10 = 2.3
    tshift = 30.7 (degC)
}

STATE { m h }

ASSIGNED {
    v (mV)
    celsius (degC)
    eca (mV)
    ica (mA/cm2)
    gca (pS/um2)
    minf
    hinf
    mtau (ms)
    htau (ms)
    tadj
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    gca = tadj*gbar*m*m*h
    ica = (1e-4)*gca*(v - eca)
}

INITIAL {
    tadj = q10^((celsius - temp - tshift)/10)
    rates(v + vshift)
    m = minf
    h = hinf
}

DERIVATIVE states {
    rates(v + vshift)
    m' = (minf - m)/mtau
    h' = (hinf - h)/htau
}

PROCEDURE rates(vm (mV)) {
    LOCAL a, b, q
    TABLE minf, mtau, hinf, htau DEPEND celsius FROM -120 TO 100 WITH 199

    q = q10^((celsius - temp - tshift)/10)

    a = 0.055*(-27 - vm)/(exp((-27 - vm)/3.8) - 1)
    b = 0.94*exp((-75 - vm)/17)
    mtau = 1/(q*(a + b))
    minf = a/(a + b)

    a = 0.000457*exp((-13 - vm)/50)
    b = 0.0065/(exp((-vm - 15)/28) + 1)
    htau = 1/(q*(a + b))
    hinf = a/(a + b)
}
