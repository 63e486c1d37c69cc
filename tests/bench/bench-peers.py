#!/usr/bin/python3
"""bench-peers: the same one-page letter through optout, reportlab and pdfmake.

Each peer renders the letter N times in one process (as a packet or a batch
would); the processor time of that process (user + system) gives letters per
second per core, its ru_maxrss the peak memory, and the last PDF the bytes.
reportlab (Debian: python3-reportlab) and pdfmake (npm, found by node's
require from the current folder or NODE_PATH) are optional: a peer that is
not installed is reported as skipped.  A benchmark, never part of make check.
"""
import os, shutil, subprocess, sys, tempfile

N = int(os.environ.get("BENCH_PEERS_LETTERS", "500"))
bench_pdf = os.environ.get("BENCH_PDF") or os.path.join(os.getcwd(), "tests", "bench", "bench-pdf")

# The letter, once: each peer lays out exactly these lines and paragraphs.
NAME = "José Núñez"
FROM = [NAME, "101 Main Street, Apt 2", "Springfield, IL 62701"]
TO = ["LexisNexis Risk Solutions", "Consumer Center", "P.O. Box 105108", "Atlanta, GA 30348-5108"]
DATE = "November 2, 2025"
SUBJECT = "Re: Request to delete personal information (CCPA)"
PARAS = [
    "To whom it may concern:",
    "I am writing to request that you delete all personal information you hold about me, "
    "pursuant to the California Consumer Privacy Act (Cal. Civ. Code 1798.105). This request "
    "covers every database and product, including data sold or licensed to government agencies.",
]
BULLETS = [
    "Delete all personal information about me, including records obtained from third parties.",
    "Confirm in writing, within 45 days, that you have done so.",
    "Tell your service providers and contractors to delete it as well.",
]
CLOSING = ("My name is %s and I live at the address above. Please do not use this request as a "
           "reason to collect more information about me than the law allows." % NAME)


def markup():
    """The letter in optout's markup."""
    return ("@paper letter\n@ref OPT-2025-00001\n@date %s\n@subject %s\n\n@from\n%s\n\n@to\n%s\n\n"
            "%s\n\n%s\n\n%s\n\n%s\n\nSincerely,\n\n@signature\n%s\n"
            % (DATE, SUBJECT, "\n".join(FROM), "\n".join(TO), PARAS[0], PARAS[1],
               "\n".join("- " + b for b in BULLETS), CLOSING, NAME))


REPORTLAB = r'''
import io, sys, json
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import SimpleDocTemplate, Paragraph, Spacer, ListFlowable, ListItem
from xml.sax.saxutils import escape
L = json.load(open(sys.argv[1])); n = int(sys.argv[2]); out = None
st = getSampleStyleSheet(); body = st["BodyText"]
for i in range(n):
    f = io.BytesIO()
    doc = SimpleDocTemplate(f, pagesize=letter, title="", author="", creator="", producer="")
    p = [Paragraph("<br/>".join(escape(x) for x in L["from"]), body), Spacer(1, 12),
         Paragraph(escape(L["date"]), body), Spacer(1, 12),
         Paragraph("<br/>".join(escape(x) for x in L["to"]), body), Spacer(1, 12),
         Paragraph("<b>%s</b>" % escape(L["subject"]), body)]
    p += [Paragraph(escape(x), body) for x in L["paras"]]
    p.append(ListFlowable([ListItem(Paragraph(escape(b), body)) for b in L["bullets"]],
                          bulletType="bullet"))
    p += [Paragraph(escape(L["closing"]), body), Paragraph("Sincerely,", body), Spacer(1, 36),
          Paragraph(escape(L["name"]), body)]
    doc.build(p)
    out = f.getvalue()
open(sys.argv[3], "wb").write(out)
'''

