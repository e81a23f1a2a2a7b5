"""Unrolled helpers: the small NumPy implementations the course notebooks import.

Modules: ``rnn``, ``gradcheck``, ``toys``, ``clip``, ``optim``, ``train``, ``tasks``,
``explorers`` (plus ``lstm``, ``gru`` and others as the course grows). Everything works on
plain NumPy arrays and ``dict[str, np.ndarray]`` parameter dicts, float64 by default.
"""

__version__ = "0.1.0"
