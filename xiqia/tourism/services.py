"""Writes for culture and tourism: campaigns, claims, redemption, discounts, personal data.

Stock: a claim inserts the voucher first (the unique constraint on campaign + ID digest + slot
refuses a second claim by the same person) and then takes one from the campaign's stock, split
over a few rows, with a single conditional UPDATE of a share no other claim holds (see
``xiqia/tourism/stock.py``). No count is read and acted on, so no concurrency can over-issue;
when nothing is left, the whole transaction, voucher included, is rolled back. A share is locked
only from that UPDATE to the commit, the last statements of the claim.

Lock waits are bounded on PostgreSQL (``SET LOCAL lock_timeout``): a claim that cannot get its
lock in time ends with a clean "busy, try again" (409), never a pile-up of waiting workers.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiqia.accounts import access
from xiqia.core import personal
from xiqia.core.errors import Conflict, DomainError
from xiqia.core.models import Region
from xiqia.core.origin import Origin
from xiqia.core.personal import PersonalKind
from xiqia.tourism import gate, lottery, stock
from xiqia.tourism.models import (
    AllocationMode,
    DiscountDecision,
    IdempotencyKey,
    LotteryEntry,
    Merchant,
    PersonalDataAccess,
    Proof,
    ResidentDiscountPolicy,
    Voucher,
    VoucherCampaign,
    VoucherStatus,
)

# Lock waits end well inside the 3 seconds a client is promised an answer in.
LOCK_TIMEOUT_MS = 1500
STATEMENT_TIMEOUT_MS = 2500


WAIT_BOUNDS = (
    f"SET LOCAL lock_timeout = {LOCK_TIMEOUT_MS}; "
    f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}"
)


def _bound_waits() -> None:
    """Bound lock waits and statements for the rest of this transaction (PostgreSQL)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(WAIT_BOUNDS)


def busy() -> Conflict:
    return Conflict(_("Many people are claiming right now. Please try again."), code="busy")


# Campaigns -------------------------------------------------------------------------------------


@transaction.atomic
def campaign_save(*, campaign: VoucherCampaign, actor: Any) -> VoucherCampaign:
    """Create or update a campaign; a new total moves the stock left by the same amount."""
    issued = 0
    if campaign.pk is None:
        if actor is not None and not access.can_create(actor, VoucherCampaign, campaign):
            raise PermissionDenied
    else:
        if actor is not None:
            access.require(actor, access.Action.CHANGE, campaign)
        current = VoucherCampaign.objects.select_for_update().get(pk=campaign.pk)
        issued = current.total_count - stock.left_for_update(current)
        if campaign.total_count < issued:
            raise ValidationError(
                {"total_count": _("%(issued)s vouchers are already issued.") % {"issued": issued}}
            )
    campaign.full_clean()
    campaign._history_user = actor
    campaign.save()
    stock.set_left(campaign, campaign.total_count - issued)
    gate.forget(campaign.pk)
    campaign.__dict__.pop("stock_left", None)
    return campaign


# Claiming --------------------------------------------------------------------------------------


def _clean_name(name: str) -> str:
    name = " ".join(str(name).split())
    if not name:
        raise ValidationError({"holder_name": _("Enter the name on the ID card.")})
    if len(name) > 60:
        raise ValidationError({"holder_name": _("The name is too long.")})
    return name


def _clean_id_number(raw: str) -> str:
    try:
        return personal.validate(PersonalKind.ID_NUMBER, raw)
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.error_list}) from exc


def _check_eligible(campaign: VoucherCampaign, residence_region: Region | None) -> None:
    """The declared district of residence decides, never the ID number's prefix."""
    eligible = list(campaign.eligible_regions.all())
    if not eligible:
        return
    if residence_region is None:
        raise ValidationError(
            {"residence_region": _("Choose the district you live in.")}, code="required"
        )
    if not any(residence_region.code.startswith(r.prefix) for r in eligible):
        raise DomainError(
            _("This campaign is for residents of %(regions)s.")
            % {"regions": "、".join(str(r.name) for r in eligible)},
            code="not_eligible",
        )


