"""Writing result files so that a failure never leaves a partial file behind."""

import contextlib
import os
import os.path as op
import tempfile


@contextlib.contextmanager
def _atomic_write(fname, mode='w', **open_kwargs):
    """Open a temporary file beside ``fname``; rename it to ``fname`` on success.

    A full disk, a killed process or an exception while writing leaves any
    earlier ``fname`` untouched and no partial file; the error names ``fname``.

    Parameters
    ----------
    fname : str | os.PathLike
        The file to write.
    mode : str
        ``'w'`` (text) or ``'wb'`` (binary).
    **open_kwargs
        Passed to :func:`open` (e.g. ``newline``, ``encoding``).

    Yields
    ------
    fid : file object
        The temporary file, open for writing.
    """
    fname = os.fspath(fname)
    folder = op.dirname(op.abspath(fname))
    try:
        fd, tmp = tempfile.mkstemp(prefix='.' + op.basename(fname) + '.',
                                   suffix='.part', dir=folder)
    except OSError as err:
        raise OSError(err.errno, f'Cannot write {fname}: {err.strerror}') from err
    try:
        with os.fdopen(fd, mode, **open_kwargs) as fid:
            yield fid
            fid.flush()
            os.fsync(fid.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, fname)
    except OSError as err:
        _remove_quietly(tmp)
        raise OSError(err.errno, f'Cannot write {fname}: {err.strerror}') from err
    except BaseException:
        _remove_quietly(tmp)
        raise


def _umask():
    # os.umask can only be read by setting it; put it straight back
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _remove_quietly(path):
    with contextlib.suppress(OSError):
        os.remove(path)


def _check_writable_folder(folder, name='out'):
    """Raise OSError, naming ``name`` and ``folder``, unless files can be made there.

    Creates the folder if needed, so that a run learns before simulating, not
    after, that it could not keep its results.
    """
    folder = os.fspath(folder)
    try:
        os.makedirs(folder, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix='.hnn_core_write_test', dir=folder)
        os.close(fd)
        os.remove(probe)
    except OSError as err:
        raise OSError(err.errno, f'{name}: cannot write files in {folder}: '
                                 f'{err.strerror}') from err
    return folder
