"""Generate the labelled secret-scanning corpus (``corpus.jsonl``).

Every credential here is FAKE: random characters from a seeded generator,
shaped like the real format (and with a valid checksum where the format has
one).  None was ever issued by a provider.  Run from the repository root::

    python tests/vectors/secrets/generate.py

Each record: ``{"id", "rule", "category", "text", "line"}``: ``rule`` is the
rule id expected on 1-based ``line`` of ``text``, or null for a look-alike
that must produce no finding.
"""

from __future__ import annotations

import base64
import json
import random
import string
import zlib

from pathlib import Path


OUT = Path(__file__).with_name("corpus.jsonl")
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
rng = random.Random(20261129)


def rand(alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def alnum(n: int) -> str:
    return rand(BASE62, n)


def hexs(n: int) -> str:
    return rand("0123456789abcdef", n)


def b64(n: int) -> str:
    return rand(BASE62 + "+/", n)


def urlsafe(n: int) -> str:
    return rand(BASE62 + "-_", n)


def crc62(data: str) -> str:
    n = zlib.crc32(data.encode())
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = BASE62[r] + out
    return out.rjust(6, "0")


def crc_token(prefix: str, *, valid: bool = True) -> str:
    body = alnum(30)
    check = crc62(body)
    if not valid:
        check = check[:-1] + ("A" if check[-1] != "A" else "B")
    return f"{prefix}_{body}{check}"


def bech32_age(*, valid: bool = True) -> str:
    data = [rng.randrange(32) for _ in range(52)]
    hrp = "age-secret-key-"
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)

    def polymod(values: list[int]) -> int:
        chk = 1
        for v in values:
            top = chk >> 25
            chk = (chk & 0x1FFFFFF) << 5 ^ v
            for i in range(5):
                chk ^= gen[i] if (top >> i) & 1 else 0
        return chk

    exp = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    mod = polymod([*exp, *data, 0, 0, 0, 0, 0, 0]) ^ 1
    check = [(mod >> 5 * (5 - i)) & 31 for i in range(6)]
    if not valid:
        check[-1] ^= 1
    return (
        "AGE-SECRET-KEY-1" + "".join(BECH32[d] for d in data + check).upper()
    )


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt() -> str:
    head = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64url(
        json.dumps(
            {
                "sub": f"user-{rng.randrange(10**6)}",
                "iat": 1_700_000_000 + rng.randrange(10**7),
            }
        ).encode()
    )
    return f"{head}.{body}.{urlsafe(43)}"


def pem(kind: str = "RSA ") -> str:
    lines = [f"-----BEGIN {kind}PRIVATE KEY-----"]
    lines += [b64(64) for _ in range(6)]
    lines.append(b64(20) + "==")
    lines.append(f"-----END {kind}PRIVATE KEY-----")
    return "\n".join(lines)


def openssh_key() -> str:
    lines = [
        "-----BEGIN OPENSSH PRIVATE KEY-----",
        "b3BlbnNzaC1rZXktdjEAAAAA" + b64(46),
    ]
    lines += [b64(70) for _ in range(4)]
    lines.append("-----END OPENSSH PRIVATE KEY-----")
    return "\n".join(lines)


def putty_key() -> str:
    return "\n".join(
        [
            "PuTTY-User-Key-File-3: ssh-ed25519",
            "Encryption: none",
            "Comment: deploy@build",
            "Public-Lines: 2",
            "AAAAC3NzaC1lZDI1NTE5AAAAI" + b64(39),
            b64(20),
            "Private-Lines: 1",
            "AAAAI" + b64(43),
            "Private-MAC: " + hexs(64),
        ]
    )


def aws_id() -> str:
    return rng.choice(["AKIA", "ASIA"]) + rand(
        string.ascii_uppercase + "234567", 16
    )


def password() -> str:
    return alnum(6) + rng.choice("!#%&*+-.?@^") + alnum(7)


# ------------------------------------------------------------ positives
# (rule, generator of the secret, templates with {s})
WRAP_PY = ['{name} = "{s}"', "{name}='{s}'", '    {name}: str = "{s}"']
WRAP_ENV = [
    "{NAME}={s}",
    'export {NAME}="{s}"',
    "{NAME}: {s}",
    '"{name}": "{s}",',
]
WRAP_ANY = (
    WRAP_PY
    + WRAP_ENV
    + [
        'client = Client("{s}")',
        "curl -H 'X-Key: {s}' https://api.example.test",
    ]
)

