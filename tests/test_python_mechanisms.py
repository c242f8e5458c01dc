"""Mechanisms described in Python, simulated: the same numbers as the package's
own files, under both engines and MPI, cached, carried by network files."""
import json
import os
import os.path as op
import subprocess
import sys

import numpy as np
import pytest

from hnn_core import MPIBackend, read_network_configuration, simulate_dipole
from hnn_core.backends import _find_mpiexec
from hnn_core.engine import available_engines
from hnn_core.engine import generated
from hnn_core.hnn_io import OBJECT_TYPE_DESCRIBED

from conftest import DATA
from described_mechanisms import (HH2PY, NETWORK_DESCRIBED, NMDAMG, described_network,
                                  erp_network)

TSTOP = 170.


def _run(net, engine, **kwargs):
    dpl = simulate_dipole(net, tstop=TSTOP, n_trials=1, engine=engine, verbose=False,
                          **kwargs)[0]
    response = net.cell_response
    return dpl.data['agg'], (response.spike_times[0], response.spike_gids[0])


def _relative_rms(a, b):
    return np.sqrt(np.mean((a - b) ** 2)) / np.sqrt(np.mean(b ** 2))


@pytest.fixture(scope='module')
def builtin_runs(described_library):
    """The built-in network's runs (and the suite's library built, once)."""
    return {engine: _run(erp_network(), engine) for engine in available_engines()}


@pytest.mark.slow
@pytest.mark.both_neurons
@pytest.mark.parametrize('engine', available_engines())
def test_hh2_km_kca_in_python_give_the_builtin_numbers(engine, builtin_runs):
    """hh2, km (tabulated rates) and kca (rate of the calcium concentration)
    restated in Python: identical dipole and spikes (the generated files sort
    next to the built-in ones, so even the order in which currents are summed
    is the same)."""
    dipole, spikes = _run(described_network(), engine)
    ref_dipole, ref_spikes = builtin_runs[engine]
    assert _relative_rms(dipole, ref_dipole) <= 1e-12
    np.testing.assert_array_equal(spikes[0], ref_spikes[0])
    np.testing.assert_array_equal(spikes[1], ref_spikes[1])
    assert len(spikes[0]) > 100


@pytest.mark.slow
@pytest.mark.both_neurons
@pytest.mark.parametrize('engine', available_engines())
def test_nmda_in_python_gives_the_builtin_numbers(engine, builtin_runs):
    """Every NMDA connection on the described synapse instead of Exp2Syn.

    One synapse alone gives Exp2Syn's numbers bit for bit (next test). In the
    network the spikes are the same, the dipole within 3e-12 (measured 2.3e-12
    NEURON, 2.9e-12 CoreNEURON): NEURON adds each mechanism type's currents into
    a node in turn, and the NMDA current now comes after the density
    mechanisms instead of among the other Exp2Syn receptors, so the sums round
    differently.
    """
    dipole, spikes = _run(described_network(nmda=True), engine)
    ref_dipole, ref_spikes = builtin_runs[engine]
    assert _relative_rms(dipole, ref_dipole) <= 1e-11
    np.testing.assert_array_equal(spikes[0], ref_spikes[0])
    np.testing.assert_array_equal(spikes[1], ref_spikes[1])


_SYNAPSES_SCRIPT = '''
import sys
import numpy as np
from neuron import h
sys.path.insert(0, {tests!r})
from described_mechanisms import DESCRIBED
from hnn_core.engine import generated, mechanisms
names = generated.load(DESCRIBED)
{load_hand}
h.load_file('stdrun.hoc')
traces = []
for kind in ({kinds}):
    soma = h.Section(name=kind)
    soma.L = soma.diam = 20.
    soma.insert('pas')
    soma.g_pas, soma.e_pas = 1e-4, -65.
    syn = getattr(h, kind)(soma(0.5))
    syn.tau1, syn.tau2, syn.e = 1., 20., 0.
    {set_mg}
    clamp = h.IClamp(soma(0.5))  # sweeps v through the block's range
    clamp.delay, clamp.dur, clamp.amp = 30., 60., 0.4
    stim = h.NetStim()
    stim.start, stim.number, stim.interval, stim.noise = 5., 12., 8., 0.
    con = h.NetCon(stim, syn)
    con.weight[0], con.delay = 0.004, 1.
    recorded = [h.Vector().record(ref) for ref in (syn._ref_i, syn._ref_g,
                                                   soma(0.5)._ref_v)]
    traces.append((soma, syn, clamp, stim, con, recorded))
h.finitialize(-65.)
h.continuerun(120.)
(i_a, g_a, v_a), (i_b, g_b, v_b) = ([np.array(r) for r in t[5]] for t in traces)
print(repr(float(np.max(np.abs(i_a - i_b)))), repr(float(np.max(np.abs(g_a - g_b)))),
      repr(float(np.max(np.abs(v_a - v_b)))), repr(float(np.max(np.abs(i_a)))),
      repr(float(v_a.min())), repr(float(v_a.max())))
'''


