"""Constants shared by the pipeline, the prompts, the tests and the eval."""

# The one sentence every answerer gives when the articles do not hold the answer.
REFUSAL = "I could not find the answer to that in the indexed articles."

# Citation markers look like "[1]"; several are written "[1][2]".
CITATION_FORMAT = "[{n}]"
