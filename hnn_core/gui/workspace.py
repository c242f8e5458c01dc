"""What one open page of the web interface is working on.

A :class:`Workspace` holds a network (where it came from, its grid, its drives
and tonic biases), the simulation settings, the files uploaded from the page and
the runs started from it. It knows nothing of HTTP: the server turns requests
into its method calls, and every change goes through hnn_core's public API, so a
bad value gets the message a script would get. A change that fails leaves the
workspace as it was.
"""

import contextlib
import copy
import itertools
import os
import os.path as op
import shutil
import tempfile
import warnings

from .._validate import _check_option

# published models offered as starting points: id -> label; the builder is
# hnn_core.network_models.<id>_model
MODELS = {
    'neymotin_2020': "Neymotin et al. 2020 (hnn-core 0.6.1's jones_2009_model)",
    'law_2021': 'Law et al. 2021, beta events (law_2021_model)',
    'calcium': 'Kohl et al. 2022, L5 calcium dynamics (calcium_model)',
}
BACKENDS = ('joblib', 'mpi')
DRIVE_TYPES = ('evoked', 'poisson', 'bursty', 'spike_train', 'tonic')
# a page may not upload more than this (bytes)
MAX_UPLOAD = 50 * 1024 * 1024
_PER_TYPE = ('weights_ampa', 'weights_nmda', 'synaptic_delays', 'probability')


def _max_jobs():
    # one core stays with the server, so that the page answers during a run
    return max(1, (os.cpu_count() or 1) - 1)


def _model_network(model, mesh_shape, erp_drives):
    from .. import network_models
    build = getattr(network_models, f'{model}_model')
    net = build(mesh_shape=mesh_shape)
    if erp_drives:
        network_models.add_erp_drives_to_jones_model(net)
    return net


def _params_network(params, mesh_shape):
    """A parameter file's network, laid out as ``hnn-core simulate`` does."""
    from ..cells_default import pyramidal
    from ..network_models import neymotin_2020_model
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', message='.*cell value', category=UserWarning)
        net = neymotin_2020_model(params, add_drives_from_params=True,
                                  legacy_mode=True, mesh_shape=mesh_shape)
    for cell_type in ('L2_pyramidal', 'L5_pyramidal'):
        net.cell_types[cell_type]['cell_object'] = pyramidal(
            cell_type, override_params=dict(params))
    return net


@contextlib.contextmanager
def _named_as(path, display_name):
    """Errors of reading ``path`` name the file as the page knows it."""
    try:
        yield
    except (OSError, ValueError, TypeError, KeyError, UnicodeDecodeError) as err:
        message = str(err.args[0]) if isinstance(err, KeyError) and err.args else str(err)
        if isinstance(err, KeyError):
            message = f'missing {message!r}'
        message = message.replace(path, display_name)
        if display_name not in message:
            message = f'{display_name}: {message}'
        raise ValueError(message) from None


def _number_or_none(value, name):
    if value is None or value == '':
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f'{name} must be a number, got {value!r}')
    return value


def _drive_form(name, drive):
    """A drive of ``net.external_drives`` in the page's form (plain values)."""
    targets = list(drive.get('target_types') or [])
    form = {'name': name, 'type': drive['type'], 'location': drive['location']}
    for key in _PER_TYPE:
        value = drive.get(key)
        if key.startswith('weights'):
            form[key] = dict(value or {})
        elif isinstance(value, dict):
            form[key] = dict(value)
        else:
            form[key] = {cell_type: value for cell_type in targets}
    for key in ('space_constant', 'cell_specific', 'n_drive_cells', 'event_seed',
                'conn_seed', 'seedcore'):
        form[key] = drive.get(key)
    if drive.get('cell_specific'):
        form['n_drive_cells'] = 'n_cells'
    dynamics = dict(drive['dynamics'])
    if drive['type'] == 'spike_train':
        dynamics = {'n_sources': len(dynamics['source_ids']),
                    'n_spikes': sum(len(t) for t in dynamics['spike_times'])}
    if drive['type'] == 'gaussian':
        form['type'] = 'evoked'
    form['dynamics'] = {k: v for k, v in dynamics.items()
                        if k not in ('sync_within_trial', 'repeats') or v}
    return form


