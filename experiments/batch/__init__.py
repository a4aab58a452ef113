"""Running batches: the spec (`spec`, `spec_doc`), the batch engine (`engine`: run order,
parts, merge, manifest, lock), the executors (`executors`) and the warnings about
parameters no policy reads (`unused`).
"""
