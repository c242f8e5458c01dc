"""Published network models, made of the same public calls a user would write.

:func:`neymotin_2020_model` is the Jones et al. 2009 network as HNN runs it
(Neymotin et al. 2020); :func:`law_2021_model` and :func:`calcium_model` change
it as Law et al. 2021 and Kohl et al. 2022 did; :func:`add_erp_drives_to_jones_model`
adds the three evoked inputs of HNN's event-related potential.
"""

import warnings

from .cells_default import pyramidal_ca
from .network import Network, DEFAULT_PARAMS
from .params import read_params, required
from ._validate import _validate_type, _check_finite

# The local connectivity of Jones et al. 2009, in the order hnn-core 0.6.1 makes it:
# (source, target, location, receptor, weight parameter, lamtha, autapses allowed)
LOCAL_CONNECTIVITY = (
    ('L2_pyramidal', 'L2_pyramidal', 'proximal', 'nmda', 'gbar_L2Pyr_L2Pyr_nmda', 3.,
     False),
    ('L2_pyramidal', 'L2_pyramidal', 'proximal', 'ampa', 'gbar_L2Pyr_L2Pyr_ampa', 3.,
     False),
    ('L5_pyramidal', 'L5_pyramidal', 'proximal', 'nmda', 'gbar_L5Pyr_L5Pyr_nmda', 3.,
     False),
    ('L5_pyramidal', 'L5_pyramidal', 'proximal', 'ampa', 'gbar_L5Pyr_L5Pyr_ampa', 3.,
     False),
    ('L2_basket', 'L2_pyramidal', 'soma', 'gabaa', 'gbar_L2Basket_L2Pyr_gabaa', 50.,
     True),
    ('L2_basket', 'L2_pyramidal', 'soma', 'gabab', 'gbar_L2Basket_L2Pyr_gabab', 50.,
     True),
    ('L5_basket', 'L5_pyramidal', 'soma', 'gabaa', 'gbar_L5Basket_L5Pyr_gabaa', 70.,
     True),
    ('L5_basket', 'L5_pyramidal', 'soma', 'gabab', 'gbar_L5Basket_L5Pyr_gabab', 70.,
     True),
    ('L2_pyramidal', 'L5_pyramidal', 'proximal', 'ampa', 'gbar_L2Pyr_L5Pyr', 3., True),
    ('L2_pyramidal', 'L5_pyramidal', 'distal', 'ampa', 'gbar_L2Pyr_L5Pyr', 3., True),
    ('L2_basket', 'L5_pyramidal', 'distal', 'gabaa', 'gbar_L2Basket_L5Pyr', 50., True),
    ('L2_pyramidal', 'L2_basket', 'soma', 'ampa', 'gbar_L2Pyr_L2Basket', 3., True),
    # the L2 basket cells inhibit themselves too, as in the published model
    ('L2_basket', 'L2_basket', 'soma', 'gabaa', 'gbar_L2Basket_L2Basket', 20., True),
    ('L5_basket', 'L5_basket', 'soma', 'gabaa', 'gbar_L5Basket_L5Basket', 20., False),
    ('L5_pyramidal', 'L5_basket', 'soma', 'ampa', 'gbar_L5Pyr_L5Basket', 3., True),
    ('L2_pyramidal', 'L5_basket', 'soma', 'ampa', 'gbar_L2Pyr_L5Basket', 3., True),
)


_DEPRECATED_NAME = ('jones_2009_model is deprecated: it is the model of Neymotin et al. '
                    '2020; call neymotin_2020_model (same arguments, same network)')


def _weight(net, key):
    return _param_number(net.params, key, minimum=0)


def _param_number(params, key, minimum=None):
    """A number of the parameters, as float (a numeric string too, as before)."""
    value = required(params, key)
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            pass
    return _check_finite(f'params[{key!r}]', value, minimum=minimum)


