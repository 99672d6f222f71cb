from tests.factories import make_consultation, make_council, make_ministry, make_submission, make_user, login
from listening_state.models import Role


def test_pages_render(app, client):
    m = make_ministry("MNE")
    c = make_council(m)
    cons = make_consultation(m)
    s = make_submission(cons, section_index=0)
    for url in ["/", "/consultations", f"/consultations/{cons.id}", "/councils", f"/councils/{c.id}", "/register", "/login", "/logout", "/consultations?q=draft&status=open&sort=title"]:
        r = client.get(url)
        assert r.status_code == 200, (url, r.get_data(as_text=True)[:3000])
    login(client, s.author)
    for url in ["/my/submissions", f"/submissions/{s.reference}", f"/submissions/{s.reference}/confirmation", f"/consultations/{cons.id}/comment?section={cons.sections[0].id}"]:
        r = client.get(url)
        assert r.status_code == 200, (url, r.get_data(as_text=True)[:3000])
    officer = make_user(Role.MINISTRY_OFFICER, ministry=m)
    client.post("/logout")
    login(client, officer)
    for url in ["/manage/consultations", "/manage/consultations/new", f"/manage/consultations/{cons.id}/edit", f"/manage/councils/{c.id}"]:
        r = client.get(url)
        assert r.status_code == 200, (url, r.get_data(as_text=True)[:3000])
