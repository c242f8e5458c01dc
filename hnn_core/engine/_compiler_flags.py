"""The compiler flags of CoreNEURON's mechanism library on this CPU.

The channels' state loops read each segment's voltage through the segment's
node index, a gather. gcc vectorises those loops, and calls the vectorised
``exp``, only where its tuning for the CPU lets it use vector gather
instructions. ``-march=native`` tunes for the CPU, and gcc's tuning for AMD's
Zen 1 and 2 (and its generic tuning) uses no gathers of 2 or 4 elements and, on
Zen 1, prefers 128-bit vectors: there every state loop stays scalar and a third
of a trial is spent in the scalar ``exp`` and ``log`` of the C library.

So the build first compiles a small loop of that kind with the standard flags.
If the compiler emits vector gathers for it, those flags are used as they are
(e.g. on CPUs with AVX-512 and on Intel's AVX2 CPUs). If not, on x86-64 it
tries again with gathers allowed and 256-bit vectors preferred, and uses those
flags when the loop then compiles with gathers (if the mechanisms then fail to
compile, the build falls back to the standard flags, with a warning). On an AMD
EPYC tuned as Zen 1 (AVX2), one trial of the benchmark network went from 23.0 to
19.6 s (medians of six alternating runs). Whatever the flags, the arithmetic is
the same up to the last bits of the vectorised ``exp``, which the reference
tests already allow.
"""

import os
import platform
import shlex
import subprocess
import sysconfig
import tempfile

STANDARD_FLAGS = '-O3 -march=native -ffast-math'
GATHER_FLAGS = '-mprefer-vector-width=256 -mtune-ctrl=use_gather_2parts,use_gather_4parts'

# the shape of a channel's state loop: an indexed voltage and an exponential
_PROBE = r'''
#include <cmath>
void probe(int n, const int* node_index, const double* voltage,
           const double* tau, double* state, double dt) {
#pragma omp simd
    for (int id = 0; id < n; ++id) {
        double v = voltage[node_index[id]];
        state[id] += (1.0 - std::exp(-dt / tau[id])) * (v - state[id]);
    }
}
'''


def compiler():
    """The C++ compiler nrnivmodl will use, as a command (list of str)."""
    cxx = os.environ.get('CXX') or sysconfig.get_config_var('CXX') or 'c++'
    return shlex.split(cxx)


def _uses_gathers(cxx, flags, workdir):
    """Whether ``cxx`` with ``flags`` compiles the probe loop with vector gathers."""
    source = os.path.join(workdir, 'probe.cpp')
    with open(source, 'w') as fid:
        fid.write(_PROBE)
    cmd = cxx + ['-std=c++17', '-fopenmp', '-fPIC'] + shlex.split(flags) + \
        ['-S', '-o', '-', source]
    try:
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=60,
                             stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return run.returncode == 0 and 'vgather' in run.stdout


def coreneuron_flags(cxx=None):
    """The flags to compile CoreNEURON's mechanisms with on this machine.

    Parameters
    ----------
    cxx : list of str | None
        The compiler command; None for the one nrnivmodl uses.

    Returns
    -------
    flags : str
        ``STANDARD_FLAGS``, followed by ``GATHER_FLAGS`` where the compiler
        would otherwise use no vector gathers and accepts them.
    """
    cxx = compiler() if cxx is None else cxx
    with tempfile.TemporaryDirectory(prefix='hnn_core-flags-') as workdir:
        if _uses_gathers(cxx, STANDARD_FLAGS, workdir):
            return STANDARD_FLAGS
        if platform.machine().lower() not in ('x86_64', 'amd64'):
            return STANDARD_FLAGS
        both = f'{STANDARD_FLAGS} {GATHER_FLAGS}'
        if _uses_gathers(cxx, both, workdir):
            return both
    return STANDARD_FLAGS
