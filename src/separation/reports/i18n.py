"""The report's words in Spanish, for the public page (the Council's files stay in English).

Section titles and statements are looked up by the breakdown's id, and category labels by their English
text; anything without a translation (an agency's name) is shown as it is.
"""

from __future__ import annotations

__all__ = ["LABELS_ES", "SECTIONS_ES", "TEXT", "section", "translate_label"]

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "separation ordinance report",
        "period": "Period",
        "to": "to",
        "public": "Public version.",
        "full": "Full version, not for publication.",
        "generated": "Generated",
        "received": "Requests received",
        "category": "Category",
        "count": "Count",
        "total": "Total",
        "suppressed": "fewer than 5",
        "not_shown": "not shown",
        "not_recorded": "not recorded",
        "turnaround": "Referral turnaround",
        "referred": "Requests referred to the City Attorney",
        "reviewed": "Referrals reviewed",
        "awaiting": "Referrals still awaiting review",
        "median": "Median time to review (hours)",
        "p90": "90th percentile time to review (hours)",
        "investigations": "City personnel in criminal investigations with an immigration angle",
        "investigations_none": "None in this period: no use of city personnel in a criminal investigation "
        "with an immigration angle was recorded.",
        "received_on": "Received",
        "outcome": "outcome",
        "ledger": "Ledger checkpoint",
        "ledger_text": "Every record behind this report is an entry in a SHA-256 hash chain. The head below "
        "is signed with the ledger's Ed25519 key; anyone holding this report can check the register has not "
        "been rewritten since.",
        "entry": "Entry",
        "head": "Head",
        "signed_at": "Signed at",
        "key_id": "Key id",
        "public_key": "Public key",
        "signature": "Signature",
        "suppression_note": "Counts from 1 to 4 are shown as \u201cfewer than 5\u201d so that no person "
        "can be singled out.",
    },
    "es": {
        "title": "informe de la ordenanza de separación",
        "period": "Período",
        "to": "al",
        "public": "Versión pública.",
        "full": "Versión completa, no para publicar.",
        "generated": "Generado",
        "received": "Solicitudes recibidas",
        "category": "Categoría",
        "count": "Cantidad",
        "total": "Total",
        "suppressed": "menos de 5",
        "not_shown": "no se muestra",
        "not_recorded": "no registrado",
        "turnaround": "Tiempo de revisión de las remisiones",
        "referred": "Solicitudes remitidas a la Fiscalía de la Ciudad",
        "reviewed": "Remisiones revisadas",
        "awaiting": "Remisiones que esperan revisión",
        "median": "Tiempo mediano de revisión (horas)",
        "p90": "Percentil 90 del tiempo de revisión (horas)",
        "investigations": "Personal de la ciudad en investigaciones penales con un aspecto migratorio",
        "investigations_none": "Ninguno en este período: no se registró el uso de personal de la ciudad en "
        "una investigación penal con un aspecto migratorio.",
        "received_on": "Recibida",
        "outcome": "resultado",
        "ledger": "Punto de control del registro",
        "ledger_text": "Cada registro detrás de este informe es una entrada en una cadena de hashes SHA-256. "
        "La cabeza de abajo está firmada con la clave Ed25519 del registro; cualquiera que tenga este "
        "informe puede comprobar que el registro no ha sido reescrito desde entonces.",
        "entry": "Entrada",
        "head": "Cabeza",
        "signed_at": "Firmado el",
        "key_id": "Id. de la clave",
        "public_key": "Clave pública",
        "signature": "Firma",
        "suppression_note": "Las cifras de 1 a 4 se muestran como \u201cmenos de 5\u201d para que nadie "
        "pueda ser identificado.",
    },
}

SECTIONS_ES = {
    "agency": ("Solicitudes por agencia", "No se recibieron solicitudes en este período."),
    "ask": ("Solicitudes por lo que se pidió", "No se recibieron solicitudes en este período."),
    "outcome": ("Solicitudes por resultado final", "No se recibieron solicitudes en este período."),
    "department": (
        "Solicitudes por departamento de la ciudad",
        "No se recibieron solicitudes en este período.",
    ),
    "overrides": (
        "Decisiones cambiadas por la Fiscalía (propuesta \u2192 final)",
        "Ninguna decisión fue cambiada en este período.",
    ),
    "obligations": ("Obligaciones de estas solicitudes", "No surgieron obligaciones en este período."),
    "complaint_category": ("Quejas por tipo", "No se recibieron quejas en este período."),
    "complaint_disposition": ("Quejas por resolución", "No se recibieron quejas en este período."),
}

LABELS_ES = {
    "comply": "cumplir",
    "decline": "rechazar",
    "refer": "remitir a la Fiscalía",
    "partial": "en parte",
    "met on time": "cumplidas a tiempo",
    "met late": "cumplidas tarde",
    "overdue": "vencidas",
    "open, not yet due": "abiertas, aún no vencen",
    "not given": "no indicado",
    "open (no disposition yet)": "abiertas (sin resolución aún)",
    "inquiry status": "preguntó por el estatus",
    "information shared": "información compartida",
    "detention": "detención",
    "resource use": "uso de recursos",
    "data access": "acceso a datos",
    "vendor": "contratista",
    "retaliation": "represalia",
    "other": "otro",
    "sustained": "fundada",
    "not sustained": "no fundada",
    "unfounded": "infundada",
    "exonerated": "exonerado",
    "withdrawn": "retirada",
    "referred": "remitida",
    "hold": "retener",
    "notify release": "avisar de la liberación",
    "transfer": "entregar",
    "arrest": "arrestar",
    "information": "información",
    "status information": "información de estatus",
    "property use": "uso de propiedad",
    "facility access": "acceso a instalaciones",
    "perimeter": "perímetro",
    "personnel": "personal",
    "agreement": "acuerdo",
    "records": "registros",
    "certification": "certificación",
}


def translate_label(label: str, lang: str) -> str:
    if lang != "es":
        return label
    if " \u2192 " in label:
        return " \u2192 ".join(LABELS_ES.get(part, part) for part in label.split(" \u2192 "))
    return LABELS_ES.get(label, label)


def section(id: str, title: str, none: str, lang: str) -> tuple[str, str]:
    if lang == "es" and id in SECTIONS_ES:
        return SECTIONS_ES[id]
    return title, none
