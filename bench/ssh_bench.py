"""SSH benchmark: tracerun's push-down search against moving the logs over SSH.

    sudo .venv/bin/python bench/ssh_bench.py --tracerun /tmp/tr/bin/tracerun
    .venv/bin/python bench/ssh_bench.py --scenario two-hosts --size 200M --runs 3
    .venv/bin/python bench/ssh_bench.py --scenario fan-out --hosts 8 --host-size 20M

Starts private sshd hosts with the test harness (tests/helpers/sshd_fleet.py:
each its own mount namespace on 127.0.0.x, all showing their own files at
/srv/tracerun-test/logs), hard-links a generated corpus (bench/gen_corpus.py,
one seed per host, kept under --work) into each host's log folder, warms the
page cache and then runs every row once as a warm-up and --runs times,
round-robin, and once more through a counting `ssh` shim for the bytes.

Scenarios:

two-hosts
    web-1 and web-2, --size (1G) of text each: half as plain files, half as a
    rotated svc.log + .gz set. Rows: tracerun --ssh with fresh connections,
    tracerun with the connections of the previous run still up, `ssh host cat
    … | grep -F -c` (the reference; .gz files decompressed locally), scp of
    every file then tracerun --path on the copies, and the floor: `ssh host
    'grep -F -c ID FILE & …'` (`gzip -dc | grep -F -c` for a .gz), every file
    at once, the least any search on the hosts can cost, sending back nothing
    but counts.
fan-out
    --hosts (32) hosts of --host-size (50M) plain text each: tracerun on one
    host and on all of them (fresh and kept connections), `ssh cat | grep`
    and the floor on one host and on all of them at once.

--baseline CMD adds rows for another tracerun (e.g. the main branch's, as
`env PYTHONPATH=/tmp/main-src .venv/bin/python -m tracerun`), measured in the
same rounds, so two versions can be compared side by side.

--link-mbit N puts each host behind its own link of N Mbit/s (host to
client): a relay as ProxyCommand that paces what the host sends. Without it
the hosts are on loopback, where bytes cost CPU but no time.

Measured per row: wall time (median), local CPU (GNU time's user+sys of the
command and the processes it waited for, plus the detached ssh ControlMaster
processes it left, reaped here: this process is a child subreaper), remote
CPU (every process of the hosts' sshd pid namespaces, before vs after), the
CPU floor ((local + remote CPU) / cores: the hosts share this machine's cores,
so no run can be faster), peak RSS of the command (GNU time %M: the largest
process it waited for, i.e. tracerun's Python process), peak RSS summed over
every local process of the row (the command, its descendants and the
ControlMasters it left; sampled from /proc every 50 ms; also summed without
shared pages), and bytes received over SSH in a separate run in
which `ssh` on PATH is a shim that counts what the real ssh writes to its
stdout and stderr (the payload the ssh client delivers, not the encrypted
TCP bytes). Needs root (the harness) and GNU time. Markdown on stdout, JSON in
bench/results/ssh-<scenario>.json; corpora and copies stay in --work (/tmp).
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(REPO / "tests"))
import gen_corpus
import run as runner
from helpers.sshd_daemon import Sshd
from helpers.sshd_files import REMOTE_LOG_DIR
from helpers.sshd_fleet import SshFleet, sshd_problem, start_fleet

NEEDLE = runner.NEEDLE
REAL_SSH = shutil.which("ssh") or "/usr/bin/ssh"
GNU_TIME = "/usr/bin/time"
CLK_TCK = os.sysconf("SC_CLK_TCK")
CPUS = os.cpu_count() or 1
PR_SET_CHILD_SUBREAPER = 36
SCENARIOS = ("two-hosts", "fan-out")
FLOOR_2 = "floor: ssh host grep -F -c each FILE at once, both hosts at once"

# The counting shim: runs the real ssh with its stdout and stderr through
# pipes, copies them through and appends `OUT ERR` bytes to $SSHBENCH_COUNT_LOG.
# A master being started (`-f`) or a control command (`-O`) is exec'd as is: it
# delivers nothing, and a detached master must not hold the shim's pipes. (scp
# hands ssh one socket as stdin and stdout, which ssh makes non-blocking: the
# shim's writes wait for room instead of failing.)
SHIM = """\
#!{python} -IS
import os, select, subprocess, sys, threading
real, args = {real!r}, sys.argv[1:]
log = os.environ.get("SSHBENCH_COUNT_LOG")
if not log or "-f" in args or "-O" in args:
    os.execv(real, [real, *args])
