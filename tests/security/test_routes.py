"""Generated from the URL map: CSRF on every POST, and the security headers on every route."""
from tests.helpers import sign_in


def _url(rule):
    values = {arg: 1 for arg in rule.arguments}
    values.update({k: "x" for k in ("slug", "token", "filename") if k in rule.arguments})
    return rule.build(values)[1]


def test_every_post_without_a_csrf_token_is_refused(csrf_app, make):
    client = csrf_app.test_client()
    sign_in(client, make.therapist())
    posts = [rule for rule in csrf_app.url_map.iter_rules() if "POST" in rule.methods]
    assert len(posts) > 15
    for rule in posts:
        response = client.post(_url(rule), data={"anything": "x"})
        assert response.status_code == 400, rule


def test_security_headers_on_every_route(app, client, make, login):
    login(make.therapist())
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        response = client.get(_url(rule))
        csp = response.headers.get("Content-Security-Policy", "")
        assert "object-src 'none'" in csp and "base-uri 'none'" in csp and "frame-ancestors 'none'" in csp, rule
        assert response.headers["X-Content-Type-Options"] == "nosniff", rule
        assert response.headers["Referrer-Policy"] == "no-referrer", rule
        if rule.endpoint != "static":
            assert response.headers["Cache-Control"] == "no-store", rule
