#!/usr/bin/env bash
# Make a roberta-base-shaped encoder for the extraction benchmark: RoBERTa architecture with random weights and
# roberta-base's sizes (hidden 768, 12 layers, 12 heads, intermediate 3072, the 50,265-token vocabulary; opset 14),
# so onnx/model.onnx is about as big and slow as the real roberta-base export (~500 MB), plus its int8
# onnx/model_quantized.onnx (onnxruntime's quantize_dynamic as the hub does: test/fixtures/tools/hub_variants.py), its
# fp16 and q4 variants (with the tools venv) and reference.json, laid out like a hub repo.
# Idempotent: a finished model is kept (missing variants are added); it is built in a temporary folder and moved into place when complete.
#
# usage: bench/make-roberta-base.sh [OUT_ROOT]        (default: .cache/bench, gitignored)
# Takes several minutes and ~2 GB of memory; needs Debian's python3-torch, python3-onnx, python3-regex.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$repo/.cache/bench}
name=roberta-base-shaped
spec='[{"name": "'$name'", "hidden": 768, "layers": 12, "heads": 12, "inter": 3072, "opset": 14, "seed": 7,
        "quantize": "int8"}]'

if [[ -d "$out/$name" ]]; then
  echo "$out/$name exists: kept"
else
  mkdir -p "$out"
  partial=$(mktemp -d "$out/.partial-XXXXXX")
  trap 'rm -rf "$partial"' EXIT
  # nice: the machine is shared with other work
  nice -n 10 "$repo/test/fixtures/tools/make-fixtures.sh" "$partial" "$spec"
  mv "$partial/$name" "$out/$name"
fi
# The fp16 and q4 files of transformers.js's hub repos (onnxruntime's own converters, hub_variants.py), which
# bench:extract times beside fp32 and q8; they need the tools venv, and are skipped without it.
venv_py=${VENV_PYTHON:-$repo/.venv-tools/bin/python}
missing=()
for mode in fp16 q4; do [[ -f "$out/$name/onnx/model_$mode.onnx" ]] || missing+=("$mode"); done
if ((${#missing[@]})); then
  if [[ -x "$venv_py" ]]; then
    nice -n 10 "$venv_py" "$repo/test/fixtures/tools/hub_variants.py" "$out/$name" "${missing[@]}"
  else
    echo "no $venv_py (DEVELOPERS.md: the tools venv): ${missing[*]} variants not made; bench:extract skips them" >&2
  fi
fi
du -h "$out/$name"/onnx/*.onnx && du -sh "$out/$name"