def _claimable(
    *,
    campaign: VoucherCampaign,
    holder_name: str,
    id_number: str,
    residence_region: Region | None,
    holder: Any,
    actor: Any,
    now: datetime.datetime | None,
) -> tuple[str, str, datetime.datetime]:
    """Check a first-come claim as far as it can be without the stock: return the cleaned name,
    the cleaned ID number and the time of the claim (the server clock for requests)."""
    if actor is not None and holder != actor:
        raise PermissionDenied
    name = _clean_name(holder_name)
    number = _clean_id_number(id_number)
    if actor is not None and not campaign.is_published:
        raise DomainError(_("This campaign is not open."), code="claim_closed")
    if campaign.allocation_mode != AllocationMode.FCFS:
        raise DomainError(
            _("This campaign is allocated by lottery: register for the draw instead."),
            code="lottery_campaign",
        )
    now = timezone.now() if (now is None or actor is not None) else now
    if now < campaign.claim_opens_at:
        raise DomainError(_("Claiming has not opened yet."), code="claim_not_open")
    if now >= campaign.claim_closes_at:
        raise DomainError(_("Claiming has closed."), code="claim_closed")
    return name, number, now


@transaction.atomic
def voucher_claim(
    *,
    campaign: VoucherCampaign,
    holder_name: str,
    id_number: str,
    residence_region: Region | None = None,
    holder: Any = None,
    actor: Any = None,
    now: datetime.datetime | None = None,
    origin: str = Origin.ENTERED,
) -> Voucher:
    """Claim a voucher of a first-come campaign for a named person, while stock lasts.

    ``now`` is for trusted system code (the demo loader) only; requests always use the server
    clock. Refusals: invalid name or ID (``personal.validate`` says which part: length,
    characters, check digit, birth date, region code), not open, not eligible, already
    claimed, sold out, busy.
    """
    name, number, now = _claimable(
        campaign=campaign,
        holder_name=holder_name,
        id_number=id_number,
        residence_region=residence_region,
        holder=holder,
        actor=actor,
        now=now,
    )
    if campaign.remaining == 0:
        # Stock only ever falls (save for an administrator raising the total), so a zero read
        # with the campaign is final: refuse without touching the hot row.
        raise _sold_out()
    _check_eligible(campaign, residence_region)
    return _issue(
        campaign=campaign,
        holder=holder,
        holder_name=name,
        number=number,
        residence_region=residence_region,
        now=now,
        origin=origin,
    )


def _issue(
    *,
    campaign: VoucherCampaign,
    holder: Any,
    holder_name: str,
    number: str,
    residence_region: Region | None,
    now: datetime.datetime,
    origin: str,
) -> Voucher:
    """Insert the voucher, then take one from the stock; either both happen or neither."""
    _bound_waits()
    id_digest = personal.digest(PersonalKind.ID_NUMBER, number)
    slot = 1
    if campaign.per_person_limit > 1:
        slot = Voucher.objects.filter(campaign=campaign, id_number_digest=id_digest).count() + 1
    if slot > campaign.per_person_limit:
        raise _already_claimed(campaign)
    voucher = Voucher(
        campaign=campaign,
        holder=holder,
        holder_name=holder_name,
        id_number=personal.PersonalValue(PersonalKind.ID_NUMBER, number),
        slot=slot,
        residence_region=residence_region,
        claimed_at=now,
        origin=origin,
    )
    try:
        voucher.save(force_insert=True)
        taken = stock.take_one(campaign)
    except IntegrityError as exc:
        # The same person claiming at the same moment from two places: one insert wins.
        if campaign.per_person_limit > 1:
            raise busy() from exc
        raise _already_claimed(campaign) from exc
    except OperationalError as exc:  # lock_timeout or statement_timeout
        raise busy() from exc
    if not taken:
        raise _sold_out()
    return voucher


