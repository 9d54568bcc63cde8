"""Which documents exist, for code that must treat them all alike (cascades, backup)."""

from __future__ import annotations


def scoped_models() -> list[type]:
    """Documents whose ``scope`` follows their ``organisation`` directly."""
    from .member import Member
    from .party_study import StudyCampaign, StudyRecord
    from .party_tasks import Task
    from .party_work import Meeting, PartyDocument

    return [Member, PartyDocument, Meeting, Task, StudyCampaign, StudyRecord]


def following_models() -> list[type]:
    """Documents re-saved when their organisation moves or is renamed."""
    from .user import User

    return [*scoped_models(), User]


def owned_models() -> list[type]:
    """Everything that blocks dissolving an organisation it belongs to."""
    from .accounts import Site, SocialAccount
    from .user import User

    return [*scoped_models(), Site, SocialAccount, User]
