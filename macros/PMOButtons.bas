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
    Dim reason As String
    On Error GoTo Missing
    Application.Run "'xlwings.xlam'!RunPython", command
    Exit Sub
Missing:
    reason = Err.Description
    If PMOLanguage() = "fr" Then
        MsgBox MessageFr() & vbNewLine & vbNewLine & "(" & reason & ")", vbExclamation, "pmo-xl"
    Else
        MsgBox MessageEn() & vbNewLine & vbNewLine & "(" & reason & ")", vbExclamation, "pmo-xl"
    End If
End Sub

' The workbook's language, as its hidden _meta sheet records it ("en" or "fr").
Private Function PMOLanguage() As String
    Dim r As Long
    On Error Resume Next
    For r = 1 To 10
        If ThisWorkbook.Worksheets("_meta").Cells(r, 1).Value = "language" Then
            PMOLanguage = CStr(ThisWorkbook.Worksheets("_meta").Cells(r, 2).Value)
        End If
    Next r
End Function

Private Function MessageEn() As String
    MessageEn = "This button needs Python with pmo-xl and the xlwings Excel add-in on this computer." & _
        vbNewLine & vbNewLine & "Ask your PMO, or install them with:" & vbNewLine & _
        "    py -m pip install <the pmo-xl folder>" & vbNewLine & "    pmo addin install" & vbNewLine & _
        "(README, section Use it in Excel)"
End Function

' Accents and the non-breaking space of French typography before the colon (ChrW(160)) as
' character codes: the .bas files stay plain ASCII, whatever the code page of the VBA project.
Private Function MessageFr() As String
    MessageFr = "Ce bouton a besoin de Python avec pmo-xl et du compl" & ChrW(233) & "ment Excel xlwings " & _
        "sur cet ordinateur." & vbNewLine & vbNewLine & _
        "Demandez " & ChrW(224) & " votre PMO, ou installez-les avec" & ChrW(160) & ":" & vbNewLine & _
        "    py -m pip install <le dossier pmo-xl>" & vbNewLine & "    pmo addin install" & vbNewLine & _
        "(voir le README, partie Excel)"
End Function