def _sold_out() -> DomainError:
    return DomainError(_("All vouchers of this campaign have been claimed."), code="sold_out")


def _already_claimed(campaign: VoucherCampaign) -> Conflict:
    if campaign.per_person_limit == 1:
        message = _("This ID number has already claimed a voucher of this campaign.")
    else:
        message = _("This ID number has already claimed %(count)s vouchers of this campaign.") % {
            "count": campaign.per_person_limit
        }
    return Conflict(message, code="already_claimed")


# Idempotent claims (the API's Idempotency-Key) ------------------------------------------------

# An in-flight key older than this belongs to a request that died before its claim committed
# (the claim and the key's completion commit together), so a retry may take it over.
IN_FLIGHT_STALE_AFTER = datetime.timedelta(seconds=30)


class Unprocessable(DomainError):
    status = 422


def claim_request_hash(*, campaign: VoucherCampaign, body: dict[str, Any]) -> str:
    """Return a keyed hash of a claim request (keyed: the body holds an ID number)."""
    canonical = {
        "campaign": campaign.pk,
        "holder_name": " ".join(str(body.get("holder_name", "")).split()),
        "id_number": personal.normalise(PersonalKind.ID_NUMBER, str(body.get("id_number", ""))),
        "residence_region": str(body.get("residence_region") or ""),
    }
    message = json.dumps(canonical, sort_keys=True, ensure_ascii=False).encode()
    key = settings.PERSONAL_DATA_HASH_KEY.encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def voucher_claim_idempotent(
    *, key: str, request_hash: str, holder: Any, **claim: Any
) -> tuple[Voucher, bool]:
    """Claim once per ``Idempotency-Key``; return the voucher and whether this was a replay.

    Same key and same request: the first claim again. Same key, another request: 422. Same key
    while the first request is still running: 409. A refused claim frees its key.
    """
    campaign = claim["campaign"]
    if gate.applies(campaign):
        answer = _claim_through_gate(key=key, request_hash=request_hash, holder=holder, **claim)
        if answer is not None:
            return answer
    if campaign.remaining == 0 and not IdempotencyKey.objects.filter(user=holder, key=key).exists():
        # The crowd after the last voucher: sold out is final (stock only falls, save for an
        # administrator raising the total) and a refusal keeps no key, so answer with the
        # service's own refusal (invalid input first, as always) and no key written and freed.
        with transaction.atomic():
            voucher_claim(holder=holder, actor=holder, **claim)
            raise _sold_out()  # not reached: with no stock the claim refuses; undo it if not
    now = timezone.now()
    try:
        with transaction.atomic():
            record = IdempotencyKey.objects.create(
                user=holder, key=key, request_hash=request_hash, created_at=now
            )
    except IntegrityError:
        record = IdempotencyKey.objects.select_related("voucher").get(user=holder, key=key)
        if record.request_hash != request_hash:
            raise _key_reused() from None
        if record.completed and record.voucher is not None:
            return record.voucher, True
        taken_over = (
            record.created_at < now - IN_FLIGHT_STALE_AFTER
            and IdempotencyKey.objects.filter(
                pk=record.pk, completed=False, created_at=record.created_at
            ).update(created_at=now)
        )
        if not taken_over:
            raise _key_in_flight() from None
    try:
        with transaction.atomic():
            voucher = voucher_claim(holder=holder, actor=holder, **claim)
            IdempotencyKey.objects.filter(pk=record.pk).update(
                completed=True, voucher=voucher, response_status=201
            )
    except BaseException:
        IdempotencyKey.objects.filter(pk=record.pk, completed=False).delete()
        raise
    return voucher, False


def _key_reused() -> Unprocessable:
    return Unprocessable(
        _("This Idempotency-Key was already used with a different request."),
        code="idempotency_key_reused",
    )


def _key_in_flight() -> Conflict:
    return Conflict(
        _("The first request with this Idempotency-Key is still being processed."),
        code="request_in_flight",
    )


