"""news-qa: answers from news articles, citing the paragraphs they come from."""
from qa.api import QA
from qa.constants import CITATION_FORMAT, REFUSAL
from qa.types import Answer, Citation, Passage

__all__ = ["QA", "Answer", "Citation", "Passage", "REFUSAL", "CITATION_FORMAT"]
