"""A stand-in for nrnivmodl, for tests of the mechanism cache's own logic.

It makes the files a real build leaves (``x86_64/libnrnmech.so``, and with
``-coreneuron`` the ``corenrn/mod2c`` folder and ``libcorenrnmech.so``) in well under
a second, so the cache's verification, repair, locking and clean-up can be tested
without a compiler. Environment variables steer it:

* ``FAKE_NRN_NOCORE``: ``-coreneuron`` fails, as on a NEURON without CoreNEURON;
* ``FAKE_NRN_SLEEP``: seconds to wait in a child process (a long-running
  "compiler") before making the files;
* ``FAKE_NRN_LOG``: a file to which each call appends its arguments;
* ``FAKE_NRN_GENERATED``: a C++ file that ``-coreneuron`` puts in ``mod2c`` as the
  code it generated (once: a later call keeps what is there);
* ``FAKE_NRN_REJECT``: a text that the "compiler" rejects: a ``-coreneuron`` call
  fails while a file in ``mod2c`` holds it;
* ``FAKE_NRN_REJECT_FLAG``: a compiler option that it rejects: a ``-coreneuron``
  call fails when its arguments hold it.
"""
import os
import os.path as op
import stat

NRNMECH_SIZE = 4096
CORENRNMECH_SIZE = 8192

_SCRIPT = r"""#!/bin/sh
[ -n "$FAKE_NRN_LOG" ] && echo "$*" >> "$FAKE_NRN_LOG"
echo "fake nrnivmodl $*"
if [ -n "$FAKE_NRN_SLEEP" ]; then
    sleep "$FAKE_NRN_SLEEP"
fi
core=0
for arg in "$@"; do
    [ "$arg" = -coreneuron ] && core=1
done
if [ $core = 1 ] && [ -n "$FAKE_NRN_NOCORE" ]; then
    echo "fake nrnivmodl: this NEURON has no CoreNEURON"
    exit 1
fi
mkdir -p x86_64
[ -f x86_64/libnrnmech.so ] || head -c %(nrn)d /dev/zero | tr '\0' N > x86_64/libnrnmech.so
if [ $core = 1 ]; then
    mkdir -p x86_64/corenrn/mod2c x86_64/corenrn/build
    if [ -n "$FAKE_NRN_GENERATED" ] && [ ! -f x86_64/corenrn/mod2c/generated.cpp ]; then
        cp "$FAKE_NRN_GENERATED" x86_64/corenrn/mod2c/generated.cpp
    fi
    if [ -n "$FAKE_NRN_REJECT_FLAG" ]; then
        case "$*" in *"$FAKE_NRN_REJECT_FLAG"*)
            echo "error: fake compiler rejects $FAKE_NRN_REJECT_FLAG"; exit 1;;
        esac
    fi
    if [ -n "$FAKE_NRN_REJECT" ] && grep -qF "$FAKE_NRN_REJECT" x86_64/corenrn/mod2c/*.cpp; then
        echo "generated.cpp:1: error: fake compiler rejects the rewritten code"
        exit 1
    fi
    head -c %(core)d /dev/zero | tr '\0' C > x86_64/libcorenrnmech.so
fi
echo "fake nrnivmodl: done"
""" % {'nrn': NRNMECH_SIZE, 'core': CORENRNMECH_SIZE}


def write_fake_nrnivmodl(folder):
    """Write the stand-in script into ``folder``; return its path."""
    path = op.join(str(folder), 'fake_nrnivmodl')
    with open(path, 'w') as fid:
        fid.write(_SCRIPT)
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
    return path


def tiny_mod_dir(folder, name='cad.mod'):
    """A mod folder with one small mechanism of the package; return its path."""
    import shutil
    from hnn_core.engine.mechanisms import MOD_DIR
    os.makedirs(str(folder), exist_ok=True)
    shutil.copy(op.join(MOD_DIR, name), str(folder))
    return str(folder)


def pids_with_env(marker):
    """Pids of the processes whose environment holds ``marker`` (e.g. ``K=V``)."""
    found = []
    needle = marker.encode()
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open(f'/proc/{entry}/environ', 'rb') as fid:
                env = fid.read().split(b'\0')
        except OSError:
            continue
        if needle in env:
            found.append(int(entry))
    return found
