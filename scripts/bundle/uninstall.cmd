@echo off
rem kexie uninstaller: removes the add-in, the Start-menu shortcut and %LOCALAPPDATA%\kexie.
rem ASCII on purpose (see install.cmd); the Chinese messages come from installer.py.
setlocal EnableExtensions
set "KEXIE_PY="
if exist "%LOCALAPPDATA%\kexie\venv\Scripts\python.exe" set "KEXIE_PY=%LOCALAPPDATA%\kexie\venv\Scripts\python.exe"
if not defined KEXIE_PY (
  for %%V in (3.13 3.12 3.11) do (
    if not defined KEXIE_PY (
      py -%%V -c "import sys" >nul 2>&1 && set "KEXIE_PY=py -%%V"
    )
  )
)
if not defined KEXIE_PY set "KEXIE_PY=python"
rem The venv's python is deleted by the uninstaller itself: run a copy of installer.py from TEMP.
copy /y "%~dp0setup\installer.py" "%TEMP%\kexie-installer.py" >nul
if "%KEXIE_PY:~-10%"=="python.exe" (
  "%KEXIE_PY%" "%TEMP%\kexie-installer.py" uninstall --bundle "%~dp0."
) else (
  %KEXIE_PY% "%TEMP%\kexie-installer.py" uninstall --bundle "%~dp0."
)
set "KEXIE_RC=%ERRORLEVEL%"
del "%TEMP%\kexie-installer.py" >nul 2>&1
if not defined KEXIE_NO_PAUSE pause
exit /b %KEXIE_RC%
