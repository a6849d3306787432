"""What is scrubbed and what is kept, in one place (documented in docs/pii.md).

Scrubbed: the entity types in ENTITY_PLACEHOLDERS. Kept on purpose: places (communes,
départements, régions: the mobility check needs them), job and training words, diploma names,
ages, availability dates and durations. Places, ages and ordinary dates are kept simply because
no recognizer reports them; the word lists below stop the name detectors from taking a kept word
for a person's name.
"""

from __future__ import annotations

from functools import cache

from chatbot.text import fold

# Presidio entity type -> placeholder stem shown to the model.
ENTITY_PLACEHOLDERS: dict[str, str] = {
    "PERSON": "PERSONNE",
    "PHONE_NUMBER": "TELEPHONE",
    "FR_NIR": "NIR",
    "EMAIL_ADDRESS": "EMAIL",
    "FR_ADDRESS": "ADRESSE",
    "IBAN_CODE": "IBAN",
    "CREDIT_CARD": "CARTE_BANCAIRE",
    "FR_FRANCE_TRAVAIL_ID": "IDENTIFIANT_FT",
    "FR_BIRTH_DATE": "DATE_NAISSANCE",
    "FR_ID_DOCUMENT": "PIECE_IDENTITE",
}

SCRUBBED_ENTITIES: tuple[str, ...] = tuple(ENTITY_PLACEHOLDERS)

# Identifiers whose leak is never acceptable: overlapping detections are merged so that no
# digit of them survives, and the evaluation counts their leaks separately.
STRICT_ENTITIES = frozenset(
    {"FR_NIR", "PHONE_NUMBER", "EMAIL_ADDRESS", "IBAN_CODE", "FR_FRANCE_TRAVAIL_ID", "CREDIT_CARD"}
)

# When two detections cover the same span with the same score, the first type here wins
# (a valid NIR can pass the card checksum too).
PRIORITY: tuple[str, ...] = (
    "FR_NIR",
    "IBAN_CODE",
    "CREDIT_CARD",
    "PHONE_NUMBER",
    "EMAIL_ADDRESS",
    "FR_FRANCE_TRAVAIL_ID",
    "FR_ID_DOCUMENT",
    "FR_BIRTH_DATE",
    "FR_ADDRESS",
    "PERSON",
)

# Detections scoring below this are ignored.
SCORE_THRESHOLD = 0.4

REGIONS = """
grand est, alsace, lorraine, champagne, champagne-ardenne, ardennes, ile-de-france, île-de-france,
bourgogne, franche-comte, franche-comté, hauts-de-france, normandie, bretagne, occitanie,
provence, auvergne, nouvelle-aquitaine, centre-val de loire, pays de la loire, corse, france,
luxembourg, allemagne, belgique, suisse, sarre
"""

DEPARTEMENTS = """
ain, aisne, allier, alpes-de-haute-provence, hautes-alpes, alpes-maritimes, ardeche, ardèche,
ardennes, ariege, ariège, aube, aude, aveyron, bouches-du-rhone, bouches-du-rhône, calvados,
cantal, charente, charente-maritime, cher, correze, corrèze, corse-du-sud, haute-corse,
cote-d'or, côte-d'or, cotes-d'armor, côtes-d'armor, creuse, dordogne, doubs, drome, drôme, eure,
eure-et-loir, finistere, finistère, gard, haute-garonne, gers, gironde, herault, hérault,
ille-et-vilaine, indre, indre-et-loire, isere, isère, jura, landes, loir-et-cher, loire,
haute-loire, loire-atlantique, loiret, lot, lot-et-garonne, lozere, lozère, maine-et-loire,
manche, marne, haute-marne, mayenne, meurthe-et-moselle, meuse, morbihan, moselle, nievre,
nièvre, nord, oise, orne, pas-de-calais, puy-de-dome, puy-de-dôme, pyrenees-atlantiques,
pyrénées-atlantiques, hautes-pyrenees, hautes-pyrénées, pyrenees-orientales, pyrénées-orientales,
bas-rhin, haut-rhin, rhone, rhône, haute-saone, haute-saône, saone-et-loire, saône-et-loire,
sarthe, savoie, haute-savoie, paris, seine-maritime, seine-et-marne, yvelines, deux-sevres,
deux-sèvres, somme, tarn, tarn-et-garonne, var, vaucluse, vendee, vendée, vienne, haute-vienne,
vosges, yonne, territoire de belfort, essonne, hauts-de-seine, seine-saint-denis, val-de-marne,
val-d'oise, guadeloupe, martinique, guyane, la reunion, la réunion, mayotte
"""

