"""Constants shared by the pipeline, the prompts, the tests and the eval."""

# The one sentence every answerer gives when the articles do not hold the answer.
REFUSAL = "I could not find the answer to that in the indexed articles."

# Citation markers look like "[1]"; several are written "[1][2]".
CITATION_FORMAT = "[{n}]"

# Longer questions are refused with a message rather than cut: a cut question is not the one that was asked,
# and all of it would go into an LLM's prompt. 2,000 characters is ten times a long quiz question.
MAX_QUESTION_CHARS = 2000

# A sentence counts as supported by its cited paragraphs at this score of `qa.grounding.score_support` or above:
# the grounding guard's default (`answer.support_threshold`) and the eval judge's. Chosen on
# eval/data/judge_labels.jsonl (eval/judge_agreement.py).
SUPPORT_THRESHOLD = 0.6
