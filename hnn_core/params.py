"""Model parameters: HNN's parameter files and a dict with wildcard look-up.

HNN keeps every setting of a simulation in one flat key -> value table, stored as
JSON (``default.json``) or in the legacy ``.param`` text format (``key: value``
lines). :class:`Params` holds exactly the keys of HNN's template, which has one
block of evoked-input keys per ``t_evprox_<k>`` / ``t_evdist_<k>`` key of the input;
values not given take the template's defaults.
"""

import copy
import fnmatch
import json
import os.path as op
import re
import warnings

from ._validate import _validate_type

_PYR_SECTIONS = {
    'L2Pyr': {'soma': (22.1, 23.4), 'apicaltrunk': (59.5, 4.25),
              'apical1': (306., 4.08), 'apicaltuft': (238., 3.4),
              'apicaloblique': (340., 3.91), 'basal1': (85., 4.25),
              'basal2': (255., 2.72), 'basal3': (255., 2.72)},
    'L5Pyr': {'soma': (39., 28.9), 'apicaltrunk': (102., 10.2),
              'apical1': (680., 7.48), 'apical2': (680., 4.93),
              'apicaltuft': (425., 3.4), 'apicaloblique': (255., 5.1),
              'basal1': (85., 6.8), 'basal2': (255., 8.5), 'basal3': (255., 8.5)},
}
_PYR_CM = {'L2Pyr': 0.6195, 'L5Pyr': 0.85}
_PYR_CHANNELS = {  # (soma, dendrites)
    'L2Pyr': {'gkbar_hh2': (0.01, 0.01), 'gnabar_hh2': (0.18, 0.15),
              'el_hh2': (-65., -65.), 'gl_hh2': (4.26e-5, 4.26e-5),
              'gbar_km': (250., 250.)},
    'L5Pyr': {'gkbar_hh2': (0.01, 0.01), 'gnabar_hh2': (0.16, 0.14),
              'el_hh2': (-65., -71.), 'gl_hh2': (4.26e-5, 4.26e-5),
              'gbar_ca': (60., 60.), 'taur_cad': (20., 20.),
              'gbar_kca': (2e-4, 2e-4), 'gbar_km': (200., 200.),
              'gbar_cat': (2e-4, 2e-4), 'gbar_ar': (1e-6, 1e-6)},
}
_SYNAPSES = {'ampa': (0., 0.5, 5.), 'nmda': (0., 1., 20.), 'gabaa': (-80., 0.5, 5.),
             'gabab': (-80., 1., 20.)}
_SHORT_TYPES = ('L2Basket', 'L2Pyr', 'L5Basket', 'L5Pyr')
_GAUSS_SIGMA = {'L2Basket': 3.6, 'L2Pyr': 3.6, 'L5Basket': 2., 'L5Pyr': 4.8}

# Keys that HNN defines (in default.param or later hnn-core versions) but that
# the template does not hold: a file may carry them, they are not used.
_KNOWN_EXTRA = re.compile(
    r'^(save_vsoma|prng_seedcore_opt|record_vsec|record_isec|record_ca'
    r'|Itonic_(A|t0|T)_(L2Pyr_soma|L5Pyr_soma|L2Basket|L5Basket)'
    r'|(gbar_ev(prox|dist)_\d+_(L2Pyr|L5Pyr|L2Basket|L5Basket)(_ampa|_nmda)?'
    r'|(t|sigma_t|prng_seedcore|numspikes)_ev(prox|dist)_\d+))$')


_WILDCARD = re.compile(r'[*?\[]')
DEFAULT_PARAMS = op.join(op.dirname(op.abspath(__file__)), 'param', 'default.json')


def required(params, key):
    """``params[key]``, or a ValueError that names the missing parameter."""
    try:
        return params[key]
    except KeyError:
        raise ValueError(f'The parameter {key!r} is missing from params; it is '
                         f'defined in {DEFAULT_PARAMS}') from None


