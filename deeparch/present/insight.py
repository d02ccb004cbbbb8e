"""What a classifier learned, as pictures and tables: first-layer filters, feature maps,
Grad-CAM, the confusion matrix.

Generic over classifiers: the convolutional views work on any model with ``nn.Conv2d``
layers (found by type, never by name), so a new convolutional architecture gets them by
calling these functions from its ``media``. Pure torch; the Draw page uses the same
Grad-CAM on a student's drawing.

Grad-CAM is our own 20 lines, checked against captum's ``LayerGradCam`` (with
``relu_attributions``) and ``LayerAttribution.interpolate`` in the tests: captum computes the
same map cleanly, but importing ``captum.attr`` loads matplotlib and IPython (1–3 s and tens of
MB in every worker process, on a run whose whole logging budget is 5%). It weighs the last
convolution's activated output: the raw convolution output is negative over the background, and
on a thick hand-drawn digit it made every weighted sum negative (an empty map); after the ReLU
the maps are non-negative, as Grad-CAM assumes.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from deeparch.present import images

ACTIVATIONS = (nn.ReLU, nn.LeakyReLU, nn.GELU, nn.SiLU, nn.ELU, nn.Tanh, nn.Sigmoid)
PASS_THROUGH = (nn.BatchNorm2d, nn.GroupNorm, nn.Identity)  # may sit between a convolution and its activation
LAYER_GAP = 6      # pixels of white between the feature maps of two layers
MAX_MAPS = 64      # feature maps drawn per layer (the course CNN has 32 and 64)
DILATE = 2         # pixels the ink mask grows by when scoring a Grad-CAM map


def convs(model: nn.Module) -> list[nn.Conv2d]:
    """The model's 2-D convolutions in the order they are registered (input side first)."""
    return [m for m in model.modules() if isinstance(m, nn.Conv2d)]


def activated(model: nn.Module) -> list[nn.Module]:
    """For each convolution, the module whose output is its activated maps: the activation that
    follows it (past any normalisation), or the convolution itself when none follows."""
    mods = list(model.modules())
    out = []
    for i, conv in enumerate(mods):
        if not isinstance(conv, nn.Conv2d):
            continue
        found = conv
        for m in mods[i + 1:]:
            if isinstance(m, ACTIVATIONS):
                found = m
            if not isinstance(m, PASS_THROUGH):
                break
        out.append(found)
    return out


def cam_layer(model: nn.Module) -> nn.Module:
    """The module whose output Grad-CAM weighs: the last convolution's activated maps."""
    return activated(model)[-1]


def _unit(x: torch.Tensor) -> torch.Tensor:
    """Scale each map of (N, 1, H, W) to [-1, 1] on its own range (a flat map becomes black)."""
    flat = x.flatten(1)
    lo, hi = flat.min(1).values.view(-1, 1, 1, 1), flat.max(1).values.view(-1, 1, 1, 1)
    return (x - lo) / (hi - lo).clamp_min(1e-12) * 2 - 1


@torch.no_grad()
def filters_png(model: nn.Module, nrow: int = 8) -> bytes:
    """The first convolution's kernels (averaged over input channels), each on its own grey scale."""
    w = convs(model)[0].weight.detach().float().cpu()          # (C, Cin, k, k)
    return images.grid_png(_unit(w.mean(1, keepdim=True)), nrow)


@torch.no_grad()
def feature_maps(model: nn.Module, x: torch.Tensor) -> list[torch.Tensor]:
    """Each convolution's activated output for the single image ``x`` (1, 1, 28, 28): a list of (C, H, W)."""
    found: list[torch.Tensor] = []
    hooks = [c.register_forward_hook(lambda m, i, o: found.append(o[0].detach().float().cpu()))
             for c in activated(model)]
    was = model.training
    model.eval()
    try:
        model(x)
    finally:
        model.train(was)
        for h in hooks:
            h.remove()
    return found


