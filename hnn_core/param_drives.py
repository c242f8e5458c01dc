"""The drives that an HNN parameter file describes.

HNN parameter files describe up to two rhythmic inputs (``bursty1`` proximal,
``bursty2`` distal), any number of evoked inputs (``evprox<k>``, ``evdist<k>``), a
Gaussian input (``extgauss``) and a Poisson input (``extpois``), plus tonic
currents (``Itonic_*``). They are added in sorted name order, which fixes their
gids, and their seeds follow HNN-GUI's convention: the file's ``prng_seedcore``
plus the drive's first gid.
"""

from .params import _count_evoked_inputs

# HNN parameter files describe the model's four cell types
CELL_TYPES = ('L2_basket', 'L2_pyramidal', 'L5_basket', 'L5_pyramidal')

_SHORT = {'L2_basket': 'L2Basket', 'L2_pyramidal': 'L2Pyr',
          'L5_basket': 'L5Basket', 'L5_pyramidal': 'L5Pyr'}
_LAYER = {'L2_basket': 'L2', 'L2_pyramidal': 'L2', 'L5_basket': 'L5',
          'L5_pyramidal': 'L5'}


def _evoked_specs(net, p, prefix, k):
    key = f'{prefix}_{k}'
    types = CELL_TYPES if prefix == 'evprox' else ('L2_basket', 'L2_pyramidal',
                                                   'L5_pyramidal')
    ampa, nmda, delays = {}, {}, {}
    for cell_type in types:
        short = _SHORT[cell_type]
        fallback = p.get(f'gbar_{key}_{short}')
        ampa[cell_type] = p.get(f'gbar_{key}_{short}_ampa', fallback)
        nmda[cell_type] = p.get(f'gbar_{key}_{short}_nmda', fallback)
        if ampa[cell_type] is None or nmda[cell_type] is None:
            raise ValueError(f'The parameter gbar_{key}_{short}_ampa (or _nmda, or '
                             f'gbar_{key}_{short}) is missing from params')
        delays[cell_type] = 1.0 if (prefix == 'evprox' and
                                    _LAYER[cell_type] == 'L5') else 0.1
    sync = bool(p['sync_evinput'])
    seed = int(p[f'prng_seedcore_{key}'])
    if net.compatibility.legacy_drive_layout == 'weight0':
        # HNN-GUI had 1 drive cell per rhythmic input, hnn-core 0.6 has 10: this
        # keeps the evoked seeds of the published parameter sets.
        seed -= 18
    return dict(kind='evoked', location='proximal' if prefix == 'evprox' else 'distal',
                seed=seed, space_constant=3.0, weights_ampa=ampa, weights_nmda=nmda,
                synaptic_delays=delays,
                kwargs=dict(mu=p[f't_{key}'], sigma=p[f'sigma_t_{key}'],
                            numspikes=int(p[f'numspikes_{key}']),
                            n_drive_cells=1 if sync else 'n_cells',
                            cell_specific=not sync))


def _bursty_specs(net, p, where):
    types = CELL_TYPES if where == 'prox' else ('L2_basket', 'L2_pyramidal',
                                                'L5_pyramidal')
    ampa, nmda, delays = {}, {}, {}
    for cell_type in types:
        short = _SHORT[cell_type]
        ampa[cell_type] = p[f'input_{where}_A_weight_{short}_ampa']
        nmda[cell_type] = p[f'input_{where}_A_weight_{short}_nmda']
        delays[cell_type] = p[f'input_{where}_A_delay_{_LAYER[cell_type]}']
    tstart = p[f't0_input_{where}']
    tstop = min(p[f'tstop_input_{where}'], p['tstop'])
    if tstop < tstart and not net.legacy_mode:
        return None
    kwargs = dict(tstart=tstart, tstart_std=p[f't0_input_stdev_{where}'],
                  tstop=max(tstop, tstart),  # a null input: no burst before tstop
                  burst_rate=p[f'f_input_{where}'], burst_std=p[f'f_stdev_{where}'],
                  numspikes=int(p[f'events_per_cycle_{where}']), spike_isi=10)
    if net.compatibility.params_bursty_cells == 'repeats':
        kwargs['repeats'] = int(p[f'repeats_{where}'])
    else:
        kwargs['n_drive_cells'] = int(p[f'repeats_{where}'])
    return dict(kind='bursty', location='proximal' if where == 'prox' else 'distal',
                seed=int(p[f'prng_seedcore_input_{where}']), space_constant=100.,
                weights_ampa=ampa, weights_nmda=nmda, synaptic_delays=delays,
                kwargs=kwargs)


