"""Deterministic crisis and medical-emergency detection.

Pure functions over text, so the rules can be tested without a model. The patterns
run on normalised text: lower case, no accents, apostrophes dropped ("don't" ->
"dont"), leetspeak undone, a letter repeated 3+ times squeezed to one, everything that is not
a letter or digit turned into a single space.

When in doubt the detector escalates: a missed crisis is the worst failure, an extra
hotline message is acceptable.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from re import Pattern

CRISIS = "crisis"
EMERGENCY = "emergency"
# Crisis words in a safe frame (idiom, negation, question about treatment): the
# normal answer plus a one-line reminder of the crisis line.
MENTION = "mention"
NONE = "none"


@dataclass(frozen=True)
class Assessment:
    verdict: str
    # Which rule family fired; never the user's words, so it is safe to log.
    category: str | None = None


_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "@": "a", "$": "s"})
_APOSTROPHES = re.compile(r"[’'`´]")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_REPEATS = re.compile(r"([a-z])\1{2,}")
# Leetspeak only inside words, so "988" or "24/7" stay numbers.
_SPACED_LETTERS = re.compile(r"\b[a-z](?: [a-z]\b){2,}")
_LEET_WORD = re.compile(r"\b(?=[a-z0-9@$]*[a-z])[a-z0-9@$]+\b")


# Long, distinctive words whose misspellings are common in distress ("suicdal",
# "myslef"). Short words are left alone: "kill" is one letter from "bill".
_FUZZY_WORDS = ("suicide", "suicidal", "myself", "overdose", "overdosed", "selfharm")
_FUZZY_LETTERS = tuple((word, frozenset(word)) for word in _FUZZY_WORDS)


def _distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (adjacent transpositions count once)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def _canonical(token: str) -> str:
    if len(token) < 6 or token in _FUZZY_WORDS:
        return token
    for word, letters in _FUZZY_LETTERS:
        allowed = 2 if min(len(token), len(word)) >= 8 else 1
        if abs(len(token) - len(word)) > allowed:
            continue
        # Each edit brings in at most one letter the word lacks: a cheap, exact filter
        # before the quadratic distance (most tokens fail it).
        if sum(c not in letters for c in token) > allowed:
            continue
        if _distance(token, word) <= allowed:
            return word
    return token


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = _APOSTROPHES.sub("", text)
    text = _LEET_WORD.sub(lambda m: m.group(0).translate(_LEET), text)
    text = _NON_WORD.sub(" ", text)
    text = _REPEATS.sub(r"\1", text)
    # "k i l l myself" -> "kill myself"
    text = _SPACED_LETTERS.sub(lambda m: m.group(0).replace(" ", ""), text)
    return " " + " ".join(_canonical(t) for t in text.split()) + " "


def _rx(*patterns: str) -> Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


# Spellings of suicide/suicidal seen in the wild, plus slang.
# Typos of these words are mapped to them before matching (see _canonical).
_SUICIDE = r"suicid\w*|sewer ?slide|sewerslide|sooicide"
_SELF = r"(?:my ?self|myslef|mysefl|mself|meself|my own self)"
_OTHER_SELF = r"(?:him ?self|her ?self|them ?selves|them ?self|themself)"
_KILL = r"(?:kill|kil|kll|klil|murder|off|unalive|delete|end)"
_DIE = r"(?:die|dye|dead|die already)"
_PERSON = (
    r"(?:he|she|they|son|daughter|kid|child|teen|friend|partner|wife|husband|boyfriend"
    r"|girlfriend|mom|mum|mother|dad|father|brother|sister|roommate|cousin|patient)"
)
_METHOD_MEANS = (
    r"pills?|meds|medications?|prescriptions?|tablets|sleeping pills|painkillers|tylenol|paracetamol"
    r"|insulin|opioids?|fentanyl|bleach|poison|rope|noose|gun|pistol|rifle|firearm"
    r"|bullet|razor|blade|knife|bridge|building|roof|train|cliff"
)

# Medicines people stockpile by name; kept out of _METHOD_MEANS, whose patterns would
# escalate ordinary questions about these medicines ("thinking about my lithium dose").
_STOCKPILED = (
    r"benzos?|xanax|klonopin|clonazepam|valium|diazepam|ativan|lorazepam|ambien|zolpidem"
    r"|seroquel|quetiapine|lithium|oxy\w*|percocet|vicodin|hydrocodone|morphine|codeine"
    r"|tramadol|gabapentin|antidepressants|sleeping tablets|ibuprofen|advil|aspirin"
)

# First-person intent, plans, self-harm, passive ideation, hopelessness, slang.
_CRISIS_PHRASES = _rx(
    r" (?:im|i am|i m) (?:actively|currently|seriously) suicidal ",
    # A euphemism flagged as one: "planning my final trip, if you know what I mean".
    r" (?:final|last|one way|permanent) (?:trip|journey|exit|sleep|goodbye|ride|vacation) (?:\w+ ){0,3}(?:if )?you know what i mean ",
    # explicit ideation
    rf" (?:{_KILL}|kiling|killing|hurt|hurting|hang|hanging|shoot|shooting|drown|poison"
    rf"|overdose on) {_SELF} ",
    rf" (?:want|wanna|going|gonna|plan|planning|ready|about|trying|try|tried|thinking"
    rf"|think|thought|decided|need|should|could|will|might) (?:to )?(?:just )?"
    rf"(?:{_KILL}|kiling|killing) my ?self ",
    r" kms | kys | unalive | unaliving | ctb | catch(?:ing)? the bus | toaster bath ",
    r" self ?delet(?:e|ing|ion) | (?:check|checking|checked|clock|clocking|log|logging) (?:out|off)"
    r" (?:for good|permanently|forever) ",
    r" (?:thinking about|think about|thought about|want to|wanna|going to|gonna|ready to|plan to|planning to"
    r"|planning on) (?:check|checking) out early ",
    r" (?:only|last|one) reason (?:i was|im|i am|i m|ive been|i ve been|i stayed|i kept|i keep|i am still|im still)"
    r" (?:still )?(?:here|alive|around|going|living|going on) ",
    # The veterans' suicide figure, said about oneself.
    r" 22 (?:a|per|each) day (?:\w+ ){0,12}(?:understand|get it|get why|me next|join them|one of them) ",
    r" in (?:a )?crisis | (?:im|i am|i m) in danger ",
    r" (?:dont|do not|not|wont|dont even) (?:plan|planning|intend|expect|going) (?:on |to )?(?:be|being) (?:here"
    r"|around|alive) (?:by|after|next|much|past|come|when|anymore) ",
    r" (?:dont|do not|wont|dont even) (?:plan|planning|intend|expect|think ill|think i will) (?:on |to )?"
    r"(?:see|seeing|reach|reaching|make it to|making it to|turn|turning|live to|living to)"
    r" (?:\d+|\w+ty|my next birthday|next year|christmas|the new year|summer|spring) ",
    # "I'm not safe" about oneself, not about driving after an infusion.
    r" (?:im|i am|i m) not safe (?:$|right now|now|tonight|today|anymore|alone|with my ?self|at home|here"
    r"|and|please|help|i )",
    r" (?:i )?dont feel safe (?:with my ?self|alone with my ?self|being alone|around my ?self) ",
    r" (?:nobody|no one|noone|no body|not a single person) (?:would|will|is going to|gonna) (?:even |really )?"
    r"(?:miss|notice|care) (?:me|him|her|them|if (?:i|he|she|they) (?:was|were|died|disappeared|was gone|were gone))",
    # Means set out in front of them.
    r" (?:pills|tablets|meds|medication|blades?|razors?) (?:\w+ ){0,2}(?:lined up|laid out|counted out|spread out"
    r"|in a pile|all in front of me)",
    # A day named and nothing else: "Friday. That's the day." (the score weighs it).
    r" (?:thats|that is|its|it is|\w+day is|tomorrow is|tonight is|today is) the (?:day|night)"
    r" (?!of |for |to |we |my |i start|i get|i go|she |he |they |you )",
    rf" (?:want|wanting|wanted|urges?|urge) to (?:burn|cut|hurt|harm|scratch|punish) (?:{_SELF}|yourself|urself) ",
    r" (?:think|thinking|thought) about (?:dying|death|being dead|not being alive|not existing|not being here)"
    r" (?:\w+ ){0,2}(?:constantly|all the time|every day|everyday|nonstop|non stop|24 7|every night|all day)",
    r" (?:end|ending|ended|take|taking|took) (?:my|my own) (?:life|lyfe) ",
    r" (?:end|ending|finish|finishing) (?:it|it all|everything|things) (?:all |now |tonight |today |soon )?",
    r" (?:want|wanna|wish|wished|hope|ready|going|gonna|deserve) (?:to |i could |i would |i )?"
    rf"(?:just )?(?:{_DIE}|be dead|not exist|stop existing|disappear forever|not be alive) ",
    r" wanting to die | want death | rather be dead | better off dead | better dead ",
    r" wish i (?:was|were|had) (?:dead|never been born|not born|not alive|gone) ",
    r" (?:dont|do not|dnt|dont really|no longer|dont even) (?:want|wanna|wish) (?:to )?"
    r"(?:live|be alive|be here|exist|go on|wake up|keep going|keep living|be around|continue) ",
    r" (?:not|never) (?:wake|waking) up ",
    r" (?:hope|wish|pray|praying|hoping|wishing) (?:that )?i (?:just |simply |would |will |could )*"
    r"(?:dont|do not|never|not|wont|didnt) (?:wake up|wake|make it|survive|see tomorrow) ",
    r" if i (?:just |simply )?(?:wasnt|werent|was not|were not|wasn t) (?:here|around|alive) ",
    r" if i (?:just |simply )?(?:was|were|am|m) (?:gone|dead|not here|not around|no longer here) ",
    r" if i (?:just |simply )?(?:died|disappeared|never woke up|didnt wake up) ",
    r" (?:fall|go) (?:a)?sleep (?:and|n) (?:never|not) wake ",
    r" sleep forever | (?:stop|cease) (?:to )?exist(?:ing)? | disappear forever ",
    r" (?:not sure|dont know|unsure|no idea) (?:if |whether |why )?i (?:still |even )?"
    r"(?:want to|wanna|should|can) (?:live|be alive|be here|go on|keep going|exist) ",
    r" (?:tired|sick|done) (?:of|with) (?:living|life|being alive|existing|everything) ",
    r" (?:reason|point) (?:to|in|of) (?:live|living|life|being alive|going on|keep going|carrying on|existing) ",
    r" (?:easier|better|happier) (?:for everyone |for them |for my family )?if i (?:was|were|wasnt|werent|died) ",
    r" (?:notice|care|miss me) if i (?:was|were|died|disappeared|was gone|were gone) ",
    r" (?:nothing|no one|nobody) (?:left )?to live for ",
    r" (?:cant|can not|cannot) (?:go on|keep going|do this anymore|take it anymore|take this anymore"
    r"|cope anymore|live like this|keep living) ",
    r" (?:life|living) (?:is not|isnt|aint|not) worth ",
    r" not worth living | no way out | only way out | only way to (?:stop|end) | give up on (?:life|living|everything) ",
    # hopelessness and burden
    r" better off without me | (?:be )?better without me | a burden (?:to|on|for) ",
    r" (?:im|i am|i feel|feel like|i m) (?:such |just |only )?(?:a )?burden ",
    r" (?:hopeless|helpless and hopeless|no hope|lost all hope|lost hope) ",
    r" (?:wont|will not|not) be (?:around|here) (?:much longer|for long|anymore|tomorrow) ",
    r" (?:say|said|saying) goodbye (?:to everyone|for good|forever) ",
    r" (?:suicide|goodbye) (?:note|letter) | (?:wrote|writing|write) (?:a|my) (?:note|letter) to (?:my|everyone) ",
    r" giving away (?:my|all my) (?:stuff|things|belongings) ",
    # plans and means
    rf" (?:took|take|taking|swallow|swallowed|swallowing|down|downed|popped|pop|gonna take"
    rf"|going to take) (?:all|a bunch of|bunch of|too many|a lot of|lots of|a handful of|many|so many"
    rf"|handful of|the whole|a whole|a full|an entire|all of|all the|my whole) "
    rf"(?:of )?(?:my |the |his |her |their |bottle of |pack of |box of )*(?:{_METHOD_MEANS}) "
    # "should I take all my meds as usual on infusion day?" is a medication question.
    r"(?!as usual|as normal|as prescribed|as always|like normal|like usual|normally)",
    rf" (?:stockpil\w*|saving up|saving|saved up|hoarding|hoarded|collecting|stashing|hiding)"
    rf" (?:all )?(?:my |the |his |her |their |up )?(?:{_METHOD_MEANS}) ",
    rf" (?:stockpil\w*|hoard\w*|stash\w*|sav(?:e|ing|ed) up) (?:all |up |on )?(?:of )?"
    rf"(?:my |the |his |her |their |some )?(?:\w+ )?(?:{_STOCKPILED}) ",
    r" (?:take|taking|took|swallow\w*|down|downing|gonna take|going to take) (?:everything|all|whatever)"
    r" (?:\w+ ){0,3}(?:medicine |bathroom |pill |meds )?(?:cabinet|cupboard|drawer|in the house) ",
    r" (?:take|swallow|taking|swallowing|down|use) (?:them|it|those|these|the lot) all | all of them at once ",
    rf" (?:{_METHOD_MEANS}) (?:\w+ ){{0,4}}(?:using it|use it|do it|end it|with it) ",
    rf" (?:looking at|staring at|holding|thinking about) (?:my |the |a |his |her )?(?:\w+ )?(?:{_METHOD_MEANS}) ",
    # "... the darkness came back and I have a plan now. I'm scared": a plan with no object.
    r" (?:i have|ive got|i ve got|i now have|ive made|i ve made) a plan (?:now )?"
    r"(?:$|im |i m |i am |and (?:im|i m|i am|its|i dont|i cant) |(?!to |for |with |of |in |on |b |a |that |which |thanks |thank |sorted |figured |so ))",
    r" (?:know|decided|figured out|planned|worked out) (?:exactly )?how (?:im|i am|i will|ill|i m|to)"
    r" (?:going to |gonna )?(?:do it|end it|kill|go) ",
    r" overdos\w* (?:on purpose|intentionally|tonight|deliberately) | (?:i|im|gonna|going to|want to|will) overdose ",
    r" how (?:many|much) (?:\w+ ){0,5}(?:to|would|will|does it take to) (?:die|kill|overdose|od|end) ",
    r" (?:lethal|fatal|deadly) (?:dose|amount|overdose) ",
    r" (?:bought|have|got|get|buy|holding|loaded|load) (?:a |the |my )?(?:gun|pistol|rifle|rope|noose) ",
    r" (?:tie|tied|tying|make|made|making) (?:a )?noose ",
    r" (?:jump|jumping|jumped) (?:off|from|in front of) ",
    r" (?:step|walk|walking) in front of (?:a )?(?:train|car|bus|truck) ",
    r" slit (?:my )?(?:wrists?|throat) ",
    # self-harm
    rf" (?:cut|cuting|burn|hurt|harm|punish|scratch|bleed|starv)\w* {_SELF} ",
    r" (?:cut|cutting|cuting|carve|carving) (?:my|on my) (?:arms?|wrists?|legs?|thighs?|skin|stomach) ",
    r" (?:started|start|back to|relapsed|relapse|urge to) (?:cutting|self harming|hurting myself) ",
    r" cut (?:deeper|again|more|myself) | (?:want|wanting|wanna|urge|urges) to cut (?!back|down|out|costs|ties|my hair|the )",
    # reports about someone else
    rf" (?:{_KILL}|kiling|kill|hurt|harm|cut|shoot|shot|hang|hung|burn|starv|poison)\w* {_OTHER_SELF} ",
    r" (?:end|ending|take|taking|took) (?:his|her|their) (?:own )?(?:life|lives) ",
    rf" {_PERSON} (?:\w+ ){{0,4}}(?:wants|want|wanted|wanting|talks about wanting|talking about wanting"
    rf"|said he wants|said she wants|says he wants|says she wants) (?:to )?(?:die|be dead|not be here|disappear) ",
    rf" {_PERSON} (?:\w+ ){{0,3}}(?:is|s|has been|was|seems|been|might be|may be|could be) (?:\w+ )?(?:{_SUICIDE}) ",
    rf" {_PERSON} (?:\w+ ){{0,4}}(?:doesnt|does not|didnt|did not|dont|wont) (?:want|wanna) (?:to )?"
    r"(?:live|be alive|be here|exist|go on|wake up) ",
    r" (?:better off|happier|easier) without (?:me|him|her|them) | (?:would|will|d) be better off"
    r" (?:with someone else|with somebody else|if i (?:was|were) gone) ",
    # passive ideation: wishing for an accident, an illness or not to wake
    r" (?:hope|hoping|wish|wishing|pray|praying) (?:\w+ ){0,3}(?:that )?(?:i |something |someone |a car |god |the \w+ )"
    r"(?:\w+ ){0,4}(?:hit by|run over|runs me over|hits me|takes me|take me|kills me|crash|crashes"
    r"|goes down|go down|dies|die|dont wake|never wake|wont wake) ",
    r" (?:wish|wished|wishing) (?:i )?(?:had |d |id |would have )?never (?:been born|existed|woken up) ",
    r" (?:terminal|cancer|fatal) (?:\w+ ){0,8}(?:relieved|relief|good news|hope its) ",
    r" sleep (?:and|n|an) (?:no|not|never|dont|don t) (?:wake|waking) ",
    r" (?:want|wnat|wamt|wnt|wan|wana|wanna) (?:to )?(?:dei|diee|dye) ",
    r" (?:disapear|dissapear|disappear|dissappear|vanish) (?:for ever|forever|for good|permanently) ",
    # means at hand, heights, vehicles
    r" (?:knife|gun|pistol|rifle|blade|razor|rope|noose) (?:\w+ ){0,3}(?:next to me|beside me|in my hand"
    r"|in my lap|on my lap|by my bed|in front of me|looking at it|staring at it) ",
    rf" how (?:many|much) (?:\w+ ){{0,5}}(?:{_METHOD_MEANS}) (?:\w+ ){{0,3}}(?:it would take|would it take"
    r"|does it take|it takes|to take|is enough|would be enough) ",
    r" (?:thinking (?:about|of)|want to|wanna|going to|gonna|about to|ready to|urge to|tempted to)"
    r" jump(?:ing)? (?!in |into |at |right |on board|ahead|through|start)",
    r" (?:on|at) (?:the )?(?:roof|ledge|edge|bridge|top of) (?:\w+ ){0,8}(?:jump|jumping|looking down|fall) ",
    r" (?:bridge|cliff|ledge|rooftop|roof) (?:\w+ ){0,8}(?:looking down|staring down|jump) ",
    r" (?:drive|driving|drove|crash|crashing|steer|steering|swerve|swerving) (?:\w+ ){0,3}"
    r"(?:into (?:a |the )?(?:wall|tree|traffic|oncoming|truck|pole|river|lake)|off (?:a |the )?(?:bridge|cliff|road|overpass|pier))",
    r" (?:searching|searched|googling|googled|looked up|looking up|look up|researching|researched|reading about)"
    r" (?:\w+ ){0,4}(?:ways|way|how) to (?:die|kill|end it|end (?:my|his|her|their) life|commit) ",
    # self-harm
    rf" (?:hit|hitting|punch|punching|beat|beating|slap|slapping|choke|choking|strangl\w*|bruis\w*) {_SELF} ",
    r" (?:until|till|til) (?:it|they|i|my \w+|the skin) (?:bled|bleeds|bleed|bleeding|bruised|bruise|broke) ",
    r" (?:fresh|new|deep|deeper) cuts | (?:make|made|making) cuts | cuts? on my (?:arms?|wrists?|legs?"
    r"|thighs?|stomach|skin|body|hips?) ",
    r" sh (?:urges?|again|relapse|thoughts) | (?:urges? to|relapsed? (?:on|into)?) ?(?:sh|self harm) ",
    r" (?:used|using|grabbed|picked up) (?:the|a|my) (?:blade|razor) ",
    # hopelessness, feeling trapped, burden
    r" (?:theres|there is|whats|what is|see|is) no point (?:anymore|any more|in anything|to anything|in trying"
    r"|of anything|in going on) | no point (?:anymore|any more) | whats the point (?:anymore|of anything|of it all"
    r"|of living|of trying|of going on) ",
    r" (?:nothing|it|things|life) (?:is )?(?:ever )?(?:going to|gonna|will ever|will never|is never going to"
    r"|is never gonna|never gets) (?:get|be|gets) better | (?:never|not) (?:going to|gonna) get better ",
    r" (?:out of|run out of|ran out of|no more|no other) options | nothing (?:else )?left to try ",
    r" (?:was|is) my last (?:hope|resort|chance|option) (?:\w+ ){0,6}(?:didnt|did not|doesnt|failed|not working|no"
    r" help|isnt working) ",
    r" (?:taking up|waste of) (?:space|oxygen|air) ",
    r" given up on (?:life|myself|everything|getting better|ever getting better|trying|hope) "
    r"| (?:im|i am|i m) done (?:trying|fighting|with everything|with life|with it all) "
    r"| (?:cant|can not|cannot) fight (?:it|this|anymore|any more)",
    r" (?:dont|do not|wont|cant|can not|cannot|not going to|not gonna|might not|not sure|no way)"
    r" (?:\w+ ){0,4}(?:make it|survive|get|last) (?:through )?(?:the night|tonight|the weekend|another day"
    r"|much longer|till morning|until morning) ",
    # goodbyes, final arrangements
    r" (?:texted|messaged|sent|wrote|said|saying|say) (?:me |us |them )?(?:a |my |his |her )?"
    r"(?:goodbye|good bye|goodbyes|farewell)s? (?:to (?:my|everyone|her|him|them|all)|and (?:now|hes|shes|isnt|is not|not)) ",
    r" (?:texted|messaged|sent) (?:me |us )?(?:a )?(?:goodbye|good bye|farewell) ",
    r" (?:left|leave|leaving|found|wrote|writing|written|write) (?:a |her |his |their |my )?(?:note|notes|letters?)"
    r" (?:\w+ ){0,4}(?:sorry|goodbye|family|everyone|kids|children|for my|to my|to everyone) ",
    r" (?:this is|these are|here are) my (?:last|final) (?:message|words|post|text|goodbye) ",
    r" (?:after|when|once|for when) (?:im|i am|i m) (?:gone|dead|not here|no longer here) "
    r"| (?:after|when|once) i (?:die|am dead|m dead|pass) ",
    r" wont be needing (?:them|it|anything|my|any more|anymore) | wont be (?:coming back|around anymore"
    r"|around much longer|here much longer) ",
    r" wont (?:hear|see) (?:from )?me (?:again|anymore|any more) ",
    r" (?:sorry|apologi\w*) (?:\w+ ){0,4}(?:couldnt|could not|wasnt able to|never could) (?:get better|do this"
    r"|go on|keep going|be better|fix myself|be enough) ",
    r" thank (?:you|u)? ?(?:all )?for everything (?:\w+ ){0,8}(?:goodbye|bye|sorry|farewell) ",
    r" (?:at peace|made peace|made my peace) with (?:my decision|it all|dying|death|the decision|leaving)"
    r"(?! to (?:start|try|book|begin|get|have|do|go ahead))",
    r" (?:tell|let|know|remember) (?:\w+ ){0,3}(?:it wasnt|it was not|its not|it is not|it isnt) (?:their|your|his|her|anyones|any ones) fault ",
    r" (?:gave|give|giving|given) (?:away )?(?:my|all my|away my|away all my) (?:dog|cat|pets?|stuff|things|belongings"
    r"|possessions|savings|guitar|jewelry|jewellery) (?:away |to )",
    r" (?:said|say|saying) (?:my )?goodbyes? to (?:my|everyone|all) ",
    r" (?:wouldnt|would not|wouldn t) mind if i (?:\w+ )?(?:stopped|died|didnt|never|was|were|got|just)"
    r" (?:existing|exist|dead|gone|wake|woke|died|hit|killed|disappeared)",
    r" (?:dont|do not|cant|cannot|can not) see myself (?:being |making it |making it to )?(?:around|here|alive"
    r"|living|still here|the next|next|tomorrow|through) ",
    r" (?:am|m|is|are) not (?:want|wanting|wish|like) to (?:live|be alive|exist|wake) | no (?:want|wish) to live ",
    r" (?:written|wrote|writing|finished) (?:the|my|all the|all my|some) (?:notes|letters|goodbye) ",
    r" (?:stockpil\w*|hoard\w*|sav(?:e|ing) (?:them |it )?up|stash\w*) (?:them|it|those|these) ",
    r" (?:roof|bridge|ledge|edge|cliff) (?:\w+ ){0,8}(?:coming back|not coming|never coming) "
    r"| dont think (?:im|i am|ill be|i will be) coming back ",
    r" (?:guns?|pistol|rifle|firearm)s? (?:\w+ ){0,10}(?:know where|the key|access to|loaded|bullets|ammo) ",
    rf" (?:bottle|bottles|handful|pile|stack|box|boxes) of (?:my |all my |her |his )?(?:\w+ )?(?:{_METHOD_MEANS}|antidepressants)"
    r" (?:\w+ ){0,8}(?:on the table|in front of me|lined up|ready|next to me|vodka|whiskey|alcohol|booze) ",
    r" (?:hitting|banging|bang|hit|smashing|slamming|smash) my head (?:\w+ )?(?:against|on|into) ",
    r" i (?:cut|cutted) (?:again|and|too deep|deep|deeper|last night|tonight|today) ",
    r" (?:im|i am|i feel like|feel like|i m) (?:such |just |only )?(?:a )?(?:dead weight|waste of space|waste of oxygen"
    r"|waste of life|drain on everyone) ",
    r" (?:cant|can not|cannot) (?:live|go on|keep living|keep going) (?:with (?:it|this|the pain)|like this)"
    r"(?: one more day| another day| anymore)? ",
    r" (?:want|wish|need) (?:it all|everything|all of this|all this|it|this|the pain) to (?:be over|end|stop)"
    r" (?:for good|forever|permanently) | (?:want|wish|need) (?:it all|everything|all of this) to (?:be over|end|stop) ",
    r" (?:dont|do not) want (?:anyone|anybody|you|them|people) to (?:rescue|save|stop|find) me ",
    r" (?:six|6) (?:feet|ft|foot) under | pushing up daisies | (?:dig|digging) my (?:own )?grave ",
    r" (?:posted|texted|messaged|sent|wrote|left|recorded) (?:me |us |a |an |her |his |their )*(?:goodbye|good bye|farewell"
    r"|final) (?:message|post|text|note|letter|video|voicemail) ",
    r" (?:wish|wishes|wished) (?:he|she|they|i) (?:was|were|had|would) (?:dead|never been born|gone|not alive|die) ",
    r" say goodbye (?:\w+ ){0,3}(?:thanks|thank you) for (?:trying|everything) ",
    r" (?:calm|peace|peaceful)(?: \w+){0,8} (?:my decision|decided|made up my mind)"
    r"| (?:my decision|decided|made up my mind)(?: \w+){0,8} (?:calm|peace|peaceful) ",
    r" cancel (?:all )?my (?:future |remaining |upcoming |other )?(?:sessions|appointments|infusions|visits)"
    r" (?:\w+ ){0,3}(?:wont be here|wont need|wont be needing|wont be around|no longer need) ",
    r" (?:tell|let) (?:\w+ ){0,3}(?:(?:she|he|they|you) did (?:her|his|their|your) best|(?:was|were) kind to me) ",
    # "I might not be around next week", unless a trip or work explains it.
    r" (?:i|im|i m) (?:might|may|probably|honestly|just) (?:not|no longer) be (?:around|here|alive)"
    r" (?:next|much longer|for (?:much|long)|anymore|by then|to see)"
    r"(?!.* (?:trip|vacation|holiday|travel\w*|out of town|business|conference|work|moving) )",
    r" (?:told me|said|says|admitted|mentioned|texted me) (?:that )?(?:she|he|they) (?:has|have|had|made|got) a plan"
    r" (?:$|(?=i |and |but |to (?:end|kill|die|do it|hurt)))",
    r" (?:dont|do not) (?:really |even )?care (?:what happens to me|if i (?:die|live|wake up|make it)|whether i (?:live|die)) ",
    rf" hoping (?:my heart|it all|everything|i) (?:\w+ ){{0,2}}(?:stops|stop|ends|end|dont wake|never wake) "
    rf"| (?:{_METHOD_MEANS}|alcohol|drinks?) (?:\w+ ){{0,4}}on purpose ",
    r" (?:goodbye|good bye|bye|farewell) (?:everyone|everybody|all|world|forever|for good|for ever) "
    r"| (?:goodbye|good bye|bye)(?: \w+){0,3} (?:im|i am|i m) (?:so )?sorry "
    r"| this is (?:my )?(?:goodbye|good bye|farewell|the end for me) ",
    r" (?:last|final) (?:day|days|week|night|month|time|weekend) (?:on earth|alive|of my life|here on earth"
    r"|in this world|on this planet) ",
    r" death (?:would be|is|seems|sounds|feels like it would be) (?:\w+ )?(?:kinder|better|easier|a relief|preferable"
    r"|welcome|peaceful|the answer) ",
    r" so (?:that )?(?:i|he|she|they) (?:can|could|will|would|d) (?:just )?(?:die|be dead|not wake up|never wake up) ",
    r" (?:go|going|leave|leaving|gone|depart\w*) (?:from )?this (?:world|earth|life) "
    r"| (?:better|easier) if i (?:go|leave|left|went|disappear|disappeared|vanish) ",
)

# Method, means and lethal-dose questions: a crisis whatever the frame, because no safe
# frame ("just curious", "for a story", "asking about ketamine") makes the answer safe to
# give. Checked before negations and questions about treatment can defuse anything.
_METHOD_QUESTIONS = _rx(
    # A question about a lethal effect, then the wish: "... stop your breathing? asking
    # because I want it to", "... because that's what I'm hoping for".
    r" (?:stop (?:your|my|me|someones) breath\w*|kill (?:you|me|someone)|be (?:fatal|lethal|deadly)"
    r"|(?:not|never) wake up|die) (?:\w+ ){0,14}(?:because|cause|cuz|coz|bc) (?:\w+ ){0,2}(?:i (?:want|wanted) (?:it|that)"
    r"|i (?:want|wanted) to(?! (?:know|understand|ask|learn|check|be sure|make sure|find out|be safe|stay safe))|thats (?:kind of |sort of |exactly |actually )?what (?:im|i m|i am) (?:hoping|going|looking)"
    r"|(?:im|i m|i am) hoping (?:it|so|for|that)) ",
    r" (?:painless|painfree|easiest|easy|quickest|quick|fastest|best|surest|sure|least painful|most peaceful"
    r"|peaceful|gentlest|quietest|simplest|cleanest|most effective|foolproof|reliable) (?:\w+ )?"
    r"(?:way|ways|method|methods|means|option|options) (?:\w+ )?(?:to|of) (?:die|dying|go|end it|end (?:my|your"
    r"|their|a|ones) (?:own )?life|kill|killing|do it|commit|not wake|never wake|overdose|od) ",
    r" how (?:do|can|could|would|should|might|does) (?:i|you|one|someone|somebody|a person|people|he|she|they)"
    r" (?:\w+ ){0,2}(?:die|kill (?:my|your|them|him|her)\w*|end (?:my|your|their|his|her) (?:own )?life"
    r"|commit suicide|overdose|od|hang (?:my|your)\w*|not wake up|never wake up)"
    r" (?!groggy|tired|sick|nauseous|dizzy|confused|feeling|with|early|late|during|in the middle)",
    r" how (?:many|much) (?:\w+ ){0,6}(?:to|would|will|could|before|until|till|does it take to) (?:\w+ )?"
    r"(?:die|kill|be fatal|be lethal|overdose|od|not wake|never wake|stop (?:my|your|the|a|his|her) (?:heart|breathing))",
    r" how (?:many|much) (?:\w+ ){0,6}(?:is|are|would be|counts as|be) (?:a )?(?:lethal|fatal|deadly|too much to survive"
    r"|an overdose|enough to (?:die|kill|not wake|never wake)) ",
    r" (?:lethal|fatal|deadly|toxic|killing|overdose) (?:dose|doses|amount|amounts|level|levels|quantity|limit) ",
    r" enough (?:\w+ ){0,5}(?:to|that|so) (?:\w+ ){0,2}(?:not wake|never wake|dont wake|do not wake|wont wake"
    r"|will not wake|wouldnt wake|would not wake|couldnt wake|die|kill|end it|sleep forever|not come back|never come back"
    r"|stop (?:my|the|your|a|someones|a persons) (?:heart|breathing)) ",
    r" (?:big|large|high|strong) enough (?:\w+ ){0,4}(?:not|never|dont|do not|wont) wake ",
    r" (?:too much|too many|enough) (?:\w+ ){0,6}(?:stop (?:my|the|your"
    r"|a|someones|a persons|his|her) (?:heart|breathing)) ",
    r" (?:will|would|could|does|can|is) (?:that|this|it|these|those|they|\d+) (?:\w+ ){0,3}(?:do it|be enough to"
    r" (?:die|kill|end it)|stop my (?:heart|breathing)) ",
    r" how long (?:does it|would it|will it|until|till|before) (?:\w+ ){0,2}(?:take to )?(?:die|dying|bleed out|be dead) ",
    r" (?:which|what) (?:\w+ ){0,3}(?:pills?|meds|medications?|drugs?|medicine|poison|chemicals?|combination)"
    r" (?:\w+ ){0,4}(?:to die|would kill|kill you|kill me|are lethal|is lethal|are fatal|is fatal|to not wake|to never wake) ",
    r" (?:i|me) (?:\w+ ){0,3}want it to (?:stop|kill|end) | asking because i want (?:it|that) to (?:happen|work|stop|kill) ",
    r" (?:kill|end) (?:my ?self|me) (?:\w+ ){0,4}(?:with|using) ",
    # What dying a given way feels like: "is overdosing on sleeping pills painful".
    r" (?:overdos\w*|od ing|hanging|drowning|bleeding out|poisoning) (?:\w+ ){0,5}(?:painful|painless"
    r"|hurt|hurts|peaceful|quick|drift off|feel anything) ",
    r" (?:painful|painless|hurt|peaceful) (?:\w+ ){0,2}to (?:overdose|od|hang|drown|bleed out) ",
    # Spanish: "la forma menos dolorosa de morir", "cuantas pastillas para no despertar".
    r" (?:forma|manera|modo) (?:\w+ ){0,2}(?:menos dolorosa|mas facil|mas rapida|mas segura) de (?:morir|matarme|suicidarme) ",
    r" cuant[oa]s? (?:\w+ ){0,5}(?:para|hasta) (?:morir|no despertar|matarme|matarse|no volver a despertar) ",
    r" (?:dosis|cantidad) (?:letal|mortal) ",
)

# Crisis language in Spanish (the rules run on text without accents, so "más" is "mas").
_SPANISH_CRISIS = _rx(
    r" (?:quiero|quisiera|quiere|queria|voy a|vamos a|pienso|pensando en|deseo|planeo|necesito)"
    r" (?:\w+ ){0,2}(?:morir|morirme|morirse|matarme|matarse|suicidarme|suicidarse|quitarme la [vb]ida"
    r"|quitarse la [vb]ida|desaparecer para siempre|dejar de existir|acabar con (?:todo|mi [vb]ida|esto)) ",
    r" (?:no|ya no) (?:quiero|quiere|puedo) (?:seguir )?(?:[vb]ivir|seguir|existir|despertar|mas) ",
    r" (?:matarme|suicidarme|quitarme la [vb]ida|me quiero morir|me quiero matar|se quiere morir|se quiere matar) ",
    r" (?:hacerme|hacerse|me hago|me hice|me estoy haciendo) dano | (?:me corte|me corto|cortarme|se esta cortando"
    r"|me estoy cortando|se corta) ",
    r" (?:mejor|mejores|felices) sin mi | (?:soy|me siento) una carga ",
    r" no (?:voy a|vaya a) estar (?:aqui|aca|vivo|viva) ",
    r" (?:cansad[oa]|harto|harta) de (?:[vb]ivir|existir|la [vb]ida) | no (?:le )?veo (?:el )?sentido a (?:seguir|[vb]ivir|nada) ",
    r" pensando en la muerte | pienso en (?:la muerte|morir|matarme) | ganas de (?:morir|morirme|matarme|desaparecer) ",
    r" (?:contra si mism[oa]|contra mi mism[oa]) ",
    r" (?:tomar|tomarme|tomarmelas|tomarmelos) (?:\w+ ){0,2}todas? | pastillas guardadas | tengo guardadas ",
    r" (?:no aguanto|ya no aguanto|no puedo) mas (?:esta [vb]ida|[vb]ivir|con esto|$)",
    r" despedirme de (?:todos|mi familia) | carta de despedida ",
    r" (?:acabar|terminar) con mi [vb]ida ",
)

# Words that are a crisis on their own unless the frame is safe (negated, a question
# about treatment). Missing any frame, they escalate.
_CRISIS_TOPIC_WORDS = _rx(
    rf" (?:{_SUICIDE}) ",
    r" self ?harm\w* | self ?injur\w* | selfharm\w* | self mutilat\w* ",
    r" overdos\w* | od ",
    r" (?:want|wanna) to die | kill (?:my ?self|me) | end my life ",
    r" (?:dark|bad) thoughts ",
    r" sui (?:ideation|thoughts|thots|urges|attempt) ",
    r" death wish ",
)

# A personal disclosure overrides any safe frame: "I have suicidal thoughts, can
# ketamine help?" is a crisis, not a question about treatment.
_FILLER = (
    r"(?:am|m|is|are|was|feel|feeling|felt|have|ve|had|get|getting|keep|keeps|been|having|still"
    r"|always|so|really|very|pretty|kind of|kinda|often|sometimes|lately|constantly|currently"
    r"|a lot of|some|these|those|bad|constant|frequent|passive|recurring|daily|with|for|of|my"
    r"|been having|thinking|thoughts|was being|being|deeply|extremely|severely|now|a history of"
    r"|history of|a|past|recent|at|high|higher|very high|elevated|risk)"
)
_DISCLOSURE = _rx(
    rf" (?:i|im|i m|ive|i ve|id|i d|we|my|me|help me) (?:{_FILLER} ){{0,4}}"
    rf"(?:{_SUICIDE}|self ?harm\w*|selfharm\w*|dark thoughts|thoughts of (?:death|dying)"
    rf"|thoughts about (?:death|dying)|overdos\w*) ",
    rf" {_PERSON} (?:{_FILLER} ){{0,4}}(?:{_SUICIDE}|self ?harm\w*|selfharm\w*) ",
    r" (?:i|we) (?:just )?(?:overdosed|od d) ",
    # "I've been thinking about suicide a lot", "... who are suicidal? Because I am."
    rf" (?:i|im|i m|ive|i ve|i have|i keep|i cant stop) (?:been )?(?:thinking|think|thought"
    rf"|dreaming|fantasi\w*) (?:about|of) (?:{_SUICIDE}|killing my ?self|ending (?:it|my life)) ",
    rf" (?:{_SUICIDE}) (?:\w+ ){{0,2}}(?:because|cause|cuz|coz|bc|since) (?:i am|im|i m)"
    r"(?: too| also)?(?: right now| now| rn| today| tonight)? $",
    # A state, not a topic: "suicidal again, ketamine not working".
    rf" (?:{_SUICIDE}|self ?harm\w*) (?:again|still|rn|right now|today|tonight|all day|every day"
    r"|all the time|lately|these days) ",
    r" theyre (?:\w+ ){0,2}(?:louder|worse|stronger|back|constant|intense|every day|getting) ",
    r" (?:mine|my own|my thoughts|they) (?:have|has|are|is|ve|re|s) (?:been )?(?:\w+ ){0,2}(?:intense|bad|worse|strong"
    r"|constant|back|getting|louder|stronger|every day|daily) ",
    rf" (?:the|my|those|these) (?:{_SUICIDE}|self ?harm\w*|dark) (?:thoughts?|urges?|feelings?|ideation)"
    r" (?:are|is|have been|keep|kept|came|come|have come|re) (?:\w+ )?(?:back|coming back|getting worse|worse"
    r"|stronger|louder|intense|constant|every day) ",
    r" (?:i have|ive got|i ve got|im having|i m having|having) (?:them|those|these|it) (?:\w+ )?(?:right now|rn"
    r"|now|tonight|today|again|every day|all the time) | (?:im|i m|i am) about to (?:give in|act on|do it|relapse) ",
    # A story or a statistic taken personally: "... I think I'll do the same".
    r" (?:i|ill|i will|im going to|i want to|i wanna|i should|i might) (?:\w+ ){0,2}(?:do the same|do it too"
    r"|be next|join (?:him|her|them)|follow (?:him|her|them)|be one of them) ",
    r" (?:i have|ive got|i ve got|i made|i now have|i have made|i ve made|ive made|got) a plan"
    r" (?:now|to|for (?:it|tonight|how|when))? ",
)

# Safe frames, each removed from the text before the crisis phrases are checked.
_IDIOMS = _rx(
    r" (?:is|are|was|its|it s|thats|this|these|those|you re|youre|theyre|they are|my \w+ (?:is|are)) "
    r"(?:\w+ ){0,2}killing me(?: softly)?",
    r" (?:\w+ )?killing me (?:lol|lmao|haha|rn|right now lol)",
    # "this heat wave is going to kill me"; not pills or meds that would.
    r"(?<! pills)(?<! meds)(?<! drugs)(?<! pill) (?:is|are|s) (?:going to|gonna) kill me(?! if| when)",
    r" killing (?:it|time)| killed it| kill time| kill (?:for|a) (?:a |an |some )?\w+",
    r" (?:could|would) kill (?:for|someone for) ",
    r" dying (?:to|for|of laughter|laughing|of boredom)| die laughing| died laughing| to die for",
    r" (?:im|i m|i am|literally) (?:so )?dead (?:lol|lmao|haha|xd|omg)| dead (?:lol|lmao|haha)",
    r" overdos\w* on (?:coffee|caffeine|sugar|chocolate|candy|netflix|tv|work|cake|pizza|carbs)",
    r" (?:bored|scared|worried|frightened|tickled) to death",
    r" dead (?:tired|serious)",
    r" my (?:phone|battery|laptop|car) (?:is |just )?(?:dead|died|dying)",
    r" (?:boss|mom|mum|dad|wife|husband|partner|teacher|he|she|they|you|it|this|that|kids?)"
    r" (?:is |s |will |would |gonna |going to |is gonna |is going to |might )+kill me",
    r" (?:the )?death of me",
    r" (?:will|would|gonna|going to|is gonna|is going to|might) (?:literally )?kill me (?:if|when|for|because|lol)",
    # Carrying on with prescribed medicines: "do I keep taking them all as usual?"
    r" (?:keep|keeps|continue|continuing|still|stop|stopping|pause|pausing) (?:taking|to take) (?:them|these|those) all",
    r" (?:take|taking) (?:them|these|those) all (?:as (?:usual|normal|prescribed)|like (?:usual|normal))",
)

# Distress that looks like an idiom but is not one: never defused.
_DISTRESS_IDIOMS = _rx(
    r" (?:depression|anxiety|ptsd|life|living|loneliness|grief|this pain|the pain|my thoughts"
    r"|my mind|my brain|being alive|existing|everything) (?:is |are )?(?:\w+ )?killing me ",
)

_NEGATOR = (
    r"(?:not|never|no|nt|dont|do not|didnt|im not|i am not|i m not|arent|isnt|wasnt|havent|hasnt"
    r"|no longer|none|zero|without|didnt ever|have never|ve never|never ever)"
)
_NEGATION_FILLER = (
    r"(?:really|actually|currently|feeling|having|been|had|have|any|ever|at all|at the moment"
    r"|right now|feel|get|getting|experiencing|thinking about|thinking of|and never have been"
    r"|wanted to|want to|wanna|planned to|plan to|tried to|intend to|going to|gonna|in|a|at"
    r"|attempted|considered|contemplated|thought about|any history of|history of|have any)"
)
_NEGATED = _rx(
    rf" {_NEGATOR} (?:{_NEGATION_FILLER} ){{0,3}}(?:{_SUICIDE}|self ?harm\w*|selfharm\w*|dark thoughts)"
    rf"(?: (?:thoughts?|ideation|feelings?|urges?|tendencies|risk))?",
    rf" {_NEGATOR} (?:{_NEGATION_FILLER} ){{0,2}}(?:thoughts?|urges?|ideation|plans?|intention|history)"
    rf" (?:of|about|to) (?:{_SUICIDE}|self ?harm\w*|hurting myself|harming myself|killing myself"
    r"|hurt myself|harm myself|kill myself|end my life|die)",
    # A screening question reported, not answered yes: "the form asked if I'm suicidal".
    r" (?:asked|asks|ask|asking|questionnaire|form|survey|screening|intake) (?:\w+ ){0,4}(?:if|whether|about)"
    rf" (?:\w+ ){{0,4}}(?:thoughts? (?:of|about) )?(?:{_SUICIDE}|self ?harm\w*|hurting myself|harming myself"
    r"|killing myself|hurt myself|ending my life)"
    r"(?: (?:thoughts?|ideation|feelings?|urges?))?",
    # Recovery: "I used to feel hopeless but I don't anymore".
    rf" (?:used to|last year i|years ago i|in the past i|back then i|before (?:treatment|ketamine|the infusions|i started) i)"
    rf" (?:was|were|felt|had|wanted to|used to)? ?(?:\w+ ){{0,2}}(?:{_SUICIDE}|cut|cutting|self ?harm\w*|die)"
    r"(?: \w+){0,8} (?:now|but now|these days|today|since)(?: \w+){0,4}"
    r" (?:better|good|great|fine|well|clean|stable|happy|planning|thank)",
    rf" (?:{_SUICIDE}|self ?harm\w*) (?:thoughts?|urges?|ideation|feelings?) (?:i had |i used to have )?"
    r"(?:\w+ ){0,3}(?:have |has |had |are |is )?(?:completely |totally |all )?"
    r"(?:went away|gone away|gone|stopped|disappeared|faded|lifted|eased|improved)",
    rf" (?:years?|months?) ago i (?:attempted|tried|was|felt) (?:\w+ ){{0,2}}(?:{_SUICIDE}|to end it)"
    r"(?: \w+){0,8} (?:now|today|since)(?: \w+){0,6} (?:better|good|great|well|graduate\w*|work|thank|happy|clean)",
    rf" (?:wanted|used) to (?:die|cut|{_KILL} myself) (?:before|until) (?:i started|starting|treatment|ketamine|the infusions)",
    r" used to cut (?:\w+ ){0,4}(?:but|and) (?:\w+ ){0,3}(?:clean|stopped|quit|better)",
    rf" used to (?:feel|be|have|get) (?:\w+ ){{0,2}}(?:hopeless|{_SUICIDE}|self ?harm\w*|dark thoughts)"
    r"(?: thoughts)? (?:but|and) (?:i )?(?:dont|do not|no longer|not|havent|am not|im not) (?:\w+ )?(?:anymore|any more|now)",
    r" (?:not|never) (?:going to|gonna|planning to|thinking about|thinking of|want to|wanting to) "
    r"(?:hurt|harm) (?:my ?self|anyone)",
    r" (?:not|never) (?:going to|gonna|planning to|about to) do (?:anything|something)(?: stupid)? to my ?self",
    rf" {_NEGATOR} (?:{_NEGATION_FILLER} ){{0,3}}(?:hurt|hurting|harm|harming|cut|cutting) my ?self",
    rf" {_NEGATOR} (?:{_NEGATION_FILLER} ){{0,3}}(?:ending|end|taking|take) my (?:own )?life",
    r" (?:dont|do not|didnt|never) (?:really |even |ever )?(?:want|wanna|wanted|wish) (?:to )?"
    r"(?:die|be dead)(?: or anything| or something| lol| though)?",
    rf" {_NEGATOR} (?:{_NEGATION_FILLER} ){{0,3}}(?:crisis|danger|at risk|a danger to myself)",
)

# "I'm not suicidal, but I think about it a lot": the negation is taken back.
_RETRACTION = _rx(
    r" (?:but|though|although|except|yet|still) (?:\w+ ){0,6}(?:think about it|thinking about it"
    r"|the thoughts?|urges?|sometimes i|wish i|feel like i|imagine|picture myself|wonder what it"
    r"|plan|planned|do it) ",
    r" (?:answered|said|put|ticked|checked|circled) yes | (?:the )?answer (?:is|was|would be) yes ",
    # "I was finally not suicidal for the first time in years. Now it's all back."
    r" (?:now|but now|and now|but) (?:its|it is|theyre|they are|it s|the thoughts are|everythings)"
    r" (?:all )?(?:back|coming back|returning|worse) ",
)

# Asking about treatment (or the research) rather than disclosing: "can ketamine help
# suicidal thoughts?".
_INFORMATIONAL = _rx(
    r" (?:can|could|does|do|is|are|will|would|should|how|what|why|when|which|has|have) (?:\w+ ){0,6}"
    r"(?:ketamine|infusions?|treatment|therapy|esketamine|spravato|studies|research|psychiatrists?"
    r"|treat|accept|eligible|eligibility|qualify|candidates?|questionnaire|screen|screening|intake|form"
    r"|contraindicat\w*|disqualif\w*|rule (?:me|someone|you|people) out)",
    r" (?:said|says|read|heard|seen|saw|told me|claims?) (?:that )?(?:\w+ ){0,4}"
    r"(?:helps?|reduces?|treats?|lowers?|works?|used|approved)",
    r" (?:ketamine|infusions?|treatment|therapy|esketamine|spravato|studies|research|study|fda|trials?)"
    r" (?:\w+ ){0,6}(?:help|helps|treat|treats|reduce|reduces|used|approved|work|works|effective"
    r"|shown|show|lower|lowers|risk|for|effects?|properties)",
    rf" (?:risk|rates?|prevention|awareness|research|studies|statistics|paper|article|essay) (?:of |on |for |about )?(?:{_SUICIDE}|overdose)",
    rf" (?:{_SUICIDE}) (?:rates?|statistics|prevention|awareness|research|studies|data|epidemiology) ",
    r" (?:anti ?suicidal|antisuicidal) ",
    rf" (?:{_SUICIDE}) (?:risk|net|nets|barrier|barriers|hotline|line|crisis line|awareness month) ",
    rf" (?:warning signs?|risk factors|signs) (?:\w+ ){{0,5}}(?:{_SUICIDE})",
    rf" (?:more|less) likely to (?:die by|attempt|commit) (?:{_SUICIDE})?",
    rf" (?:guidelines|journalists?|reporting|reporters?) (?:\w+ ){{0,5}}(?:{_SUICIDE})",
    rf" (?:song|movie|film|book|novel|documentary|show|series|episode|album|lyrics|play|poem|podcast"
    rf"|news|article|headline|character|game) (?:\w+ ){{0,8}}(?:{_SUICIDE})",
    r" what (?:is|s) 988 | 988 (?:is|number|line|for) ",
    rf" (?:warning|warnings|black box|label|labels) (?:\w+ ){{0,2}}(?:about|on|for|of) (?:{_SUICIDE})",
)

# Medical emergencies after (or outside) an infusion.
_EMERGENCY = _rx(
    r" (?:chest|heart) (?:pain|pains|hurts|hurting|is hurting|tightness|tight|pressure|is pounding"
    r"|pounding|racing|is racing|wont slow down|beating really fast|feels like its exploding)",
    r" (?:my )?chest (?:\w+ ){0,2}(?:hurts|hurting|tight|pressure|pain|crushing|squeez\w*)",
    r" heart attack| cardiac arrest",
    r" (?:cant|cannot|can not|can t|could not|couldnt|struggling to|hard to|trouble|difficulty"
    r"|having trouble|not able to|unable to) (?:breath|breathe|breathing|catch (?:my|his|her|their) breath)",
    r" (?:not|isnt|stopped|stop) breathing| short of breath| shortness of breath| gasping",
    r" (?:having|had|has|is having|in) (?:a )?(?:seizure|fit|convulsion)s?| seizing| convuls\w*",
    r" (?:passed|passing) out| fainted| fainting| collapsed| unresponsive"
    r"| (?:is|was|went|are|found|hes|shes|theyre|just went|been|now) unconscious"
    r"| (?:wont|will not|cant|not) wak(?:e|ing) (?:him|her|them)? ?up",
    r" (?:face|mouth|smile|eye) (?:\w+ ){0,3}droop\w*| droop\w* (?:face|mouth|smile)"
    r"| speech (?:is )?(?:\w+ )?slurr\w*| turning (?:blue|grey|gray|purple)"
    r"| (?:one side|left side|right side) (?:\w+ ){0,4}(?:numb|droop\w*|weak|paraly\w*)"
    r"| numb (?:\w+ ){0,6}(?:speak|talk|words|speech)| (?:speak|talk|words|speech) (?:\w+ ){0,6}numb"
    r"| words (?:are )?(?:coming out wrong|dont make sense|not making sense)| (?:vomiting|puking|coughing) blood",
    r" stroke| face (?:is )?droop\w*| slurr\w* (?:speech|words)| cant move (?:my|his|her) (?:arm|leg|face|side)",
    r" anaphyla\w*| throat (?:is )?(?:closing|swelling|swollen|tight)| (?:face|lips|tongue) (?:is |are )?(?:swelling|swollen)"
    r"| severe (?:allergic|reaction)| allergic reaction",
    r" (?:coughing|vomiting|throwing) up blood| bleeding (?:heavily|a lot|wont stop)"
    r"| (?:wont|will not|doesnt|does not|cant get it to|wouldnt) stop bleeding| soaked through",
    r" (?:cant|can not|cannot|unable to|couldnt) (?:feel|move|lift) (?:my|his|her|their) (?:left |right )?"
    r"(?:arm|leg|face|side|hand)",
    r" not responding| (?:isnt|is not|wont|not) respond\w*| shaking all over| (?:jerking|twitching) (?:all over|uncontrollably)",
    r" (?:blood pressure|bp) (?:is )?(?:\w+ ){0,3}(?:through the roof|very high|dangerously|sky high|\d{3})",
    r" (?:overdosed|overdosing)| took too much (?:ketamine|of it)",
    r" (?:call|need|get) (?:an )?ambulance| (?:call|calling) 911",
    r" chok(?:e|ing) (?!on my words)| (?:cant|can not|cannot|not) (?:get|getting) (?:any |enough )?air",
    r" worst headache| thunderclap headache",
    r" (?:severe|terrible|horrible|awful|splitting|pounding|excruciating|unbearable|blinding|really bad|very bad"
    r"|massive|intense) headache (?:\w+ ){0,10}(?:blood pressure|bp|infusion|session|treatment|vision|throw up|vomit\w*)"
    r"| (?:infusion|session|treatment) (?:\w+ ){0,10}(?:severe|terrible|horrible|splitting|pounding|excruciating"
    r"|unbearable|blinding|worst) headache",
    r" (?:still|keep|keeps|cant stop|can not stop|wont stop|hasnt stopped|havent stopped) (?:\w+ ){0,2}"
    r"(?:hallucinat\w*|seeing things|hearing things|hearing voices|confused|disoriented|out of it)"
    r" (?:\w+ ){0,8}(?:hours|day|days|since|after|last night|yesterday|this morning)",
    r" (?:hallucinat\w*|seeing things|hearing voices|confused|confusion|disoriented|doesnt know where|does not know where"
    r"|doesnt recogni[sz]e|does not recogni[sz]e) (?:\w+ ){0,8}(?:hours|since|still|wont go away|not going away"
    r"|hasnt gone away|havent gone away|not wearing off|hasnt worn off) ",
    r" (?:1[89]\d|2\d\d) over \d{2,3}",
    r" wheez\w* (?:\w+ ){0,2}(?:badly|bad|a lot)| (?:inhaler|epipen|epi pen) (?:\w+ )?(?:isnt|is not|not|didnt|did not"
    r"|doesnt|does not|wont) (?:helping|working|help|work)",
    r" (?:lips|face|fingers|skin|fingertips) (?:is |are )?(?:turning|going|gone|look|looks|went) (?:blue|grey|gray|purple)",
    r" (?:pain|pains|pressure|tightness|squeezing) in (?:my|his|her|their|the) (?:chest|left arm|jaw)",
    r" blacked out| (?:woke|came to|found \w+) (?:up )?on the floor| (?:blood|bleeding) (?:\w+ ){0,3}(?:from )?"
    r"(?:my|his|her|their) (?:head|mouth|ears)| head (?:is )?bleeding",
)

# An attempt under way or an overdose already taken: the emergency reply (911, with the
# crisis line under it), whatever else the message says.
_TAKEN = r"(?:took|taken|swallowed|downed|drank|popped|injected)"
_AMOUNT = (
    r"(?:whole|entire|bottle|bottles|handful|too many|(?!\d+ mg)\d{2,}|the rest of"
    r"|all (?:of )?(?:my|his|her|the|those) (?:\w+ )?(?:pills|tablets|ketamine|sleeping|pain|"
    + _STOCKPILED
    + r"))"
)
_ACT_UNDER_WAY = _rx(
    r" (?:im|i am|i m) (?:doing it|going through with it) (?:right )?now ",
    r" (?:standing|sitting|stood|sat) on (?:the )?(?:edge|ledge|railing|rail|roof|bridge)"
    r" (?:\w+ ){0,4}(?:right now|now|tonight)",
    r" (?:on|at) the (?:edge|ledge|railing) of (?:the|a|my) (?:bridge|roof|building|cliff)",
    r" (?:im|i am|sitting|sat) in (?:my|the) car (?:\w+ ){0,6}engine (?:is )?running",
    r" (?:rope|noose|belt|cord) (?:is )?(?:around|on) my neck",
    # "He's hanging in the closet, I just found him": not "hanging in there", not a coat.
    r" (?:hes|shes|he is|she is|theyre|they are|found (?:him|her|them|my \w+)) hanging"
    r" (?!in there|out|on |up |around|tough)(?:from|in|off|by)? ",
    r" (?:gun|pistol|rifle|knife|blade|razor) (?:\w+ ){0,3}(?:in my hand|to my head|in my mouth|against my)",
    r" (?:just|already) " + _TAKEN + r" (?:them all|all of them|everything|the whole)",
    r" (?:just|already) (?:swallowed|downed) (?:the|my|all) ",
    r" " + _TAKEN + r" (?:them|it) all ",
    r" "
    + _TAKEN
    + r" (?:\w+ ){0,3}"
    + _AMOUNT
    + r" (?:\w+ ){0,4}(?:pills|meds|medication|medicine|tablets"
    r"|ketamine|doses|tylenol|paracetamol|insulin|" + _STOCKPILED + r")",
    r" "
    + _TAKEN
    + r" (?:\w+ ){0,2}all (?:of )?(?:my|his|her|the) (?:\w+ )?(?:pills|tablets|"
    + _STOCKPILED
    + r")"
    r" (?:\w+ ){0,3}(?:at once|tonight|ago|just now|right now|the whole|in one go)",
    r" (?:drank|downed|swallowed|took) (?:\w+ ){0,6}(?:with|and) (?:all|a bottle of|a handful of)"
    r" (?:of )?(?:my |the |his |her )?(?:\w+ )?(?:pills|tablets|meds)",
    r" (?:theres|there is) (?:a lot of|so much) blood| blood everywhere",
)
# With crisis language already found, these mean it is happening now.
_ACT_WITH_CRISIS = _rx(
    r" locked (?:my ?self|him ?self|her ?self|them ?selves|themself|in) ",
    r" (?:already|just) (?:taken|took|swallowed) | (?:is|im|i am|shes|hes|theyre) on (?:the|a) (?:roof|ledge|bridge) ",
    r" " + _TAKEN + r" (?:\w+ ){0,3}" + _AMOUNT + r" ",
    r" (?:a lot of|so much|lots of) blood",
)


# Figures of speech that look like emergencies.
_EMERGENCY_IDIOMS = _rx(
    r" (?:gave|give|giving|gives|almost gave|nearly gave) (?:me|him|her|us|them) (?:a )?(?:heart attack|stroke)",
    r" (?:heart attack|stroke) (?:lol|lmao|haha)",
)

# "Can ketamine cause seizures?" asks about a risk; "is chest pain normal after an
# infusion?" is someone who has chest pain, so it is not excluded.
_EMERGENCY_QUESTION = _rx(
    r" (?:can|could|does|do|will|might|may|would) (?:ketamine|it|the infusion|infusions|an infusion"
    r"|the treatment|treatment|this|the drug|esketamine) (?:\w+ ){0,2}(?:cause|give|lead to|trigger|raise)",
    r" (?:risk|chance|likelihood|history) of",
    # "I get panic attacks, heart racing, can't breathe ... could infusions help?"
    r" (?:i get|i have|i keep getting|i keep having|i often get|i suffer from|ive been getting"
    r"|ive been having|i ve been getting|i ve been having) (?:\w+ ){0,3}(?:panic|anxiety) attacks"
    r"(?=.* (?:help|helps|treat|treats|work for|good for|do anything for) )",
    r" (?:can|could|is it|am i|will|would) (?:\w+ ){0,6}if (?:i|he|she|they|ive|hes|shes|i have|he has|she has)"
    r" (?:\w+ ){0,2}(?:had|have had|has had) ",
)

# Medical history and "does it happen?" questions: only these words are set aside, so
# "I had a stroke years ago" is not an emergency but "... and now my chest hurts" is.
_EMERGENCY_PAST = _rx(
    # "my dad had a heart attack last year", "I had a bad reaction to it 2 yrs ago"
    r" (?:had|has had|have had|ive had|hes had|shes had) (?:a |an )?(?:\w+ ){0,2}(?:heart attack|stroke"
    r"|seizures?|allergic reaction|reaction|anaphyla\w*|overdose)"
    r" (?:\w+ ){0,6}(?:last (?:year|month|week|spring|summer|fall|autumn|winter)|(?:years?|yrs?|months?|mos?) (?:ago|back)"
    r"|in the past|as a (?:kid|child|teen|baby)|when (?:i|he|she) was|before) ",
    # "depression since my wife's stroke"
    r" since (?:my |his |her |their |the )?(?:\w+ )?(?:stroke|heart attack|seizures?|accident|overdose) ",
    # "do people pass out during it?"
    r" (?:do|does|will|would|can|could|might) (?:people|patients|anyone|someone|most people|you|i)"
    r" (?:ever |usually |often |sometimes |normally )?(?:pass out|faint|black out|have (?:a )?seizures?)",
    # "I have a real phobia of passing out"
    r" (?:phobia|fear|afraid|scared|terrified|worried|nervous|anxious) (?:of|about) (?:\w+ ){0,2}"
    r"(?:passing out|fainting|blacking out|seizures?|having (?:a )?seizures?|choking|being unconscious"
    r"|going under|losing consciousness|being knocked out)",
)

# An after-effect that passed or is mild ("slight headache, took a tylenol and it went
# away, is that common?") or a question about someone's usual medicines: the score reads
# the symptom words as an emergency, the person is asking an ordinary question.
_EMERGENCY_RESOLVED = _rx(
    r" (?:went|goes|go|going|gone) away ",
    r" (?:it|that|which|this) (?:passed|passes|wore off|wears off|settled|eased) ",
    r" (?:passed|wore off|settled down|eased off) (?:after|within|by|quickly|on its own) ",
    r" (?:its|it is|im|i am|i feel|feeling|all) (?:fine|ok|okay|good|better|normal) (?:now|again) ",
    r" (?:its|it is|it was|and its) (?:a bit |a little |much |way )?(?:better|helping) ",
    r"^ (?:a |some )?(?:mild|slight|little|minor) ",
    r" (?:does|do|should|would|can|could) (?:she|he|i|they|my \w+) (?:\w+ ){0,2}(?:need to|have to)"
    r" (?:stop|change|pause|hold|skip|come off|adjust) ",
)
# ... unless it is getting worse or has not stopped.
_EMERGENCY_WORSENING = _rx(
    r" (?:worse|worsening|still|not (?:going away|better|stopping)|wont stop|isnt stopping"
    r"|(?:wont|doesnt|didnt|hasnt|isnt|not) (?:go|gone|going) away"
    r"|keeps? getting|cant (?:breathe|wake|stop|feel|talk|see|move)|now (?:hes|shes|im|she|he|i|my|theres))",
)


def medical_history(text: str) -> bool:
    """A past condition, a "does it happen?" question or an after-effect that passed: the
    score alone is not an emergency."""
    norm = normalise(text)
    resolved = bool(_EMERGENCY_RESOLVED.search(norm)) and not _EMERGENCY_WORSENING.search(norm)
    return bool(_EMERGENCY_PAST.search(norm) or _EMERGENCY_QUESTION.search(norm) or resolved)


def _strip(pattern: Pattern[str], text: str) -> str:
    return pattern.sub(" ", text)


def assess(text: str) -> Assessment:
    """Classifies a user message as crisis, emergency, mention or none."""
    norm = normalise(text)
    if not norm.strip():
        return Assessment(NONE)

    if _DISTRESS_IDIOMS.search(norm):
        return Assessment(CRISIS, "phrase")
    idioms_removed = _strip(_IDIOMS, norm)
    if _ACT_UNDER_WAY.search(idioms_removed):
        return Assessment(EMERGENCY, "act")
    if _METHOD_QUESTIONS.search(idioms_removed):
        return Assessment(CRISIS, "method")
    if _SPANISH_CRISIS.search(idioms_removed):
        return Assessment(CRISIS, "spanish")
    defused = _strip(_NEGATED, idioms_removed)
    if defused != idioms_removed and _RETRACTION.search(defused):
        return Assessment(CRISIS, "retracted_negation")
    if _CRISIS_PHRASES.search(defused):
        if _ACT_WITH_CRISIS.search(defused):
            return Assessment(EMERGENCY, "act")
        return Assessment(CRISIS, "phrase")

    disclosed = bool(_DISCLOSURE.search(defused))
    topical = bool(_CRISIS_TOPIC_WORDS.search(defused))
    if topical and (disclosed or not _INFORMATIONAL.search(defused)):
        return Assessment(CRISIS, "disclosure" if disclosed else "topic")

    medical = _strip(_EMERGENCY_PAST, _strip(_EMERGENCY_IDIOMS, idioms_removed))
    if _EMERGENCY.search(medical) and not _EMERGENCY_QUESTION.search(medical):
        return Assessment(EMERGENCY, "medical")

    if defused != norm or topical:
        return Assessment(MENTION, "informational" if topical else "idiom_or_negation")
    return Assessment(NONE)
