"""Tests of dlcore.plotting: each function returns its Axes and draws what it promises.

The checks look at the artists (patches, lines, collections, texts), not at pixels.
"""

from types import SimpleNamespace

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.contour import ContourSet
from matplotlib.patches import Circle

from dlcore import plotting
from dlcore.activations import ReLU, Sigmoid, relu, sigmoid, sigmoid_grad
from dlcore.layers import Dense
from dlcore.network import Sequential, mlp
from dlcore.train import History

matplotlib.use("Agg")  # tests/conftest.py selects it too; repeated so this file also runs on its own


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def by_gid(artists, gid):
    return [a for a in artists if a.get_gid() == gid]


def edge_count(ax, gid="edges"):
    return sum(
        len(c.get_segments()) for c in ax.collections if isinstance(c, LineCollection) and c.get_gid() == gid
    )


def texts(ax, gid=None):
    return [t.get_text() for t in ax.texts if gid is None or t.get_gid() == gid]


# Style ------------------------------------------------------------------------------------------------------


def test_use_style_sets_palette_and_spines():
    with plt.rc_context():
        plotting.use_style()
        assert plt.rcParams["axes.prop_cycle"].by_key()["color"] == list(plotting.PALETTE)
        assert not plt.rcParams["axes.spines.top"] and not plt.rcParams["axes.spines.right"]
        assert plt.rcParams["figure.dpi"] <= 100 and plt.rcParams["savefig.dpi"] <= 100
        _, ax = plt.subplots()
        (line,) = ax.plot([0, 1], [0, 1])
        assert line.get_color() == plotting.PALETTE[0]


def test_palette_is_okabe_ito():
    okabe_ito = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}
    assert set(plotting.PALETTE) == okabe_ito


def test_class_style_pairs_are_distinct():
    styles = [plotting.class_style(k) for k in range(40)]
    assert len(set(styles)) == 40
    assert len({marker for _, marker in styles[:10]}) == 10


@pytest.mark.parametrize("k", [-1, 1.5, "a", True])
def test_class_style_rejects_non_labels(k):
    with pytest.raises(ValueError, match="class label"):
        plotting.class_style(k)


# Network diagrams -------------------------------------------------------------------------------------------


def test_draw_network_nodes_and_edges():
    ax = plotting.draw_network([3, 4, 1])
    nodes = by_gid(ax.patches, "node")
    assert len(nodes) == 3 + 4 + 1
    assert all(isinstance(n, Circle) for n in nodes)
    assert edge_count(ax) == 3 * 4 + 4 * 1
    assert not texts(ax, "ellipsis")
    assert ax.get_aspect() == 1.0
    assert not ax.axison


def test_draw_network_labels():
    ax = plotting.draw_network([3, 4, 4, 2])
    layer_labels = texts(ax, "layer_label")
    assert [t.split("\n")[0] for t in layer_labels] == ["input", "hidden 1", "hidden 2", "output"]
    assert "4 units" in layer_labels[1]
    assert texts(ax, "unit_label") == ["$x_{1}$", "$x_{2}$", "$x_{3}$", r"$\hat{y}_{1}$", r"$\hat{y}_{2}$"]
    ax = plotting.draw_network([2, 1], labels=["in", "out"])
    assert [t.split("\n")[0] for t in texts(ax, "layer_label")] == ["in", "out"]
    assert not plotting.draw_network([2, 1], labels=False).texts


def test_draw_network_truncates_wide_layers():
    ax = plotting.draw_network([3, 20, 1], max_nodes=6)
    assert len(by_gid(ax.patches, "node")) == 3 + 6 + 1
    assert texts(ax, "ellipsis") == ["⋮"]
    assert edge_count(ax) == 3 * 6 + 6 * 1
    assert "20 units" in texts(ax, "layer_label")[1]


def test_draw_network_truncated_input_keeps_true_indices():
    labels = texts(plotting.draw_network([64, 2], max_nodes=4), "unit_label")
    assert labels[:4] == ["$x_{1}$", "$x_{2}$", "$x_{63}$", "$x_{64}$"]


