"""The policy as a PDF: /policies/<slug>/versions/<pk>/pdf/."""

import re

import pytest

from policies.models import Policy, PolicyExport, PolicyVersion
from policies.selectors import fingerprint, outline
from tests.builders import make_successor, make_version
from tests.lib.pdf_helpers import (
    LoopbackRecorder,
    attachments,
    page_texts,
    pdfa_status,
    qpdf_check,
)

SUPERSEDED = "Superseded — not the current version"


def squeeze(text: str) -> str:
    """Text without whitespace or emphasis markers: PDF text extraction splits and joins words freely
    ("T witter"), so clauses are compared letter for letter, ignoring spacing."""
    return re.sub(r"\s+", "", text.replace("*", ""))


def download(client, version: PolicyVersion):
    return client.get(f"/policies/{version.policy.slug}/versions/{version.pk}/pdf/")


def test_it_downloads_the_seed_policy_with_its_cover_and_every_clause(
    client, teacher, seed_version, tmp_path
):
    client.force_login(teacher)
    history_before = seed_version.history.count()

    response = download(client, seed_version)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="social-media-policy-2016-2019.pdf"'
    document = response.content
    pages = page_texts(document)
    cover, whole = squeeze(pages[0]), squeeze(" ".join(pages))

    for expected in [
        "SYMPHONY LEARNING TRUST",
        "Social Media Policy 2016-2019",
        "Status Published",
        "Adopted by the trust Autumn 2016",
        "Next review due Autumn 2019",
        "Policy developed by HR Services",
        "Mary Robson, External Team Manager",
        fingerprint(seed_version),
    ]:
        assert squeeze(expected) in cover
    assert SUPERSEDED not in " ".join(pages)

    sections = outline(seed_version)
    clauses = [item for section in sections for item in section.clauses]
    assert len(clauses) == 49
    missing = [item.number for item in clauses if squeeze(item.text) not in whole]
    assert missing == []
    for section in sections:
        assert squeeze(f"{section.number}. {section.title}") in whole

    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert f"SHA-256 {fingerprint(seed_version)}" in text
    for text in pages[1:]:
        assert "Symphony Learning Trust · Social Media Policy 2016-2019" in text

    assert pdfa_status(document) == "3B"
    assert qpdf_check(document, tmp_path).returncode == 0
    assert attachments(document) == {}
    assert seed_version.history.count() == history_before  # reading changes nothing


def test_it_gives_each_section_its_real_page_in_the_contents(client, teacher, seed_version):
    client.force_login(teacher)
    pages = page_texts(download(client, seed_version).content)
    contents = pages[1]
    assert contents.startswith("Contents") or "Contents 1." in contents

    for section in outline(seed_version)[1:]:  # the opening section's title is cut short with "…"
        listed = re.search(re.escape(f"{section.number}. {section.heading}") + r" [. ]*(\d+)", contents)
        assert listed, f"section {section.number} is not in the contents"
        page_number = int(listed.group(1))
        assert page_number > 2
        assert f"{section.number}. {section.heading}" in pages[page_number - 1]


def test_it_marks_a_superseded_version_on_every_page(client, governor, seed_version):
    successor = make_successor(seed_version, label="2019-2022")
    client.force_login(governor)

    pages = page_texts(download(client, seed_version).content)

    assert len(pages) >= 5
    assert all(SUPERSEDED in text for text in pages)
    assert "The current version is 2019-2022" in pages[0]
    assert SUPERSEDED not in " ".join(page_texts(download(client, successor).content))


def test_it_refuses_a_draft_to_staff_and_gives_it_to_hr_marked_as_a_draft(client, teacher, hr):
    draft = make_version(
        label="2019-2022", status=PolicyVersion.Status.DRAFT, sections={"Purpose": ["A draft clause."]}
    )

    client.force_login(teacher)
    assert download(client, draft).status_code == 404

    client.force_login(hr)
    response = download(client, draft)
    assert response.status_code == 200
    pages = page_texts(response.content)
    assert all("Draft — not adopted by the trust" in text for text in pages)
    assert "A draft clause." in " ".join(pages)


def test_it_renders_html_in_the_policy_as_text_and_fetches_nothing(client, teacher):
    with LoopbackRecorder() as loopback:
        hostile = (
            f'<link rel="attachment" href="file:///etc/passwd"><img src="{loopback.url}clause.png">'
            f'<a href="file:///etc/shadow">x</a>'
        )
        policy = Policy.objects.create(title=f'Policy <img src="{loopback.url}title.png">', slug="hostile")
        version = make_version(
            policy=policy,
            label="2016-2019",
            sections={f'Purpose <img src="{loopback.url}heading.png">': [f"Read this: {hostile} *now*."]},
            developed_by=f'<link rel=stylesheet href="{loopback.url}style.css">HR Services',
            applies_to='<iframe src="file:///etc/passwd"></iframe>Everyone',
        )
        client.force_login(teacher)

        response = download(client, version)

        assert response.status_code == 200
        assert loopback.connections == 0
    text = squeeze(" ".join(page_texts(response.content)))
    assert squeeze(f"Read this: {hostile} now.") in text
    assert squeeze(f'Policy <img src="{loopback.url}title.png"> 2016-2019') in text
    assert squeeze(f'<link rel=stylesheet href="{loopback.url}style.css">HR Services') in text
    assert squeeze('<iframe src="file:///etc/passwd"></iframe>Everyone') in text
    assert attachments(response.content) == {}
    assert b"root:x:0:0" not in response.content


def test_it_tells_the_reader_when_the_pdf_cannot_be_made_in_time(client, teacher, seed_version, settings):
    settings.PDF_RENDER_TIMEOUT_SECONDS = 0.001
    client.force_login(teacher)

    response = download(client, seed_version)

    assert response.status_code == 302
    assert response["Location"] == f"/policies/social-media-policy/versions/{seed_version.pk}/"
    assert not response.content.startswith(b"%PDF")
    page = client.get(response["Location"])
    assert "The PDF could not be made just now" in page.content.decode()


def test_it_links_to_the_pdf_from_the_version_page(client, teacher, seed_version):
    client.force_login(teacher)
    for url in [
        "/policies/social-media-policy/",
        f"/policies/social-media-policy/versions/{seed_version.pk}/",
    ]:
        html = client.get(url).content.decode()
        assert f'href="/policies/social-media-policy/versions/{seed_version.pk}/pdf/">Download PDF' in html


@pytest.mark.parametrize(
    "label, expected", [("2016-2019", "x-2016-2019.pdf"), ("Spring 2026 (v2)", "x-spring-2026-v2.pdf")]
)
def test_it_names_the_file_after_the_policy_and_version(label, expected, db):
    from policies.models import Policy
    from policies.pdf import version_pdf_filename

    version = make_version(policy=Policy.objects.create(title="X", slug="x"), label=label)
    assert version_pdf_filename(version) == expected


@pytest.mark.parametrize("sections, clauses", [(2, 2), (12, 10)])
def test_it_makes_the_pdf_in_a_constant_number_of_queries(
    client, teacher, django_assert_max_num_queries, sections, clauses
):
    version = make_version(
        sections={
            f"Section {s}": [f"Clause {s}.{c} of the policy." for c in range(clauses)]
            for s in range(sections)
        }
    )
    client.force_login(teacher)
    # 7 to read and render, 3 to record the export (a savepoint, the row, its release).
    with django_assert_max_num_queries(10):
        response = download(client, version)
    assert response.status_code == 200
    assert PolicyExport.objects.get().exported_by == teacher
    assert f"Clause {sections - 1}.{clauses - 1} of the policy." in " ".join(page_texts(response.content))
