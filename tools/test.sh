#!/usr/bin/env bash
# Install hnn_core with its test dependencies and run the test suite:
#   1. everything, with the newest NEURON, in ./.venv
#   2. the documentation, built in ./.venv without running the examples
#      (make -C doc html-noplot; any Sphinx warning fails the script, and so
#      does a page that would load anything from the network)
#   3. the reference tests (and the both_neurons ones) again with NEURON 8.2.7,
#      in ./.venv-nrn8 (made once, reused)
# The web interface's tests drive Debian's Chromium through its ChromeDriver
# (packages chromium and chromium-driver), installed here with apt-get when
# missing; without them those tests fail, they never skip.
# Extra arguments go to both pytest runs (e.g. -x, -k name).
# Sourced (. tools/test.sh), it only defines its functions.
PYTHON=${PYTHON:-python3}

pip_install() {  # pip_install VENV [pip install arguments...]
    # Quiet, but errors and real warnings still show. setuptools prints an
    # "Editable installation" banner on every editable install (a build-backend
    # warning that pip passes on); it is filtered by its message alone, for this
    # call only, after any filters of the user's own.
    local venv=$1; shift
    PYTHONWARNINGS="${PYTHONWARNINGS:+$PYTHONWARNINGS,}ignore:Editable installation" \
        "$venv/bin/python" -m pip install -q "$@"
}

setup_venv() {  # setup_venv DIR [extra pip requirements...]
    local venv=$1; shift
    if [ ! -x "$venv/bin/python" ]; then
        "$PYTHON" -m venv "$venv" || return 1
    fi
    "$venv/bin/python" -m pip install -q --upgrade pip >/dev/null 2>&1
    pip_install "$venv" -e '.[test]' "$@" || return 1
}

remote_resources() {  # remote_resources HTMLDIR: pages that load from the network
    # the documentation must work offline: scripts, styles, images and frames
    # come from the build itself (plain links to other sites are fine)
    grep -rlE --include='*.html' --include='*.css' \
        '<(script|link|img|iframe|source)[^>]*(src|href)="(https?:)?//|url\(["'"'"' ]*(https?:)?//|@import[^;]*(https?:)?//' \
        "$1"
}

ensure_browser() {  # Debian's chromium and chromedriver, for tests/test_gui_browser.py
    if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
        return 0
    fi
    echo "installing Debian's chromium and chromium-driver (for the web interface's tests)"
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo -n"
    { $sudo apt-get update -q && \
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q chromium chromium-driver; \
    } >/tmp/hnn_core_apt.log 2>&1 || {
        echo "could not install chromium (see /tmp/hnn_core_apt.log); the browser tests will fail"
        return 1
    }
}

minutes() {  # minutes SECONDS
    printf '%d min %02d s' $(($1 / 60)) $(($1 % 60))
}

main() {
    cd "$(dirname "${BASH_SOURCE[0]}")/.." || return 1
    local status=0 start=$SECONDS step_start
    echo "== hnn_core tests (newest NEURON) =="
    step_start=$SECONDS
    ensure_browser || status=1
    if setup_venv .venv; then
        .venv/bin/python -c 'import hnn_core, neuron; print("NEURON", neuron.__version__)'
        .venv/bin/python -m pytest -q "$@" tests || status=1
    else
        echo "could not set up .venv"; status=1
    fi
    echo "(tests: $(minutes $((SECONDS - step_start))))"

    echo "== documentation (make -C doc html-noplot, warnings are errors) =="
    step_start=$SECONDS
    if [ -x .venv/bin/python ] && pip_install .venv -e '.[doc]'; then
        # a fresh output folder, so that every page is read and every warning shown
        rm -rf doc/_build/ci
        if make -C doc html-noplot PYTHON="$PWD/.venv/bin/python" BUILDDIR=_build/ci \
                SPHINXOPTS='-W --keep-going -q'; then
            local remote
            remote=$(remote_resources doc/_build/ci/html)
            if [ -n "$remote" ]; then
                echo "these pages load resources from the network (the documentation"
                echo "must work offline):"; echo "$remote"; status=1
            else
                echo "documentation built in doc/_build/ci/html"
            fi
        else
            echo "the documentation build failed or warned"; status=1
        fi
    else
        echo "could not install the documentation dependencies in .venv"; status=1
    fi
    echo "(documentation: $(minutes $((SECONDS - step_start))))"

    echo "== reference tests under NEURON 8.2.7 =="
    step_start=$SECONDS
    if setup_venv .venv-nrn8 'neuron==8.2.7'; then
        .venv-nrn8/bin/python -c 'import hnn_core, neuron; print("NEURON", neuron.__version__)'
        .venv-nrn8/bin/python -m pytest -q -m 'reference or both_neurons' "$@" tests \
            || status=1
    else
        echo "could not set up .venv-nrn8"; status=1
    fi
    echo "(reference tests under NEURON 8.2.7: $(minutes $((SECONDS - step_start))))"
    echo "== $( [ $status = 0 ] && echo passed || echo FAILED ) in $(minutes $((SECONDS - start))) =="
    return $status
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -uo pipefail
    main "$@"
    exit $?
fi