def _synapse_pair(kinds, load_hand='', set_mg=''):
    """(max |di|, max |dg|, max |dv|, peak |i|, min v, max v) of two synapse
    kinds on two identical compartments receiving the same events."""
    script = _SYNAPSES_SCRIPT.format(tests=op.dirname(op.abspath(__file__)),
                                     kinds=kinds, load_hand=load_hand, set_mg=set_mg)
    out = subprocess.run([sys.executable, '-c', script], capture_output=True,
                         text=True, check=True).stdout.split()
    return [float(x) for x in out[-6:]]


@pytest.mark.slow
def test_nmda_in_python_is_exp2syn_bit_for_bit(described_library):
    """The described NMDA synapse against NEURON's Exp2Syn, one synapse each
    (in a process of its own, which loads the suite's library first)."""
    di, dg, dv, peak, _, _ = _synapse_pair("'Exp2Syn', names['nmdapy']")
    assert peak > 1e-3  # nA
    assert di == dg == dv == 0.


@pytest.mark.slow
@pytest.mark.skipif(_find_mpiexec('mpiexec') is None,
                    reason='no MPI launcher (pip install mpich)')
def test_described_mechanisms_run_over_mpi(described_library):
    """Over two MPI ranks (each loads the library itself), as the built-in
    files over two ranks."""
    engine = available_engines()[0]
    with MPIBackend(n_procs=2):
        dipole, spikes = _run(described_network(), engine)
        ref_dipole, ref_spikes = _run(erp_network(), engine)
    assert _relative_rms(dipole, ref_dipole) <= 1e-12
    np.testing.assert_array_equal(spikes[0], ref_spikes[0])
    np.testing.assert_array_equal(spikes[1], ref_spikes[1])


@pytest.mark.slow
def test_magnesium_block_matches_a_hand_written_file(described_library):
    """The generated synapse with a voltage factor against the same equations
    written by hand (data/mod_mgblock; compiled alone and loaded beside the
    suite's library, NEURON only)."""
    load_hand = ('mechanisms._load_library(mechanisms.compile_mechanisms('
                 f'{op.join(DATA, "mod_mgblock")!r}, verbose=False))')
    di, dg, dv, peak, v_min, v_max = _synapse_pair(
        "names['nmdamg'], 'NMDAhand'", load_hand, 'syn.mg = 1.2')
    assert peak > 1e-3  # nA: the synapse carries current
    assert v_min < -60. and v_max > 0.  # the block was exercised over its range
    assert di <= 1e-12 * peak and dg == 0. and dv <= 1e-9


@pytest.mark.slow
def test_network_files_carry_descriptions(tmp_path, described_library):
    net = described_network(nmda=True)
    fname = tmp_path / 'described.json'
    net.write_configuration(fname)
    with open(fname) as fid:
        data = json.load(fid)
    # hnn-core 0.6.1 refuses any other object_type, and prints it
    assert data['object_type'] == OBJECT_TYPE_DESCRIBED
    assert '0.6.1 cannot simulate' in data['object_type']
    back = read_network_configuration(fname)
    for name, entry in net.cell_types.items():
        cell = back.cell_types[name]['cell_object']
        assert cell == entry['cell_object']
        assert cell.mechanism_descriptions == entry['cell_object'].mechanism_descriptions
    engine = available_engines()[0]
    np.testing.assert_array_equal(_run(back, engine)[0], _run(net, engine)[0])
    # a network without described mechanisms keeps 0.6.1's object_type
    plain = erp_network()
    plain.write_configuration(tmp_path / 'plain.json')
    with open(tmp_path / 'plain.json') as fid:
        assert json.load(fid)['object_type'] == 'Network'


