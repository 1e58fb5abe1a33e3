Attribute VB_Name = "Kexie"
' kexie ribbon callback (source of the "Kexie" module of workbook/kexie.xlam).
'
' Every button of the ribbon (workbook/ribbon.xml) calls KexieRibbonAction. It only passes
' the id of the pressed button to Python; macros.ribbon.run(id) dispatches it to the same
' use case the command line runs, acting on the active workbook through xlwings.
'
' Before Python starts, the callback checks what would otherwise end in a VBA run-time error
' or in xlwings' English messages, and says it in Chinese instead:
'   * no workbook is active (Excel's start screen, a workbook in Protected View):
'     ActiveWorkbook is Nothing, which GetConfig and RunPython cannot handle;
'   * the configured Python interpreter does not exist ("Could not find Interpreter!");
'   * kexie (or xlwings) is not installed in that Python (a raw ModuleNotFoundError): a quick
'     hidden "python -c" run asks importlib whether both packages can be found (skipped when
'     the add-in's PYTHONPATH setting points Python elsewhere).
' The last two checks run on Windows; on macOS Python starts through xlwings' AppleScript.
' While Python starts, Excel's status bar says so; Python takes it over and hands it back.
'
' Keep this file ASCII: the VBA project code page is cp1252. Chinese text is written as
' hexadecimal code points and decoded by Zh(); tests/test_addin.py decodes every message
' function and checks its wording.
Option Explicit

Public Sub KexieRibbonAction(control As IRibbonControl)
    If ActiveWorkbook Is Nothing Then
        MsgBox MsgNoWorkbook(), vbInformation, MsgTitle()
        Exit Sub
    End If
    If Not KexieReady() Then Exit Sub
    On Error GoTo Done
    Application.StatusBar = MsgStarting()
    RunPython "import macros.ribbon; macros.ribbon.run('" & control.Id & "')"
Done:
    Application.StatusBar = False
End Sub

Private Function KexieInterpreter() As String
    #If Mac Then
        KexieInterpreter = GetConfig("INTERPRETER_MAC", "")
    #Else
        KexieInterpreter = GetConfig("INTERPRETER_WIN", "")
    #End If
    If KexieInterpreter = "" Then KexieInterpreter = GetConfig("INTERPRETER", "python")
End Function

