"""Analysis of finished runs and batches: the decision numbers (`stats`, `verdict`,
`longitudinal`), a batch folder as frames (`load`), and the report (`report`,
`report_html`, `report_plots`, `outcomes`, `columns`) with its maps (`maps`).

Reads only the tables a batch or a run wrote, never the model's state.
"""