def add_local_connectivity(net):
    """Add the 16 local connection rules of Jones et al. 2009 to ``net``.

    Weights come from ``net.params`` (``gbar_*`` keys); every rule has the
    delay ``net.delay`` (1 ms) at zero distance.
    """
    for src, target, loc, receptor, key, lamtha, autapses in LOCAL_CONNECTIVITY:
        net.add_connection(src, target, loc, receptor, _weight(net, key),
                           net.delay, lamtha, allow_autapses=autapses)


def _read(params):
    if params is None:
        params = DEFAULT_PARAMS
    _validate_type(params, ('path-like', dict), 'params', 'a path, a dict or None')
    return params if isinstance(params, dict) else read_params(params)


def neymotin_2020_model(params=None, add_drives_from_params=False, legacy_mode=False,
                        mesh_shape=(10, 10)):
    """The Jones et al. 2009 network as HNN simulates it (Neymotin et al. 2020).

    L2/3 and L5 pyramidal cells on a ``mesh_shape`` grid, basket cells at a
    1:3 ratio, and the 16 local connection rules of the model (weights from
    the parameters). The cells take the published values (as in hnn-core 0.6,
    a parameter file's cell values are not read).

    Parameters
    ----------
    params : str | dict | None
        A parameter file (.json or .param), a dict, or None for the packaged
        ``default.json``.
    add_drives_from_params : bool
        Add the drives the parameters describe, as HNN-GUI does: in sorted name
        order, seeded with the file's ``prng_seedcore`` plus the drive's first gid.
    legacy_mode : bool
        HNN-GUI's layout: every drive has a drive cell per network cell, cell
        types without a weight get weight-0 connections, and the parameter
        file's inactive drives are kept (they use gids but never fire before
        tstop). With ``add_drives_from_params`` this reproduces HNN's published
        results.
    mesh_shape : tuple of int
        ``(n_x, n_y)``, the pyramidal grid of each layer.

    Returns
    -------
    net : Network

    References
    ----------
    Jones SR et al. (2009) J Neurophysiol 102:3554-3572.
    Neymotin SA et al. (2020) eLife 9:e51214.
    """
    _validate_type(legacy_mode, bool, 'legacy_mode')
    net = Network(_read(params), add_drives_from_params=add_drives_from_params,
                  legacy_mode=legacy_mode, mesh_shape=mesh_shape, _version='0.6')
    add_local_connectivity(net)
    return net


def jones_2009_model(params=None, add_drives_from_params=False, legacy_mode=False,
                     mesh_shape=(10, 10)):
    """The same model as :func:`neymotin_2020_model`, under its former name.

    Deprecated, as in hnn-core 0.6.1 (a DeprecationWarning); kept so that
    scripts using it run unchanged.
    """
    warnings.warn(_DEPRECATED_NAME, DeprecationWarning, stacklevel=2)
    return neymotin_2020_model(params, add_drives_from_params, legacy_mode, mesh_shape)


def law_2021_model(params=None, add_drives_from_params=False, legacy_mode=False,
                   mesh_shape=(10, 10)):
    """The beta-event model of Law et al. 2021.

    The default model with: GABAB synapses of both pyramidal types slower
    (tau1 45 ms, tau2 200 ms); L5 pyramidal recurrent NMDA weight 0.0004 uS;
    L5 basket to L5 pyramidal somatic weights 0.02 (GABAA) and 0.005 (GABAB) uS;
    no calcium channels in the L5 pyramidal soma and basal dendrites; the L2
    basket to L5 pyramidal distal GABAA connection replaced by a GABAB one
    (0.0002 uS); and a new distal GABAA connection from L5 basket to L5
    pyramidal cells. Arguments as in :func:`neymotin_2020_model`.

    Returns
    -------
    net : Network

    References
    ----------
    Law RG et al. (2022) Cereb Cortex 32:668-688.
    """
    net = neymotin_2020_model(params, add_drives_from_params, legacy_mode, mesh_shape)
    # The rules are addressed by their place among the local ones (drives read
    # from the parameters come before them in net.connectivity).
    first = len(net.connectivity) - len(LOCAL_CONNECTIVITY)
    local = net.connectivity[first:]
    for cell_type in ('L2_pyramidal', 'L5_pyramidal'):
        gabab = net.cell_types[cell_type]['cell_object'].synapses['gabab']
        gabab['tau1'], gabab['tau2'] = 45., 200.
    local[2]['nc_dict']['A_weight'] = 0.0004  # L5 pyramidal -> L5 pyramidal, NMDA
    local[6]['nc_dict']['A_weight'] = 0.02  # L5 basket -> L5 pyramidal, GABAA
    local[7]['nc_dict']['A_weight'] = 0.005  # and GABAB
    l5 = net.cell_types['L5_pyramidal']['cell_object']
    for sec_name in ('soma', 'basal_1', 'basal_2', 'basal_3'):
        del l5.sections[sec_name].mechs['ca']
    # the paper sets the L2 basket -> L5 pyramidal GABAA weight to 0
    del net.connectivity[first + 10]
    net.add_connection('L2_basket', 'L5_pyramidal', 'distal', 'gabab', 0.0002,
                       net.delay, 50.)
    net.add_connection('L5_basket', 'L5_pyramidal', 'distal', 'gabaa',
                       _weight(net, 'gbar_L5Basket_L5Pyr_gabaa'), net.delay, 70.)
    return net


