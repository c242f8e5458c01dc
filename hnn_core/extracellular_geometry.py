"""Where a cell's segments lie, and how strongly each one is seen by a contact.

The extracellular potential at a contact c is ``V_c(t) = sum_j R[c, j] i_j(t)``
over every segment j of every cell, with ``i_j`` the segment's net membrane
current (nA) and ``R`` the transfer resistance (uV per nA, i.e. kOhm) given by
:func:`transfer_matrix`. Everything here is NEURON-free numpy.

hnn-core 0.6.1 reads the geometry back from NEURON after building each cell,
so the points it uses are NEURON's single-precision 3-d points after three
steps: the section's two end points (plus the soma position) are stored as
float32; setting the section length scales them about the first point; and
``define_shape`` moves each child so that its first point lands on its
parent's connection point. :func:`section_end_points` repeats these steps with
the same roundings, so the points (and the section lengths NEURON reports,
which come from the rescaled arc length) agree bit for bit.

Units: positions and lengths in um, conductivity in S/m, transfer resistances
in uV/nA.
"""

import numpy as np

from ._validate import _check_option

_F32 = np.float32


def _check_end_pts(template):
    missing = [sec.name for sec in template.sections if len(sec.end_pts) != 2]
    if missing:
        raise ValueError(
            f'Extracellular potentials need the 3-d end points of every section, '
            f'but section(s) {", ".join(map(repr, missing))} of '
            f'{template.cell_type} have none; give each Section two end_pts '
            '[[x, y, z], [x, y, z]] (um)')


def _parents_first(template):
    """Section indices with every parent before its children, and parent indices."""
    index = {sec.name: i for i, sec in enumerate(template.sections)}
    parent = np.array([-1 if sec.parent is None else index[sec.parent]
                       for sec in template.sections])
    depth = np.zeros(len(parent), int)
    for i in range(len(parent)):
        j, steps = i, 0
        while parent[j] >= 0:
            j = parent[j]
            steps += 1
            if steps > len(parent):
                raise ValueError(f'The sections of {template.cell_type} form a loop')
        depth[i] = steps
    return np.argsort(depth, kind='stable'), parent


def _section_geometry(template, pos):
    """NEURON's 3-d end points (float32) and lengths (um) of every section.

    Returns ``points``, shape (n_sections, 2, 3), float32, and ``lengths``,
    shape (n_sections,), float64: what ``sec.x3d(i)`` etc. and ``sec.L``
    return once the cell is built the 0.6.1 way.
    """
    _check_end_pts(template)
    sections = template.sections
    pos = np.asarray(pos, dtype=float).reshape(3)
    # pt3dadd: the point (cell frame + position, in double) stored as float32
    points = (np.array([sec.end_pts for sec in sections], dtype=float)
              + pos).astype(_F32)
    # arc length as NEURON computes it: float32 differences, double squares
    t = (points[:, 1] - points[:, 0]).astype(float)
    arc = np.sqrt((t[:, 0] * t[:, 0] + t[:, 1] * t[:, 1]) + t[:, 2] * t[:, 2])
    # sec.L = L scales every point about the first one, in double
    fac = np.array([sec.L for sec in sections], dtype=float) / arc
    first = points[:, 0].astype(float)
    points[:, 1] = (first + (points[:, 1].astype(float) - first)
                    * fac[:, None]).astype(_F32)
    lengths = arc * fac
    # define_shape: translate each child (parents first) so that its first
    # 3-d point lands on the connection point; target and shift are float32
    order, parent = _parents_first(template)
    for i in order:
        p = parent[i]
        if p < 0:
            continue
        where = sections[i].parent_x
        if parent[p] >= 0 and sections[p].child_x != 0:
            # the parent hangs by its 1-end, where its 3-d points now start
            where = 1. - where
        target = (points[p, 1].astype(float) * where
                  + points[p, 0].astype(float) * (1. - where)).astype(_F32)
        points[i] = points[i] + (target - points[i, 0])
    return points, lengths


def section_end_points(template, pos):
    """Start and end point of every section of a cell placed at ``pos``.

    The points are those NEURON holds (``x3d``, ``y3d``, ``z3d`` of the first
    and last 3-d point) after hnn-core 0.6.1 builds the cell: the end points
    stored in single precision, stretched to each section's length and
    joined to their parents by ``define_shape``.

    Parameters
    ----------
    template : CellTemplate
        The compiled cell (see :func:`hnn_core.cell_template.compile_cell`);
        every section needs its two ``end_pts``.
    pos : array-like, shape (3,)
        Position (um) added to the end points: the cell's soma position in
        the network (``net.pos_dict[cell_type][i]``).

    Returns
    -------
    points : array, shape (n_sections, 2, 3)
        Start (0-end of the 3-d points) and end point (um) of each section in
        ``template.sections`` order; float64 holding float32 values.
    """
    points, _ = _section_geometry(template, pos)
    return points.astype(float)


