"""Packaging: exported names, and a core that needs no optional extras."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

import dataprotect


def _isort(name: str) -> tuple[int, str]:
    """ruff's RUF022 order: CONSTANTS, then Classes, then functions."""
    if name.isupper():
        return 0, name
    return (1 if name[0].isupper() else 2), name


class TestExports:
    def test_all_is_sorted_and_complete(self):
        """__all__ is sorted and equals the public names the package holds."""
        assert dataprotect.__all__ == sorted(dataprotect.__all__, key=_isort)
        public = {
            name
            for name, value in vars(dataprotect).items()
            if not name.startswith("_")
            and name != "annotations"
            and not inspect.ismodule(value)
        }
        exported = set(dataprotect.__all__)
        assert public <= exported
        assert all(hasattr(dataprotect, name) for name in exported)

    def test_version_attribute(self):
        """__version__ is the package metadata's version, read on demand
        (not a module global); other missing names still raise."""
        from importlib.metadata import version

        assert "__version__" not in vars(dataprotect)
        assert dataprotect.__version__ == version("dataprotect")
        with pytest.raises(AttributeError, match="no_such_name"):
            dataprotect.no_such_name  # noqa: B018 - the access is the test

    def test_cli_version(self, capsys):
        """`dataprotect --version` prints the package metadata's version."""
        from importlib.metadata import version

        from dataprotect.cli import main

        with pytest.raises(SystemExit) as exit_:
            main(["--version"])
        assert exit_.value.code == 0
        assert capsys.readouterr().out == (
            f"dataprotect, version {version('dataprotect')}\n"
        )


def _python(code: str, env: dict[str, str] | None = None) -> str:
    """The standard output of ``python -c code`` (which must succeed)."""
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout


def _optional_modules() -> set[str]:
    """Top-level modules of every distribution an extra adds."""
    import re

    from importlib import metadata

    extras = set()
    for requirement in metadata.requires("dataprotect") or []:
        if "extra ==" in requirement:
            name = re.match(r"[A-Za-z0-9._-]+", requirement)
            assert name is not None
            extras.add(re.sub(r"[-_.]+", "-", name.group()).lower())
    extras -= {"dataprotect", "cryptography", "argon2-cffi"}
    # From each distribution's RECORD: Python 3.10's packages_distributions()
    # reads only top_level.txt, which flit- and hatch-built wheels omit.
    modules = set()
    for dist in metadata.distributions():
        name = re.sub(r"[-_.]+", "-", dist.metadata["Name"] or "").lower()
        if name not in extras:
            continue
        for file in dist.files or []:
            top = file.parts[0]
            if top.endswith(".py"):
                modules.add(top.removesuffix(".py"))
            elif len(file.parts) > 1 and top.isidentifier():
                modules.add(top)
    return modules


class TestOptionalDependencies:
    def test_core_imports_no_optional_dependency(self):
        """Importing dataprotect loads no module of any extra."""
        optional = _optional_modules()
        # The list is read from the installed metadata: prove it is real.
        assert {"click", "limits", "zxcvbn", "pyhanko", "fsspec"} <= optional
        code = (
            "import sys, dataprotect, dataprotect.keys, dataprotect.encryption;"
            "print('\\n'.join(sorted(sys.modules)))"
        )
        out = _python(code)
        loaded = {name.partition(".")[0] for name in out.split()}
        assert sorted(optional & loaded) == []