def _bias_forms(net):
    forms = []
    for name, per_type in net.external_biases.items():
        first = next(iter(per_type.values()), {})
        forms.append({'name': name, 'type': 'tonic', 'dynamics': {
            'amplitude': {c: b['amplitude'] for c, b in per_type.items()},
            't0': first.get('t0', 0.), 'tstop': first.get('tstop')}})
    return forms


def _weighted_only(values, weighted):
    return {c: v for c, v in (values or {}).items() if c in weighted}


def _add_from_form(net, form, spike_data=None):
    """Add the drive (or tonic bias) a page's form describes, by the public API."""
    if not isinstance(form, dict):
        raise ValueError(f'drive must be an object, got {form!r:.100}')
    kind = form.get('type')
    _check_option('type', kind, DRIVE_TYPES)
    name = form.get('name')
    if not isinstance(name, str) or not name.strip():
        raise ValueError('name: a drive needs a name (letters, digits, _)')
    dyn = form.get('dynamics') or {}
    if not isinstance(dyn, dict):
        raise ValueError('dynamics must be an object')
    if kind == 'tonic':
        if name in net.external_biases:
            raise ValueError(f'a tonic bias named {name!r} exists already')
        amplitude = {c: a for c, a in (dyn.get('amplitude') or {}).items()
                     if a is not None and a != ''}
        if not amplitude:
            raise ValueError('amplitude: give the current (nA) of at least one '
                             'cell type')
        net.add_tonic_bias(amplitude=amplitude, t0=_number_or_none(dyn.get('t0'), 't0'),
                           tstop=_number_or_none(dyn.get('tstop'), 'tstop'),
                           bias_name=name)
        return
    weights_ampa = {c: w for c, w in (form.get('weights_ampa') or {}).items()
                    if w is not None and w != ''}
    weights_nmda = {c: w for c, w in (form.get('weights_nmda') or {}).items()
                    if w is not None and w != ''}
    weighted = set(weights_ampa) | set(weights_nmda)
    common = dict(location=form.get('location'), weights_ampa=weights_ampa or None,
                  weights_nmda=weights_nmda or None)
    for key in ('synaptic_delays', 'probability'):
        value = form.get(key)
        if isinstance(value, dict):
            value = _weighted_only(value, weighted)
        if value not in (None, {}):
            common[key] = value
    if form.get('space_constant') not in (None, ''):
        common['space_constant'] = form['space_constant']
    if kind == 'spike_train':
        if spike_data is None:
            raise ValueError('spike_train: upload a spike file for this drive')
        net.add_spike_train_drive(name, spike_data=spike_data,
                                  conn_seed=form.get('conn_seed'), **common)
        return
    cell_specific = form.get('cell_specific', kind != 'bursty')
    common['cell_specific'] = cell_specific
    n_drive_cells = form.get('n_drive_cells')
    if cell_specific is True:
        n_drive_cells = 'n_cells'
    if n_drive_cells not in (None, ''):
        common['n_drive_cells'] = n_drive_cells
    if form.get('seedcore') is not None:
        common['seedcore'] = form['seedcore']
    elif form.get('event_seed') not in (None, ''):
        common['event_seed'] = form['event_seed']
    if form.get('conn_seed') not in (None, ''):
        common['conn_seed'] = form['conn_seed']
    if kind == 'evoked':
        net.add_evoked_drive(name, mu=dyn.get('mu'), sigma=dyn.get('sigma'),
                             numspikes=dyn.get('numspikes'), **common)
    elif kind == 'poisson':
        net.add_poisson_drive(name, rate_constant=dyn.get('rate_constant'),
                              tstart=dyn.get('tstart', 0),
                              tstop=_number_or_none(dyn.get('tstop'), 'tstop'),
                              **common)
    else:
        net.add_bursty_drive(name, burst_rate=dyn.get('burst_rate'),
                             tstart=dyn.get('tstart', 0),
                             tstart_std=dyn.get('tstart_std', 0),
                             tstop=_number_or_none(dyn.get('tstop'), 'tstop'),
                             burst_std=dyn.get('burst_std', 0),
                             numspikes=dyn.get('numspikes', 2),
                             spike_isi=dyn.get('spike_isi', 10), **common)