def test_names_follow_the_description():
    """The NEURON name changes with the description's text, not otherwise."""
    from hnn_core.channels import description_from_dict
    assert generated.nrn_name(HH2PY) == generated.nrn_name(
        description_from_dict(HH2PY.to_dict()))
    changed = dict(NMDAMG.to_dict(), voltage_factor='1/(1 + exp(0.062*-v)*mg/3.6)')
    assert generated.nrn_name(description_from_dict(changed)) != \
        generated.nrn_name(NMDAMG)
    assert generated.nrn_name(NMDAMG).startswith('nmdamg_')


_COMPILE_SCRIPT = '''
import sys
sys.path.insert(0, {tests!r})
from described_mechanisms import DESCRIBED
from hnn_core.engine import generated
from hnn_core.engine.mechanisms import compile_mechanisms
files = generated.nmodl_files(DESCRIBED[{which}:{which} + 1])
print(compile_mechanisms(generated._source_dir(files, with_builtins=False),
                         verbose=False))
'''


@pytest.mark.slow
def test_two_processes_compile_one_description_safely(tmp_path):
    """Two processes compile the same new description into an empty cache at
    once: both get the same, complete library; a later call reuses it; a
    changed description gets a build of its own."""
    env = dict(os.environ, HNN_CORE_CACHE_DIR=str(tmp_path))
    script = _COMPILE_SCRIPT.format(tests=op.dirname(op.abspath(__file__)), which=3)
    procs = [subprocess.Popen([sys.executable, '-c', script], env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in range(2)]
    outs = [p.communicate() for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    libs = {out.strip().splitlines()[-1] for out, _ in outs}
    assert len(libs) == 1
    lib = libs.pop()
    assert op.isfile(lib)
    builds = [d for d in os.listdir(tmp_path)
              if d.startswith('nrn') and op.isdir(tmp_path / d)]
    assert len(builds) == 1, builds
    stamp = os.stat(lib).st_mtime_ns
    again = subprocess.run([sys.executable, '-c', script], env=env, text=True,
                           capture_output=True, check=True)
    assert again.stdout.strip().splitlines()[-1] == lib
    assert os.stat(lib).st_mtime_ns == stamp  # reused, not rebuilt
    # an edited description has other sources, hence another build key
    from hnn_core.channels import description_from_dict
    from hnn_core.engine.mechanisms import _build_key
    edited = description_from_dict(dict(NMDAMG.to_dict(), parameters={'mg': [2., 'mM']}))
    keys = {_build_key(generated._source_dir(generated.nmodl_files([d]), False), 'v')
            for d in (NMDAMG, edited)}
    assert len(keys) == 2


@pytest.mark.slow
def test_the_suite_compiles_one_library(described_library):
    """Every described network of the tests uses the same four descriptions,
    hence one library (built-ins and these) for the whole suite."""
    from hnn_core.simulation_plan import make_plan
    for nmda in (False, True):
        plan, _ = make_plan(described_network(nmda), tstop=10., dt=0.025, n_trials=1)
        assert sorted(generated.nmodl_files(plan.descriptions)) == \
            sorted(generated.nmodl_files(NETWORK_DESCRIBED))
        # what a process loads for them is built already (the suite's library,
        # which holds them, unless their own was built by an earlier run)
        chosen = generated._library_sources(generated.nmodl_files(plan.descriptions))
        assert generated._is_built(chosen)


def test_connections_target_a_described_receptor_by_name():
    from hnn_core.simulation_plan import make_plan
    net = described_network()
    net.add_connection('L2_pyramidal', 'L2_basket', loc='soma', receptor='nmdamg',
                       weight=1e-4, delay=1., lamtha=3.)
    plan, _ = make_plan(net, tstop=10., dt=0.025, n_trials=1)
    block = [b for b in plan.blocks if b.receptor == 'nmdamg']
    assert block and all(len(b.tgt_gids) and b.target_type == "L2_basket" for b in block)
    # the L5 baskets do not carry it
    with pytest.raises(ValueError, match='nmdamg'):
        net.add_connection('L2_pyramidal', 'L5_basket', loc='soma', receptor='nmdamg',
                           weight=1e-4, delay=1., lamtha=3.)