class TestLazyImports:
    def test_import_loads_only_the_errors(self):
        """``import dataprotect`` loads no heavy module (a fresh process).

        The scanner, the pseudonymiser, tls, passwords, keys and encryption
        are imported on first access to one of their names.
        """
        code = (
            "import sys, dataprotect; print('\\n'.join(sorted(sys.modules)))"
        )
        out = _python(code)
        loaded = set(out.split())
        ours = {name for name in loaded if name.startswith("dataprotect")}
        assert ours == {"dataprotect", "dataprotect.errors"}
        heavy = {"argon2", "cryptography", "ssl"}
        assert heavy & loaded == set()

    def test_backup_encryption_loads_no_store(self):
        """``from dataprotect.backup import encrypt`` (a fresh process)
        loads the container, not the store, rehearsals or database
        sources; every exported name is listed and resolves."""
        code = (
            "import sys; from dataprotect.backup import encrypt, "
            "parse_recipient; print(' '.join(sorted(sys.modules)))"
        )
        loaded = set(_python(code).split())
        assert "dataprotect.backup._format" in loaded
        for module in ("_store", "_rehearsal", "_retention", "_sources"):
            assert f"dataprotect.backup.{module}" not in loaded
        from dataprotect import backup

        assert set(backup.__all__) <= set(dir(backup))
        for name in backup.__all__:
            assert getattr(backup, name) is not None
        with pytest.raises(AttributeError, match="no attribute 'nope'"):
            _ = backup.nope  # type: ignore[attr-defined]  # the missing name under test

    @pytest.mark.parametrize("command", ["encrypt", "decrypt"])
    def test_encrypt_command_loads_only_what_it_needs(self, tmp_path, command):
        """``dataprotect encrypt|decrypt`` (a fresh process) imports only the
        modules it runs.

        Exactly these dataprotect modules: not click or the command group
        (a plain call runs without them), not the other commands, the
        scanner, the pseudonymiser, tls, passwords or the FIPS probe, nor
        ``dataclasses`` and ``inspect`` (:class:`~dataprotect.keys.KeyInfo`
        is loaded on first use).  Nor the stdlib modules only other paths need:
        ``hashlib``/``hmac`` (OpenSSL's libcrypto), ``secrets``, ``signal``,
        ``pathlib``... (start-up time, docs/benchmarks.md); nor argon2,
        rich (the progress bar is for terminals only) or
        ``importlib.metadata`` (``--version`` only).
        """
        import os

        from dataprotect.encryption import Encryptor
        from dataprotect.keys import EnvKEK, Keyring

        env = {**os.environ, "BENCH_KEK": EnvKEK.generate_value()}
        ring = tmp_path / "ring"
        keyring = Keyring.generate()
        keyring.save(ring, kek=EnvKEK("BENCH_KEK", environ=env))
        plain = tmp_path / "plain"
        plain.write_bytes(b"x" * 1024)
        if command == "decrypt":
            sealed = tmp_path / "plain.dpenc"
            with plain.open("rb") as src, sealed.open("wb") as dst:
                Encryptor(keyring).encrypt_stream(src, dst)
            plain = sealed
        out = tmp_path / "out"
        argv = [str(plain), "--keyring", str(ring), "--kek", "env:BENCH_KEK"]
        code = (
            "import sys\n"
            "from dataprotect.cli import main\n"
            "try:\n"
            f"    main([{command!r}, *{argv!r}, '-o', {str(out)!r}])\n"
            "except SystemExit as exc:\n"
            "    assert not exc.code\n"
            "print('\\n'.join(sorted(sys.modules)))\n"
        )
        loaded = set(_python(code, env).split())
        assert out.stat().st_size > 0
        ours = {name for name in loaded if name.startswith("dataprotect")}
        assert ours == {
            "dataprotect",
            "dataprotect._atomic",
            "dataprotect._encoding",
            "dataprotect._kdf",
            "dataprotect._lazy",
            "dataprotect._pkcs11",
            "dataprotect._secret",
            "dataprotect._stream",
            "dataprotect._xaes",
            "dataprotect.cli",
            "dataprotect.cli._direct",
            "dataprotect.cli._errors",
            "dataprotect.cli._files",
            "dataprotect.cli._secrets",
            "dataprotect.encryption",
            "dataprotect.errors",
            "dataprotect.keys",
        }
        unneeded = {
            "click",
            "dataclasses",
            "inspect",
            "argon2",
            "rich",
            "importlib.metadata",
            "email",
            "zipfile",
            "cryptography.hazmat.primitives.kdf.pbkdf2",
            "hashlib",
            "hmac",
            "secrets",
            "random",
            "signal",
            "select",
            "string",
            "zlib",
            "pathlib",
            "tempfile",
            "shutil",
            "urllib.parse",
        }
        assert unneeded & loaded == set()

    def test_help_loads_no_command(self):
        """``dataprotect --help`` (a fresh process) imports no subcommand:
        it lists them from their summaries."""
        from dataprotect.cli._app import COMMANDS

        code = (
            "import sys\n"
            "from dataprotect.cli import main\n"
            "try:\n"
            "    main(['--help'])\n"
            "except SystemExit as exc:\n"
            "    assert not exc.code\n"
            "print(' '.join(sorted(sys.modules)))\n"
        )
        out = _python(code)
        assert out.startswith("Usage: dataprotect")
        loaded = set(out.splitlines()[-1].split())  # after the help
        modules = {target.partition(":")[0] for target, _ in COMMANDS.values()}
        assert "dataprotect.cli._app" in loaded
        assert modules & loaded == set()

    def test_every_name_resolves_in_a_fresh_process(self):
        """Each name of ``__all__`` is its defining module's object."""
        code = (
            "import sys, dataprotect\n"
            "for name in dataprotect.__all__:\n"
            "    value = getattr(dataprotect, name)\n"
            "    home = sys.modules[getattr(value, '__module__', None)"
            " or value.__name__]\n"
            "    assert value is home or getattr(home, name) is value, name\n"
            "from dataprotect import *\n"
            "print(len(dataprotect.__all__))\n"
        )
        out = _python(code)
        assert int(out) == len(dataprotect.__all__)

    def test_first_access_imports_and_keeps_the_name(self, monkeypatch):
        """A name not bound yet is imported on access, then held."""
        from dataprotect import encryption

        monkeypatch.delitem(vars(dataprotect), "Encryptor", raising=False)
        assert dataprotect.Encryptor is encryption.Encryptor
        assert vars(dataprotect)["Encryptor"] is encryption.Encryptor

    def test_submodules_bound_before_stay_reachable(self, monkeypatch):
        """``dataprotect.tls`` and friends still work after a bare import."""
        for name in ("tls", "scan", "pseudonymise"):
            monkeypatch.delitem(vars(dataprotect), name, raising=False)
            module = getattr(dataprotect, name)
            assert module is sys.modules[f"dataprotect.{name}"]

    def test_unknown_name_raises_attribute_error(self):
        """A name that is not exported raises AttributeError, as before."""
        import pytest

        with pytest.raises(AttributeError, match="has no attribute 'nope'"):
            _ = dataprotect.nope

    def test_dir_lists_names_not_imported_yet(self):
        """``dir(dataprotect)`` shows every exported name."""
        assert set(dataprotect.__all__) <= set(dir(dataprotect))


