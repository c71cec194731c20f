"""Every model, imported so that Alembic and `create_all` see all tables."""

from dialogue.accounts.models import AccountLink  # noqa: F401
from dialogue.api.models import ApiToken  # noqa: F401
from dialogue.coding.models import (  # noqa: F401
    AgreementCode,
    AgreementItem,
    AgreementRound,
    Coding,
    Contribution,
    Suggestion,
)
from dialogue.core.models import AuditEvent, Locality, Municipality, OutgoingMail, StaffSession, User  # noqa: F401
from dialogue.events.models import (  # noqa: F401
    Event,
    Registration,
    RegistrationContact,
    Seat,
    SeatQuota,
)
from dialogue.exports.models import ExportChunk, ExportJob  # noqa: F401
from dialogue.processes.models import Phase, Process  # noqa: F401
from dialogue.questionnaires.models import Answer, FeedbackContact, Question, Questionnaire, Response  # noqa: F401
from dialogue.reports.models import PopulationFigure  # noqa: F401
from dialogue.steering.models import FollowUp, Indicator, Measurement  # noqa: F401
from dialogue.vision.models import Vision, VisionNode  # noqa: F401
