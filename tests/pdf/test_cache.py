"""The cache of rendered PDFs: hits skip rendering, keys separate couples, the folder stays bounded."""
import datetime
import os
from pathlib import Path

import pytest

from toolkit.pdf.cache import cache_dir_for, cache_key, cached_pdf, evict
from toolkit.pdf.documents import PrintContext


def fake_pdf(tag: str, size: int = 100) -> bytes:
    return (b"%PDF-1.7 " + tag.encode()).ljust(size, b" ")


def never():
    raise AssertionError("produce was called on a cache hit")


def test_a_hit_returns_the_same_bytes_without_rendering(tmp_path):
    inputs = {"couple_id": 7, "document": "packet", "ctx": PrintContext(date=datetime.date(2026, 3, 3))}
    first, hit = cached_pdf(tmp_path, inputs, lambda: fake_pdf("a"))
    assert not hit
    again, hit = cached_pdf(tmp_path, dict(reversed(list(inputs.items()))), never)
    assert hit and again == first
    assert [p.name for p in tmp_path.iterdir()] == [cache_key(inputs) + ".pdf"]  # no temporary files left


def test_keys_differ_by_couple_and_by_every_input(tmp_path):
    base = {"couple_id": 1, "modules": ["weekly-check-in"], "date": datetime.date(2026, 3, 3), "large_print": False}
    keys = {cache_key(base), cache_key({**base, "couple_id": 2}), cache_key({**base, "couple_id": "1"}),
            cache_key({**base, "large_print": True}), cache_key({**base, "date": datetime.date(2026, 3, 4)}),
            cache_key({**base, "modules": ["daily-gratitude"]})}
    assert len(keys) == 6
    cached_pdf(tmp_path, base, lambda: fake_pdf("couple 1"))
    other, hit = cached_pdf(tmp_path, {**base, "couple_id": 2}, lambda: fake_pdf("couple 2"))
    assert not hit and b"couple 2" in other


def test_inputs_must_name_the_couple(tmp_path):
    with pytest.raises(ValueError, match="couple_id"):
        cached_pdf(tmp_path, {"document": "packet"}, lambda: fake_pdf("x"))


def test_the_least_recently_used_files_go_when_the_folder_is_too_big(tmp_path):
    for n in range(4):
        cached_pdf(tmp_path, {"couple_id": n}, lambda: fake_pdf(str(n), 1000), max_bytes=10_000)
        path = tmp_path / (cache_key({"couple_id": n}) + ".pdf")
        os.utime(path, ns=(n * 10**9, n * 10**9))  # written one second apart
    cached_pdf(tmp_path, {"couple_id": 0}, never)  # a hit makes couple 0's file the most recent
    cached_pdf(tmp_path, {"couple_id": 9}, lambda: fake_pdf("9", 1000), max_bytes=2500)
    kept = {p.name for p in tmp_path.iterdir()}
    assert kept == {cache_key({"couple_id": n}) + ".pdf" for n in (0, 9)}
    assert evict(tmp_path, max_bytes=0) == 2 and not list(tmp_path.iterdir())


def test_a_damaged_file_is_rendered_again(tmp_path):
    inputs = {"couple_id": 3}
    (tmp_path / (cache_key(inputs) + ".pdf")).write_bytes(b"half a fi")
    data, hit = cached_pdf(tmp_path, inputs, lambda: fake_pdf("fresh"))
    assert not hit and data.startswith(b"%PDF")


def test_the_cache_lives_in_the_instance_folder(app):
    assert cache_dir_for(app.instance_path) == Path(app.instance_path) / "cache" / "pdf"
