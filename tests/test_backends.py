"""Trials scheduled by JoblibBackend give the same results as a serial run, and a
signal during a run leaves nothing of it behind."""
import os
import os.path as op
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from hnn_core import simulate_dipole, JoblibBackend

from conftest import small_evoked_net


def run(n_jobs, capsys=None):
    net = small_evoked_net()
    with JoblibBackend(n_jobs=n_jobs) as backend:
        assert backend.n_jobs == n_jobs
        dpls = simulate_dipole(net, tstop=40., n_trials=2, verbose=False)
    return dpls, net.cell_response


def test_joblib_matches_serial(capsys):
    serial, cr_serial = run(1)
    assert capsys.readouterr().out == 'joblib will run over 1 jobs\n'
    parallel, cr_parallel = run(2)
    assert capsys.readouterr().out == 'joblib will run over 2 jobs\n'
    for a, b in zip(serial, parallel):
        np.testing.assert_array_equal(a.times, b.times)
        for layer in ('agg', 'L2', 'L5'):
            np.testing.assert_array_equal(a.data[layer], b.data[layer])
    assert cr_serial.spike_times == cr_parallel.spike_times
    assert cr_serial.spike_gids == cr_parallel.spike_gids
    assert cr_serial.spike_types == cr_parallel.spike_types
    assert len(serial) == 2 and not np.array_equal(serial[0].data['agg'],
                                                   serial[1].data['agg'])


def test_joblib_multiprocessing_backend():
    """JoblibBackend runs on whatever joblib backend is active."""
    from joblib import parallel_config
    serial, cr_serial = run(1)
    with parallel_config(backend='multiprocessing'):
        parallel, cr_parallel = run(2)
    for a, b in zip(serial, parallel):
        np.testing.assert_array_equal(a.data['agg'], b.data['agg'])
    assert cr_serial.spike_times == cr_parallel.spike_times


@pytest.mark.slow  # dask
def test_joblib_on_a_local_dask_cluster():
    """Trials spread over dask workers (the way to use a cluster)."""
    distributed = pytest.importorskip('distributed')
    from joblib import parallel_config
    serial, cr_serial = run(1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster):
        with parallel_config(backend='dask'):
            parallel, cr_parallel = run(2)
    for a, b in zip(serial, parallel):
        np.testing.assert_array_equal(a.data['agg'], b.data['agg'])
    assert cr_serial.spike_gids == cr_parallel.spike_gids


def test_joblib_n_jobs(capsys):
    from joblib import effective_n_jobs
    backend = JoblibBackend(n_jobs=-1)  # joblib's "every core"
    assert backend.n_jobs == effective_n_jobs(-1) >= 1
    assert capsys.readouterr().out == f'joblib will run over {backend.n_jobs} jobs\n'
    with pytest.raises(ValueError, match='n_jobs must be an integer >= 1, or -1'):
        JoblibBackend(n_jobs=0)
    with pytest.raises(TypeError, match='n_jobs must be'):
        JoblibBackend(n_jobs='2')


def test_joblib_workers_report_each_finished_trial(capsys):
    events = []
    with JoblibBackend(n_jobs=2):
        simulate_dipole(small_evoked_net(), tstop=10., n_trials=3,
                        progress=events.append)
    assert [(e.kind, e.trial, e.fraction) for e in events] == [
        ('done', 0, 1 / 3), ('done', 1, 2 / 3), ('done', 2, 1.)]


