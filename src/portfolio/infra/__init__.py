"""Operating the CDK app from the CLI: synthesize it, read the templates, cost and ledger.

Nothing here imports aws-cdk-lib: synthesis runs ``infra/app.py`` in a child process, as
the CDK CLI does, and everything else reads the JSON templates it writes.
"""

__all__ = ["assembly", "cost", "ledger"]