def _replay(record: IdempotencyKey, request_hash: str) -> tuple[Voucher, bool]:
    if record.request_hash != request_hash:
        raise _key_reused()
    if record.completed and record.voucher is not None:
        return record.voucher, True
    raise _key_in_flight()


def _issue_with_key(*, record: IdempotencyKey, **issue: Any) -> Voucher:
    """:func:`_issue` and the completed key row ``record``, all or nothing.

    On PostgreSQL the voucher, the stock share and the key go in one statement when a share with
    stock is free (``stock.issue_in_one_statement``), the common case of a flash crowd: outside a
    transaction (a request's case), in one round trip with the bounds on waiting; inside the
    caller's, under a savepoint. Else, and on SQLite, step by step in a transaction. A repeated
    key raises ``IntegrityError``; the same person, already claimed.
    """
    campaign = issue["campaign"]
    if connection.vendor == "postgresql" and campaign.per_person_limit == 1:
        nested = connection.in_atomic_block
        voucher = Voucher(
            campaign=campaign,
            holder=issue["holder"],
            holder_name=issue["holder_name"],
            id_number=personal.PersonalValue(PersonalKind.ID_NUMBER, issue["number"]),
            slot=1,
            residence_region=issue["residence_region"],
            claimed_at=issue["now"],
            origin=issue["origin"],
        )
        try:
            if nested:
                with transaction.atomic():
                    _bound_waits()
                    written = stock.issue_in_one_statement(voucher, record)
            else:
                written = stock.issue_in_one_statement(voucher, record, settings=WAIT_BOUNDS)
        except IntegrityError as exc:
            diag = getattr(exc.__cause__, "diag", None)
            if getattr(diag, "constraint_name", None) == "idempotency_key_unique":
                raise
            raise _already_claimed(campaign) from exc
        except OperationalError as exc:  # lock_timeout or statement_timeout
            raise busy() from exc
        if written:
            record.voucher = voucher
            return voucher
    with transaction.atomic():
        voucher = _issue(**issue)
        record.voucher = voucher
        record.save(force_insert=True)
    return voucher


def _idempotency_key_exists(user_pk: int, key: str) -> bool:
    """Whether a user has sent ``key`` before: plain SQL, as the crowd asks it on every retry."""
    table = connection.ops.quote_name(IdempotencyKey._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {table} WHERE user_id = %s AND key = %s",  # noqa: S608 (a name)
            [user_pk, key],
        )
        return cursor.fetchone() is not None


def _claim_through_gate(
    *,
    key: str,
    request_hash: str,
    holder: Any,
    campaign: VoucherCampaign,
    holder_name: str,
    id_number: str,
    residence_region: Region | None = None,
    origin: str = Origin.ENTERED,
) -> tuple[Voucher, bool] | None:
    """:func:`voucher_claim_idempotent` through the Redis gate (``xiqia/tourism/gate.py``).

    The same answers as the database path: refusals of the input and of the campaign first,
    then the key, then the person and the stock (from the gate; the database has the last
    word on an admitted claim). Returns None when the gate is cold: take the database path.
    """
    name, number, now = _claimable(
        campaign=campaign,
        holder_name=holder_name,
        id_number=id_number,
        residence_region=residence_region,
        holder=holder,
        actor=holder,
        now=None,
    )
    _check_eligible(campaign, residence_region)
    digest = personal.digest(PersonalKind.ID_NUMBER, number)
    ticket = {"campaign_pk": campaign.pk, "digest": digest, "user_pk": holder.pk, "key": key}
    verdict, detail = gate.admit(request_hash=request_hash, **ticket)
    if verdict == "cold":
        if not gate.build(campaign):  # Redis away, or another process is building it
            return None
        verdict, detail = gate.admit(request_hash=request_hash, **ticket)
        if verdict == "cold":
            return None
    if verdict == "reused":
        raise _key_reused()
    if verdict == "in_flight":
        raise _key_in_flight()
    if verdict == "replay":
        return Voucher.objects.select_related("campaign").get(pk=int(detail)), True
    if verdict == "claimed":
        # A key older than the gate's memory of it is answered from the database. The crowd's
        # second tries carry new keys: one plain indexed look-up tells them apart.
        if _idempotency_key_exists(holder.pk, key):
            record = IdempotencyKey.objects.select_related("voucher").get(user=holder, key=key)
            return _replay(record, request_hash)
        raise _already_claimed(campaign)
    if verdict == "pending":
        raise busy()
    if verdict == "sold_out":
        if detail not in {"", "0"}:
            gate.sweep_if_due(campaign)
        raise _sold_out()
    outcome, voucher = "refused", None
    try:
        voucher = _issue_with_key(
            campaign=campaign,
            holder=holder,
            holder_name=name,
            number=number,
            residence_region=residence_region,
            now=now,
            origin=origin,
            record=IdempotencyKey(
                user=holder,
                key=key,
                request_hash=request_hash,
                completed=True,
                response_status=201,
                created_at=now,
            ),
        )
        outcome = "issued"
    except IntegrityError:
        # The key was used on the database path while the gate was cold: answer from there.
        return None
    except DomainError as exc:
        outcome = {"sold_out": "sold_out", "already_claimed": "claimed"}.get(exc.code, "refused")
        raise
    finally:
        gate.settle(
            outcome=outcome,
            request_hash=request_hash,
            voucher_pk=voucher.pk if outcome == "issued" and voucher else None,
            **ticket,
        )
    return voucher, False


