"""The monthly operations report (運用報告書): model, builder, analysis, renderers."""
