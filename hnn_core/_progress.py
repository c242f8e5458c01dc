"""Plain-text progress reporting for the command line.

:class:`ProgressBar` draws one line such as ``[###############...............]
 50%  trial 1/2  0:07`` and redraws it in place (carriage return), so it is meant
for a terminal. :class:`SimulationProgress` is a ``progress=`` callback of
:func:`hnn_core.simulate_dipole` that turns its progress events into updates of a
bar. :class:`ElapsedTicker` redraws a bar with the elapsed time from a background
thread, for runs whose progress within a trial cannot be seen (trials in worker
processes).
"""

import threading
import time



def _format_elapsed(seconds):
    """Elapsed time as ``m:ss`` (or ``h:mm:ss`` from one hour on)."""
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f'{hours}:{minutes:02d}:{seconds:02d}'
    return f'{minutes}:{seconds:02d}'


class ProgressBar:
    """A one-line text progress bar, redrawn in place.

    Parameters
    ----------
    stream : file-like
        Where to draw, normally ``sys.stderr`` (a terminal).
    width : int
        Number of characters between the brackets.
    clock : callable
        Returns the current time in seconds (for the elapsed time).
    """

    def __init__(self, stream, width=30, clock=time.monotonic):
        self._stream = stream
        self._width = width
        self._clock = clock
        self._start = clock()
        self._drawn = ''
        self._fraction = 0.
        self._label = ''
        self._lock = threading.Lock()
        self._closed = False

    def render(self, fraction, label=''):
        """The text of the bar.

        Parameters
        ----------
        fraction : float | None
            Progress between 0 and 1 (clipped); None if unknown (no bar, ``?%``).
        label : str
            What is running, shown after the percentage.

        Returns
        -------
        line : str
            E.g. ``'[#####.....]  50%  trial 1/2  0:07'``.
        """
        if fraction is None:
            bar, percent = '.' * self._width, '  ?%'
        else:
            fraction = min(max(float(fraction), 0.), 1.)
            n_filled = int(fraction * self._width)
            bar = '#' * n_filled + '.' * (self._width - n_filled)
            percent = f'{int(fraction * 100):3d}%'
        elapsed = _format_elapsed(self._clock() - self._start)
        parts = [f'[{bar}] {percent}', label, elapsed]
        return '  '.join(part for part in parts if part)

    def update(self, fraction, label=None):
        """Redraw the bar if its text changed.

        Parameters
        ----------
        fraction : float | None
            Progress between 0 and 1; None if unknown.
        label : str | None
            New label; None keeps the current one.
        """
        with self._lock:
            if self._closed:
                return
            self._fraction = fraction
            if label is not None:
                self._label = label
            line = self.render(fraction, self._label)
            if line == self._drawn:
                return
            padding = ' ' * max(len(self._drawn) - len(line), 0)
            self._stream.write('\r' + line + padding)
            self._stream.flush()
            self._drawn = line

    def refresh(self):
        """Redraw with the current progress and label (updates the elapsed time)."""
        self.update(self._fraction)

    def close(self, fraction=None, label=None):
        """Draw a last time (if ``fraction`` is given) and end the line.

        Parameters
        ----------
        fraction : float | None
            Final progress; None leaves the bar as it is (e.g. on failure).
        label : str | None
            Final label; None keeps the current one.
        """
        if fraction is not None:
            self.update(fraction, label)
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._drawn:
                self._stream.write('\n')
                self._stream.flush()


class SimulationProgress:
    """A progress callback for :func:`hnn_core.simulate_dipole` that draws a bar.

    Parameters
    ----------
    bar : ProgressBar | None
        The bar to update; None only listens.
    n_trials : int
        Number of trials of the run.
    tstop : float
        Simulated time of each trial (ms).
    """

    def __init__(self, bar, n_trials, tstop):
        self._bar = bar
        self._n_trials = n_trials
        self._tstop = float(tstop)
        self._trial = None  # 0-based index of the running trial
        self._time = 0.
        self._done = 0  # trials finished

    @property
    def fraction(self):
        """Progress of the whole run, between 0 and 1."""
        if self._trial is None:
            return min(self._done / self._n_trials, 1.)
        within = min(self._time / self._tstop, 1.) if self._tstop > 0 else 0.
        return min(max(self._trial + within, self._done) / self._n_trials, 1.)

    def __call__(self, event):
        """Take one :class:`~hnn_core.progress.ProgressEvent`."""
        trial = event.trial
        if event.kind == 'build':
            self._draw(f'trial {min(trial + 1, self._n_trials)}/{self._n_trials}: '
                       'building the network')
        elif event.kind == 'start':
            self._trial, self._time = trial, 0.
            self._draw(f'trial {trial + 1}/{self._n_trials}')
        elif event.kind == 'time' and self._trial is not None:
            self._time = event.t
            self._draw(f'trial {self._trial + 1}/{self._n_trials}')
        elif event.kind == 'done':
            self._done = max(self._done, trial + 1)
            self._trial = None
            self._draw(f'{self._done}/{self._n_trials} trial(s) done')

    def finish(self):
        """Show the run as complete and end the bar's line."""
        if self._bar is not None:
            self._bar.close(1., f'{self._n_trials} trial(s) done')

    def _draw(self, label):
        if self._bar is not None:
            self._bar.update(self.fraction, label)


class ElapsedTicker:
    """Redraw a bar of unknown progress every ``interval`` s, from a thread.

    Use as a context manager around work whose progress cannot be observed.

    Parameters
    ----------
    bar : ProgressBar
        The bar to redraw.
    label : str
        What is running.
    interval : float
        Seconds between redraws.
    """

    def __init__(self, bar, label, interval=1.):
        self._bar = bar
        self._label = label
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while True:
            self._bar.update(None, self._label)
            if self._stop.wait(self._interval):
                return

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        return False
