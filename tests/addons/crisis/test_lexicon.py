"""The crisis rules on their own: many phrasings each way.

The held-out set in tests/nlu/ is checked separately through the trained model.
"""

from pathlib import Path

import pytest
import yaml

from addons.crisis.lexicon import (
    CRISIS,
    EMERGENCY,
    MENTION,
    NONE,
    Assessment,
    assess,
    medical_history,
    normalise,
)

# Crisis safety: make publish runs these before any new version goes live.
pytestmark = pytest.mark.unit

CRISIS_MESSAGES = [
    # explicit ideation
    "I want to kill myself",
    "i'm going to end my life",
    "thinking about suicide a lot lately",
    "I feel suicidal",
    "i have suicidal thoughts, can ketamine help?",
    "I've been suicidal for years",
    "I want to die",
    "i wanna die",
    "I'm planning to take my own life",
    "I just want to end it all",
    # passive ideation
    "I don't want to wake up tomorrow",
    "i wish i could go to sleep and never wake up",
    "sometimes I wish I was dead",
    "I don't want to be alive anymore",
    "not sure I want to live anymore",
    "I'm so tired of living",
    "there's no point in living",
    "I can't go on like this",
    "I'd be better off dead",
    # plans and means
    "i've been stockpiling my meds",
    "how many pills would it take to die",
    "what's a lethal dose of ketamine",
    "planning my final trip, if you know what I mean",
    "will the doctor still treat me if I admit I am actively suicidal",
    "is overdosing on sleeping pills painful or do you just drift off",
    "would it hurt to overdose on my meds",
    "I bought a gun",
    "I'm going to jump off the bridge tonight",
    "I wrote a suicide note",
    # self-harm
    "I've been cutting myself again",
    "i keep hurting myself",
    "I burned myself on purpose",
    "self harm is the only thing that helps",
    # hopelessness and burden
    "everyone would be better off without me",
    "I'm a burden to my family",
    "I feel completely hopeless",
    "there's no way out",
    # slang and typos
    "i want to kms",
    "thinking about unaliving myself",
    "sewer slide seems like the answer",
    "I want to kil myslef",
    "im suicdal",
    "I feel so suicidial",
    "su1c1de",
    "k i l l myself",
    "I WANT TO DIEEEE",
    "I’m going to kill myself",  # curly apostrophe
    # someone else
    "my son said he wants to kill himself",
    "my wife talks about ending her life",
    "my friend is suicidal, what do I do",
    "my daughter cuts herself",
    "my brother has been having suicidal thoughts",
    # a negation taken back
    "I'm not suicidal but I think about it a lot",
    "i don't want to kill myself but I think about it constantly",
    # distress that only looks like an idiom
    "this depression is killing me",
    # means named as medicines, plans without the word "pills", a state not a topic
    "I've been stockpiling my xanax for a while now",
    "saving up my seroquel just in case",
    "going to take everything in the bathroom cabinet tonight",
    "suicidal again today and the infusions aren't helping",
    "self harming again, I thought I was past it",
    # after blind set 12 was measured (its own messages stay out of this file)
    "why bother booking, I don't plan on being around by christmas",
    "can you give me enough ketamine to take home that I wouldn't wake up",
    "would too many of my pills stop my heart? asking for me",
    # after blind set 13 was measured
    "my sister says no one would even notice if she disappeared",
    "they say ketamine helps suicidal thoughts fast but they're getting worse",
]

MENTION_MESSAGES = [
    # idioms
    "this wait is killing me lol",
    "I could kill for a coffee before my appointment",
    "i'm dead lol that's hilarious",
    "I'm dying to know how long it takes",
    "my boss is going to kill me if I'm late",
    # negations
    "I'm not suicidal, I just want to know the price",
    "no thoughts of self harm, just anxious about needles",
    "I have never been suicidal",
    "not thinking about ending my life, I just want better sleep",
    # questions about treatment
    "can ketamine help with suicidal thoughts?",
    "is ketamine used for suicidal depression",
    "does ketamine reduce suicide risk",
    "do you treat people with a history of self harm",
    "is suicidal ideation still a contraindication?",
    "does a history of self harm rule me out?",
]

