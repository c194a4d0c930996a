"""The training loop end to end: networks built from dlcore learn what they should, reproducibly."""

import math

import numpy as np
import pytest

import dlcore as dl
from dlcore.train import DivergenceWarning


def xor_net(seed):
    return dl.Sequential([dl.Dense(2, 4, rng=seed), dl.Tanh(), dl.Dense(4, 1, rng=seed + 100), dl.Sigmoid()])


@pytest.mark.parametrize("seed", range(5))
def test_xor_2_4_1_reaches_full_accuracy(seed):
    X, y = dl.make_xor()
    net = xor_net(seed)
    history = dl.fit(net, dl.BinaryCrossEntropy(), dl.SGD(net.parameters(), lr=1.0, momentum=0.9), X, y[:, None],
                     num_epochs=500)
    assert history["accuracy"][-1] == 1.0
    assert np.array_equal((net.predict(X)[:, 0] > 0.5).astype(int), y)


def test_xor_is_not_learned_without_a_hidden_nonlinearity():
    # Two stacked Dense layers are one affine map: a line cannot separate XOR, so at most 3 of 4 points are right.
    X, y = dl.make_xor()
    net = dl.Sequential([dl.Dense(2, 4, rng=0), dl.Dense(4, 1, rng=1), dl.Sigmoid()])
    dl.fit(net, dl.BinaryCrossEntropy(), dl.Adam(net.parameters(), lr=0.05), X, y[:, None], num_epochs=2000)
    assert dl.accuracy(y, (net.predict(X)[:, 0] > 0.5).astype(int)) <= 0.75


@pytest.mark.slow
def test_spirals_three_classes_training_accuracy_at_least_97_percent():
    X, y = dl.make_spirals(n_per_class=100, n_classes=3, rng=0)
    net = dl.mlp([2, 64, 64, 3], "relu", rng=1)
    history = dl.fit(net, dl.SoftmaxCrossEntropy(), dl.Adam(net.parameters(), lr=1e-2), X, y, num_epochs=1000)
    assert dl.evaluate(net, "softmax_cross_entropy", X, y)["accuracy"] >= 0.97
    assert history["loss"][-1] < history["loss"][0] / 10


@pytest.mark.slow
def test_digits_held_out_accuracy_at_least_95_percent():
    digits = dl.load_digits()
    X_train, X_test, y_train, y_test = dl.train_test_split(digits.X, digits.y, test_size=0.25, rng=0, stratify=True)
    net = dl.mlp([64, 128, 10], "relu", rng=0)
    opt = dl.SGD(net.parameters(), lr=0.05, momentum=0.9)
    dl.fit(net, dl.SoftmaxCrossEntropy(), opt, X_train, y_train, num_epochs=20, batch_size=64, rng=1)
    assert dl.evaluate(net, dl.SoftmaxCrossEntropy(), X_test, y_test)["accuracy"] >= 0.95


@pytest.mark.parametrize("num_classes", [2, 3, 10])
def test_initial_softmax_loss_is_ln_c_when_the_logits_start_near_zero(num_classes):
    rng = np.random.default_rng(num_classes)
    X = rng.standard_normal((500, 20))
    y = rng.integers(0, num_classes, size=500)
    net = dl.mlp([20, 32, num_classes], "relu", rng=0)
    net[-1].W.value *= 1e-3  # a common sanity check: a small last layer makes every class equally likely
    value = dl.SoftmaxCrossEntropy()(net(X), y)
    assert value == pytest.approx(math.log(num_classes), abs=1e-3)


def test_a_tiny_batch_can_be_overfitted_to_near_zero_loss():
    digits = dl.load_digits()
    X, y = digits.X[:8], digits.y[:8]
    net = dl.mlp([64, 64, 10], "relu", rng=0)
    history = dl.fit(net, dl.SoftmaxCrossEntropy(), dl.Adam(net.parameters(), lr=1e-2), X, y, num_epochs=300)
    assert history["loss"][-1] < 1e-3
    assert history["accuracy"][-1] == 1.0


def _run(seed, **kwargs):
    X, y = dl.make_moons(n=120, noise=0.2, rng=3)
    net = dl.Sequential([dl.Dense(2, 16, rng=seed), dl.ReLU(), dl.Dropout(0.2, rng=seed), dl.Dense(16, 2, rng=seed)])
    opt = dl.Adam(net.parameters(), lr=1e-2)
    return dl.fit(net, dl.SoftmaxCrossEntropy(), opt, X, y, num_epochs=15, batch_size=32, rng=seed,
                  validation_data=(X[:40], y[:40]), **kwargs)


def test_same_seed_gives_an_identical_history_and_another_seed_does_not():
    first, second, other = _run(0), _run(0), _run(1)
    assert first == second
    assert first != other
    assert set(first) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert first.epochs == 15 and first.stop_reason is None


def test_full_batch_training_takes_one_step_per_epoch():
    X, y = dl.make_xor()
    net = xor_net(0)
    calls = []

    class CountingSGD(dl.SGD):
        def step(self):
            calls.append(1)
            super().step()

    dl.fit(net, dl.MSE(), CountingSGD(net.parameters(), lr=0.1), X, y[:, None], num_epochs=7)
    assert len(calls) == 7


