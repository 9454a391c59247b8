"""S3 and what is kept about it: files, generated media, presigned URLs, per-key storage quotas.

Every object lives under its key's own prefix (`keys/<key id>/…`), so a key can only ever name its
own objects; metadata lives in FilesTable (partition = key id), the byte counter on the key's item.
"""
