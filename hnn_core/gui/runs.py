"""A simulation or fit started from the page, run in a process of its own.

The server only starts the process (``python -m hnn_core.gui._worker``), follows
its progress events on a thread and reads its results; cancelling ends the
process and everything it started (joblib workers, MPI ranks).
"""

import json
import os.path as op
import subprocess
import sys
import threading
import time

import numpy as np


class Run:
    """One run of the page.

    Parameters
    ----------
    run_id : str
        Its id in the page.
    name : str
        What the page calls it.
    folder : str
        Its folder, inside the page's; holds ``network.json`` and ``job.json``.
    job : dict
        Settings the worker reads (``kind``, ``tstop``, ``dt``, ``n_trials``,
        ``backend``, ``n_jobs``, and a fit's own keys).
    """

    def __init__(self, run_id, name, folder, job):
        self.id = run_id
        self.name = name
        self.folder = folder
        self.job = job
        self.status = 'running'
        self.progress = 0.
        self.message = 'starting'
        self.error = None
        self.started = time.monotonic()
        self.ended = None
        self._cancelled = False
        self._results = None
        self._lock = threading.Lock()
        with open(op.join(folder, 'job.json'), 'w') as fid:
            json.dump(job, fid)
        self._log = open(op.join(folder, 'output.txt'), 'w')
        self._proc = subprocess.Popen(
            [sys.executable, '-m', 'hnn_core.gui._worker', folder],
            stdout=subprocess.PIPE, stderr=self._log, stdin=subprocess.DEVNULL,
            text=True, cwd=folder, start_new_session=True)
        self._thread = threading.Thread(target=self._follow, daemon=True)
        self._thread.start()

    def _echo(self, line, **kwargs):
        self._log.write(line)

    def _on_event(self, event):
        fraction = event.fraction
        with self._lock:
            if fraction is not None:
                self.progress = fraction
            if self.job['kind'] == 'fit' and event.kind == 'start' and \
                    event.n_trials == self.job['max_iter']:
                self.message = f'fit: simulation {event.trial + 1} of {event.n_trials}'
            elif event.kind == 'time':
                self.message = (f'trial {event.trial + 1} of {event.n_trials}: '
                                f'{event.t:.1f} of {event.tstop:.1f} ms')
            elif event.kind in ('build', 'built', 'mechanisms'):
                self.message = 'building the model'

    def _follow(self):
        from ..progress import _relay
        try:
            _relay(self._proc.stdout, self._on_event, echo=self._echo)
        finally:
            self._proc.stdout.close()
            self._proc.wait()
            self._log.close()
        with self._lock:
            self.ended = time.monotonic()
            if self._cancelled:
                self.status, self.message = 'cancelled', 'cancelled'
            elif (self._proc.returncode == 0 and
                    op.isfile(op.join(self.folder, 'results.npz'))):
                self.status, self.progress, self.message = 'done', 1., 'done'
            else:
                self.status, self.message = 'failed', 'failed'
                self.error = self._failure()

    def _failure(self):
        error = op.join(self.folder, 'error.txt')
        if op.isfile(error):
            with open(error) as fid:
                lines = [line for line in fid.read().strip().splitlines() if line]
            return lines[-1] if lines else 'the simulation failed'
        return f'the simulation process ended with exit code {self._proc.returncode}'

    def cancel(self):
        """End the run's process and every process it started; wait for them."""
        from ..backends import _end_process_tree
        with self._lock:
            if self.status != 'running':
                return
            self._cancelled = True
        _end_process_tree(self._proc)
        self._thread.join(timeout=30)

    @property
    def process_id(self):
        return self._proc.pid

    def wait(self, timeout=None):
        self._thread.join(timeout)

    def summary(self):
        with self._lock:
            end = self.ended if self.ended is not None else time.monotonic()
            summary = {'id': self.id, 'name': self.name, 'kind': self.job['kind'],
                       'status': self.status, 'progress': self.progress,
                       'message': self.message, 'error': self.error,
                       'settings': {k: self.job[k] for k in
                                    ('tstop', 'dt', 'n_trials', 'backend', 'n_jobs')},
                       'n_trials': self.job['n_trials'],
                       'elapsed': round(end - self.started, 2), 'fit': None}
        if summary['status'] == 'done' and self.job['kind'] == 'fit':
            with open(op.join(self.folder, 'fit.json')) as fid:
                summary['fit'] = json.load(fid)
        return summary

    def results(self):
        """The run's arrays (``results.npz``), once it is done."""
        if self.status != 'done':
            raise RuntimeError(f'run {self.name!r} is {self.status}, not done')
        if self._results is None:
            with np.load(op.join(self.folder, 'results.npz')) as data:
                results = {key: data[key] for key in data.files}
            results['gid_ranges'] = json.loads(str(results['gid_ranges']))
            self._results = results
        return self._results

    @property
    def network_file(self):
        return op.join(self.folder, 'network.json')
