"""The use cases: chat, messages, embeddings, images, audio, rerank, moderations, files — each from
admission to settlement, one module each."""
