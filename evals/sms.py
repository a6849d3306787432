"""A generic French SMS rewriter: the same message, written the way many people text.

`sms(text, rng, strength)` rewrites standard French as it is typed on a phone (SMS, WhatsApp,
Facebook Messenger), by young and older writers, people who write little, dyslexic writers.
It is written from the language, independently of the chat engine's own word lists, so that an
eval built on it (every persona message rewritten, same verdicts expected) measures how the
engine reads real chat French rather than the forms it was tuned on.

What it does, in this order, on everything the candidate typed except protected spans:

1. lowercases a capitalised common word at the start of a sentence ("Je" → "je");
2. drops the "ne" of negation, eliding where French elides ("je n'ai pas" → "j'ai pas",
   "ce n'est pas" → "c'est pas", "il n'y a pas" → "il y a pas"; "n'importe" is not a negation);
3. homophone endings of writers who spell by ear: a past participle after an auxiliary ends in
   "-er" ("j'ai travaillé" → "j'ai travailler"), an infinitive after a modal ends in "-é"
   ("je veux travailler" → "je veux travaillé");
4. the table of `FORMS`: standard spelling → SMS spellings ("je suis" → "chui", "beaucoup" →
   "bcp", "qu'est-ce que" → "keske"…), longest phrase first, one variant drawn per occurrence;
5. silent endings dropped after "je"/"tu" ("je viens" → "je vien", "tu prends" → "tu prend");
6. hyphens, apostrophes and accents dropped ("peut-être" → "peut etre", "l'hôpital" →
   "lhopital" or "l hopital", "été" → "ete", "cœur" → "coeur");
7. a doubled letter for emphasis on yes, no, ok and thanks ("ouiii", "nonn", "mercii");
8. final punctuation dropped (a final "?" about one time in two).

Steps 1, 2, 6 and 8 are on or off for a whole message (a writer is consistent); steps 3, 4, 5
and 7 are drawn at each place they apply. Both are drawn from `rng` with probabilities that grow
with `strength`: 0 leaves the text as it is; 1 is a heavy SMS writer (steps 1, 2, 4, 6 and 8
always, a "?" one time in two, 3 and 5 one time in two, 7 one time in three). An SMS spelling
from the table is final: later steps do not touch it ("mé" keeps its accent, else it would read
"me"). Same `rng` state, same output.

Never touched (the meaning a counsellor reads lives there):

- digits and whatever is glued to them ("23ans", "2x8", "8h30", "B1"), and the unit after a
  number ("23 ans", "30 km", "45 min", "1 h", "6 mois"); no digit is ever added or removed;
- words with a capital letter that are not a common word opening a sentence: names of people
  and places ("Reims", "Saint-Dié-des-Vosges", "l'Afpa", "d'Épinal"), acronyms ("CAP", "DEAS"),
  words in a message typed in capitals;
- placeholders of the pseudonymiser (`<PERSONNE_1>`, `<TELEPHONE_2>`).

Forms left out on purpose, because a French reader could not tell what was meant, or because
they would change a value the screening reads:

- rebus with digits ("2main", "bi1", "ri1", "kk1", "a2m1", "koi 2 9", "1" for "un"): they add
  digits to messages whose numbers are ages, durations and dates;
- "mai" for "mais" (the month), "dem" for "demain" (only "a dem", à demain), "mm" for "même"
  outside "quand même" (millimetres, a welder's unit), "cv" for "ça va" (a CV, in a job
  search), "slt" for "seulement" (it reads "salut"), "e"/"é" for "est" (reads "et"), "on" for
  "ont", "k" for "que" or "ok", "n" for "non", "2" for "de", "ss" for "sans", "vtr" for
  "voiture" ("votre");
- no form for number words, months, weekdays and units (they are values), nor for "et", "ou",
  "si", "plus" alone ("je ne fume plus" / "plus de 30 km": "+" only in "en plus", "plus
  tard", "à plus tard", "de plus en plus");
- slang that swaps the word itself ("taf", "boulot", "kiffer", "daron"): that is a change of
  register, which `evals/fairness.py` covers; this module only changes spelling.

Kept although ambiguous on paper, because French readers resolve them from context and nearly
every SMS writer uses them: "c" (c'est), "g" (j'ai), "sa" (ça), "o" (au), "pa" (pas), dropped
accents ("a"/"à", "ou"/"où", "sur"/"sûr", "age"/"âge"), "we" (week-end), "fr" (français).

Sources of knowledge (the table is written from them and from usage, not copied): the
Wikipédia article « Langage SMS »; Jacques Anis, *Parlez-vous texto ?* (Le Cherche Midi, 2001);
C. Fairon, J. R. Klein, S. Paumier, *Le langage SMS* (Presses universitaires de Louvain, 2006;
the « Faites don de vos SMS à la science » corpus); R. Panckhurst et al., the 88milSMS corpus
(Montpellier, 2014); common SMS lexicons of French usage (abcdufrancais.com « Langage SMS :
lexique de base », Phil Marso's SMS dictionary); D. Manesse and D. Cogis, *Orthographe : à qui
la faute ?* (ESF, 2007) for the spelling-by-ear errors (é/er, dropped silent endings, dropped
"h"); and what French people of all ages write on phones.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

# Standard spelling = SMS spellings (|-separated). One line per form; "#" starts a comment.
# Accented letters in a standard form also match without their accent ("tres" like "très"),
# an apostrophe matches ' and ’, a hyphen matches a hyphen or a space.
FORMS_TABLE = """
# --- first person: pronoun + verb -------------------------------------------------------------
je suis = chui | jsuis | jsui | chuis | je sui
je sais pas = jsp | jsais pas | chais pas | jsé pas | chépa | jsai pa
je sais = jsais | jsai | chais | je sé
j'en sais rien = jen sais rien | jsais rien | chais rien
je veux = jveux | jveu | je veu
je peux = jpeux | jpeu | je peu
je vais = jvais | jvai | jvé | je vé
je fais = jfais | jfé | je fé
je dois = jdois | jdoi | je doi
je crois = jcrois | jcroi | je croi
je pense = jpense | jpens
je voudrais = jvoudrais | je voudrai | jvoudré | je voudré
je connais = jconnais | jconnai | je conné
je comprends = jcomprends | jcomprend | je comprend | je compren
je viens = jviens | jvien | je vien
je prends = jprends | jprend | je pren
je travaille = jtravaille | je travail | jtravail
je cherche = jcherche | jcherch
je trouve = jtrouve | jtrouv
je parle = jparle | jparl
je serai = jserai | jseré | je seré
je serais = jserais | jseré | je seré
je me = jme | j'me
je te = jte | j'te
je le = jle | j'le
je la = jla | j'la
je l'ai = jlai | je lai | jl'ai
j'ai = jai | g | jé
j'avais = javais | javé | jav
j'aurai = jaurai | jauré
j'aurais = jaurais | jauré
j'étais = jetais | jtais | jétai
j'aime = jaime | jaim
j'aimerais = jaimerais | jaimerai | jaimeré
j'adore = jadore | jador
j'espère = jespere | jesper
j'habite = jhabite | jabite | j'abite
j'arrive = jarrive | jariv
j'attends = jattends | jattend | jatten
j'en = jen
j'y = jy
# --- second person, "on", "il y a", "il faut" -------------------------------------------------
tu es = t'es | tes | té
tu as = t'as | tas | ta
tu sais = tsais | tu sé | tsé
tu vois = tvois | tu voi
tu peux = tpeux | tu peu
tu veux = tveux | tu veu
tu fais = tfais | tu fé
t'inquiète = tkt | tqt | tinquiete
on peut = on peu | on pe
on va = onva
il y a pas = ya pas | yapa | y a pa
il y en a = yen a | y en a | yena
il y avait = yavait | y avait | il yavait
il y a = ya | y a | il ya
il faut = faut | fo | il fo | i faut
il faudrait = faudrait | il faudré | faudré
# --- "c'est", "ça", "ce que" ------------------------------------------------------------------
c'est pas = c pas | cpa | cé pa | cest pa
c'est bon = cbon | c bon | cé bon
c'est quoi = c koi | ckoi | cé koi
c'est ça = c sa | cest ca | cé ça
c'est-à-dire = cad | c a d | c-a-d
c'est = c | cest | cé | sé
c'était = cetait | ctait | cété
ce que = ske | ce ke | ceke
ce qui = ski | ce ki
ça va = sa va | ca va | sava | cava
ça marche = sa marche | ca marche | sa march
ça dépend = sa dépend | ca depend | sa dépan
ça = sa | ca
# --- questions ------------------------------------------------------------------------------
qu'est-ce que = keske | kesk | qu'est ce que | kess
qu'est-ce qu'il = keskil | qu'est ce qu'il
qu'est-ce qui = keski | qu'est ce qui
est-ce que = esque | eske | est ce que | esk
est-ce qu'il = eskil | esqu'il
est-ce qu'on = eskon | esqu'on
pourquoi = pk | pq | pourkoi | pkoi
quoi = koi | kwa
quand = qd | kan | kand | quan
comment = cmt | koman | coment | cmnt
combien = cb | cmb | konbien
qui = ki
que = ke
quel = kel | ql
quelle = kel | kelle
quels = kels | kel
quelles = kelles | kel
qu'il = kil | quil
qu'on = kon | quon
# --- "quelque" ------------------------------------------------------------------------------
quelqu'un = qqn | qlqn | kelkun | quelqun
quelque chose = qqch | qqc | kelke chose | qlq chose
quelque part = qq part | qlq part | kelke part
quelquefois = qqfois | kelkefois
quelques = qq | qlq | kelke
# --- time ----------------------------------------------------------------------------------
aujourd'hui = ajd | auj | aujourdhui | ojourd'hui
demain = dmain
maintenant = mtn | mnt | maintenan
toujours = tjr | tjrs | toujour | tjs
jamais = jms | jamai | jamé
tout de suite = tt de suite | tdsuite | tout dsuite | tt dsuite
tout à l'heure = tt à l'heure | tout a leur | tt a lheure
à tout à l'heure = a tt | att | a toute
bientôt = bientot | biento
déjà = deja | dj | déja
depuis = dpuis | depui | dps
pendant = pdt | pendan
avant = avt | avan
après-midi = aprem | aprèm | apres midi | aprm
après = apres | apré | aprè | apr
longtemps = lgtps | longtemp | lontemps
souvent = svt | souvant | souven
parfois = parfoi | prfois
en ce moment = en ce mmt | en c moment
moment = mmt | momen
temps = tps | tmps | temp
week-end = we | weekend | week end
rendez-vous = rdv | rendez vous | rendé vou
plus tard = + tard | plu tard
# --- quantity and degree --------------------------------------------------------------------
beaucoup = bcp | boucoup | bocou
tout le monde = tlm | tt le monde
tout le temps = tt le tps | tout le tmps
tous les jours = tt les jours | tlj | ts les jours
tout à fait = tt à fait | tout a fé | tt a fait
tout = tt | tou
tous = tt | ts | tou
toute = tte
toutes = ttes | tte
très = tré | trè | tres
trop = tro | trp
vraiment = vrmt | vraimen | vrm | vraiman
assez = assé | asé | asser
presque = presk | preske
environ = env | envirron
seulement = seulemen | seulmt | slmt
surtout = srtt | surtou
tellement = tllmt | tellemen | telmen
plutôt = plutot | pluto | pltt
encore = encor | enkor | ankor
aussi = ossi | oci | ausi
même = meme | mem
quand même = qd mm | qd même | kan meme | quan meme
de plus en plus = de + en + | de plu en plu
en plus = en + | en plu
# --- manner and opinion ---------------------------------------------------------------------
peut-être = ptet | ptêtre | peut etre | pe etre | ptetre | peutetre
bien sûr = bien sur | bien sure | biensur
normalement = normalemen | normalmt | nrmlt
exactement = exactemen | exactmt
franchement = franchmt | franchemen | frchmt
évidemment = evidemen | évidamment
personnellement = perso | personnelement
d'habitude = dhabitude | dhab | d'hab
d'ailleurs = dailleurs | daieur
d'abord = dabord | dab
comme ça = comme sa | com sa | comme ca
comme = kom | com | comm
voilà = voila | vla | vwala
vas-y = vasy | vazy
ça y est = ayé | sa y est | ca yest
# --- linking words --------------------------------------------------------------------------
parce que = pcq | psk | pck | paske | parce ke | pasque
parce qu'il = pcq il | paskil
mais = mé | mè
donc = dc | donk
alors = alor | alr
puis = pui | pis
ensuite = ensuit | ansuite
sinon = sinn | sino
en fait = enfait | en faite | en fet
du coup = dcp | du cou | ducou
en tout cas = en tt cas | en tout k | entk
par contre = par contr | parcontre
par exemple = par ex | pex | par exmple
jusqu'à = jusqua | jusk a | jsq | jusqu'a
n'importe quoi = nimporte koi | nimp | nimporte quoi
# --- little words ---------------------------------------------------------------------------
avec = avc | avk | avek | ac
dans = ds | dan
pour = pr
sans = san
chez = ché | chè
au = o
moi = mwa | moa
toi = twa | toa
vous = vs | vou
nous = ns | nou
votre = votr
notre = notr
pas = pa
# --- verbs heard, not seen ------------------------------------------------------------------
suis = sui
sais = sé | sai
fais = fé | fai
fait = fé | fai
vais = vé | vai
peux = peu
veux = veu
dois = doi
crois = croi
vois = voi
sont = son
était = etai | étai
avait = avai | avé
avez = avé
êtes = etes | ète
pouvez = pouvé
savez = savé
voulez = voulé
pourrais = pourrai | pouré
voudrais = voudrai | voudré
aimerais = aimerai | aimeré
devrais = devrai | devré
connais = conné | connai
comprends = comprend | compren
prends = prend | pren
attends = attend | atten
viens = vien
habite = abite
# --- greetings, thanks, politeness ----------------------------------------------------------
bonjour = bjr | bjour | bnjr
bonsoir = bsr | bsoir
salut = slt | salu | slu
coucou = cc | couc
merci beaucoup = merci bcp | mrc bcp | mci bcp
merci = mrc | mci | mercii
de rien = dr | derien
s'il vous plaît = svp | sil vous plait | siouplé | svpl
s'il te plaît = stp | steuplé | stpl
d'accord = dac | dacc | daccord | d'acc | dak
ok = oki | okay | okk | oké | okey
oui = ouais | wi | oué | ouai | ui | wé
non = nn | nan | nop
désolé = dsl | desolé
désolée = dsl | desolée
excusez-moi = excusez moi | escusez moi
excuse-moi = excuse moi | escuse moi
au revoir = aurevoir | orevoir | arvoir
à bientôt = a bientot | a biento | abientot
à demain = a dmain | a dem
à plus tard = a+ | a+ tard
bonne journée = bne journée | bonne journé
bonne soirée = bne soirée | bonne soiré
bon week-end = bon we | bon weekend
cordialement = cdlt | cdt | cordialemen
bisous = bsx | biz | bisou
pas de problème = pas de pb | pa de pb | pas de problem
pas de souci = pas de soucis | pa de souci | pas d'souci
# --- nouns people shorten -------------------------------------------------------------------
problème = pb | prob | problm
information = info
informations = infos | info
téléphone = tel | tél | telephone
message = msg | mess | mssg
numéro = num | numero
appartement = appart
ordinateur = ordi
petit = ptit | pti | p'tit
petite = ptite | p'tite
anniversaire = anniv
expérience = exp | expériance
français = francais | fr
madame = mme | mdm
monsieur = mr | msieur | m'sieur
mademoiselle = mlle
l'hôpital = lhopital | l'hopital | lopital
"""


def _parse(table: str) -> dict[str, tuple[str, ...]]:
    forms: dict[str, tuple[str, ...]] = {}
    for line in table.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        standard, variants = (part.strip() for part in line.split(" = "))
        if standard in forms:
            raise ValueError(f"form listed twice: {standard!r}")
        forms[standard] = tuple(v.strip() for v in variants.split("|"))
    return forms


FORMS: dict[str, tuple[str, ...]] = _parse(FORMS_TABLE)

_UNITS = (
    "an ans année années mois semaine semaines sem jour jours j h heure heures hr hrs mn min "
    "minute minutes s sec seconde secondes km kms kilomètre kilomètres m mètre mètres cm mm kg "
    "t tonne tonnes € euro euros eur % x fois ème e er ère eme"
)
UNITS = _UNITS.split()

# Common words that may open a sentence with a capital and still be rewritten ("Je", "Merci").
# Other capitalised words are kept as they are: they may be names ("Ben" is left out for that).
_COMMON_STARTERS = (
    "je j' moi oui non le la les un une des du de d' mon ma mes ton ta tes son sa ses notre "
    "nos votre vos leur leurs en dans pour avec sans sur sous il elle on nous vous ils elles "
    "ce cet cette ces c' ça cela et mais ou donc or ni car si quand comme depuis après avant "
    "alors ensuite puis bon bonne bah euh hmm ah oh eh ok d'accord bonjour bonsoir salut "
    "merci pas rien personne aucun aucune jamais tout tous toute toutes plus moins très trop "
    "peu beaucoup assez aussi encore déjà toujours parfois souvent maintenant aujourd'hui "
    "demain hier là ici voilà voici est-ce qu' que qui quoi quel quelle quels quelles "
    "pourquoi comment combien où par parce a à au aux chez vers entre pendant"
)
STARTERS = set(_COMMON_STARTERS.split()) | {
    part for phrase in FORMS for token in phrase.split() for part in (token, *token.split("-"))
}
ELIDED = r"(?:j|l|d|c|qu|n|m|t|s|jusqu|lorsqu|puisqu)'[^\W\d_]"  # "l'hôpital", never a name
NEGATION_WORDS = (
    r"(?:(?:pas|plus|jamais|rien|personne|aucune?|que|ni|guère|nulle)(?![\w'’])|qu['’])"
)
AUXILIARIES = r"(?:ai|as|a|avons|avez|ont|suis|es|est|sommes|êtes|sont)"
MODALS = (
    r"(?:peux|peut|pouvons|pouvez|veux|veut|voulez|vais|va|allez|dois|doit|devez|sais|aime|"
    r"aimerais|voudrais|pourrais|faut)"
)
# -é words that are not past participles, -er words that are not infinitives.
NOT_PARTICIPLES = {"été", "né", "côté", "santé", "café", "bébé", "thé", "clé", "pré", "blé", "âgé"}
NOT_INFINITIVES = {"super", "hier", "hiver", "cher", "leader", "poster", "laser", "amer", "enfer"}
CLITICS = {"les", "nous", "vous", "leurs", "mes", "tes", "ses", "des", "ces", "pas", "plus"}
# yes, no, ok and thanks: the words people stretch ("ouiii", "nonnn")
EMPHASISABLE = {
    "oui", "ouais", "ouai", "wi", "ui", "oue", "non", "nan", "nn", "ok", "oki", "okk", "merci",
}  # fmt: skip

PLACEHOLDER = r"<[A-Z][A-Z_]*\d*>"
NUMBER_WITH_UNIT = r"(?<!\w)\d(?:[\d\s.,:/hHxX-]*\d)?(?:\s*(?:{units})(?![\w'’]))?".format(
    units="|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
)
LETTER = r"[^\W\d_]"
SENTINEL = re.compile("\ue000(.)\ue001", re.DOTALL)
TOKEN = re.compile(r"\ue000.\ue001|[\w'’-]+|\S", re.DOTALL)
ACCENT_CLASSES = {
    "à": "[àa]", "â": "[âa]", "é": "[ée]", "è": "[èe]", "ê": "[êe]", "ë": "[ëe]", "î": "[îi]",
    "ï": "[ïi]", "ô": "[ôo]", "û": "[ûu]", "ù": "[ùu]", "ç": "[çc]",
}  # fmt: skip


def _strip_accents(text: str) -> str:
    text = text.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae").replace("Æ", "Ae")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def fold(text: str) -> str:
    """Lowercase without accents ("Été" → "ete", "cœur" → "coeur")."""
    return _strip_accents(text).lower()


def _form_pattern(standard: str) -> re.Pattern[str]:
    parts = []
    for char in standard:
        if char in "'’":
            parts.append("['’]")
        elif char == "-":
            parts.append(r"[-\s]")
        elif char == " ":
            parts.append(r"\s+")
        else:
            parts.append(ACCENT_CLASSES.get(char, re.escape(char)))
    return re.compile("".join(parts) + r"(?![\w'’-])", re.IGNORECASE)


# Forms indexed by their first letter (folded), longest first, so that "je suis" beats "je".
_BY_LETTER: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
for _standard in sorted(FORMS, key=len, reverse=True):
    _BY_LETTER.setdefault(fold(_standard)[0], []).append((_standard, _form_pattern(_standard)))


class _Kept(list[str]):
    """Spans taken out of the text while it is rewritten, each replaced by a 3-character mark."""

    def mark(self, value: str) -> str:
        self.append(value)
        return f"\ue000{chr(0xE100 + len(self) - 1)}\ue001"

    def restore(self, text: str) -> str:
        return SENTINEL.sub(lambda m: self[ord(m.group(1)) - 0xE100], text)


@dataclass(frozen=True)
class Writer:
    """How one message is written: each habit on or off for the whole message."""

    forms: float
    lowercase: bool
    drop_ne: bool
    homophones: float
    silent_endings: float
    apostrophe: str  # "'" kept, "" glued ("jai"), " " spaced ("j ai")
    drop_hyphens: bool
    drop_accents: bool
    emphasis: float
    drop_final_punctuation: bool
    drop_question_mark: bool

    @classmethod
    def draw(cls, rng: random.Random, strength: float) -> Writer:
        s = min(max(strength, 0.0), 1.0)
        lowercase, drop_ne, apostrophes, hyphens, accents, final, question = (
            rng.random() < p for p in (s, s, s, s, s, s, s / 2)
        )
        glue = rng.random() < 0.75
        return cls(
            forms=s,
            lowercase=lowercase,
            drop_ne=drop_ne,
            homophones=s / 2,
            silent_endings=s / 2,
            apostrophe=("" if glue else " ") if apostrophes else "'",
            drop_hyphens=hyphens,
            drop_accents=accents,
            emphasis=s / 3,
            drop_final_punctuation=final,
            drop_question_mark=question,
        )


def sms(text: str, rng: random.Random, strength: float = 1.0) -> str:
    """`text` as an SMS writer would type it; same `rng` state, same result."""
    writer = Writer.draw(rng, strength)
    kept = _Kept()
    free = _protect(text, kept, writer.lowercase)
    if writer.drop_ne:
        free = _drop_ne(free)
    free = _homophones(free, rng, writer.homophones)
    # An SMS spelling is final: "mé" (mais) must not lose its accent and become "me".
    free = apply_forms(free, rng, writer.forms, writer.emphasis, kept.mark)
    free = _silent_endings(free, rng, writer.silent_endings)
    if writer.drop_hyphens:
        free = re.sub(rf"(?<={LETTER})-(?={LETTER})", " ", free)
    if writer.apostrophe != "'":
        free = re.sub(rf"(?<={LETTER})['’](?={LETTER})", writer.apostrophe, free)
    if writer.drop_accents:
        free = _strip_accents(free)
    free = re.sub(
        rf"(?<![\w'’-]){LETTER}+(?![\w'’-])",
        lambda m: _emphasise(m.group(), rng, writer.emphasis),
        free,
    )
    if writer.drop_final_punctuation:
        marks = "[.!?…]" if writer.drop_question_mark else "[.!…]"
        free = re.sub(rf"\s*{marks}+\s*$", "", free) or free
    return kept.restore(re.sub(r"[ \t]{2,}", " ", free).strip())


def apply_forms(
    text: str,
    rng: random.Random,
    probability: float = 1.0,
    emphasis: float = 0.0,
    mark: Callable[[str], str] = str,
) -> str:
    """Replace the standard forms of `FORMS` by one of their SMS spellings.

    At each word, the longest form that matches is rewritten with `probability`; when it is
    not, a shorter form starting there may be. The spelling keeps an initial capital, gets an
    emphasis ("wiii") with `emphasis` when it is in `EMPHASISABLE` (yes, no, ok, thanks), and
    goes through `mark` (which `sms` uses to keep the later steps off it).
    """
    out, cursor = [], 0
    for start in (m.start() for m in re.finditer(rf"(?<![\w'’-]){LETTER}", text)):
        if start < cursor:
            continue
        for standard, pattern in _BY_LETTER.get(fold(text[start]), ()):
            match = pattern.match(text, start)
            if not match or rng.random() >= probability:
                continue
            spelling = rng.choice(FORMS[standard])
            spelling = _emphasise(spelling, rng, emphasis)
            if match.group()[0].isupper():
                spelling = spelling[0].upper() + spelling[1:]
            out += [text[cursor:start], mark(spelling)]
            cursor = match.end()
            break
    out.append(text[cursor:])
    return "".join(out)


# --- protected spans ------------------------------------------------------------------------


def _protect(text: str, kept: _Kept, lowercase: bool) -> str:
    """Mark placeholders, numbers (+ unit) and names as kept; lowercase common starters."""
    text = re.sub(PLACEHOLDER, lambda m: kept.mark(m.group()), text)
    text = re.sub(NUMBER_WITH_UNIT, lambda m: kept.mark(m.group()), text)
    out, cursor = [], 0
    for match in TOKEN.finditer(text):
        word = match.group()
        out.append(text[cursor : match.start()])
        cursor = match.end()
        if SENTINEL.fullmatch(word) or not any(c.isupper() or c.isdigit() for c in word):
            out.append(word)
        elif _sentence_start(text, match.start()) and _is_common_starter(word):
            out.append(word[0].lower() + word[1:] if lowercase else word)
        else:
            out.append(kept.mark(word))
    out.append(text[cursor:])
    return "".join(out)


def _sentence_start(text: str, index: int) -> bool:
    before = text[:index].rstrip(' \t"«“(')
    return not before or before[-1] in ".!?…\n:"


def _is_common_starter(word: str) -> bool:
    """ "Je", "Merci", "L'hôpital" (an elided article + a lowercase word); not "JE", "L'Afpa"."""
    if word[1:] != word[1:].lower() or any(c.isdigit() for c in word):
        return False
    lowered = word.lower().replace("’", "'")
    return lowered in STARTERS or re.match(ELIDED, lowered) is not None


# --- generic transformations ----------------------------------------------------------------


NE = re.compile(
    rf"(?P<pre>(?<![\w'’-])(?:je|ce|que|me|te|se)\s+)?(?<![\w'’-])(?P<ne>ne\s+|n['’])"
    rf"(?!importe)(?=(?:[^\s.!?,;]+\s+){{0,3}}?{NEGATION_WORDS})",
    re.IGNORECASE,
)


def _drop_ne(text: str) -> str:
    """ "je ne peux pas" → "je peux pas"; elided again: "je n'ai" → "j'ai", "ce n'est" → "c'est"."""

    def replace(match: re.Match[str]) -> str:
        pre = match.group("pre") or ""
        if pre and match.group("ne")[1:2] in ("'", "’"):
            return pre.rstrip()[:-1] + "'"
        return pre

    return NE.sub(replace, text)


PARTICIPLE = rf"(?<![\w-])((?:j['’])?{AUXILIARIES}\s+)({LETTER}{{2,}}é)(?![\w'’-])"
INFINITIVE = rf"(?<![\w'’-])({MODALS}\s+)({LETTER}{{3,}}er)(?![\w'’-])"
SILENT_ENDING = rf"(?<![\w'’-])((?:je|tu)\s+)({LETTER}{{2,}}[sx])(?![\w'’-])"


def _sometimes(
    pattern: str, text: str, rng: random.Random, p: float, change: Callable[[str], str | None]
) -> str:
    """Each match of `pattern` (groups: context, word) gets `change(word)` with probability p."""

    def replace(match: re.Match[str]) -> str:
        new = change(match.group(2))
        if new is None or rng.random() >= p:
            return match.group()
        return match.group(1) + new

    return re.sub(pattern, replace, text, flags=re.IGNORECASE)


def _homophones(text: str, rng: random.Random, p: float) -> str:
    """ "j'ai travaillé" → "j'ai travailler", "je veux travailler" → "je veux travaillé"."""
    text = _sometimes(
        PARTICIPLE, text, rng, p, lambda w: None if w.lower() in NOT_PARTICIPLES else w[:-1] + "er"
    )
    return _sometimes(
        INFINITIVE,
        text,
        rng,
        p,
        lambda w: (
            None if w.lower().endswith("ier") or w.lower() in NOT_INFINITIVES else w[:-2] + "é"
        ),
    )


def _silent_endings(text: str, rng: random.Random, p: float) -> str:
    """ "je viens" → "je vien", "tu prends" → "tu prend" (not "je les", "je vous")."""
    return _sometimes(
        SILENT_ENDING, text, rng, p, lambda w: None if w.lower() in CLITICS else w[:-1]
    )


def _emphasise(word: str, rng: random.Random, probability: float) -> str:
    """ "oui" → "ouiii", "ouais" → "ouaiiis", "non" → "nonnn", "ok" → "okkk", sometimes."""
    if fold(word) not in EMPHASISABLE or rng.random() >= probability:
        return word
    repeat = rng.randint(1, 3)
    if word.endswith("is"):
        return word[:-1] + "i" * repeat + "s"
    return word + word[-1] * repeat
