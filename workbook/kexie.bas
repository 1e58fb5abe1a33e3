Attribute VB_Name = "Kexie"
' kexie ribbon callback (source of the "Kexie" module of workbook/kexie.xlam).
'
' Every button of the ribbon (workbook/ribbon.xml) calls KexieRibbonAction. It only passes
' the id of the pressed button to Python; macros.ribbon.run(id) dispatches it to the same
' use case the command line runs, acting on the active workbook through xlwings.
'
' Keep this file ASCII: the VBA project code page is cp1252. Every word a person reads is
' Chinese and lives in the ribbon XML or in Python, never here.
Option Explicit

Public Sub KexieRibbonAction(control As IRibbonControl)
    RunPython "import macros.ribbon; macros.ribbon.run('" & control.Id & "')"
End Sub