def feature_maps_png(model: nn.Module, x: torch.Tensor, nrow: int = 8) -> bytes:
    """One grid per convolution (input side on top), stacked: the maps after each layer for one digit.
    Maps of a smaller layer are upsampled to 28×28 so the grids line up."""
    blocks = []
    for maps in feature_maps(model, x):
        m = maps[:MAX_MAPS].unsqueeze(1)                          # (C, 1, H, W)
        if m.shape[-1] != 28:
            m = F.interpolate(m, size=(28, 28), mode="nearest")
        blocks.append(images.grid(_unit(m), nrow))
    width = max(b.shape[1] for b in blocks)  # a layer with fewer maps than a row is padded on the right
    gap = torch.full((LAYER_GAP, width), 255, dtype=torch.uint8)  # a white band between layers
    parts = [F.pad(b, (0, width - b.shape[1]), value=images.PAD_GREY) for b in blocks]
    return images.to_png(torch.cat([p for b in parts for p in (b, gap)][:-1], 0))


def grad_cam(model: nn.Module, x: torch.Tensor, target: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Grad-CAM of the last convolution (activated) for ``target`` (default: the predicted class),
    upsampled to the input: ((N, H, W) maps in [0, 1], each scaled by its own maximum; (N,) targets).

    The class score's gradient with respect to the layer's maps, averaged over each map, weighs the
    maps; their ReLU'd sum is the heat map (Selvaraju et al., 2017). ``torch.autograd.grad`` leaves
    the parameters' ``.grad`` alone, so the trainer's per-layer gradient norms stay the training step's."""
    found: list[torch.Tensor] = []
    hook = cam_layer(model).register_forward_hook(lambda m, i, o: found.append(o))
    was = model.training
    model.eval()
    try:
        with torch.enable_grad():
            # the input asks for a gradient so the maps have one even where the layers are frozen (transfer)
            logits = model(x.detach().requires_grad_(True))                 # (N, classes)
            target = logits.argmax(1) if target is None else target.to(logits.device)
            maps = found[-1]                                                # (N, C, h, w)
            (grad,) = torch.autograd.grad(logits.gather(1, target.view(-1, 1)).sum(), maps)
    finally:
        hook.remove()
        model.train(was)
    weights = grad.mean((2, 3), keepdim=True)                               # (N, C, 1, 1): α_k
    cam = F.relu((weights * maps).sum(1, keepdim=True)).detach()            # (N, 1, h, w)
    cam = F.interpolate(cam, size=tuple(x.shape[-2:]), mode="bilinear")[:, 0].float().cpu()
    return cam / cam.flatten(1).max(1).values.clamp_min(1e-12).view(-1, 1, 1), target.cpu()


def ink_mask(x: torch.Tensor, dilate: int = DILATE) -> torch.Tensor:
    """(N, H, W) bool: the digits' ink (pixels above the background of images in [-1, 1]) grown by ``dilate`` px."""
    ink = (x.detach().float().cpu()[:, 0] > 0).float().unsqueeze(1)     # (N, 1, H, W)
    return F.max_pool2d(ink, 2 * dilate + 1, stride=1, padding=dilate)[:, 0] > 0


def ink_ratio(cam: torch.Tensor, x: torch.Tensor, dilate: int = DILATE) -> float:
    """Mean Grad-CAM on the digit's ink (pixels above the background, grown by ``dilate`` px) over
    its mean elsewhere: above 1 the map looks at the digit, 2 or more it clearly highlights it."""
    ink = ink_mask(x, dilate)
    on, off = cam[ink], cam[~ink]
    if not len(on) or not len(off):
        return float("nan")
    if off.mean() == 0:  # no heat at all off the ink (a trained CNN's usual map): unbounded
        return float("inf") if on.mean() > 0 else float("nan")
    return float(on.mean() / off.mean())


def overlay(x: torch.Tensor, cam: torch.Tensor) -> torch.Tensor:
    """Digits (N, 1, H, W) in [-1, 1] under their maps (N, H, W) in [0, 1]: (N, 3, H, W) in [0, 1],
    the digit in grey, the map in a black-red-yellow ("hot") scale on top."""
    grey = (x.detach().float().cpu()[:, 0] + 1) / 2 * 0.45
    hot = torch.stack([(3 * cam).clamp(0, 1), (3 * cam - 1).clamp(0, 1), (3 * cam - 2).clamp(0, 1)], 1)
    return (grey.unsqueeze(1) + 0.75 * hot).clamp(0, 1)


def rgb_grid_png(rgb: torch.Tensor, nrow: int) -> bytes:
    """(N, 3, H, W) in [0, 1] → a PNG grid laid out as ``images.grid_png`` lays out grey ones."""
    from torchvision.utils import make_grid

    g = make_grid(rgb, nrow=nrow, padding=2, pad_value=images.PAD_GREY / 255)   # (3, H', W')
    return images.to_png((g * 255).round().to(torch.uint8).permute(1, 2, 0).contiguous())


def confusion(pred: torch.Tensor, y: torch.Tensor, n: int) -> torch.Tensor:
    """(n, n) counts: row = true class, column = predicted class."""
    return torch.bincount(y.long().cpu() * n + pred.long().cpu(), minlength=n * n).view(n, n)


def confusion_meta(counts: torch.Tensor, classes) -> dict:
    """A confusion matrix in the shared ``draw="heatmap"`` format."""
    labels = [str(c) for c in classes][:counts.shape[0]] or [str(i) for i in range(counts.shape[0])]
    return {"z": counts.tolist(), "x": labels, "y": labels, "xlabel": "predicted", "ylabel": "true",
            "zlabel": "digits"}


# ---- a digit drawn in the browser -------------------------------------------------------------
def to_mnist(pixels, box: int = 20) -> torch.Tensor:
    """A drawing (H, W) with ink bright in [0, 1] → (1, 1, 28, 28) in [-1, 1], prepared as MNIST's
    digits were: the ink's bounding box scaled to fit ``box`` × ``box`` (aspect kept, area-averaged),
    then placed so its centre of mass is the image's centre. A blank drawing gives a blank image."""
    img = torch.as_tensor(pixels, dtype=torch.float32).clamp(0, 1)
    out = torch.zeros(28, 28)
    rows, cols = (img > 0.05).any(1).nonzero(), (img > 0.05).any(0).nonzero()
    if len(rows):
        crop = img[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
        scale = box / max(crop.shape)
        size = (max(1, round(crop.shape[0] * scale)), max(1, round(crop.shape[1] * scale)))
        digit = F.interpolate(crop[None, None], size=size, mode="area")[0, 0]
        ys, xs = torch.arange(size[0], dtype=torch.float32), torch.arange(size[1], dtype=torch.float32)
        mass = digit.sum().clamp_min(1e-12)
        cy, cx = (digit.sum(1) * ys).sum() / mass, (digit.sum(0) * xs).sum() / mass
        top = int(min(max(round(13.5 - cy.item()), 0), 28 - size[0]))
        left = int(min(max(round(13.5 - cx.item()), 0), 28 - size[1]))
        out[top:top + size[0], left:left + size[1]] = digit
    return (out * 2 - 1).view(1, 1, 28, 28)


@torch.no_grad()
def predict(model: nn.Module, x: torch.Tensor) -> list[float]:
    """Class probabilities of the single image ``x`` (1, 1, 28, 28)."""
    model.eval()
    return F.softmax(model(x), dim=1)[0].tolist()


# ---- the model itself -------------------------------------------------------------------------
def module_tree(model: nn.Module) -> list[dict]:
    """Every module of ``model`` in registration order: its dotted name, depth, class, the parameters
    it holds itself and those of everything under it (so a student sees where the weights sit)."""
    rows = []
    for name, m in model.named_modules():
        rows.append({"module": name or "(model)", "depth": name.count(".") + bool(name), "type": type(m).__name__,
                     "own": sum(p.numel() for p in m.parameters(recurse=False)),
                     "total": sum(p.numel() for p in m.parameters())})
    return rows


def model_source(model: nn.Module) -> tuple[str, str]:
    """(file path relative to the project, source code) of the model's class, read from the project's
    own file, so the code on screen is the code that trained."""
    import inspect
    from pathlib import Path

    cls = type(model)
    path = Path(inspect.getsourcefile(cls)).resolve()
    root = Path(__file__).resolve().parents[2]
    return (str(path.relative_to(root)) if path.is_relative_to(root) else str(path)), inspect.getsource(cls)
