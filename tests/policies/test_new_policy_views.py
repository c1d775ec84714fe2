"""HR add a policy, from scratch or from a document: the preview, the confirmation, the refusals."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from policies import importing, pending_imports, services
from policies.models import Clause, Policy, PolicyVersion, Section
from symphony_portal.lib.storage import private_storage
from symphony_portal.lib.terms import Term
from symphony_portal.trust.models import Role
from tests.builders import make_person
from tests.policies import documents

pytestmark = pytest.mark.django_db

NEW = "/policies/new/"


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def hr_client(client, hr):
    client.force_login(hr)
    return client


def form(title="Staff Code of Conduct", **extra) -> dict:
    return {"title": title, "label": "2026-2029", "review_season": "autumn", "review_year": "2029", **extra}


def upload(data: bytes, name: str = "code.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def stored_imports(root) -> list:
    folder = root / pending_imports.FOLDER
    return sorted(folder.iterdir()) if folder.exists() else []


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def preview_url(response) -> str:
    assert response.status_code == 302, getattr(response, "content", b"")[:2000]
    assert re.fullmatch(r"/policies/new/preview/[0-9a-f]{40}/", response["Location"])
    return response["Location"]


def test_it_creates_an_empty_draft_from_scratch(hr_client, hr):
    response = hr_client.post(NEW, form(), follow=True)

    policy = Policy.objects.get(slug="staff-code-of-conduct")
    draft = PolicyVersion.objects.get(policy=policy)
    assert draft.is_draft
    assert (draft.label, draft.review_season, draft.review_year) == ("2026-2029", "autumn", 2029)
    assert list(draft.sections.values_list("heading", flat=True)) == [""]
    assert not draft.clauses.exists()
    assert response.redirect_chain[-1][0] == draft.get_draft_url()
    assert "The Staff Code of Conduct was added, with draft 2026-2029" in messages_of(response)[0]
    assert policy.history.first().history_user == hr


def test_it_previews_a_word_document_before_saving_anything(hr_client, private_root):
    response = hr_client.post(NEW, {**form(), "document": upload(documents.small_docx())})
    url = preview_url(response)

    assert not Policy.objects.filter(slug="staff-code-of-conduct").exists()
    assert len(stored_imports(private_root)) == 1

    page = hr_client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Every sentence of the document was found in the clauses, in order" in html
    assert "<strong>7 of 7</strong>" in html
    assert "1. Purpose" in html and "2. Rules" in html
    assert "<em>It applies at all times</em>" in html
    assert "2.2</span>" in html
    assert not Policy.objects.filter(slug="staff-code-of-conduct").exists()


def test_it_creates_the_policy_and_its_draft_on_confirmation(hr_client, hr, private_root):
    url = preview_url(hr_client.post(NEW, {**form(), "document": upload(documents.small_docx())}))

    response = hr_client.post(url, {"action": "confirm"}, follow=True)

    draft = PolicyVersion.objects.get(policy__slug="staff-code-of-conduct")
    assert draft.is_draft
    assert [s.heading for s in draft.sections.order_by("position")] == ["Purpose", "Rules"]
    rules = Section.objects.get(version=draft, heading="Rules")
    assert list(rules.clauses.order_by("position").values_list("style", "text")) == [
        ("paragraph", "Staff must:"),
        ("bullet", "lock their screens;"),
        ("bullet", "report a lost badge."),
    ]
    assert all(c.history.first().history_user == hr for c in Clause.objects.filter(version=draft))
    assert response.redirect_chain[-1][0] == draft.get_draft_url()
    assert "added from “code.docx”: draft 2026-2029 has 2 sections and 4 clauses" in messages_of(response)[0]
    assert stored_imports(private_root) == []  # the upload is deleted once used

    again = hr_client.post(url, {"action": "confirm"})
    assert again.status_code == 404  # the same preview cannot make a second policy
    assert Policy.objects.filter(title="Staff Code of Conduct").count() == 1


def test_the_draft_goes_through_the_existing_review(hr_client, hr):
    url = preview_url(hr_client.post(NEW, {**form(), "document": upload(documents.small_docx())}))
    hr_client.post(url, {"action": "confirm"})
    draft = PolicyVersion.objects.get(policy__slug="staff-code-of-conduct")
    base = f"/policies/staff-code-of-conduct/drafts/{draft.pk}/"

    assert hr_client.get(base).status_code == 200
    clause = Clause.objects.get(version=draft, text="Staff must:")
    edited = hr_client.post(
        f"{base}clauses/{clause.pk}/edit/",
        {"text": "All staff must:", "style": "paragraph", "section": clause.section_id, "revision": 1},
    )
    assert edited.status_code == 302
    approved = hr_client.post(
        f"{base}approval/",
        {"approved_by_body": "Board of Trustees", "approved_on": "2026-11-01", "minute_reference": "M1"},
    )
    assert approved.status_code == 302
    published = hr_client.post(f"{base}publish/")
    assert published.status_code == 302

    draft.refresh_from_db()
    assert draft.is_published
    assert draft.adopted_title == "Staff Code of Conduct"
    assert hr_client.get("/policies/staff-code-of-conduct/").status_code == 200


def test_it_shows_missing_sentences_and_asks_before_creating(hr_client, monkeypatch):
    real = importing.check_fidelity
    monkeypatch.setattr(
        importing,
        "check_fidelity",
        lambda paragraphs, sections: real([*paragraphs, "A sentence the import lost."], sections),
    )
    url = preview_url(hr_client.post(NEW, {**form(), "document": upload(documents.small_docx())}))

    page = hr_client.get(url).content.decode()
    assert "<strong>7 of 8</strong>" in page
    assert "A sentence the import lost." in page

    refused = hr_client.post(url, {"action": "confirm"})
    assert refused.status_code == 200
    assert "1 sentences of the document are not in the clauses" in refused.content.decode()
    assert not Policy.objects.filter(slug="staff-code-of-conduct").exists()

    accepted = hr_client.post(url, {"action": "confirm", "accept_missing": "on"})
    assert accepted.status_code == 302
    assert Policy.objects.filter(slug="staff-code-of-conduct").exists()


def test_it_warns_about_a_flattened_table_in_the_preview(hr_client):
    url = preview_url(hr_client.post(NEW, {**form(), "document": upload(documents.table_docx())}))

    page = hr_client.get(url).content.decode()

    assert "Table 1 (2 rows) was flattened" in page
    assert "Safeguarding lead | Ms Jones." in page


def test_it_discards_an_upload_and_creates_nothing(hr_client, private_root):
    url = preview_url(hr_client.post(NEW, {**form(), "document": upload(documents.small_docx())}))

    response = hr_client.post(url, {"action": "discard"}, follow=True)

    assert "“code.docx” was discarded; nothing was saved." in messages_of(response)
    assert stored_imports(private_root) == []
    assert not Policy.objects.filter(slug="staff-code-of-conduct").exists()
    assert hr_client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (b"%PDF-1.7\n%%EOF", "code.docx", "is not a Word document"),
        (documents.ole_file(), "code.docx", "encrypted (password-protected) Word document"),
        (documents.headings_only_docx(), "code.docx", "no text"),
        (documents.zip_bomb(), "code.docx", "compressed bomb"),
    ],
    ids=["not-word", "encrypted", "no-text", "zip-bomb"],
)
def test_it_refuses_a_bad_document_with_a_message_and_stores_nothing(
    hr_client, private_root, data, name, words
):
    response = hr_client.post(NEW, {**form(), "document": upload(data, name)})

    assert response.status_code == 200
    assert words in response.content.decode()
    assert response.context["form"]["title"].value() == "Staff Code of Conduct"  # what was typed is kept
    assert stored_imports(private_root) == []
    assert not Policy.objects.exists()


def test_it_refuses_an_empty_file(hr_client, private_root):
    response = hr_client.post(NEW, {**form(), "document": upload(b"", "code.docx")})

    assert response.status_code == 200
    assert "The submitted file is empty." in response.content.decode()
    assert not Policy.objects.exists()
    assert stored_imports(private_root) == []


def test_it_refuses_a_50_mb_file_without_keeping_it(hr_client, private_root, tmp_path, monkeypatch):
    from django.core.files import uploadhandler

    kept = []
    real = uploadhandler.TemporaryFileUploadHandler.receive_data_chunk
    monkeypatch.setattr(
        uploadhandler.TemporaryFileUploadHandler,
        "receive_data_chunk",
        lambda self, raw_data, start: kept.append(len(raw_data)) or real(self, raw_data, start),
    )
    big = tmp_path / "big.docx"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    with big.open("rb") as handle:
        response = hr_client.post(NEW, {**form(), "document": handle})

    assert response.status_code == 200
    assert "The file is 50.0 MB; a policy document can be up to 10 MB." in response.content.decode()
    assert response.context["form"]["title"].value() == "Staff Code of Conduct"
    assert sum(kept) <= 10 * 1024 * 1024  # the rest was swallowed, never written to a temporary file
    assert not Policy.objects.exists()
    assert stored_imports(private_root) == []


def test_it_still_checks_the_csrf_token(client, hr):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(hr)

    response = strict.post(NEW, form())

    assert response.status_code == 403
    assert not Policy.objects.exists()


def test_it_refuses_two_documents_at_once(hr_client, private_root):
    response = hr_client.post(
        NEW,
        {**form(), "document": [upload(documents.small_docx()), upload(documents.table_docx(), "b.docx")]},
    )

    assert response.status_code == 200
    assert "Choose one document" in response.content.decode()
    assert stored_imports(private_root) == []


def test_it_refuses_a_title_already_in_the_library(hr_client, private_root):
    Policy.objects.create(title="Staff Code of Conduct", slug="scc")

    response = hr_client.post(NEW, {**form(), "document": upload(documents.small_docx())})

    assert response.status_code == 200
    assert "A policy called “Staff Code of Conduct” is already in the library." in response.content.decode()
    assert stored_imports(private_root) == []
    assert Policy.objects.filter(title="Staff Code of Conduct").count() == 1


def test_it_refuses_the_reserved_address_new(hr_client):
    response = hr_client.post(NEW, form(title="New"))

    assert response.status_code == 200
    assert "already in the library" in response.content.decode()
    assert not Policy.objects.filter(slug="new").exists()


def test_the_same_upload_confirmed_twice_makes_one_policy(hr, private_root):
    document = importing.read_document(documents.small_docx(), filename="a.docx")
    services.create_policy(title="Staff Code", label="v1", review_term=Term("autumn", 2029), by=hr)

    with pytest.raises(ValidationError):
        services.create_policy(
            title="Staff Code", label="v1", review_term=Term("autumn", 2029), document=document, by=hr
        )
    assert Policy.objects.filter(title="Staff Code").count() == 1


def test_it_checks_the_stored_file_again_on_confirmation(hr_client, private_root):
    url = preview_url(hr_client.post(NEW, {**form(), "document": upload(documents.small_docx())}))
    (stored,) = stored_imports(private_root)
    stored.write_bytes(documents.table_docx())  # the stored file is not the one uploaded

    response = hr_client.post(url, {"action": "confirm"}, follow=True)

    assert "could not be read back" in messages_of(response)[0]
    assert not Policy.objects.filter(slug="staff-code-of-conduct").exists()


def test_another_hr_person_cannot_open_or_confirm_someone_elses_upload(hr_client, client, private_root):
    url = preview_url(hr_client.post(NEW, {**form(), "document": upload(documents.small_docx())}))
    other_hr = make_person("Other HR", roles=(Role.HR,))
    other = client.__class__()
    other.force_login(other_hr)

    assert other.get(url).status_code == 404
    assert other.post(url, {"action": "confirm"}).status_code == 404
    assert not Policy.objects.filter(slug="staff-code-of-conduct").exists()


@pytest.mark.parametrize("who", ["teacher", "head", "exec_head", "governor"])
def test_it_refuses_everyone_but_hr(client, request, who, private_root):
    person = request.getfixturevalue(who)
    client.force_login(person)

    assert client.get(NEW).status_code == 403
    response = client.post(NEW, {**form(), "document": upload(documents.small_docx())})
    assert response.status_code == 403
    assert client.post(NEW, form()).status_code == 403
    assert client.get(f"/policies/new/preview/{'a' * 40}/").status_code == 403
    assert not Policy.objects.exists()
    assert stored_imports(private_root) == []


def test_it_sends_the_signed_out_to_sign_in(client):
    assert client.get(NEW).status_code == 302
    assert client.post(NEW, form()).status_code == 302
    assert not Policy.objects.exists()


def test_the_service_refuses_anyone_but_hr(teacher):
    with pytest.raises(PermissionDenied):
        services.create_policy(title="Sneaky", label="v1", review_term=Term("autumn", 2029), by=teacher)
    assert not Policy.objects.exists()


def test_hr_find_new_policies_on_the_home_page(hr_client, hr):
    services.create_policy(title="Staff Code", label="v1", review_term=Term("autumn", 2029), by=hr)

    page = hr_client.get("/").content.decode()

    assert 'href="/policies/new/"' in page
    assert "Staff Code</a>, draft v1" in page


def test_staff_do_not_see_new_drafts_on_the_home_page(client, teacher, hr):
    services.create_policy(title="Staff Code", label="v1", review_term=Term("autumn", 2029), by=hr)
    client.force_login(teacher)

    page = client.get("/").content.decode()

    assert "Staff Code" not in page
    assert "/policies/new/" not in page


def test_it_keeps_only_a_few_uploads_per_session(hr_client, private_root):
    urls = [
        preview_url(hr_client.post(NEW, {**form(), "document": upload(documents.small_docx())}))
        for _ in range(pending_imports.MAX_PENDING + 2)
    ]

    assert len(stored_imports(private_root)) == pending_imports.MAX_PENDING
    assert hr_client.get(urls[0]).status_code == 404
    assert hr_client.get(urls[-1]).status_code == 200
    assert private_storage().exists(f"{pending_imports.FOLDER}/{urls[-1].split('/')[-2]}")


def test_the_new_drafts_breadcrumb_leads_to_a_page_hr_can_open(hr_client, hr):
    draft = services.create_policy(title="Staff Code", label="v1", review_term=Term("autumn", 2029), by=hr)

    page = hr_client.get(draft.get_draft_url()).content.decode()

    assert '<a href="/policies/staff-code/versions/">Staff Code</a>' in page
    assert hr_client.get("/policies/staff-code/versions/").status_code == 200


def test_it_escapes_hostile_text_in_the_preview(hr_client):
    import docx

    word = docx.Document()
    word.add_heading("<img src=x onerror=alert(1)>", level=1)
    word.add_paragraph("<script>alert('x')</script> must not run.")
    data = documents.to_bytes(word)
    url = preview_url(hr_client.post(NEW, {**form(), "document": upload(data, "<i onmouseover=x>evil.docx")}))

    page = hr_client.get(url).content.decode()

    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; must not run." in page
    assert "&lt;i onmouseover=x&gt;evil.docx" in page


def test_the_new_drafts_page_leads_to_who_must_acknowledge_before_it_is_published(hr_client, hr):
    # The publication emails its audience and asks them to acknowledge: HR choose the audience first.
    draft = services.create_policy(title="Staff Code", label="v1", review_term=Term("autumn", 2029), by=hr)

    page = hr_client.get(draft.get_draft_url()).content.decode()

    link = '<a href="/policies/staff-code/audience/">Who must acknowledge this policy, and by when</a>'
    assert link in page
    assert hr_client.get("/policies/staff-code/audience/").status_code == 200
