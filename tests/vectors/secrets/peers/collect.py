"""Collect the peer fixtures: gitleaks' and detect-secrets' own test data.

Writes ``gitleaks.json`` and ``detect-secrets.json`` next to this file from
local checkouts of the two projects at the commits named in ``SOURCES``,
then runs detect-secrets (installed, default plugins and filters) on every
case and records whether it reports something.  Run from the repository
root::

    python tests/vectors/secrets/peers/collect.py GITLEAKS_DIR DETECT_SECRETS_DIR

The cases are data copied from the two projects' tests, under their
licences (``LICENSE.gitleaks``: MIT; ``LICENSE.detect-secrets``:
Apache-2.0).  No code of either project is copied: gitleaks' Go rule files
are read for their string literals only, and detect-secrets' test modules
are imported from the checkout to read their ``parametrize`` values.

Each case's ``finding`` is the source's own label: true for a gitleaks
rule's ``tps``, false for its ``fps``; true for a detect-secrets case whose
test expects a finding.  ``detect_secrets`` is what detect-secrets reported.
Cases built from random values at test time (gitleaks'
``secrets.NewSecret``, detect-secrets' ``randint``) are left out.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import subprocess
import sys
import tempfile

from pathlib import Path


HERE = Path(__file__).resolve().parent
SOURCES = {
    "gitleaks": {
        "repository": "https://github.com/gitleaks/gitleaks",
        "commit": "b58d3f102cf3a2c84cb7f923d05c25c9b1aed84b",
        "licence": "MIT",
        "copyright": "Copyright (c) 2019 Zachary Rice",
        "licence_file": "LICENSE.gitleaks",
    },
    "detect-secrets": {
        "repository": "https://github.com/Yelp/detect-secrets",
        "commit": "5e141933554a0b74e7341841f318be21e895339c",
        "licence": "Apache-2.0",
        "copyright": "Copyright 2017-2018 Yelp Inc.",
        "licence_file": "LICENSE.detect-secrets",
    },
}

# gitleaks rule functions (cmd/generate/config/rules/*.go) -> our family.
# Rules for formats dataprotect has no family for are left out (curl
# command lines, Bedrock keys, GCP service-account markers, PKCS#12 paths).
GITLEAKS_RULES = {
    "age.go": {"AgeSecretKey": "age"},
    "anthropic.go": {
        "AnthropicApiKey": "anthropic",
        "AnthropicAdminApiKey": "anthropic",
    },
    "aws.go": {"AWS": "aws"},
    "azure.go": {"AzureActiveDirectoryClientSecret": "azure"},
    "databricks.go": {"Databricks": "databricks"},
    "discord.go": {
        "DiscordClientID": "discord",
        "DiscordClientSecret": "discord",
    },
    "gcp.go": {"GCPAPIKey": "google"},
    "generic.go": {"GenericCredential": "generic"},
    "github.go": {
        "GitHubPat": "github",
        "GitHubFineGrainedPat": "github",
        "GitHubOauth": "github",
        "GitHubApp": "github",
        "GitHubRefresh": "github",
    },
    "gitlab.go": {
        "GitlabPat": "gitlab",
        "GitlabPatRoutable": "gitlab",
        "GitlabPipelineTriggerToken": "gitlab",
        "GitlabRunnerRegistrationToken": "gitlab",
        "GitlabRunnerAuthenticationTokenRoutable": "gitlab",
    },
    "hashicorp_vault.go": {
        "VaultServiceToken": "vault",
        "VaultBatchToken": "vault",
    },
    "huggingface.go": {
        "HuggingFaceAccessToken": "huggingface",
        "HuggingFaceOrganizationApiToken": "huggingface",
    },
    "jwt.go": {"JWT": "jwt", "JWTBase64": "jwt"},
    "privatekey.go": {"PrivateKey": "private-key"},
    "slack.go": {
        "SlackBotToken": "slack",
        "SlackUserToken": "slack",
        "SlackAppLevelToken": "slack",
        "SlackConfigurationToken": "slack",
        "SlackConfigurationRefreshToken": "slack",
        "SlackLegacyBotToken": "slack",
        "SlackLegacyWorkspaceToken": "slack",
        "SlackLegacyToken": "slack",
        "SlackWebHookUrl": "slack",
    },
    "stripe.go": {"StripeAccessToken": "stripe"},
}

# Files of gitleaks' test repositories and the findings its detect tests
# expect in them (detect/detect_test.go: TestFromFiles, symlinks).
GITLEAKS_FILES = [
    ("testdata/repos/nogit/main.go", "aws", {20}),
    ("testdata/repos/nogit/.env.prod", "generic", {4}),
    ("testdata/repos/symlinks/source_file/id_ed25519", "private-key", {1}),
]

# detect-secrets plugin test modules (tests/plugins/*_test.py) -> family.
DETECT_SECRETS_PLUGINS = {
    "aws_key": "aws",
    "azure_storage_key": "azure",
    "basic_auth": "url",
    "github_token": "github",
    "gitlab_token": "gitlab",
    "high_entropy_strings": "generic",
    "jwt": "jwt",
    "keyword": "keyword",
    "npm": "npm",
    "openai": "openai",
    "private_key": "private-key",
    "pypi_token": "pypi",
    "sendgrid": "sendgrid",
    "slack": "slack",
    "stripe_key": "stripe",
    "telegram_token": "telegram",
    "twilio": "twilio",
}

# detect-secrets' test_data files: (path, family, {line: secret?}) as its
# tests state them (tests/core/secrets_collection_test.py, baseline_test.py
# and the pragma in the file), or, for each_secret.py, as the file names
# each value (its AWS values are the documented examples its test filters).
DETECT_SECRETS_FILES = [
    (
        "test_data/each_secret.py",
        "generic",
        {1: False, 2: False, 4: True, 5: True, 8: False, 9: False},
    ),
    ("test_data/each_secret.py", "url", {6: True}),
    (
        "test_data/config.ini",
        "generic",
        {2: True, 10: True, 21: True, 26: False, 32: True, 33: False},
    ),
    (
        "test_data/config.yaml",
        "generic",
        {3: True, 5: True, 12: False, 13: True, 16: False, 18: False},
    ),
    ("test_data/config2.yaml", "generic", {2: True}),
    ("test_data/config.env", "generic", {1: True}),
    ("test_data/config.md", "generic", {10: True}),
    ("test_data/files/file_with_secrets.py", "generic", {3: True, 4: False}),
    ("test_data/files/private_key", "private-key", {1: True}),
]


# ------------------------------------------------------------ gitleaks


def _go_tokens(src: str) -> list[tuple[str, str, int]]:
    """(kind, value, line) for a Go source: S strings, I names, P punctuation."""
    escapes = {
        "n": "\n",
        "t": "\t",
        "r": "\r",
        "\\": "\\",
        '"': '"',
        "'": "'",
    }
    out: list[tuple[str, str, int]] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        line = src.count("\n", 0, i) + 1
        if src.startswith("//", i):
            end = src.find("\n", i)
            i = n if end < 0 else end
        elif src.startswith("/*", i):
            i = src.index("*/", i) + 2
        elif c == "`":
            end = src.index("`", i + 1)
            out.append(("S", src[i + 1 : end], line))
            i = end + 1
        elif c == '"':
            j, buf = i + 1, []
            while src[j] != '"':
                if src[j] == "\\":
                    e = src[j + 1]
                    if e == "x":
                        buf.append(chr(int(src[j + 2 : j + 4], 16)))
                        j += 4
                    elif e == "u":
                        buf.append(chr(int(src[j + 2 : j + 6], 16)))
                        j += 6
                    else:
                        buf.append(escapes[e])
                        j += 2
                else:
                    buf.append(src[j])
                    j += 1
            out.append(("S", "".join(buf), line))
            i = j + 1
        elif c.isspace():
            i += 1
        elif c.isalnum() or c == "_":
            j = i
            while j < n and (src[j].isalnum() or src[j] in "_."):
                j += 1
            out.append(("I", src[i:j], line))
            i = j
        else:
            width = 3 if src.startswith("...", i) else 1
            width = 2 if src.startswith(":=", i) else width
            out.append(("P", src[i : i + width], line))
            i += width
    return out


def _split(
    tokens: list[tuple[str, str, int]],
) -> list[list[tuple[str, str, int]]]:
    """The top-level comma-separated items of a token list."""
    depth, cur, items = 0, [], []
    for tok in tokens:
        if tok[0] == "P" and tok[1] in "([{":
            depth += 1
        elif tok[0] == "P" and tok[1] in ")]}":
            depth -= 1
        if depth == 0 and tok[:2] == ("P", ","):
            items.append(cur)
            cur = []
        else:
            cur.append(tok)
    if cur:
        items.append(cur)
    return items


def _closing(tokens: list[tuple[str, str, int]], i: int) -> int:
    """The index after the group opened at ``tokens[i]``."""
    depth = 0
    for j in range(i, len(tokens)):
        if tokens[j][0] == "P" and tokens[j][1] in "([{":
            depth += 1
        elif tokens[j][0] == "P" and tokens[j][1] in ")]}":
            depth -= 1
            if depth == 0:
                return j + 1
    raise ValueError


def _literal(item: list[tuple[str, str, int]]) -> str | None:
    """The string an item of a tps/fps list evaluates to, if literal."""
    if item and item[-1][:2] == ("P", "..."):
        item = item[:-1]
    if item and item[0][1] in {
        "utils.GenerateSampleSecrets",
        "utils.GenerateSampleSecret",
    }:
        args = _split(item[2:-1])
        if len(args) == 2 and all(
            len(a) == 1 and a[0][0] == "S" for a in args
        ):
            # GenerateSampleSecret's own layout
            return f'{args[0][0][1]}_api_token = "{args[1][0][1]}"'
        return None
    parts = []
    for k, tok in enumerate(item):
        if k % 2 == 0 and tok[0] == "S":
            parts.append(tok[1])
        elif k % 2 == 0 or tok[:2] != ("P", "+"):
            return None
    return "".join(parts) if parts else None


def _rule_examples(src: str) -> list[tuple[str, str, int, str]]:
    """(function, "tps" or "fps", line, text) for each literal example."""
    tokens = _go_tokens(src)
    out = []
    func = ""
    i = 0
    while i < len(tokens):
        kind, value, _line = tokens[i]
        if value == "func" and tokens[i + 1][0] == "I":
            func = tokens[i + 1][1]
        if (
            kind == "I"
            and value in {"tps", "fps"}
            and tokens[i + 1][1] in {":=", "="}
        ):
            j = i + 2
            if tokens[j][1] == "[":
                k = _closing(tokens, j)
                if tokens[k][1] != "string":  # a map of paths
                    i = k
                    continue
                end = _closing(tokens, k + 1)
                items = _split(tokens[k + 2 : end - 1])
            else:
                end = _closing(tokens, j + 1)
                args = _split(tokens[j + 2 : end - 1])
                items = (
                    args[1:] if tokens[j][1] == "append" else [tokens[j:end]]
                )
            for item in items:
                text = _literal(item)
                if text is not None:
                    line = next(t[2] for t in item if t[0] == "S")
                    out.append((func, value, line, text))
            i = end
            continue
        i += 1
    return out


def _git_show(repo: Path, path: str) -> str:
    return subprocess.run(
        ["git", "show", f"{SOURCES['gitleaks']['commit']}:{path}"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def gitleaks_cases(repo: Path) -> list[dict[str, object]]:
    """The cases from gitleaks' rule examples and test repositories."""
    cases: list[dict[str, object]] = []
    for name, funcs in GITLEAKS_RULES.items():
        path = f"cmd/generate/config/rules/{name}"
        for func, which, line, text in _rule_examples(_git_show(repo, path)):
            if func in funcs:
                cases.append(
                    {
                        "family": funcs[func],
                        "path": path,
                        "line": line,
                        "origin": f"{func} {which}",
                        "finding": which == "tps",
                        "text": text,
                    }
                )
    for path, family, lines in GITLEAKS_FILES:
        text = _git_show(repo, path)
        cases.extend(
            {
                "family": family,
                "path": path,
                "line": n,
                "origin": "detect/detect_test.go",
                "finding": n in lines,
                "file": Path(path).name,
                "text": text if n == 1 and len(lines) == 1 else line,
            }
            for n, line in enumerate(text.splitlines(), 1)
            if n in lines
        )
    return cases


