"""Extracellular-potential cases that run unchanged on hnn-core 0.6.1 (the oracle) and on
this package.

``build_extracellular_case(name)`` returns ``(net, sim_kwargs)``; run the case with
``simulate_dipole(net, **sim_kwargs)`` and read ``net.rec_arrays[array].voltages``
(trials x contacts x times, uV). Only hnn-core 0.6.1's public API is used
(``neymotin_2020_model``, ``add_erp_drives_to_jones_model``,
``Network.add_electrode_array``), so the same module builds the reference in the oracle
(``make_extracellular_cases.py``) and the network under test here.

Cases: ``extracellular_mesh3x3`` (2 trials) and ``extracellular_mesh10x10`` (1 trial), both
the default model (in 0.6.1 ``jones_2009_model`` is the same network as
``neymotin_2020_model``; the latter is used because 0.6.1 warns that the former is
deprecated) with the ERP drives, 170 ms, dt 0.025 ms, and four electrode arrays:

shank_psa       25 contacts on a vertical line through the middle of the pyramidal grid,
                z = -325, -225, ..., 2075 um, point-source approximation, default
                conductivity (0.3 S/m) and min_distance (0.5 um). With 0.6.1's default
                in-plane distance of 1 um the middle is (4.5, 4.5) for 10x10 and (1, 1)
                for 3x3; the latter lies on the axis of the central pyramidal cells, so
                some contacts are closer to segments than min_distance (on purpose: it
                exercises the clamp).
shank_lsa       the same contacts, line-source approximation.
off_column      4 contacts off the column, 'psa', conductivity 0.25 S/m, min_distance 1 um.
off_column_lsa  the same contacts, 'lsa', conductivity 0.25 S/m, min_distance 1 um.
"""
from hnn_core import neymotin_2020_model
from hnn_core.network_models import add_erp_drives_to_jones_model

MESHES = {'mesh3x3': (3, 3), 'mesh10x10': (10, 10)}
CASES = [f'extracellular_{mesh}' for mesh in MESHES]

TSTOP = 170.0
DT = 0.025
N_TRIALS = {'mesh3x3': 2, 'mesh10x10': 1}

# x, y (um) of the shanks: the middle of the pyramidal grid for 0.6.1's default in-plane
# distance of 1 um (grid points 0, 1, ..., n - 1).
SHANK_XY = {'mesh3x3': (1.0, 1.0), 'mesh10x10': (4.5, 4.5)}
SHANK_DEPTHS = tuple(float(z) for z in range(-325, 2150, 100))   # 25 contacts, um
SHANK_SPACING = 100.0   # um; the delta of the CSD kept with the reference

OFF_COLUMN_POSITIONS = [(50.0, 60.0, 500.0), (-100.0, 20.0, 1300.0),
                        (300.0, 300.0, -200.0), (4.5, 200.0, 2100.0)]
OFF_COLUMN_KWARGS = dict(conductivity=0.25, min_distance=1.0)

ARRAY_NAMES = ('shank_psa', 'shank_lsa', 'off_column', 'off_column_lsa')


def shank_positions(mesh):
    """The (x, y, z) contacts (um) of the shanks of ``mesh`` ('mesh3x3' or 'mesh10x10')."""
    x, y = SHANK_XY[mesh]
    return [(x, y, z) for z in SHANK_DEPTHS]


def array_specs(mesh):
    """{array name: (positions, keyword arguments of add_electrode_array)} for ``mesh``."""
    shank = shank_positions(mesh)
    return {'shank_psa': (shank, dict(method='psa')),
            'shank_lsa': (shank, dict(method='lsa')),
            'off_column': (list(OFF_COLUMN_POSITIONS),
                           dict(method='psa', **OFF_COLUMN_KWARGS)),
            'off_column_lsa': (list(OFF_COLUMN_POSITIONS),
                               dict(method='lsa', **OFF_COLUMN_KWARGS))}


def build_extracellular_case(name, arrays=ARRAY_NAMES):
    """Return ``(net, sim_kwargs)`` for the case ``name`` (an element of ``CASES``).

    ``arrays`` are the names of the electrode arrays to add, in that order (all four by
    default; an empty sequence gives the same network without arrays)."""
    if name not in CASES:
        raise ValueError(f'unknown case {name!r}; one of {CASES}')
    mesh = name.rsplit('_', 1)[1]
    specs = array_specs(mesh)
    unknown = [a for a in arrays if a not in specs]
    if unknown:
        raise ValueError(f'unknown arrays {unknown}; any of {list(specs)}')
    net = neymotin_2020_model(mesh_shape=MESHES[mesh])
    add_erp_drives_to_jones_model(net)
    for array in arrays:
        positions, kwargs = specs[array]
        net.add_electrode_array(array, positions, **kwargs)
    return net, dict(tstop=TSTOP, dt=DT, n_trials=N_TRIALS[mesh])
