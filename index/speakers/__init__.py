"""Speaker attribution: who is quoted or paraphrased in a news paragraph, and what they said.

Rules over regexes and word lists, because no NLP model can be installed here. Each cue (a verb of
SPEECH_VERBS or "according to") is tied to a source found next to it:
  X said: "..."   X said that ...   X, <appositive>, said ...   X told CNN that ...
  "...," X said.   "...," said X.   ..., X said.   ..., reported X.   according to X, ...
  X criticized Y and said ...   X attacked Y, saying ...   The risk, he said, is ...
The speaker is a name with titles dropped ("Sen. Ted Cruz" -> "Ted Cruz"), a noun phrase ("the company",
"a spokesperson for the ministry", "officials") or a pronoun ("he"). `extract_attributions` returns them
as written; `attribute_article` resolves partial names and he/she across the article and drops the
pronouns it cannot resolve, so retrieval mostly sees names (noun phrases are kept: they are sources too).
"""
from index.speakers.extract import extract_attributions
from index.speakers.patterns import TITLES
from index.speakers.resolve import attribute_article, speaker_matches

__all__ = ["TITLES", "attribute_article", "extract_attributions", "speaker_matches"]
