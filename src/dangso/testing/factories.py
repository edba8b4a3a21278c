"""factory_boy factories with realistic Vietnamese data, built through the domain actions'
rules (records are valid unless a test breaks them on purpose)."""

import datetime
import random

import factory
from django.contrib.auth.models import User
from django.db.models import F

from dangso.accounts.models import RoleAssignment
from dangso.core.dates import add_months
from dangso.core.names import random_cccd, random_name, random_phone
from dangso.members.choices import MemberStatus
from dangso.members.models import Member
from dangso.orgs.choices import OrgKind
from dangso.orgs.models import Organisation, OrganisationVersion

_rng = random.Random(204)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    code = factory.Sequence(lambda n: f"ORG{n:05d}")
    name = factory.Sequence(lambda n: f"Chi bộ số {n}")
    short_name = "CB"
    kind = OrgKind.CELL
    parent = None
    valid_from = datetime.date(2025, 7, 1)
    path = ""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        parent = kwargs.get("parent")
        kwargs["depth"] = parent.depth + 1 if parent else 0
        org = super()._create(model_class, *args, **kwargs)
        org.path = f"{parent.path if parent else '/'}{org.pk}/"
        org.save(update_fields=["path"])
        OrganisationVersion.objects.create(
            organisation=org, name=org.name, short_name=org.short_name, kind=org.kind,
            parent=parent, valid_from=org.valid_from, reason="created",
        )  # fmt: skip
        return org


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Cán bộ"
    password = factory.PostGenerationMethodCall("set_password", "mat-khau-thu-nghiem-204")

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):  # type: ignore[no-untyped-def]
        if create:
            instance.save()


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "organisation"


def _birth() -> datetime.date:
    return datetime.date(_rng.randint(1955, 1998), _rng.randint(1, 12), _rng.randint(1, 28))


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    sex = factory.LazyFunction(lambda: _rng.choice("MF"))
    full_name = factory.LazyAttribute(lambda o: random_name(_rng, o.sex))
    date_of_birth = factory.LazyFunction(_birth)
    cccd = factory.LazyAttribute(lambda o: random_cccd(_rng, o.date_of_birth, o.sex))
    admission_date = factory.LazyAttribute(lambda o: add_months(o.date_of_birth, 12 * 25))
    official_date = factory.LazyAttribute(lambda o: add_months(o.admission_date, 12))
    status = MemberStatus.OFFICIAL
    organisation = factory.SubFactory(OrganisationFactory)
    phone = factory.LazyFunction(lambda: random_phone(_rng))
    hometown = "Xã Yên Phong, tỉnh Bắc Ninh"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        member = super()._create(model_class, *args, **kwargs)
        if member.is_on_roll:
            Organisation.objects.filter(pk=member.organisation_id).update(
                member_count=F("member_count") + 1
            )
        return member