POSITIVE: list[tuple[str, object, list[str], list[str]]] = [
    (
        "aws-access-key-id",
        aws_id,
        WRAP_ANY,
        ["aws_access_key_id", "access_key"],
    ),
    (
        "aws-secret-access-key",
        lambda: b64(40),
        WRAP_PY + WRAP_ENV,
        ["aws_secret_access_key", "aws_secret_key"],
    ),
    (
        "github-token",
        lambda: crc_token(rng.choice(["ghp", "gho", "ghu", "ghs", "ghr"])),
        WRAP_ANY,
        ["github_token", "gh_pat"],
    ),
    (
        "github-fine-grained-token",
        lambda: (
            f"github_pat_11{rand(string.ascii_uppercase + string.digits, 20)}_{alnum(59)}"
        ),
        WRAP_ANY,
        ["github_token"],
    ),
    (
        "gitlab-token",
        lambda: rng.choice(["glpat-", "gldt-", "glrt-"]) + urlsafe(20),
        WRAP_ANY,
        ["gitlab_token"],
    ),
    (
        "slack-token",
        lambda: (
            f"xox{rng.choice('bp')}-{rng.randrange(10**10, 10**12)}-{rng.randrange(10**10, 10**12)}-{alnum(24)}"
        ),
        WRAP_ANY,
        ["slack_token"],
    ),
    (
        "slack-app-token",
        lambda: (
            f"xapp-1-A{rand(string.ascii_uppercase + string.digits, 10)}-{rng.randrange(10**12, 10**13)}-{hexs(64)}"
        ),
        WRAP_ANY,
        ["slack_app_token"],
    ),
    (
        "slack-webhook",
        lambda: (
            f"https://hooks.slack.com/services/T{rand(string.ascii_uppercase + string.digits, 8)}/B{rand(string.ascii_uppercase + string.digits, 10)}/{alnum(24)}"
        ),
        WRAP_ANY,
        ["slack_webhook_url"],
    ),
    (
        "stripe-secret-key",
        lambda: (
            f"{rng.choice(['sk', 'rk'])}_{rng.choice(['live', 'test'])}_{alnum(24 + rng.randrange(75))}"
        ),
        WRAP_ANY,
        ["stripe_key"],
    ),
    (
        "stripe-webhook-secret",
        lambda: f"whsec_{alnum(32)}",
        WRAP_ANY,
        ["stripe_webhook_secret"],
    ),
    (
        "google-api-key",
        lambda: "AIza" + urlsafe(35),
        WRAP_ANY,
        ["google_api_key", "maps_key"],
    ),
    (
        "google-oauth-client-secret",
        lambda: "GOCSPX-" + urlsafe(28),
        WRAP_ANY,
        ["client_secret"],
    ),
    (
        "npm-token",
        lambda: crc_token("npm"),
        [*WRAP_ANY, "//registry.npmjs.org/:_authToken={s}"],
        ["npm_token"],
    ),
    (
        "pypi-token",
        lambda: "pypi-AgEIcHlwaS5vcmc" + urlsafe(120),
        [*WRAP_ANY, "password = {s}"],
        ["pypi_token"],
    ),
    (
        "sendgrid-api-key",
        lambda: f"SG.{urlsafe(22)}.{urlsafe(43)}",
        WRAP_ANY,
        ["sendgrid_api_key"],
    ),
    ("twilio-api-key", lambda: "SK" + hexs(32), WRAP_ANY, ["twilio_api_key"]),
    (
        "twilio-auth-token",
        lambda: hexs(32),
        [
            'TWILIO_AUTH_TOKEN="{s}"',
            "twilio_auth_token = '{s}'",
            "TWILIO_AUTH_TOKEN={s}",
        ],
        ["x"],
    ),
    (
        "azure-storage-key",
        lambda: (
            f"DefaultEndpointsProtocol=https;AccountName=acct{rng.randrange(1000)};AccountKey={b64(86)}==;EndpointSuffix=core.windows.net"
        ),
        WRAP_ANY,
        ["azure_connection_string"],
    ),
    (
        "azure-ad-client-secret",
        lambda: (
            f"{alnum(3)}{rng.randrange(10)}Q~{urlsafe(34).replace('-', '.')}"
        ),
        WRAP_ANY,
        ["azure_client_secret"],
    ),
    (
        "openai-api-key",
        lambda: rng.choice(
            [
                f"sk-proj-{urlsafe(100)}",
                f"sk-{alnum(20)}T3BlbkFJ{alnum(20)}",
                f"sk-svcacct-{urlsafe(80)}",
            ]
        ),
        WRAP_ANY,
        ["openai_api_key"],
    ),
    (
        "anthropic-api-key",
        lambda: f"sk-ant-api03-{urlsafe(93)}AA",
        WRAP_ANY,
        ["anthropic_api_key"],
    ),
    (
        "huggingface-token",
        lambda: "hf_" + rand(string.ascii_letters, 34),
        WRAP_ANY,
        ["hf_token"],
    ),
    (
        "private-key",
        lambda: pem(rng.choice(["RSA ", "EC ", ""])),
        ["{s}"],
        ["x"],
    ),
    ("openssh-private-key", openssh_key, ["{s}"], ["x"]),
    ("putty-private-key", putty_key, ["{s}"], ["x"]),
    (
        "age-secret-key",
        bech32_age,
        [*WRAP_ANY, "# created: 2026-01-01T00:00:00Z\n{s}"],
        ["age_key"],
    ),
    (
        "jwt",
        jwt,
        [*WRAP_ANY, "Authorization: Bearer {s}"],
        ["session_jwt", "id_token"],
    ),
    (
        "database-url",
        lambda: (
            f"{rng.choice(['postgresql', 'postgres', 'mysql', 'mongodb+srv', 'redis', 'mssql'])}://app_{rng.randrange(99)}:{password()}@db{rng.randrange(9)}.internal:5432/prod"
        ),
        WRAP_ANY,
        ["database_url", "db_dsn"],
    ),
    (
        "broker-url",
        lambda: (
            f"{rng.choice(['amqp', 'amqps', 'mqtts', 'nats'])}://svc:{password()}@mq.internal:5672//"
        ),
        WRAP_ANY,
        ["broker_url", "celery_broker"],
    ),
    (
        "shopify-token",
        lambda: f"shp{rng.choice(['at', 'ss', 'ca', 'pa'])}_{hexs(32)}",
        WRAP_ANY,
        ["shopify_token"],
    ),
    (
        "mailgun-api-key",
        lambda: "key-" + hexs(32),
        WRAP_ANY,
        ["mailgun_api_key"],
    ),
    (
        "digitalocean-token",
        lambda: f"dop_v1_{hexs(64)}",
        WRAP_ANY,
        ["do_token"],
    ),
    ("vault-token", lambda: "hvs." + urlsafe(92), WRAP_ANY, ["vault_token"]),
    (
        "doppler-token",
        lambda: "dp.pt." + alnum(43),
        WRAP_ANY,
        ["doppler_token"],
    ),
    (
        "telegram-bot-token",
        lambda: f"{rng.randrange(10**8, 10**10)}:AA{urlsafe(33)}",
        WRAP_ANY,
        ["telegram_bot_token"],
    ),
    (
        "discord-webhook",
        lambda: (
            f"https://discord.com/api/webhooks/{rng.randrange(10**17, 10**19)}/{urlsafe(68)}"
        ),
        WRAP_ANY,
        ["discord_webhook"],
    ),
    (
        "databricks-token",
        lambda: "dapi" + hexs(32),
        WRAP_ANY,
        ["databricks_token"],
    ),
    (
        "authorization-bearer",
        lambda: urlsafe(40),
        [
            'headers = {{"Authorization": "Bearer {s}"}}',
            "Authorization: Bearer {s}",
        ],
        ["x"],
    ),
    (
        "dataprotect-token",
        lambda: crc_token(rng.choice(["dp", "acme", "sess", "apitok"])),
        WRAP_ANY,
        ["service_token", "api_token"],
    ),
    (
        "generic-secret",
        lambda: alnum(32),
        WRAP_PY + WRAP_ENV,
        [
            "secret_key",
            "api_key",
            "client_secret",
            "signing_key",
            "auth_token",
        ],
    ),
    (
        "generic-secret",
        lambda: hexs(48),
        WRAP_PY + WRAP_ENV,
        ["encryption_key", "SECRET", "webhook_secret"],
    ),
    (
        "generic-secret",
        password,
        WRAP_PY + WRAP_ENV,
        ["db_password", "smtp_password", "PASSWORD", "admin_pwd"],
    ),
    (
        "generic-secret",
        lambda: b64(43) + "=",
        WRAP_PY + WRAP_ENV,
        ["private_key", "hmac_secret", "credentials"],
    ),
]