# Grand Est communes first (where the candidates live), then large French cities.
COMMUNES = """
strasbourg, reims, metz, mulhouse, nancy, colmar, troyes, charleville-mezieres,
charleville-mézières, charleville, mézières, chalons-en-champagne, châlons-en-champagne, châlons,
epinal, épinal, thionville, haguenau, schiltigheim, illkirch-graffenstaden, illkirch,
saint-dizier, chaumont, vandoeuvre-les-nancy, vandœuvre-lès-nancy, vandoeuvre, montigny-les-metz,
montigny-lès-metz, forbach, sarreguemines, saint-die-des-vosges, saint-dié-des-vosges, saint-dié,
luneville, lunéville, epernay, épernay, sedan, saint-louis, bar-le-duc, verdun, toul, sarrebourg,
saint-avold, yutz, hayange, creutzwald, freyming-merlebach, bischheim, lingolsheim, selestat,
sélestat, saverne, obernai, molsheim, wittenheim, rixheim, guebwiller, illzach, kingersheim,
riedisheim, vitry-le-francois, vitry-le-françois, tinqueux, bezannes, cormontreuil, sainte-savine,
la chapelle-saint-luc, saint-andre-les-vergers, saint-andré-les-vergers, romilly-sur-seine,
langres, joinville, remiremont, gerardmer, gérardmer, neufchateau, neufchâteau, mirecourt,
pont-a-mousson, pont-à-mousson, laxou, villers-les-nancy, villers-lès-nancy, maxeville,
maxéville, jarville, tomblaine, longwy, briey, jarny, woippy, marly, florange, fameck, amneville,
amnéville, bitche, boulay, faulquemont, hagondange, rombas, talange, uckange, algrange,
terville, behren-les-forbach, behren-lès-forbach, stiring-wendel, rethel, revin, givet, nouzonville,
bogny-sur-meuse, vouziers, sainte-menehould, fismes, sezanne, sézanne, nogent-sur-seine,
bar-sur-aube, bar-sur-seine, wissembourg, bischwiller, brumath, erstein, geispolsheim,
ostwald, hoenheim, cernay, thann, altkirch, ensisheim, munster, ribeauville, ribeauvillé,
kaysersberg, sarralbe, dieuze, chateau-salins, château-salins, commercy, stenay, ligny-en-barrois,
etain, étain, saint-mihiel, vittel, contrexeville, contrexéville, rambervillers, bruyeres, bruyères,
paris, marseille, lyon, toulouse, nice, nantes, montpellier, bordeaux, lille, rennes, toulon,
le havre, grenoble, dijon, angers, nimes, nîmes, clermont-ferrand, le mans, aix-en-provence, brest,
tours, amiens, limoges, annecy, perpignan, besancon, besançon, orleans, orléans, rouen, caen,
belfort, montbeliard, montbéliard, luxembourg, sarrebruck, karlsruhe, bale, bâle, kehl
"""

# Job and training vocabulary: words the name detectors must never take for a name.
JOB_AND_TRAINING_WORDS = """
aide-soignant, aide-soignante, aide soignant, aide soignante, aide, soignant, soignante,
soignants, soignantes, as, ash, aes, aeps, aepe, deas,
deaes, deap, defa, ifas, ifsi, ehpad, ssiad, ssr, usld, chu, chr, clinique, hopital, hôpital,
infirmier, infirmiere, infirmière, auxiliaire, puericulture, puériculture, accompagnant,
accompagnante, educatif, éducatif, social, sociale, soudeur, soudeuse, soudure, tig, mig, mag,
tuyauteur, chaudronnier, chaudronniere, chaudronnière, caces, cariste, magasinier, preparateur,
préparateur, commandes, logistique, conducteur, conductrice, ligne, operateur, opérateur,
operatrice, opératrice, production, maintenance, electricien, électricien, habilitation, sst,
pse1, pse2, psc1, afgsu, permis, fimo, fco, vehicule, véhicule, voiture, bus, train, tram, ter,
covoiturage, stage, stages, alternance, apprentissage, formation, formations, cpf, pix, toeic,
boulanger, boulangere, boulangère, cuisinier, cuisiniere, cuisinière, serveur, serveuse,
vendeur, vendeuse, caissier, caissiere, caissière, agent, agente, entretien, menage, ménage,
auxiliaire de vie, adv, avs, atsem, animateur, animatrice, bafa, bpjeps, interim, intérim,
interimaire, intérimaire, cdd, cdi, rsa, are, france travail, pole emploi, pôle emploi,
mission locale, cap emploi, pole, pôle, emploi, travail, chomage, chômage, afpa, greta, cnam, ecole, école, lycee, lycée, college, collège,
"""

