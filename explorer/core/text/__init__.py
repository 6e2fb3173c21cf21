"""1-D convolution over text and signals: the lectures' "CNNs beyond images".

A sentence is a sequence of word vectors; a signal is a sequence of single numbers. The same
:func:`conv1d` slides filters along both. Modules: ``conv1d`` (the layer and max-over-time
pooling), ``tokens``, ``vectors`` (word and character vectors), ``phrases`` (labelled examples),
``classifier`` (Kim's sentence CNN and its trainer), ``bank`` (the classifier's filters built
from their description and a trained network), ``sentence`` (a sentence read through them),
``signal`` (1-D signals and kernels).
"""

from explorer.core.text import bank, classifier, phrases, sentence, signal, vectors
from explorer.core.text.conv1d import conv1d, max_over_time, output_length
from explorer.core.text.tokens import Token, characters, tokenize

__all__ = [
    "Token",
    "bank",
    "characters",
    "classifier",
    "conv1d",
    "max_over_time",
    "output_length",
    "phrases",
    "sentence",
    "signal",
    "tokenize",
    "vectors",
]
