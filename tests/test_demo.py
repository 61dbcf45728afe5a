from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from corridor.demo.agencies import AGENCIES, DEMO_PASSWORD, prepare
from corridor.node.service import open_node
from corridor.security import service as security
from corridor.security.principal import SYSTEM
from corridor.security.roles import Role


def test_demo_seed_has_every_role_and_is_idempotent(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data_dir, logins = prepare(tmp_path, AGENCIES[0], 18080)
    assert {role for _, role in logins} == {r.value for r in Role}
    again_dir, again = prepare(tmp_path, AGENCIES[0], 18080)
    assert again_dir == data_dir and sorted(again) == sorted(logins)
    node = open_node(data_dir)
    try:
        with node.db.transaction() as session:
            for email, _ in logins:
                outcome = security.authenticate(session, email=email, password=DEMO_PASSWORD, ip="")
                assert outcome.reason == "ok", email
            assert len(security.list_units(session, actor=SYSTEM)) == len(AGENCIES[0].units)
    finally:
        node.close()


def _free_ports(n: int) -> int:
    """A base port with n consecutive free ports."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + n >= 65535:
            continue
        try:
            socks = []
            for p in range(base, base + n):
                sock = socket.socket()
                sock.bind(("127.0.0.1", p))
                socks.append(sock)
            return base
        except OSError:
            continue
        finally:
            for sock in socks:
                sock.close()
    raise RuntimeError("no consecutive free ports")


@pytest.mark.network
def test_corridor_demo_starts_a_peered_network_with_threads(tmp_path) -> None:  # type: ignore[no-untyped-def]
    port = _free_ports(3)
    proc = subprocess.Popen(
        [sys.executable, "-m", "corridor", "demo", "--dir", str(tmp_path), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if "Ctrl-C" in line:
                break
        out = "".join(lines)
        assert f"http://127.0.0.1:{port}/login" in out, out
        assert DEMO_PASSWORD in out and "investigator@fia-pk.demo" in out
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", follow_redirects=True) as client:
            page = client.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
            r = client.post(
                "/login",
                data={
                    "email": "investigator@fia-pk.demo",
                    "password": DEMO_PASSWORD,
                    "csrf_token": token,
                },
            )
            assert r.status_code == 200 and "Dashboard" in r.text
            # The dashboard is a work queue: GR's alert waits for an acknowledgement here, the
            # investigator's case task is due.
            work = client.get("/dashboard/_work")
            assert work.status_code == 200, work.text[-3000:]
            assert "Ayvalık" in work.text and "Trace the hawala payout in Urmia" in work.text
            # The seeded investigation: imported, linked, duplicates found, partly shared.
            assert "FIA-AHSC-2026-014" in client.get("/cases").text
            hits = client.get("/search", params={"q": "Mohammed Asif Khan"})
            assert "Muhammad Asif Khan" in hits.text, hits.text
            # The guidance data: a partner's challenge on this node's list, commitments with
            # endorsements and actions on the dashboard.
            challenges = client.get("/challenges").text
            assert "Night crossings from Iran into Van province" in challenges
            assert "overdue" in client.get("/commitments/dashboard").text
            # The cooperation seed: partners' contact cards, GR's urgent alert acknowledged by
            # TR, PK's request answered by TR and one still waiting, a joint space.
            assert "24/7 cooperation desk (tr-jandarma" in client.get("/directory").text
            assert "Ayvalık" in client.get("/alerts").text
            sent = client.get("/requests", params={"box": "sent"}).text
            assert "Subscriber of +90" in sent and "forged visas via Dubai" in sent
            assert "Quetta–Van–Evros" in client.get("/spaces").text
            report = client.get("/reports/view", params={"scope": "country", "country": "TR"})
            assert report.status_code == 200 and "Night crossings from Iran" in report.text
        _hit_no_hit_walk(port)
        _risk_walk(port)
        _protection_walk(port)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            # The demo stops its nodes one after the other, 10 s each at most, then kills them.
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # no node left running after a failure
            raise


def _risk_walk(port: int) -> None:
    """The FIA's analyst finds the national figures, their trend and the assessment; the real
    published data too when ../shared/data is beside the checkout."""
    from corridor.demo.risk import shared_data

    pk, _csrf = _signed_in(port, "analyst@fia-pk.demo")
    try:
        work = pk.get("/risk", params={"indicator": "refusals_of_entry", "period": "quarter"})
        assert work.status_code == 200, work.text[-2000:]
        assert "synthetic demo figures" in work.text
        ranking = pk.get("/risk/assessments").text
        assert "Taftan border section" in ranking and "risk-matrix" in ranking
        # Figures shared with the partners along the route, labelled as their dataset.
        shared = pk.get("/risk/figures").text
        assert "Refusals of entry at the western border" in shared
        if (shared_data() / "frontex-ibc-monthly.csv").is_file():
            route = {
                "indicator": "illegal_border_crossings",
                "route": "Eastern Mediterranean Route",
            }
            assert "Jul 2015" in pk.get("/risk", params=route).text
            assert "Eastern Mediterranean Route: detections since 2023" in shared
    finally:
        pk.close()


def _protection_walk(port: int) -> None:
    """GR's protection officer referred a rescued woman to a shelter in Pakistan: the FIA's
    protection officer and supervisor see the referral; nobody else on either node does."""
    for email in ("protection.officer@fia-pk.demo", "protection.supervisor@fia-pk.demo"):
        pk, _csrf = _signed_in(port, email)
        try:
            home = pk.get("/protection").text
            assert "Zainab Bibi (fictional)" in home and "Shelter" in home
        finally:
            pk.close()
    gr, _csrf = _signed_in(port + 2, "protection.officer@hcg-gr.demo")
    try:
        home = gr.get("/protection").text
        assert "Zainab Bibi (fictional)" in home and "Hamid (fictional)" in home
        assert "Accepted" in home  # the FIA's answer came back
    finally:
        gr.close()
    for at, email in ((port, "investigator@fia-pk.demo"), (port + 2, "investigator@hcg-gr.demo")):
        other, _csrf = _signed_in(at, email)
        try:
            assert other.get("/protection").status_code == 404
            found = other.get("/search", params={"q": "Zainab Bibi"}).text
            assert "Zainab Bibi (fictional)" not in found  # the query itself is shown back
            assert "Zainab" not in other.get("/notifications").text
        finally:
            other.close()


def _signed_in(port: int, email: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", follow_redirects=True, timeout=30)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    data = {"email": email, "password": DEMO_PASSWORD, "csrf_token": token}
    r = client.post("/login", data=data)
    assert r.status_code == 200, r.text[-2000:]
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', r.text).group(1)  # type: ignore[union-attr]
    return client, csrf


def _hit_no_hit_walk(port: int) -> None:
    """Hit/no-hit in the demo network: TR's investigator checks the phone and the Urdu-script
    name of a man in FIA's case, sees FIA holds a match, sends the request filled in with the
    handle; FIA's investigator sees the hits on FIA's data and is notified."""
    tr, tr_csrf = _signed_in(port + 1, "investigator@jandarma-tr.demo")
    pk, _ = _signed_in(port, "investigator@fia-pk.demo")
    try:
        deadline = time.monotonic() + 60
        while True:  # FIA's index reaches TR once FIA's worker has published it
            r = tr.post(
                "/matching",
                data={"csrf_token": tr_csrf, "type": "phone", "value": "0300 5550147",
                      "country": "PK"},
            )  # fmt: skip
            assert r.status_code == 200, r.text[-2000:]
            if "1 partner holds a match." in r.text or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert "1 partner holds a match." in r.text and "FIA Anti-Human Smuggling" in r.text
        r = tr.post(
            "/matching", data={"csrf_token": tr_csrf, "type": "name", "value": "محمد آصف خان"}
        )
        assert "1 partner holds a match." in r.text, r.text[-3000:]
        link = re.search(r'href="(/requests/new\?[^"]+)"', r.text).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
        form = tr.get(link)
        subject = re.search(r'name="subject"[^>]*value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
        handle = re.search(r"[A-Z2-7]{4}(?:-[A-Z2-7]{4}){3}", subject).group(0)  # type: ignore[union-attr]
        fia = re.search(r'name="to" value="([a-z2-7]{26})"[^>]*checked', form.text).group(1)  # type: ignore[union-attr]
        sent = tr.post(
            "/requests/new",
            data={"csrf_token": tr_csrf, "to": fia, "subject": subject, "urgency": "normal",
                  "text": "Demo: what can you disclose?", "tlp": "AMBER",
                  "purpose": "enforcement", "handling": "H0"},
        )  # fmt: skip
        assert sent.status_code == 200 and "/requests/" in str(sent.url), sent.text[-2000:]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            hits = pk.get("/matching/hits").text
            received = pk.get("/requests", params={"box": "received"}).text
            if handle in hits and handle in received and "Jandarma" in hits:
                break
            time.sleep(0.5)
        assert handle in hits and "Jandarma" in hits and "Muhammad Asif Khan" in hits
        assert handle in received
        assert "hit your data" in pk.get("/notifications").text
    finally:
        tr.close()
        pk.close()
