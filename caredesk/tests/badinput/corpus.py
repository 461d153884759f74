"""The bad input corpus: values a careless or hostile client sends, by kind. Data only; the
tests beside it decide where each kind goes (paths, JSON bodies, page forms)."""

HUGE = 2**63  # one past the largest id the database holds

# Ids written in a path: none names a row, each must be refused before the database is asked.
BAD_PATH_IDS = ["0", "-1", str(HUGE), str(10**30), "abc", "1.5", "%C2%B2"]

# Bodies that are not JSON at all, or not what a JSON API reads.
MALFORMED_JSON = ['{"title": ', "{'a': 1}", "\x00", "\ufeff{}", "{" * 200, "nul"]

# A value of the wrong type for any field: whatever a property's type, one of these is wrong.
WRONG_TYPES = [[[]], {"x": {}}, HUGE * 2**64, -(2**70)]

# Text that holds nothing to read or nothing a text column takes.
BAD_TEXT = {
    "nul": "ticket\x00title",
    "invisible_only": "\u200b\u200e\ufeff",
    "rtl_marks_only": "\u200f\u202e\u200f",
    "combining_only": "\u0301\u0308\u0323",
    "spaces_only": " \u3000\t ",
    "lone_surrogate": "\ud800",
}

# Ordinary text that must be accepted and read back unchanged.
GOOD_TEXT = {
    "mixed": "基站 Base station 掉话 dropped 📡🔥",
    "rtl_inside": "مرحبا hello 你好",
    "combining_on_letters": "Cafe\u0301 noe\u0308l",
    "emoji_zwj": "👩‍🔧 engineer",
}

# Markup in a text field: stored as written, shown escaped.
SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
