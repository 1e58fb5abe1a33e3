"""The consolidation pipeline's reader interface: a new kind of return plugs in as one reader,
recognised by content, without any change to the pipeline."""

from __future__ import annotations

from datetime import datetime

import pytest

from macros.adapters import readers
from macros.adapters.readers import Job, Probe, Read, ReadContext, Reader
from macros.core.normalize import name_key
from macros.problems import problem
from consolidate_kit import good_row, set_mtime

MAGIC = b"KEXIE-PLAIN\n"


class PlainReader(Reader):
    """Test reader: "unit<TAB>title<TAB>body" lines after a magic first line."""

    kind = "plain_test"
    label = "测试文本"
    priority = 1

    def recognise(self, probe: Probe) -> bool:
        return probe.head.startswith(MAGIC)

    def read(self, job: Job, ctx: ReadContext) -> Read:
        data = job.path.read_bytes()
        st = job.path.stat()
        out = Read(job.path, self.kind, sha256=job.sha256 or "", size=len(data), mtime_ns=st.st_mtime_ns)
        lines = data[len(MAGIC):].decode("utf-8").splitlines()
        unit = job.hints.get("unit_code") or lines[0].split("\t")[0]
        known = ctx.expect.units.get(name_key(unit))
        if known is None:
            out.problems.append(problem("E206", file=job.path.name, unit=unit))
            return out
        out.unit_code, out.unit_name = known
        out.submitted_on = datetime.fromtimestamp(st.st_mtime).date()
        for n, line in enumerate(lines, start=1):
            _unit, title, body = line.split("\t")
            out.records.append({**good_row(n), "title": title, "body": body})
            out.rows.append(n)
        return out


@pytest.fixture
def plain_reader():
    readers.register(PlainReader())
    yield
    readers.unregister("plain_test")


def test_a_new_reader_plugs_into_the_pipeline(camp, plain_reader):
    form = camp.fill("XH01", [good_row(1)])
    plain = camp.inbox / "材料.xls"
    plain.write_bytes(MAGIC + "QX01\t关于测试读取器的建议\t正文内容\n".encode("utf-8"))
    set_mtime(plain, camp.next_time())
    result = camp.run(workers=0)
    files = {f.file: f for f in result.files}
    assert files[plain.name].kind == "plain_test" and files[plain.name].status == "ingested"
    assert files[plain.name].unit_code == "QX01" and files[plain.name].new
    assert files[form.name].kind == "form"
    titles = {r["title"]: r for r in camp.items()}
    assert titles["关于测试读取器的建议"]["item_id"] == "QX01-001"
    assert titles["关于测试读取器的建议"]["source_file"] == "材料.xls"
    again = camp.run(workers=0)
    assert {f.file: f.status for f in again.files}[plain.name] == "unchanged" and not again.written


def test_hints_pass_the_callers_unit_to_the_reader(camp, plain_reader):
    plain = camp.inbox / "无单位.xls"
    plain.write_bytes(MAGIC + "??\t关于提示单位的建议\t正文\n".encode("utf-8"))
    result = camp.run(workers=0, hints={"无单位.xls": {"unit_code": "XH01", "message_id": "<m1@example.cn>"}})
    f = result.files[0]
    assert f.unit_code == "XH01" and f.message_id == "<m1@example.cn>"


def test_rows_left_out_are_listed_per_file(camp):
    form = camp.fill("XH01", [good_row(1), good_row(2, title=None)])
    result = camp.run(workers=0)
    f = {x.file: x for x in result.files}[form.name]
    assert f.rows == 1 and len(f.left_out) == 1
    assert f.left_out[0]["row"] > 0 and f.left_out[0]["code"].startswith("E")
    assert set(f.to_json()) == {"file", "unit_code", "status", "rows", "problems"}
    assert {"kind", "new", "left_out", "message_id"} <= set(f.to_json(full=True))
