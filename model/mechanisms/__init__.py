"""The model's mechanisms (M1-M15, docs/ODD.md section 7.3), one module per phase of the term.

Each function takes the model and updates its arrays in one vectorised pass. Random
numbers come from the model's named streams and are drawn whether or not the mechanism
is switched on, so switching one off does not shift the draws of another (common
random numbers across scenarios).
"""
