"""Message catalogue of :mod:`dataprotect.strength`: ids and their text in
English, German, French and Italian.

zxcvbn's feedback comes as English sentences; :data:`ZXCVBN_IDS` maps each
to a stable message id.  The NIST SP 800-63B rule messages take named
``str.format`` fields (numbers only, never the password).
"""

from __future__ import annotations


__all__ = ["LOCALES", "MESSAGES", "ZXCVBN_IDS", "text"]

#: Supported locales; the first is the fallback for unknown zxcvbn text.
LOCALES: tuple[str, ...] = ("en", "de", "fr", "it")

#: message id -> (en, de, fr, it)
MESSAGES: dict[str, tuple[str, str, str, str]] = {
    # zxcvbn warnings
    "straight_row": (
        "Straight rows of keys are easy to guess.",
        "Gerade Tastenreihen sind leicht zu erraten.",
        "Les rangées de touches droites sont faciles à deviner.",
        "Le file di tasti in linea retta sono facili da indovinare.",
    ),
    "keyboard_pattern": (
        "Short keyboard patterns are easy to guess.",
        "Kurze Tastaturmuster sind leicht zu erraten.",
        "Les motifs de clavier courts sont faciles à deviner.",
        "Gli schemi brevi sulla tastiera sono facili da indovinare.",
    ),
    "repeated_chars": (
        'Repeats like "aaa" are easy to guess.',
        "Wiederholungen wie „aaa“ sind leicht zu erraten.",
        "Les répétitions comme « aaa » sont faciles à deviner.",
        "Le ripetizioni come «aaa» sono facili da indovinare.",
    ),
    "repeated_words": (
        'Repeats like "abcabcabc" are only slightly harder to guess than "abc".',
        "Wiederholungen wie „abcabcabc“ sind kaum schwerer zu erraten als „abc“.",
        (
            "Les répétitions comme « abcabcabc » sont à peine plus difficiles à "
            "deviner que « abc »."
        ),
        (
            "Le ripetizioni come «abcabcabc» sono solo un po' più difficili da "
            "indovinare di «abc»."
        ),
    ),
    "sequences": (
        'Sequences like "abc" or "6543" are easy to guess.',
        "Folgen wie „abc“ oder „6543“ sind leicht zu erraten.",
        "Les suites comme « abc » ou « 6543 » sont faciles à deviner.",
        "Le sequenze come «abc» o «6543» sono facili da indovinare.",
    ),
    "recent_years": (
        "Recent years are easy to guess.",
        "Jahreszahlen der letzten Zeit sind leicht zu erraten.",
        "Les années récentes sont faciles à deviner.",
        "Gli anni recenti sono facili da indovinare.",
    ),
    "dates": (
        "Dates are often easy to guess.",
        "Daten sind oft leicht zu erraten.",
        "Les dates sont souvent faciles à deviner.",
        "Le date sono spesso facili da indovinare.",
    ),
    "top10": (
        "This is a top-10 common password.",
        "Dies ist eines der 10 häufigsten Passwörter.",
        "C'est l'un des 10 mots de passe les plus courants.",
        "Questa è una delle 10 password più comuni.",
    ),
    "top100": (
        "This is a top-100 common password.",
        "Dies ist eines der 100 häufigsten Passwörter.",
        "C'est l'un des 100 mots de passe les plus courants.",
        "Questa è una delle 100 password più comuni.",
    ),
    "common": (
        "This is a very common password.",
        "Dies ist ein sehr häufiges Passwort.",
        "C'est un mot de passe très courant.",
        "Questa è una password molto comune.",
    ),
    "similar_to_common": (
        "This is similar to a commonly used password.",
        "Dies ähnelt einem häufig verwendeten Passwort.",
        "Ceci ressemble à un mot de passe couramment utilisé.",
        "Questa è simile a una password di uso comune.",
    ),
    "word_by_itself": (
        "A word by itself is easy to guess.",
        "Ein einzelnes Wort ist leicht zu erraten.",
        "Un mot seul est facile à deviner.",
        "Una parola da sola è facile da indovinare.",
    ),
    "names_by_themselves": (
        "Names and surnames by themselves are easy to guess.",
        "Vor- und Nachnamen allein sind leicht zu erraten.",
        "Les prénoms et noms de famille seuls sont faciles à deviner.",
        "Nomi e cognomi da soli sono facili da indovinare.",
    ),
    "common_names": (
        "Common names and surnames are easy to guess.",
        "Häufige Vor- und Nachnamen sind leicht zu erraten.",
        "Les prénoms et noms de famille courants sont faciles à deviner.",
        "Nomi e cognomi comuni sono facili da indovinare.",
    ),
    # zxcvbn suggestions
    "use_words": (
        "Use a few words, avoid common phrases.",
        "Verwenden Sie einige Wörter und vermeiden Sie gängige Redewendungen.",
        "Utilisez quelques mots, évitez les expressions courantes.",
        "Usa alcune parole, evita le frasi comuni.",
    ),
    "no_need_symbols": (
        "No need for symbols, digits, or uppercase letters.",
        "Sonderzeichen, Ziffern oder Großbuchstaben sind nicht nötig.",
        "Les symboles, chiffres et majuscules ne sont pas nécessaires.",
        "Non servono simboli, cifre o lettere maiuscole.",
    ),
    "add_word": (
        "Add another word or two. Uncommon words are better.",
        "Fügen Sie ein oder zwei Wörter hinzu. Ungewöhnliche Wörter sind besser.",
        "Ajoutez un ou deux mots. Les mots peu courants sont préférables.",
        "Aggiungi una o due parole. Le parole insolite sono migliori.",
    ),
    "longer_keyboard_pattern": (
        "Use a longer keyboard pattern with more turns.",
        "Verwenden Sie ein längeres Tastaturmuster mit mehr Richtungswechseln.",
        (
            "Utilisez un motif de clavier plus long avec plus de changements de "
            "direction."
        ),
        "Usa uno schema di tastiera più lungo con più cambi di direzione.",
    ),
    "avoid_repeats": (
        "Avoid repeated words and characters.",
        "Vermeiden Sie wiederholte Wörter und Zeichen.",
        "Évitez les mots et caractères répétés.",
        "Evita parole e caratteri ripetuti.",
    ),
    "avoid_sequences": (
        "Avoid sequences.",
        "Vermeiden Sie Folgen.",
        "Évitez les suites.",
        "Evita le sequenze.",
    ),
    "avoid_recent_years": (
        "Avoid recent years.",
        "Vermeiden Sie Jahreszahlen der letzten Zeit.",
        "Évitez les années récentes.",
        "Evita gli anni recenti.",
    ),
    "avoid_associated_years": (
        "Avoid years that are associated with you.",
        "Vermeiden Sie Jahreszahlen, die mit Ihnen in Verbindung stehen.",
        "Évitez les années qui vous sont associées.",
        "Evita gli anni associati a te.",
    ),
    "avoid_associated_dates": (
        "Avoid dates and years that are associated with you.",
        "Vermeiden Sie Daten und Jahreszahlen, die mit Ihnen in Verbindung stehen.",
        "Évitez les dates et années qui vous sont associées.",
        "Evita date e anni associati a te.",
    ),
    "capitalization": (
        "Capitalization doesn't help very much.",
        "Großschreibung hilft nicht viel.",
        "Les majuscules n'aident pas beaucoup.",
        "Le maiuscole non aiutano molto.",
    ),
    "all_uppercase": (
        "All-uppercase is almost as easy to guess as all-lowercase.",
        (
            "Nur Großbuchstaben sind fast so leicht zu erraten wie nur "
            "Kleinbuchstaben."
        ),
        (
            "Tout en majuscules est presque aussi facile à deviner que tout en "
            "minuscules."
        ),
        "Tutto maiuscolo è facile da indovinare quasi quanto tutto minuscolo.",
    ),
    "reversed_words": (
        "Reversed words aren't much harder to guess.",
        "Rückwärts geschriebene Wörter sind kaum schwerer zu erraten.",
        "Les mots inversés ne sont guère plus difficiles à deviner.",
        "Le parole al contrario non sono molto più difficili da indovinare.",
    ),
    "l33t": (
        "Predictable substitutions like '@' instead of 'a' don't help very much.",
        "Vorhersehbare Ersetzungen wie „@“ statt „a“ helfen nicht viel.",
        (
            "Les substitutions prévisibles comme « @ » au lieu de « a » n'aident "
            "pas beaucoup."
        ),
        "Sostituzioni prevedibili come «@» al posto di «a» non aiutano molto.",
    ),
    # NIST SP 800-63B rules (violations)
    "too_short": (
        "Use at least {min_length} characters.",
        "Verwenden Sie mindestens {min_length} Zeichen.",
        "Utilisez au moins {min_length} caractères.",
        "Usa almeno {min_length} caratteri.",
    ),
    "too_long": (
        "Use at most {max_length} characters.",
        "Verwenden Sie höchstens {max_length} Zeichen.",
        "Utilisez au plus {max_length} caractères.",
        "Usa al massimo {max_length} caratteri.",
    ),
    "blocklisted": (
        "This password is on a list of commonly used passwords.",
        "Dieses Passwort steht auf einer Liste häufig verwendeter Passwörter.",
        (
            "Ce mot de passe figure sur une liste de mots de passe couramment "
            "utilisés."
        ),
        "Questa password è in un elenco di password di uso comune.",
    ),
    "breached": (
        "This password has appeared in a data breach.",
        "Dieses Passwort ist in einem Datenleck aufgetaucht.",
        "Ce mot de passe est apparu dans une fuite de données.",
        "Questa password è comparsa in una violazione di dati.",
    ),
    "context": (
        (
            "This password is built from your user name, email address or the "
            "name of this service."
        ),
        (
            "Dieses Passwort ist aus Ihrem Benutzernamen, Ihrer E-Mail-Adresse "
            "oder dem Namen dieses Dienstes gebildet."
        ),
        (
            "Ce mot de passe est construit à partir de votre nom d'utilisateur, "
            "de votre adresse e-mail ou du nom de ce service."
        ),
        (
            "Questa password è costruita a partire dal tuo nome utente, dal tuo "
            "indirizzo email o dal nome di questo servizio."
        ),
    ),
    "invalid_character": (
        (
            "This password contains characters that cannot be stored "
            "(NUL or unpaired surrogates)."
        ),
        (
            "Dieses Passwort enthält Zeichen, die nicht gespeichert werden können "
            "(NUL oder einzelne Surrogate)."
        ),
        (
            "Ce mot de passe contient des caractères qui ne peuvent pas être "
            "enregistrés (NUL ou substituts isolés)."
        ),
        (
            "Questa password contiene caratteri che non possono essere salvati "
            "(NUL o surrogati isolati)."
        ),
    ),
    # verdict, used when the score is below the required one
    "too_guessable": (
        "This password is too easy to guess.",
        "Dieses Passwort ist zu leicht zu erraten.",
        "Ce mot de passe est trop facile à deviner.",
        "Questa password è troppo facile da indovinare.",
    ),
    "help_text": (
        (
            "Your password must contain at least {min_length} characters, must "
            "not be a commonly used or breached password, must not be built "
            "from your personal information, and must be hard to guess. Long "
            "passphrases of a few unrelated words work well."
        ),
        (
            "Ihr Passwort muss mindestens {min_length} Zeichen enthalten, darf "
            "kein häufig verwendetes oder geleaktes Passwort sein, darf nicht "
            "aus Ihren persönlichen Daten gebildet sein und muss schwer zu "
            "erraten sein. Lange Passphrasen aus einigen unzusammenhängenden "
            "Wörtern eignen sich gut."
        ),
        (
            "Votre mot de passe doit contenir au moins {min_length} caractères, "
            "ne doit pas être un mot de passe courant ou divulgué, ne doit pas "
            "être construit à partir de vos informations personnelles et doit "
            "être difficile à deviner. Les longues phrases de passe de quelques "
            "mots sans rapport conviennent bien."
        ),
        (
            "La tua password deve contenere almeno {min_length} caratteri, non "
            "deve essere una password comune o trapelata, non deve essere "
            "costruita a partire dalle tue informazioni personali e deve essere "
            "difficile da indovinare. Le passphrase lunghe di alcune parole non "
            "correlate funzionano bene."
        ),
    ),
}

#: zxcvbn's English feedback sentence -> message id.
ZXCVBN_IDS: dict[str, str] = {
    MESSAGES[key][0]: key
    for key in (
        "straight_row",
        "keyboard_pattern",
        "repeated_chars",
        "repeated_words",
        "sequences",
        "recent_years",
        "dates",
        "top10",
        "top100",
        "common",
        "similar_to_common",
        "word_by_itself",
        "names_by_themselves",
        "common_names",
        "use_words",
        "no_need_symbols",
        "add_word",
        "longer_keyboard_pattern",
        "avoid_repeats",
        "avoid_sequences",
        "avoid_recent_years",
        "avoid_associated_years",
        "avoid_associated_dates",
        "capitalization",
        "all_uppercase",
        "reversed_words",
        "l33t",
    )
}


def text(message_id: str, locale: str, **fields: int) -> str:
    """The text of *message_id* in *locale* (one of :data:`LOCALES`)."""
    template = MESSAGES[message_id][LOCALES.index(locale)]
    return template.format(**fields) if fields else template
