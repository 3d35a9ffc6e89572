"""A small shop: customers, products, orders."""