# ------------------------------------------------------------ look-alikes
DOC_EXAMPLES = [
    "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    'AWS_ACCESS_KEY_ID="AKIAI44QH8DHBEXAMPLE"',
    "aws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
    'stripe.api_key = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"',
    'Stripe::api_key = "sk_test_BQokikJOvBiI2HlWgH4olfQ2"',
    "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
    "token = eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    "GITHUB_TOKEN=gho_16C7e42F292c6912E7710c838347Ae178B4a",
]
for _ in range(40):
    DOC_EXAMPLES.append(  # noqa: PERF401
        f"aws_access_key_id = AKIA{rand(string.ascii_uppercase + '234567', 9)}EXAMPLE"
    )


def lookalikes() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    add = lambda cat, text: out.append((cat, text))  # noqa: E731
    for _ in range(25):
        add(
            "bad-checksum",
            f'GITHUB_TOKEN = "{crc_token(rng.choice(["ghp", "gho", "ghs"]), valid=False)}"',
        )
        add(
            "bad-checksum",
            f"//registry.npmjs.org/:_authToken={crc_token('npm', valid=False)}",
        )
        add("bad-checksum", f'api_token = "{crc_token("dp", valid=False)}"')
        add("bad-checksum", bech32_age(valid=False))
    for text in DOC_EXAMPLES:
        add("documented-example", text)
    for _ in range(15):
        u = f"{hexs(8)}-{hexs(4)}-4{hexs(3)}-a{hexs(3)}-{hexs(12)}"
        add("uuid", f'api_key_id = "{u}"')
        add("uuid", f"TOKEN_ID={u}")
        add("git-sha", f'commit_sha = "{hexs(40)}"')
        add("git-sha", f"  rev: {hexs(40)}")
        add("git-sha", f"Merge: {hexs(7)} {hexs(7)} token handling")
        add("lockfile", f'      "integrity": "sha512-{b64(86)}==",')
        add(
            "lockfile",
            f'  resolved "https://registry.yarnpkg.com/x/-/x-1.0.0.tgz#{hexs(40)}"',
        )
        add("lockfile", f'checksum = "{hexs(64)}"')
        add(
            "sri",
            f'<script src="app.js" integrity="sha384-{b64(64)}" crossorigin="anonymous"></script>',
        )
        add(
            "sri",
            f'<link rel="stylesheet" href="x.css" integrity="sha256-{b64(43)}=">',
        )
        add(
            "base64-image",
            f'<img src="data:image/png;base64,iVBORw0KGgo{b64(200)}">',
        )
        add(
            "base64-image",
            f'logo_token_png = "iVBORw0KGgoAAAANSUhEUgAA{b64(120)}"',
        )
        add("hash-digest", f'password_hash = "{hexs(64)}"')
        add("hash-digest", f'token_sha256 = "{hexs(64)}"')
        add("hash-digest", f"pbkdf2_sha256$600000${alnum(22)}${b64(43)}=")
    for name in [
        "password",
        "api_key",
        "secret_key",
        "token",
        "client_secret",
        "DB_PASSWORD",
    ]:
        add("env-reference", f'{name} = os.environ["{name.upper()}"]')
        add("env-reference", f"{name} = os.getenv('{name.upper()}')")
        add("env-reference", f"{name.upper()}=${{{name.upper()}}}")
        add("env-reference", f'{name}: "${{{{ secrets.{name.upper()} }}}}"')
        add("env-reference", f"const {name} = process.env.{name.upper()};")
        add("env-reference", f"{name} = settings.{name.upper()}")
        add("placeholder", f'{name} = "<your-{name}>"')
        add("placeholder", f'{name} = "changeme"')
        add("placeholder", f'{name} = "xxxxxxxxxxxxxxxxxxxx"')
        add("placeholder", f'{name} = "YOUR_{name.upper()}_HERE"')
        add("placeholder", f'{name}: "********"')
        add("placeholder", f'{name} = "{{{{ {name} }}}}"')
        add("placeholder", f"{name} = '%s'")
        add("code", f"{name} = get_{name.lower()}(request)")
        add("code", f"if not {name}:")
        add("code", f'    raise ValueError("{name} is required")')
        add("code", f"{name} = self.{name.lower()}")
        add("code", f'"{name}": _("Enter your {name.lower()}"),')
        add("code", f"def check_{name.lower()}({name.lower()}: str) -> bool:")
        add("code", f"{name}_field = forms.CharField(label='{name}')")
    for url in [
        "postgresql://user:password@localhost:5432/app",
        "postgres://postgres:postgres@db:5432/test",
        "mysql://root:${MYSQL_ROOT_PASSWORD}@db/app",
        "redis://:@localhost:6379/0",
        "amqp://guest:guest@localhost:5672//",
        "mongodb://user:<password>@cluster0.example.net/",
        "postgresql://localhost/app",
        "https://user@example.com/repo.git",
        "postgresql://{user}:{password}@{host}/{db}",
        "postgres://%(user)s:%(password)s@%(host)s/db",
        "sqlite:///var/lib/app.db",
        "redis://localhost:6379/1",
        "https://github.com/org/repo/blob/main/README.md",
    ]:
        add("url-no-secret", f'DATABASE_URL = "{url}"')
    for _ in range(10):
        add(
            "public-key",
            f"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{b64(43)} user@host",
        )
        add(
            "public-key",
            f"-----BEGIN PUBLIC KEY-----\n{b64(64)}\n-----END PUBLIC KEY-----",
        )
        add(
            "public-key",
            f"-----BEGIN CERTIFICATE-----\n{b64(64)}\n{b64(64)}\n-----END CERTIFICATE-----",
        )
        add(
            "code-mentions-key",
            'if line.startswith("-----BEGIN RSA PRIVATE KEY-----"):',
        )
        add("code-mentions-key", 'PEM_HEADER = b"-----BEGIN PRIVATE KEY-----"')
        add("identifier", f"{rng.choice(['ghp', 'npm', 'sk'])}_{alnum(10)}")
        add(
            "identifier",
            f"class TokenAuthenticationBackend{rng.randrange(99)}(BaseBackend):",
        )
        add(
            "identifier",
            f"token_url = 'https://oauth2.example.com/token?state={hexs(16)}'",
        )
        add("identifier", f'secret_name = "prod/app/{alnum(6).lower()}"')
        add("identifier", f"PASSWORD_MIN_LENGTH = {rng.randrange(8, 64)}")
        add(
            "identifier",
            f'AUTH_USER_MODEL = "accounts.User{rng.randrange(9)}"',
        )
        add(
            "identifier",
            f"password_reset_timeout = {rng.randrange(3600, 86400)}",
        )
        add(
            "identifier",
            f'tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased-{rng.randrange(9)}")',
        )
        add(
            "random-hex-unnamed",
            f"    0x{hexs(8)}, 0x{hexs(8)}, 0x{hexs(8)}, 0x{hexs(8)},",
        )
        add("random-hex-unnamed", f'digest = "{hexs(64)}"')
        add("random-hex-unnamed", f'"{b64(60)}"')
        add("jwt-like", f"eyJ{alnum(20)}.eyJ{alnum(20)}.{alnum(30)}")
        add(
            "word-values",
            f'password_help = "Your password must contain at least {rng.randrange(8, 16)} characters."',
        )
        add("word-values", f'token_type = "Bearer"  # {alnum(4)}')
        add(
            "word-values",
            f'SECRET_KEY_FALLBACKS = ["django-insecure-{alnum(4)}"] if DEBUG else []',
        )
    for text in [
        'ACCESS_CONTROL_ALLOW_CREDENTIALS: Final[istr] = istr("Access-Control-Allow-Credentials")',
        "    def reset(self, token: RunvarToken[T]) -> None:",
        "        self.token: contextvars.Token[ThreadSensitiveContext] | None = None",
        "        private_key: PKCS7PrivateKeyTypes,",
        "    secret = keypair[:32]",
        "         - ``async+redis://[:password]@host:port``",
        "def load(password: Optional[bytes] = None, token: str | None = None):",
        "    api_key: SecretStr = Field(default=None)",
        '    secret_key = "django-insecure-change-me-in-production"',
        "  password: !vault |",
        "password_validators = AUTH_PASSWORD_VALIDATORS",
    ]:
        add("annotation-or-code", text)
    return out


