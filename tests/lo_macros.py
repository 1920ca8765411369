"""Run the VBA button macros of .xlsm workbooks in headless LibreOffice (system python3 + UNO).

Usage: python3 lo_macros.py PORT PROFILE_DIR MODULE ADDIN_CALL BOOK.xlsm [BOOK.xlsm ...]
Prints one JSON object: for each book, the VBA libraries and modules LibreOffice imported, the
module's source as LibreOffice holds it, and for each Sub of MODULE the command its button
passed to RunPython.

xlwings' RunPython lives in another workbook (the add-in). Headless LibreOffice resolves
``Application.Run "'book'!macro"`` only in visible documents, and opening a visible document
crashes the nogui build, so the stand-in RunPython is added to the book itself: the runner
inserts a module holding it and points the one ADDIN_CALL line of MODULE at it. Everything else
runs as shipped. The stand-in writes the command into Z1 of the first sheet.
"""

import contextlib
import json
import re
import subprocess
import sys
import time

import uno
from com.sun.star.beans import PropertyValue

STAND_IN = (
    "Option VBASupport 1\nOption Explicit\n\nSub RunPython(command As String)\n"
    '    ThisWorkbook.Worksheets(1).Range("Z1").Value = command\nEnd Sub\n'
)


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def run_book(desktop, path, module, addin_call):
    doc = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(path), "_blank", 0, (prop("Hidden", True), prop("MacroExecutionMode", 4))
    )
    try:
        libraries = list(doc.BasicLibraries.getElementNames())
        if "VBAProject" not in libraries:
            return {"libraries": libraries, "modules": [], "source": "", "commands": {}}
        library = doc.BasicLibraries.getByName("VBAProject")
        modules = list(library.getElementNames())
        source = library.getByName(module) if module in modules else ""
        commands = {}
        subs = re.findall(r"^Sub (\w+)\(", source, re.M)
        if source and addin_call in source:
            library.insertByName("TestRunPython", STAND_IN)
            library.replaceByName(module, source.replace(addin_call, "RunPython command"))
            provider = doc.getScriptProvider()
            cell = doc.Sheets.getByIndex(0).getCellRangeByName("Z1")
            for sub in subs:
                cell.setString("")
                uri = f"vnd.sun.star.script:VBAProject.{module}.{sub}?language=Basic&location=document"
                provider.getScript(uri).invoke((), (), ())
                commands[sub] = cell.getString()
        return {"libraries": libraries, "modules": modules, "source": source, "commands": commands}
    finally:
        doc.close(True)


def main():
    port, profile, module, addin_call, *books = sys.argv[1:]
    proc = subprocess.Popen(
        ["soffice", "--headless", "--norestore", "--nologo", f"-env:UserInstallation=file://{profile}",
         f"--accept=socket,host=127.0.0.1,port={port};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    desktop = None
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        ctx = None
        for _ in range(120):
            try:
                ctx = resolver.resolve(f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext")
                break
            except Exception:
                time.sleep(0.5)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        print(json.dumps({book: run_book(desktop, book, module, addin_call) for book in books}))
    finally:
        with contextlib.suppress(Exception):
            desktop.terminate()
        proc.terminate()
        proc.wait(timeout=30)


main()
