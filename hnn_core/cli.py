"""Command line: ``hnn-core simulate`` runs the network of a parameter file.

The network is ``neymotin_2020_model(params, add_drives_from_params=True,
legacy_mode=True)`` with its pyramidal cells made from the file's values: the
cells, connections and drives of an HNN parameter file laid out as HNN-GUI does, which with the packaged ``default.json`` gives HNN's
published evoked response. Dipoles are written raw (nAm) unless post-processing
is asked for (``--smooth``, ``--scale``, ``--hnn-postproc``).

Exit codes: 0 success, 1 the run failed (unreadable parameter file, simulation,
MPI or output error), 2 bad command line (including an output folder that
cannot take files, found before the run), 130 interrupted. Errors are reported
as one line ``hnn-core: error: <message>`` on stderr, without a traceback; a
file that cannot be written (e.g. a full disk) is named, and is not left behind
in part.
"""

import argparse
import contextlib
import dataclasses
import io
import math
import os
import os.path as op
import re
import sys
import warnings

from . import __version__
from ._fileio import _atomic_write, _check_writable_folder

_DESCRIPTION = """\
Simulate the HNN model of a patch of neocortex (Jones et al. 2009): layer 2/3
and layer 5 pyramidal and basket cells on a grid, driven by the inputs that a
parameter file describes, and compute the current dipole that MEG and EEG
measure. With the packaged default.json (the default) this is HNN's published
evoked response: a 10 x 10 grid per layer, 170 ms, three evoked inputs."""

_EPILOG = """\
output files (in --out, default ./out; k = 0, 1, ... is the trial):
  dipole_<k>.txt       the dipole of trial k: tab-separated columns time (ms),
                       aggregate, layer 2/3 and layer 5 dipole (nAm, 4 decimals,
                       so raw dipoles of small grids keep few digits: --scale),
                       HNN's text format; read it with hnn_core.read_dipole
  dipole_average.txt   the average over trials (with 2 or more trials)
  spikes_<k>.txt       the spikes of trial k: time (ms), cell id (gid), cell or
                       input type; read them with hnn_core.read_spikes
  dipole.png           with --plot: the dipoles of all trials and their average,
                       and a histogram of the input spikes
  The absolute paths of the files written are printed at the end, one a line,
  after a 'Wrote:' line.

dipole scaling:
  Dipoles are written raw, in nAm, by default. HNN's figures smooth them with a
  Hamming window and scale them to the size of a cortical area: --hnn-postproc
  applies the parameter file's dipole_smooth_win (ms) and dipole_scalefctr (30
  and 3000 in default.json); --smooth and --scale set either one explicitly
  (and override --hnn-postproc's value). Smoothing comes before scaling.

progress:
  While it runs, a progress bar is drawn on stderr when stderr is a terminal
  (per trial and within a trial; with --backend joblib and several jobs, the
  elapsed time only; with --backend auto and several trials in parallel,
  per trial). --quiet turns it off.

exit status: 0 success, 1 the run failed (e.g. a parameter file that cannot be
  read, an MPI error, a full disk), 2 bad command line (including a parameter
  file that does not exist, and an --out folder that cannot take files, which
  is checked before the run), 130 interrupted.

examples:
  hnn-core simulate --plot
      HNN's published evoked response, raw dipole (about 30 s)
  hnn-core simulate --hnn-postproc --plot --out published
      the same, smoothed (30 ms) and scaled (x3000) as in HNN's figure
  hnn-core simulate --mesh 2 2 --tstop 60 --trials 2 --plot --out quick
      a quick run on a 2 x 2 grid
  hnn-core simulate my_model.param --trials 8 --backend joblib --jobs 4
      a legacy HNN parameter file, 8 trials in 4 parallel processes"""

_BACKENDS = ('auto', 'serial', 'joblib', 'mpi')
_PARAM_EXTENSIONS = ('.json', '.param')
_EXIT_FAILURE = 1
_EXIT_USAGE = 2
_EXIT_INTERRUPTED = 130
# NEURON's vectors, which record every time step, hold at most this many values
_MAX_SAMPLES = 2 ** 31 - 1


class _UsageError(Exception):
    """A problem with the command line (exit code 2)."""


class _ArgumentParser(argparse.ArgumentParser):
    """An argument parser that raises :class:`_UsageError` instead of exiting."""

    def error(self, message):
        raise _UsageError(f"{message} (see '{self.prog} --help')")


