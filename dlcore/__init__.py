"""dlcore (being assembled: the full public API is wired in once every module exists)."""
from .activations import Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh, get_activation  # noqa: F401
from .layers import BatchNorm, Dense, Dropout, Layer, Parameter  # noqa: F401
from .losses import MAE, MSE, BinaryCrossEntropy, CrossEntropy, SoftmaxCrossEntropy, get_loss  # noqa: F401
from .network import Sequential, mlp  # noqa: F401
