"""English function words, for jusText's stop-word density signal."""

from __future__ import annotations

# The commonest English function words; prose is dense in them, menus are not.
STOPWORDS: frozenset[str] = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    even ever few for from further had has have having he her here hers herself him himself
    his how however i if in into is it its itself just least less let like made make many
    may me might more most much must my myself neither no nor not now of off often on once
    only or other others our ours ourselves out over own per perhaps rather same several
    shall she should since so some such than that the their theirs them themselves then
    there these they this those though through thus to too under until up upon us very
    was we well were what whatever when where whether which while who whom whose why will
    with within without would yet you your yours yourself yourselves""".split()
)
