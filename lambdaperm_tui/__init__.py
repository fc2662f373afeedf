"""lambdaperm-tui: who can do what to AWS Lambda resources, and why."""

__version__ = "0.1.0"
