"""The files open right in a real spreadsheet program: LibreOffice, headless, converts them back to CSV."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess

from dialogue.i18n import _l
from tests.conftest import login, skip_or_fail
from tests.exports.helpers import EMOJI, NORDIC, RTL, TRICKY, build
from tests.exports.test_exports import export, sv

# LibreOffice's CSV filter options: separator, text delimiter (34 = "), character set (76 = UTF-8), first row
UTF8_CSV_OUT = 'csv:Text - txt - csv (StarCalc):44,34,76'


def _soffice(tmp_path, source, infilter: str | None = None) -> list[list[str]]:
    out = tmp_path / "out"
    command = [shutil.which("soffice"), f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
               "--convert-to", UTF8_CSV_OUT, "--outdir", str(out), str(source)]
    if infilter:
        command[3:3] = [f"--infilter={infilter}"]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    converted = out / (source.stem + ".csv")
    return list(csv.reader(io.StringIO(converted.read_text(encoding="utf-8"), newline="")))


def test_libreoffice_reads_csv_and_xlsx_with_nordic_characters(app, client, make_user, municipality, tmp_path):
    if shutil.which("soffice") is None:
        skip_or_fail("LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
    built = build(app)
    login(client, make_user("analyst"))
    semicolons = export(client, questionnaire=built.questionnaire_id, delimiter="semicolon").get_data()
    xlsx = export(client, questionnaire=built.questionnaire_id, format="xlsx").get_data()
    (tmp_path / "wide-semicolon.csv").write_bytes(semicolons)
    (tmp_path / "wide.xlsx").write_bytes(xlsx)

    # Calc told it is UTF-8 with semicolons, as the export page says; the byte order mark is not read as text
    from_csv = _soffice(tmp_path, tmp_path / "wide-semicolon.csv", "CSV:59,34,76,1")
    from_xlsx = _soffice(tmp_path, tmp_path / "wide.xlsx")
    header = sv(app, _l("Response ID"))  # headers are in the municipality's language, Swedish in the demo
    for table in (from_csv, from_xlsx):
        assert table[0][0] == header, table[0][:3]
        assert table[1][12] == NORDIC
        assert table[2][12] == TRICKY
        assert table[3][12] == EMOJI + " " + RTL
        assert table[2][17] == "'=Idrott"  # shown as text, never run
        assert table[1][18] == "5" and table[2][18] == "-2"
    # the XLSX's times are dates in Stockholm's wall time (10:30 in winter for 09:30 UTC), read as such
    assert from_xlsx[0][1].endswith("(Europe/Stockholm)") and from_xlsx[1][1] == "2026-03-01 10:30:00"
