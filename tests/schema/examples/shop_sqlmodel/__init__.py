"""A shop's models in SQLModel, for the schema sync tests."""
