"""Synaptic connectivity of the network as arrays.

Every connection rule (local or from a drive) becomes a :class:`ConnectionBlock`:
one row per (source gid, target gid) pair with its weight and delay, plus the
receptor and the target location group shared by the block. A pair makes one
synaptic contact per section of the location group, each with the full weight.

Weights and delays fall off with the distance d between the source and target
somata in the xy plane: ``weight = A_weight * exp(-d^2 / lambda^2)`` and
``delay = A_delay / exp(-d^2 / lambda^2)``.
"""

from dataclasses import dataclass

import numpy as np


@dataclass
class ConnectionBlock:
    """Connections that share a receptor, a target type and a location.

    Attributes
    ----------
    name : str
        Rule name, e.g. ``'L2Pyr_L2Pyr_nmda'`` or ``'evprox1_L5_pyramidal_ampa'``.
    target_type : str
        Cell type of every target.
    receptor : str
        ``'ampa'``, ``'nmda'``, ``'gabaa'`` or ``'gabab'``.
    location : str
        ``'proximal'``, ``'distal'`` or ``'soma'``.
    src_gids, tgt_gids : ndarray of int, shape (n_pairs,)
        Source and target gids of each pair.
    weights : ndarray of float, shape (n_pairs,)
        Peak conductance of each contact (uS).
    delays : ndarray of float, shape (n_pairs,)
        Delay from the source's spike to the synapse (ms).
    """

    name: str
    target_type: str
    receptor: str
    location: str
    src_gids: np.ndarray
    tgt_gids: np.ndarray
    weights: np.ndarray
    delays: np.ndarray

    @property
    def n_pairs(self):
        return len(self.src_gids)


# (source type, target type, receptor, location, params key, lambda, autapses)
_LOCAL_RULES = (
    ('L2_pyramidal', 'L2_pyramidal', 'nmda', 'proximal', 'gbar_L2Pyr_L2Pyr_nmda', 3., False),
    ('L2_pyramidal', 'L2_pyramidal', 'ampa', 'proximal', 'gbar_L2Pyr_L2Pyr_ampa', 3., False),
    ('L5_pyramidal', 'L5_pyramidal', 'nmda', 'proximal', 'gbar_L5Pyr_L5Pyr_nmda', 3., False),
    ('L5_pyramidal', 'L5_pyramidal', 'ampa', 'proximal', 'gbar_L5Pyr_L5Pyr_ampa', 3., False),
    ('L2_basket', 'L2_pyramidal', 'gabaa', 'soma', 'gbar_L2Basket_L2Pyr_gabaa', 50., True),
    ('L2_basket', 'L2_pyramidal', 'gabab', 'soma', 'gbar_L2Basket_L2Pyr_gabab', 50., True),
    ('L5_basket', 'L5_pyramidal', 'gabaa', 'soma', 'gbar_L5Basket_L5Pyr_gabaa', 70., True),
    ('L5_basket', 'L5_pyramidal', 'gabab', 'soma', 'gbar_L5Basket_L5Pyr_gabab', 70., True),
    ('L2_pyramidal', 'L5_pyramidal', 'ampa', 'proximal', 'gbar_L2Pyr_L5Pyr', 3., True),
    ('L2_pyramidal', 'L5_pyramidal', 'ampa', 'distal', 'gbar_L2Pyr_L5Pyr', 3., True),
    ('L2_basket', 'L5_pyramidal', 'gabaa', 'distal', 'gbar_L2Basket_L5Pyr', 50., True),
    ('L2_pyramidal', 'L2_basket', 'ampa', 'soma', 'gbar_L2Pyr_L2Basket', 3., True),
    # the L2 basket self-connection is part of the published model
    ('L2_basket', 'L2_basket', 'gabaa', 'soma', 'gbar_L2Basket_L2Basket', 20., True),
    ('L5_basket', 'L5_basket', 'gabaa', 'soma', 'gbar_L5Basket_L5Basket', 20., False),
    ('L5_pyramidal', 'L5_basket', 'ampa', 'soma', 'gbar_L5Pyr_L5Basket', 3., True),
    ('L2_pyramidal', 'L5_basket', 'ampa', 'soma', 'gbar_L2Pyr_L5Basket', 3., True),
)

_SHORT = {'L2_basket': 'L2Basket', 'L2_pyramidal': 'L2Pyr',
          'L5_basket': 'L5Basket', 'L5_pyramidal': 'L5Pyr'}


def _distance_factor(src_xy, tgt_xy, space_constant):
    """exp(-d^2 / lambda^2) for every row of two (n, 2) position arrays."""
    d = np.sqrt(np.sum((src_xy - tgt_xy) ** 2, axis=1))
    return np.exp(-d ** 2 / space_constant ** 2)


