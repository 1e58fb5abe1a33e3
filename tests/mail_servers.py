"""Real mail servers on loopback for the mail tests: Dovecot (IMAP), aiosmtpd (SMTP), and a small
IMAP proxy that behaves like 163.com (SELECT refused with "Unsafe Login" until the client sent ID).

Dovecot runs in the foreground (``dovecot -F -c <dir>/dovecot.conf``) with its own config,
runtime and state directories in a fresh temporary directory; one account (static passdb), mail
in a Maildir there, delivered by writing files into ``Maildir/new``. As root, Dovecot's login
and mail processes must not run as root: they run as the ``dovenull``/``dovecot`` users the
Debian package creates (else ``nobody``), and the Maildir is owned by that user; as an ordinary
user everything runs as that user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import socketserver
import subprocess
import tempfile
import threading
import time
from pathlib import Path

PASSWORD = "sq-auth-code-1234"
ACCOUNT = "ddkxxhb@example.org"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dovecot_binary() -> str | None:
    return shutil.which("dovecot") or (str(Path("/usr/sbin/dovecot")) if Path("/usr/sbin/dovecot").exists() else None)


def required_dovecot() -> str:
    """Dovecot's binary for a test: under CI=true its absence fails the test, elsewhere it skips."""
    from required_tool import required

    return required(dovecot_binary(), "Dovecot (dovecot-imapd)")


def _user(*names: str) -> pwd.struct_passwd:
    for n in names:
        try:
            return pwd.getpwnam(n)
        except KeyError:
            continue
    return pwd.getpwnam("nobody")