def test_draw_network_weights_style_edges_by_sign_and_size():
    W1 = np.array([[1.0, -2.0], [0.5, 0.0]])
    W2 = np.array([[-0.25, 4.0]])
    ax = plotting.draw_network([2, 2, 1], weights=[W1, W2])
    (edges,) = [c for c in ax.collections if c.get_gid() == "edges"]
    widths = edges.get_linewidths()
    # Segment order: for each target unit j, each source unit i (W[j, i]).
    flat = np.array([1.0, -2.0, 0.5, 0.0, -0.25, 4.0])
    assert np.argmax(widths) == np.argmax(np.abs(flat))
    assert np.all(np.diff(widths[np.argsort(np.abs(flat))]) >= 0)
    dashed = [ls[1] is not None for ls in edges.get_linestyles()]
    assert dashed == list(flat < 0)
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["positive weight", "negative weight"]
    styles = [h.get_linestyle() for h in legend.legend_handles]
    assert styles[0] != styles[1]


def test_draw_network_bias_values_and_highlight():
    ax = plotting.draw_network(
        [2, 2, 1], bias=True, node_values=[[0.5, -1.0], None, [0.71]], highlight=[1, (2, 0)]
    )
    assert len(by_gid(ax.patches, "bias")) == 2
    assert edge_count(ax, "bias_edges") == 2 + 1
    assert texts(ax, "value") == ["0.50", "-1.00", "0.71"]
    nodes = by_gid(ax.patches, "node")
    lit = [n for n in nodes if n.get_linewidth() > 2]
    assert len(lit) == 3
    assert {tuple(n.get_facecolor()) for n in lit} != {
        tuple(n.get_facecolor()) for n in nodes if n not in lit
    }


def test_draw_network_from_sequential():
    net = Sequential(Dense(3, 5, rng=0), ReLU(), Dense(5, 2, rng=1), Sigmoid())
    ax = plotting.draw_network(net, weights=True)
    assert len(by_gid(ax.patches, "node")) == 3 + 5 + 2
    assert edge_count(ax) == 3 * 5 + 5 * 2
    labels = texts(ax, "layer_label")
    assert "ReLU" in labels[1] and "Sigmoid" in labels[2]
    assert ax.get_legend() is not None


def test_draw_network_from_mlp_and_single_dense():
    ax = plotting.draw_network(mlp([4, 16, 3], rng=0), max_nodes=8)
    assert len(by_gid(ax.patches, "node")) == 4 + 8 + 3
    assert len(by_gid(plotting.draw_network(Dense(2, 3, rng=0)).patches, "node")) == 5


def test_draw_network_uses_given_ax():
    _, ax = plt.subplots()
    assert plotting.draw_network([2, 1], ax=ax) is ax


def test_draw_network_bad_input():
    with pytest.raises(ValueError, match="at least one Dense layer, got ReLU, Sigmoid"):
        plotting.draw_network(Sequential(ReLU(), Sigmoid()))
    with pytest.raises(ValueError, match=r"at least two layer sizes .* got \[3\]"):
        plotting.draw_network([3])
    with pytest.raises(
        ValueError, match=r"weights\[0\] must have shape \(n_out, n_in\) = \(4, 3\), got \(3, 4\)"
    ):
        plotting.draw_network([3, 4, 1], weights=[np.ones((3, 4)), np.ones((1, 4))])
    with pytest.raises(ValueError, match="expected 2 weight matrices"):
        plotting.draw_network([3, 4, 1], weights=[np.ones((4, 3))])
    with pytest.raises(ValueError, match=r"weights=True\) reads the weights of a network"):
        plotting.draw_network([3, 4, 1], weights=True)
    with pytest.raises(ValueError, match=r"node_values\[1\] expected 4 values"):
        plotting.draw_network([3, 4, 1], node_values=[None, [1, 2], None])
    with pytest.raises(ValueError, match="highlight"):
        plotting.draw_network([3, 4, 1], highlight=(1, 4))
    with pytest.raises(ValueError, match="max_nodes"):
        plotting.draw_network([3, 4, 1], max_nodes=1)
    with pytest.raises(TypeError, match="list of layer sizes or a Sequential"):
        plotting.draw_network(3)


# Decision boundaries ----------------------------------------------------------------------------------------


def filled_contours(ax):
    (cs,) = [c for c in ax.collections if isinstance(c, ContourSet) and c.filled]
    return cs


def sign_of_x1(grid):
    return (grid[:, 0] > 0).astype(int)


@pytest.fixture
def blobs():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(60, 2))
    return X, sign_of_x1(X)


def test_decision_boundary_regions_match_predictions(blobs):
    X, y = blobs
    ax = plotting.plot_decision_boundary(sign_of_x1, X, y)
    region0, region1 = filled_contours(ax).get_paths()
    for point, cls in [((-0.7, 0.5), 0), ((0.7, -0.5), 1), ((-0.3, -0.9), 0), ((0.4, 0.9), 1)]:
        assert region1.contains_point(point) == (cls == 1)
        assert region0.contains_point(point) == (cls == 0)
    assert ax.get_xlabel() and ax.get_ylabel()