DIPLOMAS = """
cap, bep, bac, bac pro, bacpro, bts, dut, but, dnb, brevet, licence, master, cfg, dnsep, mc,
titre pro, tp, cqp, dipl, diplome, diplôme, bapaat, dees, dets, deme, dejeps, cafes, cafdes,
cléa, clea, delf, dalf, tcf, a1, a2, b1, b2, c1, c2
"""

# Employers candidates name as where they worked ("caissière chez Cora"): shops and warehouses,
# not people.
EMPLOYERS = """
cora, auchan, leclerc, carrefour, intermarché, intermarche, lidl, aldi, casino, super u, hyper u,
match, norma, monoprix, franprix, action, gifi, amazon, fedex, dhl, ups, chronopost, geodis,
kuehne, xpo, stef, adecco, manpower, randstad, synergie, start people, admr, o2, shiva
"""

# Words that look like first names in name dictionaries but are ordinary chat words here.
CHAT_WORDS = """
ok, oki, okay, merci, bonjour, bonsoir, salut, coucou, cordialement, dispo, disponible, oui, non,
ouais, bof, voila, voilà, svp, stp, mdr, lol, bjr, slt, cc, tel, tél, mail, email, sms, vie,
madame, monsieur, mme, mr, mlle, encore, aussi, donc, alors, car, avant, apres, après, demain,
lundi, mardi, mercredi, jeudi, vendredi, samedi, dimanche, janvier, fevrier, février, mars, avril,
mai, juin, juillet, aout, août, septembre, octobre, novembre, decembre, décembre, ans, an, mois,
semaine, semaines, jours, heure, heures, matin, soir, nuit, weekend, week-end, iban, rib, cb,
nir, secu, sécu, insee, vitale, identifiant, id, num, numero, numéro, portable, adresse, bon, bonne,
beau, belle, franc, sage, mal, fini, gai, bas, mort, pile, modeste, noble, loyal, fidele, fidèle,
prudent, constant, aimable, malin, placide, innocent, royal, hardi, mignon, solo, clair, vrai,
sur, sûr, super, cool, parfait, possible, pret, prêt, prete, prête, motive, motivé, motivée,
serieux, sérieux, ponctuel, ponctuelle, content, contente, ravi, ravie, desole, désolé, désolée,
libre, mobile, present, présent, presente, présente, pas, plus, rien, tout, toujours,
bien, top, nickel, genial, génial, chaud, dur, long, loin, pareil, mieux, grave, trop,
min, mn, minute, minutes, km, kms, kilometre, kilometres, kilomètre, kilomètres, euros, euro
"""


def _words(block: str) -> frozenset[str]:
    return frozenset(w.strip() for w in block.replace("\n", " ").split(",") if w.strip())


@cache
def kept_words() -> frozenset[str]:
    """Accent-folded words and phrases that are never a person's name."""
    blocks = (
        REGIONS,
        DEPARTEMENTS,
        COMMUNES,
        JOB_AND_TRAINING_WORDS,
        DIPLOMAS,
        EMPLOYERS,
        CHAT_WORDS,
    )
    return frozenset(fold(w) for block in blocks for w in _words(block))


@cache
def place_words() -> frozenset[str]:
    return frozenset(fold(w) for block in (REGIONS, DEPARTEMENTS, COMMUNES) for w in _words(block))


def looks_like_place(word: str) -> bool:
    """A place name, even misspelt ("Hgauenau"): spaCy tags those as persons."""
    from rapidfuzz import fuzz, process

    folded = fold(word)
    if folded in place_words():
        return True
    return (
        len(folded) >= 5
        and process.extractOne(folded, place_words(), scorer=fuzz.ratio, score_cutoff=80)
        is not None
    )


def is_kept(phrase: str) -> bool:
    """True when every word of the phrase is kept (a place, a job word, a diploma...)."""
    phrase = fold(phrase.strip(" .,;:!?'\""))
    if phrase in kept_words():
        return True
    words = phrase.replace("-", " ").split()
    return bool(words) and all(w in kept_words() for w in words)