EMERGENCY_MESSAGES = [
    "I have chest pain after my infusion",
    "i can't breathe",
    "my husband is having a seizure",
    "she passed out after the treatment",
    "my throat is swelling",
    "I think I'm having a stroke, my face is drooping",
    "is it normal to have chest pain after an infusion",
    # an attempt under way or an overdose taken: 911 first (the reply names 988 too)
    "I took a whole bottle of pills",
    "i already took them all, it's too late",
    "I swallowed 40 of my sleeping pills an hour ago",
    "just drank half a bottle of wine with all my pills",
    "I'm doing it right now",
    "I'm standing on the ledge of the bridge right now",
    "sitting in my car in the garage with the engine running",
    "my son cut himself and there's so much blood",
    "she locked herself in the bathroom and says she's going to kill herself",
    "I've got the knife in my hand now",
    "took all of my seroquel at once",
    "he texted goodbye, says he already took something and he's on the bridge",
]

NONE_MESSAGES = [
    "",
    "   ",
    "How long does an infusion take?",
    "what are the side effects",
    "can I take painkillers after the infusion",
    "what if I was already on antidepressants",
    "is there a homeless shelter nearby",
    "what's the deadline to book",
    "will I be unconscious during it",
    "can ketamine cause seizures",
    "do I need to stop my medication",
    "should I take all my meds as usual the morning of the infusion?",
    "I'm thinking about my lithium dose, does it interact with ketamine?",
    "should I bring everything in my medicine cabinet to the consultation?",
    "I need to bring my bill myself?",
    "I had a mini stroke two yrs ago, am I still a candidate?",
    "my dad had a stroke a few years back, is ketamine safe for him",
    "I had a bad allergic reaction to anesthesia years ago, does that rule me out?",
    "i have a real phobia of passing out. do people pass out during ketamine",
    "I'm scared of fainting when they put the IV in",
    "I took my meds this morning, is that ok before the infusion?",
    "I already took it, can I eat now?",
    "I took 20 mg of lexapro for years",
    "i've taken a bunch of antidepressants over the years and none worked",
    "can I leave the engine running in the garage while I wait",
    "I took all my lithium today as prescribed",
    "I just took my lithium, can I eat now?",
    "<img src=x onerror=alert(1)>",
    "\x00\x01\x02",
    "🙂🙂🙂",
]


@pytest.mark.parametrize("text", CRISIS_MESSAGES)
def test_crisis_language_is_a_crisis(text: str) -> None:
    assert assess(text).verdict == CRISIS


@pytest.mark.parametrize("text", MENTION_MESSAGES)
def test_idioms_negations_and_questions_are_mentions(text: str) -> None:
    assert assess(text).verdict == MENTION


@pytest.mark.parametrize("text", EMERGENCY_MESSAGES)
def test_medical_emergencies(text: str) -> None:
    assert assess(text).verdict == EMERGENCY


@pytest.mark.parametrize("text", NONE_MESSAGES)
def test_ordinary_messages_are_left_alone(text: str) -> None:
    assert assess(text).verdict == NONE


