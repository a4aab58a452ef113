"""Errors that mean "the user's input is wrong", reported as one line with exit status 2."""


class UserError(ValueError):
    """Bad input: the message names the field and the allowed values."""


class ParamError(UserError):
    """An unknown parameter, a wrong type or a value out of range."""
