"""The inventory: what an account holds (Lambda resources, IAM principals, their policies), as plain data.

Stdlib only, so the analysis layer and snapshots work without boto3.
"""

from .model import (
    Alias,
    EventInvokeConfig,
    EventSourceMapping,
    Failure,
    FileSystemConfig,
    Function,
    FunctionConfig,
    FunctionUrl,
    Group,
    Inventory,
    Layer,
    LayerVersion,
    LoggingConfig,
    ManagedPolicy,
    NamedPolicy,
    PolicySlot,
    RegionEventSources,
    Role,
    SourceAccess,
    User,
    Version,
    VpcConfig,
)

__all__ = [
    "Alias",
    "EventInvokeConfig",
    "EventSourceMapping",
    "Failure",
    "FileSystemConfig",
    "Function",
    "FunctionConfig",
    "FunctionUrl",
    "Group",
    "Inventory",
    "Layer",
    "LayerVersion",
    "LoggingConfig",
    "ManagedPolicy",
    "NamedPolicy",
    "PolicySlot",
    "RegionEventSources",
    "Role",
    "SourceAccess",
    "User",
    "Version",
    "VpcConfig",
]
