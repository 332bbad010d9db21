"""The HTTP edge: Starlette app, middleware, and the GraphQL endpoint."""
