import numpy as np


def test_numpy_available():
    assert np.arange(3).sum() == 3
