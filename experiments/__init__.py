"""How runs and batches are declared, executed, stored and analysed.

Uses `model/`; nothing in `model/` or `agents/` imports from here.
"""