def _gauss_specs(net, p):
    mu = p['L2Basket_Gauss_mu']
    if mu > p['tstop'] and not net.legacy_mode:
        return None
    ampa = {c: p[f'{_SHORT[c]}_Gauss_A_weight'] for c in CELL_TYPES}
    # HNN used each type's Gaussian mean as its synaptic delay
    delays = {c: p[f'{_SHORT[c]}_Gauss_mu'] for c in CELL_TYPES}
    return dict(kind='gaussian', location='proximal',
                seed=int(p['prng_seedcore_extgauss']), space_constant=100.,
                weights_ampa=ampa, weights_nmda=None, synaptic_delays=delays,
                kwargs=dict(mu=mu, sigma=p['L2Basket_Gauss_sigma'], numspikes=50))


def _poisson_specs(net, p):
    t0, t1 = p['t0_pois'], p['T_pois']
    if t1 < t0 and not net.legacy_mode:
        return None
    ampa, nmda, rates = {}, {}, {}
    for cell_type in CELL_TYPES:
        short = _SHORT[cell_type]
        ampa[cell_type] = p.get(f'{short}_Pois_A_weight_ampa', 0.)
        nmda[cell_type] = p.get(f'{short}_Pois_A_weight_nmda', 0.)
        rate = p[f'{short}_Pois_lamtha']
        rates[cell_type] = rate if rate > 0 else 1.  # null inputs of legacy files
    delays = {'L2_basket': 1.0, 'L2_pyramidal': 0.1, 'L5_basket': 1.0,
              'L5_pyramidal': 1.0}
    return dict(kind='poisson', location='proximal',
                seed=int(p['prng_seedcore_extpois']), space_constant=100.,
                weights_ampa=ampa, weights_nmda=nmda, synaptic_delays=delays,
                kwargs=dict(tstart=max(0, t0), tstop=max(0, t1), rate_constant=rates))


def _tonic_keys(p, cell_type):
    """HNN names basket cells' tonic keys without '_soma' (Itonic_A_L2Basket);
    hnn-core 0.6 looked for '_soma' on every type. Either spelling is read."""
    short = _SHORT[cell_type]
    for suffix in ('_soma', ''):
        keys = [f'Itonic_{x}_{short}{suffix}' for x in ('A', 't0', 'T')]
        if any(k in p for k in keys):
            return keys
    return [f'Itonic_{x}_{short}_soma' for x in ('A', 't0', 'T')]


def _tonic_specs(p):
    biases = {}
    for cell_type in CELL_TYPES:
        keys = _tonic_keys(p, cell_type)
        present = [k in p for k in keys]
        if any(present) and not all(present):
            missing = [k for k, there in zip(keys, present) if not there]
            raise ValueError(f'A tonic input needs its amplitude, start and end; '
                             f'missing {", ".join(missing)}')
        if all(present):
            biases[cell_type] = [p[k] for k in keys]
    return biases


def add_drives_from_params(net):
    """Add the drives and tonic biases that ``net.params`` describes."""
    p = net.params
    specs = {}
    for name, where in (('bursty1', 'prox'), ('bursty2', 'dist')):
        specs[name] = _bursty_specs(net, p, where)
    for prefix, n_inputs in zip(('evprox', 'evdist'), _count_evoked_inputs(p)):
        for k in range(1, n_inputs + 1):
            specs[f'{prefix}{k}'] = _evoked_specs(net, p, prefix, k)
    specs['extgauss'] = _gauss_specs(net, p)
    specs['extpois'] = _poisson_specs(net, p)

    seed_arg = net.compatibility.seeding
    adders = {'evoked': net.add_evoked_drive, 'gaussian': net.add_evoked_drive,
              'bursty': net.add_bursty_drive, 'poisson': net.add_poisson_drive}
    for name in sorted(specs):  # the order fixes the gids
        spec = specs[name]
        if spec is None:
            continue
        adders[spec['kind']](
            name, location=spec['location'], weights_ampa=spec['weights_ampa'],
            weights_nmda=spec['weights_nmda'], synaptic_delays=spec['synaptic_delays'],
            space_constant=spec['space_constant'], **{seed_arg: spec['seed']},
            **spec['kwargs'])
        if spec['kind'] == 'gaussian':
            net.external_drives[name]['type'] = 'gaussian'
    if seed_arg == 'event_seed':
        # HNN-GUI seeds: seedcore + absolute gid of the drive cell in trial 0
        for name, drive in net.external_drives.items():
            if name in specs:
                drive['event_seed'] += net.gid_ranges[name][0]

    biases = _tonic_specs(p)
    if biases:
        # HNN applied one time window, that of the last cell type listed
        _, t0, t1 = list(biases.values())[-1]
        net.add_tonic_bias(amplitude={c: b[0] for c, b in biases.items()}, t0=t0,
                           tstop=t1)
