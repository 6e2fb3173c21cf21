"""Learned kernels: a small CNN trained on handwritten digits in NumPy, run as a generator.

- :mod:`.data`: MNIST-5k and its fixed 4,000 / 1,000 split;
- :mod:`.layers`: conv (im2col), ReLU, max pooling, dense, softmax cross-entropy, each with
  its backward pass;
- :mod:`.model`: the network as a frozen :class:`DigitModel`, and its explorer stack;
- :mod:`.trainer`: :func:`train_digits`, a generator of :class:`TrainStep`;
- :mod:`.evaluation`: accuracy, confusion matrix and mistakes on a set of digits;
- :mod:`.io`: saving and loading a model as ``.npz``;
- :mod:`.preprocess`: any picture of a digit made to look like MNIST's;
- :mod:`.reading`: what the network makes of a drawn or filmed digit;
- :mod:`.fitting`: one kernel fitted by gradient descent to a target's feature map;
- :mod:`.units`: a channel over many digits, and the digits that excite it most;
- :mod:`.input_gradient`, :mod:`.saliency`, :mod:`.dream`: gradients back to the picture, a
  digit's saliency map, and the dream of a class or a unit (a generator of
  :class:`DreamStep`).
"""

from explorer.core.training.data import Digits, load_digits
from explorer.core.training.dream import DreamStep, dream_channel, dream_class
from explorer.core.training.evaluation import Evaluation, evaluate
from explorer.core.training.fitting import (
    FIT_TARGETS,
    FitProblem,
    FitStep,
    descend,
    fit_kernel,
    fit_problem,
)
from explorer.core.training.io import load_model, save_model
from explorer.core.training.model import ArchitectureRow, DigitModel, architecture
from explorer.core.training.preprocess import centre_box, mnist_style
from explorer.core.training.reading import Reading, read_frame, read_picture
from explorer.core.training.saliency import Saliency, saliency_map
from explorer.core.training.trainer import TrainStep, train_digits

__all__ = [
    "FIT_TARGETS", "ArchitectureRow", "DigitModel", "Digits", "DreamStep", "Evaluation",
    "FitProblem", "FitStep", "Reading", "Saliency", "TrainStep", "architecture", "centre_box",
    "descend", "dream_channel", "dream_class", "evaluate", "fit_kernel", "fit_problem",
    "load_digits", "load_model", "mnist_style", "read_frame", "read_picture", "saliency_map",
    "save_model", "train_digits",
]