def test_signal_handlers_are_the_users_again_after_a_run():
    """A run handles the ending signals only while it runs: the user's handlers
    (and the exact C-level state, e.g. NEURON's SA_RESTART on SIGINT) come back,
    and a user's handler that does not raise is heard without ending the run."""
    from hnn_core.backends import _ENDING_SIGNALS, _get_sigaction

    def dispositions():
        # glibc's struct sigaction on 64-bit Linux: the handler (8 bytes), the
        # mask (the kernel's 8 bytes of 128; glibc leaves the rest undefined)
        # and sa_flags at byte 136, less SA_RESTORER (glibc's own, always added
        # when a handler is set, even the default one)
        raw = {sig: _get_sigaction(sig) for sig in _ENDING_SIGNALS}
        return {sig: (signal.getsignal(sig), raw[sig] and (
                    raw[sig][:16],
                    int.from_bytes(raw[sig][136:140], sys.byteorder) & ~0x04000000))
                for sig in _ENDING_SIGNALS}

    heard = []

    def users_handler(signum, frame):
        heard.append(signum)

    def ask_to_stop(event):  # called in the main thread, during the run
        if not heard:
            os.kill(os.getpid(), signal.SIGTERM)

    # a trial in this process: NEURON reinstalls SIGINT's handler with SA_RESTART
    simulate_dipole(small_evoked_net(), tstop=5., n_trials=1, verbose=False)
    previous = signal.signal(signal.SIGTERM, users_handler)
    try:
        before = dispositions()
        assert int.from_bytes(_get_sigaction(signal.SIGINT)[136:140], sys.byteorder) \
            & 0x10000000, 'SA_RESTART expected'
        with JoblibBackend(n_jobs=2, _verbose=False):
            dpls = simulate_dipole(small_evoked_net(), tstop=5., n_trials=2,
                                   progress=ask_to_stop)
        assert heard == [signal.SIGTERM] and len(dpls) == 2
        assert dispositions() == before
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_signal_while_handlers_are_restored(tmp_path):
    """SIGTERM just as a run ends, while its handlers are being put back, still
    ends the process as SIGTERM does (not with a stray internal exception)."""
    script = tmp_path / 'late_signal.py'
    script.write_text(textwrap.dedent('''
        import os, signal
        from hnn_core import backends
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        # a shell starts background jobs with SIGINT ignored, and ignored
        # signals are left alone by a run: give SIGINT its usual handler
        signal.signal(signal.SIGINT, signal.default_int_handler)
        set_sigaction = backends._set_sigaction

        def late(signum, raw):
            if signum == signal.SIGINT:  # SIGTERM's handler is still the run's
                os.kill(os.getpid(), signal.SIGTERM)
            set_sigaction(signum, raw)

        backends._set_sigaction = late
        with backends._signals_end_run():
            pass
        print('survived')
    '''))
    # One thread only (no BLAS pool): a signal sent to the process may be taken
    # by any thread; this test is about the restoring itself, so the signal
    # goes to the main thread.
    env = dict(os.environ, OPENBLAS_NUM_THREADS='1', OMP_NUM_THREADS='1',
               MKL_NUM_THREADS='1')
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120, env=env)
    assert proc.returncode == -signal.SIGTERM, (proc.returncode, proc.stdout,
                                                proc.stderr)
    assert 'survived' not in proc.stdout


# --- signals during a run: nothing of the run may survive it -------------------

_SIGNAL_SCRIPT = '''
import signal
import sys
# as started from a terminal, whatever started the tests (a shell's background
# job starts with SIGINT ignored, and Python then leaves it so)
signal.signal(signal.SIGINT, signal.default_int_handler)
signal.signal(signal.SIGTERM, signal.SIG_DFL)
sys.path.insert(0, {tests!r})
from conftest import small_evoked_net
from hnn_core import simulate_dipole, JoblibBackend, MPIBackend
from contextlib import nullcontext
from joblib import parallel_config
backend = MPIBackend(n_procs=2) if {kind!r} == 'mpi' else JoblibBackend(n_jobs=2)
# 'joblib': joblib's default backend (loky)
with backend, (parallel_config(backend='multiprocessing')
               if {kind!r} == 'multiprocessing' else nullcontext()):
    # silent unless asked: a rank's output must not be what wakes the parent up
    simulate_dipole(small_evoked_net(), tstop=1e5, n_trials=2, verbose={verbose!r})
'''


def _proc_stat(pid):
    """(state, cpu seconds) of a process, or None once it is gone or a zombie."""
    try:
        with open(f'/proc/{pid}/stat') as fid:
            fields = fid.read().rsplit(')', 1)[1].split()
    except OSError:
        return None
    if fields[0] in 'ZX':
        return None
    return fields[0], (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def _processes_of_run(marker):
    """{pid: command line} of the live processes whose environment carries marker.

    Every process of a run inherits its environment, however it was started
    (mpiexec, hydra, loky) and whoever its parent is now, so this finds even
    processes that outlived the run's parent and were adopted by init.
    """
    found = {}
    for pid in os.listdir('/proc'):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open(f'/proc/{pid}/environ', 'rb') as fid:
                if marker.encode() not in fid.read().split(b'\0'):
                    continue
            with open(f'/proc/{pid}/cmdline', 'rb') as fid:
                cmd = fid.read().replace(b'\0', b' ').decode(errors='replace')
        except OSError:
            continue
        if _proc_stat(int(pid)) is not None:
            found[int(pid)] = cmd
    return found


def _default_signal_actions():
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)


