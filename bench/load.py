"""The load side of bench/pages.py, run as its own process: a fixed number of requests per page.

    python bench/load.py BASE_URL EMAIL PASSWORD PARTNER_TOKEN REQUESTS
Prints JSON: {page: [latency seconds, ...]}.
"""
import json
import re
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

PAGES = {"floor": "/_floor", "home": "/", "couple": "/couples/1", "library search": "/library/?q=letter",
         "partner": "/me/"}
THREADS = int(__import__("os").environ.get("BENCH_THREADS", "2"))


def opener():
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def therapist(base, email, password):
    o = opener()
    token = csrf(o.open(f"{base}/login").read().decode())
    o.open(f"{base}/login", data=urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token}).encode())
    return o


def partner(base, link_token):
    o = opener()
    token = csrf(o.open(f"{base}/p/{link_token}").read().decode())
    o.open(f"{base}/p/{link_token}", data=urllib.parse.urlencode({"csrf_token": token}).encode())
    return o


def main(base, email, password, link_token, requests):
    clients = [(therapist(base, email, password), partner(base, link_token)) for _ in range(THREADS)]
    times = {name: [] for name in PAGES}
    lock = threading.Lock()

    def worker(pair, rounds):
        for _ in range(rounds):
            for name, path in PAGES.items():  # interleaved, so every page sees the same conditions
                client = pair[1] if name == "partner" else pair[0]
                start = time.perf_counter()
                with client.open(base + path) as response:
                    response.read()
                    assert response.status == 200, (name, response.status)
                elapsed = time.perf_counter() - start
                with lock:
                    times[name].append(elapsed)

    for pair in clients:  # warm-up
        worker(pair, 3)
    times = {name: [] for name in PAGES}
    threads = [threading.Thread(target=worker, args=(pair, requests // THREADS)) for pair in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps(times))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