def test_decision_boundary_points_have_distinct_markers(blobs):
    X, y = blobs
    ax = plotting.plot_decision_boundary(sign_of_x1, X, y, class_names=["left", "right"])
    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert [s.get_label() for s in scatters] == ["left", "right"]
    assert sum(len(s.get_offsets()) for s in scatters) == len(X)
    shapes = [s.get_paths()[0].vertices.round(6).tobytes() for s in scatters]
    assert shapes[0] != shapes[1]
    colours = [tuple(s.get_facecolor()[0]) for s in scatters]
    assert colours[0] != colours[1]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["left", "right"]


@pytest.mark.parametrize("kind", ["labels", "column", "probabilities", "scores"])
def test_decision_boundary_accepts_every_prediction_shape(blobs, kind):
    X, y = blobs

    def predict(grid):
        p1 = 1.0 / (1.0 + np.exp(-10.0 * grid[:, 0]))
        return {
            "labels": sign_of_x1(grid),
            "column": p1[:, None],
            "probabilities": p1,
            "scores": np.column_stack([1 - p1, p1]),
        }[kind]

    region0, region1 = filled_contours(plotting.plot_decision_boundary(predict, X, y)).get_paths()
    assert region1.contains_point((0.7, 0.0)) and region0.contains_point((-0.7, 0.0))


def test_decision_boundary_calls_predict_once_on_the_whole_grid(blobs):
    X, y = blobs
    calls = []

    def predict(grid):
        calls.append(grid.shape)
        return sign_of_x1(grid)

    plotting.plot_decision_boundary(predict, X, y, resolution=50)
    assert calls == [(50 * 50, 2)]


def test_decision_boundary_with_a_network_and_three_classes():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(90, 2)).astype(np.float32)
    y = np.repeat([0, 1, 2], 30)
    net = mlp([2, 8, 3], rng=0, dtype=np.float32)
    ax = plotting.plot_decision_boundary(net.predict, X, y, resolution=40)
    assert len(filled_contours(ax).get_paths()) == 3
    assert len([c for c in ax.collections if isinstance(c, PathCollection)]) == 3


def test_decision_boundary_single_predicted_class(blobs):
    X, y = blobs
    ax = plotting.plot_decision_boundary(lambda grid: np.zeros(len(grid), dtype=int), X, y)
    assert filled_contours(ax).get_paths()[0].contains_point((0.0, 0.0))


def test_decision_boundary_bad_input(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="X has 60 rows, y has 59"):
        plotting.plot_decision_boundary(sign_of_x1, X, y[:-1])
    with pytest.raises(ValueError, match=r"2 features, shape \(N, 2\), got \(60, 3\)"):
        plotting.plot_decision_boundary(sign_of_x1, np.ones((60, 3)), y)
    with pytest.raises(ValueError, match=r"predict returned shape \(3,\) for a grid of 400 points"):
        plotting.plot_decision_boundary(lambda grid: np.zeros(3), X, y, resolution=20)
    with pytest.raises(ValueError, match="class_names has 1 names, but there are 2 classes"):
        plotting.plot_decision_boundary(sign_of_x1, X, y, class_names=["only"])


# Loss curves ------------------------------------------------------------------------------------------------

HISTORY = {"loss": [1.0, 0.5, 0.3, 0.2], "val_loss": [1.1, 0.7, 0.6, 0.65], "accuracy": [0.5, 0.7, 0.8, 0.9]}


def test_loss_curves_default_keys_are_losses():
    ax = plotting.plot_loss_curves(HISTORY)
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["training loss", "validation loss"]
    assert lines[0].get_linestyle() != lines[1].get_linestyle()
    assert lines[0].get_marker() != lines[1].get_marker()
    np.testing.assert_array_equal(lines[0].get_xdata(), [1, 2, 3, 4])
    np.testing.assert_array_equal(lines[1].get_ydata(), HISTORY["val_loss"])
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss"
    assert len(ax.get_legend().get_texts()) == 2


def test_loss_curves_chosen_keys_log_scale_and_plain_list():
    ax = plotting.plot_loss_curves(HISTORY, keys=["accuracy"], log=True)
    assert [line.get_label() for line in ax.get_lines()] == ["accuracy"]
    assert ax.get_ylabel() == "accuracy" and ax.get_yscale() == "log"
    ax = plotting.plot_loss_curves([0.9, 0.4, 0.2])
    assert [line.get_label() for line in ax.get_lines()] == ["loss"]


