"""Which files a secret scan reads: git-aware tree walking and history.

Private: the public API is :mod:`dataprotect.scan.secrets`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path


__all__ = [
    "MAX_BYTES",
    "history_blobs",
    "iter_files",
    "read_text",
    "skip_reason",
]

#: Files larger than this are skipped with a note.
MAX_BYTES = 32 * 1024 * 1024

_SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "bower_components",
        "vendor",
        "third_party",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".hypothesis",
        "site-packages-dist",
        ".eggs",
        ".idea",
        ".cache",
    }
)
_LOCK_FILES = frozenset(
    {
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "poetry.lock",
        "Pipfile.lock",
        "uv.lock",
        "pdm.lock",
        "Cargo.lock",
        "go.sum",
        "composer.lock",
        "Gemfile.lock",
        "packages.lock.json",
        "flake.lock",
        "bun.lockb",
        "mix.lock",
        "pubspec.lock",
        "Podfile.lock",
    }
)
_BINARY_EXT = frozenset(
    [
        "png",
        "jpg",
        "jpeg",
        "gif",
        "bmp",
        "ico",
        "webp",
        "tif",
        "tiff",
        "psd",
        "svgz",
        "mp3",
        "mp4",
        "m4a",
        "ogg",
        "wav",
        "flac",
        "avi",
        "mov",
        "mkv",
        "webm",
        "woff",
        "woff2",
        "ttf",
        "otf",
        "eot",
        "zip",
        "gz",
        "tgz",
        "bz2",
        "xz",
        "zst",
        "7z",
        "rar",
        "jar",
        "war",
        "whl",
        "egg",
        "so",
        "dylib",
        "dll",
        "exe",
        "bin",
        "o",
        "a",
        "lib",
        "obj",
        "class",
        "pyc",
        "pyo",
        "pyd",
        "wasm",
        "pdf",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "ppt",
        "pptx",
        "odt",
        "sqlite",
        "db",
        "dat",
        "npy",
        "npz",
        "pkl",
        "pickle",
        "parquet",
        "h5",
        "onnx",
        "pt",
        "iso",
        "dmg",
        "deb",
        "rpm",
        "msi",
    ]
)
_MINIFIED = re.compile(r"\.(?:min\.(?:js|css)|js\.map|css\.map)$")


def skip_reason(path: Path) -> str | None:
    """Why *path* is skipped by name alone, or None to read it."""
    name = path.name
    if name in _LOCK_FILES:
        return "lock file"
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    if ext in _BINARY_EXT:
        return "binary file"
    if _MINIFIED.search(name):
        return "minified or source-map file"
    return None


def read_text(path: Path) -> tuple[str | None, int, str | None]:
    """(text, size, note): text is None when the file is skipped."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return None, 0, "larger than the size limit"
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        return None, 0, f"unreadable ({exc.strerror or type(exc).__name__})"
    if b"\0" in data[:8192]:
        return None, len(data), None  # binary content: skipped silently
    return data.decode("utf-8", "replace"), len(data), None


#: Options that stop a scanned repository's own ``.git/config`` from making
#: git run a program: the fsmonitor hook, hooks, and (for ``git log -p``,
#: see :func:`history_blobs`) textconv and external diff drivers, signature
#: verification and submodule diffs.
_GIT_SAFE_CONFIG = (
    "--no-pager",
    "-c",
    "core.fsmonitor=",
    "-c",
    "core.hooksPath=/dev/null",
)
#: The environment additions: no system config, no prompt, and no transport
#: at all (an empty allow-list), so a partial clone cannot fetch a missing
#: object through an ``ext::`` URL or a ``core.sshCommand``.
_GIT_SAFE_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_ALLOW_PROTOCOL": "",
    "GIT_NO_LAZY_FETCH": "1",
}


def _git_argv(git: str, args: list[str]) -> list[str]:
    """*git* with *args*, hardened against the scanned repository's config."""
    return [git, *_GIT_SAFE_CONFIG, *args]


#: What ``git rev-parse --local-env-vars`` lists: the variables git sets
#: for a hook (or a user sets) to name *a* repository.  A scan called from
#: a hook of another repository must find each scanned path's own.
_GIT_LOCAL_ENV = frozenset(
    {
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_COMMON_DIR",
        "GIT_CONFIG",
        "GIT_CONFIG_COUNT",
        "GIT_CONFIG_PARAMETERS",
        "GIT_DIR",
        "GIT_GRAFT_FILE",
        "GIT_IMPLICIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_INTERNAL_SUPER_PREFIX",
        "GIT_NO_REPLACE_OBJECTS",
        "GIT_OBJECT_DIRECTORY",
        "GIT_PREFIX",
        "GIT_REPLACE_REF_BASE",
        "GIT_SHALLOW_FILE",
        "GIT_WORK_TREE",
    }
)


def _git_env() -> dict[str, str]:
    """The environment without any repository's, plus the safe settings."""
    inherited = {
        k: v
        for k, v in os.environ.items()
        if k not in _GIT_LOCAL_ENV
        and not k.startswith(("GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_"))
    }
    return {**inherited, **_GIT_SAFE_ENV}


def _git(args: list[str], cwd: Path) -> bytes | None:
    git = shutil.which("git")
    if git is None:
        return None
    try:
        proc = subprocess.run(  # noqa: S603 - fixed argv, no shell
            _git_argv(git, args),
            cwd=cwd,
            env=_git_env(),
            capture_output=True,
            check=False,
            timeout=600,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout if proc.returncode == 0 else None


def _git_files(root: Path) -> list[Path] | None:
    out = _git(
        ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], root
    )
    if out is None:
        return None
    return [root / os.fsdecode(p) for p in out.split(b"\0") if p]