def make_cert(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1/localhost (cert, key), made with openssl."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True, timeout=60)
    return cert, key


class Dovecot:
    """One Dovecot instance with one account; ``deliver(raw)`` puts a message into its INBOX."""

    def __init__(self, binary: str, ssl: bool = False):
        self.binary = binary
        self.root = Path(tempfile.mkdtemp(prefix="kexie-dovecot-"))
        os.chmod(self.root, 0o755)  # Dovecot's own users must reach the Maildir
        self.port = free_port()
        self.ssl_port = free_port() if ssl else 0
        self.maildir = self.root / "Maildir"
        self.cert = self.key = None
        if ssl:
            self.cert, self.key = make_cert(self.root)
        self.proc: subprocess.Popen | None = None
        self._seq = 0
        if os.geteuid() == 0:
            self.mail_user = _user("dovecot", "nobody")
            self.login_user = _user("dovenull", "nobody")
            self.internal_user = _user("dovecot", "nobody")
        else:
            self.mail_user = self.login_user = self.internal_user = pwd.getpwuid(os.geteuid())
        for sub in ("new", "cur", "tmp"):
            (self.maildir / sub).mkdir(parents=True, exist_ok=True)
        self._own(self.maildir)
        (self.root / "dovecot.conf").write_text(self._config(), encoding="utf-8")

    def _config(self) -> str:
        u = self.mail_user
        ssl = (f"ssl = yes\nssl_cert = <{self.cert}\nssl_key = <{self.key}\n" if self.cert else "ssl = no\n")
        imaps = (f"  inet_listener imaps {{\n    address = 127.0.0.1\n    port = {self.ssl_port}\n    ssl = yes\n  }}\n"
                 if self.cert else "  inet_listener imaps {\n    port = 0\n  }\n")
        return f"""base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
protocols = imap
listen = 127.0.0.1
{ssl}disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {self.internal_user.pw_name}
default_internal_group = {_group(self.internal_user)}
default_login_user = {self.login_user.pw_name}
first_valid_uid = {max(1, min(u.pw_uid, 500))}
mail_location = maildir:{self.maildir}
passdb {{
  driver = static
  args = password={PASSWORD}
}}
userdb {{
  driver = static
  args = uid={u.pw_uid} gid={u.pw_gid} home={self.root}/home
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
{imaps}}}
"""

    def _own(self, path: Path) -> None:
        if os.geteuid() != 0:
            return
        for p in [path, *path.rglob("*")]:
            os.chown(p, self.mail_user.pw_uid, self.mail_user.pw_gid)
        home = self.root / "home"
        home.mkdir(exist_ok=True)
        os.chown(home, self.mail_user.pw_uid, self.mail_user.pw_gid)

    def start(self) -> "Dovecot":
        self.proc = subprocess.Popen([self.binary, "-F", "-c", str(self.root / "dovecot.conf")],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                out = self.proc.stdout.read().decode(errors="replace") if self.proc.stdout else ""
                raise RuntimeError(f"dovecot exited: {out}\n{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("dovecot did not start:\n" + self.log())

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        p = self.root / "dovecot.log"
        return p.read_text(errors="replace") if p.exists() else ""

    def deliver(self, raw: bytes) -> Path:
        """Deliver a message the way an MDA does: write into tmp/, rename into new/."""
        self._seq += 1
        name = f"{int(time.time())}.M{self._seq}P{os.getpid()}.kexie"
        tmp = self.maildir / "tmp" / name
        tmp.write_bytes(raw.replace(b"\r\n", b"\n"))
        if os.geteuid() == 0:
            os.chown(tmp, self.mail_user.pw_uid, self.mail_user.pw_gid)
        dest = self.maildir / "new" / name
        os.rename(tmp, dest)
        return dest

    def reset_uidvalidity(self) -> None:
        """What a provider's mailbox rebuild does: same messages, new UIDVALIDITY and UIDs."""
        self.stop()
        for p in list(self.maildir.iterdir()):
            if p.name.startswith("dovecot"):
                p.unlink()
        for p in (self.maildir / "cur").iterdir():  # back to unseen names
            p.rename(self.maildir / "new" / p.name.split(":", 1)[0])
        time.sleep(1.1)  # a UIDVALIDITY is a timestamp: make sure the new one differs
        self.start()


def _group(user: pwd.struct_passwd) -> str:
    import grp

    try:
        return grp.getgrgid(user.pw_gid).gr_name
    except KeyError:
        return str(user.pw_gid)


# --- SMTP --------------------------------------------------------------------------------------

class SmtpCapture:
    """aiosmtpd on loopback, AUTH PLAIN/LOGIN with the test password; ``messages`` holds what
    arrived as (envelope from, recipients, raw bytes). ``fail_with`` makes it refuse DATA."""

    def __init__(self):
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        capture = self
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.fail_with: str | None = None

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
                if capture.fail_with:
                    return capture.fail_with
                capture.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
                return "250 OK"

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = getattr(auth_data, "password", b"") in (PASSWORD.encode(), PASSWORD)
            return AuthResult(success=ok)

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, authenticator=authenticator,
                                     auth_require_tls=False, auth_required=True)
        self.controller.start()

    def close(self) -> None:
        self.controller.stop()


# --- the 163 behaviour ---------------------------------------------------------------------------

class Proxy163:
    """A line-level IMAP proxy in front of Dovecot: SELECT/EXAMINE before an ID command are
    answered ``NO SELECT Unsafe Login. Please contact kefu@188.com for help`` as 163.com does."""

    def __init__(self, upstream_port: int):
        proxy = self
        self.upstream_port = upstream_port
        self.refused = 0

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                proxy._serve(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _serve(self, client: socket.socket) -> None:
        up = socket.create_connection(("127.0.0.1", self.upstream_port))
        state = {"id": False}

        def pump_up():
            try:
                while data := up.recv(65536):
                    client.sendall(data)
            except OSError:
                pass
            finally:
                try:
                    client.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        threading.Thread(target=pump_up, daemon=True).start()
        buf = b""
        try:
            while data := client.recv(65536):
                buf += data
                while b"\r\n" in buf:
                    line, buf = buf.split(b"\r\n", 1)
                    words = line.split(b" ", 2)
                    verb = words[1].upper() if len(words) > 1 else b""
                    if verb == b"ID":
                        state["id"] = True
                    if verb in (b"SELECT", b"EXAMINE") and not state["id"]:
                        self.refused += 1
                        client.sendall(words[0] + b" NO SELECT Unsafe Login. Please contact kefu@188.com for help\r\n")
                        continue
                    up.sendall(line + b"\r\n")
        except OSError:
            pass
        finally:
            up.close()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- a whole local mailbox for a campaign workbook --------------------------------------------

def configure_master(master: Path, imap_port: int, smtp_port: int, security: str = "无") -> None:
    """Point a campaign workbook's 设置 at loopback servers (rows added when missing)."""
    import openpyxl

    wb = openpyxl.load_workbook(master)
    configure_sheet(wb["设置"], imap_port, smtp_port, security)
    wb.save(master)


def configure_sheet(ws, imap_port: int, smtp_port: int, security: str = "无") -> None:
    """The same on an open 设置 worksheet (openpyxl; the simulated Excel book holds one)."""
    rows = {str(r[0].value).strip(): r[0].row for r in ws.iter_rows(min_col=1, max_col=1) if r[0].value}
    values = {"邮箱账号": ACCOUNT, "收件服务器": f"127.0.0.1:{imap_port}", "发件服务器": f"127.0.0.1:{smtp_port}",
              "加密方式": security}
    for label, value in values.items():
        row = rows.get(label) or ws.max_row + 1
        ws.cell(row=row, column=1, value=label)
        ws.cell(row=row, column=2, value=value)


class LocalMailbox:
    """Dovecot + SMTP on loopback with ``master`` pointed at them and the password in the
    environment (``monkeypatch``); a context manager."""

    def __init__(self, master: Path, monkeypatch, binary: str):
        self.master, self.monkeypatch, self.binary = master, monkeypatch, binary

    def __enter__(self) -> "LocalMailbox":
        self.dovecot = Dovecot(self.binary).start()
        self.smtp = SmtpCapture()
        configure_master(self.master, self.dovecot.port, self.smtp.port)
        self.monkeypatch.setenv("KEXIE_MAIL_PASSWORD", PASSWORD)
        return self

    def __exit__(self, *exc) -> None:
        self.smtp.close()
        self.dovecot.close()
