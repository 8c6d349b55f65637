"""Correcting a recorded deal and attaching documents to it afterwards: officers of its region."""

from __future__ import annotations

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.investment.conftest import PDF, YI, InvestmentWorld
from xiqia.investment.models import Deal, DealDocument


def edit_form(inv: InvestmentWorld, **extra) -> dict:
    data = {
        "park": inv.park.pk,
        "cluster": inv.cluster.pk,
        "title_en": "Intelligent terminal park",
        "amount": "2.5",
        "amount_unit": "yi",
        "officer": inv.world.users["yubei_officer"].pk,
        "note": "金额更正",
    }
    data.update(extra)
    return data


def test_deal_edit_page_shows_the_recorded_values(inv: InvestmentWorld) -> None:
    deal = inv.deal()

    response = inv.world.client_for("yubei_officer").get(f"/investment/deals/{deal.pk}/edit/")

    assert response.status_code == 200
    assert response.context["form"].initial["amount"] == Decimal(20000)  # 2 亿 in 万元
    assert 'data-form="deal-edit"' in response.content.decode()


def test_deal_edit_corrects_the_amount_and_keeps_history(inv: InvestmentWorld) -> None:
    deal = inv.deal()
    client = inv.world.client_for("yubei_officer")

    response = client.post(f"/investment/deals/{deal.pk}/edit/", edit_form(inv))

    assert response.status_code == 302
    assert response["Location"] == f"/investment/deals/{deal.pk}/"
    deal.refresh_from_db()
    assert (deal.amount, deal.counted_amount, deal.note) == (
        Decimal("2.5") * YI,
        Decimal("2.5") * YI,
        "金额更正",
    )
    assert deal.history.latest().history_user == inv.world.users["yubei_officer"]


def test_deal_edit_with_a_bad_amount_shows_the_error_and_changes_nothing(
    inv: InvestmentWorld,
) -> None:
    deal = inv.deal()
    client = inv.world.client_for("yubei_officer")

    response = client.post(f"/investment/deals/{deal.pk}/edit/", edit_form(inv, amount="0"))

    assert response.status_code == 200
    assert response.context["form"].errors["amount"] == ["The amount must be more than zero."]
    assert Deal.objects.get(pk=deal.pk).amount == 2 * YI


def test_deal_edit_by_an_officer_of_another_district_is_forbidden(inv: InvestmentWorld) -> None:
    deal = inv.deal()  # signed at a published event: others may see it, not change it
    for role in ("jiulongpo_officer", "analyst"):
        client = inv.world.client_for(role)
        assert client.get(f"/investment/deals/{deal.pk}/edit/").status_code == 403
        assert client.post(f"/investment/deals/{deal.pk}/edit/", edit_form(inv)).status_code == 403
    assert Deal.objects.get(pk=deal.pk).amount == 2 * YI


def test_document_attach_stores_the_file_served_only_through_the_checked_view(
    inv: InvestmentWorld,
) -> None:
    deal = inv.deal(event=None)  # not a published result: only Yubei's officers see it
    client = inv.world.client_for("yubei_officer")

    response = client.post(
        f"/investment/deals/{deal.pk}/documents/",
        {
            "file": SimpleUploadedFile("contract.pdf", PDF, content_type="application/pdf"),
            "kind": "agreement",
            "title": "正式合同",
        },
    )

    assert response.status_code == 302
    document = DealDocument.objects.get(deal=deal)
    assert (document.title, document.uploaded_by) == ("正式合同", inv.world.users["yubei_officer"])
    url = f"/investment/deals/{deal.pk}/documents/{document.pk}/"
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert inv.world.client_for("jiulongpo_officer").get(url).status_code == 404
    assert Client().get(f"/media/{document.file.name}").status_code == 404


def test_document_attach_refuses_a_file_that_is_not_what_it_says(inv: InvestmentWorld) -> None:
    deal = inv.deal()
    client = inv.world.client_for("yubei_officer")

    response = client.post(
        f"/investment/deals/{deal.pk}/documents/",
        {"file": SimpleUploadedFile("contract.pdf", b"MZ\x90\x00"), "kind": "agreement"},
    )

    assert response.status_code == 200
    assert response.context["document_form"].errors["file"] == [
        "The file's content is not a PDF file."
    ]
    assert DealDocument.objects.count() == 0


def test_document_attach_by_an_officer_of_another_district_is_forbidden(
    inv: InvestmentWorld,
) -> None:
    deal = inv.deal()
    client = inv.world.client_for("jiulongpo_officer")

    response = client.post(
        f"/investment/deals/{deal.pk}/documents/",
        {"file": SimpleUploadedFile("contract.pdf", PDF), "kind": "agreement"},
    )

    assert response.status_code == 403
    assert DealDocument.objects.count() == 0


def test_deal_detail_offers_correction_and_attachment_only_to_its_officers(
    inv: InvestmentWorld,
) -> None:
    deal = inv.deal()

    own = inv.world.client_for("yubei_officer").get(f"/investment/deals/{deal.pk}/").content
    other = inv.world.client_for("analyst").get(f"/investment/deals/{deal.pk}/").content

    assert b'data-form="document"' in own and b"data-edit" in own
    assert b'data-form="document"' not in other and b"data-edit" not in other
