"""Training speed of dlcore, side by side with PyTorch CPU when it is installed.

Four tasks, each in float64 and float32; every run is repeated and the median wall time is reported:

1. xor      2-4-1 tanh/sigmoid, MSE, SGD, 2000 full-batch steps
2. spirals  2-64-64-3 ReLU, softmax cross-entropy, Adam, full batch of 300, 1000 steps
3. digits   64-128-10 ReLU, softmax cross-entropy, SGD with momentum, minibatch 64, 10 epochs
4. large    random 10000x784 -> 256 -> 10 ReLU, softmax cross-entropy, SGD, minibatch 128, one epoch

dlcore trains with :func:`dlcore.fit` (no progress bar), PyTorch with the usual hand-written loop
(zero_grad, forward, loss, backward, step). The ratio column is dlcore time / PyTorch time: below 1 means dlcore
is faster. Usage::

    python benchmarks/bench_training.py                 # every task, both dtypes
    python benchmarks/bench_training.py --tasks xor spirals --repeats 7 --dtypes float32
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import dlcore as dl

try:
    import torch
except ImportError:  # the comparison column is left out
    torch = None


# Tasks: data and a recipe (layer sizes, activations, loss, optimizer, schedule), shared by both libraries.

def _task_data(name, dtype):
    rng = np.random.default_rng(0)
    if name == "xor":
        X, y = dl.make_xor()
        return X.astype(dtype), y.astype(dtype)[:, None]
    if name == "spirals":
        X, y = dl.make_spirals(n_per_class=100, n_classes=3, rng=rng)
        return X.astype(dtype), y
    if name == "digits":
        digits = dl.load_digits()
        return digits.X.astype(dtype), digits.y
    X = rng.standard_normal((10000, 784)).astype(dtype)
    y = rng.integers(0, 10, size=10000)
    return X, y


TASKS = {
    #          sizes             hidden   output     loss      optimizer                 steps or epochs, batch
    "xor": dict(sizes=[2, 4, 1], act="tanh", out="sigmoid", loss="mse", opt=("sgd", dict(lr=0.5)),
                epochs=2000, batch=None),
    "spirals": dict(sizes=[2, 64, 64, 3], act="relu", out=None, loss="ce", opt=("adam", dict(lr=1e-2)),
                    epochs=1000, batch=None),
    "digits": dict(sizes=[64, 128, 10], act="relu", out=None, loss="ce",
                   opt=("momentum", dict(lr=0.05, momentum=0.9)), epochs=10, batch=64),
    "large": dict(sizes=[784, 256, 10], act="relu", out=None, loss="ce", opt=("sgd", dict(lr=0.05)),
                  epochs=1, batch=128),
}


def run_dlcore(task, X, y, dtype):
    spec = TASKS[task]
    net = dl.mlp(spec["sizes"], spec["act"], output_activation=spec["out"], rng=1, dtype=dtype)
    loss = dl.MSE() if spec["loss"] == "mse" else dl.SoftmaxCrossEntropy()
    name, kwargs = spec["opt"]
    opt = dl.get_optimizer(name, net.parameters(), **kwargs)
    start = time.perf_counter()
    dl.fit(net, loss, opt, X, y, num_epochs=spec["epochs"], batch_size=spec["batch"], rng=2)
    return time.perf_counter() - start


def _torch_model(spec, dtype):
    act = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}[spec["act"]]
    sizes, layers = spec["sizes"], []
    for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(n_in, n_out))
        if k < len(sizes) - 2:
            layers.append(act())
    if spec["out"] == "sigmoid":
        layers.append(torch.nn.Sigmoid())
    return torch.nn.Sequential(*layers).to({np.float32: torch.float32, np.float64: torch.float64}[dtype])


def run_torch(task, X, y, dtype):
    spec = TASKS[task]
    torch.manual_seed(1)
    model = _torch_model(spec, dtype)
    loss_fn = torch.nn.MSELoss() if spec["loss"] == "mse" else torch.nn.CrossEntropyLoss()
    name, kwargs = spec["opt"]
    if name == "adam":
        opt = torch.optim.Adam(model.parameters(), **kwargs)
    else:
        opt = torch.optim.SGD(model.parameters(), **kwargs)
    Xt = torch.from_numpy(X)
    yt = torch.from_numpy(y) if spec["loss"] == "mse" else torch.from_numpy(y.astype(np.int64))
    n, batch = Xt.shape[0], spec["batch"]
    generator = torch.Generator().manual_seed(2)
    start = time.perf_counter()
    for _ in range(spec["epochs"]):
        if batch is None:
            batches = [(Xt, yt)]
        else:
            order = torch.randperm(n, generator=generator)
            batches = ((Xt[idx], yt[idx]) for idx in order.split(batch))
        for Xb, yb in batches:
            opt.zero_grad()
            loss = loss_fn(model(Xb), yb)
            loss.backward()
            opt.step()
    return time.perf_counter() - start


def median_time(fn, repeats, *args):
    fn(*args)  # warm-up: imports, BLAS thread start, allocator
    return statistics.median(fn(*args) for _ in range(repeats))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", nargs="+", choices=list(TASKS), default=list(TASKS))
    parser.add_argument("--dtypes", nargs="+", choices=["float64", "float32"], default=["float64", "float32"])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per cell (median reported)")
    args = parser.parse_args(argv)

    if torch is None:
        print("PyTorch is not installed: timing dlcore alone (pip install torch to compare).")
    else:
        print(f"PyTorch {torch.__version__} on {torch.get_num_threads()} threads")
    print(f"dlcore {dl.__version__}, NumPy {np.__version__}; median of {args.repeats} runs, seconds\n")
    header = f"{'task':<10}{'dtype':<9}{'dlcore':>10}{'pytorch':>10}{'ratio':>8}"
    print(header)
    print("-" * len(header))
    for task in args.tasks:
        for dtype_name in args.dtypes:
            dtype = np.dtype(dtype_name).type
            X, y = _task_data(task, dtype)
            t_dl = median_time(run_dlcore, args.repeats, task, X, y, dtype)
            if torch is None:
                print(f"{task:<10}{dtype_name:<9}{t_dl:>10.3f}{'-':>10}{'-':>8}")
                continue
            t_pt = median_time(run_torch, args.repeats, task, X, y, dtype)
            print(f"{task:<10}{dtype_name:<9}{t_dl:>10.3f}{t_pt:>10.3f}{t_dl / t_pt:>8.2f}")


if __name__ == "__main__":
    main()
