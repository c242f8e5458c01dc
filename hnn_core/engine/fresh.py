"""Run one trial in a new Python process.

A process holds one mechanism library (see :mod:`.generated`): one that
lacks a network's mechanisms described in Python, because the process loaded
the package's library, or another set, before, cannot run that network. Such
a trial runs in an interpreter started for it, which loads the right library
first:

    python -m hnn_core.engine.fresh WORKDIR TRIAL

It reads ``WORKDIR/plan.pkl`` and writes ``WORKDIR/result.pkl`` (or its
traceback to ``WORKDIR/error.txt``); its progress events come through its
standard output, as those of MPI ranks do. A new interpreter rather than
``multiprocessing``: spawning would import the user's script again, and
forking would inherit the very library that is in the way.
"""
import os
import os.path as op
import pickle
import shutil
import subprocess
import sys
import tempfile
import traceback


def run_trial_in_new_process(plan, trial_idx, report=None):
    """``run_trial(plan, trial_idx)`` in a new process; its TrialResult."""
    from ..progress import _relay
    workdir = tempfile.mkdtemp(prefix='hnn_core_trial_')
    try:
        with open(op.join(workdir, 'plan.pkl'), 'wb') as fid:
            pickle.dump(plan, fid, protocol=pickle.HIGHEST_PROTOCOL)
        proc = subprocess.Popen(
            [sys.executable, '-m', 'hnn_core.engine.fresh', workdir, str(trial_idx)],
            stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        try:
            _relay(proc.stdout, report)
            proc.wait()
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            proc.stdout.close()
        result = op.join(workdir, 'result.pkl')
        if proc.returncode != 0 or not op.isfile(result):
            error = op.join(workdir, 'error.txt')
            detail = 'no traceback'
            if op.isfile(error):
                with open(error) as fid:
                    detail = fid.read()
            raise RuntimeError(f'Trial {trial_idx}, run in a new process (its mechanism '
                               'library could not be loaded into this one), failed '
                               f'(exit code {proc.returncode}):\n{detail}')
        with open(result, 'rb') as fid:
            return pickle.load(fid)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main(workdir, trial_idx):
    try:
        from ..progress import _encode
        from .run import run_trial
        with open(op.join(workdir, 'plan.pkl'), 'rb') as fid:
            plan = pickle.load(fid)
        result = run_trial(plan, trial_idx, verbose=False,
                           report=lambda event: print(_encode(event), flush=True))
        tmp = op.join(workdir, 'result.pkl.part')
        with open(tmp, 'wb') as fid:
            pickle.dump(result, fid, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, op.join(workdir, 'result.pkl'))
    except BaseException:
        with open(op.join(workdir, 'error.txt'), 'w') as fid:
            fid.write(traceback.format_exc())
        sys.exit(1)


if __name__ == '__main__':
    main(sys.argv[1], int(sys.argv[2]))
