"""Every figure of the course, drawn with matplotlib alone.

Each function takes an optional ``ax`` (a new figure is made when it is ``None``), draws on it and returns
it; none calls ``plt.show()``, so a notebook cell can add a title or combine several panels before the figure
is displayed. Call :func:`use_style` once in a notebook's setup cell so that every chapter shares one look.

Classes are never told apart by colour alone: :func:`class_style` gives each class a colour from the
Okabe–Ito palette (readable with the common forms of colour blindness) *and* a marker; lines differ by line
style as well as colour.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from cycler import cycler
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Circle
from matplotlib.ticker import MaxNLocator

from ._checks import as_float_array, as_labels, check_positive_int
from .layers import Dense

__all__ = [
    "LINESTYLES", "MARKERS", "PALETTE", "STYLE", "class_style", "draw_network", "plot_activation",
    "plot_confusion_matrix", "plot_decision_boundary", "plot_image_grid", "plot_loss_curves",
    "plot_loss_surface", "use_style",
]

# Okabe & Ito (2008), "Color Universal Design": blue, orange, bluish green, reddish purple, vermillion,
# sky blue, yellow, black. Yellow and black come last: yellow is faint on white, black is for annotations.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">")
LINESTYLES = ("-", "--", "-.", ":")

STYLE = {
    # Modest resolution keeps the committed, executed notebooks small.
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "savefig.bbox": "tight",
    "figure.figsize": (6.0, 4.0),
    "figure.constrained_layout.use": True,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 10,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "axes.grid": True,
    "grid.alpha": 0.35,
    "grid.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": cycler(color=PALETTE),
    "lines.linewidth": 2.0,
    "lines.markersize": 6.0,
    "legend.framealpha": 0.9,
    "legend.edgecolor": "0.8",
    "image.cmap": "viridis",
}


def use_style() -> None:
    """Apply the course's figure style (:data:`STYLE`) to every figure drawn afterwards.

    For one figure only, use ``with plt.rc_context(dl.plotting.STYLE): ...`` instead.
    """
    mpl.rcParams.update(STYLE)


def class_style(k: int) -> tuple[str, str]:
    """The ``(colour, marker)`` pair for class ``k``, so a class is never encoded by colour alone.

    Colours repeat every 8 classes and markers every 10, so the pairs stay distinct up to 40 classes.
    """
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 0:
        raise ValueError(f"class_style expected a class label k >= 0 (an integer), got {k!r}")
    return PALETTE[k % len(PALETTE)], MARKERS[k % len(MARKERS)]


def _new_ax(ax, figsize=None):
    """Return ``ax``, or the axes of a new figure when ``ax`` is None."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _markevery(n: int, target: int = 15) -> int:
    """Mark about ``target`` points of a long curve: markers tell curves apart, too many hide them."""
    return max(1, n // target)


# Network diagrams (Chapters 1, 2 and 6) ---------------------------------------------------------------------

_DX = 2.5  # horizontal distance between layers, in node spacings
_RADIUS = 0.32
_POSITIVE, _NEGATIVE, _HIGHLIGHT = PALETTE[0], PALETTE[4], PALETTE[1]


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _network_layers(net):
    """Layer sizes, weight matrices (or None) and the names of the layers after each Dense layer."""
    if isinstance(net, Dense):
        net = [net]
    if isinstance(net, np.ndarray):
        net = net.tolist()
    if isinstance(net, (list, tuple)) and net and all(_is_int(s) for s in net):
        if len(net) < 2:
            raise ValueError(f"draw_network expected at least two layer sizes (input and output), got {net}")
        return [check_positive_int(s, "every layer size") for s in net], None, None
    try:
        layers = list(net)
    except TypeError:
        raise TypeError(
            f"draw_network expected a list of layer sizes or a Sequential, got {type(net).__name__}"
        ) from None
    dense = [i for i, layer in enumerate(layers) if isinstance(layer, Dense)]
    if not dense:
        found = ", ".join(type(layer).__name__ for layer in layers) or "no layers"
        raise ValueError(
            "draw_network expected a list of layer sizes or a network with at least one Dense layer, "
            f"got {found}"
        )
    sizes = [layers[dense[0]].n_in] + [layers[i].n_out for i in dense]
    weights = [layers[i].W.value for i in dense]
    ends = dense[1:] + [len(layers)]
    after = [", ".join(type(layer).__name__ for layer in layers[i + 1 : j]) for i, j in zip(dense, ends)]
    return sizes, weights, after


def _visible_units(n: int, max_nodes: int) -> list[int | None]:
    """Unit indices drawn top to bottom; ``None`` marks the ellipsis slot of a truncated layer."""
    if n <= max_nodes:
        return list(range(n))
    top = (max_nodes + 1) // 2
    return list(range(top)) + [None] + list(range(n - (max_nodes - top), n))


def _check_weights(weights, sizes, net_weights):
    """Return one ``(n_out, n_in)`` array per pair of adjacent layers, or None."""
    if weights is None or weights is False:
        return None
    if weights is True:
        if net_weights is None:
            raise ValueError(
                "draw_network(weights=True) reads the weights of a network; with a list of layer sizes, "
                "pass a list of weight matrices instead"
            )
        return net_weights
    if len(weights) != len(sizes) - 1:
        raise ValueError(
            f"draw_network expected {len(sizes) - 1} weight matrices for layer sizes {sizes}, "
            f"got {len(weights)}"
        )
    checked = []
    for k, W in enumerate(weights):
        W = as_float_array(W, f"weights[{k}]", ndim=2)
        if W.shape != (sizes[k + 1], sizes[k]):
            raise ValueError(
                f"weights[{k}] must have shape (n_out, n_in) = {(sizes[k + 1], sizes[k])}, got {W.shape}"
            )
        checked.append(W)
    return checked


def _check_node_values(node_values, sizes):
    if node_values is None:
        return [None] * len(sizes)
    if len(node_values) != len(sizes):
        raise ValueError(
            f"node_values expected one entry per layer ({len(sizes)}, None to skip a layer), "
            f"got {len(node_values)}"
        )
    checked = []
    for k, (values, n) in enumerate(zip(node_values, sizes)):
        if values is not None:
            values = as_float_array(values, f"node_values[{k}]", allow_nonfinite=True).reshape(-1)
            if values.size != n:
                raise ValueError(f"node_values[{k}] expected {n} values (one per unit), got {values.size}")
        checked.append(values)
    return checked


def _highlighted(highlight, sizes) -> set[tuple[int, int]]:
    """``highlight`` as a set of ``(layer, unit)``: it may be a layer index, a pair, or a list of these."""
    if highlight is None:
        return set()
    if _is_int(highlight) or (isinstance(highlight, tuple) and len(highlight) == 2):
        highlight = [highlight]
    nodes = set()
    for item in highlight:
        whole_layer = _is_int(item)
        layer = item if whole_layer else item[0]
        if not 0 <= layer < len(sizes) or not (whole_layer or 0 <= item[1] < sizes[layer]):
            raise ValueError(
                f"highlight {item!r} is not a layer index (0..{len(sizes) - 1}) or a (layer, unit) pair "
                f"of a network with layer sizes {sizes}"
            )
        nodes.update((layer, u) for u in (range(sizes[layer]) if whole_layer else [item[1]]))
    return nodes


def _layout(sizes, max_nodes):
    """One column per layer: a list of ``(unit, (x, y))`` with ``unit`` None for the ellipsis slot."""
    columns = []
    for layer, n in enumerate(sizes):
        slots = _visible_units(n, max_nodes)
        columns.append([(unit, (layer * _DX, (len(slots) - 1) / 2 - s)) for s, unit in enumerate(slots)])
    return columns


def _nodes(column):
    return [(unit, xy) for unit, xy in column if unit is not None]


def _draw_edges(ax, columns, weights, bias_centres):
    """One LineCollection for the weights (styled by sign and size when given) and one for the biases."""
    segments, colours, widths, styles = [], [], [], []
    largest = max(float(np.max(np.abs(W))) for W in weights) if weights else 0.0
    for layer in range(len(columns) - 1):
        for j, end in _nodes(columns[layer + 1]):
            for i, start in _nodes(columns[layer]):
                w = None if weights is None else float(weights[layer][j, i])
                segments.append([start, end])
                colours.append("0.55" if w is None else _POSITIVE if w >= 0 else _NEGATIVE)
                styles.append("--" if w is not None and w < 0 else "-")
                widths.append(0.8 if w is None else 0.4 + 3.2 * abs(w) / (largest or 1.0))
    edges = LineCollection(segments, colors=colours, linewidths=widths, linestyles=styles, zorder=1)
    ax.add_collection(edges).set_gid("edges")
    if bias_centres:
        bias = [[start, end] for layer, start in bias_centres.items()
                for _, end in _nodes(columns[layer + 1])]
        edges = LineCollection(bias, colors="0.6", linewidths=0.8, linestyles=":", zorder=1)
        ax.add_collection(edges).set_gid("bias_edges")


def _draw_nodes(ax, columns, values, highlighted, value_fmt):
    for layer, column in enumerate(columns):
        for unit, (x, y) in column:
            if unit is None:
                ax.text(x, y, "⋮", ha="center", va="center", fontsize=16, gid="ellipsis")
                continue
            lit = (layer, unit) in highlighted
            ax.add_patch(Circle((x, y), _RADIUS, facecolor=_HIGHLIGHT if lit else "white", edgecolor="black",
                                linewidth=2.5 if lit else 1.2, zorder=3, gid="node"))
            if values[layer] is not None:
                text = value_fmt.format(values[layer][unit])
                ax.text(x, y, text, ha="center", va="center", fontsize=8, zorder=4, gid="value")


def _draw_bias_nodes(ax, bias_centres):
    for x, y in bias_centres.values():
        ax.add_patch(Circle((x, y), _RADIUS, facecolor="0.9", edgecolor="0.3", linestyle="--", zorder=3,
                            gid="bias"))
        ax.text(x, y, "1", ha="center", va="center", fontsize=9, zorder=4)


def _draw_labels(ax, columns, names, y, n_outputs):
    """``x_i`` left of the inputs, ``ŷ_j`` right of the outputs, and a name and size under every layer."""
    for unit, (x, y_unit) in _nodes(columns[0]):
        ax.text(x - _RADIUS - 0.15, y_unit, f"$x_{{{unit + 1}}}$", ha="right", va="center", gid="unit_label")
    for unit, (x, y_unit) in _nodes(columns[-1]):
        name = r"$\hat{y}$" if n_outputs == 1 else rf"$\hat{{y}}_{{{unit + 1}}}$"
        ax.text(x + _RADIUS + 0.15, y_unit, name, ha="left", va="center", gid="unit_label")
    for layer, name in enumerate(names):
        ax.text(layer * _DX, y, name, ha="center", va="top", fontsize=10, gid="layer_label")


def _layer_names(labels, sizes, after):
    """The text under each column: the layer's name, the layers after it (for a network) and its size."""
    if labels is True:
        hidden = ["hidden"] if len(sizes) == 3 else [f"hidden {k}" for k in range(1, len(sizes) - 1)]
        names = ["input", *hidden, "output"]
        if after is not None:
            names = names[:1] + [f"{name}\n({a})" if a else name for name, a in zip(names[1:], after)]
    elif len(labels) != len(sizes):
        raise ValueError(f"labels expected one name per layer ({len(sizes)}), got {len(labels)}")
    else:
        names = [str(name) for name in labels]
    return [f"{name}\n{n} unit{'s' if n != 1 else ''}" for name, n in zip(names, sizes)]


def _weight_legend(ax):
    handles = [Line2D([], [], color=_POSITIVE, linestyle="-", linewidth=2.5, label="positive weight"),
               Line2D([], [], color=_NEGATIVE, linestyle="--", linewidth=2.5, label="negative weight")]
    ax.legend(handles=handles, loc="lower center", ncol=2, frameon=False, title="line width ∝ |weight|",
              title_fontsize=9, fontsize=9)


def draw_network(layer_sizes_or_net, ax=None, labels=True, weights=None, node_values=None, highlight=None,
                 max_nodes=10, bias=False, value_fmt="{:.2f}"):
    """Draw a feed-forward network: one column of nodes per layer, one line per weight.

    Used from Chapter 1 (neurons and layers) to Chapter 6 (a backpropagation step-through).

    Parameters
    ----------
    layer_sizes_or_net : list of int, Sequential or Dense
        Layer sizes such as ``[2, 3, 1]`` (inputs first), or a network: its sizes come from its Dense layers
        (``W`` has shape ``(n_out, n_in)``) and each label names the layers that follow the Dense layer
        (e.g. ``ReLU``).
    ax : matplotlib Axes, optional
    labels : bool or list of str
        ``True`` writes "input", "hidden k", "output" and the layer size under the columns and ``x_i`` /
        ``ŷ_j`` beside the input and output nodes; a list gives one name per layer; ``False`` writes nothing.
    weights : None, True or list of arrays
        Style the edges by the weights: one ``(n_out, n_in)`` array per pair of adjacent layers, or ``True``
        to use the network's own weights. Positive weights are solid blue, negative ones dashed vermillion,
        and the width grows with ``|w|``.
    node_values : list, optional
        One entry per layer, ``None`` or one number per unit (forward values or gradients), written in the
        nodes with ``value_fmt``.
    highlight : int, (layer, unit) tuple or list of these, optional
        Nodes to emphasise (filled orange, thick outline): a whole layer by index, or single units.
    max_nodes : int
        A wider layer shows its first and last units, ``max_nodes`` in all, with a "⋮" between them.
    bias : bool
        Draw a bias node ("1") above every layer but the output, with dotted edges to the next layer.

    Returns
    -------
    matplotlib Axes
    """
    sizes, net_weights, after = _network_layers(layer_sizes_or_net)
    max_nodes = check_positive_int(max_nodes, "max_nodes", minimum=2)
    weights = _check_weights(weights, sizes, net_weights)
    values = _check_node_values(node_values, sizes)
    highlighted = _highlighted(highlight, sizes)
    names = None if labels is False else _layer_names(labels, sizes, after)
    columns = _layout(sizes, max_nodes)
    tops = [column[0][1][1] for column in columns]
    bias_centres = {layer: (layer * _DX, tops[layer] + 1.1) for layer in range(len(sizes) - 1) if bias}

    # Limits in node spacings: the label block and then the weight legend sit below the lowest node.
    label_y = -max(tops) - 0.6
    label_lines = 0 if names is None else max(name.count("\n") + 1 for name in names)
    y_low = label_y - 0.4 * label_lines - (1.2 if weights is not None else 0.0)
    y_high = max(tops + [y for _, y in bias_centres.values()]) + 0.6
    x_low, x_high = -1.4, (len(sizes) - 1) * _DX + 1.4
    scale = min(0.7, 9.0 / (x_high - x_low), 5.5 / (y_high - y_low))  # inches per node spacing
    ax = _new_ax(ax, figsize=(max((x_high - x_low) * scale, 3.0), (y_high - y_low) * scale))

    _draw_edges(ax, columns, weights, bias_centres)
    _draw_nodes(ax, columns, values, highlighted, value_fmt)
    _draw_bias_nodes(ax, bias_centres)
    if names is not None:
        _draw_labels(ax, columns, names, label_y, sizes[-1])
    if weights is not None:
        _weight_legend(ax)
    ax.set(xlim=(x_low, x_high), ylim=(y_low, y_high), aspect="equal")
    ax.axis("off")
    return ax


# Decision boundaries (Chapters 2, 3, 8 and 9) ---------------------------------------------------------------


def _class_labels(y, n_points):
    """Class labels from integer labels ``(N,)``, a column ``(N, 1)`` or one-hot rows ``(N, C)``."""
    y = np.asarray(y)
    if y.ndim == 2:
        y = y[:, 0] if y.shape[1] == 1 else np.argmax(y, axis=1)
    y = as_labels(y, "y")
    if y.shape[0] != n_points:
        raise ValueError(
            f"X and y must have the same number of examples: X has {n_points} rows, y has {y.shape[0]}"
        )
    return y


def _predicted_classes(out, n_points, threshold):
    """Class labels from what ``predict`` returned: labels, ``P(class 1)`` or one column per class."""
    out = np.asarray(out)
    if out.ndim == 2 and out.shape[1] == 1:
        out = out[:, 0]
    if out.shape[:1] != (n_points,) or out.ndim > 2:
        raise ValueError(
            f"predict returned shape {out.shape} for a grid of {n_points} points; expected ({n_points},) "
            f"labels, ({n_points}, 1) probabilities or ({n_points}, C) class scores"
        )
    if out.ndim == 2:
        return np.argmax(out, axis=1)
    if out.dtype.kind in "biu" or np.all(out == np.round(out)):
        return as_labels(out, "the labels predict returned")
    return (out >= threshold).astype(np.int64)


def plot_decision_boundary(predict, X, y, ax=None, resolution=200, padding=0.5, class_names=None,
                           threshold=0.5, alpha=0.3, xlabel="$x_1$", ylabel="$x_2$"):
    """Shade the region a classifier assigns to each class and plot the data on top.

    Used in Chapters 2 (XOR), 3, 8 (over- and underfitting) and 9. ``predict`` is called once, on all
    ``resolution**2`` grid points stacked as rows.

    Parameters
    ----------
    predict : callable
        ``predict(grid)``, ``grid`` of shape ``(M, 2)``, returns class labels ``(M,)``, probabilities of
        class 1 ``(M,)`` or ``(M, 1)`` (class 1 where ``>= threshold``; use ``threshold=0`` for a logit),
        or one score per class ``(M, C)`` (the largest wins), e.g. ``net.predict``.
    X : array, shape (N, 2)
    y : array, shape (N,), (N, 1) or (N, C)
        Integer labels, a 0/1 column or one-hot rows. Each class gets its own colour *and* marker.
    resolution : int
        Grid points along each axis.
    padding : float
        How far the grid extends beyond the data, in data units.
    class_names : list of str, optional
        Legend entries; default "class 0", "class 1", ...

    Returns
    -------
    matplotlib Axes
    """
    X = as_float_array(X, "X", ndim=2)
    if X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary expected X with 2 features, shape (N, 2), got {X.shape}")
    y = _class_labels(y, X.shape[0])
    resolution = check_positive_int(resolution, "resolution", minimum=2)
    low, high = X.min(axis=0) - padding, X.max(axis=0) + padding
    # The grid takes X's dtype so that a float32 network sees float32 input.
    xx, yy = np.meshgrid(np.linspace(low[0], high[0], resolution, dtype=X.dtype),
                         np.linspace(low[1], high[1], resolution, dtype=X.dtype))
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    Z = _predicted_classes(predict(grid), grid.shape[0], threshold).reshape(xx.shape)
    n_classes = int(max(y.max(initial=0), Z.max()) + 1)
    if class_names is None:
        class_names = [f"class {k}" for k in range(n_classes)]
    elif len(class_names) < n_classes:
        raise ValueError(f"class_names has {len(class_names)} names, but there are {n_classes} classes")

    ax = _new_ax(ax)
    colours = [class_style(k)[0] for k in range(n_classes)]
    ax.contourf(xx, yy, Z, levels=np.arange(n_classes + 1) - 0.5, colors=colours, alpha=alpha)
    if np.any(Z != Z.flat[0]):  # a boundary line as well, so the regions read without colour
        ax.contour(xx, yy, Z, levels=np.arange(1, n_classes) - 0.5, colors="0.25", linewidths=1.0)
    for k in np.unique(y):
        colour, marker = class_style(int(k))
        ax.scatter(X[y == k, 0], X[y == k, 1], c=colour, marker=marker, s=30, edgecolors="black",
                   linewidths=0.6, label=class_names[k], zorder=3)
    ax.set(xlim=(low[0], high[0]), ylim=(low[1], high[1]), xlabel=xlabel, ylabel=ylabel)
    ax.legend(loc="best")
    return ax


# Training curves (Chapters 5, 7, 8 and 9) -------------------------------------------------------------------


def _history_dict(history):
    """A ``{name: per-epoch values}`` dict from a History, a mapping or a bare list of losses."""
    history = getattr(history, "history", history)
    if isinstance(history, Mapping):
        return {str(k): v for k, v in history.items()}
    if isinstance(history, (list, tuple, np.ndarray)):
        return {"loss": history}
    raise TypeError(
        "plot_loss_curves expected a History or a mapping of name -> per-epoch values, "
        f"got {type(history).__name__}"
    )


def _curve_label(key, keys):
    if key.startswith("val_"):
        return "validation " + key[4:].replace("_", " ")
    name = key.replace("_", " ")
    return f"training {name}" if f"val_{key}" in keys else name


def plot_loss_curves(history, ax=None, keys=None, log=False, ylabel=None):
    """Plot per-epoch curves: training solid with circles, validation dashed with squares.

    Used from Chapter 5 (watching gradient descent) to Chapters 8 (overfitting, early stopping) and 9.

    Parameters
    ----------
    history : History, mapping or list
        ``{"loss": [...], "val_loss": [...], "accuracy": [...]}`` (what ``dl.fit`` returns), an object
        holding one as ``.history``, or a plain list of losses, one per epoch.
    keys : list of str, optional
        What to plot; default every key containing "loss" (or every key when none does).
    log : bool
        Logarithmic y axis, for losses that fall over orders of magnitude.
    ylabel : str, optional
        Default "loss" when every key is a loss, otherwise the names of the keys.

    Returns
    -------
    matplotlib Axes
    """
    curves = _history_dict(history)
    if not curves:
        raise ValueError("plot_loss_curves expected a history with at least one key such as 'loss', got none")
    if keys is None:
        keys = [k for k in curves if "loss" in k] or list(curves)
    keys = [keys] if isinstance(keys, str) else list(keys)
    missing = [k for k in keys if k not in curves]
    if missing:
        have = ", ".join(curves)
        raise ValueError(f"plot_loss_curves found no key {missing[0]!r} in the history; it has {have}")
    ax = _new_ax(ax)
    for k, key in enumerate(keys):
        values = as_float_array(curves[key], f"history[{key!r}]", ndim=1, allow_nonfinite=True)
        if values.size == 0:
            raise ValueError(f"history[{key!r}] is empty; expected one value per epoch")
        val = key.startswith("val_")
        ax.plot(np.arange(1, values.size + 1), values, label=_curve_label(key, keys),
                color=PALETTE[k % len(PALETTE)], linestyle="--" if val else "-", marker="s" if val else "o",
                markersize=4, markevery=_markevery(values.size))
    if log:
        ax.set_yscale("log")
    if ylabel is None:
        bases = dict.fromkeys(k.removeprefix("val_").replace("_", " ") for k in keys)
        ylabel = "loss" if all("loss" in k for k in keys) else ", ".join(bases)
    ax.set(xlabel="epoch", ylabel=ylabel)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
    ax.legend()
    return ax


# Loss surfaces and optimizer paths (Chapters 5 and 7) -------------------------------------------------------


def _contour_levels(Z, levels, log_levels):
    """``levels`` contour values, evenly spaced or (``log_levels``) crowding geometrically to the minimum."""
    if not log_levels:
        return np.linspace(Z.min(), Z.max(), levels + 2)[1:-1]  # the extremes would be single points
    span = float(Z.max() - Z.min())
    if span == 0.0:
        return np.array([Z.min()])
    # Offsetting by the minimum also works for surfaces whose minimum is 0 or negative.
    return Z.min() + np.geomspace(span * 1e-4, span, levels)


def _draw_paths(ax, paths):
    """Each path with its own colour, marker and line style; returns the legend handles."""
    handles = []
    for k, (name, path) in enumerate(paths.items()):
        path = as_float_array(path, f"paths[{name!r}]", ndim=2, allow_nonfinite=True)
        if path.shape[1] != 2 or path.shape[0] == 0:
            raise ValueError(
                f"paths[{name!r}] expected shape (T, 2), one (x, y) point per step, got {path.shape}"
            )
        colour, marker = PALETTE[k % len(PALETTE)], MARKERS[k % len(MARKERS)]
        (line,) = ax.plot(path[:, 0], path[:, 1], color=colour, marker=marker, markersize=5, linewidth=1.8,
                          linestyle=LINESTYLES[k % len(LINESTYLES)], markevery=_markevery(len(path), 20),
                          label=str(name), zorder=3)
        ax.plot(*path[0], marker="o", markersize=10, markerfacecolor="white", markeredgecolor="black",
                markeredgewidth=1.5, linestyle="none", zorder=4, gid="start")
        ax.plot(*path[-1], marker="X", markersize=11, markerfacecolor=colour, markeredgecolor="black",
                linestyle="none", zorder=4, gid="end")
        handles.append(line)
    handles.append(Line2D([], [], marker="o", markersize=9, markerfacecolor="white", markeredgecolor="black",
                          linestyle="none", label="start"))
    handles.append(Line2D([], [], marker="X", markersize=10, markerfacecolor="0.7", markeredgecolor="black",
                          linestyle="none", label="end"))
    return handles


def plot_loss_surface(f, xlim, ylim, ax=None, levels=30, paths=None, resolution=200, log_levels=False,
                      minimum=None, xlabel="$w_1$", ylabel="$w_2$", colorbar=False):
    """Contour lines of a loss ``f(x, y)`` over two parameters, with optional optimizer paths on top.

    Used in Chapter 5 (gradient descent on a bowl) and Chapter 7 (SGD, momentum, RMSProp and Adam in a
    ravine).

    Parameters
    ----------
    f : callable
        ``f(x, y)`` evaluated on whole grids: ``x`` and ``y`` are ``(resolution, resolution)`` arrays.
    xlim, ylim : (float, float)
        The plotted window; paths leaving it are clipped.
    levels : int
        Number of contour lines.
    paths : dict, optional
        ``name -> array (T, 2)`` of visited points, each drawn with its own colour, marker and line style,
        with a white circle at its start and an X at its end.
    log_levels : bool
        Space the levels geometrically above the minimum, for surfaces with steep walls and a flat valley
        (Rosenbrock).
    minimum : (float, float), optional
        Mark the minimum with a black star.
    colorbar : bool
        Add a colour bar labelled "loss".

    Returns
    -------
    matplotlib Axes
    """
    (x0, x1), (y0, y1) = xlim, ylim
    if not (x0 < x1 and y0 < y1):
        raise ValueError(f"xlim and ylim must be (low, high) with low < high, got xlim={xlim}, ylim={ylim}")
    resolution = check_positive_int(resolution, "resolution", minimum=2)
    levels = check_positive_int(levels, "levels")
    xx, yy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    Z = as_float_array(f(xx, yy), "f(x, y)")
    if Z.shape != xx.shape:
        raise ValueError(
            f"f(x, y) must return one value per grid point, shape {xx.shape}, got shape {Z.shape}; "
            "write f with NumPy operations so that it works on whole arrays"
        )
    ax = _new_ax(ax)
    values = _contour_levels(Z, levels, log_levels)
    colours = mpl.colormaps["viridis"](np.linspace(0.0, 0.95, values.size))
    contours = ax.contour(xx, yy, Z, levels=values, colors=colours, linewidths=0.9, alpha=0.7)
    if colorbar:
        ax.figure.colorbar(contours, ax=ax, label="loss")
    handles = _draw_paths(ax, paths) if paths else []
    if minimum is not None:
        # Under the end markers, so that an optimizer that reached the minimum still shows its X.
        (star,) = ax.plot(*minimum, marker="*", markersize=16, color="black", linestyle="none",
                          label="minimum", zorder=3.5)
        handles.append(star)
    ax.set(xlim=xlim, ylim=ylim, xlabel=xlabel, ylabel=ylabel)
    if handles:
        ax.legend(handles=handles, loc="best")
    return ax


# Activation functions (Chapter 3) ---------------------------------------------------------------------------


def plot_activation(f, df=None, ax=None, z=None, name=""):
    """Plot an activation function ``f(z)`` (solid) and its derivative ``f'(z)`` (dashed) against ``z``.

    Used in Chapter 3, e.g. ``plot_activation(dl.activations.sigmoid, dl.activations.sigmoid_grad,
    name="sigmoid")``.

    Parameters
    ----------
    f, df : callable
        Elementwise functions of an array; ``df`` is optional.
    z : array, optional
        Pre-activation values to evaluate at; default 400 points in [-5, 5].
    name : str
        Used in the legend ("sigmoid(z)", "sigmoid'(z)") and as the title.

    Returns
    -------
    matplotlib Axes
    """
    z = np.linspace(-5.0, 5.0, 400) if z is None else as_float_array(z, "z", ndim=1)
    ax = _new_ax(ax)
    ax.axhline(0.0, color="0.6", linewidth=0.8, zorder=0)
    ax.axvline(0.0, color="0.6", linewidth=0.8, zorder=0)
    for fn, label, style, colour in ((f, f"{name or 'f'}(z)", "-", PALETTE[0]),
                                     (df, f"{name or 'f'}'(z)", "--", PALETTE[4])):
        if fn is None:
            continue
        out = as_float_array(fn(z), label)
        if out.shape != z.shape:
            raise ValueError(f"{label} must return one value per z, shape {z.shape}, got {out.shape}")
        ax.plot(z, out, linestyle=style, color=colour, label=label)
    ax.set(xlabel="pre-activation $z$", ylabel="value")
    if name:
        ax.set_title(name)
    ax.legend()
    return ax


# Data and results (Chapter 9) -------------------------------------------------------------------------------


def _as_images(images):
    images = as_float_array(images, "images", ndim=(2, 3))
    if images.ndim == 2:
        side = math.isqrt(images.shape[1])
        if side * side != images.shape[1]:
            raise ValueError(
                f"images of shape {images.shape} are not square when flattened: expected (n, side*side), "
                "e.g. (n, 64) for 8x8 digits, or (n, height, width)"
            )
        images = images.reshape(-1, side, side)
    return images


def _image_title(k, labels, predictions):
    if predictions is not None and labels is not None:
        return f"pred {predictions[k]} (true {labels[k]})"
    return str((labels if predictions is None else predictions)[k])


def plot_image_grid(images, labels=None, ncols=10, axes=None, predictions=None, cmap="gray_r"):
    """Show images in a grid, each titled with its label (and the prediction, when given).

    Used in Chapter 9 for the 8x8 handwritten digits: ``plot_image_grid(digits.images[:20], digits.y[:20])``.

    Parameters
    ----------
    images : array, shape (n, height, width) or (n, height*width)
        Flattened rows (64 pixels for a digit) are reshaped to squares. One grey scale for all images.
    labels, predictions : array (n,), optional
        True and predicted labels; with both, each title reads "pred 3 (true 5)".
    ncols : int
        Images per row.
    axes : array of Axes, optional
        At least ``n`` axes to draw into; by default a new figure.

    Returns
    -------
    numpy array of Axes, shape (rows, ncols), or ``axes`` as given
    """
    images = _as_images(images)
    n = images.shape[0]
    for name, values in (("labels", labels), ("predictions", predictions)):
        if values is not None and len(values) != n:
            raise ValueError(f"{name} expected one entry per image ({n}), got {len(values)}")
    ncols = min(check_positive_int(ncols, "ncols"), max(n, 1))
    if axes is None:
        nrows = max(1, math.ceil(n / ncols))
        _, axes = plt.subplots(nrows, ncols, figsize=(0.9 * ncols, 1.05 * nrows), squeeze=False)
    flat = np.ravel(axes)
    if flat.size < n:
        raise ValueError(f"plot_image_grid got {flat.size} axes for {n} images")
    low, high = float(images.min(initial=0.0)), float(images.max(initial=1.0))
    small = 8 if predictions is not None and labels is not None else 10
    for k, ax in enumerate(flat):
        ax.set_axis_off()
        if k < n:
            ax.imshow(images[k], cmap=cmap, vmin=low, vmax=high, interpolation="nearest")
            if labels is not None or predictions is not None:
                ax.set_title(_image_title(k, labels, predictions), fontsize=small)
    return axes


def plot_confusion_matrix(cm, class_names=None, ax=None, normalize=False, cmap="Blues"):
    """Draw a confusion matrix (rows: true class, columns: predicted class) with the value in every cell.

    Used in Chapter 9. With ``normalize=True`` each row is divided by its total, so a cell reads "the
    fraction of class ``i`` predicted as ``j``" and the diagonal holds each class's recall.

    Parameters
    ----------
    cm : array, shape (C, C)
        Counts, e.g. from ``dl.metrics.confusion_matrix``.
    class_names : list of str, optional
        Tick labels; default 0 .. C-1.

    Returns
    -------
    matplotlib Axes
    """
    cm = as_float_array(cm, "cm", ndim=2)
    if cm.shape[0] != cm.shape[1]:
        raise ValueError(f"a confusion matrix is square, shape (C, C); got shape {cm.shape}")
    n = cm.shape[0]
    if class_names is None:
        class_names = [str(k) for k in range(n)]
    elif len(class_names) != n:
        raise ValueError(f"class_names expected {n} names (one per class), got {len(class_names)}")
    if normalize:
        totals = cm.sum(axis=1, keepdims=True)
        # A class absent from the data keeps a row of zeros instead of 0/0.
        cm = np.divide(cm, totals, out=np.zeros_like(cm), where=totals > 0)
    integers = not normalize and np.all(cm == np.round(cm))
    ax = _new_ax(ax, figsize=(1.0 + 0.5 * n, 0.8 + 0.5 * n) if n > 8 else None)
    image = ax.imshow(cm, cmap=cmap, vmin=0.0, vmax=max(float(cm.max()), 1e-12))
    for (i, j), value in np.ndenumerate(cm):
        r, g, b, _ = image.cmap(image.norm(value))
        dark = 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5  # luminance: light text on dark cells
        ax.text(j, i, f"{int(value)}" if integers else f"{value:.2f}", ha="center", va="center",
                color="white" if dark else "black", fontsize=9 if n > 8 else 11, gid="cell")
    ax.set(xticks=range(n), yticks=range(n), xticklabels=class_names, yticklabels=class_names,
           xlabel="predicted class", ylabel="true class")
    ax.grid(False)
    ax.spines[:].set_visible(False)
    return ax
