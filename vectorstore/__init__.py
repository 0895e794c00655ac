"""Embeddings, the Chroma collection, BM25 and hybrid search with filters."""
