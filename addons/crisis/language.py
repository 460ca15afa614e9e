"""Is a message in Spanish? A word-list check, so the crisis reply can use the Spanish line.

Pure and deterministic: counts common Spanish words against common English ones in the
normalised text (lexicon.normalise: no accents, lower case). Only Spanish is recognised
today; other languages are read as English, which gets the English crisis reply.
"""

from __future__ import annotations

from addons.crisis.lexicon import normalise

SPANISH, ENGLISH = "es", "en"

_SPANISH_WORDS = frozenset(
    "que de la el los las un una por para con sin pero como cuando donde cuanto cuanta cuantos "
    "cuantas cual porque esta estoy estas esto eso ese esa es son soy tengo tiene tienen hay muy "
    "mas mi mis me te se le lo nos ya no si quiero puedo necesito hola gracias buenos buenas dias "
    "tardes noches ayuda usted ustedes ella ellos tambien despues antes ahora hoy manana nada todo "
    "todos siempre nunca mucho poco cuesta sesion sesiones tratamiento ketamina seguro "
    "hablan espanol vivir morir quisiera del al y o morirme matarme otra vez siento pastillas "
    "quiero dolor triste mejor peor sola solo familia hija hijo esposo esposa doctor cita citas "
    "horario abierto precio seguro efectos secundarios".split()
)
# Also English words or names: alone, they say nothing about the language.
_SHARED = frozenset("no me a si y o es mi se son la doctor solo hola".split())
_ENGLISH_WORDS = frozenset(
    "the a an and or of to in is are am i you my me it this that what how when where why can "
    "do does will would should have has for with on at be not no yes please thanks hi hello "
    "so just about from your our we they he she".split()
)


def language(text: str) -> str:
    words = normalise(text).split()
    if not words:
        return ENGLISH
    spanish = sum(w in _SPANISH_WORDS for w in words)
    english = sum(w in _ENGLISH_WORDS and w not in _SPANISH_WORDS for w in words)
    # "no", "me", "a" are in both lists' languages: Spanish needs a clear lead.
    if "¿" in text or "¡" in text or "ñ" in text.lower():
        spanish += 2
    if spanish >= 2 and spanish > 2 * english:
        return SPANISH
    distinct = sum(w in _SPANISH_WORDS and w not in _SHARED for w in words)
    short = len(words) <= 4 and english == 0
    return SPANISH if short and distinct >= 1 else ENGLISH