# ------------------------------------------------------- detect-secrets


def _parametrize(obj: object) -> list[tuple[list[str], list[object]]]:
    marks = getattr(obj, "pytestmark", [])
    out = []
    for mark in marks:
        if mark.name == "parametrize":
            names = mark.args[0]
            if isinstance(names, str):
                names = [n.strip() for n in names.split(",")]
            out.append((list(names), list(mark.args[1])))
    return out


def _plugin_cases(module: str, family: str) -> list[dict[str, object]]:
    mod = importlib.import_module(f"tests.plugins.{module}_test")
    path = f"tests/plugins/{module}_test.py"
    cases: list[dict[str, object]] = []
    seen: dict[str, dict[str, object]] = {}

    def add(test: str, text: str, secret: bool, file: str) -> None:
        if text in seen:
            # keyword: one line under several file types; a secret if any
            # file type expects one (the value is the same)
            if secret and not seen[text]["finding"]:
                seen[text].update(finding=True, file=file)
            return
        case = {
            "family": family,
            "path": path,
            "origin": test,
            "finding": secret,
            "file": file,
            "text": text,
        }
        seen[text] = case
        cases.append(case)

    for name, obj in sorted(vars(mod).items()):
        funcs = [(name, obj)]
        class_marks: list[tuple[list[str], list[object]]] = []
        if isinstance(obj, type) and obj.__module__ == mod.__name__:
            class_marks = _parametrize(obj)
            funcs = [
                (f"{name}.{k}", getattr(v, "__func__", v))
                for k, v in sorted(vars(obj).items())
                if k.startswith("test")
            ]
        for test, func in funcs:
            for names, values in _parametrize(func):
                for value in values:
                    row = dict(
                        zip(
                            names,
                            value if isinstance(value, tuple) else (value,),
                            strict=True,
                        )
                    )
                    if "should_flag" in row:
                        text = row.get("payload", row.get("line"))
                        add(
                            test,
                            str(text),
                            bool(row["should_flag"]),
                            "mock_filename",
                        )
                    elif set(names) == {"line"} or set(names) == {
                        "file_content"
                    }:
                        add(test, str(row[names[0]]), True, "mock_filename")
                    elif "expected_secret" in row:
                        if "data:image/png" in str(row["line"]):
                            continue  # built from randint
                        add(
                            test,
                            str(row["line"]),
                            row["expected_secret"] is not None,
                            f"mock_filename.{row['file_extension']}",
                        )
                    elif "should_be_caught" in row:
                        for _plugin, non_secret, secret in class_marks[0][1]:
                            add(
                                test,
                                str(row["format"]).format(
                                    non_secret=non_secret, secret=secret
                                ),
                                bool(row["should_be_caught"]),
                                "mock_filename",
                            )
    return cases


