"""Learn one kernel by gradient descent: the smallest possible lesson in training.

Given a picture and a target kernel (Sobel x by default), find the kernel ``k`` whose feature
map ``convolve(picture, k)`` matches the target's feature map, by minimising the mean squared
difference. The loss is a quadratic bowl in the kernel's weights, so gradient descent slides
to the bottom, which is the target kernel itself, and a student can watch every weight get
there.

The picture is standardised first (mean 0, standard deviation 1): the target's feature map is
computed from the same standardised picture, so the best kernel is still exactly the target,
but the bowl is far less elongated and descent needs tens of steps instead of thousands.
Momentum (the "heavy ball") speeds it up again along the bowl's long valleys.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from explorer.core import kernels
from explorer.core.convolution import convolve
from explorer.core.images import resize_to_fit, to_gray
from explorer.core.training.layers import im2col

FIT_SIDE = 96  # the picture is shrunk to this: a few thousand windows pin 27 weights down
# the presets a kernel is fitted to in the Training tab (each a lecture kernel with a clear map)
FIT_TARGETS = ("sobel_x", "sobel_y", "scharr_x", "vertical_edge", "laplacian", "gaussian_blur",
               "sharpen", "emboss", "diagonal_edge")


@dataclass(frozen=True, eq=False)
class FitStep:
    """The kernel after ``step`` steps of descent, and how far its feature map is off."""

    step: int
    kernel: np.ndarray  # (kh, kw) or (kh, kw, C) float32, the target's shape
    loss: float  # mean squared difference of the feature maps
    target: np.ndarray  # the kernel it is fitted to
    feature_map: np.ndarray  # (H', W') what the kernel makes of the standardised picture now
    target_map: np.ndarray  # (H', W') what the target kernel makes of it


@dataclass(frozen=True, eq=False)
class FitProblem:
    """One picture and one target, ready for descent: what a view shows before the first step
    is exactly what the steps compute on."""

    picture: np.ndarray  # (h, w) or (h, w, 3) uint8: the picture as the fit sees it, shrunk
    target: np.ndarray  # the kernel it is fitted to, the shape the fitted kernel takes
    target_map: np.ndarray  # (H', W') what the target makes of the standardised picture
    x: np.ndarray  # (h, w, C) float32, the standardised picture
    windows: np.ndarray  # (M, kh·kw·C) every window, its taps in the kernel's order
    learning_rate: float  # the largest safe step (half of 2 / the steepest curvature)


def _target_kernel(target: str | np.ndarray, channels: int) -> np.ndarray:
    k = kernels.get(target).weights if isinstance(target, str) else np.asarray(target)
    if k.dtype.kind not in "iuf":
        raise ValueError(f"a target kernel holds numbers, not {k.dtype}")
    k = np.array(k, np.float32)
    if k.ndim not in (2, 3) or min(k.shape) < 1:
        raise ValueError(f"a target kernel is (height, width) or (height, width, channels), "
                         f"not of shape {k.shape}")
    if not np.isfinite(k).all():
        raise ValueError("the target kernel has NaN or infinite weights")
    if max(k.shape[:2]) > kernels.MAX_KERNEL_SIDE:
        raise ValueError(f"the target kernel is larger than {kernels.MAX_KERNEL_SIDE}×"
                         f"{kernels.MAX_KERNEL_SIDE}")
    if k.ndim == 2:
        # the same weights on every channel, divided so a gray picture gives the same response
        return k if channels == 1 else np.repeat(k[:, :, None] / channels, channels, axis=2)
    if k.shape[2] != channels:
        raise ValueError(f"the target kernel is {k.shape[2]} channels deep but the picture "
                         f"has {channels}")
    return k


def fit_problem(picture: np.ndarray, target: str | np.ndarray = "sobel_x", *,
                colour: bool = False) -> FitProblem:
    """Prepare ``picture`` and ``target`` for :func:`descend` (ValueError for what cannot work).

    ``picture``: gray (H, W) or RGB (H, W, 3); with ``colour`` the kernel spans its three
    channels (3×3×3 for a 3×3 target), else it sees the gray picture. ``target``: a preset name
    or weights.
    """
    img = np.asarray(picture)
    if img.ndim not in (2, 3) or img.size == 0 or img.dtype.kind not in "buif":
        raise ValueError(f"the picture must be (H, W) or (H, W, 3) numbers, not {img.shape} "
                         f"{img.dtype}")
    if img.ndim == 3 and img.shape[2] not in (1, 3, 4):
        raise ValueError(f"a picture has 1 or 3 colour channels, not {img.shape[2]}")
    img = resize_to_fit(img, FIT_SIDE)
    if img.ndim == 3 and img.shape[2] == 4:
        img = img[:, :, :3]
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[:, :, 0]
    if not (colour and img.ndim == 3):
        img = to_gray(img) if img.ndim == 3 else img
    shown = np.clip(img, 0, 255).astype(np.uint8) if img.dtype != np.uint8 else img
    x = img.astype(np.float32)
    x = x if x.ndim == 3 else x[:, :, None]
    channels = x.shape[2]
    goal = _target_kernel(target, channels)
    kh, kw = goal.shape[:2]
    if x.shape[0] < kh + 2 or x.shape[1] < kw + 2:
        raise ValueError(f"the picture ({x.shape[0]}×{x.shape[1]}) is too small to fit a "
                         f"{kh}×{kw} kernel on")
    spread = float(x.std())
    if spread < 1e-3:
        raise ValueError("the picture is one flat shade: every kernel gives the same feature map")
    x = (x - x.mean()) / spread
    bank = goal.reshape(1, kh, kw, channels)
    wanted = convolve(x, bank)[:, :, 0]
    # (M, kh·kw·C): every window, its taps in the kernel's (row, column, channel) order
    windows = im2col(x.transpose(2, 0, 1)[:, None], kh, kw).reshape(channels, kh, kw, -1)
    windows = np.ascontiguousarray(windows.transpose(3, 1, 2, 0).reshape(-1, kh * kw * channels))
    # the loss is ‖windows·k − wanted‖² / M, whose curvature is 2·windowsᵀ·windows / M
    curvature = 2.0 * float(np.linalg.eigvalsh(windows.T @ windows / len(windows))[-1])
    return FitProblem(shown, goal, wanted, x, windows, 1.0 / curvature)


def fit_kernel(
    picture: np.ndarray,
    target: str | np.ndarray = "sobel_x",
    *,
    colour: bool = False,
    steps: int = 150,
    learning_rate: float | None = None,
    momentum: float = 0.9,
    seed: int = 0,
) -> Iterator[FitStep]:
    """Descend from a small random kernel towards the one that reproduces ``target``'s maps.

    See :func:`fit_problem` for ``picture``, ``target`` and ``colour``, and :func:`descend`
    for the rest. Yields one :class:`FitStep` per step, the start (step 0) first. Raises
    ValueError for what cannot work.
    """
    _check_descent(steps, momentum, learning_rate)
    return descend(fit_problem(picture, target, colour=colour), steps=steps,
                   learning_rate=learning_rate, momentum=momentum, seed=seed)


def _check_descent(steps: int, momentum: float, learning_rate: float | None) -> None:
    if not 0 <= momentum < 1:
        raise ValueError(f"the momentum must be from 0 up to (not including) 1, not {momentum}")
    if not 1 <= steps <= 100_000:
        raise ValueError(f"the number of steps must be from 1 to 100000, not {steps}")
    if learning_rate is not None and not (np.isfinite(learning_rate) and learning_rate > 0):
        raise ValueError(f"the learning rate must be a positive number, not {learning_rate}")


def descend(problem: FitProblem, *, steps: int = 150, learning_rate: float | None = None,
            momentum: float = 0.9, seed: int = 0) -> Iterator[FitStep]:
    """Gradient descent on ``problem`` from a small random kernel (``seed``).

    ``learning_rate`` None takes the problem's largest safe step. ``momentum`` 0 is plain
    gradient descent; more keeps part of the previous step (the heavy ball).
    """
    _check_descent(steps, momentum, learning_rate)
    lr = problem.learning_rate if learning_rate is None else float(learning_rate)
    goal = problem.target
    rng = np.random.default_rng(seed)
    k = rng.normal(0, 0.1, goal.shape).astype(np.float32)
    velocity = np.zeros(k.size, np.float32)
    return _descend(problem.x, k, goal, problem.target_map, problem.windows, lr, momentum,
                    steps, velocity)


def _descend(x: np.ndarray, k: np.ndarray, goal: np.ndarray, wanted: np.ndarray,
             windows: np.ndarray, lr: float, momentum: float, steps: int,
             velocity: np.ndarray) -> Iterator[FitStep]:
    shape = (1, *k.shape) if k.ndim == 3 else (1, *k.shape, 1)
    for step in range(steps + 1):
        residual = convolve(x, k.reshape(shape))[:, :, 0] - wanted  # the explorer's engine
        loss = float(np.mean(residual * residual))
        yield FitStep(step, k.copy(), loss, goal, residual + wanted, wanted)
        if step == steps:
            return
        grad = (2.0 / residual.size) * (windows.T @ residual.reshape(-1))
        velocity = momentum * velocity - lr * grad
        k = (k.reshape(-1) + velocity).reshape(k.shape).astype(np.float32)
