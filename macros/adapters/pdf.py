"""PDF conversion (LibreOffice headless or Word via COM) and PDF page utilities.

* :class:`LibreOfficeConverter` converts many documents in ONE soffice process (all files
  passed to a single ``soffice --headless --convert-to pdf`` call) with a private,
  temporary user profile, so parallel runs and tests never collide, a timeout, fonts
  embedded, and the project's fontconfig file (``macros/fonts.conf``) so the GB/T 9704
  fonts fall back to the Simplified-Chinese Noto CJK faces.
* :class:`WordConverter` drives Microsoft Word through COM on Windows.
* :func:`find_converter` picks Word on Windows when present, else LibreOffice, else None;
  :func:`require_converter` turns None into a Chinese configuration error (exit 2).
* :func:`merge_pdfs`, :func:`split_pdf`, :func:`page_count` use pypdf.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

from macros import resources
from macros.adapters.office_locate import find_soffice as locate
from macros.adapters.pdf_errors import ConversionError
from macros.adapters.word_pdf import WordConverter
from macros.errors import ConfigError

__all__ = [
    "PdfConverter",
    "LibreOfficeConverter",
    "WordConverter",
    "ConversionError",
    "ConverterNotFoundError",
    "NO_CONVERTER_MESSAGE",
    "find_converter",
    "require_converter",
    "find_soffice",
    "fontconfig_file",
    "merge_pdfs",
    "split_pdf",
    "page_count",
]

NO_CONVERTER_MESSAGE = (
    "未找到可生成 PDF 的程序，已保留生成的 Word 文档（.docx）。"
    "请安装 LibreOffice（https://zh-cn.libreoffice.org/download/，Debian/Ubuntu 可执行 "
    "sudo apt-get install libreoffice-writer fonts-noto-cjk），"
    "或在 Windows 上安装 Microsoft Word，然后重新运行；也可改用 --format docx。"
)

class ConverterNotFoundError(ConfigError):
    """No PDF converter on this machine (exit code 2)."""

    def __init__(self, message: str = NO_CONVERTER_MESSAGE) -> None:
        super().__init__(message)




class PdfConverter(Protocol):
    """Anything that turns Word documents into PDF files."""

    name: str

    def convert_many(self, docx_paths: Sequence[Path | str], out_dir: Path | str) -> list[Path]:
        """Convert every document into ``out_dir``; return the PDF paths in input order.

        Each PDF is named after its document (``x.docx`` → ``x.pdf``); when two inputs share
        a name, later ones get ``-2``, ``-3`` … so nothing is overwritten.
        """
        ...


# --------------------------------------------------------------------------- LibreOffice

#: PDF export filter options (LibreOffice >= 7.4 JSON syntax): embed every font, even
#: the 14 standard ones, keep headings as bookmarks and bookmarks as named destinations.
PDF_EXPORT_OPTIONS = {
    "EmbedStandardFonts": {"type": "boolean", "value": "true"},
    "ExportBookmarks": {"type": "boolean", "value": "true"},
    "ExportBookmarksToPDFDestination": {"type": "boolean", "value": "true"},
    "UseTaggedPDF": {"type": "boolean", "value": "false"},
    "SelectPdfVersion": {"type": "long", "value": "0"},
}


def fontconfig_file() -> Path:
    """The fontconfig file shipped in the package (GB/T 9704 font aliases)."""
    return resources.fontconfig_file()


def find_soffice() -> Path | None:
    """Locate LibreOffice's ``soffice`` (see :mod:`macros.adapters.office_locate`)."""
    return locate()


