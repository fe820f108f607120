"""How many tokens each ingestion pipeline runs through the embedding model.

Counts, with the model's own tokenizer and without running it, the tokens newsqa's chunker
(headline prefix, padding as its embedder pads on this CPU) and the LangChain tutorial's
splitter (RecursiveCharacterTextSplitter 1000/200, batches of 32 padded to their longest) feed
the model for a corpus. Model work is proportional to these counts, whatever the CPU.

    python benchmarks/tokens.py [--corpus ../shared/corpus/bbc] [--chunk 200 --overlap 48]
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from langchain_text_splitters import RecursiveCharacterTextSplitter
from newsqa.index.chunking import SentenceChunker
from newsqa.index.embedding import MAX_TOKENS, Embedder
from newsqa.index.indexer import TITLE_TOKENS
from newsqa.index.loaders import load
from newsqa.index.settings import REPO_ROOT

DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "bbc"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--chunk", type=int, default=200, help="newsqa chunk size in tokens")
    parser.add_argument("--overlap", type=int, default=48, help="newsqa overlap in tokens")
    args = parser.parse_args()

    embedder = Embedder()
    pad = embedder.pad_multiple or 1
    files = sorted(p for p in args.corpus.rglob("*") if p.is_file() and p.suffix == ".txt")
    articles = [a for a in load(files, 10_000_000) if hasattr(a, "article_id")]
    article_tokens = sum(embedder.count_tokens([a.text for a in articles]))

    chunker = SentenceChunker(embedder.count_tokens, args.chunk, args.overlap)
    ours, n_ours = 0, 0
    for a in articles:
        title = min(embedder.count_tokens([a.title])[0] + 1, TITLE_TOKENS)
        for c in chunker.chunk(a.text):
            n_ours += 1
            ours += math.ceil((c.tokens + title + 2) / pad) * pad

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in files]
    chunks = [c for t in texts for c in splitter.split_text(t)]
    lengths = sorted(min(n + 2, MAX_TOKENS) for n in embedder.count_tokens(chunks))
    tutorial = sum(
        max(lengths[i : i + 32]) * len(lengths[i : i + 32]) for i in range(0, len(lengths), 32)
    )

    print(f"corpus {args.corpus}: {len(articles)} articles, {article_tokens} article tokens")
    print(f"embedder precision {embedder.precision}, batches padded to multiples of {pad}")
    print("| pipeline | chunks | tokens through the model | x article tokens |")
    print("|---|---:|---:|---:|")
    print(
        f"| newsqa ({args.chunk}/{args.overlap} tokens, headline prefix) | {n_ours} | {ours} | "
        f"{ours / article_tokens:.2f} |"
    )
    print(
        f"| tutorial (1000/200 characters) | {len(chunks)} | {tutorial} | "
        f"{tutorial / article_tokens:.2f} |"
    )
    print(f"ratio newsqa / tutorial: {ours / tutorial:.2f}")


if __name__ == "__main__":
    main()
