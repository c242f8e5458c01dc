"""The compiled-mechanism cache: first build, reuse, concurrency, errors, damage,
unsafe places, builds that were killed, and what a first build prints."""
import glob
import os
import os.path as op
import re
import shutil
import signal
import subprocess
import sys
import time

import json
import warnings

import pytest

from hnn_core.engine import mechanisms as mech
from hnn_core.engine._vectorize_tables import (rewrite_source, split_ion_writes,
                                                split_ion_writes_in, tables_in_mod,
                                                vectorize_table_lookups)
from hnn_core.engine.mechanisms import compile_mechanisms, coreneuron_library, MOD_DIR
from _cache_fake import (write_fake_nrnivmodl, tiny_mod_dir, pids_with_env,
                         NRNMECH_SIZE, CORENRNMECH_SIZE)


def test_other_neuron_or_edited_mod_file_is_another_build(fake):
    lib = fake()
    other = compile_mechanisms(mod_dir=fake.mods, cache_dir=fake.cache,
                               neuron_version='0.0-other')
    assert other != lib and op.isfile(other) and op.isfile(lib)
    with open(op.join(fake.mods, 'cad.mod'), 'a') as fid:
        fid.write('\n: an edit\n')
    edited = fake()
    assert edited not in (lib, other) and op.isfile(edited) and op.isfile(lib)


