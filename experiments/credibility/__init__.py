"""Credibility: does the model reproduce what is known (`validate` with
`validation_experiments`, `validation_mechanisms`, `validation_records`), how its
parameters are fitted (`calibrate`), which of them matter (`sensitivity`, `ranking`,
`ema` for the EMA workbench), why a policy does what it does (`explain`,
`explain_output`), and its ODD description (`odd`). `columns` says what their tables' columns are.
"""
