"""Engine state to O2G JSON for the core services (users, preferences), pure.

Field names and enum spellings follow o2g.md §2.2 and what ALE's SDKs read
(o2g-wire.md §3.2): every device carries ``subType`` and the voicemail an
``id`` besides ``number`` and ``type``, because ALE's Python sample fails
without them.
"""
from __future__ import annotations

from typing import Any

from ctiswitch.engine.directory import User

#: OXE language -> GUI language code (o2g.md §2.2, 56 entries).
OXE_LANGUAGES: dict[str, str] = {
    "Arabic_D": "ar",
    "Arabic_FV": "ar-fv",
    "Australian": "en-au",
    "Austrian": "de-at",
    "Bahasa_Malay": "id",
    "Brazilian": "br",
    "Bulgarian": "bg",
    "Canadian_French": "fr-ca",
    "Cantonese": "ca-?",
    "Catalonian": "ca",
    "Croat": "hr",
    "Czech": "cs",
    "Danish": "da",
    "Egyptian_FV": "eg-fv",
    "Egyptian_MV": "eg-mv",
    "English_Africa": "en-af",
    "English_UK": "en-gb",
    "Estonian": "et",
    "Finnish": "fi",
    "Flemish": "nl-be",
    "French": "fr",
    "French_Swiss": "fr-ch",
    "Generic_English": "en",
    "German": "de",
    "German_Swiss": "de-ch",
    "Greek": "el",
    "Hebrew": "he",
    "Holland": "nl",
    "Hungarian": "hu",
    "Icelandic": "is",
    "Irish": "ga",
    "Italian": "it",
    "Italian_Swiss": "it-ch",
    "Japanese": "ja",
    "Korean": "ko",
    "Latvian": "lv",
    "Lithuanian": "lt",
    "Malay": "ms",
    "Mandarin_China": "zh",
    "Mandarin_Taiwan": "zh-tw",
    "Norwegian": "no",
    "Persian": "fa",
    "Polish": "pl",
    "Portuguese": "pt",
    "Rumanian": "ro",
    "Russian": "ru",
    "Slovene": "si",
    "Spanish": "es",
    "Spanish_America": "es-us",
    "Swedish": "sv",
    "Thai": "th",
    "Turkish": "tr",
    "US_English": "en-us",
    "Valenciano": "ca-es",
    "Vietnamese": "vi",
    "Yugoslav": "yu",
}
#: GUI language code -> OXE language; the first OXE name of a code wins
#: (``en`` is Generic_English).
GUI_LANGUAGES: dict[str, str] = {}
for _oxe, _gui in OXE_LANGUAGES.items():
    GUI_LANGUAGES.setdefault(_gui, _oxe)

#: Configured device type -> (O2G DeviceType, subType).
DEVICE_TYPES: dict[str, tuple[str, str]] = {
    "deskphone": ("DESKPHONE", "NOE_C_Color_IP"),
    "softphone": ("SOFTPHONE", "SIP_Extension"),
    "mobile": ("MOBILE", "MOBILE"),
    "analog": ("DESKPHONE", "ANALOG"),
}


def user_json(user: User, *, node_id: int, voicemail_number: str, with_devices: bool) -> dict[str, Any]:
    """The O2G ``User``; ``devices`` only for the session owner or an administrator."""
    data: dict[str, Any] = {
        "companyPhone": user.number,
        "firstName": user.first_name,
        "lastName": user.last_name,
        "loginName": user.login,
        "nodeId": str(node_id),
    }
    if user.email:
        data["eMailAddress"] = user.email
    if user.has_mailbox:
        data["voicemail"] = {"number": voicemail_number, "type": "VM_4635", "id": user.number}
    if with_devices:
        data["devices"] = [device_json(d.number, d.type.value) for d in user.devices]
    return data


def device_json(number: str, kind: str) -> dict[str, str]:
    o2g_type, sub_type = DEVICE_TYPES.get(kind, ("DESKPHONE", kind.upper()))
    return {"type": o2g_type, "id": number, "subType": sub_type}


def preferences_json(user: User) -> dict[str, str]:
    """``UserPreferences``: what the user set, else the configured language."""
    gui = str(user.preferences.get("guiLanguage", user.language))
    oxe = user.preferences.get("oxeLanguage") or GUI_LANGUAGES.get(gui) or GUI_LANGUAGES.get(gui.split("-")[0])
    result = {"guiLanguage": gui}
    if oxe:
        result["oxeLanguage"] = str(oxe)
    return result


def supported_languages() -> dict[str, list[str]]:
    codes = sorted(GUI_LANGUAGES)
    return {"supportedLanguages": codes, "supportedGuiLanguages": codes}
