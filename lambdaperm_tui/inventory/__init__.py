"""The inventory: what an account holds (Lambda resources, IAM principals, their policies), as plain data.

Stdlib only, so the analysis layer and snapshots work without boto3.
"""

from .model import (
    Alias,
    Failure,
    Function,
    FunctionUrl,
    Group,
    Inventory,
    Layer,
    LayerVersion,
    ManagedPolicy,
    NamedPolicy,
    PolicySlot,
    Role,
    User,
    Version,
)

__all__ = [
    "Alias",
    "Failure",
    "Function",
    "FunctionUrl",
    "Group",
    "Inventory",
    "Layer",
    "LayerVersion",
    "ManagedPolicy",
    "NamedPolicy",
    "PolicySlot",
    "Role",
    "User",
    "Version",
]
