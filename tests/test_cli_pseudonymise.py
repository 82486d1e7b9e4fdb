"""Tests for ``dataprotect pseudonymise`` as a bulk filter: blocks of whole
lines and worker processes (dataprotect.cli._lines), the same output as
the library, pipes and the progress bar (dataprotect.cli._pseudonymise)."""

from __future__ import annotations

import base64
import io
import os
import pty
import select
import subprocess
import sys

from collections.abc import Iterator
from pathlib import Path

import pytest

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from dataprotect.cli._app import cli
from dataprotect.cli._errors import InputError
from dataprotect.cli._lines import BLOCK_SIZE, block_map, line_blocks
from dataprotect.pseudonymise import Pseudonymiser
from logcorpus import generate
from logcorpus_heldout import generate as generate_heldout


KEY = bytes(range(32))
ENV = {"PSEUDO_KEY": base64.b64encode(KEY).decode()}
KEY_ARGS = ["--key-env", "PSEUDO_KEY", "--rotation", "never"]
SRC = Path(__file__).resolve().parent.parent / "src"


class _Trickle(io.RawIOBase):
    """A raw stream that returns at most *step* bytes per read, as a pipe
    does with what has arrived."""

    def __init__(self, data: bytes, step: int) -> None:
        self._data = data
        self._step = step

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        n = min(len(buffer), self._step, len(self._data))
        buffer[:n] = self._data[:n]
        self._data = self._data[n:]
        return n


class TestLineBlocks:
    @given(
        lines=st.lists(st.binary(max_size=40).map(lambda b: b + b"\n")),
        tail=st.binary(max_size=40),
        size=st.integers(1, 64),
        step=st.integers(1, 64),
    )
    def test_blocks_of_whole_lines(self, lines, tail, size, step) -> None:
        """Joined, the blocks are the input; every block but the last ends
        with a newline; no block is empty."""
        data = b"".join(lines) + tail
        src = io.BufferedReader(_Trickle(data, step))
        blocks = list(line_blocks(src, size))
        assert b"".join(blocks) == data
        assert all(block for block in blocks)
        assert all(block.endswith(b"\n") for block in blocks[:-1])

    def test_long_line_whole(self) -> None:
        """A line longer than a block comes whole, in one block."""
        data = b"x" * 1000 + b"\nshort\n"
        blocks = list(line_blocks(io.BytesIO(data), 64))
        assert blocks[0].startswith(b"x" * 1000 + b"\n")
        assert b"".join(blocks) == data

    def test_pipe_block_released_early(self) -> None:
        """On a pipe, complete lines come out before the block is full."""
        read, write = os.pipe()
        with open(read, "rb") as src, open(write, "wb") as dst:
            dst.write(b"first line\nsecond li")
            dst.flush()
            blocks = line_blocks(src)
            assert next(blocks) == b"first line\n"
            dst.write(b"ne\n")
            dst.close()
            assert list(blocks) == [b"second line\n"]

    def test_empty_input(self) -> None:
        """An empty input gives no block."""
        assert list(line_blocks(io.BytesIO(b""))) == []


def _tagged(block: bytes) -> tuple[int, bytes]:
    """A block function that shows which process ran it."""
    return os.getpid(), block.upper()


def _refuse(block: bytes) -> bytes:
    """A block function that fails on a block."""
    if block == b"bad\n":
        msg = "refused"
        raise ValueError(msg)
    return block