# -- option types ---------------------------------------------------------------
def _positive_int(text):
    """An integer >= 1, for argparse."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'expected a whole number, got {text!r}')
    if value < 1:
        raise argparse.ArgumentTypeError(f'must be at least 1, got {value}')
    return value


def _finite_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'expected a number, got {text!r}')
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f'expected a finite number, got {text!r}')
    return value


def _positive_float(text):
    """A finite number > 0, for argparse."""
    value = _finite_float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f'must be greater than 0, got {text}')
    return value


def _nonnegative_float(text):
    """A finite number >= 0, for argparse."""
    value = _finite_float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f'must be 0 or more, got {text}')
    return value


def _parser():
    """The parser of ``hnn-core`` and its ``simulate`` command."""
    parser = _ArgumentParser(
        prog='hnn-core',
        description='Simulate the HNN laminar cortical circuit (Jones et al. 2009) '
                    'and its current dipole.',
        epilog="Run 'hnn-core simulate --help' for the options of a simulation.")
    parser.add_argument('--version', action='version',
                        version=f'hnn-core {__version__}')
    sub = parser.add_subparsers(dest='command', required=True, metavar='COMMAND')
    gui = sub.add_parser(
        'gui', help='open the web interface (needs pip install "hnn_core[gui]")',
        description='Serve the web interface on this machine and open it in a '
                    'browser. The address printed carries a random access token; '
                    'requests without it are refused. Ctrl+C stops the server.')
    gui.add_argument('--host', default='127.0.0.1',
                     help='address to listen on (default 127.0.0.1: this machine only)')
    gui.add_argument('--port', type=int, default=0,
                     help='port to listen on (default: a free one)')
    gui.add_argument('--no-browser', action='store_true',
                     help='print the address without opening a browser')
    sim = sub.add_parser(
        'simulate', help='simulate a parameter file and write dipoles and spikes',
        description=_DESCRIPTION, epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sim.add_argument(
        'params', nargs='?', default=None, metavar='PARAMS',
        help='HNN parameter file, .json or legacy .param (default: the packaged '
             'default.json); its drives are added as HNN-GUI does (legacy mode)')

    run = sim.add_argument_group('simulation')
    run.add_argument('--trials', type=_positive_int, metavar='N',
                     help="number of trials (default: the file's N_trials)")
    run.add_argument('--tstop', type=_positive_float, metavar='MS',
                     help="simulated time in ms (default: the file's tstop)")
    run.add_argument('--dt', type=_positive_float, metavar='MS',
                     help="integration time step in ms (default: the file's dt)")
    run.add_argument('--mesh', type=_positive_int, nargs=2, metavar=('NX', 'NY'),
                     help='pyramidal cells per layer, NX by NY (default: the '
                          "file's N_pyr_x and N_pyr_y); e.g. --mesh 2 2 for a "
                          'quick run')
    run.add_argument('--backend', choices=_BACKENDS, default='auto',
                     help='auto (default): trials of the full-size network use '
                          'every core (HNN_CORE_CORES sets the most): one trial as '
                          'MPI processes, several as joblib processes; smaller '
                          'runs are serial; serial: trials one after another in '
                          'this process; joblib: trials in parallel processes; '
                          "mpi: each trial's cells spread over MPI processes")
    run.add_argument('--jobs', type=_positive_int, metavar='N',
                     help='parallel processes for joblib or mpi (default: the '
                          'CPU cores available)')

    out = sim.add_argument_group('output')
    out.add_argument('--out', default='out', metavar='DIR',
                     help='output directory, created if needed (default: ./out); '
                          'files of the same names are replaced')
    out.add_argument('--plot', action='store_true',
                     help='also write the figure dipole.png')
    out.add_argument('--hnn-postproc', action='store_true',
                     help="smooth and scale dipoles by the file's "
                          'dipole_smooth_win and dipole_scalefctr, as HNN does')
    out.add_argument('--smooth', type=_nonnegative_float, metavar='MS',
                     help='smooth dipoles with a Hamming window of MS ms '
                          '(at least 1; 0: no smoothing)')
    out.add_argument('--scale', type=_positive_float, metavar='F',
                     help='multiply dipoles by F')
    out.add_argument('--quiet', action='store_true',
                     help='no progress bar and no notes')
    return parser


# -- settings ---------------------------------------------------------------------
@dataclasses.dataclass
class _Settings:
    """Everything a run needs, from the options and the parameter file."""

    params: dict
    n_trials: int
    tstop: float
    dt: float
    dt_source: str
    mesh: tuple
    backend: str
    jobs: int
    smooth: float
    scale: float
    out: str
    plot: bool
    quiet: bool


def _read_params(fname):
    """Read a parameter file, reporting a missing file as a usage error."""
    from .params import read_params
    if not op.exists(fname):
        raise _UsageError(f'parameter file not found: {fname}')
    if not op.isfile(fname):
        raise _UsageError(f'parameter file is not a file: {fname}')
    ext = op.splitext(fname)[1].lower()
    if ext not in _PARAM_EXTENSIONS:
        raise _UsageError(f'parameter file {fname} must end in .json or .param, '
                          f'not {ext!r}')
    return read_params(fname)


def _from_file(params, key, option, check):
    """A run setting from the parameter file, checked like its option."""
    value = params[key]
    try:
        return check(str(value))
    except argparse.ArgumentTypeError as err:
        raise ValueError(f"the parameter file's {key} {err}; give {option}") from None


def _postproc_settings(args, params):
    """Smoothing window (ms, 0 = none) and scale factor of the written dipoles."""
    smooth, scale = 0., 1.
    if args.hnn_postproc:
        # HNN smooths and scales only if the window and factor are positive
        smooth = max(float(params['dipole_smooth_win']), 0.)
        scale = float(params['dipole_scalefctr'])
        scale = scale if scale > 0 else 1.
    if args.smooth is not None:
        smooth = args.smooth
    if args.scale is not None:
        scale = args.scale
    return smooth, scale


def _settings(args):
    """Check the options against each other and the parameter file."""
    from .backends import _usable_cores
    from .network import DEFAULT_PARAMS
    fname = DEFAULT_PARAMS if args.params is None else args.params
    params = _read_params(fname)
    n_trials = args.trials or _from_file(params, 'N_trials', '--trials',
                                         _positive_int)
    tstop = args.tstop or _from_file(params, 'tstop', '--tstop', _positive_float)
    dt = args.dt or _from_file(params, 'dt', '--dt', _positive_float)
    tstop_name = '--tstop' if args.tstop else "the parameter file's tstop"
    dt_name = '--dt' if args.dt else "the parameter file's dt"
    if dt > tstop:
        raise _UsageError(f'the time step ({dt_name}: {dt} ms) is longer than the '
                          f'simulation ({tstop_name}: {tstop} ms)')
    n_samples = tstop / dt + 1  # a float: --tstop 1e308 makes more than any int
    if n_samples > _MAX_SAMPLES:
        raise _UsageError(f'{tstop:g} ms in steps of {dt:g} ms need more than '
                          f'{_MAX_SAMPLES} samples, which NEURON cannot record; '
                          'give a shorter --tstop or a longer --dt')
    dt_source = (f'--dt {args.dt:.15g}' if args.dt else
                 f"the parameter file's dt ({dt} ms)")
    mesh = tuple(args.mesh) if args.mesh else (
        _from_file(params, 'N_pyr_x', '--mesh', _positive_int),
        _from_file(params, 'N_pyr_y', '--mesh', _positive_int))
    if args.backend in ('auto', 'serial') and args.jobs not in (None, 1):
        raise _UsageError(f'--jobs needs --backend joblib or --backend mpi (the '
                          f'{args.backend} backend chooses its processes itself)')
    jobs = args.jobs or (1 if args.backend in ('auto', 'serial') else _usable_cores())
    if op.exists(args.out) and not op.isdir(args.out):
        raise _UsageError(f'--out {args.out} is a file, not a directory')
    smooth, scale = _postproc_settings(args, params)
    smooth_name = ('--smooth' if args.smooth is not None else
                   "--hnn-postproc (the parameter file's dipole_smooth_win)")
    if 0 < smooth < 1:
        raise _UsageError(f'{smooth_name}: the smoothing window must be 0 (none) or '
                          f'at least 1 ms, got {smooth} ms')
    window = smooth / dt
    if not math.isfinite(window) or round(window) > round(tstop / dt) + 1:
        raise _UsageError(f'{smooth_name}: the smoothing window ({smooth} ms) is '
                          f'longer than the simulation ({tstop} ms); use a longer '
                          '--tstop or a shorter --smooth')
    try:
        # last of the checks, as it creates the folder: a run learns before
        # simulating, not after, that it could not keep its results
        _check_writable_folder(args.out, '--out')
    except OSError as err:
        raise _UsageError(err.strerror) from None
    return _Settings(params=params, n_trials=n_trials,
                     tstop=tstop, dt=dt, dt_source=dt_source, mesh=mesh,
                     backend=args.backend, jobs=jobs,
                     smooth=smooth, scale=scale, out=args.out, plot=args.plot,
                     quiet=args.quiet)


# -- running ----------------------------------------------------------------------
def _note(message, settings):
    if not settings.quiet:
        print(f'hnn-core: note: {message}', file=sys.stderr, flush=True)


def _stderr_is_terminal():
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed stream
        return False


def _make_backend(settings):
    """The backend of the run, built without letting it print."""
    from .backends import JoblibBackend, MPIBackend, _find_mpiexec
    if settings.backend == 'auto':
        return contextlib.nullcontext()  # simulate_dipole's own choice
    if settings.backend != 'mpi':
        return JoblibBackend(n_jobs=settings.jobs, _verbose=False)
    if settings.jobs > 1 and _find_mpiexec('mpiexec') is None:
        raise RuntimeError("--backend mpi: no MPI launcher 'mpiexec' found (install "
                           "MPI, e.g. 'pip install mpich'), or use --backend "
                           'serial or joblib')
    with contextlib.redirect_stdout(io.StringIO()):  # it announces itself
        backend = MPIBackend(n_procs=settings.jobs)
    if settings.jobs == 1:
        _note('--backend mpi with one process runs without MPI', settings)
    return backend


def _run(net, settings):
    """Simulate the trials; return the raw dipoles (nAm)."""
    from ._progress import ElapsedTicker, ProgressBar, SimulationProgress
    from .simulation import simulate_dipole
    backend = _make_backend(settings)
    bar = None
    if not settings.quiet and _stderr_is_terminal():
        bar = ProgressBar(sys.stderr)
    # joblib runs trials in worker processes, whose progress lines do not reach us
    in_workers = settings.backend == 'joblib' and min(settings.jobs,
                                                      settings.n_trials) > 1
    sink = SimulationProgress(bar, settings.n_trials, settings.tstop)
    ticker = contextlib.nullcontext()
    if bar is not None and in_workers:
        ticker = ElapsedTicker(bar, f'{settings.n_trials} trials in '
                                    f'{min(settings.jobs, settings.n_trials)} '
                                    'processes')
    try:
        # progress events become bar updates; whatever else is printed during
        # the run (NEURON's own messages) is kept off stdout
        with contextlib.redirect_stdout(io.StringIO()), backend, ticker:
            dpls = simulate_dipole(net, tstop=settings.tstop, dt=settings.dt,
                                   n_trials=settings.n_trials, postproc=False,
                                   verbose=False, progress=sink)
        sink.finish()
    except ValueError as err:
        # simulate_dipole names its argument dt; say where this dt came from
        if not str(err).startswith('dt '):
            raise
        if settings.dt_source.startswith('--dt'):
            raise _UsageError(f'{settings.dt_source}: {err}') from None
        raise ValueError(f'{settings.dt_source}: {err}') from None
    finally:
        if bar is not None:
            bar.close()  # ends the line, also when the run failed
    return dpls


def _postprocess(dpls, settings):
    """Smooth, then scale, the dipoles in place."""
    for dpl in dpls:
        if settings.smooth > 0:
            dpl.smooth(settings.smooth)
        if settings.scale != 1:
            dpl.scale(settings.scale)


def _processing_note(settings):
    parts = []
    if settings.smooth > 0:
        parts.append(f'smoothed {settings.smooth:g} ms')
    if settings.scale != 1:
        parts.append(f'scaled x{settings.scale:g}')
    return ', '.join(parts)


def _plot(fname, dpls, average, cell_response, settings):
    """Figure: dipoles of all trials and their average over a spike histogram."""
    from matplotlib.figure import Figure
    from .viz import plot_dipole, plot_spikes_hist
    fig = Figure(figsize=(7, 6), constrained_layout=True)
    ax_dpl, ax_hist = fig.subplots(2, 1, sharex=True,
                                   gridspec_kw=dict(height_ratios=(2, 1)))
    plot_dipole(dpls, ax=ax_dpl, show=False)
    for idx, line in enumerate(ax_dpl.lines):
        if len(dpls) > 1:
            line.set(color='0.65', linewidth=1,
                     label=f'{len(dpls)} trials' if idx == 0 else '_nolegend_')
        else:
            line.set(color='k', linewidth=1.5, label='trial 0')
    if average is not None:
        plot_dipole(average, ax=ax_dpl, show=False)
        ax_dpl.lines[-1].set(color='k', linewidth=2, label='average')
    ax_dpl.legend(loc='best', fontsize='small')
    processing = _processing_note(settings)
    ax_dpl.set_title('Aggregate dipole (layer 2/3 + layer 5)' +
                     (f', {processing}' if processing else ''))
    ax_dpl.set_xlabel('')

    # the histogram of the drives' spikes, as HNN shows; the cells' if no drive fired
    present = {kind for trial in cell_response.spike_types for kind in trial}
    cell_types = ('L2_basket', 'L2_pyramidal', 'L5_basket', 'L5_pyramidal')
    drives = present - set(cell_types)
    if drives or not present:
        plot_spikes_hist(cell_response, ax=ax_hist, show=False)
        what = 'Input spikes'
    else:
        plot_spikes_hist(cell_response, ax=ax_hist, show=False,
                         spike_types=[t for t in cell_types if t in present])
        what = 'Cell spikes (no input spike before tstop)'
    if not present:
        what = 'No spikes before tstop'
    trials = 'trial 0' if len(dpls) == 1 else f'{len(dpls)} trials pooled'
    ax_hist.set_title(f'{what}, {trials}')
    ax_hist.set_xlabel('Time (ms)')
    bin_ms = ax_hist.patches[0].get_width() if ax_hist.patches else None
    ax_hist.set_ylabel(f'Spikes per {bin_ms:.2g} ms bin' if bin_ms else 'Spikes')
    ax_hist.set_xlim(0, settings.tstop)
    with _atomic_write(fname, 'wb') as fid:
        fig.savefig(fid, format='png', dpi=150)


def _written(fname, write, *args):
    """``write(*args)``; an error that names no file in ``fname``'s folder is made
    to name ``fname``."""
    try:
        write(*args)
    except OSError as err:
        if op.join(op.dirname(fname), '') in str(err):
            raise
        raise OSError(err.errno, f'Cannot write {fname}: '
                                 f'{err.strerror or err}') from err


def _write(dpls, average, cell_response, settings):
    """Write dipoles, spikes and the figure; return the absolute file names."""
    out = settings.out
    written = []
    with warnings.catch_warnings():
        # The text format cannot store the number of trials, and keeps 4
        # decimals of nAm whatever the dipole's size; --help says both.
        warnings.filterwarnings('ignore', message='Writing an average')
        warnings.filterwarnings('ignore', message="HNN's text format keeps 4")
        # each file appears complete or not at all (a full disk keeps none in part)
        for trial, dpl in enumerate(dpls):
            fname = op.join(out, f'dipole_{trial}.txt')
            _written(fname, dpl.write, fname)
            written.append(fname)
        if average is not None:
            fname = op.join(out, 'dipole_average.txt')
            _written(fname, average.write, fname)
            written.append(fname)
    # CellResponse.write fills in the trial with %-formatting: escape '%' in DIR
    _written(op.join(out, 'spikes_<k>.txt'), cell_response.write,
             op.join(out.replace('%', '%%'), 'spikes_%d.txt'))
    written.extend(op.join(out, f'spikes_{trial}.txt') for trial in range(len(dpls)))
    if settings.plot:
        fname = op.join(out, 'dipole.png')
        _written(fname, _plot, fname, dpls, average, cell_response, settings)
        written.append(fname)
    return [op.abspath(fname) for fname in written]


def _stale_files(out, written):
    """Trial files in ``out`` of an earlier run with more trials."""
    pattern = re.compile(r'^(dipole_\d+|dipole_average|spikes_\d+)\.txt$')
    written = {op.basename(fname) for fname in written}
    return sorted(name for name in os.listdir(out)
                  if pattern.match(name) and name not in written)


def _simulate(args):
    """Run ``hnn-core simulate``.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options.

    Returns
    -------
    dpls : list of Dipole
        The dipole of each trial, as written.
    average : Dipole | None
        Their average, if there is more than one trial.
    cell_response : CellResponse
        The spikes of every trial.
    written : list of str
        Absolute names of the files written.
    """
    from .cells_default import pyramidal
    from .dipole import average_dipoles
    from .network_models import neymotin_2020_model
    settings = _settings(args)
    with warnings.catch_warnings():
        # the file's cell values are used below, as HNN-GUI did
        warnings.filterwarnings('ignore', message='.*cell value', category=UserWarning)
        net = neymotin_2020_model(settings.params, add_drives_from_params=True,
                                  legacy_mode=True, mesh_shape=settings.mesh)
    for cell_type in ('L2_pyramidal', 'L5_pyramidal'):
        net.cell_types[cell_type]['cell_object'] = pyramidal(
            cell_type, override_params=dict(settings.params))
    dpls = _run(net, settings)
    _postprocess(dpls, settings)
    average = average_dipoles(dpls) if len(dpls) > 1 else None
    written = _write(dpls, average, net.cell_response, settings)
    stale = _stale_files(settings.out, written)
    if stale:
        _note(f'{settings.out} also holds {len(stale)} file(s) of an earlier run '
              f'({", ".join(stale[:3])}{", ..." if len(stale) > 3 else ""}); '
              'they were left as they are', settings)
    print('Wrote:')
    for fname in written:
        print(fname)
    return dpls, average, net.cell_response, written


# -- entry point ------------------------------------------------------------------
def _one_line(message):
    """A message on one line: its first line, and its last if there are more.

    Long reports (e.g. of a failed MPI run, which end with the failing rank's
    exception) are summarised by their first and last lines.
    """
    lines = [line.strip() for line in str(message).splitlines() if line.strip()]
    if not lines:
        return 'unknown error'
    if len(lines) == 1:
        return lines[0]
    return f'{lines[0]} ... {lines[-1]}'


def _print_error(message):
    print(f'hnn-core: error: {_one_line(message)}', file=sys.stderr, flush=True)


def _show_warning(message, category, filename, lineno, file=None, line=None):
    """Print warnings as one ``hnn-core: warning:`` line, without source code."""
    print(f'hnn-core: warning: {_one_line(message)}', file=sys.stderr, flush=True)


def _gui(args):
    """Run ``hnn-core gui`` until interrupted."""
    from .gui import launch
    if not 0 <= args.port <= 65535:
        _print_error(f'--port must be from 0 to 65535, got {args.port}')
        return _EXIT_USAGE
    try:
        launch(host=args.host, port=args.port, open_browser=not args.no_browser)
    except ImportError as err:
        _print_error(str(err))
        return _EXIT_FAILURE
    except OSError as err:
        _print_error(f'cannot listen on {args.host}:{args.port}: {err.strerror or err}')
        return _EXIT_FAILURE
    except KeyboardInterrupt:
        pass
    return 0


def main(argv=None):
    """Run the ``hnn-core`` command line.

    Parameters
    ----------
    argv : list of str | None
        The arguments after the program name; None uses ``sys.argv[1:]``.

    Returns
    -------
    exit_code : int
        0 on success, 1 if the run failed, 2 for a bad command line, 130 if
        interrupted.
    """
    try:
        args = _parser().parse_args(argv)
    except _UsageError as err:
        _print_error(err)
        return _EXIT_USAGE
    except SystemExit as exc:  # --help and --version print and exit
        return exc.code if isinstance(exc.code, int) else 0
    if args.command == 'gui':
        return _gui(args)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            _simulate(args)
    except _UsageError as err:
        _print_error(err)
        return _EXIT_USAGE
    except KeyboardInterrupt:
        print('hnn-core: interrupted', file=sys.stderr, flush=True)
        return _EXIT_INTERRUPTED
    except MemoryError:
        _print_error('out of memory; a smaller --mesh, fewer --trials or a shorter '
                     '--tstop need less')
        return _EXIT_FAILURE
    except RecursionError as err:  # a RuntimeError, but no expected one
        _print_error(f'unexpected RecursionError: {err} (please report this)')
        return _EXIT_FAILURE
    except (ValueError, TypeError, KeyError, OSError, RuntimeError) as err:
        message = str(err) if not isinstance(err, KeyError) else \
            f'missing parameter {err.args[0]!r}'
        _print_error(message)
        return _EXIT_FAILURE
    except Exception as err:  # noqa: BLE001 - a command line reports, not dumps
        _print_error(f'unexpected {type(err).__name__}: {err} (please report this)')
        return _EXIT_FAILURE
    return 0


if __name__ == '__main__':
    sys.exit(main())