def _candidate_pairs(src, tgt, xy, radius):
    """(src, tgt) gid pairs, src-major, all of them or those within ``radius``.

    Targets are sorted by x, so each source only looks at the band of targets
    within ``radius`` in x: the work grows with the pairs found, not with the
    square of the number of cells (and needs no spatial-index library).
    """
    if radius is None:
        return np.repeat(src, len(tgt)), np.tile(tgt, len(src))
    order = np.argsort(xy[tgt, 0], kind='stable')
    tgt_x = xy[tgt[order], 0]
    lo = np.searchsorted(tgt_x, xy[src, 0] - radius, side='left')
    hi = np.searchsorted(tgt_x, xy[src, 0] + radius, side='right')
    src_out, tgt_out = [], []
    for gid, start, stop in zip(src, lo, hi):
        band = tgt[order[start:stop]]
        near = band[np.sum((xy[band] - xy[gid]) ** 2, axis=1) <= radius ** 2]
        tgt_out.append(np.sort(near))
        src_out.append(np.full(len(near), gid))
    if not src_out:
        return np.empty(0, int), np.empty(0, int)
    return np.concatenate(src_out), np.concatenate(tgt_out)


def local_connections(net, tstop=None):
    """The 16 local connection rules of Jones et al. 2009 as blocks.

    Parameters
    ----------
    net : Network
    tstop : float | None
        If given, leave out the pairs whose delay exceeds it: a spike can never
        reach them before the end of the run. Delays grow as exp(d^2 / lambda^2),
        so only pairs closer than lambda * sqrt(ln(tstop / A_delay)) are kept,
        found without looking at every pair: the work grows with the
        connections kept rather than with the square of the number of cells.
    """
    blocks = []
    xy = net._positions[:, :2] * net._inplane_distance
    a_delay = 1.0
    for src_type, tgt_type, receptor, location, key, lamtha, autapses in _LOCAL_RULES:
        a_weight = float(net._param(key))
        src = np.asarray(net.gid_ranges[src_type])
        tgt = np.asarray(net.gid_ranges[tgt_type])
        lam = lamtha * net._inplane_distance
        radius = None
        if tstop is not None:
            # slightly generous; the exact test on the delay follows
            radius = lam * np.sqrt(max(np.log(tstop / a_delay), 0.)) * (1 + 1e-9) + 1e-9
        src_gids, tgt_gids = _candidate_pairs(src, tgt, xy, radius)
        if not autapses:
            keep = src_gids != tgt_gids
            src_gids, tgt_gids = src_gids[keep], tgt_gids[keep]
        factor = _distance_factor(xy[src_gids], xy[tgt_gids], lam)
        delays = a_delay / factor
        if tstop is not None:
            keep = delays <= tstop
            src_gids, tgt_gids, factor, delays = (src_gids[keep], tgt_gids[keep],
                                                   factor[keep], delays[keep])
        blocks.append(ConnectionBlock(
            name=f'{_SHORT[src_type]}_{_SHORT[tgt_type]}_{receptor}',
            target_type=tgt_type, receptor=receptor, location=location,
            src_gids=src_gids, tgt_gids=tgt_gids,
            weights=a_weight * factor, delays=delays))
    return blocks


def drive_connections(net, name):
    """Blocks connecting one drive's cells to their targets."""
    from .drives import (_drive_cell_layout, _connected_types, _delay_for,
                         _weighted_types)

    drive = net.external_drives[name]
    drive_gids = np.asarray(net.gid_ranges[name])
    _, targets, _ = _drive_cell_layout(net, drive)
    ampa, nmda = _connected_types(net, drive)
    origin_xy = np.asarray(net._origin[:2], float) * net._inplane_distance
    xy = net._positions[:, :2] * net._inplane_distance
    lamtha = drive['space_constant'] * net._inplane_distance
    blocks = []
    target_types = _weighted_types(ampa, nmda)
    for type_idx, cell_type in enumerate(target_types):
        type_gids = np.asarray(net.gid_ranges[cell_type])
        if targets is None:  # every drive cell drives every cell of the type
            src_gids = np.repeat(drive_gids, len(type_gids))
            tgt_gids = np.tile(type_gids, len(drive_gids))
        else:
            mine = np.isin(targets, type_gids)
            src_gids, tgt_gids = drive_gids[mine], targets[mine]
        if drive['probability'] < 1.0:
            # AMPA and NMDA of one target type keep the same random subset.
            keep = _random_subset(len(src_gids), drive['probability'],
                                  drive['conn_seed'] + type_idx)
            src_gids, tgt_gids = src_gids[keep], tgt_gids[keep]
        factor = _distance_factor(np.broadcast_to(origin_xy, (len(tgt_gids), 2)),
                                  xy[tgt_gids], lamtha)
        delay = _delay_for(drive, cell_type)
        for receptor, weights in (('ampa', ampa), ('nmda', nmda)):
            if cell_type not in weights:
                continue
            blocks.append(ConnectionBlock(
                name=f'{name}_{cell_type}_{receptor}', target_type=cell_type,
                receptor=receptor, location=drive['location'],
                src_gids=src_gids, tgt_gids=tgt_gids,
                weights=weights[cell_type] * factor, delays=delay / factor))
    return blocks


def _random_subset(n_pairs, probability, seed):
    """Sorted indices of round(n_pairs * probability) pairs drawn without replacement."""
    rng = np.random.default_rng(seed)
    n_keep = int(np.round(n_pairs * probability))
    return np.sort(rng.choice(range(n_pairs), n_keep, replace=False))


def n_synaptic_contacts(blocks, templates):
    """Number of NetCons the blocks make (pairs times sections of the location)."""
    return sum(b.n_pairs * len(templates[b.target_type].locations[b.location])
               for b in blocks)
