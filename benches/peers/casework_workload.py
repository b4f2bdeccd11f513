#!/usr/bin/env python3
"""The peers' shared driver (`workload.py`), run against Casework's JSON API.

The driver is used as it is, unchanged: this file puts its folder on the import path, adds
an adapter for Casework and hands over to the driver's own `main()`. So Casework is measured
by the same code, phases, counts and connection handling (a new TCP connection for every
request) as Request Tracker and django-helpdesk.

    python3 benches/peers/casework_workload.py --kind casework \
        --base-url http://127.0.0.1:18501 --user recovery.care-coordinator \
        --password bench-password-2026 --server-pid PID --out casework.json

The requests are those of `casework bench http` (crates/casework/src/bench/http.rs):
  * sign in once per client: POST /api/v1/session, the session cookie reused;
  * create:   POST /api/v1/cases (service, source "staff", summary, person);
  * note:     POST /api/v1/cases/{id}/notes {"kind": "contact", "body": ...};
  * get:      GET /api/v1/cases/{id} and GET /api/v1/cases/{id}/notes (two requests);
  * list:     GET /api/v1/work-lists/{service}/{list}?limit=25, where new cases start;
  * search:   GET /api/v1/search?q=word (first page).
The peers' ticket has a subject, a body and a requester; a Casework case has a summary and a
person. The summary is the subject and the body. Casework's full-text index holds notes,
form answers and people's names, not the summary, so where the driver puts its rare word in
the body, the person is known by that word (as `bench http` does).

Where the shared driver lives: $PEERS_BENCH, else ../shared/bench/peers from the project root.
"""
import http.cookies
import os
import sys
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PEERS_BENCH = os.environ.get("PEERS_BENCH", os.path.join(ROOT, "..", "shared", "bench", "peers"))
sys.path.insert(0, os.path.abspath(PEERS_BENCH))

import workload  # noqa: E402  (found through the path set just above)

GIVEN_NAMES = ["Alex", "Sam", "Jordan", "Priya", "Tomasz", "Aisha", "Connor", "Mei", "Grace", "Oluwaseun"]
FAMILY_NAMES = ["Hughes", "Okafor", "Nowak", "Patel", "Murray", "Chen", "Evans", "Begum", "Walsh", "Kowalski"]


class CaseworkAdapter(workload.Adapter):
    """Casework's JSON API under /api/v1, as `casework bench http` uses it."""

    name = "casework"
    service = os.environ.get("CASEWORK_SERVICE", "recovery")
    work_list = os.environ.get("CASEWORK_WORK_LIST", "waiting-list")

    def login(self):
        # The session cookie is `__Host-…; Secure`: the standard library's cookie jar keeps
        # Secure cookies away from plain http, even on loopback, so the cookie is sent as a
        # header. A client that sends no Origin header needs no form token on the API.
        request = urllib.request.Request(
            self.c.base + "/api/v1/session",
            data=workload.json.dumps({"username": self.user, "password": self.password}).encode(),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=self.c.timeout) as answer:
            answer.read()
            set_cookies = answer.headers.get_all("Set-Cookie") or []
        pairs = []
        for header in set_cookies:
            for morsel in http.cookies.SimpleCookie(header).values():
                pairs.append(f"{morsel.key}={morsel.value}")
        if not pairs:
            raise workload.HttpError("Casework sign-in set no session cookie")
        self.c.headers["Cookie"] = "; ".join(pairs)

    def create(self, subject, body, requester):
        # The requester's number picks the person's names, so the same requester is the same name.
        number = int("".join(ch for ch in requester.split("@")[0] if ch.isdigit()) or "0")
        person = {"given_name": GIVEN_NAMES[number % 10], "family_name": FAMILY_NAMES[number // 10 % 10]}
        if workload.RARE_WORD in body:
            person["known_as"] = workload.RARE_WORD
        opened = self.c.post("/api/v1/cases", {"service": self.service, "source": "staff",
                                               "summary": f"{subject}. {body}", "person": person})
        return opened["id"]

    def add_note(self, ticket_id, text):
        self.c.post(f"/api/v1/cases/{ticket_id}/notes", {"kind": "contact", "body": text})

    def get(self, ticket_id):
        case = self.c.get(f"/api/v1/cases/{ticket_id}")
        notes = self.c.get(f"/api/v1/cases/{ticket_id}/notes")
        assert case["id"] == ticket_id
        case["_notes"] = notes
        return case

    def list_open(self):
        page = self.c.get(f"/api/v1/work-lists/{self.service}/{self.work_list}?limit=25")
        return len(page["items"])

    def search(self, word):
        found = self.c.get("/api/v1/search?" + urllib.parse.urlencode({"q": word}))
        return len(found["items"])


workload.ADAPTERS["casework"] = CaseworkAdapter

if __name__ == "__main__":
    try:
        workload.main()
    except NotImplementedError as e:
        sys.exit(f"adapter not implemented: {e}")
