"""Renderers: they format the report model and never compute a figure."""
