Attribute VB_Name = "PMOButtons"
Option Explicit
' The buttons of the pmo-xl templates. Each runs one Python handler of addin/buttons.py
' through RunPython of the xlwings Excel add-in (xlwings.xlam). It is called by name with
' Application.Run, so a workbook opened where the add-in is missing still compiles, and the
' button explains what to install instead of showing a VBA error.

Sub ValidatePlan()
    PMORun "import addin.buttons as b; b.validate_plan()"
End Sub

Sub RecomputeSchedule()
    PMORun "import addin.buttons as b; b.recompute_schedule()"
End Sub

Sub StatusReport()
    PMORun "import addin.buttons as b; b.status_report()"
End Sub

Sub Consolidate()
    PMORun "import addin.buttons as b; b.consolidate()"
End Sub

Sub CommitteePack()
    PMORun "import addin.buttons as b; b.committee_pack()"
End Sub

Sub TakeSnapshot()
    PMORun "import addin.buttons as b; b.snapshot()"
End Sub

Sub ExportPDF()
    PMORun "import addin.buttons as b; b.export_pdf()"
End Sub

Private Sub PMORun(command As String)
    On Error GoTo Missing
    Application.Run "'xlwings.xlam'!RunPython", command
    Exit Sub
Missing:
    MsgBox "This button needs Python with pmo-xl and the xlwings Excel add-in on this computer." & _
        vbNewLine & vbNewLine & "Ask your PMO, or install them with:" & vbNewLine & _
        "    py -m pip install <the pmo-xl folder>" & vbNewLine & "    pmo addin install" & vbNewLine & _
        "(README, section Use it in Excel)" & vbNewLine & vbNewLine & _
        "(" & Err.Description & ")", vbExclamation, "pmo-xl"
End Sub