def _gitignore_matcher(root: Path) -> Callable[[str], bool]:
    ignore = root / ".gitignore"
    try:
        lines = ignore.read_text(
            encoding="utf-8", errors="replace"
        ).splitlines()
    except OSError:
        return lambda _rel: False
    try:
        import pathspec
    except ImportError:
        # plain names and simple globs only, without pathspec
        import fnmatch

        pats = [
            p.strip().strip("/")
            for p in lines
            if p.strip() and p[0] not in "#!"
        ]
        return lambda rel: any(
            fnmatch.fnmatch(part, pat)
            for pat in pats
            for part in rel.split("/")
        )
    spec = pathspec.GitIgnoreSpec.from_lines(lines)
    return spec.match_file


def _walk_dir(root: Path, notes: list[tuple[str, str]]) -> Iterator[Path]:
    ignored = _gitignore_matcher(root)

    def onerror(exc: OSError) -> None:
        notes.append((str(exc.filename), f"unreadable ({exc.strerror})"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=onerror):
        base = Path(dirpath)
        rel_dir = base.relative_to(root).as_posix()
        prefix = "" if rel_dir == "." else rel_dir + "/"
        dirnames[:] = sorted(
            d
            for d in dirnames
            if d not in _SKIP_DIRS
            and not d.endswith(".egg-info")
            and not ignored(prefix + d + "/")
        )
        for name in sorted(filenames):
            if not ignored(prefix + name):
                yield base / name


def iter_files(
    paths: list[Path], notes: list[tuple[str, str]]
) -> Iterator[Path]:
    """The files to scan under *paths*, honouring .gitignore; skips noted."""
    for path in paths:
        try:
            is_dir = path.is_dir()
            exists = is_dir or path.exists()
        except OSError as exc:
            notes.append((str(path), f"unreadable ({exc.strerror})"))
            continue
        if not exists:
            notes.append((str(path), "does not exist"))
            continue
        if not is_dir:
            yield path
            continue
        # a directory named on the command line is scanned whatever its
        # name, and even when git ignores it: the default excludes and the
        # ignore rules apply to what is found below it
        listed = (
            _git_files(path)
            if ((path / ".git").exists() or _in_git(path))
            and not _git_ignored(path)
            else None
        )
        candidates = (
            iter(listed) if listed is not None else _walk_dir(path, notes)
        )
        for file in candidates:
            if skip_reason(file) is not None or any(
                p in _SKIP_DIRS for p in file.relative_to(path).parts[-8:-1]
            ):
                continue
            try:
                if (
                    file.is_symlink()
                    and not file.resolve(strict=True).is_file()
                ):
                    continue
                if not file.is_file():
                    continue
            except (OSError, RuntimeError) as exc:
                notes.append((str(file), f"unreadable ({type(exc).__name__})"))
                continue
            yield file


def _in_git(path: Path) -> bool:
    out = _git(["rev-parse", "--is-inside-work-tree"], path)
    return out is not None and out.strip() == b"true"


def _git_ignored(path: Path) -> bool:
    """Whether git's ignore rules exclude the directory *path* itself."""
    return _git(["check-ignore", "-q", "."], path) is not None


_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")


def history_blobs(repo: Path) -> Iterator[tuple[str, str, list[int]]]:
    """(label, added text, line numbers) per file change in the git history.

    The label is ``path@commit``; the text holds the added lines only, and
    the list maps each of its lines to the line number in that commit.
    The repository's config runs nothing: no textconv or external diff
    driver, no signature verification program, no diff inside submodules,
    no fetch of objects missing from a partial clone.
    """
    git = shutil.which("git")
    if git is None:
        return
    args = _git_argv(
        git,
        [
            "log",
            "-p",
            "--all",
            "--no-color",
            # the repository's config may name programs for these
            "--no-ext-diff",
            "--no-textconv",
            "--no-show-signature",
            "--submodule=short",
            "-U0",
            "--format=%x00commit %H",
            "--no-renames",
        ],
    )
    try:
        proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            args,
            cwd=repo,
            env=_git_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        return
    assert proc.stdout is not None  # noqa: S101 - stdout=PIPE; narrowing for mypy
    try:
        yield from _changes(proc.stdout)
    finally:
        proc.stdout.close()
        proc.wait()


def _changes(log: Iterable[bytes]) -> Iterator[tuple[str, str, list[int]]]:
    """:func:`history_blobs`' items, parsed from ``git log -p -U0`` output."""
    commit = ""
    path = ""
    added: list[bytes] = []
    numbers: list[int] = []
    lineno = 0

    def flush() -> Iterator[tuple[str, str, list[int]]]:
        if added and path:
            text = b"\n".join(added).decode("utf-8", "replace")
            yield f"{path}@{commit[:12]}", text, list(numbers)

    for raw in log:
        line = raw.rstrip(b"\n")
        if line.startswith(b"\0commit "):
            yield from flush()
            commit, path, added, numbers = line[8:].decode(), "", [], []
        elif line.startswith(b"+++ "):
            yield from flush()
            target = line[4:].decode("utf-8", "replace")
            path = target[2:] if target.startswith("b/") else ""
            added, numbers = [], []
        elif line.startswith(b"@@"):
            m = _HUNK.match(line)
            lineno = int(m.group(1)) if m else 0
        elif line.startswith(b"+") and path:
            if skip_reason(Path(path)) is None:
                added.append(line[1:])
                numbers.append(lineno)
            lineno += 1
    yield from flush()
