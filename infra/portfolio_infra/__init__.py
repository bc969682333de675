"""The CDK app of portfolio: one construct per concern, composed in a stack per environment.

Kept outside ``src/`` so that importing the ``portfolio`` package never loads aws-cdk-lib;
``portfolio infra synth`` runs ``infra/app.py`` as a program, as the CDK CLI would.
"""
