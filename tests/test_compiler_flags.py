"""The compiler flags of CoreNEURON's mechanisms: the channels' loops must vectorise."""
import json
import os.path as op
import platform
import re
import stat

import pytest

from hnn_core.engine import _compiler_flags as flags
from hnn_core.engine import mechanisms as mech
from hnn_core.engine._compiler_flags import (GATHER_FLAGS, STANDARD_FLAGS,
                                             coreneuron_flags)

X86 = platform.machine().lower() in ('x86_64', 'amd64')


def _fake_compiler(tmp_path, body):
    """A stand-in C++ compiler: a shell script that sees the flags as "$*"."""
    script = tmp_path / 'fake-c++'
    script.write_text('#!/bin/sh\n' + body + '\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return [str(script)]


@pytest.mark.skipif(not X86, reason='the gather flags are for x86-64')
def test_gather_flags_are_added_only_where_the_standard_ones_give_no_gathers(tmp_path):
    # gathers only once they are allowed (gcc tuning for AMD Zen 1 and 2)
    tuned = _fake_compiler(tmp_path, 'case "$*" in *use_gather_4parts*) '
                                     'echo "vgatherdpd %ymm1";; *) echo "call exp";; esac')
    assert coreneuron_flags(tuned) == f'{STANDARD_FLAGS} {GATHER_FLAGS}'
    # gathers with the standard flags already (AVX-512, Intel's AVX2): unchanged
    gathers = _fake_compiler(tmp_path, 'echo "vgatherdpd %zmm1"')
    assert coreneuron_flags(gathers) == STANDARD_FLAGS


def test_a_compiler_that_refuses_the_gather_flags_keeps_the_standard_ones(tmp_path):
    # e.g. clang, or a gcc older than 12: "unknown option"
    refuses = _fake_compiler(tmp_path, 'case "$*" in *tune-ctrl*) exit 1;; esac\n'
                                       'echo "call exp"')
    assert coreneuron_flags(refuses) == STANDARD_FLAGS
    assert coreneuron_flags([str(tmp_path / 'no-such-compiler')]) == STANDARD_FLAGS


def test_the_gather_flags_are_x86_only(tmp_path, monkeypatch):
    monkeypatch.setattr(flags.platform, 'machine', lambda: 'aarch64')
    tuned = _fake_compiler(tmp_path, 'case "$*" in *use_gather*) echo vgather;; esac')
    assert coreneuron_flags(tuned) == STANDARD_FLAGS


def test_the_compiler_is_the_one_nrnivmodl_uses(monkeypatch):
    monkeypatch.setenv('CXX', 'ccache g++-12')
    assert flags.compiler() == ['ccache', 'g++-12']


def test_the_flag_choice_is_part_of_the_cache_key(monkeypatch):
    key = mech._build_key(mech.MOD_DIR, '9.9-fake')
    real = mech._rewrite_source()
    monkeypatch.setattr(mech, '_rewrite_source',
                        lambda: real.replace(GATHER_FLAGS.encode(), b'-mother'))
    assert mech._build_key(mech.MOD_DIR, '9.9-fake') != key


def test_real_build_calls_the_vectorised_exp(tmp_path):
    """The channels' state loops in the real CoreNEURON library are vectorised.

    With AVX2 or AVX-512 an object whose loops are vectorised calls glibc's
    vectorised ``exp`` or ``log`` (``_ZGV..._exp``); with the loops left scalar
    (the standard flags on a CPU tuned as AMD Zen 1, or the calcium pool's loop
    with its ion write-backs inside) only the scalar ones.
    """
    import neuron
    both = f'{STANDARD_FLAGS} {GATHER_FLAGS}'
    if not any(flags._uses_gathers(flags.compiler(), f, str(tmp_path))
               for f in (STANDARD_FLAGS, both)):
        pytest.skip('the compiler emits no vector gathers on this CPU, whatever the flags')
    lib = mech.load_mechanisms()
    if mech.coreneuron_library(lib) is None:
        pytest.skip('this build has no CoreNEURON library')
    with open(op.join(op.dirname(op.dirname(lib)), mech.MANIFEST)) as fid:
        built = json.load(fid)['table_lookups']
    assert built['flags'] in (STANDARD_FLAGS, both)

    def calls(name, function):
        with open(op.join(op.dirname(lib), 'corenrn', 'build', name), 'rb') as fid:
            return re.search(rb'_ZGV\w+_' + function + rb'\b', fid.read()) is not None
    assert calls('hh2.o', b'exp'), "hh2's loops call no vectorised exp"
    if int(neuron.__version__.split('.')[0]) >= 9:  # the split knows NEURON 9's code
        assert built['split_loops'] == ['cad.cpp']
        assert calls('cad.o', b'log'), "the calcium pool's loop calls no vectorised log"
