"""`QA.as_retriever()`: the hybrid retriever as a llama-index BaseRetriever."""
from __future__ import annotations

from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode


class QARetriever(BaseRetriever):
    def __init__(self, qa, k=None, as_of=None, filters=None):
        super().__init__()
        self._qa, self._k, self._as_of, self._filters = qa, k, as_of, filters

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        passages = self._qa.retrieve(query_bundle.query_str, k=self._k, as_of=self._as_of, filters=self._filters)
        return [NodeWithScore(node=TextNode(id_=p.paragraph_id, text=p.text, metadata={
            k: v for k, v in p.to_dict().items() if k not in ("text", "score")}), score=p.score) for p in passages]
