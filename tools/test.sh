#!/usr/bin/env bash
# Install hnn_core with its test dependencies and run the test suite:
#   1. everything, with the newest NEURON, in ./.venv
#   2. the documentation, built in ./.venv without running the examples
#      (make -C doc html-noplot; any Sphinx warning fails the script)
#   3. the reference tests (and the both_neurons ones) again with NEURON 8.2.7,
#      in ./.venv-nrn8 (made once, reused)
# Extra arguments go to both pytest runs (e.g. -x, -k name).
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

setup_venv() {  # setup_venv DIR [extra pip requirements...]
    local venv=$1; shift
    if [ ! -x "$venv/bin/python" ]; then
        "$PYTHON" -m venv "$venv" || return 1
    fi
    "$venv/bin/python" -m pip install -q --upgrade pip >/dev/null 2>&1
    "$venv/bin/python" -m pip install -q -e '.[test]' "$@" || return 1
}

status=0
echo "== hnn_core tests (newest NEURON) =="
if setup_venv .venv; then
    .venv/bin/python -c 'import neuron; print("NEURON", neuron.__version__)'
    .venv/bin/python -m pytest -q "$@" tests || status=1
else
    echo "could not set up .venv"; status=1
fi

echo "== documentation (make -C doc html-noplot, warnings are errors) =="
if [ -x .venv/bin/python ] && .venv/bin/python -m pip install -q -e '.[doc]'; then
    # a fresh output folder, so that every page is read and every warning shown
    rm -rf doc/_build/ci
    make -C doc html-noplot PYTHON="$PWD/.venv/bin/python" BUILDDIR=_build/ci \
            SPHINXOPTS='-W --keep-going -q' \
        && echo "documentation built in doc/_build/ci/html" \
        || { echo "the documentation build failed or warned"; status=1; }
else
    echo "could not install the documentation dependencies in .venv"; status=1
fi

echo "== reference tests under NEURON 8.2.7 =="
if setup_venv .venv-nrn8 'neuron==8.2.7'; then
    .venv-nrn8/bin/python -c 'import neuron; print("NEURON", neuron.__version__)'
    .venv-nrn8/bin/python -m pytest -q -m 'reference or both_neurons' "$@" tests || status=1
else
    echo "could not set up .venv-nrn8"; status=1
fi
exit $status
