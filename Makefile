# Longer jobs than CI's 30 minutes. Each needs ../shared/data (skipped with a message when it is absent).
RTQA_HOME ?= bench/.cache/realtimeqa-home
POLNEAR_HOME ?= bench/.cache/polnear-home
# The local LLM answers in about 10 s a question on 2 cores: all questions take about an hour in all
# (LOCAL_LIMIT=40 asks a seeded sample of each set instead).
LOCAL_LIMIT ?=
LIMIT_ARG = $(if $(LOCAL_LIMIT),--limit $(LOCAL_LIMIT))

.PHONY: test test-fast lint eval eval-dev bench bench-perf fuzz

test:  # the full suite, as CI runs it (slow, LLM and browser tests included; each skips when its extra is missing)
	python -m pytest

test-fast:  # without the slow (10,000 articles, SIGKILL, real corpora), LLM and browser tests
	python -m pytest -m "not slow and not llm and not browser"

lint:  # ruff and mypy (the `test` extra)
	bash .ci/lint

eval:  # the CI gate
	qa eval --dataset eval/data/wuzhen.jsonl --gate
	qa eval --dataset eval/data/multi.jsonl --gate
	qa eval --dataset eval/data/multi_distractors.jsonl --gate

eval-dev:  # RealTime QA and PolNeAR dev sets, extractive and local answerers side by side
	python -m eval.convert_realtimeqa
	python -m eval.convert_polnear
	python -m eval.convert_polnear --split test
	qa eval --dataset eval/data/polnear_test.jsonl --home $(POLNEAR_HOME) --out eval/out/polnear_test
	# extractive and local side by side, in one run per set
	qa eval --dataset eval/data/realtimeqa_dev.jsonl --home $(RTQA_HOME) --compare default,local $(LIMIT_ARG) \
		--out eval/out/realtimeqa_dev_local
	qa eval --dataset eval/data/polnear_dev.jsonl --home $(POLNEAR_HOME) --compare default,local $(LIMIT_ARG) \
		--out eval/out/polnear_dev_local
	QA_HOME=$$(mktemp -d) qa eval --dataset eval/data/wuzhen.jsonl --compare default,local --out eval/out/wuzhen_local
	# the numbers only (the reports quote the news), committed: eval/results/dev_sets.{md,json,png}
	python -m eval.summary eval/out/realtimeqa_dev_local eval/out/polnear_dev_local eval/out/polnear_test \
		eval/out/wuzhen_local
	# the citation figures again under the independent llm judge (slow: a model call per answer sentence)
	python -m eval.rejudge eval/out/realtimeqa_dev_local --judge llm
	python -m eval.rejudge eval/out/polnear_dev_local --judge llm

fuzz:  # the long fuzz run of docs/reliability-input.md (a few minutes on two cores at 3000)
	QA_FUZZ_EXAMPLES=$${QA_FUZZ_EXAMPLES:-3000} python -m pytest tests/test_fuzz.py -q -p no:cacheprovider --hypothesis-show-statistics

bench:
	python bench/realtimeqa.py
	python bench/llm_latency.py

bench-perf:  # speed, memory and scale tables of docs/benchmarks.md (~30 min; see bench/run.py for 1M)
	python bench/run.py