proc = subprocess.Popen([real, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
counts = [0, 0]
def pump(src, dst, slot):
    while chunk := os.read(src, 1 << 16):
        counts[slot] += len(chunk)
        view = memoryview(chunk)
        while view:
            try:
                view = view[os.write(dst, view):]
            except BlockingIOError:  # scp: stdout is the socket ssh made non-blocking
                select.select([], [dst], [])
threads = [
    threading.Thread(target=pump, args=(proc.stdout.fileno(), 1, 0)),
    threading.Thread(target=pump, args=(proc.stderr.fileno(), 2, 1)),
]
for t in threads:
    t.start()
for t in threads:
    t.join()
code = proc.wait()
with open(log, "a") as f:
    f.write(f"{{counts[0]}} {{counts[1]}}\\n")
sys.exit(code)
"""


# --link-mbit: a ProxyCommand between ssh and each host's sshd that relays
# the bytes and paces the host-to-client direction at RATE bytes/s (no burst
# credit is saved up while idle): each host behind its own link of that speed.
LINK = """\
#!{python} -IS
import os, socket, sys, threading, time
host, port, rate = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
sock = socket.create_connection((host, port))
def up():
    while data := os.read(0, 1 << 16):
        sock.sendall(data)
    sock.shutdown(socket.SHUT_WR)
threading.Thread(target=up, daemon=True).start()
due = time.monotonic()
while data := sock.recv(1 << 16):
    due = max(due, time.monotonic()) + len(data) / rate
    view = memoryview(data)
    while view:
        view = view[os.write(1, view):]
    if (wait := due - time.monotonic()) > 0:
        time.sleep(wait)
"""


def log(msg: str) -> None:
    runner.log(msg)


def link_config(fleet: SshFleet, work: Path, mbit: float) -> Path:
    """The fleet's ssh_config, or one that reaches its hosts through a paced link."""
    if not mbit:
        return fleet.config
    relay = work / "shim" / "link"
    relay.parent.mkdir(parents=True, exist_ok=True)
    relay.write_text(LINK.format(python=sys.executable))
    relay.chmod(0o755)
    config = work / "ssh_config.link"
    rate = mbit * 1e6 / 8
    config.write_text(
        f"# the test fleet behind a {mbit:g} Mbit/s link per host (ssh_bench.py)\n"
        f"Host web-*\n    ProxyCommand {relay} %h %p {rate:.0f}\n\n"
        f"Include {fleet.config}\n"
    )
    return config


# --------------------------------------------------------------------- corpus


@dataclass
class HostLogs:
    """One host's generated logs and what a search for NEEDLE must find in them."""

    corpora: list[runner.Corpus]
    exact: int = 0  # records whose request id equals the needle (tracerun's count)
    grep: int = 0  # lines containing the needle (grep -F -c's count)
    matched_bytes: int = 0  # bytes of the exact records' lines, newline included
    id_line_bytes: int = 0  # bytes of every line containing the needle

    @property
    def files(self) -> list[Path]:
        return [f for c in self.corpora for f in c.files]

    @property
    def plain(self) -> list[Path]:
        return [f for f in self.files if f.suffix != ".gz"]

    @property
    def gz(self) -> list[Path]:
        return [f for f in self.files if f.suffix == ".gz"]

    @property
    def bytes(self) -> int:
        return sum(c.bytes for c in self.corpora)

    @property
    def stored(self) -> int:
        return sum(int(c.manifest["stored_bytes"]) for c in self.corpora)


def host_logs(
    corpus_dir: Path, seed: int, size: int, gz_share: float, files: int
) -> HostLogs:
    """The corpus of the host with this seed: plain files, then a rotated .gz set."""
    corpora = []
    gz_size = int(size * gz_share) // files * files if gz_share else 0
    plain_size = size - gz_size
    common = ["--format", "text", "--files", str(files)]
    if plain_size:
        corpora.append(
            runner.ensure_corpus(
                corpus_dir, f"ssh-{seed:02d}-text", plain_size, common, seed=seed
            )
        )
    if gz_size:
        corpora.append(
            runner.ensure_corpus(
                corpus_dir,
                f"ssh-{seed:02d}-gz",
                gz_size,
                [*common, "--gzip"],
                seed=seed,
            )
        )
    logs = HostLogs(corpora)
    for corpus in corpora:
        found = matched(corpus)
        logs.exact += found["exact"]
        logs.grep += found["grep"]
        logs.matched_bytes += found["matched_bytes"]
        logs.id_line_bytes += found["id_line_bytes"]
        if (found["exact"], found["grep"]) != (
            corpus.manifest["exact_count"],
            corpus.manifest["grep_count"],
        ):
            msg = f"{corpus.root}: the files do not match the manifest"
            raise RuntimeError(msg)
    return logs


def matched(corpus: runner.Corpus) -> dict[str, int]:
    """Count the needle's lines and their bytes (cached next to the manifest)."""
    cache = corpus.root / "ssh-bench-matched.json"
    key = {"needle": NEEDLE, "bytes": corpus.bytes, "files": len(corpus.files)}
    if cache.exists():
        stored = json.loads(cache.read_text())
        if stored.get("key") == key:
            return dict(stored["found"])
    exact_mark = f"request_id={NEEDLE} ".encode()
    found = {"exact": 0, "grep": 0, "matched_bytes": 0, "id_line_bytes": 0}
    for path in corpus.files:
        reader = f"gzip -dc {shlex.quote(str(path))}" if path.suffix == ".gz" else ""
        cmd = f"{reader or 'cat ' + shlex.quote(str(path))} | grep -F -e {NEEDLE}"
        with subprocess.Popen(["sh", "-c", cmd], stdout=subprocess.PIPE) as proc:
            assert proc.stdout is not None
            for line in proc.stdout:
                found["grep"] += 1
                found["id_line_bytes"] += len(line)
                if exact_mark in line or line.endswith(exact_mark[:-1] + b"\n"):
                    found["exact"] += 1
                    found["matched_bytes"] += len(line)
    cache.write_text(json.dumps({"key": key, "found": found}) + "\n")
    return found


def link_logs(fleet: SshFleet, logs: list[HostLogs]) -> None:
    """Hard-link each host's corpus into its log folder (empty it first)."""
    for host in fleet.hosts:
        for child in host.log_dir.iterdir():
            child.unlink()
    for host, mine in zip(fleet.hosts, logs, strict=False):
        for path in mine.files:
            os.link(path, host.log_dir / path.name)


# ----------------------------------------------------------------- processes


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    comm: str
    ticks: int  # utime + stime + cutime + cstime


def processes() -> dict[int, Proc]:
    """Every process's parent and CPU ticks (its own and its reaped children's)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        head, _, rest = text.rpartition(")")
        fields = rest.split()
        # after "pid (comm)": state ppid ... utime(14) stime cutime cstime (1-based)
        ticks = sum(int(x) for x in fields[11:15])
        pid = int(head.split(" (", 1)[0])
        found[pid] = Proc(pid, int(fields[1]), head.split(" (", 1)[1], ticks)
    return found


def tree_ticks(roots: list[int], procs: dict[int, Proc]) -> int:
    """CPU ticks ever used by the processes under `roots` (the live ones carry the dead)."""
    children: dict[int, list[int]] = {}
    for p in procs.values():
        children.setdefault(p.ppid, []).append(p.pid)
    total, todo = 0, list(roots)
    while todo:
        pid = todo.pop()
        if pid in procs:
            total += procs[pid].ticks
        todo.extend(children.get(pid, ()))
    return total


def sshd_pids(daemons: tuple[Sshd, ...]) -> list[int]:
    """The listening sshd of each host: the init of its pid namespace."""
    pids = []
    for daemon in daemons:
        assert daemon.proc is not None
        kids = Path(f"/proc/{daemon.proc.pid}/task/{daemon.proc.pid}/children")
        pids += [int(p) for p in kids.read_text().split()]
    return pids


def settle(roots: list[int], *, connections: bool, timeout: float = 5.0) -> None:
    """Wait until the hosts' sessions are over and reaped.

    With `connections`, kept connections (their sshd processes) may stay;
    without, every host must be down to its listener.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        procs = processes()
        children: dict[int, list[int]] = {}
        for p in procs.values():
            children.setdefault(p.ppid, []).append(p.pid)
        below, todo = [], [c for r in roots for c in children.get(r, ())]
        while todo:
            pid = todo.pop()
            below.append(procs[pid])
            todo.extend(children.get(pid, ()))
        if not below or (connections and all(p.comm == "sshd" for p in below)):
            return
        time.sleep(0.02)


def become_subreaper() -> None:
    """Orphans below us (detached ssh masters) become our children: we reap them."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        msg = f"prctl(PR_SET_CHILD_SUBREAPER): errno {ctypes.get_errno()}"
        raise OSError(msg)


@dataclass
class Masters:
    """The ssh ControlMaster processes tracerun left running (now our children)."""

    control_dir: Path

    def pids(self) -> list[int]:
        return [pid for pid in _children(os.getpid()) if _is_master(pid)]

    def ticks(self) -> int:
        procs = processes()
        return sum(procs[p].ticks for p in self.pids() if p in procs)

    def pss_kb(self) -> list[int]:
        sizes = []
        for pid in self.pids():
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                    if line.startswith("Pss:"):
                        sizes.append(int(line.split()[1]))
        return sizes

    def close(self) -> tuple[float, int]:
        """Ask every master to exit, reap them; return (their CPU s, their count)."""
        pids = self.pids()
        for sock in self.control_dir.glob("tracerun-ssh-*/*"):
            subprocess.run(
                [REAL_SSH, "-o", f"ControlPath={sock}", "-O", "exit", "master"],
                capture_output=True,
                check=False,
                timeout=10,
            )
        cpu = 0.0
        for pid in pids:
            try:
                _, _, usage = _wait4_timeout(pid, 5.0)
            except ChildProcessError:
                continue
            cpu += usage.ru_utime + usage.ru_stime
        return cpu, len(pids)


def _is_master(pid: int) -> bool:
    try:
        return b"ControlMaster=yes" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _wait4_timeout(pid: int, timeout: float) -> tuple[int, int, Any]:
    deadline = time.monotonic() + timeout
    while True:
        got, status, usage = os.wait4(pid, os.WNOHANG)
        if got:
            return got, status, usage
        if time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            return os.wait4(pid, 0)
        time.sleep(0.01)


PAGE = os.sysconf("SC_PAGE_SIZE")


def _children(pid: int) -> list[int]:
    """The live children of every thread of `pid`."""
    kids: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                kids += [int(k) for k in (task / "children").read_text().split()]
    return kids


def _statm(pid: int) -> tuple[int, int]:
    """(resident, resident less shared) bytes of one process; (0, 0) if gone."""
    try:
        fields = Path(f"/proc/{pid}/statm").read_text().split()
    except OSError:
        return 0, 0
    return int(fields[1]) * PAGE, (int(fields[1]) - int(fields[2])) * PAGE


class TreeRss(threading.Thread):
    """Sample the RSS of a command's whole process tree, and of the ssh masters.

    GNU time's %M is the largest single process the command waited for
    (tracerun's Python). This adds up every local process a row costs: the
    command and all its descendants (ssh sessions, grep, gzip, scp) plus the
    detached ControlMaster processes it started (reparented to this process,
    a subreaper), every `interval` seconds. RSS counts shared pages (libc,
    libcrypto) once per process, so the "private" sum (resident less shared
    file pages) is reported too.
    """

    def __init__(self, root: int, masters: Masters, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.root, self.masters, self.interval = root, masters, interval
        self.peak_rss = self.peak_private = self.peak_procs = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(self.interval):
            self.sample()

    def sample(self) -> None:
        pids, todo = [], [self.root, *self.masters.pids()]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            todo += _children(pid)
        sizes = [_statm(p) for p in pids]
        self.peak_rss = max(self.peak_rss, sum(r for r, _ in sizes))
        self.peak_private = max(self.peak_private, sum(p for _, p in sizes))
        self.peak_procs = max(self.peak_procs, sum(1 for r, _ in sizes if r))

    def stop(self) -> None:
        self._done.set()
        self.join()


# ---------------------------------------------------------------------- tools


@dataclass
class Sample:
    wall: float
    local_cpu: float
    remote_cpu: float
    rss_kb: int
    tree_rss_kb: int
    tree_private_kb: int
    tree_procs: int
    code: int
    count: int | None
    masters: int
    master_pss_kb: list[int]
    load1: float
    stderr: str


@dataclass
class Tool:
    """One row: a command, its count, whether it starts from no connection."""

    name: str
    argv: list[str]
    expected: int
    count: str  # "lines" (tracerun's ndjson) or "sum" (grep -c outputs)
    hosts: int
    fresh: bool = True  # close tracerun's connections before each run
    prepare: Callable[[], None] | None = None
    ref: str = ""
    matched_bytes: int = 0  # the exact records' bytes on the hosts it reads
    id_line_bytes: int = 0  # the bytes of every line there holding the id
    samples: list[Sample] = field(default_factory=list)
    received: dict[str, int] = field(default_factory=dict)
    failure: str = ""

    @property
    def cmd(self) -> str:
        return shlex.join(self.argv)


@dataclass
class Bench:
    args: argparse.Namespace
    fleet: SshFleet
    work: Path
    env: dict[str, str]
    config: Path  # the ssh_config every row uses
    shim_dir: Path
    masters: Masters
    listeners: list[int]

    def run_once(self, tool: Tool, *, counted: bool = False) -> Sample:
        if tool.prepare is not None:
            tool.prepare()
        if tool.fresh:
            self.masters.close()
        else:  # "kept from the last run": that run, untimed, right before
            subprocess.run(
                tool.argv, env=self.env, cwd=self.work, capture_output=True, check=False
            )
        settle(self.listeners, connections=not tool.fresh)
        env = dict(self.env)
        count_log = self.work / "count.log"
        count_log.unlink(missing_ok=True)
        if counted:
            env["PATH"] = f"{self.shim_dir}{os.pathsep}{env['PATH']}"
            env["SSHBENCH_COUNT_LOG"] = str(count_log)
        before = processes()
        remote0 = tree_ticks(self.listeners, before)
        master0 = self.masters.ticks()
        load1 = os.getloadavg()[0]
        with (
            tempfile.TemporaryFile() as out,
            tempfile.TemporaryFile() as err,
            tempfile.NamedTemporaryFile(suffix=".time") as report,
        ):
            argv = [GNU_TIME, "-f", "%U %S %M", "-o", report.name, *tool.argv]
            started = time.perf_counter()
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                env=env,
                cwd=self.work,
                start_new_session=True,
            )
            timer = threading.Timer(self.args.timeout, _kill_group, (proc.pid,))
            timer.start()
            tree = TreeRss(proc.pid, self.masters)
            tree.start()
            try:
                code = proc.wait()
            finally:
                timer.cancel()
                tree.stop()
            wall = time.perf_counter() - started
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read(), err.read().decode(errors="replace")
            fields = Path(report.name).read_text().split()[-3:]
        if len(fields) < 3 or code < 0:  # killed (--timeout): GNU time said nothing
            fields = ["0", "0", "0"]
            stderr += f"\n(killed: exit {code}; --timeout {self.args.timeout:g} s?)"
        user, system, rss_kb = float(fields[0]), float(fields[1]), int(fields[2])
        pss = self.masters.pss_kb()
        if tool.fresh:
            master_cpu, masters = self.masters.close()
        else:
            master_cpu = (self.masters.ticks() - master0) / CLK_TCK
            masters = len(pss)
        settle(self.listeners, connections=not tool.fresh)
        remote = (tree_ticks(self.listeners, processes()) - remote0) / CLK_TCK
        if counted:
            tool.received = {"out": 0, "err": 0, "ssh_runs": 0}
            if count_log.exists():
                for line in count_log.read_text().splitlines():
                    o, e = line.split()
                    tool.received["out"] += int(o)
                    tool.received["err"] += int(e)
                    tool.received["ssh_runs"] += 1
        return Sample(
            wall=wall,
            local_cpu=user + system + master_cpu,
            remote_cpu=remote,
            rss_kb=rss_kb,
            tree_rss_kb=tree.peak_rss // 1024,
            tree_private_kb=tree.peak_private // 1024,
            tree_procs=tree.peak_procs,
            code=code,
            count=_count(tool.count, stdout),
            masters=masters,
            master_pss_kb=pss,
            load1=load1,
            stderr=stderr[-2000:],
        )

    def measure(self, tools: list[Tool]) -> None:
        """Warm-up, --runs round-robin runs, then one counted run per tool."""
        for tool in tools:
            log(f"  warm-up: {tool.name}")
            self._take(tool, self.run_once(tool), keep=False)
        for r in range(self.args.runs):
            self._wait_for_load()
            log(f"  run {r + 1}/{self.args.runs} (load {runner.load()})")
            for tool in tools:
                if not tool.failure:
                    self._take(tool, self.run_once(tool), keep=True)
        for tool in tools:
            if not tool.failure:
                log(f"  counting bytes: {tool.name}")
                self._take(tool, self.run_once(tool, counted=True), keep=False)

    def _take(self, tool: Tool, sample: Sample, *, keep: bool) -> None:
        if sample.code not in (0, 1) or sample.count != tool.expected:
            tail = "\n".join(sample.stderr.strip().splitlines()[-6:])
            tool.failure = (
                f"exit {sample.code}, count {sample.count} (want {tool.expected})"
                + (f": {tail}" if tail else "")
            )
            log(f"  {tool.name}: FAILED {tool.failure}")
            return
        if keep:
            tool.samples.append(sample)

    def _wait_for_load(self) -> None:
        limit = self.args.max_load
        if limit is None:
            return
        deadline = time.monotonic() + self.args.max_load_wait
        while os.getloadavg()[0] > limit and time.monotonic() < deadline:
            time.sleep(5)


def _count(kind: str, stdout: bytes) -> int | None:
    try:
        if kind == "lines":
            return sum(1 for line in stdout.splitlines() if line.strip())
        return sum(int(x) for x in stdout.split())
    except ValueError:
        return None


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def write_shim(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shim = folder / "ssh"
    shim.write_text(SHIM.format(python=sys.executable, real=REAL_SSH))
    shim.chmod(0o755)
    return folder


# ------------------------------------------------------------------ scenarios


def remote(path: Path) -> str:
    return f"{REMOTE_LOG_DIR}/{path.name}"


def cat_grep(config: Path, alias: str, logs: HostLogs) -> list[str]:
    """`ssh host cat FILES | grep -F -c`, one connection per host.

    The plain files come first in the stream and are counted as they are;
    `head -c` (which reads no further than it is told) hands the rest, the
    .gz rotations, to `gzip -dc` here.
    """
    ssh = f"ssh -F {shlex.quote(str(config))} {alias}"
    files = " ".join(remote(p) for p in [*logs.plain, *logs.gz])
    grep = f"grep -F -c {NEEDLE}"
    if not logs.gz:
        return [f"{ssh} cat {files} | {grep}"]
    plain = sum(p.stat().st_size for p in logs.plain)
    return [f"{ssh} cat {files} | {{ head -c {plain} | {grep}; gzip -dc | {grep}; }}"]


def floor(config: Path, alias: str, logs: HostLogs) -> list[str]:
    """`ssh host 'grep -F -c ID FILE & …; wait'`: the host searches, counts come back.

    Nothing any search on the host must do more is in it (line numbers,
    context, the decoy test), and every file is searched at once, as
    tracerun's sessions do: the least a push-down can cost.
    """
    ssh = f"ssh -F {shlex.quote(str(config))} {alias}"
    grep = f"grep -F -c -e {NEEDLE}"
    jobs = [f"{grep} -- {remote(p)} &" for p in logs.plain]
    jobs += [f"gzip -dc -- {remote(p)} | {grep} &" for p in logs.gz]
    return [f"{ssh} {shlex.quote(' '.join(['export LC_ALL=C;', *jobs, 'wait']))}"]


def parallel(pipes: list[str]) -> list[str]:
    """sh -c running the pipelines at once, each printing its count."""
    return ["sh", "-c", " & ".join(f"( {p} )" for p in pipes) + " & wait"]


def aliases(count: int) -> str:
    """`web-1`, `web-{1,2}`, `web-{1..32}`: the hosts as --ssh takes them."""
    if count == 1:
        return "web-1"
    return "web-{1,2}" if count == 2 else f"web-{{1..{count}}}"


def tracerun_ssh(bench: Bench, hosts: int, *, baseline: bool = False) -> list[str]:
    spec = f"{aliases(hosts)}:{REMOTE_LOG_DIR}/*.log*"
    command = bench.args.baseline if baseline else bench.args.tracerun
    return [*command, "--ssh", spec, NEEDLE, "-o", "ndjson"]


def two_hosts(bench: Bench, logs: list[HostLogs]) -> tuple[list[Tool], dict[str, Any]]:
    config = bench.config
    exact = sum(h.exact for h in logs)
    grep = sum(h.grep for h in logs)
    copy = bench.work / "copy"

    def fresh_copy() -> None:
        shutil.rmtree(copy, ignore_errors=True)
        for n in (1, 2):
            (copy / f"web-{n}").mkdir(parents=True)

    scp = " & ".join(
        f"scp -q -S ssh -F {shlex.quote(str(config))} "
        f"'web-{n}:{REMOTE_LOG_DIR}/*' {copy}/web-{n}/"
        for n in (1, 2)
    )
    local = shlex.join(
        [
            *bench.args.tracerun,
            *("--path", f"{copy}/web-1", "--path", f"{copy}/web-2"),
            *(NEEDLE, "-o", "ndjson"),
        ]
    )
    ref = "ssh cat | grep -F -c, both hosts at once"
    tools = [
        Tool(ref, parallel([p for n, h in enumerate(logs, 1) for p in cat_grep(config, f"web-{n}", h)]), grep, "sum", 2),
        Tool("tracerun --ssh (new connections)", tracerun_ssh(bench, 2), exact, "lines", 2, ref=ref),
        Tool("tracerun --ssh (connections kept from the last run)", tracerun_ssh(bench, 2), exact, "lines", 2, fresh=False, ref=ref),
        Tool("scp both hosts at once, then tracerun --path", ["sh", "-c", f"{scp} & wait; {local}"], exact, "lines", 2, prepare=fresh_copy, ref=ref),
        Tool(FLOOR_2, parallel([p for n, h in enumerate(logs, 1) for p in floor(config, f"web-{n}", h)]), grep, "sum", 2, ref=ref),
    ]  # fmt: skip
    if bench.args.baseline:
        label = bench.args.baseline_label
        tools.insert(3, Tool(f"tracerun {label} --ssh (new connections)", tracerun_ssh(bench, 2, baseline=True), exact, "lines", 2, ref=ref))  # fmt: skip
    info = {
        "exact": exact,
        "grep": grep,
        "matched_bytes": sum(h.matched_bytes for h in logs),
        "id_line_bytes": sum(h.id_line_bytes for h in logs),
        "bytes": sum(h.bytes for h in logs),
        "stored": sum(h.stored for h in logs),
        "cleanup": lambda: shutil.rmtree(copy, ignore_errors=True),
    }
    return tools, info


def fan_out(bench: Bench, logs: list[HostLogs]) -> tuple[list[Tool], dict[str, Any]]:
    config = bench.config
    n = len(logs)
    one = "tracerun --ssh, 1 host (new connections)"
    one_cat = "ssh cat | grep -F -c, 1 host"
    one_kept = "tracerun --ssh, 1 host (connections kept)"
    one_floor = "floor: ssh grep -F -c, 1 host"
    every = [p for i, h in enumerate(logs, 1) for p in cat_grep(config, f"web-{i}", h)]
    floors = [p for i, h in enumerate(logs, 1) for p in floor(config, f"web-{i}", h)]
    tools = [
        Tool(one_cat, parallel(cat_grep(config, "web-1", logs[0])), logs[0].grep, "sum", 1),
        Tool(f"ssh cat | grep -F -c, {n} hosts at once", parallel(every), sum(h.grep for h in logs), "sum", n, ref=one_cat),
        Tool(one, tracerun_ssh(bench, 1), logs[0].exact, "lines", 1),
        Tool(f"tracerun --ssh, {n} hosts (new connections)", tracerun_ssh(bench, n), sum(h.exact for h in logs), "lines", n, ref=one),
        Tool(one_kept, tracerun_ssh(bench, 1), logs[0].exact, "lines", 1, fresh=False),
        Tool(f"tracerun --ssh, {n} hosts (connections kept)", tracerun_ssh(bench, n), sum(h.exact for h in logs), "lines", n, fresh=False, ref=one_kept),
        Tool(one_floor, parallel(floor(config, "web-1", logs[0])), logs[0].grep, "sum", 1),
        Tool(f"floor: ssh grep -F -c, {n} hosts at once", parallel(floors), sum(h.grep for h in logs), "sum", n, ref=one_floor),
    ]  # fmt: skip
    if bench.args.baseline:
        label = bench.args.baseline_label
        one_base = f"tracerun {label} --ssh, 1 host (new connections)"
        tools += [
            Tool(one_base, tracerun_ssh(bench, 1, baseline=True), logs[0].exact, "lines", 1),
            Tool(f"tracerun {label} --ssh, {n} hosts (new connections)", tracerun_ssh(bench, n, baseline=True), sum(h.exact for h in logs), "lines", n, ref=one_base),
        ]  # fmt: skip
    info = {
        "exact": sum(h.exact for h in logs),
        "grep": sum(h.grep for h in logs),
        "matched_bytes": sum(h.matched_bytes for h in logs),
        "id_line_bytes": sum(h.id_line_bytes for h in logs),
        "bytes": sum(h.bytes for h in logs),
        "stored": sum(h.stored for h in logs),
        "cleanup": lambda: None,
    }
    return tools, info


# -------------------------------------------------------------------- results


def rows_of(tools: list[Tool]) -> list[dict[str, Any]]:
    medians = {t.name: _median(t, "wall") for t in tools if t.samples}
    rows = []
    for t in tools:
        row: dict[str, Any] = {"tool": t.name, "cmd": t.cmd, "hosts": t.hosts}
        if t.failure or not t.samples:
            rows.append(row | {"status": "FAILED", "error": t.failure or "no samples"})
            continue
        received = t.received.get("out", 0) + t.received.get("err", 0)
        ref = medians.get(t.ref) if t.ref else None
        row |= {
            "status": "ok",
            "expected": t.expected,
            "walls_s": [round(s.wall, 4) for s in t.samples],
            "median_s": round(medians[t.name], 4),
            "ratio": round(medians[t.name] / ref, 3) if ref else None,
            "reference": t.ref,
            "local_cpu_s": round(_median(t, "local_cpu"), 3),
            "local_cpu_per_host_ms": round(1000 * _median(t, "local_cpu") / t.hosts, 1),
            "remote_cpu_s": round(_median(t, "remote_cpu"), 3),
            # the hosts share this machine's cores: no wall below this
            "cpu_floor_s": round(
                (_median(t, "local_cpu") + _median(t, "remote_cpu")) / CPUS, 3
            ),
            "peak_rss_mb": round(max(s.rss_kb for s in t.samples) / 1024, 1),
            "tree_rss_mb": round(_median(t, "tree_rss_kb") / 1024, 1),
            "tree_private_mb": round(_median(t, "tree_private_kb") / 1024, 1),
            "tree_procs": max(s.tree_procs for s in t.samples),
            "masters": max(s.masters for s in t.samples),
            "master_pss_mb": round(
                statistics.median(sum(s.master_pss_kb) / 1024 for s in t.samples),
                1,
            ),
            "received": t.received,
            "received_bytes": received,
            "matched_bytes": t.matched_bytes,
            "id_line_bytes": t.id_line_bytes,
            "received_x_id_lines": round(received / t.id_line_bytes, 2)
            if t.id_line_bytes
            else None,
            "received_x_matched": round(received / t.matched_bytes, 2)
            if t.matched_bytes
            else None,
            "load1": [round(s.load1, 2) for s in t.samples],
            "samples": [
                {k: v for k, v in vars(s).items() if k != "stderr"} for s in t.samples
            ],
        }
        rows.append(row)
    return rows


def _median(tool: Tool, attr: str) -> float:
    return statistics.median(getattr(s, attr) for s in tool.samples)


def mb(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n >= 10 * 2**20:
        return f"{n / 2**20:,.0f} MB"
    if n >= 2**20:
        return f"{n / 2**20:.1f} MB"
    return f"{n / 1024:,.1f} KB"


def table(rows: list[dict[str, Any]], ref_label: str, fan: bool) -> str:
    head = (
        f"| tool | wall s (median) | ratio to {runner.cell(ref_label)} "
        "| bytes received over SSH | x matched records' bytes "
        "| local CPU s | remote CPU s | CPU floor s "
        "| peak RSS MB: largest process "
        "| peak RSS MB: all local processes (private) "
        + ("| ssh masters (PSS) | local CPU per host ms " if fan else "")
        + "| correct? |"
    )
    cols = head.replace("\\|", "").count("|") - 1
    out = [head, "|" + "---|" * cols]
    for r in rows:
        name = runner.cell(r["tool"])
        if r["status"] != "ok":
            first = r["error"].splitlines()[0] if r["error"] else ""
            out.append(
                f"| {name} |"
                + " - |" * (cols - 2)
                + f" FAILED ({runner.cell(first[:80])}) |"
            )
            continue
        ratio = (
            "1.00"
            if r["ratio"] is None and not r["reference"]
            else runner.fmt_num(r["ratio"], ".2f")
        )
        masters = (
            f"| {r['masters']} ({r['master_pss_mb']:.1f} MB) "
            f"| {r['local_cpu_per_host_ms']:.0f} "
            if fan
            else ""
        )
        out.append(
            f"| {name} | {r['median_s']:.3f} | {ratio} | {mb(r['received_bytes'])} "
            f"| {runner.fmt_num(r['received_x_matched'], ',.2f')} "
            f"| {r['local_cpu_s']:.2f} | {r['remote_cpu_s']:.2f} "
            f"| {r['cpu_floor_s']:.2f} "
            f"| {r['peak_rss_mb']:.1f} "
            f"| {r['tree_rss_mb']:.0f} ({r['tree_private_mb']:.0f}) "
            f"{masters}| yes ({r['expected']}) |"
        )
    return "\n".join(out)


def run_scenario(args: argparse.Namespace, scenario: str) -> dict[str, Any]:
    log(f"== {scenario}")
    work = Path(args.work)
    corpus_dir = work / "corpus"
    if scenario == "two-hosts":
        size, count, gz_share, files = args.size, 2, args.gz_share, args.files
    else:
        size, count, gz_share, files = (
            args.host_size,
            args.hosts,
            0.0,
            args.fanout_files,
        )
    logs = [
        host_logs(corpus_dir, seed, size, gz_share, files)
        for seed in range(1, count + 1)
    ]
    started = time.monotonic()
    fleet = start_fleet(str(work), gnu_hosts=max(3, count))
    log(
        f"  {len(fleet.daemons)} sshd hosts started in {time.monotonic() - started:.1f} s"
    )
    rt = work / "rt"
    rt.mkdir(exist_ok=True)
    rt.chmod(0o700)
    masters = Masters(rt)
    try:
        link_logs(fleet, logs)
        for host in logs:
            runner.warm(host.files)
        config = link_config(fleet, work, args.link_mbit)
        env = {
            **os.environ,
            "TRACERUN_SSH_CONFIG": str(config),
            "XDG_RUNTIME_DIR": str(rt),  # tracerun's ControlPath sockets: ours alone
        }
        bench = Bench(
            args, fleet, work, env, config, write_shim(work / "shim"), masters,
            sshd_pids(fleet.daemons),
        )  # fmt: skip
        planner = two_hosts if scenario == "two-hosts" else fan_out
        tools, info = planner(bench, logs)
        for tool in tools:  # a 1-host row reads web-1, an n-host row web-1..n
            tool.matched_bytes = sum(h.matched_bytes for h in logs[: tool.hosts])
            tool.id_line_bytes = sum(h.id_line_bytes for h in logs[: tool.hosts])
        load_before = runner.load()
        t0 = datetime.now(UTC)
        try:
            bench.measure(tools)
        finally:
            info.pop("cleanup")()
        load_after = runner.load()
    finally:
        masters.close()
        fleet.close()
    rows = rows_of(tools)
    text = report(args, scenario, rows, info, logs, load_before, load_after, t0)
    print(text + "\n", flush=True)
    result = {
        "scenario": scenario,
        "date": t0.isoformat(timespec="seconds"),
        "machine": runner.machine() | {"ssh": _ssh_version()},
        "args": dict(vars(args)),
        "corpus": info,
        "load_before": load_before,
        "load_after": load_after,
        "rows": rows,
        "markdown": text,
    }
    out = Path(args.results_dir)
    out.mkdir(parents=True, exist_ok=True)
    suffix = f"-{args.link_mbit:g}mbit" if args.link_mbit else ""
    (out / f"ssh-{scenario}{suffix}.json").write_text(
        json.dumps(result, indent=1) + "\n"
    )
    return result


def report(
    args: argparse.Namespace,
    scenario: str,
    rows: list[dict[str, Any]],
    info: dict[str, Any],
    logs: list[HostLogs],
    load_before: str,
    load_after: str,
    t0: datetime,
) -> str:
    machine = runner.machine()
    n = len(logs)
    plain = sum(len(h.plain) for h in logs) // n
    gz = sum(len(h.gz) for h in logs) // n
    layout = f"{plain} plain file{'s' if plain > 1 else ''}" + (
        f" + {gz} .gz rotations" if gz else ""
    )
    ok = {r["tool"]: r for r in rows if r["status"] == "ok"}
    lines = [
        f"### ssh {scenario}: {n} hosts x {mb(logs[0].bytes)} of text"
        + (" (plain and .gz)" if gz else "")
        + (
            f", each behind a {args.link_mbit:g} Mbit/s link"
            if args.link_mbit
            else ", loopback"
        ),
        "",
        (
            f"{t0:%Y-%m-%d %H:%M} UTC. Corpus per host: {layout}, "
            f"{mb(info['bytes'] // n)} uncompressed ({mb(info['stored'] // n)} stored); "
            f"needle `{NEEDLE}` every 10,000 lines. In all: {info['exact']:,} matching "
            f"records, {mb(info['matched_bytes'])} (the matched records' bytes); "
            f"{info['grep']:,} lines contain the id ({mb(info['id_line_bytes'])}: each "
            "record has a prefix decoy and a message decoy)."
        ),
        (
            f"Machine: {machine['cpus']} CPUs ({machine['cpu']}), {_ssh_version()}, "
            f"{machine['grep']}; median of {args.runs} runs after 1 warm-up; "
            f"load average before: {load_before}, after: {load_after}."
        ),
        "",
        table(
            rows,
            "1 host (same tool)" if scenario == "fan-out" else _ref_label(rows),
            fan=scenario == "fan-out",
        ),
        "",
    ]
    if scenario == "two-hosts":
        lines += _two_host_goals(ok, args)
    else:
        lines += _fan_out_goals(ok, n, args)
    return "\n".join(lines)


def _two_host_goals(
    ok: dict[str, dict[str, Any]], args: argparse.Namespace
) -> list[str]:
    fresh = ok.get("tracerun --ssh (new connections)")
    if not fresh:
        return []
    x = fresh["received_x_matched"]
    goals = (
        f"Goals: bytes received {x:.2f}x the matched records' bytes (goal <= 2x: "
        f"{'met' if x <= 2 else 'not met'}; {fresh['received_x_id_lines']:.2f}x "
        "the bytes of every line holding the id); wall "
        f"{fresh['ratio']:.2f}x the cat | grep pipeline "
        f"(goal <= 0.3x: {'met' if fresh['ratio'] <= 0.3 else 'not met'})."
    )
    out = [goals]
    bottom = ok.get(FLOOR_2)
    if bottom:
        out.append(
            f"Floor: `grep -F -c` on the hosts alone takes {bottom['median_s']:.2f} s, "
            f"{bottom['ratio']:.2f}x the cat | grep pipeline (CPU floor "
            f"{bottom['cpu_floor_s']:.2f} s); tracerun takes "
            f"{fresh['median_s'] / bottom['median_s']:.2f}x the floor's wall, "
            f"{fresh['remote_cpu_s'] / bottom['remote_cpu_s']:.2f}x its remote CPU."
        )
    base = ok.get(f"tracerun {args.baseline_label} --ssh (new connections)")
    if base:
        out.append(
            f"{args.baseline_label}: wall {base['ratio']:.2f}x the cat | grep "
            f"pipeline, bytes {base['received_x_matched']:.2f}x the matched records', "
            f"remote CPU {base['remote_cpu_s']:.2f} s (this tracerun: "
            f"{fresh['remote_cpu_s']:.2f} s)."
        )
    return out


def _fan_out_goals(
    ok: dict[str, dict[str, Any]], n: int, args: argparse.Namespace
) -> list[str]:
    out = []
    kinds = [
        ("new connections", "tracerun --ssh"),
        ("connections kept", "tracerun --ssh"),
    ]
    kinds.append(("new connections", f"tracerun {args.baseline_label} --ssh"))
    for kind, tool in kinds:
        one = ok.get(f"{tool}, 1 host ({kind})")
        many = ok.get(f"{tool}, {n} hosts ({kind})")
        if not (one and many):
            continue
        # What the cores allow: n hosts' CPU floor against one host's wall.
        least = many["cpu_floor_s"] / one["median_s"]
        out.append(
            f"Goals ({tool}, {kind}): wall {n} hosts / 1 host = {many['ratio']:.2f}x "
            f"(goal <= 3x: {'met' if many['ratio'] <= 3 else 'not met'}); the {n} "
            f"hosts' CPU floor alone is {many['cpu_floor_s']:.2f} s = {least:.2f}x one "
            f"host's wall (local {many['local_cpu_s']:.2f} + remote "
            f"{many['remote_cpu_s']:.2f} CPU s over {CPUS} cores; local "
            f"{many['local_cpu_per_host_ms']:.0f} ms per host), the wall "
            f"{many['median_s'] / many['cpu_floor_s']:.2f}x that floor; "
            f"peak RSS of tracerun {one['peak_rss_mb']:.1f} MB → "
            f"{many['peak_rss_mb']:.1f} MB; of every local process "
            f"{one['tree_rss_mb']:.0f} MB → {many['tree_rss_mb']:.0f} MB "
            f"(private {one['tree_private_mb']:.0f} → "
            f"{many['tree_private_mb']:.0f} MB, "
            f"{one['tree_procs']} → {many['tree_procs']} processes)."
        )
    return out


def _ref_label(rows: list[dict[str, Any]]) -> str:
    refs = {r.get("reference") for r in rows if r.get("reference")}
    return "reference" if len(refs) != 1 else refs.pop()


def _ssh_version() -> str:
    out = subprocess.run([REAL_SSH, "-V"], capture_output=True, text=True, check=False)
    return out.stderr.strip().split(",")[0]


# ---------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument(
        "--scenario",
        action="append",
        choices=SCENARIOS,
        help="repeatable (default: both)",
    )
    p.add_argument(
        "--size",
        type=gen_corpus.parse_size,
        default="1G",
        help="two-hosts: logs per host (uncompressed)",
    )
    p.add_argument(
        "--gz-share",
        type=float,
        default=0.5,
        help="two-hosts: part of --size written as a rotated .gz set",
    )
    p.add_argument(
        "--files",
        type=int,
        default=4,
        help="two-hosts: plain files per host, and rotations in the .gz set",
    )
    p.add_argument("--hosts", type=int, default=32, help="fan-out: hosts")
    p.add_argument(
        "--host-size",
        type=gen_corpus.parse_size,
        default="50M",
        help="fan-out: plain text per host",
    )
    p.add_argument(
        "--fanout-files", type=int, default=2, help="fan-out: files per host"
    )
    p.add_argument(
        "--link-mbit",
        type=float,
        default=0,
        help="put each host behind a link of this speed (host to client; 0: plain loopback)",
    )
    p.add_argument("--runs", type=int, default=5)
    p.add_argument(
        "--tracerun",
        metavar="CMD",
        help="how to run tracerun (default: on PATH, else next to this Python)",
    )
    p.add_argument(
        "--baseline",
        metavar="CMD",
        help="another tracerun to measure in the same rounds (its rows say --baseline-label)",
    )
    p.add_argument(
        "--baseline-label", default="baseline", help="name of --baseline's rows"
    )
    p.add_argument("--timeout", type=float, default=900, help="seconds per run")
    p.add_argument(
        "--work",
        default=str(Path(tempfile.gettempdir()) / "tracerun-sshbench"),
        help="corpora, hosts, copies",
    )
    p.add_argument("--results-dir", default=str(BENCH / "results"))
    p.add_argument(
        "--max-load",
        type=float,
        help="before each round, wait while the 1-min load is above this",
    )
    p.add_argument(
        "--max-load-wait",
        type=float,
        default=120,
        help="seconds to wait for --max-load at most",
    )
    p.add_argument(
        "--clean",
        action="store_true",
        help="remove --work at the end (corpora included)",
    )
    args = p.parse_args(argv)  # fmt: skip
    if args.runs < 1:
        p.error("--runs must be >= 1")
    problem = sshd_problem()
    if problem:
        print(f"ssh_bench: {problem}", file=sys.stderr)
        return 2
    if not Path(GNU_TIME).is_file():
        print("ssh_bench: needs GNU time at /usr/bin/time", file=sys.stderr)
        return 2
    args.tracerun = runner.find_tracerun(args.tracerun)
    log(f"tracerun command: {shlex.join(args.tracerun)}")
    if args.baseline:
        args.baseline = shlex.split(args.baseline)
        log(f"baseline ({args.baseline_label}): {shlex.join(args.baseline)}")
    Path(args.work).mkdir(parents=True, exist_ok=True)
    become_subreaper()
    failed = False
    try:
        for scenario in args.scenario or SCENARIOS:
            result = run_scenario(args, scenario)
            failed |= any(r["status"] != "ok" for r in result["rows"])
    finally:
        if args.clean:
            shutil.rmtree(args.work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