def _template(n_prox=2, n_dist=1):
    """HNN's parameter template with its default values.

    Defaults switch the external inputs off (zero weights, starts beyond tstop);
    the cell values are those of Jones et al. 2009.
    """
    p = {'sim_prefix': 'default', 'tstop': 250., 'N_pyr_x': 1, 'N_pyr_y': 1}
    for short in _SHORT_TYPES:
        p.update({f'{short}_Gauss_A_weight': 0., f'{short}_Gauss_mu': 2000.,
                  f'{short}_Gauss_sigma': _GAUSS_SIGMA[short],
                  f'{short}_Pois_A_weight_ampa': 0., f'{short}_Pois_A_weight_nmda': 0.,
                  f'{short}_Pois_lamtha': 0.})
    for key in ('L2Pyr_L2Pyr_ampa', 'L2Pyr_L2Pyr_nmda', 'L2Basket_L2Pyr_gabaa',
                'L2Basket_L2Pyr_gabab', 'L2Pyr_L2Basket', 'L2Basket_L2Basket',
                'L5Pyr_L5Pyr_ampa', 'L5Pyr_L5Pyr_nmda', 'L2Pyr_L5Pyr', 'L2Basket_L5Pyr',
                'L5Basket_L5Pyr_gabaa', 'L5Basket_L5Pyr_gabab', 'L5Basket_L5Basket',
                'L5Pyr_L5Basket', 'L2Pyr_L5Basket'):
        p[f'gbar_{key}'] = 0.
    # rhythmic (bursty) proximal and distal inputs
    for where, short, delays in (('prox', 'prox', (0.1, 1.0)), ('dist', 'dist', (5., 5.))):
        p.update({f'distribution_{short}': 'normal', f't0_input_{short}': 1000.,
                  f'tstop_input_{short}': 250., f'f_input_{short}': 10.,
                  f'f_stdev_{short}': 20., f'events_per_cycle_{short}': 2,
                  f'repeats_{short}': 10, f't0_input_stdev_{short}': 0.0})
        types = ('L2Pyr', 'L5Pyr', 'L2Basket') + (('L5Basket',) if where == 'prox' else ())
        for t in types:
            for receptor in ('ampa', 'nmda'):
                p[f'input_{where}_A_weight_{t}_{receptor}'] = 0.
        p[f'input_{where}_A_delay_L2'] = delays[0]
        p[f'input_{where}_A_delay_L5'] = delays[1]
    p.update({'dt_evprox0_evdist': -1, 'dt_evprox0_evprox1': -1, 'sync_evinput': 1,
              'inc_evinput': 0.0, 'save_spec_data': 0, 'f_max_spec': 40.,
              'spec_cmap': 'jet', 'dipole_scalefctr': 30e3, 'dipole_smooth_win': 15.0,
              'save_figs': 0, 'save_dpl': 0, 'record_vsoma': 0, 'record_isoma': 0,
              'N_trials': 1, 'prng_seedcore_input_prox': 0,
              'prng_seedcore_input_dist': 0, 'prng_seedcore_extpois': 0,
              'prng_seedcore_extgauss': 0, 't0_pois': 0., 'T_pois': -1, 'dt': 0.025,
              'celsius': 37.0, 'threshold': 0.0})
    for short, sections in _PYR_SECTIONS.items():
        for sec, (length, diam) in sections.items():
            p[f'{short}_{sec}_L'] = length
            p[f'{short}_{sec}_diam'] = diam
        for part in ('soma', 'dend'):
            p[f'{short}_{part}_cm'] = _PYR_CM[short]
            p[f'{short}_{part}_Ra'] = 200.
        for receptor, (e, tau1, tau2) in _SYNAPSES.items():
            p.update({f'{short}_{receptor}_e': e, f'{short}_{receptor}_tau1': tau1,
                      f'{short}_{receptor}_tau2': tau2})
        for name, (soma, dend) in _PYR_CHANNELS[short].items():
            p[f'{short}_soma_{name}'] = soma
            p[f'{short}_dend_{name}'] = dend
    for prefix, n, types in (('evprox', n_prox, _SHORT_TYPES),
                             ('evdist', n_dist, ('L2Basket', 'L2Pyr', 'L5Pyr'))):
        for k in range(1, n + 1):
            for t in types:
                for receptor in ('ampa', 'nmda'):
                    p[f'gbar_{prefix}_{k}_{t}_{receptor}'] = 0.
            p.update({f't_{prefix}_{k}': 0., f'sigma_t_{prefix}_{k}': 0.,
                      f'prng_seedcore_{prefix}_{k}': 0, f'numspikes_{prefix}_{k}': 1})
    return p


def _count_evoked_inputs(params):
    """Numbers of proximal and distal evoked inputs: the t_evprox_* / t_evdist_* keys."""
    n_prox = n_dist = 0
    for key in params:
        if key.startswith('t_'):
            if 'evprox' in key:
                n_prox += 1
            elif 'evdist' in key:
                n_dist += 1
    return n_prox, n_dist


