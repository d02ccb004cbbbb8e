"""The PNG bytes the store keeps, read back as pixels: for tests that check a grid's size or values."""
import io

import numpy as np
from PIL import Image


def pixels(png: bytes) -> np.ndarray:
    """PNG bytes → uint8 array (H, W)."""
    return np.asarray(Image.open(io.BytesIO(png)))
