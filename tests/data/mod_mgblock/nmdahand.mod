TITLE NMDA synapse with a magnesium block, written by hand for a test

COMMENT
Two-state kinetics (rise tau1, decay tau2, normalised to a peak of one weight)
with the voltage dependence of the Mg2+ block of Jahr and Stevens (1990):
B(v) = 1/(1 + exp(-0.062 v) [Mg]o / 3.57), [Mg]o in mM. Written to check the
synapse that hnn_core generates from the description
Synapse('nmdamg', voltage_factor='1/(1 + exp(0.062*-v)*mg/3.57)', ...).
ENDCOMMENT

NEURON {
    THREADSAFE
    POINT_PROCESS NMDAhand
    RANGE tau1, tau2, e, i, g, mg
    NONSPECIFIC_CURRENT i
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
    (mM) = (milli/liter)
}

PARAMETER {
    tau1 = 1 (ms) <1e-9,1e9>
    tau2 = 20 (ms) <1e-9,1e9>
    e = 0 (mV)
    mg = 1 (mM)
}

ASSIGNED {
    v (mV)
    i (nA)
    g (uS)
    factor
}

STATE {
    A (uS)
    B (uS)
}

INITIAL {
    LOCAL tpeak
    if (tau1/tau2 > 0.9999) {
        tau1 = 0.9999*tau2
    }
    if (tau1/tau2 < 1e-9) {
        tau1 = tau2*1e-9
    }
    A = 0
    B = 0
    tpeak = (tau1*tau2)/(tau2 - tau1) * log(tau2/tau1)
    factor = 1/(-exp(-tpeak/tau1) + exp(-tpeak/tau2))
}

BREAKPOINT {
    SOLVE state METHOD cnexp
    g = B - A
    i = g*block(v)*(v - e)
}

DERIVATIVE state {
    A' = -A/tau1
    B' = -B/tau2
}

FUNCTION block(v (mV)) {
    block = 1/(1 + exp(-0.062*v)*mg/3.57)
}

NET_RECEIVE(weight (uS)) {
    A = A + weight*factor
    B = B + weight*factor
}
