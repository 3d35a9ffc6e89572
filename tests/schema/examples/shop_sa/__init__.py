"""A shop's models in SQLAlchemy 2.0, for the schema sync tests."""
