"""Draw the bundled Fashion-MNIST sample from the full data set: stratified, seeded, written as IDX .gz files.

    python tools/make_fashion_sample.py                  # (re)write data/fashion-mnist-sample/ and print checksums
    python tools/make_fashion_sample.py --check          # draw again in a temporary folder; exit 1 if it differs

The source is Debian's ``dataset-fashion-mnist`` (Zalando's Fashion-MNIST, MIT licence) in
``/usr/share/datasets/fashion-mnist``: the four original IDX files. From the training file the sample takes
``--train-per-class`` images of every class, from the test file ``--test-per-class``, each class drawn without
replacement with ``numpy.random.default_rng(--seed)``. The training images are stored in a shuffled order (a
head/tail slice is never one class), the test images in their original order. The four output files have the
original names and format, so ``helpers.data.load_idx_dir`` reads them like the full set; gzip is written with
``mtime=0`` and no file name, so the same draw gives the same bytes - and the same sha256 - on every machine.
``helpers.data.FASHION_SAMPLE_SHA256`` holds those checksums and ``load_fashion_mnist`` verifies them on load.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import struct
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from helpers.data import FASHION_SAMPLE_DIR, IDX_FILES, read_idx  # noqa: E402

SOURCE = Path("/usr/share/datasets/fashion-mnist")
#: sha256 of the files of Debian's dataset-fashion-mnist 0.0~git20200523.55506a9-1 the sample was drawn from
#: (Debian recompressed them: the bytes differ from the .gz files Zalando publishes, the IDX content does not).
SOURCE_SHA256 = {
    "train-images-idx3-ubyte.gz": "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
    "train-labels-idx1-ubyte.gz": "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
    "t10k-images-idx3-ubyte.gz": "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
    "t10k-labels-idx1-ubyte.gz": "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
}
TRAIN_PER_CLASS = 600
TEST_PER_CLASS = 100
SEED = 0


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stratified_indices(labels: np.ndarray, per_class: int, rng: np.random.Generator) -> np.ndarray:
    """``per_class`` indices of every class, drawn without replacement, in ascending order."""
    chosen = []
    for c in range(10):
        pool = np.flatnonzero(labels == c)
        if len(pool) < per_class:
            raise SystemExit(f"class {c} has {len(pool)} examples, fewer than the {per_class} asked for")
        chosen.append(rng.choice(pool, size=per_class, replace=False))
    return np.sort(np.concatenate(chosen))


def draw(source: Path, train_per_class: int, test_per_class: int, seed: int):
    """The sample's arrays: (train images, train labels, test images, test labels), uint8."""
    rng = np.random.default_rng(seed)
    arrays = {key: read_idx(source / f"{name}.gz", key.split("_")[1]) for key, name in IDX_FILES.items()}
    # the test split first, so a sample with another --train-per-class is tested on the same images
    test = stratified_indices(arrays["test_labels"], test_per_class, rng)
    train = stratified_indices(arrays["train_labels"], train_per_class, rng)
    train = rng.permutation(train)  # stored shuffled: no slice of the file is a single class
    return (arrays["train_images"][train], arrays["train_labels"][train],
            arrays["test_images"][test], arrays["test_labels"][test])


def idx_gz(array: np.ndarray) -> bytes:
    """An IDX file (ubyte, 1 or 3 dimensions) gzipped reproducibly: no file name, mtime 0."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    raw = struct.pack(">I", 0x0800 | array.ndim) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()
    return gzip.compress(raw, compresslevel=9, mtime=0)


def write_sample(out: Path, source: Path = SOURCE, train_per_class: int = TRAIN_PER_CLASS,
                 test_per_class: int = TEST_PER_CLASS, seed: int = SEED) -> dict[str, str]:
    """Write the four .gz files into ``out``; return their sha256 by file name."""
    for name, expected in SOURCE_SHA256.items():
        found = sha256(source / name)
        if found != expected:
            raise SystemExit(f"{source / name}: not the file the sample was drawn from (expected sha256 {expected}, "
                             f"found {found}); pass --source for another copy and expect other checksums")
    out.mkdir(parents=True, exist_ok=True)
    checksums = {}
    for key, array in zip(IDX_FILES, draw(source, train_per_class, test_per_class, seed), strict=True):
        path = out / f"{IDX_FILES[key]}.gz"
        path.write_bytes(idx_gz(array))
        checksums[path.name] = sha256(path)
    return checksums


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", type=Path, default=SOURCE, help="folder with the four full-size IDX .gz files")
    ap.add_argument("--out", type=Path, default=FASHION_SAMPLE_DIR, help="where to write the sample")
    ap.add_argument("--train-per-class", type=int, default=TRAIN_PER_CLASS)
    ap.add_argument("--test-per-class", type=int, default=TEST_PER_CLASS)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--check", action="store_true", help="draw into a temporary folder and compare with --out")
    args = ap.parse_args(argv)
    settings = dict(source=args.source, train_per_class=args.train_per_class, test_per_class=args.test_per_class,
                    seed=args.seed)
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            fresh = write_sample(Path(tmp), **settings)
        stored = {name: sha256(args.out / name) if (args.out / name).is_file() else "missing" for name in fresh}
        for name in fresh:
            print(f"{name}: {'same' if fresh[name] == stored[name] else 'DIFFERENT'} ({fresh[name]})")
        return 0 if fresh == stored else 1
    checksums = write_sample(args.out, **settings)
    for name, digest in checksums.items():
        print(f'    "{name}": "{digest}",  # {(args.out / name).stat().st_size:,} bytes')
    return 0


if __name__ == "__main__":
    sys.exit(main())