PDFMAKE = r'''
const fs = require("fs");
const PdfPrinter = require("pdfmake");
const L = JSON.parse(fs.readFileSync(process.argv[2], "utf8")), n = +process.argv[3];
const fonts = { Helvetica: { normal: "Helvetica", bold: "Helvetica-Bold",
  italics: "Helvetica-Oblique", bolditalics: "Helvetica-BoldOblique" } };
const printer = new PdfPrinter(fonts);
const def = { pageSize: "LETTER", defaultStyle: { font: "Helvetica", fontSize: 11 }, content: [
  { text: L.from.join("\n"), margin: [0, 0, 0, 12] }, { text: L.date, margin: [0, 0, 0, 12] },
  { text: L.to.join("\n"), margin: [0, 0, 0, 12] }, { text: L.subject, bold: true },
  ...L.paras.map(t => ({ text: t, margin: [0, 6, 0, 6] })), { ul: L.bullets },
  { text: L.closing, margin: [0, 6, 0, 6] }, "Sincerely,", { text: L.name, margin: [0, 36, 0, 0] }] };
let i = 0;
function one() {
  const doc = printer.createPdfKitDocument(def), parts = [];
  doc.on("data", c => parts.push(c));
  doc.on("end", () => { if (++i < n) one(); else fs.writeFileSync(process.argv[4], Buffer.concat(parts)); });
  doc.end();
}
one();
'''


def measure(argv):
    """Run argv; its processor seconds and peak memory (KB), or None if it failed."""
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.stderr.write("bench-peers: %s failed: %s\n" % (argv[0], err.decode(errors="replace")[:300]))
        return None
    return ru.ru_utime + ru.ru_stime, ru.ru_maxrss


def main():
    work = tempfile.mkdtemp(prefix="optout-bench-peers-")
    try:
        mk = os.path.join(work, "letter.txt")
        with open(mk, "w", encoding="utf-8") as f:
            f.write(markup())
        spec = os.path.join(work, "letter.json")
        import json
        with open(spec, "w", encoding="utf-8") as f:
            json.dump({"from": FROM, "to": TO, "date": DATE, "subject": SUBJECT, "paras": PARAS,
                       "bullets": BULLETS, "closing": CLOSING, "name": NAME}, f)
        rows = []
        # optout: the PDF renderer in-process, through bench-pdf --file.
        out = os.path.join(work, "optout.pdf")
        rows.append(("optout", measure([bench_pdf, "--file", mk, str(N), out]), out))
        # reportlab, if python3-reportlab is installed.
        out = os.path.join(work, "reportlab.pdf")
        py = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
        if subprocess.run([py, "-c", "import reportlab"], stderr=subprocess.DEVNULL).returncode == 0:
            script = os.path.join(work, "rl.py")
            with open(script, "w") as f:
                f.write(REPORTLAB)
            rows.append(("reportlab", measure([py, script, spec, str(N), out]), out))
        else:
            rows.append(("reportlab", "not installed (apt install python3-reportlab)", None))
        # pdfmake, if node can require it.
        out = os.path.join(work, "pdfmake.pdf")
        node = shutil.which("node") or shutil.which("nodejs")
        if node and subprocess.run([node, "-e", "require('pdfmake')"], stderr=subprocess.DEVNULL).returncode == 0:
            script = os.path.join(work, "pm.js")
            with open(script, "w") as f:
                f.write(PDFMAKE)
            rows.append(("pdfmake", measure([node, script, spec, str(N), out]), out))
        else:
            rows.append(("pdfmake", "not installed (npm install pdfmake)", None))

        base = rows[0][1]
        if base is None:
            sys.exit("bench-peers: optout's renderer failed")
        base_rate = N / base[0]
        base_bytes = os.path.getsize(rows[0][2])
        print("bench-peers: one-page letter, %d letters per peer, processor time of one process" % N)
        print("%-10s %10s %8s %8s   %s" % ("peer", "letters/s", "bytes", "peak MB", "optout by comparison"))
        for name, res, out in rows:
            if isinstance(res, str):
                print("%-10s skipped: %s" % (name, res))
                continue
            if res is None:
                print("%-10s failed" % name)
                continue
            rate = N / res[0] if res[0] > 0 else float("inf")
            size = os.path.getsize(out)
            ratio = "" if name == "optout" else "%.1fx faster, %.2fx the bytes, %.2fx the memory" % (
                base_rate / rate, base_bytes / size, base[1] / res[1])
            print("%-10s %10.0f %8d %8.1f   %s" % (name, rate, size, res[1] / 1024.0, ratio))
    finally:
        shutil.rmtree(work)


main()
