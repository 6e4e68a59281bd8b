"""The record of the packs sent: read back as written, an action a line."""

import json
import random

from plantools.packs.sent import SENT, pack_text, read_sent, record_text, write_sent

ODD = ["", "café – “quoted”", 'a "quote" and a \\ backslash', "line one\nline two", "\t", "=SUM(A1)", "\u2028"]


def generated_packs(seed: int) -> list[dict]:
    rng = random.Random(seed)
    packs = []
    for number in range(rng.randint(0, 4)):
        actions = [{"key": f"k{number}-{i}", "ref": rng.choice(ODD) + str(i), "progress": rng.choice(ODD),
                    "rag": rng.choice(["Red", "", "Green"]), "deadline": rng.choice(["", "March 2027"])}
                   for i in range(rng.randint(0, 5))]
        packs.append({"id": f"id{number}", "body": rng.choice(ODD) or "Board", "plan": "Plan.xlsx",
                      "month": "2026-12", "file": "Board 2026-12.xlsx", "sha256": "0" * 64,
                      "made": "2026-12-07T11:00:00", "actions": actions})
    return packs


def test_the_record_reads_back_as_written_with_an_action_a_line(tmp_path):
    for seed in range(20):
        folder = tmp_path / str(seed)
        folder.mkdir()
        packs = generated_packs(seed)
        path = write_sent(folder, {p["id"]: pack_text(p) for p in packs}, {"month": "2026-12", "reply_by": "",
                                                                           "workbook": ""})
        known = json.loads(path.read_text(encoding="utf-8"))
        assert list(known["packs"].values()) == packs
        assert record_text(known) == path.read_text(encoding="utf-8")
        lines = path.read_text(encoding="utf-8").splitlines()
        for pack in packs:
            for action in pack["actions"]:
                assert json.dumps(action) in lines or json.dumps(action) + "," in lines
        assert sorted(read_sent(folder)) == sorted(p["id"] for p in packs)
        assert (folder / SENT).exists()
