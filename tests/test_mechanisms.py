"""The compiled-mechanism cache: first build, reuse, concurrency, errors."""
import glob
import os
import os.path as op
import shutil
import subprocess
import sys

import pytest

from hnn_core.engine.mechanisms import compile_mechanisms, MOD_DIR


def test_cache_builds_then_reuses(tmp_path):
    lib = compile_mechanisms(cache_dir=str(tmp_path))
    assert lib.startswith(str(tmp_path)) and op.isfile(lib)
    assert not lib.startswith(op.dirname(MOD_DIR))  # never inside the package
    mtime = op.getmtime(lib)
    assert compile_mechanisms(cache_dir=str(tmp_path)) == lib
    assert op.getmtime(lib) == mtime
    # another NEURON version is another build
    other = compile_mechanisms(cache_dir=str(tmp_path), neuron_version='0.0-test')
    assert other != lib and op.isfile(other)
    # no scratch directories left behind
    assert not glob.glob(op.join(str(tmp_path), 'build-*'))


def test_edited_mod_file_gets_a_new_build(tmp_path):
    mods = tmp_path / 'mod'
    shutil.copytree(MOD_DIR, mods)
    first = compile_mechanisms(mod_dir=str(mods), cache_dir=str(tmp_path / 'cache'))
    with open(mods / 'ar.mod', 'a') as fid:
        fid.write('\n: an edit\n')
    second = compile_mechanisms(mod_dir=str(mods), cache_dir=str(tmp_path / 'cache'))
    assert first != second and op.isfile(first) and op.isfile(second)


def test_two_processes_compile_at_once(tmp_path):
    code = ('import sys; from hnn_core.engine.mechanisms import compile_mechanisms; '
            'print(compile_mechanisms(cache_dir=sys.argv[1]))')
    procs = [subprocess.Popen([sys.executable, '-c', code, str(tmp_path)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    libs = {out.strip() for out, _ in outs}
    assert len(libs) == 1 and op.isfile(libs.pop())
    builds = [d for d in os.listdir(tmp_path) if op.isdir(op.join(tmp_path, d))]
    assert len(builds) == 1, builds


def test_broken_mod_file_shows_the_compiler_output(tmp_path):
    mods = tmp_path / 'mod'
    mods.mkdir()
    (mods / 'broken.mod').write_text(
        'NEURON { SUFFIX broken RANGE g }\nPARAMETER { g = 1 }\n'
        'BREAKPOINT { g = this_is_not_defined + }\n')
    with pytest.raises(RuntimeError, match='nrnivmodl failed') as err:
        compile_mechanisms(mod_dir=str(mods), cache_dir=str(tmp_path / 'cache'))
    assert 'broken.mod' in str(err.value)
    # no (half-)build is left to be mistaken for a good one
    assert not [p for p in glob.glob(str(tmp_path / 'cache' / '*')) if op.isdir(p)]
