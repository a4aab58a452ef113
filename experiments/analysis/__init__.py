"""Analysis of finished runs and batches: the decision numbers (`stats`) and the report
(`report`, `report_html`, `report_plots`) with its maps (`maps`).

Reads only the tables a batch or a run wrote, never the model's state.
"""