class TestBlockMap:
    def test_in_order_in_workers(self) -> None:
        """With two jobs the results come in the order of the blocks, from
        processes other than this one (in a fresh interpreter: other tests
        may leave threads in this one, where block_map does not fork)."""
        script = (
            "import os\n"
            "from dataprotect.cli._lines import block_map\n"
            "def tagged(block):\n"
            "    return os.getpid(), block.upper()\n"
            "blocks = [f'{i}\\n'.encode() for i in range(200)]\n"
            "with block_map(tagged, 2) as apply:\n"
            "    results = list(apply(iter(blocks)))\n"
            "assert [text for _, text in results] == [b.upper() for b in blocks]\n"
            "pids = {pid for pid, _ in results}\n"
            "assert os.getpid() not in pids, pids\n"
            "print(len(pids))\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        )
        assert done.returncode == 0, done.stderr
        assert 1 <= int(done.stdout) <= 2

    def test_in_order_in_workers_here(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The same in this process, as if no other thread ran (threads
        that other tests leave behind hold no lock the workers need)."""
        import threading

        monkeypatch.setattr(threading, "active_count", lambda: 1)
        blocks = [f"{i}\n".encode() for i in range(200)]
        with block_map(_tagged, 2) as apply:
            results = list(apply(iter(blocks)))
        assert [text for _, text in results] == [b.upper() for b in blocks]
        assert os.getpid() not in {pid for pid, _ in results}

    def test_one_job_here(self) -> None:
        """With one job the function runs in this process."""
        with block_map(_tagged, 1) as apply:
            assert list(apply([b"a\n"])) == [(os.getpid(), b"A\n")]

    def test_threads_running(self) -> None:
        """While another thread runs (fork would be unsafe) the function
        runs in this process."""
        import threading

        stop = threading.Event()
        thread = threading.Thread(target=stop.wait)
        thread.start()
        try:
            with block_map(_tagged, 2) as apply:
                assert list(apply([b"a\n"])) == [(os.getpid(), b"A\n")]
        finally:
            stop.set()
            thread.join()

    def test_worker_setup(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A worker ignores Ctrl-C (its parent ends it) and applies the
        function it was given."""
        import signal

        from dataprotect.cli import _lines

        handlers: list[object] = []
        monkeypatch.setattr(
            signal, "signal", lambda _sig, handler: handlers.append(handler)
        )
        monkeypatch.setattr(_lines, "_WORKER", {})
        _lines._install(bytes.upper)
        assert handlers == [signal.SIG_IGN]
        assert _lines._call(b"a\n") == b"A\n"

    def test_worker_error_raised_here(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A worker's exception is raised in this process."""
        import threading

        monkeypatch.setattr(threading, "active_count", lambda: 1)
        with (
            pytest.raises(ValueError, match="refused"),
            block_map(_refuse, 2) as apply,
        ):
            list(apply([b"ok\n", b"bad\n", b"ok\n"]))

    def test_no_fork(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Where processes cannot be forked, more than one job is an input
        error."""
        import multiprocessing
        import threading

        # As if no other thread ran (other tests may leave some behind).
        monkeypatch.setattr(threading, "active_count", lambda: 1)
        monkeypatch.setattr(
            multiprocessing, "get_all_start_methods", lambda: ["spawn"]
        )
        with pytest.raises(InputError, match="fork"):
            block_map(_refuse, 2).__enter__()

    def test_jobs_zero(self) -> None:
        """--jobs 0 is a usage error."""
        result = CliRunner().invoke(cli, ["pseudonymise", "--jobs", "0"])
        assert result.exit_code == 2
        assert "--jobs" in result.output


def _corpus() -> bytes:
    """Daemon and held-out log lines, more than one block of them, with
    invalid UTF-8, CRLF, empty lines and no final newline."""
    texts = [r["text"] for r in generate(4_500, seed=7)]
    texts += [r["text"] for r in generate_heldout(4_500, seed=8)]
    lines = [t.encode("utf-8", "surrogatepass") for t in texts]
    lines += [
        b"\xff\xfe bad utf-8 anna@example.ch \xc3",
        b"",
        b"crlf mail a.b@example.ch from 203.0.113.9\r",
        b"\xe2\x82 cut sequence 4111 1111 1111 1111",
    ]
    return b"\n".join(lines)


def _expected(data: bytes) -> tuple[bytes, dict[str, int]]:
    """The library's output for *data*, line by line, and its counts."""
    p = Pseudonymiser(key=KEY, rotation="never")
    lines = data.decode("utf-8", "surrogateescape").split("\n")
    counts: dict[str, int] = {}
    for line in lines:
        for name, n in p.pseudonymise_with_counts(line)[1].items():
            counts[name] = counts.get(name, 0) + n
    out = "\n".join(p.pseudonymise(line) for line in lines)
    return out.encode("utf-8", "surrogateescape"), counts


class TestSameAsTheLibrary:
    @pytest.mark.parametrize("jobs", ["1", "2"])
    def test_file_and_pipe(self, tmp_path: Path, jobs: str) -> None:
        """File to file with --stats and stdin to stdout, in one process or
        two: the output is ``Pseudonymiser.pseudonymise`` of every line,
        byte for byte, and --stats counts what the library counts."""
        data = _corpus()
        assert len(data) > BLOCK_SIZE
        assert b"\n" in data[BLOCK_SIZE:]
        expected, counts = _expected(data)
        (tmp_path / "app.log").write_bytes(data)
        runner = CliRunner(env=ENV)
        result = runner.invoke(
            cli,
            [
                "pseudonymise",
                str(tmp_path / "app.log"),
                "-o",
                str(tmp_path / "clean.log"),
                "--stats",
                "--jobs",
                jobs,
                *KEY_ARGS,
            ],
        )
        assert result.exit_code == 0, result.output
        assert (tmp_path / "clean.log").read_bytes() == expected
        shown = result.stderr.splitlines()
        assert shown[0] == f"lines: {len(data.splitlines())}"
        for name, n in counts.items():
            assert f"{name}: {n}" in shown
        assert shown[-1] == f"total findings: {sum(counts.values())}"
        piped = runner.invoke(
            cli, ["pseudonymise", "--jobs", jobs, *KEY_ARGS], input=data
        )
        assert piped.exit_code == 0, piped.output
        assert piped.stdout_bytes == expected

    def test_lines_counted_with_final_newline(self) -> None:
        """--stats counts lines the same with and without a final
        newline."""
        for data in (b"a\nb\n", b"a\nb"):
            result = CliRunner().invoke(
                cli, ["pseudonymise", "--stats"], input=data
            )
            assert result.exit_code == 0, result.output
            assert result.stdout_bytes == data
            assert "lines: 2" in result.stderr


def _env_buffered() -> dict[str, str]:
    """The environment for a child whose stdout is block-buffered in a
    pipe, as it is by default."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return {**env, "PYTHONPATH": str(SRC)}


@pytest.fixture(name="terminal")
def _terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """stderr on a real pseudo-terminal during the test."""
    master, slave = pty.openpty()
    with open(slave, "w", encoding="utf-8", closefd=False) as term:
        monkeypatch.setattr(sys, "stderr", term)
        yield
        monkeypatch.undo()
    os.close(master)
    os.close(slave)


class TestStreams:
    def test_live_pipe(self) -> None:
        """Fed through a pipe that stays open (``tail -f``), a complete line
        comes out before the input ends, though stdout is block-buffered."""
        with subprocess.Popen(
            [sys.executable, "-m", "dataprotect.cli", "pseudonymise"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_env_buffered(),
        ) as proc:
            assert proc.stdin is not None
            assert proc.stdout is not None
            try:
                proc.stdin.write(b"login anna@example.ch\n")
                proc.stdin.flush()
                ready, _, _ = select.select([proc.stdout], [], [], 30)
                assert ready, "no output while the input stayed open"
                line = proc.stdout.readline()
                assert line.startswith(b"login <email:")
            finally:
                proc.stdin.close()
                proc.wait(timeout=60)
        assert proc.returncode == 0

    def test_progress_on_a_terminal(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, terminal: None
    ) -> None:
        """With stderr on a terminal a progress bar runs; the output is
        intact."""
        data = b"mail anna@example.ch\nnothing\n" * 40_000
        (tmp_path / "big.log").write_bytes(data)
        monkeypatch.setenv("PSEUDO_KEY", ENV["PSEUDO_KEY"])
        argv = ["pseudonymise", str(tmp_path / "big.log")]
        argv += ["-o", str(tmp_path / "clean.log"), *KEY_ARGS]
        cli.main(argv, standalone_mode=False)
        expected, _ = _expected(data)
        assert (tmp_path / "clean.log").read_bytes() == expected
