"""B2B commerce GraphQL API for a professional medical-supplies webshop."""