def _check_value(key, value, default):
    """A value must have the kind of its template default (number or text)."""
    if isinstance(default, str):
        ok = isinstance(value, str)
        kind = 'text'
    else:
        ok = isinstance(value, (int, float)) and not isinstance(value, str)
        kind = 'a number'
    if not ok:
        raise ValueError(f'The parameter {key!r} must be {kind}, got {value!r}')


class Params(dict):
    """Model parameters: a dict restricted to HNN's template, with wildcards.

    Parameters
    ----------
    params_input : dict | None
        Values to use; keys of the template not given take their defaults. Keys
        that HNN defines but the model does not use (e.g. ``Itonic_*``,
        ``save_vsoma``) are dropped silently; keys no HNN version defines are
        dropped with a warning that names them.

    Notes
    -----
    ``params['L2Pyr_soma*']`` returns a new Params holding the entries whose key
    matches the shell-style pattern; ``params['gbar_*'] = 0.`` sets every match.
    ``print(params)`` shows the parameters as sorted, indented JSON.
    """

    def __init__(self, params_input=None):
        super().__init__()
        if params_input is None:
            params_input = {}
        _validate_type(params_input, dict, 'params_input')
        template = _template(*_count_evoked_inputs(params_input))
        unknown = [k for k in params_input
                   if k not in template and not _KNOWN_EXTRA.match(str(k))]
        if unknown:
            warnings.warn('Ignoring parameter(s) that no HNN version defines: '
                          f'{", ".join(map(repr, unknown))}', UserWarning,
                          stacklevel=2)
        for key, default in template.items():
            if key in params_input:
                _check_value(key, params_input[key], default)
                dict.__setitem__(self, key, params_input[key])
            else:
                dict.__setitem__(self, key, default)

    @classmethod
    def _from_dict(cls, values):
        """A Params holding exactly ``values`` (no template)."""
        out = cls.__new__(cls)
        dict.update(out, values)
        return out

    def __getitem__(self, key):
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        if isinstance(key, str):
            matches = fnmatch.filter(self.keys(), key)
            if matches:
                return Params._from_dict({k: copy.deepcopy(dict.__getitem__(self, k))
                                          for k in matches})
        raise KeyError(key)

    def __setitem__(self, key, value):
        if not dict.__contains__(self, key) and isinstance(key, str):
            matches = fnmatch.filter(self.keys(), key)
            if matches:
                for k in matches:
                    dict.__setitem__(self, k, value)
                return
            if _WILDCARD.search(key):
                # a mistyped pattern would otherwise be stored as a key of its own
                raise KeyError(f'No parameter matches the pattern {key!r}')
            if key not in _template() and not _KNOWN_EXTRA.match(key):
                warnings.warn(f'{key!r} is not a parameter that any HNN version '
                              'defines: it is stored, but the model does not read it',
                              UserWarning, stacklevel=2)
        dict.__setitem__(self, key, value)

    def copy(self):
        """A deep copy."""
        return Params._from_dict(copy.deepcopy(dict(self)))

    def __str__(self):
        return json.dumps(self, sort_keys=True, indent=4)

    def __repr__(self):
        return f'<Params | {len(self)} parameters>'

    def write(self, fname):
        """Write the parameters to a .json file or a legacy .param file."""
        _validate_type(fname, 'path-like', 'fname')
        ext = op.splitext(str(fname))[1]
        if ext == '.json':
            with open(fname, 'w') as fid:
                json.dump(self, fid)
        elif ext == '.param':
            with open(fname, 'w') as fid:
                for key, value in self.items():
                    if isinstance(value, bool):
                        value = int(value)
                    fid.write(f'{key}: {value!r}\n' if isinstance(value, float)
                              else f'{key}: {value}\n')
        else:
            raise ValueError(f'Unrecognized extension {ext!r} of {fname}; allowed '
                             "extensions are '.json' and '.param'")


def _read_json(fname):
    with open(fname) as fid:
        try:
            params = json.load(fid)
        except json.JSONDecodeError as err:
            raise ValueError(f'{fname} is not valid JSON: {err}') from None
    if not isinstance(params, dict):
        raise ValueError(f'{fname} must hold one JSON object of key: value pairs')
    for key, value in params.items():
        if not isinstance(value, (int, float, str, bool)):
            raise ValueError(f'{fname}: the value of {key!r} must be a number, a '
                             f'boolean or text, got {value!r}')
    return params


