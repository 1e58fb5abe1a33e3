@echo off
rem kexie offline installer: no administrator rights needed.
rem This file is ASCII on purpose: cmd.exe reads batch files in the console code page
rem (GBK on a Chinese PC), so every Chinese message is printed by Python or PowerShell.
setlocal EnableExtensions
set "KEXIE_BUNDLE=%~dp0"
set "KEXIE_PY="
for %%V in (3.13 3.12 3.11) do (
  if not defined KEXIE_PY (
    py -%%V-64 -c "import sys" >nul 2>&1 && set "KEXIE_PY=py -%%V-64"
  )
)
if not defined KEXIE_PY (
  python -c "import sys, struct; sys.exit(0 if (3, 11) <= sys.version_info[:2] <= (3, 13) and struct.calcsize('P') == 8 else 1)" >nul 2>&1 && set "KEXIE_PY=python"
)
if not defined KEXIE_PY (
  set "KEXIE_MSG=%~dp0setup\no-python.txt"
  powershell -NoProfile -ExecutionPolicy Bypass -Command "Get-Content -Encoding UTF8 -LiteralPath $env:KEXIE_MSG | Write-Host"
  if not defined KEXIE_NO_PAUSE pause
  exit /b 2
)
%KEXIE_PY% "%~dp0setup\installer.py" install --bundle "%~dp0."
set "KEXIE_RC=%ERRORLEVEL%"
if not defined KEXIE_NO_PAUSE pause
exit /b %KEXIE_RC%
