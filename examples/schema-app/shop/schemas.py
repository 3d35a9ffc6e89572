"""Schemas written by hand, on top of the generated ones."""

from __future__ import annotations

from pydantic import field_validator

from .schemas_generated import CustomerCreate as GeneratedCustomerCreate
from .schemas_generated import ProductCreate as GeneratedProductCreate


class ProductCreate(GeneratedProductCreate):
    @field_validator("name")
    @classmethod
    def no_forbidden_words(cls, value: str) -> str:
        if "forbidden" in value.lower():
            raise ValueError("the name contains a forbidden word")
        return value


class CustomerCreate(GeneratedCustomerCreate):
    @field_validator("password")
    @classmethod
    def long_enough(cls, value: str) -> str:
        if len(value) < 8:
            raise ValueError("a password has at least 8 characters")
        return value
