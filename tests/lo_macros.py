"""Run VBA macros of a workbook in headless LibreOffice (system python3 with UNO), print JSON.

Usage: python3 lo_macros.py BOOK.xlsm PORT PROFILE_DIR MODULE Macro1,Macro2,...
For each macro, the text of the first sheet's Z1 after it ran (where the test's stand-in
RunPython writes the command it was given).
"""

import contextlib
import json
import subprocess
import sys
import time

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def main():
    path, port, profile, module, macros = sys.argv[1:6]
    proc = subprocess.Popen(
        ["soffice", "--headless", "--norestore", "--nologo", f"-env:UserInstallation=file://{profile}",
         f"--accept=socket,host=127.0.0.1,port={port};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
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
        doc = desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(path), "_blank", 0, (prop("Hidden", True), prop("MacroExecutionMode", 4))
        )
        libraries = list(doc.BasicLibraries.getElementNames())
        modules = (
            list(doc.BasicLibraries.getByName("VBAProject").getElementNames()) if "VBAProject" in libraries else []
        )
        commands = {}
        provider = doc.getScriptProvider()
        for macro in macros.split(","):
            uri = f"vnd.sun.star.script:VBAProject.{module}.{macro}?language=Basic&location=document"
            provider.getScript(uri).invoke((), (), ())
            commands[macro] = doc.Sheets.getByIndex(0).getCellRangeByName("Z1").getString()
        doc.close(True)
        print(json.dumps({"libraries": libraries, "modules": modules, "commands": commands}))
    finally:
        with contextlib.suppress(Exception):
            desktop.terminate()
        proc.terminate()
        proc.wait(timeout=30)


main()