def calcium_model(params=None, add_drives_from_params=False, legacy_mode=False,
                  mesh_shape=(10, 10)):
    """The default model with the L5 calcium dynamics of Kohl et al. 2022.

    The L5 pyramidal cells are :func:`~hnn_core.cells_default.pyramidal_ca`:
    calcium conductance rising, sodium falling and potassium decaying with the
    distance from the soma. Arguments as in :func:`neymotin_2020_model`.

    Returns
    -------
    net : Network

    References
    ----------
    Kohl C et al. (2022) Brain Topogr 35:19-35.
    """
    net = neymotin_2020_model(params, add_drives_from_params, legacy_mode, mesh_shape)
    entry = net.cell_types['L5_pyramidal']
    entry['cell_object'] = pyramidal_ca('L5_pyramidal', pos=entry['cell_object'].pos)
    return net


def add_erp_drives_to_jones_model(net, tstart=0.0):
    """Add the three evoked inputs of HNN's event-related potential.

    A proximal input at 26.61 ms, a distal one at 63.53 ms and a second
    proximal one at 137.12 ms after ``tstart``, with the weights, delays and
    seeds (274, 544, 814) of HNN's published ERP.

    Parameters
    ----------
    net : Network
        Changed in place.
    tstart : float
        Time of the sensory stimulus (ms).
    """
    _validate_type(net, Network, 'net', 'Network')
    _check_finite('tstart', tstart)
    delays_prox = {'L2_basket': 0.1, 'L2_pyramidal': 0.1, 'L5_basket': 1.,
                   'L5_pyramidal': 1.}
    net.add_evoked_drive(
        'evdist1', mu=63.53 + tstart, sigma=3.85, numspikes=1, location='distal',
        weights_ampa={'L2_basket': 0.006562, 'L2_pyramidal': 7e-6,
                      'L5_pyramidal': 0.142300},
        weights_nmda={'L2_basket': 0.019482, 'L2_pyramidal': 0.004317,
                      'L5_pyramidal': 0.080074},
        synaptic_delays={'L2_basket': 0.1, 'L2_pyramidal': 0.1, 'L5_pyramidal': 0.1},
        event_seed=274)
    net.add_evoked_drive(
        'evprox1', mu=26.61 + tstart, sigma=2.47, numspikes=1, location='proximal',
        weights_ampa={'L2_basket': 0.08831, 'L2_pyramidal': 0.01525,
                      'L5_basket': 0.19934, 'L5_pyramidal': 0.00865},
        synaptic_delays=delays_prox, event_seed=544)
    net.add_evoked_drive(
        'evprox2', mu=137.12 + tstart, sigma=8.33, numspikes=1, location='proximal',
        weights_ampa={'L2_basket': 0.000003, 'L2_pyramidal': 1.438840,
                      'L5_basket': 0.008958, 'L5_pyramidal': 0.684013},
        synaptic_delays=delays_prox, event_seed=814)
