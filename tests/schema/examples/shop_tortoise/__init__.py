"""A shop's models in Tortoise ORM, for the schema sync tests."""
