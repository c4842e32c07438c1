"""Entry point for `rasa run actions --actions bot.actions.actions`: imports every action."""

from bot.actions.complaint_filing import (  # noqa: F401
    ActionAskConfirmSubmission,
    ActionAskFieldToEdit,
    ActionFinishComplaint,
    ActionStopFiling,
)
from bot.actions.complaint_form import ValidateComplaintForm  # noqa: F401