# The public lottery (see xiqia/tourism/lottery.py for the procedure) -----------------------------


def _require_lottery(campaign: VoucherCampaign, actor: Any) -> None:
    if actor is not None:
        access.require(actor, access.Action.CHANGE, campaign)
    if campaign.allocation_mode != AllocationMode.LOTTERY:
        raise DomainError(_("This campaign is not a lottery."), code="not_a_lottery")


def _locked(campaign: VoucherCampaign) -> VoucherCampaign:
    return VoucherCampaign.objects.select_for_update().get(pk=campaign.pk)


@transaction.atomic
def lottery_publish_seed_hash(
    *, campaign: VoucherCampaign, seed_hash: str, actor: Any
) -> VoucherCampaign:
    """Publish the SHA-256 of the secret seed; once published it cannot change."""
    _require_lottery(campaign, actor)
    campaign = _locked(campaign)
    value = seed_hash.strip().lower()
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise ValidationError({"seed_hash": _("Enter a SHA-256 hash: 64 hexadecimal characters.")})
    if campaign.draw_seed_hash:
        raise Conflict(_("The seed hash is already published."), code="seed_hash_published")
    if campaign.entrants_frozen_at:
        raise Conflict(_("The entrant list is already frozen."), code="entrants_frozen")
    campaign.draw_seed_hash = value
    campaign._history_user = actor
    campaign.save(update_fields=["draw_seed_hash"])
    return campaign


@transaction.atomic
def lottery_register(
    *,
    campaign: VoucherCampaign,
    holder_name: str,
    id_number: str,
    residence_region: Region | None = None,
    holder: Any = None,
    actor: Any = None,
    now: datetime.datetime | None = None,
    origin: str = Origin.ENTERED,
) -> LotteryEntry:
    """Enter a person in a lottery campaign's draw, once per ID number, while it is open."""
    if actor is not None and holder != actor:
        raise PermissionDenied
    name = _clean_name(holder_name)
    number = _clean_id_number(id_number)
    if campaign.allocation_mode != AllocationMode.LOTTERY:
        raise DomainError(_("This campaign is not a lottery."), code="not_a_lottery")
    if actor is not None and not campaign.is_published:
        raise DomainError(_("This campaign is not open."), code="claim_closed")
    now = timezone.now() if (now is None or actor is not None) else now
    if now < campaign.claim_opens_at:
        raise DomainError(_("Registration has not opened yet."), code="registration_not_open")
    _check_eligible(campaign, residence_region)
    if now >= campaign.claim_closes_at or _frozen_at_with_share_lock(campaign):
        raise DomainError(_("Registration has closed."), code="registration_closed")
    entry = LotteryEntry(
        campaign=campaign,
        holder=holder,
        holder_name=name,
        id_number=personal.PersonalValue(PersonalKind.ID_NUMBER, number),
        residence_region=residence_region,
        registered_at=now,
        origin=origin,
    )
    try:
        with transaction.atomic():
            entry.save(force_insert=True)
    except IntegrityError as exc:
        raise Conflict(
            _("This ID number is already registered for this draw."), code="already_registered"
        ) from exc
    return entry


