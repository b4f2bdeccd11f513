#!/usr/bin/env python3
"""Server time per page on the demo data: a benchmark, not a test.

Builds the release binary, starts `casework demo` on a free port, signs in as a few demo
users and fetches each page many times over one kept-alive connection, then prints
p50 / p95 / max in milliseconds. The target is every page under 50 ms.

    python3 benches/pages.py [--rounds 50]
"""
import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "demo-password-2026"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(conn, method, path, cookie=None, body=None):
    headers = {"Sec-Fetch-Site": "same-origin"}
    if cookie:
        headers["Cookie"] = cookie
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    started = time.perf_counter()
    conn.request(method, path, body=body, headers=headers)
    answer = conn.getresponse()
    data = answer.read()
    return answer, data, (time.perf_counter() - started) * 1000


def sign_in(conn, username):
    answer, _, _ = request(conn, "POST", "/sign-in", body=f"username={username}&password={PASSWORD.replace(' ', '+')}")
    cookie = answer.getheader("Set-Cookie").split(";")[0]
    return cookie


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    subprocess.run(["cargo", "build", "--release", "-p", "casework", "--quiet"], cwd=ROOT, check=True)
    work = tempfile.mkdtemp()
    port = free_port()
    server = subprocess.Popen(
        [os.path.join(ROOT, "target/release/casework"), "demo", "--database", os.path.join(work, "demo.db"), "--listen", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/readyz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.25)
        conn = http.client.HTTPConnection("127.0.0.1", port)
        rows = []
        users = ["recovery.recovery-practitioner", "recovery.care-coordinator", "deanery.deputy-dean", "family-court.service-manager", "admin"]
        for username in users:
            cookie = sign_in(conn, username)
            _, home, _ = request(conn, "GET", "/", cookie)
            case = re.search(rb'href="(/cases/[0-9a-f-]+)"', home)
            work_list = re.search(rb'href="(/work-lists/[a-z-]+/[a-z0-9-]+)"', home)
            pages = ["/", "/caseload/print"]
            if username == "admin":
                pages.append("/admin")
            if case:
                path = case.group(1).decode()
                pages += [path + section for section in ["", "/tasks", "/record", "/details", "/history", "/print", "/allocation"]]
            if work_list:
                path = work_list.group(1).decode()
                pages += [path, path + "?sort=person&order=desc", path + "?worker=none&page=1"]
            for page in pages:
                times = []
                for _ in range(args.rounds):
                    answer, _, ms = request(conn, "GET", page, cookie)
                    # A page the role may not see is timed too: refusing must be quick as well.
                    assert answer.status in (200, 403), (page, answer.status)
                    times.append(ms)
                times.sort()
                p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
                rows.append((username, re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "{id}", page), statistics.median(times), p95, times[-1]))
        print(f"Server time per page, {args.rounds} requests each, release build, demo data, one client on loopback")
        print(f"{'user':<32} {'page':<52} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        for user, page, p50, p95, worst in rows:
            flag = "" if worst < 50 else "  over 50 ms"
            print(f"{user:<32} {page:<52} {p50:8.2f} {p95:8.2f} {worst:8.2f}{flag}")
        print("Reproduce: python3 benches/pages.py --rounds", args.rounds)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
