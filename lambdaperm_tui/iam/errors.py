"""The engine's input errors: one type per kind of bad input, each naming where the problem is."""

from __future__ import annotations


class InputError(ValueError):
    """Base of every error caused by bad input to the engine (never by a bug in it).

    The message always names the place of the problem, e.g.
    ``Statement[2].Condition: unknown operator "StringEqualz"`` or ``principal: not an ARN ...``.
    """


class PolicyError(InputError):
    """A policy document is not a valid IAM policy."""


class RequestError(InputError):
    """A request (principal, action, resource, context) is malformed."""