class LibreOfficeConverter:
    """Convert documents with LibreOffice headless, many per process.

    A private user profile is created on first use and removed by :meth:`close` (or at
    the end of a ``with`` block); concurrent converters never share a profile. Calls on
    one instance are serialised with a lock.
    """

    name = "LibreOffice"

    def __init__(self, soffice: Path | str | None = None, timeout: float = 600.0) -> None:
        found = Path(soffice) if soffice else find_soffice()
        if found is None:
            raise ConverterNotFoundError()
        self.soffice = found
        self.timeout = timeout
        self._profile: Path | None = None
        self._lock = threading.Lock()

    # -- lifecycle
    def __enter__(self) -> LibreOfficeConverter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._profile is not None:
            shutil.rmtree(self._profile, ignore_errors=True)
            self._profile = None

    def __del__(self) -> None:  # best effort; close() is the contract
        try:
            self.close()
        except Exception:
            pass

    def _profile_dir(self) -> Path:
        if self._profile is None:
            self._profile = Path(tempfile.mkdtemp(prefix="kexie-lo-profile-"))
        return self._profile

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        conf = fontconfig_file()
        if conf.is_file() and sys.platform not in ("win32", "darwin"):
            env["FONTCONFIG_FILE"] = str(conf)
        # A headless run needs no display; never let soffice try to reach one.
        env.pop("DISPLAY", None)
        env.setdefault("SAL_USE_VCLPLUGIN", "svp")
        return env

    def convert_filter(self) -> str:
        """The ``--convert-to`` argument (a subclass converting to another format overrides it)."""
        return "pdf:writer_pdf_Export:" + json.dumps(PDF_EXPORT_OPTIONS, separators=(",", ":"))

    def command(self, inputs: Sequence[Path], out_dir: Path) -> list[str]:
        """The soffice argument list converting ``inputs`` into ``out_dir``."""
        filter_spec = self.convert_filter()
        return [
            str(self.soffice),
            f"-env:UserInstallation={self._profile_dir().as_uri()}",
            "--headless",
            "--invisible",
            "--nodefault",
            "--nofirststartwizard",
            "--nolockcheck",
            "--nologo",
            "--norestore",
            "--convert-to",
            filter_spec,
            "--outdir",
            str(out_dir),
            *[str(p) for p in inputs],
        ]

    def convert_many(self, docx_paths: Sequence[Path | str], out_dir: Path | str) -> list[Path]:
        paths = [Path(p).resolve() for p in docx_paths]
        out = Path(out_dir).resolve()
        out.mkdir(parents=True, exist_ok=True)
        if not paths:
            return []
        missing = [p for p in paths if not p.is_file()]
        if missing:
            raise ConversionError("找不到要转换的文档：" + "、".join(str(p) for p in missing))
        with self._lock, tempfile.TemporaryDirectory(prefix="kexie-lo-in-") as staging:
            # soffice names each PDF after the input's stem, so inputs with the same stem
            # (from different folders) are staged under unique names first.
            stage = Path(staging)
            staged: list[Path] = []
            seen: set[str] = set()
            for i, p in enumerate(paths):
                key = p.stem.casefold()
                if key in seen:
                    target = stage / f"{i:06d}{p.suffix}"
                    shutil.copyfile(p, target)
                    staged.append(target)
                else:
                    seen.add(key)
                    staged.append(p)
            work_out = stage / "out"
            work_out.mkdir()
            for chunk in _chunks(staged, _max_args_chunk(staged)):
                self.run_once(chunk, work_out)
            results: list[Path] = []
            failed: list[Path] = []
            taken: set[str] = set()
            for orig, st in zip(paths, staged):
                produced = work_out / (st.stem + ".pdf")
                if not produced.is_file() or produced.stat().st_size == 0:
                    failed.append(orig)
                    continue
                name, n = orig.stem + ".pdf", 1
                while name.casefold() in taken:  # same stem twice in one call: 名称-2.pdf …
                    n += 1
                    name = f"{orig.stem}-{n}.pdf"
                taken.add(name.casefold())
                target = out / name
                os.replace(produced, target) if _same_device(produced, out) else shutil.move(produced, target)
                results.append(target)
            if failed:
                raise ConversionError(
                    "LibreOffice 未能将以下文档转换为 PDF：" + "、".join(p.name for p in failed)
                )
        return results

    def run_once(self, inputs: Sequence[Path], out_dir: Path) -> None:
        """One soffice process converting ``inputs`` into ``out_dir`` with ``convert_filter``
        (killed with its children after ``timeout``: ConversionError). Outputs are not checked."""
        cmd = self.command(inputs, out_dir)
        kwargs: dict = {}
        if sys.platform == "win32":
            kwargs["creationflags"] = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
        else:
            kwargs["start_new_session"] = True
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=self._env(),
            **kwargs,
        )
        try:
            _, stderr = proc.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            _kill_tree(proc)
            proc.communicate()
            raise ConversionError(
                f"LibreOffice 转换超时（{self.timeout:.0f} 秒），已终止；请检查文档或稍后重试。"
            ) from None
        if proc.returncode != 0:
            detail = stderr.decode("utf-8", "replace").strip()[-500:]
            raise ConversionError(f"LibreOffice 转换失败（返回码 {proc.returncode}）：{detail}")


