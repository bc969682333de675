"""The operations checklist as code: daily health, weekly performance, monthly security.

``base`` defines a check and the registry, ``snapshot`` the collected data, ``daily`` /
``weekly`` / ``monthly`` the checks, ``collect`` and ``template`` the local and template
collectors, ``aws`` the AWS collector, ``restore`` the restore tests (``restore_steps`` those of the
serverless design's state machine), ``docs`` the
generated checklist and troubleshooting guide.
"""

__all__ = [
    "audits",
    "base",
    "collect",
    "docs",
    "export",
    "registry",
    "restore",
    "restore_steps",
    "run",
    "snapshot",
    "template",
]
