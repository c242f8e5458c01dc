TITLE DriveSource: an artificial cell that fires at precomputed times

COMMENT
The external drives of the model are lists of spike times computed in Python before
the run. Each drive cell is one DriveSource holding up to MAXSPIKES times in `times`
(the first `n` entries are used, in any order). At initialisation it schedules one
self-event per time, so every spike is emitted at exactly the listed time, with no
"t + (next - t)" re-chaining that would move later spikes by an ulp.

A drive cell with more spikes than MAXSPIKES is split over several DriveSources: the
extra ones feed the first through zero-delay NetCons, and the first relays every
event it receives, so all spikes leave under the first one's gid.

Plain NMODL (no VERBATIM, POINTER or Vector) so that it also runs under CoreNEURON.
ENDCOMMENT

DEFINE MAXSPIKES 128

NEURON {
    THREADSAFE
    ARTIFICIAL_CELL DriveSource
    RANGE n, times
}

PARAMETER {
    n = 0
}

ASSIGNED {
    times[MAXSPIKES] (ms)
}

INITIAL {
    LOCAL k
    k = 0
    while (k < n && k < MAXSPIKES) {
        net_send(times[k], 1)
        k = k + 1
    }
}

NET_RECEIVE (w) {
    : flag 1: one of our own times; flag 0: relayed from an overflow DriveSource
    net_event(t)
}
