"""``orgsim recommend``: the best structure and staffing within a budget, searched, confirmed, and what it gives up.

>>> from orgsim.recommend import recommend, load_question
"""

from orgsim.recommend.question import Question, load_question, question_from_data
from orgsim.recommend.run import Recommendation, recommend

__all__ = ["Question", "Recommendation", "load_question", "question_from_data", "recommend"]