def _frozen_at_with_share_lock(campaign: VoucherCampaign) -> datetime.datetime | None:
    """Read whether the list is frozen, holding a share lock on the campaign until commit.

    Registrations share the lock with each other; the freeze takes it exclusively, so it waits
    for every registration in flight and no entry can slip in after the list's hash is taken.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT entrants_frozen_at FROM tourism_vouchercampaign WHERE id = %s FOR SHARE",
                [campaign.pk],
            )
            return cursor.fetchone()[0]
    # SQLite runs one writing transaction at a time (IMMEDIATE): a plain read is enough.
    return (
        VoucherCampaign.objects.filter(pk=campaign.pk)
        .values_list("entrants_frozen_at", flat=True)
        .get()
    )


@transaction.atomic
def lottery_freeze(
    *, campaign: VoucherCampaign, actor: Any, now: datetime.datetime | None = None
) -> VoucherCampaign:
    """Freeze the entrant list at the close of registration and record its SHA-256."""
    _require_lottery(campaign, actor)
    campaign = _locked(campaign)
    now = now or timezone.now()
    if now < campaign.claim_closes_at:
        raise DomainError(_("Registration is still open."), code="registration_open")
    if not campaign.draw_seed_hash:
        raise DomainError(
            _("Publish the seed hash before the entrant list is frozen."), code="no_seed_hash"
        )
    if campaign.entrants_frozen_at:
        raise Conflict(_("The entrant list is already frozen."), code="entrants_frozen")
    codes = LotteryEntry.objects.filter(campaign=campaign).values_list("code", flat=True)
    campaign.entrants_digest = lottery.entrants_digest(codes)
    campaign.entrants_frozen_at = now
    campaign._history_user = actor
    campaign.save(update_fields=["entrants_digest", "entrants_frozen_at"])
    return campaign


@transaction.atomic
def lottery_draw(
    *, campaign: VoucherCampaign, seed: str, actor: Any, now: datetime.datetime | None = None
) -> list[str]:
    """Reveal the seed and draw: winners are marked, and anyone can recompute them."""
    _require_lottery(campaign, actor)
    campaign = _locked(campaign)
    if not campaign.entrants_frozen_at:
        raise DomainError(_("Freeze the entrant list first."), code="entrants_not_frozen")
    if campaign.drawn_at:
        raise Conflict(_("The draw has already taken place."), code="already_drawn")
    if lottery.seed_hash(seed) != campaign.draw_seed_hash:
        raise ValidationError({"seed": _("This seed does not match the published hash.")})
    codes = list(LotteryEntry.objects.filter(campaign=campaign).values_list("code", flat=True))
    if lottery.entrants_digest(codes) != campaign.entrants_digest:  # a guard: never expected
        raise DomainError(_("The entrant list changed after it was frozen."), code="list_changed")
    winners = lottery.draw(seed, codes, campaign.total_count)
    LotteryEntry.objects.filter(campaign=campaign, code__in=winners).update(won=True)
    campaign.draw_seed = seed
    campaign.drawn_at = now or timezone.now()
    campaign._history_user = actor
    campaign.save(update_fields=["draw_seed", "drawn_at"])
    return winners


@transaction.atomic
def lottery_claim(
    *, entry: LotteryEntry, actor: Any, now: datetime.datetime | None = None
) -> Voucher:
    """Turn a winning entry into its voucher, once, until the end of validity."""
    if actor is not None and entry.holder_id != getattr(actor, "pk", None):
        raise PermissionDenied
    campaign = entry.campaign
    now = timezone.now() if (now is None or actor is not None) else now
    if not (campaign.drawn_at and entry.won):
        raise DomainError(_("This entry did not win a voucher."), code="not_a_winner")
    if now >= campaign.valid_until:
        raise DomainError(_("This voucher has expired."), code="expired")
    if not entry.id_number:
        raise DomainError(_("This voucher's personal data has been purged."), code="purged")
    return _issue(
        campaign=campaign,
        holder=entry.holder,
        holder_name=entry.holder_name,
        number=entry.id_number.reveal(),
        residence_region=entry.residence_region,
        now=now,
        origin=entry.origin,
    )


# Redemption ------------------------------------------------------------------------------------


def may_redeem_at(actor: Any, merchant: Merchant) -> bool:
    """Return whether a user works the till of a merchant (or is a platform administrator)."""
    principal = access.principal_for(actor)
    if principal.is_admin:
        return True
    if not principal.is_authenticated:
        return False
    if (
        merchant.organisation_id is not None
        and merchant.organisation_id in principal.organisation_ids
    ):
        return True
    return merchant.cashiers.filter(pk=actor.pk).exists()


@transaction.atomic
def voucher_redeem(
    *,
    code: str,
    merchant: Merchant,
    spend: Decimal,
    actor: Any,
    now: datetime.datetime | None = None,
) -> Voucher:
    """Redeem a voucher at a merchant, once: the first of two cashiers wins, the other is told."""
    if actor is not None and not may_redeem_at(actor, merchant):
        raise PermissionDenied
    now = timezone.now() if (now is None or actor is not None) else now
    code = str(code).strip()
    voucher = Voucher.objects.select_related("campaign").filter(code=code).first() if code else None
    if voucher is None:
        raise DomainError(_("No voucher has this code."), code="unknown_voucher")
    campaign = voucher.campaign
    if not campaign.merchants.filter(pk=merchant.pk).exists():
        raise DomainError(
            _("This voucher cannot be used at %(merchant)s.") % {"merchant": merchant.name},
            code="merchant_not_participating",
        )
    if voucher.status == VoucherStatus.REDEEMED:
        raise _just_used(voucher)
    if now < campaign.valid_from:
        raise DomainError(_("This voucher is not valid yet."), code="not_yet_valid")
    if now >= campaign.valid_until:
        raise DomainError(_("This voucher has expired."), code="expired")
    spend = Decimal(spend)
    if spend < campaign.min_spend:
        raise DomainError(
            _("The spend must be at least %(amount)s yuan.") % {"amount": campaign.min_spend},
            code="below_min_spend",
        )
    _bound_waits()
    try:
        changed = Voucher.objects.filter(pk=voucher.pk, status=VoucherStatus.CLAIMED).update(
            status=VoucherStatus.REDEEMED,
            redeemed_at=now,
            merchant=merchant,
            spend=spend,
            redeemed_by=actor,
        )
    except OperationalError as exc:
        raise busy() from exc
    if not changed:  # another cashier redeemed it between our read and our update
        voucher.refresh_from_db()
        raise _just_used(voucher)
    voucher.refresh_from_db()
    return voucher


def _just_used(voucher: Voucher) -> Conflict:
    when = (
        timezone.localtime(voucher.redeemed_at).strftime("%H:%M:%S") if voucher.redeemed_at else ""
    )
    return Conflict(
        _("This voucher was just used (at %(time)s).") % {"time": when}, code="already_redeemed"
    )


# Resident discounts ----------------------------------------------------------------------------


@transaction.atomic
def discount_decide(
    *,
    policy: ResidentDiscountPolicy,
    proof: str,
    region: Region,
    gate: str,
    actor: Any,
    now: datetime.datetime | None = None,
    origin: str = Origin.ENTERED,
) -> DiscountDecision:
    """Record a gate's decision: class of proof, district of residence, time and gate only.

    The district is the one the proof's address shows, as the staff read it; the ID number's
    prefix never decides residency (see ``RESIDENCY_RULE``).
    """
    if actor is not None and not access.allows(actor, access.Action.CHANGE, policy):
        raise PermissionDenied
    if proof not in Proof.values or not policy.accepts(proof):
        raise ValidationError({"proof": _("This spot does not accept this proof.")})
    if not gate.strip():
        raise ValidationError({"gate": _("Name the gate.")})
    eligible = list(policy.eligible_regions.all())
    granted = any(region.code.startswith(r.prefix) for r in eligible)
    decision = DiscountDecision(
        policy=policy,
        proof=proof,
        region=region,
        granted=granted,
        gate=gate.strip(),
        decided_at=now or timezone.now(),
        recorded_by=actor,
        origin=origin,
    )
    decision.full_clean()
    decision.save()
    return decision


# Personal data ---------------------------------------------------------------------------------


def may_see_personal_data(actor: Any, voucher: Voucher) -> bool:
    """Those who run the campaign may see a holder's number unmasked (and it is logged)."""
    from xiqia.tourism.policies import campaigns_run_by

    principal = access.principal_for(actor)
    q = campaigns_run_by(principal)
    if q is None:
        return False
    return VoucherCampaign.objects.filter(q, pk=voucher.campaign_id).exists()


