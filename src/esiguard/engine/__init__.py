"""The triage engine: evaluation (rules against one case), questions (what to ask next) and
report (the esi-result/1 result). Pure and generic: every threshold, rule and sentence comes
from the knowledge base (`esiguard.kb`).

The entry points are `esiguard.triage` and `esiguard.next_questions` (module
`esiguard.pipeline`), which add the free-text narrative on top of these modules.
"""
