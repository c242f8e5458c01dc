"""Which hnn-core generation a network follows, in one place.

Published results depend on details that changed between hnn-core 0.1 (the
reference example's version) and 0.6: how drive cells are laid out and seeded,
whether dipoles are post-processed by default, where cell parameters come from.
Every network carries one :class:`CompatibilityPolicy`, chosen by how it was
made, and every module asks it rather than testing version numbers itself.

``Network(params)`` follows 0.1 (unless given ``mesh_shape``, ``pos_dict`` or
``cell_types``, which only 0.6 has); :func:`~hnn_core.neymotin_2020_model` and
the other model functions, and networks read from configuration files, follow
0.6.
"""

from dataclasses import dataclass

from ._validate import _check_option

VERSIONS = ('0.1', '0.6')


@dataclass(frozen=True)
class CompatibilityPolicy:
    """How a network reproduces one generation of hnn-core.

    Attributes
    ----------
    version : str
        ``'0.1'`` or ``'0.6'``.
    legacy_mode : bool
        HNN-GUI's drive-cell layout (see ``legacy_drive_layout``).
    seeding : str
        Seed rule of drives added without a seed: ``'seedcore'`` (0.1: seed +
        trial + absolute gid of the drive cell) or ``'event_seed'`` (0.6: seed +
        trial * number of gids + index of the drive cell in its drive).
    postproc : bool
        Whether :func:`~hnn_core.simulate_dipole` smooths and scales dipoles by
        default (0.1 did, 0.6 does not).
    cells_from_params : bool
        Whether the pyramidal cells take their geometry and biophysics from the
        parameter file (0.1) or use the published values (0.6, which ignores
        the file's cell values).
    local_connectivity : bool
        Whether ``Network(params)`` itself adds the model's local connections
        (0.1) or leaves the cells unconnected (0.6).
    legacy_drive_layout : str | None
        With ``legacy_mode``, cell-specific drives get one drive cell per
        network cell: ``'silent'`` (0.1: cells facing unweighted cell types
        never fire) or ``'weight0'`` (0.6: they fire into weight-0 synapses);
        None outside legacy mode (drive cells only for the weighted types).
    params_bursty_cells : str
        How a parameter file's rhythmic inputs get their drive cells:
        ``'repeats'`` (0.1: one drive cell with every burst repeated) or
        ``'n_drive_cells'`` (0.6: one drive cell per repeat).
    """

    version: str
    legacy_mode: bool

    @property
    def seeding(self):
        return 'seedcore' if self.version == '0.1' else 'event_seed'

    @property
    def postproc(self):
        return self.version == '0.1'

    @property
    def cells_from_params(self):
        return self.version == '0.1'

    @property
    def local_connectivity(self):
        return self.version == '0.1'

    @property
    def legacy_drive_layout(self):
        if not self.legacy_mode:
            return None
        return 'silent' if self.version == '0.1' else 'weight0'

    @property
    def params_bursty_cells(self):
        return 'repeats' if self.version == '0.1' else 'n_drive_cells'


def make_policy(version, legacy_mode=None):
    """The policy of ``version``; legacy_mode None takes that version's default."""
    _check_option('version', version, VERSIONS)
    if legacy_mode is None:
        legacy_mode = version == '0.1'  # 0.1 defaulted to HNN-GUI's layout
    return CompatibilityPolicy(version=version, legacy_mode=bool(legacy_mode))