@transaction.atomic
def voucher_reveal_id_number(*, voucher: Voucher, actor: Any, reason: str) -> str:
    """Return a holder's ID number unmasked, writing the view to the audit log first."""
    if not may_see_personal_data(actor, voucher):
        raise PermissionDenied
    reason = " ".join(str(reason).split())
    if not reason:
        raise ValidationError({"reason": _("Say why you need to see the number.")})
    if not voucher.id_number:
        raise DomainError(_("This voucher's personal data has been purged."), code="purged")
    PersonalDataAccess.objects.create(
        viewer=actor,
        voucher=voucher,
        campaign_id=voucher.campaign_id,
        field="id_number",
        reason=reason[:200],
    )
    return voucher.id_number.reveal()


@transaction.atomic
def campaign_purge_personal_data(
    *, campaign: VoucherCampaign, actor: Any = None, now: datetime.datetime | None = None
) -> int:
    """Erase holders' names, ID numbers and accounts once the retention period has passed.

    The vouchers stay (status, merchant, spend, dates), so every statistic stays. Return the
    number of vouchers purged.
    """
    if actor is not None and not access.allows(actor, access.Action.CHANGE, campaign):
        raise PermissionDenied
    now = now or timezone.now()
    if now < campaign.purge_due_at():
        raise DomainError(
            _("Personal data of this campaign is kept until %(date)s.")
            % {"date": timezone.localtime(campaign.purge_due_at()).date().isoformat()},
            code="retention_running",
        )
    purged = (
        Voucher.objects.filter(campaign=campaign)
        .exclude(holder_name="", id_number="", holder=None)
        .update(holder_name="", id_number="", id_number_digest=None, holder=None)
    )
    LotteryEntry.objects.filter(campaign=campaign).update(
        holder_name="", id_number="", id_number_digest=None, holder=None
    )
    IdempotencyKey.objects.filter(voucher__campaign=campaign).delete()
    VoucherCampaign.objects.filter(pk=campaign.pk).update(personal_data_purged_at=now)
    campaign.personal_data_purged_at = now
    return purged


def purge_due_campaigns(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Purge every campaign whose retention period has passed; return vouchers purged by slug."""
    now = now or timezone.now()
    done: dict[str, int] = {}
    for campaign in VoucherCampaign.objects.filter(
        valid_until__lt=now, personal_data_purged_at__isnull=True
    ):
        if now >= campaign.purge_due_at():
            done[campaign.slug] = campaign_purge_personal_data(campaign=campaign, now=now)
    return done