def _parse_param_value(text):
    """A float if it has '.' or 'e', else an int, else the text (HNN's rule)."""
    try:
        if '.' in text or 'e' in text:
            return float(text)
        return int(text)
    except ValueError:
        return text


def _read_param_file(fname):
    params, first_line = {}, {}
    with open(fname) as fid:
        for line_no, line in enumerate(fid, start=1):
            stripped = line.strip()
            if not stripped or stripped.startswith('#'):
                continue
            fields = stripped.split(':')
            if len(fields) != 2 or not fields[0].strip():
                raise ValueError(f'{fname}, line {line_no}: expected "key: value", '
                                 f'got {line.rstrip()!r}')
            key, value = fields[0].strip(), fields[1].strip()
            if key in first_line:
                # HNN keeps the last value; say so, as it is most likely a slip
                warnings.warn(f'{fname}, line {line_no}: {key!r} is set again (first '
                              f'on line {first_line[key]}); the last value is used',
                              UserWarning, stacklevel=3)
            first_line.setdefault(key, line_no)
            params[key] = _parse_param_value(value)
    return params


def read_params(params_fname):
    """Read a parameter file.

    Parameters
    ----------
    params_fname : str
        A ``.json`` file (one JSON object) or a legacy ``.param`` file (one
        ``key: value`` per line; a value is a float if it contains '.' or 'e',
        else an integer, else text).

    Returns
    -------
    params : Params
    """
    _validate_type(params_fname, 'path-like', 'params_fname')
    ext = op.splitext(str(params_fname))[1]
    readers = {'.json': _read_json, '.param': _read_param_file}
    if ext not in readers:
        raise ValueError(f'Unrecognized extension {ext!r} of {params_fname}; allowed '
                         "extensions are '.json' and '.param'")
    try:
        values = readers[ext](params_fname)
    except UnicodeDecodeError as err:
        raise ValueError(f'{params_fname} is not a text file ({err.reason} at byte '
                         f'{err.start})') from None
    if not values:
        raise ValueError(f'{params_fname} holds no parameters')
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            params = Params(values)
    except ValueError as err:
        raise ValueError(f'{params_fname}: {err}') from None
    for w in caught:
        warnings.warn(f'{params_fname}: {w.message}', w.category, stacklevel=2)
    return params


def _nulled(drive):
    """Whether a drive from a legacy parameter file is a placeholder that never fires."""
    dyn = drive['dynamics']
    start, stop = dyn.get('tstart'), dyn.get('tstop')
    if start is not None and stop is not None and (start > stop or start < 0 or
                                                   stop < 0):
        return True
    weights = list(drive['weights_ampa'].values()) + list(drive['weights_nmda'].values())
    return not any(w > 0 for w in weights)


def convert_to_json(params_fname, out_fname, include_drives=True, overwrite=True):
    """Turn a parameter file into a network configuration file.

    The parameters (a legacy ``.param`` file, read in HNN-GUI's legacy mode, or
    a flat ``.json`` file) make :func:`~hnn_core.neymotin_2020_model`; its
    drives are the file's, without the placeholder drives legacy files carry
    (a start after the stop, or no positive weight). The network is written with
    :meth:`~hnn_core.Network.write_configuration`, as hnn-core 0.6.1 does.

    Parameters
    ----------
    params_fname : str | path-like
        The parameter file.
    out_fname : str | path-like
        The configuration file to write; ``.json`` is added if missing.
    include_drives : bool
        Include the drives the parameters describe.
    overwrite : bool
        Replace an existing file.
    """
    from pathlib import Path
    from .network_models import neymotin_2020_model
    _validate_type(params_fname, 'path-like', 'params_fname')
    _validate_type(out_fname, 'path-like', 'out_fname')
    _validate_type(include_drives, bool, 'include_drives')
    params_fname, out_fname = Path(params_fname), Path(out_fname)
    if out_fname.suffix != '.json':
        out_fname = out_fname.with_suffix('.json')
    net = neymotin_2020_model(params=read_params(params_fname),
                              add_drives_from_params=include_drives,
                              legacy_mode=params_fname.suffix.lower() == '.param')
    for name in [n for n, d in net.external_drives.items() if _nulled(d)]:
        del net.external_drives[name]
    # hnn-core 0.6.1 adds the drives it keeps again, after the local connections
    drives = net.external_drives
    net.connectivity[:] = ([c for c in net.connectivity if c['src_type'] not in drives]
                           + [c for c in net.connectivity if c['src_type'] in drives])
    net.write_configuration(out_fname, overwrite=overwrite)
