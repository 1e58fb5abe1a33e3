"""PDF conversion with Microsoft Word through COM (Windows only; pywin32 imported lazily).

Word can hang on a dialog nobody sees (a damaged file, a missing printer, an add-in asking
something): the whole conversion runs in a worker thread and, when it takes longer than the
timeout, the Word process this converter started is killed and a Chinese ConversionError
(exit 2) says so. Which WINWORD.EXE is ours is found by comparing the process list before and
after starting Word (``tasklist``), so a Word the user has open is never touched.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Callable, Sequence

from macros.adapters.pdf_errors import ConversionError

DEFAULT_TIMEOUT = 120.0  # seconds for starting Word …
PER_DOCUMENT = 60.0  # … plus this much per document


def run_with_timeout(work: Callable[[], Any], timeout: float, on_timeout: Callable[[], None],
                     what: str) -> Any:
    """``work()`` in a daemon thread; after ``timeout`` seconds call ``on_timeout()`` (which
    must make ``work`` stop, e.g. by killing its process) and raise ConversionError."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="kexie-word", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        on_timeout()
        thread.join(10)
        raise ConversionError(f"{what}转换超时（{timeout:.0f} 秒），已终止；请检查文档或稍后重试。")
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def word_pids() -> set[int]:
    """PIDs of the running WINWORD.EXE processes (Windows)."""
    try:
        out = subprocess.run(["tasklist", "/FI", "IMAGENAME eq WINWORD.EXE", "/FO", "CSV", "/NH"],
                             capture_output=True, text=True, timeout=30,
                             creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0)).stdout
    except (OSError, subprocess.SubprocessError):
        return set()
    pids = set()
    for line in out.splitlines():
        cells = [c.strip('"') for c in line.split('","')]
        if len(cells) > 1 and cells[1].isdigit():
            pids.add(int(cells[1]))
    return pids


def kill_pids(pids: set[int]) -> None:
    for pid in pids:
        subprocess.run(["taskkill", "/PID", str(pid), "/F"], capture_output=True, timeout=30,
                       creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))


class WordConverter:
    """Microsoft Word through COM, with a timeout (see the module doc)."""

    name = "Microsoft Word"
    _WD_EXPORT_PDF = 17
    _WD_EXPORT_WORD_BOOKMARKS = 2

    def __init__(self, timeout: float | None = None) -> None:
        self.timeout = timeout

    def convert_many(self, docx_paths: Sequence[Path | str], out_dir: Path | str) -> list[Path]:
        before = word_pids()
        started: dict[str, set[int]] = {}
        timeout = self.timeout or DEFAULT_TIMEOUT + PER_DOCUMENT * len(docx_paths)

        def kill() -> None:
            kill_pids(started.get("pids") or (word_pids() - before))

        return run_with_timeout(lambda: self._convert(docx_paths, Path(out_dir), before, started),
                                timeout, kill, "Microsoft Word ")

    def _convert(self, docx_paths, out_dir: Path, before: set[int], started: dict) -> list[Path]:
        import pythoncom  # type: ignore[import-not-found]  # noqa: PLC0415
        import win32com.client  # type: ignore[import-not-found]  # noqa: PLC0415

        pythoncom.CoInitialize()  # COM in this worker thread
        out = out_dir.resolve()
        out.mkdir(parents=True, exist_ok=True)
        word = win32com.client.DispatchEx("Word.Application")
        started["pids"] = word_pids() - before
        word.Visible = False
        word.DisplayAlerts = 0
        results: list[Path] = []
        try:
            for p in docx_paths:
                src = Path(p).resolve()
                target = out / (src.stem + ".pdf")
                doc = word.Documents.Open(str(src), ReadOnly=True, AddToRecentFiles=False)
                try:
                    doc.Fields.Update()  # PAGEREF page numbers of the compilation's contents
                    # Word bookmarks become PDF bookmarks: merged reminders are split by them.
                    doc.ExportAsFixedFormat(str(target), self._WD_EXPORT_PDF,
                                            CreateBookmarks=self._WD_EXPORT_WORD_BOOKMARKS)
                finally:
                    doc.Close(False)
                results.append(target)
        finally:
            word.Quit()
            pythoncom.CoUninitialize()
        return results

    @staticmethod
    def available() -> bool:
        if sys.platform != "win32":
            return False
        try:
            import winreg  # noqa: PLC0415

            import win32com.client  # type: ignore[import-not-found]  # noqa: F401,PLC0415

            winreg.CloseKey(winreg.OpenKey(winreg.HKEY_CLASSES_ROOT, r"Word.Application\CLSID"))
            return True
        except Exception:
            return False
