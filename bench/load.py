"""The load side of bench/pages.py, run as its own process: a fixed number of requests per page.

    python bench/load.py REQUESTS TARGETS_JSON
TARGETS_JSON maps a practice's name to {"base", "email", "password", "token"} (one served app
each). Every round visits every page of every practice in turn, so all of them are measured
under the same conditions, however the machine's speed drifts during the run.
Prints JSON: {practice: {page: [latency seconds, ...]}}.
"""
import json
import os
import re
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

PAGES = {"floor": "/_floor", "home": "/", "couple": "/couples/1", "library search": "/library/?q=letter",
         "partner": "/me/"}
THREADS = int(os.environ.get("BENCH_THREADS", "2"))


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


def signed_in(targets: dict) -> dict:
    """One therapist's and one partner's browser per practice."""
    return {name: (t["base"], therapist(t["base"], t["email"], t["password"]), partner(t["base"], t["token"]))
            for name, t in targets.items()}


def main(requests: int, targets: dict) -> None:
    clients = [signed_in(targets) for _ in range(THREADS)]
    lock = threading.Lock()

    def worker(browsers, rounds, times):
        for _ in range(rounds):
            for practice, (base, staff, client) in browsers.items():
                for name, path in PAGES.items():
                    start = time.perf_counter()
                    with (client if name == "partner" else staff).open(base + path) as response:
                        response.read()
                        assert response.status == 200, (practice, name, response.status)
                    elapsed = time.perf_counter() - start
                    with lock:
                        times[practice][name].append(elapsed)

    def fresh():
        return {practice: {name: [] for name in PAGES} for practice in targets}

    for browsers in clients:  # warm-up
        worker(browsers, 3, fresh())
    times = fresh()
    threads = [threading.Thread(target=worker, args=(browsers, requests // THREADS, times)) for browsers in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps(times))


if __name__ == "__main__":
    main(int(sys.argv[1]), json.loads(sys.argv[2]))
