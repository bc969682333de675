"""The REST API: app factory, routes, dependencies, schemas, middleware."""