@pytest.mark.slow
def test_two_processes_compile_at_once(tmp_path):
    mods = tiny_mod_dir(tmp_path / 'mod')
    cache = tmp_path / 'cache'
    code = ('import sys; from hnn_core.engine.mechanisms import compile_mechanisms; '
            'print(compile_mechanisms(mod_dir=sys.argv[1], cache_dir=sys.argv[2]))')
    procs = [subprocess.Popen([sys.executable, '-c', code, mods, str(cache)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=900) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    libs = {out.strip() for out, _ in outs}
    assert len(libs) == 1 and op.isfile(libs.pop())
    builds = [d for d in os.listdir(cache) if op.isdir(op.join(cache, d))]
    assert len(builds) == 1, builds
    # one of them compiled, the other said it was waiting
    errs = [err for _, err in outs]
    assert sum('compiling the model' in err for err in errs) == 1, errs


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


# -- the cache's own logic, with a stand-in for nrnivmodl (tests/_cache_fake.py) --
VERSION = '0.0-fake'  # part of the cache key: builds of the stand-in stay apart
FAKE_FLAGS = '-O3 -fake-flag'


@pytest.fixture
def fake(tmp_path, monkeypatch):
    """compile_mechanisms with the stand-in nrnivmodl, a tiny mod folder and its cache."""
    script = write_fake_nrnivmodl(tmp_path)
    monkeypatch.setattr(mech, '_find_nrnivmodl', lambda: script)
    # the real choice asks the compiler (tests/test_compiler_flags.py)
    monkeypatch.setattr(mech, 'coreneuron_flags', lambda: FAKE_FLAGS)
    mods = tiny_mod_dir(tmp_path / 'mod')
    cache = str(tmp_path / 'cache')

    def build(**kwargs):
        kwargs.setdefault('neuron_version', VERSION)
        return compile_mechanisms(mod_dir=mods, cache_dir=cache, **kwargs)
    build.cache, build.mods, build.script = cache, mods, script
    return build


def _as_new_process():
    """Forget which builds this process has verified, as a new run would."""
    getattr(mech, '_verified', {}).clear()


def _leftovers(cache):
    if not op.isdir(cache):
        return []
    return sorted(name for name in os.listdir(cache) if name.startswith('build-'))


def _truncate(path, size=100):
    with open(path, 'r+b') as fid:
        fid.truncate(size)


def _damage_nrn_truncated(lib):
    _truncate(lib)


def _damage_nrn_deleted(lib):
    os.remove(lib)


def _damage_core_deleted(lib):
    os.remove(coreneuron_library(lib))


def _damage_core_truncated(lib):
    _truncate(coreneuron_library(lib), 0)


def _damage_emptied(lib):
    build = op.dirname(op.dirname(lib))
    for entry in os.listdir(build):
        path = op.join(build, entry)
        shutil.rmtree(path) if op.isdir(path) else os.remove(path)


def _damage_half_deleted(lib):
    shutil.rmtree(op.dirname(lib))  # the arch folder goes, the rest stays


def _damage_same_size(lib):
    with open(lib, 'r+b') as fid:  # same size, other bytes: only a hash sees it
        fid.seek(1000)
        fid.write(b'X' * 10)


@pytest.mark.parametrize('damage', [
    _damage_nrn_truncated, _damage_nrn_deleted, _damage_core_deleted,
    _damage_core_truncated, _damage_emptied, _damage_half_deleted, _damage_same_size],
    ids=lambda f: f.__name__[len('_damage_'):])
def test_damaged_build_is_rebuilt_on_next_run(fake, damage, capsys):
    lib = fake()
    damage(lib)
    _as_new_process()
    capsys.readouterr()
    again = fake()
    assert again == lib
    assert op.getsize(again) == NRNMECH_SIZE
    with open(again, 'rb') as fid:
        assert fid.read() == b'N' * NRNMECH_SIZE
    core = coreneuron_library(again)
    assert core is not None and op.getsize(core) == CORENRNMECH_SIZE
    assert _leftovers(fake.cache) == []
    assert 'rebuilding' in capsys.readouterr().err
    # and the repaired build is reused as it is
    mtime = op.getmtime(again)
    _as_new_process()
    assert fake() == again and op.getmtime(again) == mtime


def test_build_without_manifest_is_rebuilt(fake):
    lib = fake()
    os.remove(op.join(op.dirname(op.dirname(lib)), mech.MANIFEST))
    _as_new_process()
    assert fake() == lib
    assert op.isfile(op.join(op.dirname(op.dirname(lib)), mech.MANIFEST))


def test_verification_hashes_once_per_process(fake, monkeypatch):
    lib = fake()
    _as_new_process()
    hashed = []
    real = mech._file_sha256
    monkeypatch.setattr(mech, '_file_sha256', lambda p: hashed.append(p) or real(p))
    for _ in range(3):
        assert fake() == lib
    assert len(hashed) == 2  # libnrnmech and libcorenrnmech, the first time only
    _truncate(lib)  # a change is still seen (by its size and time)
    assert fake() == lib and op.getsize(lib) == NRNMECH_SIZE


def test_coreneuron_build_failure_is_warned_about(fake, monkeypatch):
    monkeypatch.setenv('FAKE_NRN_NOCORE', '1')
    with pytest.warns(RuntimeWarning, match="CoreNEURON.*'neuron' engine"):
        lib = fake()
    assert op.getsize(lib) == NRNMECH_SIZE and coreneuron_library(lib) is None
    # a build made without CoreNEURON is complete as it is: no rebuild next time
    _as_new_process()
    monkeypatch.delenv('FAKE_NRN_NOCORE')
    mtime = op.getmtime(lib)
    assert fake() == lib and op.getmtime(lib) == mtime


def test_each_neuron_installation_gets_its_own_build(fake, monkeypatch):
    """A build links to its NEURON's libraries by path: another virtualenv with the
    same NEURON version (or one recreated elsewhere) must not load it."""
    lib = fake()
    monkeypatch.setattr(mech, '_neuron_home', lambda: '/elsewhere/venv/neuron')
    _as_new_process()
    other = fake()

    def build_dir(path):
        return op.relpath(path, fake.cache).split(os.sep)[0]
    assert build_dir(other) != build_dir(lib)
    assert op.isfile(lib) and op.isfile(other)


def test_lock_file_symlink_is_not_followed(fake, tmp_path):
    key = mech._build_key(fake.mods, VERSION)
    os.makedirs(fake.cache, mode=0o700)
    precious = tmp_path / 'precious.txt'
    precious.write_text('keep me')
    os.symlink(precious, op.join(fake.cache, key + '.lock'))
    with pytest.raises(RuntimeError, match=r'\.lock.*symbolic link'):
        fake()
    assert precious.read_text() == 'keep me'


@pytest.mark.parametrize('mode', [0o777, 0o757, 0o1777])
def test_cache_writable_by_others_is_refused(fake, mode):
    os.makedirs(fake.cache)
    os.chmod(fake.cache, mode)
    with pytest.raises(RuntimeError, match='writable by other users') as err:
        fake()
    assert fake.cache in str(err.value) and 'HNN_CORE_CACHE_DIR' in str(err.value)
    assert not glob.glob(op.join(fake.cache, '*'))


def test_cache_of_another_user_is_refused(fake):
    os.makedirs(fake.cache)
    os.chown(fake.cache, 54321, -1)  # we run as root in CI; any other uid will do
    with pytest.raises(RuntimeError, match='owned by another user'):
        fake()


def test_cache_writable_by_the_group_is_warned_about(fake):
    os.makedirs(fake.cache)
    os.chmod(fake.cache, 0o775)
    with pytest.warns(UserWarning, match='writable by its group'):
        lib = fake()
    assert op.isfile(lib)


def test_new_cache_is_private(fake):
    fake()
    assert os.stat(fake.cache).st_mode & 0o077 == 0


def test_mod_file_name_with_shell_characters_is_refused(fake):
    shutil.copy(op.join(fake.mods, 'cad.mod'), op.join(fake.mods, 'c`id`.mod'))
    with pytest.raises(ValueError, match=r'c`id`\.mod'):
        fake()


def test_cache_path_neuron_cannot_load_from_is_refused(fake, tmp_path):
    with pytest.raises(ValueError, match=r'\$\(.*HNN_CORE_CACHE_DIR'):
        compile_mechanisms(mod_dir=fake.mods, cache_dir=str(tmp_path / 'c$(HOME)'),
                           neuron_version=VERSION)


def test_compile_notice_comes_before_nrnivmodl(fake, monkeypatch, capsys):
    seen = []
    real = mech._nrnivmodl

    def spy(*args, **kwargs):
        seen.append(capsys.readouterr())
        return real(*args, **kwargs)
    monkeypatch.setattr(mech, '_nrnivmodl', spy)
    monkeypatch.setattr(mech, '_HEARTBEAT', 0.2, raising=False)
    monkeypatch.setenv('FAKE_NRN_SLEEP', '0.7')
    capsys.readouterr()
    fake()
    first = seen[0]
    assert first.out == ''  # stdout is the user's (and the reference example's)
    notice = first.err.splitlines()
    assert notice and all(line.startswith('hnn_core: ') for line in notice), notice
    assert 'compiling' in notice[0] and 'once' in notice[0] and fake.cache in notice[0]
    rest = ''.join(s.err for s in seen[1:]) + capsys.readouterr().err
    assert 'still compiling' in rest  # a sign of life while the compiler runs
    assert 'compiled in' in rest
    # nothing at all when the build is there
    fake()
    assert capsys.readouterr() == ('', '')


def test_compile_notice_can_be_silenced(fake, capsys):
    fake(verbose=False)
    assert capsys.readouterr() == ('', '')


def _start_killable_build(fake, tmp_path, version, mark):
    code = ('import sys; from hnn_core.engine import mechanisms as m; '
            'm._find_nrnivmodl = lambda: sys.argv[1]; '
            'm.compile_mechanisms(mod_dir=sys.argv[2], cache_dir=sys.argv[3], '
            'neuron_version=sys.argv[4])')
    env = dict(os.environ, FAKE_NRN_SLEEP='600', FAKE_MARK=mark)
    proc = subprocess.Popen([sys.executable, '-c', code, fake.script, fake.mods,
                             fake.cache, version], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not pids_with_env(f'FAKE_MARK={mark}') or not _leftovers(fake.cache):
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.1)
    return proc


def _end(pids):
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.mark.slow
def test_kill_9_during_build_is_cleaned_up_by_next_run(fake, tmp_path):
    mark = f'kill9-{os.getpid()}-{time.time()}'
    proc = _start_killable_build(fake, tmp_path, VERSION, mark)
    try:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        time.sleep(0.5)
        assert _leftovers(fake.cache)  # the killed process could not clean up
        lib = fake()  # the next run
        assert op.getsize(lib) == NRNMECH_SIZE
        assert _leftovers(fake.cache) == []
        deadline = time.monotonic() + 10
        while pids_with_env(f'FAKE_MARK={mark}') and time.monotonic() < deadline:
            time.sleep(0.1)
        assert pids_with_env(f'FAKE_MARK={mark}') == []  # no compiler left running
    finally:
        _end(pids_with_env(f'FAKE_MARK={mark}') + [proc.pid])


@pytest.mark.slow
def test_a_build_in_progress_is_left_alone(fake, tmp_path):
    mark = f'alive-{os.getpid()}-{time.time()}'
    proc = _start_killable_build(fake, tmp_path, '0.0-other', mark)
    try:
        building = _leftovers(fake.cache)
        lib = fake()  # another key, built meanwhile
        assert op.isfile(lib)
        assert _leftovers(fake.cache) == building and proc.poll() is None
        assert pids_with_env(f'FAKE_MARK={mark}')
    finally:
        _end(pids_with_env(f'FAKE_MARK={mark}') + [proc.pid])


# -- real builds (nrnivmodl) of a one-mechanism folder ----------------------------
LOAD = ('import sys; from neuron import h; '
        'from hnn_core.engine.mechanisms import compile_mechanisms; '
        'lib = compile_mechanisms(mod_dir=sys.argv[1], cache_dir=sys.argv[2]); '
        'assert h.nrn_load_dll(lib); s = h.Section(name="s"); s.insert("cad"); '
        'print("LOADED", lib)')


def _load_in_new_process(mods, cache):
    return subprocess.run([sys.executable, '-c', LOAD, mods, cache],
                          capture_output=True, text=True, timeout=900)


@pytest.mark.slow
def test_damaged_real_build_recovers_and_loads(tmp_path):
    mods = tiny_mod_dir(tmp_path / 'mod')
    cache = str(tmp_path / 'cache')
    lib = compile_mechanisms(mod_dir=mods, cache_dir=cache)
    # (the other kinds of damage are tested above with the stand-in nrnivmodl)
    for damage in (_damage_nrn_truncated,):
        damage(lib)
        proc = _load_in_new_process(mods, cache)
        assert proc.returncode == 0, (damage.__name__, proc.returncode, proc.stderr)
        assert f'LOADED {lib}' in proc.stdout
        assert 'rebuilding' in proc.stderr
        assert coreneuron_library(lib) is not None
        assert _leftovers(cache) == []


@pytest.mark.slow
def test_cache_path_with_shell_characters_runs_nothing(tmp_path):
    # make's recipe shell would run the backquoted command in the build folder
    cache = tmp_path / 'c`touch pwned` x'
    mods = tiny_mod_dir(tmp_path / 'mod')
    lib = compile_mechanisms(mod_dir=mods, cache_dir=str(cache))
    ran = [op.join(root, name) for root, _, names in os.walk(tmp_path)
           for name in names if name == 'pwned']
    assert ran == []
    assert lib.startswith(str(cache)) and coreneuron_library(lib) is not None
    assert _leftovers(str(cache)) == []
    assert not glob.glob(op.join(mech.tempfile.gettempdir(), 'hnn_core-build-*'))
    proc = _load_in_new_process(mods, str(cache))
    assert proc.returncode == 0 and f'LOADED {lib}' in proc.stdout, proc.stderr


@pytest.mark.slow
def test_first_run_says_it_compiles_before_compiling(tmp_path):
    """Read the output of a first run as it comes: the notice precedes the build;
    the build is then reused."""
    mods = tiny_mod_dir(tmp_path / 'mod')
    cache = str(tmp_path / 'cache')
    proc = subprocess.Popen([sys.executable, '-c', LOAD, mods, cache],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stderr.readline()
        seen_at = time.monotonic()
        # the notice is there before the library
        built_at_notice = glob.glob(op.join(glob.escape(cache), '*', '*', 'libnrnmech.so'))
        _, rest = proc.communicate(timeout=900)
    finally:
        if proc.poll() is None:
            proc.kill()
    ended_at = time.monotonic()
    assert proc.returncode == 0, rest
    assert first.startswith('hnn_core: compiling') and cache in first, first
    assert 'once' in first
    assert built_at_notice == []
    assert ended_at - seen_at > 2  # the compile came after the notice
    assert 'compiled in' in rest
    # the build is in the cache, never in the package, and is reused as it is
    lib = compile_mechanisms(mod_dir=mods, cache_dir=cache)
    assert lib.startswith(cache) and op.isfile(lib) and coreneuron_library(lib)
    assert not lib.startswith(op.dirname(MOD_DIR))
    mtime = op.getmtime(lib)
    assert compile_mechanisms(mod_dir=mods, cache_dir=cache) == lib
    assert op.getmtime(lib) == mtime
    assert _leftovers(cache) == []


# -- the rewrite of CoreNEURON's table lookups -------------------------------------
# km.cpp as NEURON 9.0.2 and 8.2.7 generate it from hnn_core/mod/km.mod for
# CoreNEURON, and the same files after the rewrite (checked by eye: only the
# lookup's branches go, and in 8.2.7's code the loops become "omp simd" with the
# procedures they call inlined)
SAMPLES = op.join(op.dirname(__file__), 'data', 'generated_code')
GENERATED = op.join(SAMPLES, 'km_nrn9.0.2.cpp')
REWRITTEN = GENERATED.replace('.cpp', '_rewritten.cpp')
GENERATED_NRN8 = op.join(SAMPLES, 'km_nrn8.2.7.cpp')
# one way each generator's code could change shape: a NaN test written otherwise
OTHER_SHAPE = {GENERATED: ('if (isnan(xi))', 'if (std::isnan(xi))'),
               GENERATED_NRN8: ('if (isnan(_xi))', 'if (std::isnan(_xi))')}


def _read(path):
    with open(path) as fid:
        return fid.read()


def _other_shape(tmp_path, sample=GENERATED):
    """A stored sample as a generator that writes ``std::isnan`` would."""
    path = str(tmp_path / 'other_shape.cpp')
    with open(path, 'w') as fid:
        fid.write(_read(sample).replace(*OTHER_SHAPE[sample]))
    return path


def _lookup_of(source, pattern):
    """The function that ``pattern`` starts (up to the blank line after it)."""
    start = re.search(pattern, source).start()
    return source[start:source.index('\n\n', start)]


@pytest.mark.parametrize('sample, lookup', [
    (GENERATED, r'inline static int rates_km\([^;{]*\)\{'),
    (GENERATED_NRN8, r'void _n_rates\(_threadargsproto_[^;{]*\)\{')],
    ids=['nrn9', 'nrn8'])
def test_rewrite_of_stored_generated_code(sample, lookup):
    new, n_rewritten, n_tables = rewrite_source(_read(sample))
    assert (n_rewritten, n_tables) == (1, 1)
    assert new == _read(sample.replace('.cpp', '_rewritten.cpp'))
    body = _lookup_of(new, lookup)
    assert 'usetable' not in body and 'isnan' not in body and 'return;' not in body
    assert re.search(r'std::fmin\(std::fmax\(_?xi, 0\.\), 199\.\)', body)
    assert 'std::min(' in body and ', 198)' in body
    if sample == GENERATED_NRN8:
        assert '_Pragma("GCC ivdep")' not in new and '_Pragma("omp simd")' in new
        assert 'always_inline)) double _nrn_current(' in new
        assert 'always_inline)) int states(' in new
    # a file of another shape is counted, and left exactly as it is
    other = _read(sample).replace(*OTHER_SHAPE[sample])
    assert rewrite_source(other) == (other, 0, 1)
    # a file without tables has nothing to rewrite
    assert rewrite_source('int main() { return 0; }\n')[1:] == (0, 0)


# cad.cpp as NEURON 9.0.2 generates it, and after its state loop was split
# (checked by eye: the two write-backs of cai and eca move to a loop of their own)
GENERATED_CAD = op.join(SAMPLES, 'cad_nrn9.0.2.cpp')


def test_ion_write_backs_are_split_off_the_state_loop(tmp_path):
    source = _read(GENERATED_CAD)
    new, n_split = split_ion_writes(source)
    assert n_split == 1
    assert new == _read(GENERATED_CAD.replace('.cpp', '_split.cpp'))
    state = new[new.index('void nrn_state_cad('):]
    state = state[:state.index('\n    }\n')]
    first, second = state.split('for (int id = 0; id < nodecount; id++) {')[1:]
    assert '] = inst->cai[id];' not in first and '] = inst->eca[id];' not in first
    assert 'log(' in first and 'exp(' in first  # the arithmetic stays in the first
    assert [line.strip() for line in second.strip().splitlines()] == [
        'inst->ion_cai[indexes[2*pnodecount + id]] = inst->cai[id];',
        'inst->ion_eca[indexes[3*pnodecount + id]] = inst->eca[id];', '}']
    # the initial loop (nrn_init) is left alone, and so is a file without them
    assert new.count('inst->ion_cai[indexes[2*pnodecount + id]] = inst->cai[id];') == 2
    assert split_ion_writes(new) == (new, 0)
    assert split_ion_writes(_read(GENERATED)) == (_read(GENERATED), 0)
    # the files of a build folder
    shutil.copy(GENERATED_CAD, tmp_path / 'cad.cpp')
    shutil.copy(GENERATED, tmp_path / 'km.cpp')
    assert split_ion_writes_in(str(tmp_path)) == ['cad.cpp']
    assert _read(tmp_path / 'cad.cpp') == new


def test_lookups_are_counted_from_the_mod_file(tmp_path):
    """However the generator writes a table, its TABLE statement counts it."""
    shutil.copy(op.join(MOD_DIR, 'km.mod'), tmp_path / 'km.mod')
    with open(tmp_path / 'km.cpp', 'w') as fid:  # a table the code does not show
        fid.write(_read(GENERATED).replace('update_table_', 'make_table_'))
    assert tables_in_mod(_read(op.join(MOD_DIR, 'km.mod'))) == 1
    assert tables_in_mod('COMMENT\nTABLE a\nENDCOMMENT\n: TABLE b\n') == 0
    assert vectorize_table_lookups(str(tmp_path)) == (['km.cpp'], [])
    with open(tmp_path / 'km.cpp', 'w') as fid:
        fid.write(_read(GENERATED).replace(*OTHER_SHAPE[GENERATED])
                  .replace('update_table_', 'make_table_'))
    assert vectorize_table_lookups(str(tmp_path)) == ([], ['km.cpp'])


def test_rewrite_module_is_part_of_the_cache_key(monkeypatch):
    key = mech._build_key(MOD_DIR, '9.0.2')
    monkeypatch.setattr(mech, '_rewrite_source', lambda: b'# another rewrite\n')
    assert mech._build_key(MOD_DIR, '9.0.2') != key


def _manifest(lib):
    return json.loads(_read(op.join(op.dirname(op.dirname(lib)), mech.MANIFEST)))


def test_build_rewrites_the_generated_lookups(fake, monkeypatch):
    monkeypatch.setenv('FAKE_NRN_GENERATED', GENERATED)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        lib = fake(neuron_version='9.9-fake')
    built = op.join(op.dirname(lib), 'corenrn', 'mod2c', 'generated.cpp')
    assert _read(built) == _read(REWRITTEN)
    assert _manifest(lib)['table_lookups'] == {
        'rewritten': ['generated.cpp'], 'unmatched': [], 'error': None,
        'flags': FAKE_FLAGS, 'split_loops': []}


@pytest.mark.parametrize('version', ['9.9-fake', '8.2.7'])
@pytest.mark.parametrize('sample', [GENERATED, GENERATED_NRN8], ids=['nrn9', 'nrn8'])
def test_generated_code_of_another_shape_is_warned_about(fake, monkeypatch, tmp_path,
                                                         version, sample):
    monkeypatch.setenv('FAKE_NRN_GENERATED', _other_shape(tmp_path, sample))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        lib = fake(neuron_version=version)
    messages = [str(w.message) for w in caught if w.category is RuntimeWarning]
    assert len(messages) == 1, messages
    assert 'generated.cpp' in messages[0] and 'slower' in messages[0]
    assert version in messages[0]
    assert coreneuron_library(lib) is not None  # CoreNEURON is used all the same
    assert _manifest(lib)['table_lookups']['unmatched'] == ['generated.cpp']


def test_rewrite_that_does_not_compile_falls_back_to_the_generated_code(
        fake, monkeypatch, tmp_path):
    calls = str(tmp_path / 'calls.log')
    monkeypatch.setenv('FAKE_NRN_LOG', calls)
    monkeypatch.setenv('FAKE_NRN_GENERATED', GENERATED)
    monkeypatch.setenv('FAKE_NRN_REJECT', 'std::fmin(std::fmax(xi')
    with pytest.warns(RuntimeWarning, match='did not compile.*slower') as record:
        lib = fake(neuron_version='9.9-fake')
    assert 'fake compiler rejects' in str(record[0].message)
    # CoreNEURON's library is there, built from the code as NEURON generated it
    assert op.getsize(coreneuron_library(lib)) == CORENRNMECH_SIZE
    built = op.join(op.dirname(lib), 'corenrn', 'mod2c', 'generated.cpp')
    assert _read(built) == _read(GENERATED)
    assert not glob.glob(op.join(op.dirname(lib), 'corenrn', 'mod2c.generated'))
    fast = f'-coreneuron -incflags {FAKE_FLAGS} .'
    assert _read(calls).splitlines() == ['-coreneuron .', fast, fast]
    tables = _manifest(lib)['table_lookups']
    assert tables['rewritten'] == [] and 'rejects' in tables['error']
    assert tables['flags'] == FAKE_FLAGS  # the manifest says how it was compiled
    # the build is complete as it is: the next run uses it without compiling
    _as_new_process()
    assert fake(neuron_version='9.9-fake') == lib
    assert len(_read(calls).splitlines()) == 3


def test_extra_compiler_options_that_fail_fall_back_to_the_standard_flags(
        fake, monkeypatch, tmp_path):
    from hnn_core.engine._compiler_flags import GATHER_FLAGS, STANDARD_FLAGS
    calls = str(tmp_path / 'calls.log')
    monkeypatch.setenv('FAKE_NRN_LOG', calls)
    monkeypatch.setenv('FAKE_NRN_REJECT_FLAG', '-mtune-ctrl')
    both = f'{STANDARD_FLAGS} {GATHER_FLAGS}'
    monkeypatch.setattr(mech, 'coreneuron_flags', lambda: both)
    with pytest.warns(RuntimeWarning, match='did not compile with the options.*slower'):
        lib = fake()
    assert op.getsize(coreneuron_library(lib)) == CORENRNMECH_SIZE  # CoreNEURON all the same
    assert _read(calls).splitlines() == [
        '-coreneuron .', f'-coreneuron -incflags {both} .',
        f'-coreneuron -incflags {STANDARD_FLAGS} .']
    tables = _manifest(lib)['table_lookups']
    assert tables['flags'] == STANDARD_FLAGS and 'rejects' in tables['flags_error']


@pytest.mark.both_neurons
def test_real_build_rewrote_every_table_lookup():
    """The installed NEURON's generator still writes a shape that is rewritten."""
    lib = mech.load_mechanisms()
    tables = _manifest(lib)['table_lookups']
    if tables is None:
        pytest.skip('this build has no CoreNEURON library')
    with_tables = sorted(op.basename(f)[:-len('.mod')] + '.cpp'
                         for f in glob.glob(op.join(MOD_DIR, '*.mod'))
                         if tables_in_mod(_read(f)))
    assert with_tables and set(with_tables) <= set(tables['rewritten'])
    assert tables['unmatched'] == [] and tables['error'] is None
