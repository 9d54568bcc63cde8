"""MongoEngine documents of the register, one module per family."""

from .accounts import Site, SocialAccount
from .audit import AuditEntry as AuditEntry
from .declaration import Declaration, DeclarationLink, DeclarationRound
from .handbook import HandbookProposal, ProposalList
from .import_log import ImportLock, ImportLog
from .member import Member
from .organisation import Organisation, OrganisationNotEmpty
from .party_study import StudyCampaign, StudyRecord
from .party_tasks import Task
from .party_work import Meeting, PartyDocument
from .submission import Submission
from .transfer import TransferOrder  # declares its unit paths (UNIT_PATHS) for refresh_subtree
from .user import User

__all__ = ["AuditEntry", "Declaration", "DeclarationLink", "DeclarationRound", "HandbookProposal", "ProposalList",
           "ImportLock", "ImportLog", "Meeting", "Member", "Organisation", "OrganisationNotEmpty", "PartyDocument",
           "Site", "SocialAccount", "StudyCampaign", "StudyRecord", "Submission", "Task", "TransferOrder", "User"]
