"""Model cases that run unchanged on hnn-core 0.6.1 (the oracle) and on this package.

``build_case(name)`` returns ``(net, sim_kwargs)``; run the case with
``simulate_dipole(net, **sim_kwargs)``. Only hnn-core 0.6.1's public API is used (names
imported from ``hnn_core`` / ``hnn_core.network_models`` and public attributes of
``Network``, ``Cell`` and ``Section``), so the same module builds the reference in the oracle
(``make_model_cases.py``) and the network under test here.

Every case exists for a 3x3 and a 10x10 grid of pyramidal cells: ``<kind>_mesh3x3`` runs
2 trials, ``<kind>_mesh10x10`` 1 trial; all run 170 ms with dt 0.025 ms. The kinds:

law2021       ``law_2021_model`` with the ERP drives of ``add_erp_drives_to_jones_model``.
calcium       ``calcium_model`` with the same drives.
connectivity  the default (Neymotin 2020) model with its local connectivity replaced by
              rules that use every option of ``add_connection``: section names as loc,
              probability/conn_seed, allow_autapses, threshold, gain, explicit gid lists;
              then global synaptic gains; drives: the ERP drives, an evoked drive on the
              named section 'apical_tuft' (probability 0.7) and a shared Poisson drive on the
              baskets' 'soma'.
cell_edits    the default model with edited cell templates (section geometry/biophysics,
              mechanism parameters incl. one distance-dependent list, a synapse time
              constant), with the ERP drives.
"""
from hnn_core import calcium_model, law_2021_model, neymotin_2020_model
from hnn_core.network_models import add_erp_drives_to_jones_model

MESHES = {'mesh3x3': (3, 3), 'mesh10x10': (10, 10)}
KINDS = ('law2021', 'calcium', 'connectivity', 'cell_edits')
CASES = [f'{kind}_{mesh}' for mesh in MESHES for kind in KINDS]

TSTOP = 170.0
DT = 0.025
N_TRIALS = {'mesh3x3': 2, 'mesh10x10': 1}

# Threshold (mV) of the last connection made from L5 basket cells in the 'connectivity'
# case (default: the network's threshold, 0 mV).
L5_BASKET_THRESHOLD = -20.0


def case_names(mesh=None):
    """Names of the cases on one grid ('mesh3x3', 'mesh10x10' or (n_x, n_y)); all if None."""
    if mesh is None:
        return list(CASES)
    if not isinstance(mesh, str):
        mesh = 'mesh%dx%d' % tuple(mesh)
    if mesh not in MESHES:
        raise ValueError(f'unknown mesh {mesh!r}; one of {list(MESHES)}')
    return [f'{kind}_{mesh}' for kind in KINDS]


def build_case(name):
    """Return ``(net, sim_kwargs)`` for the case ``name`` (an element of ``CASES``)."""
    if name not in CASES:
        raise ValueError(f'unknown case {name!r}; one of {CASES}')
    kind, mesh = name.rsplit('_', 1)
    mesh_shape = MESHES[mesh]
    net = _BUILDERS[kind](mesh_shape)
    return net, dict(tstop=TSTOP, dt=DT, n_trials=N_TRIALS[mesh])


def _law2021(mesh_shape):
    net = law_2021_model(mesh_shape=mesh_shape)
    add_erp_drives_to_jones_model(net)
    return net


def _calcium(mesh_shape):
    net = calcium_model(mesh_shape=mesh_shape)
    add_erp_drives_to_jones_model(net)
    return net