def test_loss_curves_reads_a_history_attribute_and_diverged_runs():
    diverged = SimpleNamespace(history={"loss": [1.0, 10.0, np.inf, np.nan]})
    ax = plotting.plot_loss_curves(diverged, log=True)
    assert len(ax.get_lines()) == 1


def test_loss_curves_from_fit_history():
    history = History()
    for epoch in range(3):
        history.append(loss=1.0 / (epoch + 1), accuracy=0.5 + 0.1 * epoch, val_loss=1.2 / (epoch + 1))
    ax = plotting.plot_loss_curves(history)
    assert [line.get_label() for line in ax.get_lines()] == ["training loss", "validation loss"]


def test_loss_curves_bad_input():
    with pytest.raises(ValueError, match="at least one key such as 'loss', got none"):
        plotting.plot_loss_curves({})
    with pytest.raises(
        ValueError, match="found no key .val_accuracy. in the history; it has loss, val_loss, accuracy"
    ):
        plotting.plot_loss_curves(HISTORY, keys=["val_accuracy"])
    with pytest.raises(ValueError, match=r"history\['loss'\] is empty"):
        plotting.plot_loss_curves({"loss": []})
    with pytest.raises(TypeError, match="expected a History or a mapping"):
        plotting.plot_loss_curves(3.0)


# Loss surfaces ----------------------------------------------------------------------------------------------


def bowl(x, y):
    return x**2 + 3 * y**2


def test_loss_surface_contours_and_paths():
    paths = {
        "SGD": np.array([[2.0, 1.5], [1.0, 0.5], [0.1, 0.1]]),
        "Adam": np.array([[-2.0, 1.0], [-0.5, 0.2]]),
    }
    ax = plotting.plot_loss_surface(bowl, (-3, 3), (-2, 2), levels=12, paths=paths, minimum=(0, 0))
    (cs,) = [c for c in ax.collections if isinstance(c, ContourSet)]
    assert len(cs.levels) == 12
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert lines["SGD"].get_linestyle() != lines["Adam"].get_linestyle()
    assert lines["SGD"].get_marker() != lines["Adam"].get_marker()
    assert lines["SGD"].get_color() != lines["Adam"].get_color()
    starts, ends = by_gid(ax.get_lines(), "start"), by_gid(ax.get_lines(), "end")
    assert [tuple(s.get_xydata()[0]) for s in starts] == [(2.0, 1.5), (-2.0, 1.0)]
    assert [tuple(e.get_xydata()[0]) for e in ends] == [(0.1, 0.1), (-0.5, 0.2)]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["SGD", "Adam", "start", "end", "minimum"]
    assert ax.get_xlim() == (-3, 3) and ax.get_xlabel() and ax.get_ylabel()


def test_loss_surface_log_levels_crowd_towards_minimum():
    def rosenbrock(x, y):
        return (1 - x) ** 2 + 100 * (y - x**2) ** 2

    ax = plotting.plot_loss_surface(rosenbrock, (-2, 2), (-1, 3), levels=20, log_levels=True, colorbar=True)
    (cs,) = [c for c in ax.collections if isinstance(c, ContourSet)]
    gaps = np.diff(cs.levels)
    ratios = gaps[1:] / gaps[:-1]
    np.testing.assert_allclose(ratios, ratios[0])
    assert ratios[0] > 1
    assert len(ax.figure.axes) == 2  # the colour bar


def test_loss_surface_bad_input():
    with pytest.raises(ValueError, match=r"one value per grid point, shape \(20, 20\), got shape \(\)"):
        plotting.plot_loss_surface(lambda x, y: 1.0, (-1, 1), (-1, 1), resolution=20)
    with pytest.raises(ValueError, match=r"paths\['SGD'\] expected shape \(T, 2\).*got \(4, 3\)"):
        plotting.plot_loss_surface(bowl, (-1, 1), (-1, 1), paths={"SGD": np.zeros((4, 3))})
    with pytest.raises(ValueError, match="low < high"):
        plotting.plot_loss_surface(bowl, (1, -1), (-1, 1))


# Activations ------------------------------------------------------------------------------------------------