class TestPublicSurface:
    def test_surface_is_the_committed_one(self):
        """Every public module exports exactly the committed names.

        Regenerate ``tests/public_surface.txt`` with ``python
        tests/surface.py`` only for a deliberate public API change.
        """
        from pathlib import Path

        from surface import surface

        committed = (
            (Path(__file__).parent / "public_surface.txt")
            .read_text(encoding="utf-8")
            .splitlines()
        )
        assert surface() == committed


class TestSuppressions:
    def test_every_suppression_gives_its_reason(self):
        """Each ``noqa`` and ``type: ignore`` in the package says why."""
        import re

        from pathlib import Path

        root = Path(dataprotect.__file__).parent
        suppression = re.compile(r"#\s*(?:ruff:\s*)?noqa\b|#\s*type:\s*ignore")
        explained = re.compile(
            r"noqa: [A-Z0-9, ]+ - \S|type: ignore\[[a-z, -]+\]  # \S"
        )
        bare = [
            f"{path.relative_to(root)}:{number}"
            for path in sorted(root.rglob("*.py"))
            for number, line in enumerate(
                path.read_text(encoding="utf-8").splitlines(), 1
            )
            if suppression.search(line) and not explained.search(line)
        ]
        assert bare == []


class TestWheel:
    def test_wheel_ships_the_browser_files(self, tmp_path):
        """The built wheel holds the password-feedback script and style
        sheet (package data), byte for byte, and the Django template tags;
        installed from it, ``asset()`` reads them."""
        import zipfile

        from pathlib import Path

        root = Path(__file__).resolve().parent.parent
        build = [sys.executable, "-m", "hatchling", "build", "-t", "wheel"]
        subprocess.run(
            [*build, "-d", str(tmp_path)],
            cwd=root,
            check=True,
            capture_output=True,
        )
        (wheel,) = tmp_path.glob("dataprotect-*.whl")
        static = root / "src/dataprotect/integrations/static/dataprotect"
        with zipfile.ZipFile(wheel) as archive:
            names = set(archive.namelist())
            for name in ("password-feedback.js", "password-feedback.css"):
                member = f"dataprotect/integrations/static/dataprotect/{name}"
                assert archive.read(member) == (static / name).read_bytes()
            archive.extractall(tmp_path / "site")
        assert (
            "dataprotect/integrations/templatetags/dataprotect_feedback.py"
            in names
        )
        assert "dataprotect/integrations/apps.py" in names
        code = (
            "import dataprotect.integrations.password_feedback as p;"
            "print(p.__file__);"
            "print(len(p.asset('password-feedback.js')))"
        )
        out = _python(code, env={"PYTHONPATH": str(tmp_path / "site")})
        out = out.split()
        assert out[0].startswith(str(tmp_path / "site"))
        assert int(out[1]) == (static / "password-feedback.js").stat().st_size
