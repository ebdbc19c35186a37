"""Evaluation harness: retrieval, correctness, citation precision/recall and refusal (see eval/README.md)."""
