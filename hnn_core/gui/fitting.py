"""Drive parameters the web interface can fit, named ``'<drive>.<key>'``.

``key`` is ``mu``, ``sigma`` (evoked drives), or ``weights_ampa.<cell type>`` /
``weights_nmda.<cell type>``. Timing is a drive's dynamics and is edited in
place; a weight is the strength of the drive's existing connections to that cell
type, so that no drive is added again and no cell changes its gid (in legacy
mode a drive's spike times depend on its gids).
"""

from ..connectivity import pick_connection

_TIMING = ('mu', 'sigma')
_RECEPTORS = {'weights_ampa': 'ampa', 'weights_nmda': 'nmda'}


def split_name(net, name):
    """``(drive, key, cell_type)`` of a fitted parameter's name, checked."""
    if not isinstance(name, str) or '.' not in name:
        raise ValueError(f"a fitted parameter is named '<drive>.<key>', got {name!r}")
    drive, key = name.split('.', 1)
    if drive not in net.external_drives:
        raise ValueError(f'{name}: the network has no drive {drive!r}')
    if net.external_drives[drive]['type'] not in ('evoked', 'gaussian'):
        raise ValueError(f'{name}: only evoked drives can be fitted here')
    if key in _TIMING:
        return drive, key, None
    receptor_key, _, cell_type = key.partition('.')
    if receptor_key not in _RECEPTORS or cell_type not in net.cell_types:
        raise ValueError(f"{name}: the key must be 'mu', 'sigma' or "
                         f"'weights_ampa.<cell type>' / 'weights_nmda.<cell type>' with "
                         f"a cell type of {', '.join(net.cell_types)}")
    if not _connections(net, drive, receptor_key, cell_type):
        raise ValueError(f'{name}: the drive has no {_RECEPTORS[receptor_key]} '
                         f'connection to {cell_type}; give it a weight first')
    return drive, receptor_key, cell_type


def _connections(net, drive, receptor_key, cell_type):
    return pick_connection(net, src_gids=drive, target_gids=cell_type,
                           receptor=_RECEPTORS[receptor_key])


def current_value(net, name):
    """The value a fitted parameter has in ``net``."""
    drive, key, cell_type = split_name(net, name)
    if cell_type is None:
        return float(net.external_drives[drive]['dynamics'][key])
    return float(net.external_drives[drive][key][cell_type])


def set_drive_params(net, params):
    """Give ``net`` the values of ``params`` (name -> value); the ``set_params`` of a fit.

    A weight is the weight at zero distance: each connection keeps its own
    fall-off with distance, which the network computes from it.
    """
    for name, value in params.items():
        drive, key, cell_type = split_name(net, name)
        if cell_type is None:
            net.external_drives[drive]['dynamics'][key] = float(value)
            continue
        for idx in _connections(net, drive, key, cell_type):
            net.connectivity[idx]['nc_dict']['A_weight'] = float(value)
