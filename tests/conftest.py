"""Shared pytest configuration for the dlcore tests.

Tests draw their random numbers from the ``rng`` fixture (or build their own generator from a seed),
never from NumPy's global state, so every failure can be reproduced exactly.
"""

import matplotlib
import numpy as np
import pytest

# Draw figures off screen in the test process. This is deliberately not done with
# os.environ["MPLBACKEND"] = "Agg": the variable would be inherited by the Jupyter kernels that nbval
# starts, ipykernel keeps an existing MPLBACKEND instead of selecting the inline backend, and every
# figure output of the lesson notebooks would then disappear and fail the comparison.
matplotlib.use("Agg")


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh random generator with a fixed seed, new for every test."""
    return np.random.default_rng(0)