def test_plot_activation_draws_function_and_derivative():
    ax = plotting.plot_activation(sigmoid, sigmoid_grad, name="sigmoid")
    lines = {line.get_label(): line for line in ax.get_lines() if not line.get_label().startswith("_")}
    assert set(lines) == {"sigmoid(z)", "sigmoid'(z)"}
    z = lines["sigmoid(z)"].get_xdata()
    assert z.min() == -5 and z.max() == 5 and len(z) == 400
    np.testing.assert_allclose(lines["sigmoid'(z)"].get_ydata(), sigmoid_grad(z))
    assert lines["sigmoid(z)"].get_linestyle() != lines["sigmoid'(z)"].get_linestyle()
    assert ax.get_title() == "sigmoid" and ax.get_xlabel() and ax.get_ylabel()


def test_plot_activation_without_derivative_and_custom_z():
    ax = plotting.plot_activation(relu, z=np.linspace(-1, 1, 11))
    labelled = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert [line.get_label() for line in labelled] == ["f(z)"]
    np.testing.assert_array_equal(labelled[0].get_ydata(), relu(np.linspace(-1, 1, 11)))


def test_plot_activation_rejects_non_elementwise_function():
    with pytest.raises(ValueError, match=r"must return one value per z, shape \(400,\), got \(\)"):
        plotting.plot_activation(np.sum)


# Images and confusion matrices ------------------------------------------------------------------------------


def test_plot_image_grid_layout_and_titles():
    images = np.arange(12 * 64, dtype=float).reshape(12, 64)
    axes = plotting.plot_image_grid(images, labels=list(range(12)), ncols=5)
    assert axes.shape == (3, 5)
    flat = axes.ravel()
    assert [ax.get_title() for ax in flat[:12]] == [str(k) for k in range(12)]
    assert all(len(ax.images) == 1 and ax.images[0].get_array().shape == (8, 8) for ax in flat[:12])
    assert all(not ax.images for ax in flat[12:])
    assert flat[0].images[0].get_cmap().name.startswith("gray")


def test_plot_image_grid_predictions_and_bad_input():
    axes = plotting.plot_image_grid(np.zeros((2, 8, 8)), labels=[3, 5], predictions=[3, 8])
    assert [ax.get_title() for ax in axes.ravel()] == ["pred 3 (true 3)", "pred 8 (true 5)"]
    with pytest.raises(ValueError, match=r"not square when flattened"):
        plotting.plot_image_grid(np.zeros((2, 10)))
    with pytest.raises(ValueError, match=r"labels expected one entry per image \(2\), got 3"):
        plotting.plot_image_grid(np.zeros((2, 64)), labels=[1, 2, 3])


def test_confusion_matrix_texts_equal_entries():
    cm = np.array([[50, 2, 0], [3, 40, 7], [0, 5, 45]])
    ax = plotting.plot_confusion_matrix(cm, class_names=["a", "b", "c"])
    cells = texts(ax, "cell")
    assert cells == [str(v) for v in cm.ravel()]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    colours = {t.get_text(): t.get_color() for t in by_gid(ax.texts, "cell")}
    assert colours["50"] == "white" and colours["0"] == "black"  # dark cells get light text


def test_confusion_matrix_normalized_rows():
    cm = np.array([[3, 1], [0, 0]])  # the second class never occurs: its row stays zero, without a warning
    ax = plotting.plot_confusion_matrix(cm, normalize=True)
    assert texts(ax, "cell") == ["0.75", "0.25", "0.00", "0.00"]


def test_confusion_matrix_bad_input():
    with pytest.raises(ValueError, match=r"square, shape \(C, C\); got shape \(2, 3\)"):
        plotting.plot_confusion_matrix(np.ones((2, 3)))
    with pytest.raises(ValueError, match="class_names expected 2 names"):
        plotting.plot_confusion_matrix(np.eye(2), class_names=["a"])


# Every function ---------------------------------------------------------------------------------------------


def test_every_function_draws_on_the_given_ax_and_never_shows(monkeypatch):
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plotting called plt.show()"))
    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    calls = [
        lambda ax: plotting.draw_network([2, 1], ax=ax),
        lambda ax: plotting.plot_decision_boundary(sign_of_x1, X, [0, 1], ax=ax, resolution=10),
        lambda ax: plotting.plot_loss_curves(HISTORY, ax=ax),
        lambda ax: plotting.plot_loss_surface(bowl, (-1, 1), (-1, 1), ax=ax, resolution=10),
        lambda ax: plotting.plot_activation(sigmoid, ax=ax),
        lambda ax: plotting.plot_confusion_matrix(np.eye(2), ax=ax),
    ]
    for call in calls:
        _, ax = plt.subplots()
        assert call(ax) is ax
        if ax.axison:
            assert ax.get_xlabel() and ax.get_ylabel()
    assert len(plt.get_fignums()) == len(calls)