def _connectivity(mesh_shape):
    net = neymotin_2020_model(mesh_shape=mesh_shape)
    net.clear_connectivity()
    delay = net.delay  # 1.0 ms, the default model's delay for all local connections

    # Weights are the default model's (param/default.json, gbar_*) unless noted, so the
    # network stays active but not epileptic.

    # L2 pyramidal recurrent excitation, both receptors on the 'proximal' group.
    for receptor in ('ampa', 'nmda'):
        net.add_connection('L2_pyramidal', 'L2_pyramidal', 'proximal', receptor,
                           0.0005, delay, 3.0, allow_autapses=False)

    # L5 pyramidal recurrent NMDA only, pruned to 60 % of the pairs (seeded pruning).
    net.add_connection('L5_pyramidal', 'L5_pyramidal', 'proximal', 'nmda',
                       0.0005, delay, 3.0, allow_autapses=False,
                       probability=0.6, conn_seed=8)

    # L2 -> L5 pyramidal: on the 'distal' group (pruned), and on the single named section
    # 'apical_2' (a section, not a group; only L5 pyramidal cells have it).
    net.add_connection('L2_pyramidal', 'L5_pyramidal', 'distal', 'ampa',
                       0.00025, delay, 3.0, probability=0.5, conn_seed=7)
    net.add_connection('L2_pyramidal', 'L5_pyramidal', 'apical_2', 'ampa',
                       0.00025, delay, 3.0)

    # Somatic inhibition of the pyramidal cells.
    for receptor in ('gabaa', 'gabab'):
        net.add_connection('L2_basket', 'L2_pyramidal', 'soma', receptor,
                           0.05, delay, 50.0)
    net.add_connection('L5_basket', 'L5_pyramidal', 'soma', 'gabaa',
                       0.025, delay, 70.0)
    # The LAST connection whose source is L5_basket, with its own threshold. In 0.6.1 the
    # NetCon threshold belongs to the source cell's spike detector, so the last connection
    # made from a cell sets that cell's spike threshold: the L5 basket cells detect their
    # spikes at -20 mV instead of 0 mV (make_model_cases.py checks that this changes the
    # L5 basket spikes). No connection from L5_basket may follow this one.
    net.add_connection('L5_basket', 'L5_pyramidal', 'soma', 'gabab',
                       0.025, delay, 70.0, threshold=L5_BASKET_THRESHOLD)

    # Excitation of the L5 baskets, with a gain. It is an e->i connection, so the e_e and
    # i_e global gains set below leave its gain alone.
    net.add_connection('L5_pyramidal', 'L5_basket', 'soma', 'ampa',
                       0.0005, delay, 3.0, gain=1.3)

    # Explicit gid lists: the first half of the L2 pyramidal cells (a range) as sources;
    # one target list per source (nested list), each a different subset of the L2 baskets
    # (every basket whose index has the source's parity, plus basket 0).
    l2_pyr = net.gid_ranges['L2_pyramidal']
    l2_bask = list(net.gid_ranges['L2_basket'])
    src_gids = range(l2_pyr[0], l2_pyr[0] + len(l2_pyr) // 2)
    target_gids = [sorted({l2_bask[0]} | set(l2_bask[(src - src_gids[0]) % 2::2]))
                   for src in src_gids]
    net.add_connection(src_gids, target_gids, 'soma', 'ampa', 0.0005, delay, 3.0)

    # L2 basket recurrent inhibition, pruned to 80 %, no autapses.
    net.add_connection('L2_basket', 'L2_basket', 'soma', 'gabaa', 0.02, delay, 20.0,
                       allow_autapses=False, probability=0.8, conn_seed=11)

    # Overwrites the gains of every e->e and i->e connection (not drives): e_e 1.1, i_e 0.9;
    # e_i stays non-uniform (1.3 on L5_pyramidal->L5_basket, 1.0 on the gid-list one) and
    # i_i stays 1.0.
    net.set_global_synaptic_gains(e_e=1.1, i_e=0.9)

    add_erp_drives_to_jones_model(net)
    # An evoked drive on the named section 'apical_tuft' (which both pyramidal types have),
    # one drive cell per target cell, 70 % of them connected.
    net.add_evoked_drive('evtuft', mu=45., sigma=3., numspikes=2, location='apical_tuft',
                         weights_ampa={'L2_pyramidal': 0.005, 'L5_pyramidal': 0.02},
                         weights_nmda={'L5_pyramidal': 0.01},
                         synaptic_delays=0.5, probability=0.7, conn_seed=9, event_seed=13)
    # Two Poisson drive cells shared by all basket cells (all-to-all), on their 'soma'.
    net.add_poisson_drive('poisson_baskets', tstart=20., tstop=150., rate_constant=20.,
                          location='soma', n_drive_cells=2, cell_specific=False,
                          weights_ampa={'L2_basket': 0.02, 'L5_basket': 0.02},
                          event_seed=17)
    return net


def nseg_rule(L):
    """hnn-core's number of segments for a section of length L (um): 1 up to 100 um, else
    int(L / 50) made odd (+1 if even)."""
    nseg = 1
    if L > 100.0:
        nseg = int(L / 50.0)
        if nseg % 2 == 0:
            nseg += 1
    return nseg


def modify_length(cell, sec_name, L, **kwargs):
    """``cell.modify_section(sec_name, L=L, ...)`` for an L with the same nseg as before.

    0.6.1 computes ``Section.nseg`` once, when the Section is created; modify_section does
    not update it, while reading a network file recomputes it from L. Keeping nseg
    unchanged makes the case independent of that quirk."""
    section = cell.sections[sec_name]
    assert section.nseg == nseg_rule(section.L), (sec_name, section.L, section.nseg)
    assert nseg_rule(L) == section.nseg, (
        f'{sec_name}: L={L} would need nseg {nseg_rule(L)}, not {section.nseg}')
    cell.modify_section(sec_name, L=L, **kwargs)
    assert section.nseg == nseg_rule(L)


def _cell_edits(mesh_shape):
    net = neymotin_2020_model(mesh_shape=mesh_shape)
    l5 = net.cell_types['L5_pyramidal']['cell_object']
    l2 = net.cell_types['L2_pyramidal']['cell_object']

    # Geometry and passive properties (425 -> 460 um: nseg 9; 306 -> 320 um: nseg 7).
    modify_length(l5, 'apical_tuft', 460., diam=3.0)
    l5.modify_section('soma', cm=0.9, Ra=150.)
    l5.modify_section('basal_2', v0=-70.)
    modify_length(l2, 'apical_1', 320., diam=4.5)

    # Mechanism parameters, per section (each section has its own mechs dicts).
    l5.sections['apical_2'].mechs['hh2']['gnabar_hh2'] = 0.1   # default 0.14
    l5.sections['apical_1'].mechs['km']['gbar_km'] = 300.      # default 200
    l2.sections['soma'].mechs['km']['gbar_km'] = 350.          # default 250
    # A distance-dependent value is stored per segment after construction, as
    # [segment centres, values]; double the values. (They were computed for the template's
    # geometry and are not recomputed by modify_section: the tuft's new length does not
    # change them.)
    seg_xs, seg_vals = l5.sections['apical_tuft'].mechs['ar']['gbar_ar']
    assert len(seg_xs) == len(seg_vals) == l5.sections['apical_tuft'].nseg
    l5.sections['apical_tuft'].mechs['ar']['gbar_ar'] = [
        [float(x) for x in seg_xs], [2.0 * float(v) for v in seg_vals]]
    # Basket cells have {'hh2': {}} (the mechanism's own defaults); set one value.
    net.cell_types['L5_basket']['cell_object'].sections['soma'].mechs['hh2'][
        'gl_hh2'] = 0.0004

    # Synapse parameters are per cell type (shared by its sections).
    l2.synapses['ampa']['tau2'] = 6.0   # default 5.0

    add_erp_drives_to_jones_model(net)
    return net


_BUILDERS = {'law2021': _law2021, 'calcium': _calcium,
             'connectivity': _connectivity, 'cell_edits': _cell_edits}
