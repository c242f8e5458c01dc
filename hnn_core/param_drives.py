"""The drives that an HNN parameter file describes.

HNN parameter files describe up to two rhythmic inputs (``bursty1`` proximal,
``bursty2`` distal), any number of evoked inputs (``evprox<k>``, ``evdist<k>``), a
Gaussian input (``extgauss``) and a Poisson input (``extpois``), plus tonic
currents (``Itonic_*``). They are added in sorted name order, which fixes their
gids, and their seeds follow HNN-GUI's convention: the file's ``prng_seedcore``
plus the drive's first gid.
"""

import math
import numbers
import re
import warnings

from .params import _count_evoked_inputs, required
from ._validate import _check_finite

# HNN parameter files describe the model's four cell types
CELL_TYPES = ('L2_basket', 'L2_pyramidal', 'L5_basket', 'L5_pyramidal')

_SHORT = {'L2_basket': 'L2Basket', 'L2_pyramidal': 'L2Pyr',
          'L5_basket': 'L5Basket', 'L5_pyramidal': 'L5Pyr'}
_LAYER = {'L2_basket': 'L2', 'L2_pyramidal': 'L2', 'L5_basket': 'L5',
          'L5_pyramidal': 'L5'}
# HNN-GUI offered these burst distributions; hnn-core 0.6.1 draws 'normal' ones only
_DISTRIBUTIONS = ('normal', 'uniform')


# -- the file's values, checked under their own names ------------------------------
# The drives' own checks would name their arguments (mu, sigma, ...); a value
# that came from a parameter file is named by its key, and by the file if known.
def _source(p):
    source = getattr(p, '_source', None)
    return f'{source}: ' if source else ''


def _value(p, key):
    try:
        return required(p, key)
    except ValueError as err:
        raise ValueError(f'{_source(p)}{err}') from None


def _number(p, key, minimum=None, strict=False, default=None):
    """``p[key]`` (or ``default`` if absent), a finite number >= ``minimum``."""
    value = p.get(key, default) if default is not None else _value(p, key)
    try:
        _check_finite(key, value, minimum=minimum, strict=strict)
    except (TypeError, ValueError) as err:
        raise type(err)(f'{_source(p)}{err}') from None
    return value


def _integer(p, key, minimum=None):
    """``p[key]`` as an int: a whole number (1.0 is one), >= ``minimum``."""
    value = _value(p, key)
    whole = (isinstance(value, numbers.Real) and not isinstance(value, bool) and
             math.isfinite(value) and float(value).is_integer())
    if not whole or (minimum is not None and value < minimum):
        bound = '' if minimum is None else f' >= {minimum}'
        raise ValueError(f'{_source(p)}{key} must be an integer{bound}, got {value!r}')
    return int(value)


def _flag(p, key):
    value = _value(p, key)
    if not isinstance(value, numbers.Real):
        raise ValueError(f'{_source(p)}{key} must be a number (0 or 1), got {value!r}')
    return bool(value)


def _distribution(p, where, name):
    key = f'distribution_{where}'
    value = p.get(key, 'normal')
    if value not in _DISTRIBUTIONS:
        raise ValueError(f"{_source(p)}{key} must be 'normal' or 'uniform', got "
                         f'{value!r}')
    if value != 'normal':
        warnings.warn(f'{_source(p)}{key} {value!r} is not supported: the bursts of '
                      f'{name} are drawn from a normal distribution, as in hnn-core '
                      '0.6.1', UserWarning, stacklevel=4)