def test_minibatches_cover_the_data_once_per_epoch():
    X, y = dl.make_moons(n=100, noise=0.1, rng=0)
    net = dl.mlp([2, 8, 2], "tanh", rng=0)
    seen = []
    original = net.forward
    net.forward = lambda Xb: (seen.append(len(Xb)), original(Xb))[1]
    dl.fit(net, dl.SoftmaxCrossEntropy(), dl.SGD(net.parameters(), lr=0.1), X, y, num_epochs=2, batch_size=32)
    assert seen == [32, 32, 32, 4] * 2


def test_divergence_stops_training_and_says_why():
    # A linear output is unbounded, so a learning rate far too large makes every step overshoot further.
    X, y = dl.make_xor()
    net = dl.mlp([2, 8, 1], "tanh", rng=0)
    with pytest.warns(DivergenceWarning, match="learning rate"):
        history = dl.fit(net, dl.MSE(), dl.SGD(net.parameters(), lr=50.0), X, y, num_epochs=500)
    assert history.diverged
    assert history.epochs < 500
    assert "diverged" in history.stop_reason


def test_early_stopping_stops_and_restores_the_best_weights():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 5))
    y = rng.integers(0, 2, size=40)  # pure noise: validation loss soon gets worse while training loss falls
    X_val, y_val = rng.standard_normal((40, 5)), rng.integers(0, 2, size=40)
    net = dl.mlp([5, 64, 2], "relu", rng=0)
    stopper = dl.EarlyStopping(patience=5)
    history = dl.fit(net, dl.SoftmaxCrossEntropy(), dl.Adam(net.parameters(), lr=1e-2), X, y, num_epochs=500,
                     validation_data=(X_val, y_val), early_stopping=stopper)
    assert history.epochs < 500
    assert "early stopping" in history.stop_reason
    best = min(history["val_loss"])
    assert dl.evaluate(net, dl.SoftmaxCrossEntropy(), X_val, y_val)["loss"] == pytest.approx(best)


def test_l2_penalty_is_recorded_and_shrinks_the_weights():
    X, y = dl.make_moons(n=100, noise=0.2, rng=0)
    norms = {}
    for l2 in (0.0, 0.1):
        net = dl.mlp([2, 32, 2], "relu", rng=0)
        history = dl.fit(net, dl.SoftmaxCrossEntropy(), dl.SGD(net.parameters(), lr=0.1), X, y, num_epochs=100,
                         l2=l2)
        norms[l2] = sum(float(np.sum(layer.W.value ** 2)) for layer in net if isinstance(layer, dl.Dense))
        assert ("penalty" in history) == (l2 > 0)
    assert norms[0.1] < 0.5 * norms[0.0]


def test_callback_can_stop_training():
    X, y = dl.make_xor()
    net = xor_net(0)
    history = dl.fit(net, dl.MSE(), dl.SGD(net.parameters(), lr=0.1), X, y[:, None], num_epochs=100,
                     callback=lambda epoch, h: epoch == 4)
    assert history.epochs == 5
    assert "callback" in history.stop_reason


def test_evaluate_uses_eval_mode_and_restores_the_mode():
    X, y = dl.make_moons(n=50, noise=0.1, rng=0)
    net = dl.Sequential([dl.Dense(2, 8, rng=0), dl.ReLU(), dl.Dropout(0.5, rng=0), dl.Dense(8, 2, rng=1)])
    first = dl.evaluate(net, dl.SoftmaxCrossEntropy(), X, y)
    second = dl.evaluate(net, dl.SoftmaxCrossEntropy(), X, y, batch_size=7)
    assert first == pytest.approx(second)  # no dropout noise, and batching does not change the mean
    assert net.training


def test_float32_training_stays_float32():
    X, y = dl.make_spirals(n_per_class=20, rng=0)
    net = dl.mlp([2, 16, 3], "relu", rng=0, dtype=np.float32)
    dl.fit(net, dl.SoftmaxCrossEntropy(), dl.Adam(net.parameters()), X.astype(np.float32), y, num_epochs=3,
           batch_size=16, rng=0)
    assert all(p.value.dtype == np.float32 and p.grad.dtype == np.float32 for p in net.parameters())


def test_fit_rejects_mismatched_inputs_with_a_clear_message():
    net = xor_net(0)
    opt = dl.SGD(net.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=r"X has 4 examples .* targets have shape \(3,\)"):
        dl.fit(net, dl.MSE(), opt, np.zeros((4, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="num_epochs must be an integer >= 1, got 0"):
        dl.fit(net, dl.MSE(), opt, np.zeros((4, 2)), np.zeros(4), num_epochs=0)
    with pytest.raises(ValueError, match="validation_data must be a pair"):
        dl.fit(net, dl.MSE(), opt, np.zeros((4, 2)), np.zeros(4), validation_data=np.zeros((4, 2)))


def test_progress_bar_writes_to_stderr_only(capsys):
    X, y = dl.make_xor()
    net = xor_net(0)
    dl.fit(net, dl.MSE(), dl.SGD(net.parameters(), lr=0.1), X, y[:, None], num_epochs=3, progress=True)
    out, err = capsys.readouterr()
    assert out == ""
    assert "3/3" in err
