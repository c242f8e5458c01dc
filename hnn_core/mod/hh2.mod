TITLE hh2: Hodgkin-Huxley sodium, delayed-rectifier potassium and leak

COMMENT
Fast Na+ (m^3 h), delayed-rectifier K+ (n^4) and a leak, with the rate functions of
the HNN (Jones et al. 2009) model. The steady states and time constants are taken
from linearly interpolated tables over -100..100 mV (1 mV grid); the tables are part
of the fitted model, not an optimisation, so they stay on (usetable_hh2 = 1).

Written for both NEURON and CoreNEURON: thread safe, no VERBATIM or POINTER, and the
table outputs are RANGE variables (CoreNEURON refuses GLOBALs written at run time).
ENDCOMMENT

NEURON {
    THREADSAFE
    SUFFIX hh2
    USEION na READ ena WRITE ina
    USEION k READ ek WRITE ik
    NONSPECIFIC_CURRENT il
    RANGE gnabar, gkbar, gl, el
    RANGE minf, hinf, ninf, mtau, htau, ntau
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gnabar = 0.12 (S/cm2)
    gkbar = 0.036 (S/cm2)
    gl = 0.0003 (S/cm2)
    el = -54.3 (mV)
    : the rates were fitted at temp + tshift = 37 degC, where the Q10 factor is 1
    temp = 6.3 (degC)
    tshift = 30.7 (degC)
}

STATE { m h n }

ASSIGNED {
    v (mV)
    celsius (degC)
    ena (mV)
    ek (mV)
    ina (mA/cm2)
    ik (mA/cm2)
    il (mA/cm2)
    minf
    hinf
    ninf
    mtau (ms)
    htau (ms)
    ntau (ms)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    ina = gnabar*m*m*m*h*(v - ena)
    ik = gkbar*n*n*n*n*(v - ek)
    il = gl*(v - el)
}

INITIAL {
    rates(v)
    m = minf
    h = hinf
    n = ninf
}

DERIVATIVE states {
    rates(v)
    m' = (minf - m)/mtau
    h' = (hinf - h)/htau
    n' = (ninf - n)/ntau
}

PROCEDURE rates(v (mV)) {
    LOCAL alpha, beta, sum, q10
    TABLE minf, hinf, ninf, mtau, htau, ntau DEPEND celsius FROM -100 TO 100 WITH 200

    q10 = 3^((celsius - temp - tshift)/10)

    alpha = 0.1*vtrap(-(v + 40), 10)
    beta = 4*exp(-(v + 65)/18)
    sum = alpha + beta
    mtau = 1/(q10*sum)
    minf = alpha/sum

    alpha = 0.07*exp(-(v + 65)/20)
    beta = 1/(exp(-(v + 35)/10) + 1)
    sum = alpha + beta
    htau = 1/(q10*sum)
    hinf = alpha/sum

    alpha = 0.01*vtrap(-(v + 55), 10)
    beta = 0.125*exp(-(v + 65)/80)
    sum = alpha + beta
    ntau = 1/(q10*sum)
    ninf = alpha/sum
}

FUNCTION vtrap(x, y) {
    : x/(exp(x/y) - 1) with its limit y*(1 - x/(2y)) near the removable singularity x = 0
    if (fabs(x/y) < 1e-6) {
        vtrap = y*(1 - x/y/2)
    } else {
        vtrap = x/(exp(x/y) - 1)
    }
}