def _evoked_specs(net, p, prefix, k):
    key = f'{prefix}_{k}'
    types = CELL_TYPES if prefix == 'evprox' else ('L2_basket', 'L2_pyramidal',
                                                   'L5_pyramidal')
    ampa, nmda, delays = {}, {}, {}
    for cell_type in types:
        short = _SHORT[cell_type]
        for receptor, weights in (('ampa', ampa), ('nmda', nmda)):
            # files of older HNN versions give one weight for both receptors
            weight_key = f'gbar_{key}_{short}_{receptor}'
            if weight_key not in p and f'gbar_{key}_{short}' in p:
                weight_key = f'gbar_{key}_{short}'
            if weight_key not in p:
                raise ValueError(f'{_source(p)}The parameter gbar_{key}_{short}_'
                                 f'{receptor} (or gbar_{key}_{short}) is missing from '
                                 'params')
            weights[cell_type] = _number(p, weight_key, minimum=0)
        delays[cell_type] = 1.0 if (prefix == 'evprox' and
                                    _LAYER[cell_type] == 'L5') else 0.1
    sync = _flag(p, 'sync_evinput')
    seed = _integer(p, f'prng_seedcore_{key}')
    if net.compatibility.legacy_drive_layout == 'weight0':
        # HNN-GUI had 1 drive cell per rhythmic input, hnn-core 0.6 has 10: this
        # keeps the evoked seeds of the published parameter sets.
        seed -= 18
    return dict(kind='evoked', location='proximal' if prefix == 'evprox' else 'distal',
                seed=seed, space_constant=3.0, weights_ampa=ampa, weights_nmda=nmda,
                synaptic_delays=delays,
                keys={'mu': f't_{key}', 'sigma': f'sigma_t_{key}',
                      'numspikes': f'numspikes_{key}', 'seed': f'prng_seedcore_{key}'},
                kwargs=dict(mu=_number(p, f't_{key}'),
                            sigma=_number(p, f'sigma_t_{key}', minimum=0),
                            numspikes=_integer(p, f'numspikes_{key}', minimum=1),
                            n_drive_cells=1 if sync else 'n_cells',
                            cell_specific=not sync))


def _bursty_specs(net, p, where):
    types = CELL_TYPES if where == 'prox' else ('L2_basket', 'L2_pyramidal',
                                                'L5_pyramidal')
    tstart = _number(p, f't0_input_{where}')
    tstop = min(_number(p, f'tstop_input_{where}'), _number(p, 'tstop'))
    if tstop < tstart and not net.legacy_mode:
        return None
    name = 'bursty1' if where == 'prox' else 'bursty2'
    _distribution(p, where, name)
    _number(p, f't0_input_{where}', minimum=0)
    ampa, nmda, delays = {}, {}, {}
    for cell_type in types:
        short = _SHORT[cell_type]
        ampa[cell_type] = _number(p, f'input_{where}_A_weight_{short}_ampa', minimum=0)
        nmda[cell_type] = _number(p, f'input_{where}_A_weight_{short}_nmda', minimum=0)
        delays[cell_type] = _number(p, f'input_{where}_A_delay_{_LAYER[cell_type]}',
                                    minimum=0)
    kwargs = dict(tstart=tstart,
                  tstart_std=_number(p, f't0_input_stdev_{where}', minimum=0),
                  tstop=max(tstop, tstart),  # a null input: no burst before tstop
                  burst_rate=_number(p, f'f_input_{where}', minimum=0, strict=True),
                  burst_std=_number(p, f'f_stdev_{where}', minimum=0),
                  numspikes=_integer(p, f'events_per_cycle_{where}', minimum=1),
                  spike_isi=10)
    repeats = _integer(p, f'repeats_{where}', minimum=1)
    if net.compatibility.params_bursty_cells == 'repeats':
        kwargs['repeats'] = repeats
    else:
        kwargs['n_drive_cells'] = repeats
    return dict(kind='bursty', location='proximal' if where == 'prox' else 'distal',
                seed=_integer(p, f'prng_seedcore_input_{where}'), space_constant=100.,
                weights_ampa=ampa, weights_nmda=nmda, synaptic_delays=delays,
                keys={'tstart': f't0_input_{where}', 'tstart_std':
                      f't0_input_stdev_{where}', 'tstop': f'tstop_input_{where}',
                      'burst_rate': f'f_input_{where}', 'burst_std': f'f_stdev_{where}',
                      'numspikes': f'events_per_cycle_{where}',
                      'repeats': f'repeats_{where}', 'n_drive_cells': f'repeats_{where}',
                      'seed': f'prng_seedcore_input_{where}'},
                kwargs=kwargs)


