"""Reading a CSV as it streams: the encoding decided from the first chunk beyond ASCII, the
rows read line by line as the import asks for them."""

import pytest

from caredesk.runtime import imports
from caredesk.runtime.imports import reading

pytestmark = pytest.mark.django_db

HEADER = "code,name\n"


def _rows(path):
    header, rows, total = imports.read_rows(path)
    return header, list(rows), total


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8", "utf-8-sig"])
def test_chinese_beyond_the_first_chunks_and_split_across_chunks(tmp_path, monkeypatch, encoding):
    # Small chunks: the first bytes beyond ASCII come chunks after the start, and characters
    # of two, three and four bytes fall across chunk boundaries.
    monkeypatch.setattr(reading, "CHUNK", 7)
    lines = [f"p{i},product {i}" for i in range(20)] + [f"z{i},产品𠀀{i}号" for i in range(20)]
    path = tmp_path / "products.csv"
    path.write_bytes((HEADER + "\n".join(lines)).encode(encoding))
    header, rows, total = _rows(path)
    assert header == ["code", "name"] and total == 40
    assert rows[0] == (2, ["p0", "product 0"])
    assert rows[-1] == (41, ["z19", "产品𠀀19号"])
    assert [r[1][1] for r in rows[20:23]] == ["产品𠀀0号", "产品𠀀1号", "产品𠀀2号"]


def test_rows_are_read_as_asked_not_the_file_at_once(tmp_path, monkeypatch):
    monkeypatch.setattr(reading, "CHUNK", 4096)  # the encoding is decided on the first one
    path = tmp_path / "products.csv"
    good = "".join(f"p{i},产品{i}\n" for i in range(5000)).encode("gb18030")
    path.write_bytes(HEADER.encode() + good + b"bad,\xff\xff\n")
    header, rows, total = imports.read_rows(path)
    assert total == 5001
    # The first rows come before the damaged last line has been decoded ...
    assert next(rows) == (2, ["p0", "产品0"])
    # ... which the import meets where it is, as a refusal of the file.
    with pytest.raises(imports.ImportFileError, match=r"Beyond row \d+ the file is not GB18030"):
        for _row in rows:
            pass


def test_a_file_in_neither_encoding_is_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(HEADER.encode() + "p1,产品\n".encode("utf-16"))
    with pytest.raises(imports.ImportFileError, match="neither UTF-8 nor GB18030"):
        imports.read_rows(path)


def test_quoted_cells_with_commas_and_newlines_stay_one_row(tmp_path):
    path = tmp_path / "products.csv"
    path.write_bytes((HEADER + 'p1,"第一行\n第二行, 带逗号"\np2,二\n').encode("gb18030"))
    assert _rows(path)[1] == [
        (2, ["p1", "第一行\n第二行, 带逗号"]),
        (3, ["p2", "二"]),
    ]  # records, as Excel numbers them


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"")
    with pytest.raises(imports.ImportFileError, match="empty"):
        imports.read_rows(path)