def detect_secrets_cases(repo: Path) -> list[dict[str, object]]:
    """The cases from detect-secrets' plugin tests and test_data files."""
    sys.path.insert(0, str(repo))
    cases: list[dict[str, object]] = []
    with contextlib.chdir(repo):
        for module, family in DETECT_SECRETS_PLUGINS.items():
            cases.extend(_plugin_cases(module, family))
    for path, family, lines in DETECT_SECRETS_FILES:
        text = (repo / path).read_text(encoding="utf-8")
        all_lines = text.splitlines()
        for n, secret in sorted(lines.items()):
            if path.endswith("private_key"):
                snippet = text
            elif path.endswith((".yaml", ".ini")):
                snippet = _with_context(all_lines, n)
            else:
                snippet = all_lines[n - 1]
            cases.append(
                {
                    "family": family,
                    "path": path,
                    "line": n,
                    "origin": "test_data",
                    "finding": secret,
                    "file": Path(path).name,
                    "text": snippet,
                }
            )
    return cases


def _with_context(lines: list[str], n: int) -> str:
    """Line *n* with its INI section header or its YAML parent keys."""
    out = [lines[n - 1]]
    indent = _indent(lines[n - 1])
    for prev in reversed(lines[: n - 1]):
        stripped = prev.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        if stripped.startswith("["):
            out.insert(0, stripped)
            break
        if _indent(prev) < indent:
            out.insert(0, prev)
            indent = _indent(prev)
    return "\n".join(out)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