def signal_during_run(kind, sig, workdir, stop_worker=False, timeout=10.,
                      verbose=False):
    """Signal a child Python running two trials on 2 jobs (or ranks) mid-run.

    kind is 'mpi' (MPIBackend), 'joblib' (JoblibBackend on loky) or
    'multiprocessing' (JoblibBackend on joblib's multiprocessing backend).

    Returns (seconds from the signal until every process of the run had ended,
    or None if some still ran after ``timeout``; the command lines of those
    still running then; the child's return code; its stderr; what was left in
    its private TMPDIR). Whatever still runs after the timeout is then killed.
    With ``stop_worker``, one worker is stopped (SIGSTOP) first, as a stuck rank
    would be. With ``verbose``, the run prints its progress (to /dev/null).
    """
    import uuid
    tmpdir = op.join(workdir, 'tmp')
    os.makedirs(tmpdir)
    script = op.join(workdir, 'run.py')
    with open(script, 'w') as fid:
        fid.write(_SIGNAL_SCRIPT.format(tests=op.dirname(op.abspath(__file__)),
                                        kind=kind, verbose=verbose))
    run_id = uuid.uuid4().hex
    marker = f'HNN_CORE_SIGNAL_TEST={run_id}'
    env = dict(os.environ, TMPDIR=tmpdir, JOBLIB_TEMP_FOLDER=tmpdir,
               HNN_CORE_SIGNAL_TEST=run_id)
    with open(op.join(workdir, 'stderr.txt'), 'w+') as err:
        # a run started under nohup inherits an ignored SIGHUP and rightly keeps
        # going; the child gets the default actions, as from a terminal
        proc = subprocess.Popen([sys.executable, script], env=env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=err, preexec_fn=_default_signal_actions)
        try:
            # mid-run: both workers exist and have simulated for a while
            deadline = time.time() + 180
            while True:
                assert proc.poll() is None, 'the run ended before the signal'
                assert time.time() < deadline, 'the workers did not start'
                # the workers (ranks, loky or forked ones) are those that compute
                cpu = {pid: (_proc_stat(pid) or ('', 0.))[1]
                       for pid in _processes_of_run(marker) if pid != proc.pid}
                workers = [pid for pid in cpu if cpu[pid] > 2.]
                if len(workers) >= 2:
                    break
                time.sleep(0.2)
            if stop_worker:
                os.kill(workers[0], signal.SIGSTOP)
                time.sleep(1.)
            start = time.monotonic()
            proc.send_signal(sig)
            elapsed = None
            while time.monotonic() - start < timeout:
                survivors = _processes_of_run(marker)
                if proc.poll() is not None and not survivors:
                    elapsed = time.monotonic() - start
                    break
                time.sleep(0.05)
        finally:
            for pid in [proc.pid] + list(_processes_of_run(marker)):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            proc.wait()
        err.seek(0)
        stderr = err.read()
    return elapsed, sorted(survivors.values()), proc.returncode, stderr, \
        sorted(os.listdir(tmpdir))


def assert_ended_cleanly(sig, elapsed, survivors, returncode, stderr, left):
    assert elapsed is not None, \
        f'still running after {sig!r}: {survivors}\n{stderr[-3000:]}'
    assert left == [], f'temporary files left behind: {left}'
    if sig == signal.SIGINT:  # Python's own end on Ctrl-C
        assert 'KeyboardInterrupt' in stderr and returncode == -signal.SIGINT, \
            (returncode, stderr[-3000:])
    else:  # the conventional status: killed by the signal, after the cleanup
        assert returncode == -sig, (returncode, stderr[-3000:])


@pytest.mark.slow
@pytest.mark.parametrize('sig', [signal.SIGTERM, signal.SIGINT])
def test_joblib_signal_ends_every_worker(sig, tmp_path):
    assert_ended_cleanly(sig, *signal_during_run('joblib', sig, str(tmp_path)))


@pytest.mark.slow
@pytest.mark.parametrize('sig', [signal.SIGTERM, signal.SIGINT])
def test_multiprocessing_signal_ends_every_worker(sig, tmp_path):
    """Workers forked during the run do not keep the run's handlers."""
    assert_ended_cleanly(sig, *signal_during_run('multiprocessing', sig,
                                                 str(tmp_path)))