def _kill_tree(proc: subprocess.Popen) -> None:
    try:
        if sys.platform == "win32":
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True)
        else:
            os.killpg(proc.pid, signal.SIGKILL)  # our own session, started above
    except (ProcessLookupError, PermissionError, OSError):
        proc.kill()


def _same_device(a: Path, b: Path) -> bool:
    try:
        return a.stat().st_dev == b.stat().st_dev
    except OSError:
        return False


def _max_args_chunk(paths: Sequence[Path]) -> int:
    """How many paths fit one command line (Windows caps it at 32 767 characters)."""
    if sys.platform != "win32" or not paths:
        return max(1, len(paths))
    longest = max(len(str(p)) + 3 for p in paths)
    return max(1, 30000 // longest)


def _chunks(items: Sequence[Path], size: int) -> Iterable[Sequence[Path]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# --------------------------------------------------------------------------- choice

def find_converter(prefer: str | None = None) -> PdfConverter | None:
    """Word on Windows when installed, else LibreOffice, else None.

    ``prefer="libreoffice"`` (or the environment variable ``KEXIE_PDF=libreoffice``)
    skips Word; ``"none"`` switches PDF conversion off.
    """
    prefer = (prefer or os.environ.get("KEXIE_PDF", "")).lower()
    if prefer == "none":  # PDF conversion switched off (scheduled runs without an office suite)
        return None

    if prefer != "libreoffice" and WordConverter.available():
        return WordConverter()
    soffice = find_soffice()
    if soffice is not None:
        return LibreOfficeConverter(soffice)
    return None


def require_converter(prefer: str | None = None) -> PdfConverter:
    """Like :func:`find_converter` but raises the Chinese configuration error (exit 2)."""
    conv = find_converter(prefer)
    if conv is None:
        raise ConverterNotFoundError()
    return conv


# --------------------------------------------------------------------------- PDF pages

def page_count(path: Path | str) -> int:
    from pypdf import PdfReader  # noqa: PLC0415

    return len(PdfReader(str(path)).pages)


def merge_pdfs(paths: Sequence[Path | str], out_path: Path | str) -> Path:
    """Concatenate PDFs in the given order into ``out_path``."""
    from pypdf import PdfWriter  # noqa: PLC0415

    writer = PdfWriter()
    for p in paths:
        writer.append(str(p))
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as fh:
        writer.write(fh)
    writer.close()
    return out


def split_pdf(
    path: Path | str,
    page_ranges: Sequence[tuple[int, int]],
    out_paths: Sequence[Path | str],
) -> list[Path]:
    """Write pages ``[start, stop)`` (0-based) of ``path`` to each ``out_paths[i]``."""
    from pypdf import PdfReader, PdfWriter  # noqa: PLC0415

    if len(page_ranges) != len(out_paths):
        raise ValueError("page_ranges and out_paths differ in length")
    reader = PdfReader(str(path))
    n = len(reader.pages)
    written: list[Path] = []
    for (start, stop), target in zip(page_ranges, out_paths):
        if not 0 <= start < stop <= n:
            raise ValueError(f"page range {start}-{stop} outside 0-{n}")
        writer = PdfWriter()
        for i in range(start, stop):
            writer.add_page(reader.pages[i])
        out = Path(target)
        out.parent.mkdir(parents=True, exist_ok=True)
        with open(out, "wb") as fh:
            writer.write(fh)
        written.append(out)
    return written


def __getattr__(name: str):
    """``WordConverter`` lives in macros.adapters.word_pdf (imported on first use)."""
    if name == "WordConverter":
        from macros.adapters.word_pdf import WordConverter

        return WordConverter
    raise AttributeError(name)
