"""A refused invitation cannot start again: reopening the link says, in French, that it is no
longer valid (issue 13, finding 15)."""

from __future__ import annotations

from playwright.sync_api import expect

from chatbot.web import texts
from chatbot.web.invitations import REVOKED_LINK


def test_after_a_refusal_the_same_link_says_it_is_no_longer_valid(server, new_page):
    link = server.invite("E2E-REFUS", "soudeur")
    page = new_page()
    page.goto(link)
    page.get_by_role("button", name=texts.DECLINE, exact=True).click()
    expect(page.get_by_text("vous ne répondez pas au questionnaire")).to_be_visible()
    page.goto(link)
    expect(page.get_by_text(REVOKED_LINK)).to_be_visible()
    expect(page.get_by_role("button", name=texts.ACCEPT, exact=True)).to_have_count(0)