def main() -> None:
    records = []
    counts: dict[str, int] = {}
    for rule, gen, templates, names in POSITIVE:
        for i in range(12):
            secret = gen()  # type: ignore[operator]
            template = templates[i % len(templates)]
            name = names[i % len(names)]
            text = template.format(s=secret, name=name, NAME=name.upper())
            if "\n" not in text and rng.random() < 0.4:
                # put the secret on line 2 or 3 of a small snippet
                text = (
                    rng.choice(
                        [
                            "import os\n",
                            "# config\n",
                            "[default]\nregion = eu-west-1\n",
                        ]
                    )
                    + text
                )
            line = next(
                i
                for i, l in enumerate(text.split("\n"), 1)  # noqa: E741
                if secret.split("\n")[0] in l
            )
            counts[rule] = counts.get(rule, 0) + 1
            records.append(
                {
                    "id": f"{rule}-{counts[rule]}",
                    "rule": rule,
                    "category": "positive",
                    "text": text,
                    "line": line,
                }
            )
    for n, (category, text) in enumerate(lookalikes(), 1):
        records.append(
            {
                "id": f"{category}-{n}",
                "rule": None,
                "category": category,
                "text": text,
                "line": None,
            }
        )
    with OUT.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, sort_keys=True) + "\n")
    print(f"wrote {len(records)} records to {OUT}")


if __name__ == "__main__":
    main()
