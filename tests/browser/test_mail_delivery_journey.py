"""HR finds an email the mail server refused and tries it again, in real Chromium (with axe-core)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.mail import EmailMessage
from playwright.sync_api import Page, expect

from symphony_portal.mail import outbox
from symphony_portal.mail.models import OutgoingEmail

pytestmark = pytest.mark.browser


def test_it_lets_hr_see_a_refused_email_and_try_it_again(page: Page, transactional_db, hr):
    outbox.queue(
        EmailMessage(subject="Please acknowledge the policy", body="x", to=["gone@symphony.test"]), about="t"
    )
    OutgoingEmail.objects.update(status="failed", attempts=1, server_answer="550 5.1.1 No such user here")
    axe = Axe()
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(hr.email)
    page.get_by_label("Password").fill("harriet-password-1")
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Mail delivery").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mail delivery")
    row = page.get_by_role("row", name="gone@symphony.test")
    expect(row).to_contain_text("Please acknowledge the policy")
    expect(row).to_contain_text("550 5.1.1 No such user here")
    result = axe.run(page)
    assert result.violations_count == 0, result.generate_report()

    row.get_by_role("button", name="Try again the email to gone@symphony.test").click()
    expect(page.get_by_role("status")).to_contain_text("The email to gone@symphony.test is queued again")
    # The delivery task ran (the test set-up runs it at once, here to a local mailbox): it went.
    expect(page.get_by_text("None: every email so far")).to_be_visible()
    assert OutgoingEmail.objects.get().status == "sent"
    result = axe.run(page)
    assert result.violations_count == 0, result.generate_report()
