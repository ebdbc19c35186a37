# Longer jobs than CI's 30 minutes. Each needs ../shared/data (skipped with a message when it is absent).
RTQA_HOME ?= bench/.cache/realtimeqa-home
POLNEAR_HOME ?= bench/.cache/polnear-home

.PHONY: test eval eval-dev bench bench-perf

test:
	python -m pytest

eval:  # the CI gate
	qa eval --dataset eval/data/wuzhen.jsonl --gate
	qa eval --dataset eval/data/multi.jsonl --gate

eval-dev:  # RealTime QA and PolNeAR dev sets, extractive and local answerers side by side
	python -m eval.convert_realtimeqa
	python -m eval.convert_polnear
	qa eval --dataset eval/data/realtimeqa_dev.jsonl --home $(RTQA_HOME) --compare default,local --out eval/out/realtimeqa_dev
	qa eval --dataset eval/data/polnear_dev.jsonl --home $(POLNEAR_HOME) --compare default,local --out eval/out/polnear_dev

bench:
	python bench/realtimeqa.py
	python bench/llm_latency.py

bench-perf:  # speed, memory and scale tables of docs/benchmarks.md (~30 min; see bench/run.py for 1M)
	python bench/run.py