def _gauss_specs(net, p):
    mu = _number(p, 'L2Basket_Gauss_mu')
    if mu > _number(p, 'tstop') and not net.legacy_mode:
        return None
    ampa = {c: _number(p, f'{_SHORT[c]}_Gauss_A_weight', minimum=0) for c in CELL_TYPES}
    # HNN used each type's Gaussian mean as its synaptic delay
    delays = {c: _number(p, f'{_SHORT[c]}_Gauss_mu', minimum=0) for c in CELL_TYPES}
    return dict(kind='gaussian', location='proximal',
                seed=_integer(p, 'prng_seedcore_extgauss'), space_constant=100.,
                weights_ampa=ampa, weights_nmda=None, synaptic_delays=delays,
                keys={'mu': 'L2Basket_Gauss_mu', 'sigma': 'L2Basket_Gauss_sigma',
                      'seed': 'prng_seedcore_extgauss'},
                kwargs=dict(mu=mu, sigma=_number(p, 'L2Basket_Gauss_sigma', minimum=0),
                            numspikes=50))


def _poisson_specs(net, p):
    t0, t1 = _number(p, 't0_pois'), _number(p, 'T_pois')
    if t1 < t0 and not net.legacy_mode:
        return None
    ampa, nmda, rates = {}, {}, {}
    for cell_type in CELL_TYPES:
        short = _SHORT[cell_type]
        ampa[cell_type] = _number(p, f'{short}_Pois_A_weight_ampa', minimum=0,
                                  default=0.)
        nmda[cell_type] = _number(p, f'{short}_Pois_A_weight_nmda', minimum=0,
                                  default=0.)
        rate = _number(p, f'{short}_Pois_lamtha')
        rates[cell_type] = rate if rate > 0 else 1.  # null inputs of legacy files
    delays = {'L2_basket': 1.0, 'L2_pyramidal': 0.1, 'L5_basket': 1.0,
              'L5_pyramidal': 1.0}
    return dict(kind='poisson', location='proximal',
                seed=_integer(p, 'prng_seedcore_extpois'), space_constant=100.,
                weights_ampa=ampa, weights_nmda=nmda, synaptic_delays=delays,
                keys={'tstart': 't0_pois', 'tstop': 'T_pois',
                      'rate_constant': '<type>_Pois_lamtha',
                      'seed': 'prng_seedcore_extpois'},
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
            raise ValueError(f'{_source(p)}A tonic input needs its amplitude, start '
                             f'and end; missing {", ".join(missing)}')
        if all(present):
            biases[cell_type] = [_number(p, keys[0]), _number(p, keys[1], minimum=0),
                                 _number(p, keys[2])]
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
        seed = spec['seed']
        if seed_arg == 'event_seed':
            # HNN-GUI seeds: seedcore + absolute gid of the drive cell in trial 0.
            # A new drive's gids follow all others; the drive gets its final seed
            # (legacy seeds are below 0 before the gid is added).
            seed += max((r.stop for r in net.gid_ranges.values()), default=0)
        try:
            adders[spec['kind']](
                name, location=spec['location'], weights_ampa=spec['weights_ampa'],
                weights_nmda=spec['weights_nmda'],
                synaptic_delays=spec['synaptic_delays'],
                space_constant=spec['space_constant'], **{seed_arg: seed},
                **spec['kwargs'])
        except (TypeError, ValueError) as err:
            # what the values checked above do not catch (e.g. a burst longer
            # than its period): say which drive, and the file keys of the
            # arguments the message names
            keys = dict(spec['keys'], **{seed_arg: spec['keys']['seed']})
            named = [f'{arg} is {key}' for arg, key in keys.items()
                     if re.search(rf'\b{arg}\b', str(err))]
            raise type(err)(f'{_source(p)}the drive {name!r} of the parameters: {err} '
                            f'({"; ".join(named) or "keys " + ", ".join(keys.values())})'
                            ) from None
        if spec['kind'] == 'gaussian':
            net.external_drives[name]['type'] = 'gaussian'
        if seed_arg == 'event_seed':
            # should the gids ever not follow the others: the seed follows them
            net.external_drives[name]['event_seed'] = (spec['seed'] +
                                                       net.gid_ranges[name][0])

    biases = _tonic_specs(p)
    if biases:
        # HNN applied one time window, that of the last cell type listed
        _, t0, t1 = list(biases.values())[-1]
        try:
            net.add_tonic_bias(amplitude={c: b[0] for c, b in biases.items()}, t0=t0,
                               tstop=t1)
        except (TypeError, ValueError) as err:
            raise type(err)(f'{_source(p)}the tonic inputs of the parameters '
                            f'(Itonic_*): {err}') from None