# ---------------------------------------------------------- measurement


def run_detect_secrets(cases: list[dict[str, object]]) -> None:
    """Set each case's ``detect_secrets``: does detect-secrets report it."""
    from detect_secrets.core.secrets_collection import SecretsCollection
    from detect_secrets.settings import default_settings

    with tempfile.TemporaryDirectory() as tmp, contextlib.chdir(tmp):
        for i, case in enumerate(cases):
            folder = Path(f"c{i:04d}")
            folder.mkdir()
            target = folder / str(case.get("file", "mock_filename"))
            target.write_text(str(case["text"]), encoding="utf-8")
            with default_settings():
                found = SecretsCollection()
                found.scan_file(str(target))
            case["detect_secrets"] = bool(list(found))


def main() -> None:
    from importlib.metadata import version

    gitleaks_repo, ds_repo = (Path(a).resolve() for a in sys.argv[1:3])
    for project, cases in (
        ("gitleaks", gitleaks_cases(gitleaks_repo)),
        ("detect-secrets", detect_secrets_cases(ds_repo)),
    ):
        run_detect_secrets(cases)
        for n, case in enumerate(cases, 1):
            case["id"] = f"{project}-{n:03d}"
        doc = {
            "source": SOURCES[project],
            "detect_secrets": f"detect-secrets {version('detect-secrets')}, "
            "default plugins and filters, each case a file of its own",
            "cases": [
                {k: case[k] for k in sorted(case, key=_order)}
                for case in cases
            ],
        }
        (HERE / f"{project}.json").write_text(
            json.dumps(doc, indent=1, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )


def _order(key: str) -> tuple[int, str]:
    first = [
        "id",
        "family",
        "finding",
        "detect_secrets",
        "path",
        "line",
        "origin",
        "file",
        "text",
    ]
    return (first.index(key) if key in first else len(first), key)


if __name__ == "__main__":
    main()