Private Function KexieReady() As Boolean
    ' True when Python and kexie can run; otherwise a Chinese message says what to install.
    ' Windows only: on macOS xlwings runs Python through its AppleScript, checked at install.
    #If Not Mac Then
        Dim interpreter As String, found As String
        interpreter = KexieInterpreter()
        If InStr(interpreter, "\") > 0 Or InStr(interpreter, "/") > 0 Then
            On Error Resume Next
            found = Dir(interpreter)
            On Error GoTo 0
            If found = "" Then
                MsgBox MsgNoPython() & interpreter & vbLf & vbLf & MsgInstall(), vbExclamation, MsgTitle()
                Exit Function
            End If
        End If
        If GetConfig("PYTHONPATH", "") = "" Then
            Select Case KexieProbe(interpreter)
                Case 1
                    MsgBox MsgNoKexie() & vbLf & vbLf & MsgInstall(), vbExclamation, MsgTitle()
                    Exit Function
                Case 2
                    MsgBox MsgNoPython() & interpreter & vbLf & vbLf & MsgInstall(), vbExclamation, MsgTitle()
                    Exit Function
            End Select
        End If
    #End If
    KexieReady = True
End Function

Private Function KexieProbe(ByVal interpreter As String) As Long
    ' 0: kexie and xlwings can be imported; 1: one of them is missing; 2: Python does not start
    Dim shell As Object, code As Long, probe As String
    probe = "import importlib.util as u, sys; " & _
            "sys.exit(0 if u.find_spec('macros.ribbon') and u.find_spec('xlwings') else 3)"
    On Error GoTo NoPython
    Set shell = CreateObject("WScript.Shell")
    code = shell.Run(Chr(34) & interpreter & Chr(34) & " -c " & Chr(34) & probe & Chr(34), 0, True)
    If code = 0 Then
        KexieProbe = 0
    ElseIf code = 3 Then
        KexieProbe = 1
    Else
        KexieProbe = 2
    End If
    Exit Function
NoPython:
    KexieProbe = 2
End Function

Private Function Zh(ByVal codes As String) As String
    ' The text of space-separated hexadecimal code points, e.g. Zh("79D1 534F") = the Chinese
    ' for "association of science" (keeps this source ASCII).
    Dim parts() As String, i As Long
    parts = Split(codes, " ")
    For i = LBound(parts) To UBound(parts)
        If Len(parts(i)) > 0 Then Zh = Zh & ChrW(CLng("&H" & parts(i)))
    Next i
End Function

' --- messages (generated from their Chinese wording; see tests/test_addin.py) ---

Private Function MsgTitle() As String
    MsgTitle = Zh("79D1 534F 5DE5 4F5C 53F0")
End Function

Private Function MsgNoWorkbook() As String
    MsgNoWorkbook = Zh("8BF7 5148 6253 5F00 4E00 4E2A 6D3B 52A8 5DE5 4F5C 7C3F 518D 4F7F 7528 79D1 534F 5DE5 4F5C 53F0 7684 6309 94AE 3002 5982")
    MsgNoWorkbook = MsgNoWorkbook & Zh("679C 5DE5 4F5C 7C3F 5728 201C 53D7 4FDD 62A4 7684 89C6 56FE 201D 4E2D 6253 5F00 FF0C 8BF7 5148 70B9 51FB 201C 542F 7528")
    MsgNoWorkbook = MsgNoWorkbook & Zh("7F16 8F91 201D 3002")
End Function

Private Function MsgNoPython() As String
    MsgNoPython = Zh("627E 4E0D 5230 0020 0050 0079 0074 0068 006F 006E FF1A")
End Function

Private Function MsgInstall() As String
    MsgInstall = Zh("8BF7 5B89 88C5 79D1 534F 5DE5 4F5C 53F0 FF08 8FD0 884C 5B89 88C5 5305 4E2D 7684 0020 0069 006E 0073 0074 0061 006C 006C")
    MsgInstall = MsgInstall & Zh("002E 0063 006D 0064 FF1B 6216 5B89 88C5 0020 0050 0079 0074 0068 006F 006E 0020 0033 002E 0031 0031 0020 4EE5 4E0A 7248")
    MsgInstall = MsgInstall & Zh("672C 540E 5728 547D 4EE4 63D0 793A 7B26 4E2D 8FD0 884C 0020 0070 0079 0020 002D 006D 0020 0070 0069 0070 0020 0069 006E")
    MsgInstall = MsgInstall & Zh("0073 0074 0061 006C 006C 0020 006B 0065 0078 0069 0065 FF0C 518D 8FD0 884C 0020 006B 0065 0078 0069 0065 0020 0061 0064")
    MsgInstall = MsgInstall & Zh("0064 0069 006E 0020 0069 006E 0073 0074 0061 006C 006C FF09 FF0C 7136 540E 91CD 65B0 6253 5F00 0020 0045 0078 0063 0065")
    MsgInstall = MsgInstall & Zh("006C 3002")
End Function

Private Function MsgNoKexie() As String
    MsgNoKexie = Zh("672C 673A 7684 0020 0050 0079 0074 0068 006F 006E 0020 4E2D 6CA1 6709 5B89 88C5 79D1 534F 5DE5 4F5C 53F0 FF08 006B 0065")
    MsgNoKexie = MsgNoKexie & Zh("0078 0069 0065 FF09 3002")
End Function

Private Function MsgStarting() As String
    MsgStarting = Zh("79D1 534F 5DE5 4F5C 53F0 FF1A 6B63 5728 542F 52A8 0020 0050 0079 0074 0068 006F 006E 2026 2026")
End Function

