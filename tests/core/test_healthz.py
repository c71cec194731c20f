"""/healthz tells a load balancer whether this instance reaches its database, on both engines."""

from __future__ import annotations

from tests.smtp import free_port


def test_healthz_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"
    assert response.mimetype == "text/plain"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_healthz_503_when_the_database_is_unreachable(app, app_factory, backend, tmp_path, caplog):
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'no-such-folder' / 'dialogue.sqlite3'}"
    else:  # a port where no server listens
        url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/no-such-database"
    broken = app_factory(SQLALCHEMY_DATABASE_URI=url).test_client()
    for _ in range(2):  # and again: the failed attempt left nothing behind that breaks the next one
        response = broken.get("/healthz")
        assert response.status_code == 503
        assert response.get_data(as_text=True) == "database unreachable"
        assert response.headers["Cache-Control"] == "no-store"
    assert "no-such" not in caplog.text  # the log names the error's class, not the server or file
    assert "OperationalError" in caplog.text
    assert app.test_client().get("/healthz").status_code == 200