class Workspace:
    """The network, settings, uploads and runs of one open page.

    Parameters
    ----------
    root : str
        Folder in which the workspace makes its own temporary folder; every
        file it writes (uploads, runs) stays inside that folder.
    """

    def __init__(self, root=None):
        self.folder = tempfile.mkdtemp(prefix='page_', dir=root)
        self.runs = {}
        self.uploads = {}
        self.recordings = {}
        self._ids = itertools.count(1)
        self.settings = {'tstop': 170., 'dt': 0.025, 'n_trials': 1,
                         'backend': 'joblib', 'n_jobs': 1}
        self.load_model('neymotin_2020', (10, 10), erp_drives=True)

    # -- the network -------------------------------------------------------------
    def _set_source(self, kind, label, builder, net, postproc=None):
        self.source = {'kind': kind, 'label': label}
        # how HNN shows a dipole: default.json's smoothing (ms) and scaling,
        # or the parameter file's own
        self.postproc = postproc or {'smooth': 30., 'scale': 3000.}
        self._builder = builder
        self.net = net

    def load_model(self, model, mesh_shape=(10, 10), erp_drives=True):
        """Start from a published model (an id of :data:`MODELS`)."""
        _check_option('model', model, tuple(MODELS))
        mesh_shape = self._check_mesh(mesh_shape)
        if not isinstance(erp_drives, bool):
            raise ValueError(f'erp_drives must be true or false, got {erp_drives!r}')
        net = _model_network(model, mesh_shape, erp_drives)
        label = MODELS[model] + (" with HNN's ERP drives" if erp_drives else '')
        self._set_source('model', label,
                         lambda shape: _model_network(model, shape, False), net)

    def load_file(self, path, display_name):
        """Start from an uploaded parameter file (.json, .param) or network file."""
        from ..hnn_io import read_network_configuration
        from ..params import read_params
        ext = op.splitext(display_name)[1].lower()
        _check_option('file extension', ext, ('.json', '.param'))
        kind = 'params'
        if ext == '.json':
            import json
            try:
                with open(path) as fid:
                    data = json.load(fid)
            except (UnicodeDecodeError, ValueError) as err:
                raise ValueError(f'{display_name} is not a JSON file: {err}') from None
            if isinstance(data, dict) and 'object_type' in data:
                kind = 'network'
        with _named_as(path, display_name):
            if kind == 'network':
                net = read_network_configuration(path)
            else:
                params = read_params(path)
        if kind == 'network':
            self._set_source('network', f'network file {display_name}', None, net)
            return
        with _named_as(path, display_name):
            net = _params_network(params, (params['N_pyr_x'], params['N_pyr_y']))
            postproc = {'smooth': float(params.get('dipole_smooth_win', 30.)),
                        'scale': float(params.get('dipole_scalefctr', 3000.))}
            # the file's run settings, checked as the page's own before anything changes
            old = dict(self.settings)
            try:
                self.set_settings(tstop=params.get('tstop'), dt=params.get('dt'),
                                  n_trials=max(int(params.get('N_trials', 1)), 1))
            except ValueError:
                self.settings = old
                raise
        self._set_source('params', f'parameter file {display_name}',
                         lambda shape: _params_network(params, shape), net, postproc)

    @staticmethod
    def _check_mesh(mesh_shape):
        if (not isinstance(mesh_shape, (list, tuple)) or len(mesh_shape) != 2 or
                not all(isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= 100
                        for n in mesh_shape)):
            raise ValueError('mesh_shape must be two whole numbers from 1 to 100 '
                             f'(pyramidal cells along x and y), got {mesh_shape!r}')
        return tuple(mesh_shape)

    def set_grid(self, mesh_shape=None, inplane_distance=None, layer_separation=None):
        """Change the grid size (rebuilding the network, drives kept) or spacings."""
        net = self.net
        if mesh_shape is not None and tuple(mesh_shape) != tuple(net.mesh_shape):
            mesh_shape = self._check_mesh(mesh_shape)
            if self._builder is None:
                raise ValueError("mesh_shape: the grid of a network file is fixed (its "
                                 'connections name every cell); start from a model or '
                                 'a parameter file to change it')
            net = self._rebuilt(self._builder(mesh_shape))
        else:
            net = net.copy()
        net.set_cell_positions(inplane_distance=inplane_distance,
                               layer_separation=layer_separation)
        self.net = net

    def _rebuilt(self, base):
        """``base`` with this network's drives and biases added again, in order."""
        from ..hnn_io import _add_drive, network_to_dict
        base.clear_drives()
        base.external_biases.clear()
        data = network_to_dict(self.net)
        for name in self.net.external_drives:
            _add_drive(base, data['external_drives'][name], f'drive {name!r}')
        base.external_biases.update(copy.deepcopy(self.net.external_biases))
        base.set_cell_positions(inplane_distance=self.net.inplane_distance,
                                layer_separation=self.net.layer_separation)
        return base

    def drive_forms(self):
        return ([_drive_form(name, d) for name, d in self.net.external_drives.items()] +
                _bias_forms(self.net))

    def set_drive(self, form, replace=None):
        """Add a drive, or replace the drive (or bias) named ``replace``."""
        net = self.net.copy()
        spike_data = None
        if isinstance(form, dict) and form.get('type') == 'spike_train':
            upload = (form.get('dynamics') or {}).get('upload')
            if upload is not None:
                spike_data = self._upload(upload, 'spikes')['data']
            elif replace in net.external_drives:
                dyn = net.external_drives[replace]['dynamics']
                spike_data = dict(zip(dyn['source_ids'], dyn['spike_times']))
        if replace is not None:
            self._remove(net, replace)
        _add_from_form(net, form, spike_data)
        self.net = net

    def remove_drive(self, name):
        net = self.net.copy()
        self._remove(net, name)
        self.net = net

    @staticmethod
    def _remove(net, name):
        if name in net.external_drives:
            del net.external_drives[name]
        elif name in net.external_biases:
            del net.external_biases[name]
        else:
            raise KeyError(f'no drive or tonic bias named {name!r}')

    # -- settings ------------------------------------------------------------------
    def set_settings(self, tstop=None, dt=None, n_trials=None, backend=None,
                     n_jobs=None):
        new = dict(self.settings)
        for key, value in (('tstop', tstop), ('dt', dt)):
            if value is not None:
                if (isinstance(value, bool) or not isinstance(value, (int, float)) or
                        not value > 0):
                    raise ValueError(f'{key} must be a positive number (ms), got '
                                     f'{value!r}')
                new[key] = float(value)
        if new['dt'] > new['tstop']:
            raise ValueError(f"dt ({new['dt']} ms) must not exceed tstop "
                             f"({new['tstop']} ms)")
        for key, value, high in (('n_trials', n_trials, 1000),
                                 ('n_jobs', n_jobs, _max_jobs())):
            if value is not None:
                if (isinstance(value, bool) or not isinstance(value, int) or
                        not 1 <= value <= high):
                    raise ValueError(f'{key} must be a whole number from 1 to {high}, '
                                     f'got {value!r}')
                new[key] = value
        if backend is not None:
            _check_option('backend', backend, BACKENDS)
            new['backend'] = backend
        self.settings = new

    # -- files from the page ---------------------------------------------------------
    def new_path(self, suffix=''):
        """A fresh file name inside this workspace's folder (never the client's)."""
        return op.join(self.folder, f'upload_{next(self._ids)}{suffix}')

    def add_upload(self, path, display_name, kind):
        """Parse an uploaded file with the package's readers and keep it."""
        _check_option('kind', kind, ('spikes', 'recording'))
        upload_id = f'u{next(self._ids)}'
        if kind == 'spikes':
            from ..cell_response import read_spikes
            try:
                response = read_spikes(path)
            except (OSError, ValueError, UnicodeDecodeError) as err:
                message = str(err).replace(path, display_name)
                raise ValueError(f'{display_name}: not a spike file ({message})') from None
            data = list(zip(response.spike_times[0], response.spike_gids[0]))
            if not data:
                raise ValueError(f'{display_name}: the file has no spikes')
            n_sources = len({gid for _, gid in data})
            record = {'id': upload_id, 'name': display_name, 'kind': kind,
                      'summary': f'{n_sources} sources, {len(data)} spikes',
                      'data': data}
            self.uploads[upload_id] = record
        else:
            from ..dipole import read_dipole
            try:
                dpl = read_dipole(path)
            except (OSError, ValueError, UnicodeDecodeError, IndexError) as err:
                message = str(err).replace(path, display_name)
                raise ValueError(f'{display_name}: not a dipole file ({message})') from None
            if len(dpl.times) < 2:
                raise ValueError(f'{display_name}: a recording needs at least two '
                                 'samples')
            record = {'id': f'r{upload_id[1:]}', 'name': display_name,
                      'kind': kind, 'n_times': len(dpl.times), 'dipole': dpl,
                      'path': path}
            self.recordings[record['id']] = record
        return record

    def _upload(self, upload_id, kind):
        record = self.uploads.get(upload_id)
        if record is None or record['kind'] != kind:
            raise ValueError(f'upload {upload_id!r} is not a {kind} file of this page')
        return record

    def recording(self, recording_id):
        if recording_id not in self.recordings:
            raise KeyError(f'no recording {recording_id!r}')
        return self.recordings[recording_id]

    # -- runs ------------------------------------------------------------------------
    def _run_folder(self):
        number = next(self._ids)
        folder = op.join(self.folder, f'run_{number}')
        os.makedirs(folder)
        return number, folder

    def start_run(self, name=None):
        """Simulate the network as it is now with the settings; the new Run."""
        from ..hnn_io import write_network_configuration
        from .runs import Run
        self.net.check_drives()
        number, folder = self._run_folder()
        write_network_configuration(self.net, op.join(folder, 'network.json'))
        run = Run(f'run{number}', self._run_name(name, 'run'), folder,
                  dict(self.settings, kind='simulation'))
        self.runs[run.id] = run
        return run

    def _run_name(self, name, default):
        if name in (None, ''):
            kind = 'fit' if default == 'fit' else 'simulation'
            count = sum(run.job['kind'] == kind for run in self.runs.values())
            return f'{default} {count + 1}'
        if not isinstance(name, str) or len(name) > 100:
            raise ValueError('name must be a text of at most 100 characters')
        return name

    def start_fit(self, request):
        """Fit drive parameters to a recording (see :mod:`.fitting`); the new Run.

        ``request`` has ``recording`` (its id), ``params`` (a list of
        ``{'drive', 'key', 'low', 'high'}``), ``solver``, ``max_iter``, and
        ``smooth`` (ms) and ``scale`` applied to the simulated dipole before it
        is compared, and ``tstop`` (ms; default the settings'): the fit spans 0
        to tstop, and the fitted network is then simulated that long.
        """
        from ..hnn_io import write_network_configuration
        from ..optimization import Optimizer
        from .fitting import current_value, set_drive_params
        from .runs import Run
        recording = self.recording(request.get('recording'))
        params = request.get('params')
        if not isinstance(params, list) or not params:
            raise ValueError('params: choose at least one drive parameter to fit')
        constraints = {}
        for entry in params:
            if not isinstance(entry, dict):
                raise ValueError(f'params: each entry is an object, got {entry!r:.80}')
            name = f"{entry.get('drive')}.{entry.get('key')}"
            current_value(self.net, name)  # a named error for an unknown parameter
            constraints[name] = (entry.get('low'), entry.get('high'))
        tstop = request.get('tstop')
        if tstop in (None, ''):
            tstop = self.settings['tstop']
        if isinstance(tstop, bool) or not isinstance(tstop, (int, float)) or tstop <= 0:
            raise ValueError(f'tstop must be a positive number (ms), got {tstop!r}')
        tstop = float(tstop)
        if recording['dipole'].times[-1] < tstop:
            raise ValueError(f"the recording {recording['name']!r} ends at "
                             f"{recording['dipole'].times[-1]:g} ms, before tstop "
                             f'({tstop:g} ms): set a shorter tstop')
        for key in ('tstart',):
            if request.get(key) not in (None, '', 0):
                raise ValueError('tstart: a fit compares from 0 ms to tstop, as '
                                 "hnn-core 0.6.1's objective does")
        smooth = request.get('smooth') or 0
        scale = request.get('scale', 1.)
        for key, value in (('smooth', smooth), ('scale', scale)):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f'{key} must be a number, got {value!r}')
        # the API's own checks (bounds, solver, max_iter) before any process starts
        Optimizer(self.net, tstop=tstop, constraints=constraints,
                  set_params=set_drive_params, solver=request.get('solver', 'cobyla'),
                  max_iter=request.get('max_iter', 10))
        number, folder = self._run_folder()
        write_network_configuration(self.net, op.join(folder, 'network.json'))
        shutil.copy(recording['path'], op.join(folder, 'recording' +
                                               op.splitext(recording['path'])[1]))
        job = dict(self.settings, kind='fit', tstop=tstop, solver=request.get('solver', 'cobyla'),
                   max_iter=request.get('max_iter', 10), smooth=smooth, scale=scale,
                   recording='recording' + op.splitext(recording['path'])[1],
                   params=[{'name': n, 'low': lo, 'high': hi}
                           for n, (lo, hi) in constraints.items()],
                   initial={n: current_value(self.net, n) for n in constraints})
        run = Run(f'run{number}', self._run_name(request.get('name'), 'fit'), folder,
                  job)
        self.runs[run.id] = run
        return run

    # -- what the page shows -----------------------------------------------------------
    def state(self):
        net = self.net
        return {
            'source': self.source,
            'postproc': dict(self.postproc),
            'models': [{'id': k, 'label': v} for k, v in MODELS.items()],
            'mesh_shape': list(net.mesh_shape),
            'grid_editable': self._builder is not None,
            'inplane_distance': net.inplane_distance,
            'layer_separation': net.layer_separation,
            'cell_types': list(net.cell_types),
            'n_cells': {c: len(net.gid_ranges[c]) for c in net.cell_types},
            'locations': _locations(net),
            'drives': self.drive_forms(),
            'settings': dict(self.settings, max_jobs=_max_jobs(),
                             backends=list(BACKENDS)),
            'runs': [run.summary() for run in self.runs.values()],
            'recordings': [{'id': r['id'], 'name': r['name'], 'n_times': r['n_times']}
                           for r in self.recordings.values()],
            'uploads': [{k: u[k] for k in ('id', 'name', 'kind', 'summary')}
                        for u in self.uploads.values()],
        }

    def close(self):
        """End every run of the page and remove its folder."""
        for run in self.runs.values():
            run.cancel()
        shutil.rmtree(self.folder, ignore_errors=True)


def _locations(net):
    groups = set()
    for entry in net.cell_types.values():
        groups.update(entry['cell_object'].sect_loc)
    ordered = [loc for loc in ('proximal', 'distal') if loc in groups]
    return ordered + sorted(groups - set(ordered))