def _segment_layout(template):
    """Section index, position x along it and index within it of each segment."""
    nseg = np.array([sec.nseg for sec in template.sections])
    sec_idx = np.repeat(np.arange(len(nseg)), nseg)
    first = np.concatenate(([0], np.cumsum(nseg)[:-1]))
    k = np.arange(nseg.sum()) - first[sec_idx]
    # NEURON's seg.x: the centre of segment k of n is (k + 0.5) / n
    x = (k + 0.5) / nseg[sec_idx]
    return sec_idx, x, k, nseg[sec_idx]


def _line_half_lengths(x, k, nseg, length):
    """0.6.1's half extent (um) of each segment's line source.

    The first segment reaches from the section start to its centre's mirror,
    (x_0 L); every other one extends by the distance from its centre to the
    next centre (or to the section end for the last one).
    """
    at = x * length
    nxt = np.where(k == nseg - 1, length, np.append(at[1:], 0.))
    return np.where(k == 0, at, nxt - at)


def transfer_matrix(template, pos, contacts, *, conductivity, method,
                    min_distance):
    """Transfer resistance from every segment of one cell to every contact.

    Parameters
    ----------
    template : CellTemplate
        The compiled cell; every section needs its two ``end_pts``.
    pos : array-like, shape (3,)
        The cell's soma position (um), as in :func:`section_end_points`.
    contacts : array-like, shape (n_contacts, 3)
        Contact positions (um).
    conductivity : float
        Conductivity of the extracellular medium (S/m).
    method : 'psa' | 'lsa'
        ``'psa'``: each segment is a point source at its centre, at least
        ``min_distance`` from the contact. ``'lsa'``: each segment is a line
        source along the section (Holt 1998), the squared distance of the
        contact from the section's axis at least ``min_distance ** 2``.
    min_distance : float
        Smallest distance (um) a contact is taken to be from a source.

    Returns
    -------
    R : array, shape (n_contacts, template.n_segments)
        Transfer resistances in uV per nA of membrane current, segments in
        template order (``template.sections``, then segments 0..nseg-1). The
        arithmetic follows hnn-core 0.6.1's ``_transfer_resistance`` step by
        step, so the values agree with it to the last bit or nearly.
    """
    _check_option('method', method, ['psa', 'lsa'])
    points, lengths = _section_geometry(template, pos)
    start = points[:, 0].astype(float)
    sec_vec = points[:, 1].astype(float) - start
    sec_idx, x, k, nseg = _segment_layout(template)
    vec = sec_vec[sec_idx]
    ctr = start[sec_idx] + x[:, None] * vec
    contacts = np.asarray(contacts, dtype=float).reshape(-1, 3)

    if method == 'psa':
        diff = contacts[:, None, :] - ctr[None, :, :]
        sq = diff * diff
        dist = np.sqrt((sq[..., 0] + sq[..., 1]) + sq[..., 2])
        phi = 1.0 / np.maximum(dist, min_distance)
    else:
        # np.vecdot reduces with the same kernel as 0.6.1's np.dot / norm on
        # 3-vectors, whose rounding differs from a plain sum of products
        half = _line_half_lengths(x, k, nseg, lengths[sec_idx])
        step = (half[:, None] * vec) / np.sqrt(np.vecdot(vec, vec))[:, None]
        seg_start = ctr - step
        seg_end = ctr + step
        a = seg_end - seg_start
        norm_a = np.sqrt(np.vecdot(a, a))
        b = contacts[:, None, :] - seg_end[None, :, :]
        H = np.vecdot(b, a[None, :, :]) / norm_a  # along the axis, from the end
        L = H + norm_a  # along the axis, from the start
        # 0.6.1 squares with pow(), which float_power calls and x * x is not
        H2 = np.float_power(H, 2.0)
        R2 = np.maximum(np.vecdot(b, b) - H2, min_distance ** 2)
        root_h = np.sqrt(H2 + R2)
        root_l = np.sqrt(np.float_power(L, 2.0) + R2)
        behind = (L < 0) & (H < 0)
        alongside = (L > 0) & (H < 0)
        num = np.where(behind, root_h - H,
                       np.where(alongside, (root_h - H) * (L + root_l), root_l + L))
        denom = np.where(behind, root_l - L, np.where(alongside, R2, root_h + H))
        phi = np.log(num / denom) / norm_a
    # 1 / (um * S/m) = 1e6 Ohm; times nA gives mV; 1e3 more for uV
    return 1000.0 * phi / (4.0 * np.pi * conductivity)
