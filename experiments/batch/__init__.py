"""Running batches: the spec (`spec`, `design`, `spec_validator`, `spec_doc`), the batch
engine (`engine`: run order, parts, merge, manifest, lock), the executors behind one
interface (`executors`, `executor_protocol`) and the warnings about parameters no policy
reads (`unused`).
"""
