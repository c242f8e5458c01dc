"""A network configuration written by THIS package, for hnn-core 0.6.1 to read.

``build()`` makes ``law_2021_model`` on a 3x3 grid with edited connectivity (a weight,
a removed rule, a new rule on a named section, global gains), ``modify_section``
changes, the ERP drives, a Poisson drive and a tonic bias. Every probability is 1:
hnn-core 0.6.1's reader prunes connections with a probability below 1 again, with an
unseeded generator, so such a file would not read back the same there.

Write the file with this package (from the repository root):

    .venv/bin/python tests/data/make_hnn_core_config.py tests/data/hnn_core_network_config.json

then run it in the oracle:

    $(bash ../shared/oracle/setup.sh) tests/data/run_configuration.py \\
        tests/data/hnn_core_network_config.json tests/data/hnn_core_network_config.npz

``tests/test_network_files.py`` checks that the file is still what ``build()`` writes
and that this package simulates ``build()`` as the oracle simulated the file.
"""
import os.path as op
import sys

import hnn_core


def build():
    # imported here: the interpreter is checked before (another hnn_core lacks them)
    from hnn_core import law_2021_model
    from hnn_core.network_models import add_erp_drives_to_jones_model

    net = law_2021_model(mesh_shape=(3, 3))
    # connectivity edits: a weight, a removed rule, a rule on a named section
    net.connectivity[0]['nc_dict']['A_weight'] = 0.0007  # L2 -> L2 pyramidal NMDA
    del net.connectivity[12]  # L2 basket -> L2 basket
    net.add_connection('L2_pyramidal', 'L5_pyramidal', 'apical_1', 'nmda', 0.0002,
                       net.delay, 3.)
    net.set_global_synaptic_gains(e_i=1.2, i_i=0.8)
    # cells: lengths that keep the number of segments (see model_cases.py)
    l5 = net.cell_types['L5_pyramidal']['cell_object']
    l5.modify_section('apical_2', L=690., diam=5.2)  # nseg stays 13
    l5.modify_section('soma', Ra=180.)
    l2 = net.cell_types['L2_pyramidal']['cell_object']
    l2.sections['apical_tuft'].mechs['hh2']['gkbar_hh2'] = 0.012
    # drives and a bias
    add_erp_drives_to_jones_model(net)
    net.add_poisson_drive('poisson', rate_constant={'L2_pyramidal': 10.,
                                                    'L5_pyramidal': 15.},
                          location='proximal', tstart=20., tstop=140.,
                          weights_ampa={'L2_pyramidal': 0.0005, 'L5_pyramidal': 0.001},
                          event_seed=21)
    net.add_tonic_bias(amplitude={'L5_basket': 0.1}, t0=10., tstop=150.)
    return net


def _check_this_checkout():
    # the file stands for what THIS package writes (hnn-core 0.6.1 then reads it)
    root = op.dirname(op.dirname(op.dirname(op.abspath(__file__))))
    package = op.dirname(op.abspath(hnn_core.__file__))
    if op.dirname(package) != root:
        sys.exit(f"{sys.argv[0]} writes the configuration of this checkout's hnn_core "
                 f"({root}): run it with the Python it is installed in "
                 f"(.venv/bin/python), not with hnn-core {hnn_core.__version__} "
                 f"from {package}")


if __name__ == '__main__':
    _check_this_checkout()
    build().write_configuration(sys.argv[1])
    print('wrote', sys.argv[1])
