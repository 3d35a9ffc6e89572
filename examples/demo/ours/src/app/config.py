from dataclasses import dataclass


@dataclass
class Settings:
    name: str = "orders-service"


settings = Settings()
