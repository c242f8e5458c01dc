"""The ``hnn-core simulate`` command line: files, values, progress and errors."""
import contextlib
import io
import json
import os
import os.path as op
import re
import subprocess
import sys

import numpy as np
import pytest

from hnn_core import (neymotin_2020_model, read_dipole, read_params, read_spikes,
                      simulate_dipole)
from hnn_core import backends
from hnn_core._progress import ProgressBar, SimulationProgress
from hnn_core.backends import MPIBackend
from hnn_core.cli import main
from hnn_core.network import DEFAULT_PARAMS
from hnn_core import simulation

from conftest import DATA

TINY = ['--mesh', '1', '1', '--tstop', '20']
LAYERS = ('agg', 'L2', 'L5')


class _Terminal(io.StringIO):
    """A captured stream that claims to be a terminal."""

    def isatty(self):
        return True


def run_main(argv, terminal=False):
    """main(argv) in this process; its exit code, stdout and stderr."""
    out = io.StringIO()
    err = _Terminal() if terminal else io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def run_subprocess(argv, cwd):
    """``python -m hnn_core.cli argv``; the completed process."""
    return subprocess.run([sys.executable, '-m', 'hnn_core.cli'] + argv, cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def reference(tstop, n_trials, params=None, smooth=0, scale=1):
    """Dipoles and spikes of the CLI's network, simulated directly."""
    net = neymotin_2020_model(params, add_drives_from_params=True, legacy_mode=True,
                           mesh_shape=(1, 1))
    dpls = simulate_dipole(net, tstop=tstop, n_trials=n_trials, verbose=False)
    for dpl in dpls:
        if smooth:
            dpl.smooth(smooth)
        if scale != 1:
            dpl.scale(scale)
    return dpls, net.cell_response


def assert_same_dipole(fname, dpl):
    """The file holds dpl's times and layers to 4 decimals."""
    read = read_dipole(fname)
    np.testing.assert_array_almost_equal(read.times, dpl.times, decimal=3)
    for layer in LAYERS:
        np.testing.assert_array_almost_equal(read.data[layer], dpl.data[layer],
                                             decimal=4, err_msg=layer)


def assert_same_spikes(pattern, cell_response):
    """The spike files hold cell_response's spikes (times to 3 decimals)."""
    read = read_spikes(pattern)
    assert len(read) == len(cell_response)
    for trial in range(len(cell_response)):
        np.testing.assert_array_almost_equal(read.spike_times[trial],
                                             cell_response.spike_times[trial],
                                             decimal=3)
        assert read.spike_gids[trial] == cell_response.spike_gids[trial]
        assert read.spike_types[trial] == cell_response.spike_types[trial]


def wrote(stdout):
    """The file names after the 'Wrote:' line, checking that nothing else is there."""
    lines = stdout.splitlines()
    assert lines[0] == 'Wrote:', stdout
    return lines[1:]


@pytest.fixture(scope='module')
def tiny_run(tmp_path_factory):
    """The tiny two-trial run with a figure, on a (pretend) terminal."""
    out_dir = str(tmp_path_factory.mktemp('cli') / 'out')
    code, stdout, stderr = run_main(['simulate'] + TINY + ['--trials', '2', '--plot',
                                                           '--out', out_dir],
                                    terminal=True)
    return dict(code=code, stdout=stdout, stderr=stderr, out_dir=out_dir)


@pytest.fixture(scope='module')
def reference_20ms():
    return reference(tstop=20., n_trials=2)


@pytest.fixture(scope='module')
def reference_40ms():
    """A run long enough for the first evoked drive (~26 ms) to make spikes."""
    return reference(tstop=40., n_trials=1)


def test_tiny_run_writes_files(tiny_run, reference_20ms):
    """Files of each trial, their average and the figure; values as simulated."""
    assert tiny_run['code'] == 0
    out_dir = tiny_run['out_dir']
    names = ['dipole_0.txt', 'dipole_1.txt', 'dipole_average.txt', 'spikes_0.txt',
             'spikes_1.txt', 'dipole.png']
    assert sorted(os.listdir(out_dir)) == sorted(names)
    # stdout: the 'Wrote:' line, then the absolute path of every file, in order
    assert wrote(tiny_run['stdout']) == [op.abspath(op.join(out_dir, name))
                                         for name in names]
    dpls, cell_response = reference_20ms
    for trial, dpl in enumerate(dpls):
        assert_same_dipole(op.join(out_dir, f'dipole_{trial}.txt'), dpl)
    average = read_dipole(op.join(out_dir, 'dipole_average.txt'))
    for layer in LAYERS:
        np.testing.assert_array_almost_equal(
            average.data[layer], np.mean([d.data[layer] for d in dpls], axis=0),
            decimal=4)
    assert_same_spikes(op.join(out_dir, 'spikes_*.txt'), cell_response)
    with open(op.join(out_dir, 'dipole.png'), 'rb') as fid:
        assert fid.read(8) == b'\x89PNG\r\n\x1a\n'


def test_progress_bar_on_terminal(tiny_run):
    """On a terminal, a bar per trial and within trials, ending at 100 %."""
    stderr = tiny_run['stderr']
    assert 'trial 1/2' in stderr and 'trial 2/2' in stderr
    assert ' 50%' in stderr  # trial 2 starts half-way
    frames = stderr.rstrip('\n').split('\r')
    assert frames[-1].startswith('[' + '#' * 30 + '] 100%'), frames[-1]
    assert stderr.endswith('\n')
    # the simulation's own progress lines were turned into the bar
    assert 'Simulation time' not in tiny_run['stdout'] + stderr


@pytest.mark.parametrize('options, terminal', [(['--quiet'], True), ([], False)])
def test_no_progress_when_quiet_or_not_a_terminal(tmp_path, options, terminal):
    out_dir = str(tmp_path / 'run%1')  # a '%' in the directory is kept as is
    code, stdout, stderr = run_main(['simulate', '--mesh', '1', '1', '--tstop', '5',
                                     '--out', out_dir] + options, terminal=terminal)
    assert code == 0
    assert stderr == ''
    assert wrote(stdout) == [op.join(out_dir, 'dipole_0.txt'),
                             op.join(out_dir, 'spikes_0.txt')]
    assert sorted(os.listdir(out_dir)) == ['dipole_0.txt', 'spikes_0.txt']


def test_param_file(tmp_path):
    """A legacy .param file: its own seeds and drives, as read_params gives them."""
    fname = op.join(DATA, 'default.param')
    code, stdout, stderr = run_main(['simulate', fname, '--mesh', '1', '1',
                                     '--tstop', '40', '--out', str(tmp_path)])
    assert code == 0, stderr
    assert len(wrote(stdout)) == 2  # N_trials is 1 in the file
    dpls, cell_response = reference(40., 1, params=read_params(fname))
    assert len(cell_response.spike_times[0]) > 0
    assert_same_dipole(tmp_path / 'dipole_0.txt', dpls[0])
    assert_same_spikes(str(tmp_path / 'spikes_*.txt'), cell_response)


@pytest.mark.parametrize('options, smooth, scale', [
    (['--hnn-postproc'], 30, 3000),  # default.json's dipole_smooth_win, scalefctr
    (['--smooth', '5', '--scale', '2'], 5, 2),
    (['--hnn-postproc', '--scale', '2'], 30, 2),
    (['--hnn-postproc', '--smooth', '0'], 0, 3000),
])
def test_postprocessing(tmp_path, reference_40ms, options, smooth, scale):
    code, stdout, stderr = run_main(['simulate', '--mesh', '1', '1', '--tstop',
                                     '40', '--out', str(tmp_path)] + options)
    assert code == 0, stderr
    dpls, cell_response = reference_40ms
    expected = dpls[0].copy()
    if smooth:
        expected.smooth(smooth)
    expected.scale(scale)
    assert_same_dipole(tmp_path / 'dipole_0.txt', expected)
    assert_same_spikes(str(tmp_path / 'spikes_*.txt'), cell_response)


def test_help():
    code, stdout, stderr = run_main(['simulate', '--help'])
    assert code == 0 and stderr == ''
    for text in ('dipole_<k>.txt', 'dipole_average.txt', 'spikes_<k>.txt',
                 'dipole.png', 'read_dipole', 'read_spikes', 'default.json',
                 '--hnn-postproc', 'examples:'):
        assert text in stdout, text
    code, stdout, _ = run_main(['--help'])
    assert code == 0 and 'simulate' in stdout


def _broken_json(tmp_path):
    fname = tmp_path / 'broken.json'
    fname.write_text('{"tstop": 20,\n')
    return str(fname)


def _no_trials(tmp_path):
    """default.json with N_trials 0 (a complete file: no note on defaults taken)."""
    params = json.loads(open(DEFAULT_PARAMS).read())
    params['N_trials'] = 0
    fname = tmp_path / 'no_trials.json'
    fname.write_text(json.dumps(params))
    return str(fname)


def _malformed_param(tmp_path):
    fname = tmp_path / 'malformed.param'
    fname.write_text('tstop: 20\nN_trials 2\n')
    return str(fname)


ERROR_CASES = {
    'missing file': (lambda tmp_path: [str(tmp_path / 'missing.json')], 2,
                     'parameter file not found'),
    'broken JSON': (lambda tmp_path: [_broken_json(tmp_path)], 1, 'not valid JSON'),
    'malformed .param': (lambda tmp_path: [_malformed_param(tmp_path)], 1,
                         'line 2: expected "key: value"'),
    'N_trials 0 in the file': (lambda tmp_path: [_no_trials(tmp_path)], 1,
                               "the parameter file's N_trials must be at least 1, "
                               'got 0; give --trials'),
    'zero trials': (lambda tmp_path: ['--trials', '0'], 2,
                    'argument --trials: must be at least 1'),
    'unknown backend': (lambda tmp_path: ['--backend', 'foo'], 2,
                        "invalid choice: 'foo'"),
}


@pytest.mark.parametrize('case', ERROR_CASES)
def test_errors_in_process(tmp_path, case):
    make_args, expected_code, message = ERROR_CASES[case]
    code, stdout, stderr = run_main(['simulate', '--out', str(tmp_path / 'out')] +
                                    make_args(tmp_path))
    assert code == expected_code
    assert stdout == ''
    assert stderr.startswith('hnn-core: error: ') and message in stderr, stderr
    assert stderr.count('\n') == 1 and 'Traceback' not in stderr
    assert not op.exists(tmp_path / 'out')  # nothing is created before the checks


@pytest.mark.slow  # a Python process per case
@pytest.mark.parametrize('case', ERROR_CASES)
def test_errors_in_subprocess(tmp_path, case):
    make_args, expected_code, message = ERROR_CASES[case]
    proc = run_subprocess(['simulate'] + make_args(tmp_path), cwd=tmp_path)
    assert proc.returncode == expected_code
    assert proc.stdout == ''
    assert proc.stderr.startswith('hnn-core: error: ') and message in proc.stderr
    assert proc.stderr.count('\n') == 1 and 'Traceback' not in proc.stderr


@pytest.mark.slow  # the installed command, in its own processes
def test_subprocess_run_and_help(tmp_path):
    proc = run_subprocess(['simulate'] + TINY + ['--quiet', '--out', 'o'], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert wrote(proc.stdout) == [str(tmp_path / 'o' / 'dipole_0.txt'),
                                  str(tmp_path / 'o' / 'spikes_0.txt')]
    assert proc.stderr == ''
    proc = run_subprocess(['simulate', '--help'], cwd=tmp_path)
    assert proc.returncode == 0 and 'spikes_<k>.txt' in proc.stdout


@pytest.mark.parametrize('options, message', [
    (['--jobs', '2'], '--jobs needs --backend joblib'),
    (['--mesh', '0', '1'], 'argument --mesh: must be at least 1'),
    (['--tstop', '-5'], 'argument --tstop: must be greater than 0'),
    (['--dt', '30'], 'the time step (--dt: 30.0 ms) is longer than the simulation '
                     '(--tstop: 20.0 ms)'),
    (['--smooth', '0.5'], '--smooth: the smoothing window must be 0 (none) or at '
                          'least 1 ms'),
    (['--hnn-postproc'], "--hnn-postproc (the parameter file's dipole_smooth_win): "
                         'the smoothing window (30.0 ms) is longer than the simulation'),
    (['--tstop', '1e308'], '1e+308 ms in steps of 0.025 ms need more than 2147483647 '
                           'samples'),
    (['--smooth', '1e308'], '--smooth: the smoothing window (1e+308 ms) is longer '
                            'than the simulation'),
    (['--out'], 'expected one argument'),
    (['params.txt'], 'must end in .json or .param'),
    (['--out', 'params.txt'], '--out params.txt is a file, not a directory'),
])
def test_bad_option_values(tmp_path, monkeypatch, options, message):
    (tmp_path / 'params.txt').write_text('tstop: 20\n')
    monkeypatch.chdir(tmp_path)
    code, stdout, stderr = run_main(['simulate'] + TINY + options)
    assert code == 2
    assert stdout == '' and message in stderr, stderr
    assert stderr.count('\n') == 1 and 'Traceback' not in stderr


def test_mpi_failure_is_one_line(tmp_path, monkeypatch):
    """An MPI failure report (ranks' tracebacks) becomes one line, exit code 1."""
    def fail(self, plan, verbose=True, progress=None):
        raise RuntimeError('The MPI simulation failed (mpiexec exit code 1).\n'
                           '--- rank 1 ---\nTraceback (most recent call last):\n'
                           '  File "x.py", line 1, in <module>\n'
                           'MemoryError: rank 1 ran out of memory')
    monkeypatch.setattr(backends, '_find_mpiexec', lambda cmd: '/bin/true')
    monkeypatch.setattr(MPIBackend, 'simulate', fail)
    code, stdout, stderr = run_main(['simulate'] + TINY + ['--backend', 'mpi',
                                                           '--jobs', '2', '--out',
                                                           str(tmp_path)])
    assert code == 1 and stdout == ''
    assert stderr == ('hnn-core: error: The MPI simulation failed (mpiexec exit code '
                      '1). ... MemoryError: rank 1 ran out of memory\n')


def test_mpi_launcher_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(backends, '_find_mpiexec', lambda cmd: None)
    code, stdout, stderr = run_main(['simulate'] + TINY + ['--backend', 'mpi',
                                                           '--jobs', '2', '--out',
                                                           str(tmp_path)])
    assert code == 1 and stdout == ''
    assert stderr.startswith("hnn-core: error: --backend mpi: no MPI launcher")


@pytest.mark.parametrize('backend', ['joblib',
                                     pytest.param('mpi', marks=pytest.mark.slow)])
def test_parallel_backends_match_serial(tmp_path, tiny_run, capfd, backend):
    """Same files as the serial run; worker processes print nothing to stdout."""
    if backend == 'mpi' and backends._find_mpiexec('mpiexec') is None:
        pytest.skip('no MPI launcher (pip install mpich)')
    capfd.readouterr()
    code = main(['simulate'] + TINY + ['--trials', '2', '--backend', backend,
                                       '--jobs', '2', '--out', str(tmp_path)])
    captured = capfd.readouterr()
    assert code == 0, captured.err
    names = ['dipole_0.txt', 'dipole_1.txt', 'dipole_average.txt', 'spikes_0.txt',
             'spikes_1.txt']
    assert wrote(captured.out) == [str(tmp_path / name) for name in names]
    assert captured.err == ''
    for name in names:
        assert (tmp_path / name).read_text() == \
            open(op.join(tiny_run['out_dir'], name)).read(), name


@pytest.mark.slow  # launches MPI
def test_default_backend_spreads_one_trial_over_the_cores(tmp_path, monkeypatch,
                                                          capfd):
    """--backend auto (the default): one large trial over every core's rank."""
    if backends._find_mpiexec('mpiexec') is None:
        pytest.skip('no MPI launcher (pip install mpich)')
    args = ['simulate', '--mesh', '1', '1', '--tstop', '40', '--trials', '1']
    assert run_main(args + ['--backend', 'serial', '--out',
                            str(tmp_path / 'serial')])[0] == 0
    used = []
    real = backends._DefaultRanks.simulate
    monkeypatch.setattr(backends._DefaultRanks, 'simulate',
                        lambda self, *a, **k: used.append(self.n_procs) or
                        real(self, *a, **k))
    monkeypatch.setattr(backends, '_MIN_WORK_FOR_CORES', 0)  # TINY is small
    monkeypatch.setattr(backends, '_usable_cores', lambda: 2)
    monkeypatch.delenv('HNN_CORE_CORES', raising=False)
    capfd.readouterr()
    code = main(args + ['--out', str(tmp_path)])
    captured = capfd.readouterr()
    assert code == 0 and captured.err == '', captured.err
    assert used == [2]
    # CoreNEURON over ranks rounds a few operations differently (test_mpi.py)
    spikes = (tmp_path / 'serial' / 'spikes_0.txt').read_text()
    assert 'L2_pyramidal' in spikes  # cells fire within 40 ms
    assert (tmp_path / 'spikes_0.txt').read_text() == spikes  # times to 1 us
    mine, serial = (np.loadtxt(path / 'dipole_0.txt')
                    for path in (tmp_path, tmp_path / 'serial'))
    np.testing.assert_allclose(mine, serial, rtol=0,
                               atol=1e-9 * np.abs(serial).max())


def test_note_about_files_of_an_earlier_run(tmp_path):
    args = ['simulate'] + TINY + ['--out', str(tmp_path)]
    assert run_main(args + ['--trials', '2'])[0] == 0
    code, stdout, stderr = run_main(args + ['--trials', '1'])
    assert code == 0 and len(wrote(stdout)) == 2
    assert stderr.startswith('hnn-core: note: ')
    assert 'dipole_1.txt, dipole_average.txt, spikes_1.txt' in stderr
    assert run_main(args + ['--trials', '1', '--quiet'])[2] == ''


# -- the progress helpers ------------------------------------------------------------
class _Clock:
    def __init__(self):
        self.now = 0.

    def __call__(self):
        return self.now


def test_progress_bar_drawing():
    stream, clock = io.StringIO(), _Clock()
    bar = ProgressBar(stream, width=10, clock=clock)
    assert bar.render(0.5, 'trial 1/2') == '[#####.....]  50%  trial 1/2  0:00'
    assert bar.render(None, 'busy') == '[..........]   ?%  busy  0:00'
    bar.update(0.25, 'a longer label')
    bar.update(0.25)  # same text: not drawn again
    clock.now = 61.
    bar.update(1.2, 'done')  # clipped; the shorter line blanks the longer one
    bar.close()
    bar.close()
    first = '[##........]  25%  a longer label  0:00'
    last = '[##########] 100%  done  1:01'
    assert stream.getvalue() == ('\r' + first + '\r' + last +
                                 ' ' * (len(first) - len(last)) + '\n')


def test_simulation_progress_follows_events():
    from hnn_core.progress import ProgressEvent
    stream = io.StringIO()
    bar = ProgressBar(stream, width=10, clock=_Clock())
    sink = SimulationProgress(bar, n_trials=2, tstop=100.)

    def event(kind, trial, **kwargs):
        sink(ProgressEvent(kind, trial=trial, n_trials=2, tstop=100., **kwargs))

    event('build', 0)
    assert sink.fraction == 0.
    event('built', 0)
    event('start', 0)
    event('time', 0, t=50.)
    assert sink.fraction == pytest.approx(0.25)
    event('done', 0)
    assert sink.fraction == pytest.approx(0.5)
    event('build', 1)
    event('start', 1)
    event('time', 1, t=90.)
    assert sink.fraction == pytest.approx(0.95)
    sink.finish()
    frames = stream.getvalue().rstrip('\n').split('\r')[1:]
    labels = [re.fullmatch(r'\[[#.]{10}\] +\d+%  (.+)  0:00 *', frame).group(1)
              for frame in frames]
    assert labels == [
        'trial 1/2: building the network', 'trial 1/2', 'trial 1/2',
        '1/2 trial(s) done', 'trial 2/2: building the network', 'trial 2/2',
        'trial 2/2', '2 trial(s) done']
    assert frames[-1].startswith('[##########] 100%')


# -- hardening (issue 17) ------------------------------------------------------------
def _no_simulation(monkeypatch):
    """Make simulate_dipole record that it ran, and fail, instead of simulating."""
    calls = []

    def simulate_dipole(*args, **kwargs):
        calls.append(kwargs)
        raise RuntimeError('the simulation ran')

    monkeypatch.setattr(simulation, 'simulate_dipole', simulate_dipole)
    return calls


def _unwritable_folders(tmp_path):
    (tmp_path / 'a_file').write_text('')
    folders = [str(tmp_path / 'a_file' / 'out')]
    # /proc takes no files, even from root, and exists: found only after the run
    if op.isdir('/proc') and not os.access('/proc/hnn_core_probe', os.F_OK):
        folders.append('/proc')
    return folders


def test_unwritable_out_is_found_before_the_run(tmp_path, monkeypatch):
    for folder in _unwritable_folders(tmp_path):
        calls = _no_simulation(monkeypatch)
        code, stdout, stderr = run_main(['simulate'] + TINY + ['--out', folder])
        assert calls == [], folder
        assert code == 2 and stdout == '', stderr
        assert stderr.startswith(f'hnn-core: error: --out: cannot write files in '
                                 f'{folder}: '), stderr
        assert stderr.count('\n') == 1


@pytest.mark.parametrize('option, value, source', [
    ('--dt', '10', '--dt 10'),
    (None, 5., "the parameter file's dt (5.0 ms)"),
])
def test_time_step_longer_than_a_delay_is_named(tmp_path, option, value, source):
    """A dt longer than the network's smallest delay (which CoreNEURON aborted on)
    is refused before the run, naming where the dt came from."""
    params = json.loads(open(DEFAULT_PARAMS).read())
    if option is None:
        params['dt'] = value
    fname = tmp_path / 'p.json'
    fname.write_text(json.dumps(params))
    options = [option, value] if option else []
    code, stdout, stderr = run_main(['simulate', str(fname)] + TINY + options +
                                    ['--out', str(tmp_path / 'out')])
    assert code == (2 if option else 1) and stdout == ''
    assert stderr.startswith(f'hnn-core: error: {source}: dt ') and \
        'smallest synaptic delay' in stderr, stderr
    assert stderr.count('\n') == 1
    assert not op.exists(tmp_path / 'out' / 'dipole_0.txt')


@pytest.mark.parametrize('options, named', [
    (['--tstop', '1e12'], '--tstop'),
    (['--tstop', '60', '--dt', '1e-9'], '--dt'),
])
def test_more_samples_than_the_engine_holds(tmp_path, monkeypatch, options, named):
    """NEURON's vectors hold at most 2**31 - 1 values: say so instead of running."""
    calls = _no_simulation(monkeypatch)
    code, stdout, stderr = run_main(['simulate', '--mesh', '1', '1'] + options +
                                    ['--out', str(tmp_path)])
    assert calls == []
    assert code == 2 and stdout == ''
    assert stderr.startswith('hnn-core: error: ') and named in stderr and \
        '2147483647' in stderr, stderr


@pytest.mark.parametrize('error, shown', [
    (ZeroDivisionError('float division by zero'),
     'unexpected ZeroDivisionError: float division by zero'),
    (MemoryError(), 'out of memory'),
    (RecursionError('maximum recursion depth exceeded'),
     'unexpected RecursionError: maximum recursion depth exceeded'),
])
def test_unexpected_errors_are_one_line(tmp_path, monkeypatch, error, shown):
    def fail(*args, **kwargs):
        raise error
    monkeypatch.setattr(simulation, 'simulate_dipole', fail)
    code, stdout, stderr = run_main(['simulate'] + TINY + ['--out', str(tmp_path)])
    assert code == 1 and stdout == ''
    assert stderr.startswith('hnn-core: error: ') and shown in stderr, stderr
    assert stderr.count('\n') == 1 and 'Traceback' not in stderr


@contextlib.contextmanager
def _small_disk(path, size):
    """A tmpfs of ``size`` mounted at ``path`` (root only): a disk that fills up."""
    os.makedirs(path)
    proc = subprocess.run(['mount', '-t', 'tmpfs', '-o', f'size={size}', 'tmpfs',
                           str(path)], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f'cannot mount a small tmpfs: {proc.stderr.strip()}')
    try:
        yield path
    finally:
        subprocess.run(['umount', str(path)], check=True)


@pytest.mark.slow
@pytest.mark.parametrize('size, full_at', [('16k', 'dipole_0.txt'),
                                           ('48k', 'dipole.png')])
def test_full_disk_leaves_no_partial_file(tmp_path, size, full_at):
    """A disk that fills up (a real one, of 16 or 48 kB): the error names the file
    that did not fit, which is not left behind in part."""
    with _small_disk(tmp_path / 'disk', size) as disk:
        code, stdout, stderr = run_main(['simulate'] + TINY + ['--plot', '--out',
                                                               str(disk)])
        left = sorted(os.listdir(disk))
    assert code == 1 and stdout == ''
    assert stderr.startswith('hnn-core: error: ') and \
        str(disk / full_at) in stderr and 'No space left on device' in stderr, stderr
    assert stderr.count('\n') == 1
    assert full_at not in left and not [n for n in left if n.startswith('.')], left
