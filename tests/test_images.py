"""Image grids: layout, padding and pixel values (torchvision's make_grid underneath)."""
import torch

from deeparch.present import images
from pngs import pixels


def test_grid_layout_padding_and_pixels():
    x = torch.stack([torch.full((1, 28, 28), v) for v in (-1.0, 0.0, 1.0, 2.0, 0.5)])  # 2.0 is clamped to 1
    g = images.grid(x, nrow=3)
    assert g.shape == (2 * 30 + 2, 3 * 30 + 2) and g.dtype == torch.uint8
    assert g[0, 0] == images.PAD_GREY and g[30, 10] == images.PAD_GREY  # the lines between images
    assert [g[2 + r * 30, 2 + c * 30].item() for r, c in ((0, 0), (0, 1), (0, 2), (1, 0), (1, 1))] == [0, 128, 255, 255, 191]
    assert (g[32:60, 62:90] == images.PAD_GREY).all()  # the empty cell of the last row
    one = images.grid(x[:1])
    assert one.shape == (32, 32) and one[0, 0] == images.PAD_GREY and one[2, 2] == 0
    assert pixels(images.grid_png(x, 3)).tolist() == g.tolist()
