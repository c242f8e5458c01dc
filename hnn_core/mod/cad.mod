TITLE cad: submembrane calcium pool with first-order decay

COMMENT
Inward calcium current fills a shell of depth `depth` under the membrane; the
concentration relaxes to cainf with time constant taur. Outward current does not
empty the shell (the influx term is clipped at zero).

The pool also sets the calcium reversal potential from its concentration: the model
was fitted with NEURON's legacy unit constants (gas constant 8.3134 J/(K mol) in the
Nernst factor, Faraday 96485.309 C/mol there and 96485.3 C/mol in the influx term).
NEURON 9 only knows the modern constants, so they are written here as numbers, and
because this mechanism writes eca, NEURON's ion code leaves eca alone. They appear as
literals inside the expressions: nocmodl prints PARAMETER defaults with only six
significant digits, which would turn 96485.309 into 96485.3.
ENDCOMMENT

NEURON {
    THREADSAFE
    SUFFIX cad
    USEION ca READ ica, cao WRITE cai, eca
    RANGE depth, taur, cainf, drive_channel
}

UNITS {
    (mM) = (milli/liter)
    (um) = (micron)
    (mA) = (milliamp)
    (mV) = (millivolt)
}

PARAMETER {
    depth = 0.1 (um)
    taur = 200 (ms)
    cainf = 100e-6 (mM)
}

STATE { ca (mM) }

ASSIGNED {
    celsius (degC)
    ica (mA/cm2)
    cao (mM)
    cai (mM)
    eca (mV)
    drive_channel (mM/ms)
}

BREAKPOINT {
    SOLVE state METHOD cnexp
}

INITIAL {
    ca = cainf
    cai = ca
    eca = nernst_ca(cai, cao)
}

DERIVATIVE state {
    : mA/cm2 / (C/mol * um) -> 1e4 mM/ms
    drive_channel = -(10000)*ica/(2*96485.3*depth)
    if (drive_channel <= 0) {
        drive_channel = 0
    }
    ca' = drive_channel + (cainf - ca)/taur
    cai = ca
    eca = nernst_ca(cai, cao)
}

FUNCTION nernst_ca(ci (mM), co (mM)) (mV) {
    : RT/zF ln(co/ci) for z = 2, in mV
    nernst_ca = (1000*8.3134*(celsius + 273.15)/96485.309)/2*log(co/ci)
}
