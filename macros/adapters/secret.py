"""The per-campaign secret that signs form tokens, kept in a file beside the master.

``load_or_create_secret(master)`` returns 32 random bytes stored hex-encoded in
``.<master file name>.kexie-key`` in the master's folder (e.g. ``.献策.xlsx.kexie-key``). The file
is created once, atomically (concurrent first runs agree on one secret), readable by its owner
only where the OS has POSIX permissions, and hidden on Windows. It never goes into a form. Move or rename it together
with the master: without it the forms already issued can no longer be verified.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

from macros.adapters.file_attrs import set_hidden
from macros.errors import ConfigError

__all__ = ["SECRET_BYTES", "secret_path", "load_or_create_secret", "load_secret"]

SECRET_BYTES = 32


def secret_path(master: str | Path) -> Path:
    master = Path(master)
    return master.with_name(f".{master.name}.kexie-key")


def _parse(text: str, path: Path) -> bytes:
    text = text.strip()
    try:
        value = bytes.fromhex(text)
    except ValueError:
        value = b""
    if len(value) != SECRET_BYTES:
        raise ConfigError(
            f"报送表密钥文件“{path.name}”已损坏（应为 {SECRET_BYTES * 2} 位十六进制数）。"
            "为免已发出的报送表全部无法验证，程序没有自动重建。请从备份恢复该文件；"
            "如确需作废全部已发出的报送表，可删除它后重新生成报送表。"
        )
    return value


def load_secret(master: str | Path) -> bytes | None:
    """The campaign's secret, or None when no key file exists yet."""
    path = secret_path(master)
    try:
        text = path.read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"无法读取报送表密钥文件“{path.name}”：{exc}") from exc
    return _parse(text, path)


def _write_new(path: Path, data: bytes) -> None:
    """Create ``path`` with ``data`` unless it exists; never leaves a partial file under ``path``."""
    fd, tmp = tempfile.mkstemp(prefix=".kexie-key-", dir=path.parent)  # mode 0600 on POSIX
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)  # atomic "create if absent" with the full content
            set_hidden(path)
        except FileExistsError:
            return
        except (OSError, NotImplementedError):
            # No hard links on this file system: exclusive create, then write.
            try:
                fd2 = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
            except FileExistsError:
                return
            with os.fdopen(fd2, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            set_hidden(path)
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def load_or_create_secret(master: str | Path) -> bytes:
    """The campaign's secret; created (32 random bytes) on first use."""
    master = Path(master)
    found = load_secret(master)
    if found is not None:
        return found
    path = secret_path(master)
    if not path.parent.is_dir():
        raise ConfigError(f"找不到活动工作簿所在的文件夹：{path.parent}")
    try:
        _write_new(path, (secrets.token_bytes(SECRET_BYTES).hex() + "\n").encode("ascii"))
    except OSError as exc:
        raise ConfigError(f"无法在活动工作簿旁创建报送表密钥文件“{path.name}”：{exc}") from exc
    found = load_secret(master)
    if found is None:  # pragma: no cover - deleted between create and read
        raise ConfigError(f"无法创建报送表密钥文件“{path.name}”。")
    return found
