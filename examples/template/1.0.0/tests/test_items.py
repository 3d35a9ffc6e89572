from fastapi.testclient import TestClient


def test_add_then_list(client: TestClient) -> None:
    client.post("/items", json={"id": 1, "name": "a"})
    assert client.get("/items").json() == [{"id": 1, "name": "a"}]
