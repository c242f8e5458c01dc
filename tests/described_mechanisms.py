"""The mechanisms the tests describe in Python, and networks that use them.

``build_suite_library()`` compiles the package's mechanisms with all of
``DESCRIBED`` once; a process whose networks need some of them loads that
library (a built library holding more than a network needs is reused), so the
whole suite, gallery example included, compiles one library for its described
mechanisms. ``hh2py``, ``kmpy`` and ``kcapy`` restate the package's ``hh2``,
``km`` and ``kca`` files term for term (``kcapy``'s rate reads the calcium
concentration, untabulated); ``nmdapy`` is the built-in NMDA receptor's kinetics;
``nmdamg`` adds a magnesium block (compared with
``data/mod_mgblock/nmdahand.mod``); ``hcn`` is the channel of the gallery
example ``plot_python_channel.py``, copied here (if the two differ, the example
compiles a library of its own: slower, not wrong).
"""
from hnn_core import neymotin_2020_model
from hnn_core.channels import Channel, Current, Gate, Synapse
from hnn_core.network_models import add_erp_drives_to_jones_model

HH2PY = Channel(
    'hh2py',
    parameters={'gnabar': (0.12, 'S/cm2'), 'gkbar': (0.036, 'S/cm2'),
                'gl': (0.0003, 'S/cm2'), 'el': (-54.3, 'mV'),
                'temp': (6.3, 'degC'), 'tshift': (30.7, 'degC')},
    values={'q10': '3**((celsius - temp - tshift)/10)'},
    gates={'m': Gate(alpha='0.1*vtrap(-(v + 40), 10)', beta='4*exp(-(v + 65)/18)',
                     rate_factor='q10'),
           'h': Gate(alpha='0.07*exp(-(v + 65)/20)', beta='1/(exp(-(v + 35)/10) + 1)',
                     rate_factor='q10'),
           'n': Gate(alpha='0.01*vtrap(-(v + 55), 10)', beta='0.125*exp(-(v + 65)/80)',
                     rate_factor='q10')},
    currents=[Current('gnabar*m*m*m*h*(v - ena)', ion='na'),
              Current('gkbar*n*n*n*n*(v - ek)', ion='k'),
              Current('gl*(v - el)', name='il')],
    table={'vmin': -100, 'vmax': 100, 'n': 200})

KMPY = Channel(
    'kmpy',
    parameters={'gbar': (10, 'pS/um2'), 'tha': (-30, 'mV'), 'qa': (9, 'mV'),
                'Ra': (0.001, '/ms'), 'Rb': (0.001, '/ms'), 'temp': (23, 'degC'),
                'q10': (2.3, '1'), 'tshift': (30.7, 'degC')},
    values={'tadj': 'q10**((celsius - temp - tshift)/10)', 'gk': 'tadj*gbar*n'},
    gates={'n': Gate(alpha='Ra*(v - tha)/(1 - exp(-(v - tha)/qa))',
                     beta='-Rb*(v - tha)/(1 - exp((v - tha)/qa))', rate_factor='tadj')},
    currents=[Current('(1e-4)*gk*(v - ek)', ion='k')],
    table={'vmin': -120, 'vmax': 100, 'n': 199})

KCAPY = Channel(
    'kcapy',
    parameters={'gbar': (10, 'pS/um2'), 'Ra': (0.01, '/ms'), 'Rb': (0.02, '/ms'),
                'temp': (23, 'degC'), 'q10': (2.3, '1'), 'tshift': (30.7, 'degC')},
    values={'tadj': 'q10**((celsius - temp - tshift)/10)', 'gk': 'tadj*gbar*n'},
    gates={'n': Gate(alpha='Ra*cai', beta='Rb', rate_factor='tadj')},
    currents=[Current('(1e-4)*gk*(v - ek)', ion='k')],
    ions=['ca'])

NMDAPY = Synapse('nmdapy')
NMDAMG = Synapse('nmdamg', voltage_factor='1/(1 + exp(0.062*-v)*mg/3.57)',
                 parameters={'mg': (1., 'mM')})
HCN = Channel(
    'hcn',
    parameters={'gbar': (0.0001, 'S/cm2'), 'ehcn': (-45., 'mV')},
    gates={'m': Gate(alpha='0.00643*vtrap(v + 154.9, 11.9)',
                     beta='0.193*exp(v/33.1)')},
    currents=[Current('gbar*m*(v - ehcn)', name='ihcn')])
NETWORK_DESCRIBED = (HH2PY, KMPY, KCAPY, NMDAPY, NMDAMG)
DESCRIBED = NETWORK_DESCRIBED + (HCN,)


def build_suite_library():
    """Compile the package's mechanisms with every description above (cached)."""
    from hnn_core.engine import generated
    from hnn_core.engine.mechanisms import compile_mechanisms
    files = generated.nmodl_files(DESCRIBED)
    return compile_mechanisms(generated._source_dir(files, with_builtins=True))
REPLACES = {'hh2': HH2PY, 'km': KMPY, 'kca': KCAPY}


def erp_network():
    """The 3x3 network with its ERP drives and the package's own mechanisms."""
    net = neymotin_2020_model(mesh_shape=(3, 3))
    add_erp_drives_to_jones_model(net)
    return net


def described_network(nmda=False):
    """``erp_network()`` with hh2, km and kca replaced by hh2py, kmpy, kcapy.

    With ``nmda``, every NMDA connection targets ``nmdapy`` instead (same
    kinetics per cell type). ``nmdamg`` sits on the L2 basket somata, which
    nothing connects to, so that every such network has the same five
    described mechanisms (``NETWORK_DESCRIBED``).
    """
    net = erp_network()
    for entry in net.cell_types.values():
        cell = entry['cell_object']
        for builtin, described in REPLACES.items():
            for sec_name, section in cell.sections.items():
                if builtin in section.mechs:
                    values = {name[:-len(builtin) - 1]: value
                              for name, value in section.mechs.pop(builtin).items()}
                    cell.insert_mechanism(described, [sec_name], **values)
        carriers = [name for name, sec in cell.sections.items() if 'nmda' in sec.syns]
        cell.add_synapse(NMDAPY, carriers, **cell.synapses['nmda'])
    net.cell_types['L2_basket']['cell_object'].add_synapse(
        NMDAMG, ['soma'], e=0., tau1=1., tau2=20.)
    if nmda:
        for conn in net.connectivity:
            if conn['receptor'] == 'nmda':
                conn['receptor'] = 'nmdapy'
    return net