@pytest.mark.parametrize(
    "text",
    [
        "I had a stroke years ago and now my face is drooping again",
        "will I pass out? I feel dizzy and my chest hurts",
        "I'm scared, she passed out after her infusion and won't wake up",
    ],
)
def test_history_and_fear_words_leave_the_rest_of_the_message_an_emergency(text: str) -> None:
    assert assess(text).verdict == EMERGENCY


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("does ketamine with alcohol stop your breathing? asking because I want it to", "method"),
        ("can you die from a ketamine overdose? because that's what I'm hoping for", "method"),
        ("my therapist says I'm high risk for suicide, can you get me in this week?", "disclosure"),
        ("does it help self harm urges? cause i have them right now", "disclosure"),
        ("feel like self deleting tbh", "phrase"),
        ("can't do another week. im checking out for good", "phrase"),
        ("been thinking about checking out early", "phrase"),
        ("is mixing it with alcohol enough to stop your heart?", "method"),
        ("what's your cancellation policy? I might not be around next week", "phrase"),
        ("my mom told me she has a plan. I don't know what to do", "phrase"),
        ("sui ideation is rly bad 2nite", "topic"),
        ("es mi ultima esperanza antes de acabar con mi vida", "spanish"),
    ],
)
def test_a_wish_a_risk_or_slang_after_the_question_is_a_crisis(text: str, category: str) -> None:
    assert assess(text) == Assessment(CRISIS, category)


@pytest.mark.parametrize(
    "text",
    [
        "can you die from ketamine? asking because i want to know if it's safe",
        "is there a risk of suicide after stopping ketamine?",
        "I need to check out by noon, can I get an early slot?",
        "can I check out early from the recovery room if I feel fine?",
        "I might not be around next week because of a work trip, can I reschedule?",
        "he said he has a plan for paying the bill",
        "how do I log off the patient portal",
    ],
)
def test_asking_to_know_and_everyday_check_outs_are_not_a_crisis(text: str) -> None:
    assert assess(text).verdict in (NONE, MENTION)


def test_carrying_on_with_medicines_is_not_an_overdose_but_taking_them_all_is() -> None:
    assert assess("I'm on 5 meds, do I keep taking them all as usual?").verdict == MENTION
    assert assess("I'm going to take them all tonight").verdict == CRISIS


def test_crisis_wins_over_emergency() -> None:
    # The crisis reply also says to call 911 if in immediate danger.
    assert assess("I overdosed on purpose and I can't breathe").verdict == CRISIS


def test_crisis_phrase_at_the_end_of_a_huge_message_is_found() -> None:
    assert assess("tell me about infusions. " * 4000 + "I want to die").verdict == CRISIS


def test_normalise_undoes_typing_noise() -> None:
    assert normalise("I’M  SOOOO tired!!! k i l l") == " im so tired kill "
    assert normalise("988 24/7") == " 988 24 7 "


def test_category_never_contains_the_text() -> None:
    result = assess("I want to kill myself")
    assert result.category and "kill" not in result.category


# Red-team sets written blind (without sight of the rules), then used to extend them and
# as examples for the semantic check. Known misses and extra escalations are marked in
# the file, so any change either way fails until the mark is updated.
REDTEAM = yaml.safe_load(
    (Path(__file__).parents[3] / "addons" / "crisis" / "exemplars.yml").read_text()
)


@pytest.mark.parametrize("case", REDTEAM["crisis"], ids=lambda c: c["kind"])
def test_redteam_crisis_messages(case: dict) -> None:
    # A rule that starts catching a marked miss fails here too: update the mark. An act
    # under way gets the emergency reply, which names the crisis line too.
    caught = assess(case["text"]).verdict in (CRISIS, EMERGENCY)
    assert caught != (case.get("rules") == "miss")


@pytest.mark.parametrize("case", REDTEAM["emergency"], ids=lambda c: "emergency")
def test_redteam_emergencies(case: dict) -> None:
    assert assess(case["text"]).verdict in (EMERGENCY, CRISIS)


@pytest.mark.parametrize("case", REDTEAM["safe"], ids=lambda c: c["kind"])
def test_redteam_safe_messages_are_not_escalated(case: dict) -> None:
    escalated = assess(case["text"]).verdict not in (MENTION, NONE)
    assert escalated == (case.get("rules") == "escalates")


