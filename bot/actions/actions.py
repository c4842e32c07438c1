"""Entry point for `rasa run actions --actions bot.actions.actions`: imports every action."""

from bot.actions.complaint_form import ValidateComplaintForm  # noqa: F401
from bot.actions.context_replies import (  # noqa: F401
    ActionReplyInContext,
    ActionResumeSurvey,
)
from bot.actions.digitization_form import ValidateDigitizationForm  # noqa: F401
from bot.actions.filing import (  # noqa: F401
    ActionAskConfirmSubmission,
    ActionAskFieldToEdit,
    ActionFinishDigitization,
    ActionFinishImprovement,
    ActionFinishReport,
    ActionPrepareReport,
    ActionStopFiling,
)
from bot.actions.follow_up import (  # noqa: F401
    ActionAskOwnershipProof,
    ActionExplainWhy,
    ActionFollowUp,
    ActionPrepareFollowUp,
    ValidateFollowUpForm,
)
from bot.actions.handoff import (  # noqa: F401
    ActionFallback,
    ActionHandoff,
    ActionHandoffClosed,
)
from bot.actions.improvement_form import ValidateImprovementForm  # noqa: F401
from bot.actions.notifications import (  # noqa: F401
    ActionFinishSurvey,
    ActionNotify,
    ActionStopSurvey,
    ValidateSurveyForm,
)
from bot.actions.offers import ActionAcceptOffer  # noqa: F401
from bot.actions.profile import ActionAskUseSavedProfile  # noqa: F401
from bot.actions.verification import ActionAskMobileCode  # noqa: F401