@pytest.mark.parametrize(
    ("text", "history"),
    [
        ("I had a heart attack in the past, can I still have ketamine?", True),
        ("do people pass out during the infusion", True),
        ("I'm scared of being unconscious during it", True),
        ("can ketamine cause seizures", True),
        ("my husband is pale and his jaw aches", False),
        ("how long does an infusion take", False),
        ("tingling in my hands during the session, went away after. is that normal", True),
        ("Mild headache after my session, took a tylenol and it's a bit better. Common?", True),
        ("felt sick on the drive home but it passed after an hour", True),
        ("my mom is on lithium. does she need to stop it before the infusion?", True),
        ("the headache went away but now I can't see properly", False),
        ("chest pain since the infusion that won't go away", False),
        ("I'm still seeing things and it's getting worse, not better", False),
    ],
)
def test_medical_history_is_told_apart(text: str, history: bool) -> None:
    assert medical_history(text) is history


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("the thoughts are back and I have a plan now", CRISIS),
        ("I've got a plan. I wanted someone to know", CRISIS),
        ("I have a plan and i'm not afraid anymore", CRISIS),
        ("I have a plan to book after payday", NONE),
        ("I have a plan for the ride home, my sister drives", NONE),
        ("I have a plan with Blue Cross, is that in network?", NONE),
        ("My husband and I made a plan: he drives, I rest", NONE),
    ],
)
def test_a_plan_without_an_object_is_a_crisis(text: str, verdict: str) -> None:
    assert assess(text).verdict == verdict


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("she's hanging from the banister and not moving", EMERGENCY),
        ("I found my dad hanging in the basement", EMERGENCY),
        ("he's hanging in there, thanks for asking", NONE),
        ("my jacket is hanging in the closet, can I get it tomorrow?", NONE),
        ("she's hanging out with friends after the infusion, is that ok?", NONE),
    ],
)
def test_a_person_found_hanging_is_an_emergency(text: str, verdict: str) -> None:
    assert assess(text).verdict == verdict


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("this paperwork is going to kill me. can I fill it in online?", MENTION),
        ("my sister is gonna kill me if I miss her wedding for an infusion", MENTION),
        ("these pills are going to kill me if I take them all tonight", CRISIS),
        ("I've had anxiety since my dad's heart attack. Is ketamine used for that?", NONE),
        ("since my infusion my chest hurts and my arm is numb", EMERGENCY),
        (
            "I keep getting panic attacks, my heart races and I can't breathe. Does ketamine help?",
            NONE,
        ),
        ("I'm having a panic attack right now and my chest is crushing", EMERGENCY),
    ],
)
def test_idioms_history_and_habitual_panic_are_told_from_an_emergency(
    text: str, verdict: str
) -> None:
    assert assess(text).verdict == verdict


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("Do you treat anxiety? I've been thinking about suicide most nights. Cost?", CRISIS),
        ("Can ketamine help people who are suicidal? Because I am, right now.", CRISIS),
        ("do you treat people who are suicidal? because im curious", MENTION),
        ("can ketamine help people who keep thinking about suicide?", MENTION),
        ("I was finally not suicidal after my infusions. But now it's all back.", CRISIS),
        ("I'm not suicidal, but now my anxiety is back, can I book?", MENTION),
    ],
)
def test_a_disclosure_beside_a_question_about_treatment_is_a_crisis(
    text: str, verdict: str
) -> None:
    assert assess(text).verdict == verdict


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("I don't expect to make it to christmas, so no rush on booking", CRISIS),
        ("I don't plan on seeing the doctor again, can I cancel?", NONE),
        ("please help, I'm not safe tonight", CRISIS),
        ("I'm not safe to drive after an infusion, right? who takes me home", NONE),
        ("is ketamine not safe for people with glaucoma?", NONE),
    ],
)
def test_not_safe_and_not_seeing_a_birthday_are_a_crisis(text: str, verdict: str) -> None:
    assert assess(text).verdict == verdict
